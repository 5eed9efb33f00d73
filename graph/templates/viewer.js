/* entity-graph viewer. Every piece of document text is set with textContent, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodeById = new Map(data.nodes.map(function (n) { return [n.id, n]; }));
  var edgeById = new Map(data.edges.map(function (e) { return [e.id, e]; }));
  var colors = new Map(data.types.map(function (t) { return [t.type, t.color]; }));
  var details = document.getElementById("details");

  function colorOf(type) {
    var c = colors.get(type);
    return /^#[0-9a-fA-F]{6}$/.test(c || "") ? c : "#BBBBBB";
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* Only http(s) URLs become links. */
  function safeUrl(url) {
    if (typeof url !== "string") return null;
    try {
      var u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (err) { return null; }
  }

  function docTitle(docId, fallbackTitle) {
    var doc = data.documents[docId] || {};
    var text = doc.title || fallbackTitle || docId;
    var href = safeUrl(doc.url);
    if (!href) return el("span", "doc-title", text);
    var a = el("a", "doc-title", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function facts(rows) {
    var dl = el("dl", "facts");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") return;
      dl.append(el("dt", "", row[0]));
      var dd = el("dd");
      if (row[1] instanceof Node) dd.append(row[1]); else dd.textContent = String(row[1]);
      dl.append(dd);
    });
    return dl;
  }

  function entityButton(id) {
    var n = nodeById.get(id);
    var b = el("button", "entity-link", n ? n.label : id);
    b.type = "button";
    b.addEventListener("click", function () { selectNode(id); });
    return b;
  }

  function clearPanel() {
    details.replaceChildren(el("p", "hint", "Click an entity or a link to see where it comes from."));
  }

  function showNode(id) {
    var n = nodeById.get(id);
    if (!n) { clearPanel(); return; }
    var badge = el("span", "badge", n.type);
    badge.style.background = colorOf(n.type);
    var aliases = el("ul", "aliases");
    n.aliases.forEach(function (a) { aliases.append(el("li", "", a)); });
    details.replaceChildren(el("h2", "", n.label), badge, facts([
      ["Aliases", n.aliases.length ? aliases : null],
      ["Mentions", n.mentions],
      ["Documents", n.documents],
      ["First seen", n.first_date],
      ["Last seen", n.last_date]
    ]));
    var ids = n.doc_ids.slice().sort(function (a, b) {
      var da = (data.documents[a] || {}).date || "", db = (data.documents[b] || {}).date || "";
      return da === db ? (a < b ? -1 : a > b ? 1 : 0) : (da < db ? 1 : -1);
    });
    details.append(el("h3", "", "Mentioned in " + plural(ids.length, "document", "documents")));
    var list = el("ul", "docs");
    ids.forEach(function (docId) {
      var doc = data.documents[docId] || {};
      var li = el("li");
      li.append(docTitle(docId));
      var meta = [doc.date, doc.source].filter(Boolean).join(" \u00b7 ");
      if (meta) { li.append(el("br"), el("span", "meta", meta)); }
      list.append(li);
    });
    details.append(list);
  }

  function showEdge(id) {
    var e = edgeById.get(id);
    if (!e) { clearPanel(); return; }
    var title = el("h2");
    title.append(entityButton(e.from), " \u2014 ", entityButton(e.to));
    details.replaceChildren(title, facts([
      ["Co-occurrences", e.weight],
      ["Documents", e.documents]
    ]));
    details.append(el("h3", "", e.evidence.length ? "Evidence" : "No evidence kept"));
    e.evidence.forEach(function (ev) {
      var fig = el("figure", "evidence");
      var cap = el("figcaption");
      cap.append(docTitle(ev.doc, ev.title));
      if (ev.date) cap.append(" \u00b7 " + ev.date);
      fig.append(el("blockquote", "", ev.text), cap);
      details.append(fig);
    });
  }

  function selectNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: { duration: 300 } });
    showNode(id);
  }

  /* Exact label, exact alias, then label or alias containing the query; most mentioned first. */
  var byMentions = data.nodes.slice().sort(function (a, b) { return b.mentions - a.mentions; });
  function findNode(query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var tests = [
      function (n) { return n.label.toLowerCase() === q; },
      function (n) { return n.aliases.some(function (a) { return a.toLowerCase() === q; }); },
      function (n) { return n.label.toLowerCase().indexOf(q) >= 0; },
      function (n) { return n.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; }); }
    ];
    for (var i = 0; i < tests.length; i++) {
      var hit = byMentions.find(tests[i]);
      if (hit) return hit.id;
    }
    return null;
  }

  function search(event) {
    if (event) event.preventDefault();
    var status = document.getElementById("search-status");
    var id = findNode(document.getElementById("search").value);
    status.textContent = id || !document.getElementById("search").value.trim() ? "" : "No match";
    if (id) selectNode(id);
  }

  /* Header, legend and search suggestions. */
  var window_ = data.window ? " \u00b7 window: " + data.window : "";
  document.getElementById("summary").textContent =
    plural(data.nodes.length, "entity", "entities") + " \u00b7 " +
    plural(data.edges.length, "link", "links") + window_;
  var legend = document.getElementById("legend-list");
  data.types.forEach(function (t) {
    var li = el("li");
    var swatch = el("span", "swatch");
    swatch.style.background = colorOf(t.type);
    li.append(swatch, t.type + " (" + t.count + ")");
    legend.append(li);
  });
  var options = document.getElementById("search-options");
  new Set(data.nodes.map(function (n) { return n.label; })).forEach(function (label) {
    var o = document.createElement("option");
    o.value = label;
    options.append(o);
  });
  document.getElementById("search-form").addEventListener("submit", search);
  document.getElementById("search").addEventListener("change", search);
  clearPanel();

  /* The network: positions come from Python, so physics stays off. */
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var c = colorOf(n.type);
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, size: n.size,
      title: n.label + " (" + n.type + ", " + plural(n.mentions, "mention", "mentions") + ")",
      color: { background: c, border: c, highlight: { background: c, border: "#000000" },
               hover: { background: c, border: "#000000" } }
    };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var a = nodeById.get(e.from), b = nodeById.get(e.to);
    return {
      id: e.id, from: e.from, to: e.to, width: e.width,
      title: (a ? a.label : e.from) + " \u2014 " + (b ? b.label : e.to) + ": " +
        plural(e.weight, "co-occurrence", "co-occurrences")
    };
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
    interaction: { hover: true, tooltipDelay: 200, hideEdgesOnDrag: true, hideEdgesOnZoom: true }
  });
  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else clearPanel();
  });

  var api = {
    network: network, nodes: nodes, edges: edges, data: data, ready: false,
    showNode: showNode, showEdge: showEdge, clearPanel: clearPanel, selectNode: selectNode
  };
  network.once("afterDrawing", function () { api.ready = true; });
  window.entityGraph = api;
})();
