/* entity-graph viewer 1/3: data, the network, filters, highlighting and paths.
   Every piece of document text is set with textContent, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var N = data.nodes, E = data.edges, DOCS = data.documents;
  var OTHER = "#BBBBBB";
  var G = { data: data, ready: false };
  window.entityGraph = G;

  /* ---- Derived data ---- */
  var nodeIndex = new Map(N.map(function (n, i) { return [n.id, i]; }));
  var adjacency = N.map(function () { return []; });
  E.forEach(function (e, j) {
    e.id = "e" + j;
    adjacency[e.from].push(j);
    adjacency[e.to].push(j);
  });
  function maxOf(list, key) { return list.reduce(function (m, x) { return Math.max(m, x[key]); }, 0); }
  var maxMentions = maxOf(N, "mentions") || 1, maxRank = maxOf(N, "centrality") || 1;
  var maxWeight = maxOf(E, "weight") || 1;
  var typeColors = new Map(data.types.map(function (t) { return [t.type, t.color]; }));
  var communityColors = new Map(data.communities.map(function (c) { return [c.id, c.color]; }));

  /* Dates: the distinct document dates, and for each node its dates as sorted indices. */
  var dateSet = new Set();
  N.forEach(function (n) { n.docs.forEach(function (d) { if (DOCS[d].date) dateSet.add(DOCS[d].date); }); });
  var dates = Array.from(dateSet).sort();
  var dateIndex = new Map(dates.map(function (d, i) { return [d, i]; }));
  function datesOf(docs) {
    var out = new Set();
    docs.forEach(function (d) { if (DOCS[d].date) out.add(dateIndex.get(DOCS[d].date)); });
    return Array.from(out).sort(function (a, b) { return a - b; });
  }
  var nodeDates = N.map(function (n) { return datesOf(n.docs); });
  var edgeDates = null;  /* dates of the documents both ends share; built on first use */
  function sharedDates() {
    if (edgeDates) return edgeDates;
    var docSets = N.map(function (n) { return new Set(n.docs); });
    edgeDates = E.map(function (e) {
      var a = N[e.from].docs, b = docSets[e.to];
      return datesOf(a.filter(function (d) { return b.has(d); }));
    });
    return edgeDates;
  }
  function anyWithin(sorted, lo, hi) {
    if (!sorted.length) return true;  /* undated: the date filter does not apply */
    var a = 0, b = sorted.length;
    while (a < b) { var m = (a + b) >> 1; if (sorted[m] < lo) a = m + 1; else b = m; }
    return a < sorted.length && sorted[a] <= hi;
  }

  /* ---- State ---- */
  var state = {
    types: new Set(data.types.map(function (t) { return t.type; })),
    minWeight: 1, minMentions: 1, dateFrom: 0, dateTo: Math.max(dates.length - 1, 0),
    colorBy: "type", sizeBy: "mentions",
    selection: null  /* {kind: "node", id} | {kind: "edge", id} | {kind: "path", paths, from, to} */
  };
  var nodeOn = new Uint8Array(N.length), edgeOn = new Uint8Array(E.length);
  var highlight = null;  /* {nodes: Set of indices, edges: Set of indices} while something is selected */

  function computeVisible() {
    var allDates = state.dateFrom === 0 && state.dateTo >= dates.length - 1;
    var lo = state.dateFrom, hi = state.dateTo, shared = allDates ? null : sharedDates();
    N.forEach(function (n, i) {
      nodeOn[i] = state.types.has(n.type) && n.mentions >= state.minMentions &&
        (allDates || anyWithin(nodeDates[i], lo, hi)) ? 1 : 0;
    });
    E.forEach(function (e, j) {
      edgeOn[j] = nodeOn[e.from] && nodeOn[e.to] && e.weight >= state.minWeight &&
        (allDates || anyWithin(shared[j], lo, hi)) ? 1 : 0;
    });
  }

  function colorOf(n, mode) {
    var c = (mode || state.colorBy) === "community" ? communityColors.get(n.community) : typeColors.get(n.type);
    return /^#[0-9a-fA-F]{6}$/.test(c || "") ? c : OTHER;
  }
  function sizeOf(n) {
    var share = state.sizeBy === "centrality" ? n.centrality / maxRank : n.mentions / maxMentions;
    return Math.round(10 * (6 + 24 * Math.sqrt(Math.max(share, 0)))) / 10;
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* ---- Styling: each render sends only what changed, in one update per DataSet ---- */
  var nodeLook = [], edgeLook = [];
  function nodeStyle(i) {
    var n = N[i], c = colorOf(n), dim = highlight && !highlight.nodes.has(i);
    var look = [!nodeOn[i], c, sizeOf(n), !!dim].join("|");
    if (look === nodeLook[i]) return null;
    nodeLook[i] = look;
    return {
      id: n.id, hidden: !nodeOn[i], size: sizeOf(n), opacity: dim ? 0.2 : 1,
      font: { color: dim ? "#c4c4c4" : "#222222" },
      color: { background: c, border: c, highlight: { background: c, border: "#000000" },
               hover: { background: c, border: "#000000" } }
    };
  }
  function edgeStyle(j) {
    var lit = !!(highlight && highlight.edges.has(j)), was = edgeLook[j] || [false, false];
    if (edgeLook[j] && was[0] === !edgeOn[j] && was[1] === lit) return null;
    edgeLook[j] = [!edgeOn[j], lit];
    var style = { id: E[j].id, hidden: !edgeOn[j] };
    if (lit) style.color = { color: "#555555", highlight: "#222222", hover: "#222222", opacity: 1 };
    else if (was[1]) style.color = null;  /* back to the shared, possibly dimmed, colour */
    return style;
  }
  function changed(count, style) {
    var out = [];
    for (var i = 0; i < count; i++) { var s = style(i); if (s) out.push(s); }
    return out;
  }
  var dimmed = false;
  function render() {
    if (dimmed !== !!highlight) {
      dimmed = !!highlight;
      network.setOptions({ edges: { color: { opacity: dimmed ? 0.07 : 0.5 } } });
    }
    var nodeUpdates = changed(N.length, nodeStyle), edgeUpdates = changed(E.length, edgeStyle);
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }

  /* ---- The network: positions come from Python, so physics stays off ---- */
  computeVisible();
  var nodes = new vis.DataSet(N.map(function (n, i) {
    var s = nodeStyle(i);
    s.label = n.label; s.x = n.x; s.y = n.y;
    s.title = n.label + " (" + n.type + ", " + plural(n.mentions, "mention", "mentions") + ")";
    return s;
  }));
  var edges = new vis.DataSet(E.map(function (e, j) {
    var s = edgeStyle(j), a = N[e.from], b = N[e.to];
    s.from = a.id; s.to = b.id;
    s.width = Math.round(10 * (1 + 7 * Math.sqrt(e.weight / maxWeight))) / 10;
    s.title = a.label + " \u2014 " + b.label + ": " + plural(e.weight, "co-occurrence", "co-occurrences");
    return s;
  }));
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, {
    autoResize: true,
    physics: false,
    layout: { improvedLayout: false },
    nodes: {
      shape: "dot", borderWidth: 1, borderWidthSelected: 3,
      font: { size: 14, face: "system-ui, sans-serif", color: "#222222", strokeWidth: 3, strokeColor: "#ffffff" }
    },
    edges: {
      smooth: false, selectionWidth: 2, hoverWidth: 0.5,
      color: { color: "#999999", highlight: "#333333", hover: "#555555", opacity: 0.5 }
    },
    interaction: { hover: true, tooltipDelay: 200, hideEdgesOnDrag: true, hideEdgesOnZoom: true, keyboard: false }
  });

  /* ---- Selection ---- */
  function neighbourhood(i) {
    var hl = { nodes: new Set([i]), edges: new Set() };
    adjacency[i].forEach(function (j) {
      if (!edgeOn[j]) return;
      hl.edges.add(j);
      hl.nodes.add(E[j].from === i ? E[j].to : E[j].from);
    });
    return hl;
  }
  function isShown(selection) {
    if (!selection) return false;
    if (selection.kind === "node") return !!nodeOn[nodeIndex.get(selection.id)];
    if (selection.kind === "edge") return !!edgeOn[+selection.id.slice(1)];
    return selection.paths.every(function (p) { return p.edges.every(function (j) { return edgeOn[j]; }); });
  }
  function applySelection(selection) {
    state.selection = selection;
    var shown = isShown(selection);
    if (!selection || !shown) highlight = null;
    else if (selection.kind === "node") highlight = neighbourhood(nodeIndex.get(selection.id));
    else if (selection.kind === "edge") {
      var e = E[+selection.id.slice(1)];
      highlight = { nodes: new Set([e.from, e.to]), edges: new Set([+selection.id.slice(1)]) };
    } else {
      highlight = { nodes: new Set(), edges: new Set() };
      selection.paths.forEach(function (p) {
        p.nodes.forEach(function (i) { highlight.nodes.add(i); });
        p.edges.forEach(function (j) { highlight.edges.add(j); });
      });
    }
    render();
    if (selection && shown && selection.kind === "node") network.selectNodes([selection.id]);
    else if (selection && shown && selection.kind === "edge") network.selectEdges([selection.id]);
    else network.unselectAll();
    if (G.panel) G.panel.show(selection, shown);
  }
  function selectNode(id, options) {
    if (!nodeIndex.has(id)) return;
    applySelection({ kind: "node", id: id });
    if (options && options.focus && nodeOn[nodeIndex.get(id)]) {
      network.focus(id, { scale: Math.max(network.getScale(), 1), animation: { duration: 300 } });
    }
  }
  function selectEdge(id) { if (/^e\d+$/.test(id) && E[+id.slice(1)]) applySelection({ kind: "edge", id: id }); }
  function clearSelection() { applySelection(null); }

  network.on("click", function (params) {
    if (params.nodes.length) selectNode(params.nodes[0]);
    else if (params.edges.length) selectEdge(params.edges[0]);
    else clearSelection();
  });

  /* Filters change what is visible; a selection that is no longer visible is cleared. */
  function setFilters(changes) {
    Object.keys(changes).forEach(function (k) { state[k] = changes[k]; });
    computeVisible();
    if (state.selection && !isShown(state.selection)) applySelection(null);
    else applySelection(state.selection);
  }
  function setLook(changes) {
    Object.keys(changes).forEach(function (k) { state[k] = changes[k]; });
    render();
  }

  /* ---- Shortest paths over the visible links (fewest steps; strongest links first) ---- */
  function shortestPaths(a, b, limit) {
    var start = nodeIndex.get(a), goal = nodeIndex.get(b);
    if (start === undefined || goal === undefined || start === goal) return [];
    if (!nodeOn[start] || !nodeOn[goal]) return [];
    var dist = new Int32Array(N.length).fill(-1), queue = [start];
    dist[start] = 0;
    for (var q = 0; q < queue.length && dist[goal] < 0; q++) {
      var u = queue[q];
      adjacency[u].forEach(function (j) {
        if (!edgeOn[j]) return;
        var v = E[j].from === u ? E[j].to : E[j].from;
        if (dist[v] < 0) { dist[v] = dist[u] + 1; queue.push(v); }
      });
    }
    if (dist[goal] < 0) return [];
    var paths = [];
    (function walk(v, nodesBack, edgesBack) {
      if (paths.length >= limit) return;
      if (v === start) {
        paths.push({ nodes: nodesBack.slice().reverse(), edges: edgesBack.slice().reverse() });
        return;
      }
      adjacency[v].filter(function (j) {
        var u = E[j].from === v ? E[j].to : E[j].from;
        return edgeOn[j] && dist[u] === dist[v] - 1;
      }).sort(function (x, y) { return E[y].weight - E[x].weight || x - y; }).forEach(function (j) {
        var u = E[j].from === v ? E[j].to : E[j].from;
        walk(u, nodesBack.concat([u]), edgesBack.concat([j]));
      });
    })(goal, [goal], []);
    return paths;
  }
  function showPaths(a, b) {
    var paths = shortestPaths(a, b, 5);
    applySelection({ kind: "path", from: a, to: b, paths: paths });
    var ids = [];
    paths.forEach(function (p) { p.nodes.forEach(function (i) { ids.push(N[i].id); }); });
    if (ids.length) network.fit({ nodes: ids, animation: { duration: 300 } });
    return paths;
  }

  function visible() {
    var out = { nodes: [], edges: [] };
    N.forEach(function (n, i) { if (nodeOn[i]) out.nodes.push(i); });
    E.forEach(function (e, j) { if (edgeOn[j]) out.edges.push(j); });
    return out;
  }

  Object.assign(G, {
    network: network, nodes: nodes, edges: edges, state: state, dates: dates,
    nodeIndex: nodeIndex, adjacency: adjacency, edgeOn: edgeOn, nodeOn: nodeOn,
    colorOf: colorOf, plural: plural, visible: visible,
    selectNode: selectNode, selectEdge: selectEdge, clearSelection: clearSelection,
    showNode: selectNode, showEdge: selectEdge, clearPanel: clearSelection,
    setFilters: setFilters, setLook: setLook, shortestPaths: shortestPaths, showPaths: showPaths
  });
  network.once("afterDrawing", function () { G.readyAt = performance.now(); G.ready = true; });
})();
