/* entity-graph viewer 3/3: header, search with suggestions, filters, colour and size,
   "how are A and B connected?", exports and keyboard shortcuts. */
(function () {
  "use strict";
  var G = window.entityGraph, data = G.data, N = data.nodes, E = data.edges, DOCS = data.documents;
  var el = G.el, plural = G.plural;
  function $(id) { return document.getElementById(id); }
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  /* ---- Header and the "showing N of M" banner ---- */
  $("summary").textContent = plural(N.length, "entity", "entities") + " \u00b7 " +
    plural(E.length, "link", "links") + (data.window ? " \u00b7 window: " + data.window : "");
  if (data.total.nodes > N.length || data.total.edges > E.length) {
    $("banner").textContent = "Showing " + grouped(N.length) + " of " + grouped(data.total.nodes) +
      " entities, " + grouped(E.length) + " of " + grouped(data.total.edges) + " links: the most " +
      "mentioned entities and their strongest links. graph.graphml holds the full graph.";
    $("banner").hidden = false;
  }

  /* ---- Suggestions: exact name, then prefix, word start, substring; labels before aliases ---- */
  var names = N.map(function (n) {
    return [n.label].concat(n.aliases).map(function (s) { return s.toLowerCase(); });
  });
  function score(name, q) {
    if (name === q) return 0;
    if (name.startsWith(q)) return 2;
    if (name.indexOf(" " + q) >= 0 || name.indexOf("-" + q) >= 0) return 4;
    return name.indexOf(q) >= 0 ? 6 : 99;
  }
  function suggest(query, limit) {
    var q = query.trim().toLowerCase(), hits = [];
    if (!q) return hits;
    names.forEach(function (list, i) {
      var best = 99, via = null;
      list.forEach(function (name, k) {
        var s = score(name, q) + (k > 0 ? 1 : 0);
        if (s < best) { best = s; via = k > 0 && name !== list[0] ? N[i].aliases[k - 1] : null; }
      });
      if (best < 99) hits.push({ i: i, score: best, via: via });
    });
    hits.sort(function (a, b) {
      return a.score - b.score || N[b.i].mentions - N[a.i].mentions || a.i - b.i;
    });
    return hits.slice(0, limit);
  }

  function submit(form) { form.dispatchEvent(new Event("submit", { cancelable: true })); }

  /* An input with a list of suggestions (arrow keys, Enter, Escape, click). */
  function combo(input, list, choose, noMatch) {
    var hits = [], active = -1;
    function close() {
      list.hidden = true; list.replaceChildren(); active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function pick(k) { var hit = hits[k]; close(); input.value = N[hit.i].label; choose(N[hit.i].id); }
    function mark(k) {
      active = k;
      Array.prototype.forEach.call(list.children, function (li, m) {
        li.classList.toggle("active", m === k);
        li.setAttribute("aria-selected", m === k ? "true" : "false");
      });
      if (k >= 0) { input.setAttribute("aria-activedescendant", list.id + "-" + k); list.children[k].scrollIntoView({ block: "nearest" }); }
    }
    input.addEventListener("input", function () {
      delete input.dataset.id;
      hits = suggest(input.value, 8);
      if (!hits.length) { close(); return; }
      list.replaceChildren.apply(list, hits.map(function (hit, k) {
        var n = N[hit.i], li = el("li", "", n.label);
        li.id = list.id + "-" + k;
        li.setAttribute("role", "option");
        li.append(" ", el("span", "meta", (hit.via ? "\u201c" + hit.via + "\u201d \u00b7 " : "") + n.type));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(k); });
        return li;
      }));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && hits.length && !list.hidden) { ev.preventDefault(); mark((active + 1) % hits.length); }
      else if (ev.key === "ArrowUp" && hits.length && !list.hidden) { ev.preventDefault(); mark(active <= 0 ? hits.length - 1 : active - 1); }
      else if (ev.key === "Enter") {
        ev.preventDefault();
        if (!list.hidden && hits.length) { pick(Math.max(active, 0)); return; }
        if (input.dataset.id && input.form) { submit(input.form); return; }
        hits = suggest(input.value, 8);
        if (hits.length) pick(0);
        else if (noMatch) noMatch(input.value);
        else if (input.form) submit(input.form);
      } else if (ev.key === "Escape") close();
    });
    input.addEventListener("blur", close);
    return { close: close };
  }

  var search = $("search"), status = $("search-status");
  var searchCombo = combo(search, $("search-suggestions"), function (id) {
    status.textContent = "";
    G.selectNode(id, { focus: true });
  }, function () { status.textContent = "No match"; });
  search.addEventListener("input", function () { status.textContent = ""; });
  $("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); });

  /* ---- Filters ---- */
  function steps(values) {
    var list = Array.from(new Set(values)).sort(function (a, b) { return a - b; });
    return list.length ? list : [1];
  }
  var weightSteps = steps(E.map(function (e) { return e.weight; }));
  var mentionSteps = steps(N.map(function (n) { return n.mentions; }));
  var pending = null;
  function schedule(changes) {
    var first = pending === null;
    pending = Object.assign(pending || {}, changes);
    if (first) {
      requestAnimationFrame(function () {
        var c = pending;
        pending = null;
        G.setFilters(c);
        showCount();
      });
    }
  }
  function slider(id, values, key) {
    var input = $(id), out = $(id + "-value");
    input.max = String(values.length - 1);
    input.value = "0";
    out.textContent = String(values[0]);
    input.addEventListener("input", function () {
      var v = values[+input.value];
      out.textContent = String(v);
      var change = {};
      change[key] = v;
      schedule(change);
    });
    return function reset() { input.value = "0"; out.textContent = String(values[0]); };
  }
  var resetWeight = slider("min-weight", weightSteps, "minWeight");
  var resetMentions = slider("min-mentions", mentionSteps, "minMentions");

  var types = $("type-filter");
  data.types.forEach(function (t) {
    var li = el("li"), label = el("label"), box = el("input");
    box.type = "checkbox"; box.checked = true; box.value = t.type;
    box.addEventListener("change", function () {
      var on = new Set(Array.prototype.filter.call(types.querySelectorAll("input"), function (b) {
        return b.checked;
      }).map(function (b) { return b.value; }));
      schedule({ types: on });
    });
    label.append(box, " " + t.type + " (" + t.count + ")");
    li.append(label);
    types.append(li);
  });

  var dates = G.dates, from = $("date-from"), to = $("date-to");
  function showDates() {
    $("date-from-value").textContent = dates[+from.value] || "";
    $("date-to-value").textContent = dates[+to.value] || "";
  }
  if (dates.length > 1) {
    $("date-filter").hidden = false;
    from.max = to.max = String(dates.length - 1);
    to.value = to.max;
    [from, to].forEach(function (input) {
      input.addEventListener("input", function () {
        if (+from.value > +to.value) { if (input === from) to.value = from.value; else from.value = to.value; }
        showDates();
        schedule({ dateFrom: +from.value, dateTo: +to.value });
      });
    });
    showDates();
  }

  function showCount() {
    var v = G.visible();
    $("visible-count").textContent = "Visible: " + v.nodes.length + " of " + N.length + " entities, " +
      v.edges.length + " of " + E.length + " links";
  }
  $("reset-filters").addEventListener("click", function () {
    resetWeight(); resetMentions();
    types.querySelectorAll("input").forEach(function (b) { b.checked = true; });
    from.value = "0"; to.value = to.max; showDates();
    schedule({ types: new Set(data.types.map(function (t) { return t.type; })), minWeight: weightSteps[0],
               minMentions: mentionSteps[0], dateFrom: 0, dateTo: Math.max(dates.length - 1, 0) });
  });
  showCount();

  /* ---- Colour, size and legend ---- */
  function swatchItem(color, text) {
    var li = el("li"), swatch = el("span", "swatch");
    swatch.style.background = color;
    li.append(swatch, text);
    return li;
  }
  function showLegend() {
    var legend = $("legend-list");
    if (G.state.colorBy === "type") {
      legend.replaceChildren.apply(legend, data.types.map(function (t) {
        return swatchItem(G.colorOf({ type: t.type }, "type"), t.type + " (" + t.count + ")");
      }));
      return;
    }
    var items = data.communities.map(function (c) {
      return swatchItem(G.colorOf({ community: c.id }, "community"), "around " + c.label + " (" + c.size + ")");
    });
    var rest = N.length - data.communities.reduce(function (s, c) { return s + c.size; }, 0);
    if (rest > 0) items.push(swatchItem(G.colorOf({ community: -1 }, "community"), "others (" + rest + ")"));
    legend.replaceChildren.apply(legend, items);
  }
  $("color-by").addEventListener("change", function (ev) { G.setLook({ colorBy: ev.target.value }); showLegend(); });
  $("size-by").addEventListener("change", function (ev) { G.setLook({ sizeBy: ev.target.value }); });
  showLegend();

  /* ---- How are A and B connected? ---- */
  var pathFrom = $("path-from"), pathTo = $("path-to"), pathStatus = el("p", "meta");
  pathStatus.setAttribute("aria-live", "polite");
  $("path-form").append(pathStatus);
  function remember(input) { return function (id) { input.dataset.id = id; }; }
  var fromCombo = combo(pathFrom, $("path-from-suggestions"), remember(pathFrom));
  var toCombo = combo(pathTo, $("path-to-suggestions"), remember(pathTo));
  function resolve(input) {
    if (input.dataset.id) return input.dataset.id;
    var hit = suggest(input.value, 1)[0];
    return hit ? N[hit.i].id : null;
  }
  $("path-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var a = resolve(pathFrom), b = resolve(pathTo);
    if (!a || !b) { pathStatus.textContent = "Choose two entities from the suggestions."; return; }
    if (a === b) { pathStatus.textContent = "Choose two different entities."; return; }
    var paths = G.showPaths(a, b);
    pathStatus.textContent = paths.length ? "" : "No connection among the visible links.";
  });
  G.startPath = function (id) {
    pathFrom.value = N[G.nodeIndex.get(id)].label;
    pathFrom.dataset.id = id;
    $("connect").open = true;
    pathTo.focus();
  };

  /* ---- Exports of what is visible: PNG of the canvas, CSV and JSON of the subgraph ---- */
  function download(name, blob) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
  }
  /* Cells starting with = + - @ (or a tab or CR) get a ' so spreadsheets do not run them. */
  function cell(value) {
    var s = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csv(rows) {
    return "\ufeff" + rows.map(function (r) { return r.map(cell).join(","); }).join("\r\n") + "\r\n";
  }
  var NODE_FIELDS = ["id", "label", "type", "aliases", "mentions", "documents", "first_date",
                     "last_date", "community", "centrality"];
  function nodeRow(i) {
    return NODE_FIELDS.map(function (f) { return f === "aliases" ? N[i].aliases.join(" | ") : N[i][f]; });
  }
  function textFile(text, type) { return new Blob([text], { type: type + ";charset=utf-8" }); }
  $("export-nodes").addEventListener("click", function () {
    var rows = [NODE_FIELDS].concat(G.visible().nodes.map(nodeRow));
    download("entity-graph-entities.csv", textFile(csv(rows), "text/csv"));
  });
  $("export-links").addEventListener("click", function () {
    var rows = [["source", "target", "source_label", "target_label", "weight", "documents"]];
    G.visible().edges.forEach(function (j) {
      var e = E[j];
      rows.push([N[e.from].id, N[e.to].id, N[e.from].label, N[e.to].label, e.weight, e.documents]);
    });
    download("entity-graph-links.csv", textFile(csv(rows), "text/csv"));
  });
  $("export-json").addEventListener("click", function () {
    var v = G.visible();
    var out = {
      window: data.window,
      nodes: v.nodes.map(function (i) {
        var row = nodeRow(i), rec = {};
        NODE_FIELDS.forEach(function (f, k) { rec[f] = f === "aliases" ? N[i].aliases : row[k]; });
        return rec;
      }),
      links: v.edges.map(function (j) {
        var e = E[j];
        return {
          source: N[e.from].id, target: N[e.to].id, weight: e.weight, documents: e.documents,
          evidence: e.evidence.map(function (pair) {
            return { text: data.sentences[pair[1]], document: DOCS[pair[0]] };
          })
        };
      })
    };
    download("entity-graph.json", textFile(JSON.stringify(out, null, 2) + "\n", "application/json"));
  });
  $("export-png").addEventListener("click", function () {
    var source = document.querySelector("#network canvas"), copy = document.createElement("canvas");
    copy.width = source.width;
    copy.height = source.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(source, 0, 0);
    copy.toBlob(function (blob) { download("entity-graph.png", blob); }, "image/png");
  });

  /* ---- Keyboard: / focuses the search, Esc clears the selection ---- */
  document.addEventListener("keydown", function (ev) {
    var t = ev.target, typing = t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      search.focus();
      search.select();
    } else if (ev.key === "Escape") {
      searchCombo.close(); fromCombo.close(); toCombo.close();
      G.clearSelection();
    }
  });
})();
