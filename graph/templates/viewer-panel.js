/* entity-graph viewer 2/3: the side panel. Every piece of document text is set with
   textContent or appended as a text node; names in evidence are wrapped in <mark> elements. */
(function () {
  "use strict";
  var G = window.entityGraph, data = G.data, N = data.nodes, E = data.edges, DOCS = data.documents;
  var details = document.getElementById("details");
  var plural = G.plural;
  var DOCS_LISTED = 50, LINKS_LISTED = 10;

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* Only http(s) URLs become links. */
  function safeUrl(url) {
    if (typeof url !== "string") return null;
    try {
      var u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (err) { return null; }
  }

  function docTitle(d) {
    var doc = DOCS[d], href = safeUrl(doc.url);
    var title = el(href ? "a" : "span", "doc-title", doc.title || doc.id);
    if (href) { title.href = href; title.target = "_blank"; title.rel = "noopener noreferrer"; }
    return title;
  }
  function docMeta(d) { return [DOCS[d].date, DOCS[d].source].filter(Boolean).join(" \u00b7 "); }

  function facts(rows) {
    var dl = el("dl", "facts");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") return;
      var dd = el("dd");
      if (row[1] instanceof Node) dd.append(row[1]); else dd.textContent = String(row[1]);
      dl.append(el("dt", "", row[0]), dd);
    });
    return dl;
  }

  function button(className, text, onClick) {
    var b = el("button", className, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function entityButton(i) {
    return button("entity-link", N[i].label, function () { G.selectNode(N[i].id, { focus: true }); });
  }
  function edgeButton(j, text) {
    return button("entity-link", text, function () { G.selectEdge(E[j].id); });
  }

  /* The text with every name (case-insensitive, whole words) wrapped in <mark>. */
  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function namesOf(indices) {
    var names = [];
    indices.forEach(function (i) { names.push(N[i].label); names.push.apply(names, N[i].aliases); });
    return names;
  }
  function marked(text, names) {
    var out = document.createDocumentFragment();
    var alts = Array.from(new Set(names.map(function (s) { return String(s).trim(); })))
      .filter(Boolean).sort(function (a, b) { return b.length - a.length; }).map(escapeRegExp);
    if (!alts.length) { out.append(text); return out; }
    var re;
    try {
      re = new RegExp("(?<![\\p{L}\\p{N}])(?:" + alts.join("|") + ")(?![\\p{L}\\p{N}])", "giu");
    } catch (err) {  /* a browser without lookbehind: match anywhere */
      re = new RegExp(alts.join("|"), "giu");
    }
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      out.append(text.slice(last, m.index), el("mark", "", m[0]));
      last = m.index + m[0].length;
    }
    out.append(text.slice(last));
    return out;
  }

  function evidenceFigure(pair, ends) {
    var fig = el("figure", "evidence"), quote = el("blockquote"), cap = el("figcaption");
    quote.append(marked(data.sentences[pair[1]], namesOf(ends)));
    cap.append(docTitle(pair[0]));
    var meta = docMeta(pair[0]);
    if (meta) cap.append(" \u00b7 " + meta);
    fig.append(quote, cap);
    return fig;
  }

  var rankOf = null;
  function centralityRank(i) {
    if (!rankOf) {
      rankOf = new Int32Array(N.length);
      N.map(function (n, k) { return k; })
        .sort(function (a, b) { return N[b].centrality - N[a].centrality || a - b; })
        .forEach(function (k, r) { rankOf[k] = r + 1; });
    }
    return rankOf[i] + " of " + N.length;
  }

  function hiddenNote(shown) {
    return shown ? [] : [el("p", "hint", "Hidden by the current filters.")];
  }

  function showNode(i, shown) {
    var n = N[i], badge = el("span", "badge", n.type), aliases = el("ul", "aliases");
    badge.style.background = G.colorOf(n, "type");
    n.aliases.forEach(function (a) { aliases.append(el("li", "", a)); });
    var community = data.communities.find(function (c) { return c.id === n.community; });
    details.replaceChildren(el("h2", "", n.label), badge, facts([
      ["Aliases", n.aliases.length ? aliases : null],
      ["Mentions", n.mentions],
      ["Documents", n.documents],
      ["First seen", n.first_date],
      ["Last seen", n.last_date],
      ["Community", community ? "around " + community.label + " (" + community.size + ")" : null],
      ["Centrality", centralityRank(i)]
    ]));
    details.append.apply(details, hiddenNote(shown));
    if (G.startPath) {
      details.append(button("", "How is it connected to\u2026", function () { G.startPath(n.id); }));
    }
    var links = G.adjacency[i].filter(function (j) { return G.edgeOn[j]; })
      .sort(function (a, b) { return E[b].weight - E[a].weight || a - b; });
    if (links.length) {
      details.append(el("h3", "", "Strongest connections"));
      var list = el("ul", "links");
      links.slice(0, LINKS_LISTED).forEach(function (j) {
        var li = el("li");
        li.append(entityButton(E[j].from === i ? E[j].to : E[j].from), " \u00b7 ",
                  edgeButton(j, plural(E[j].weight, "co-occurrence", "co-occurrences")));
        list.append(li);
      });
      details.append(list);
      if (links.length > LINKS_LISTED) details.append(el("p", "meta", "and " + (links.length - LINKS_LISTED) + " more"));
    }
    var docs = n.docs.slice().sort(function (a, b) {
      var da = DOCS[a].date || "", db = DOCS[b].date || "";
      return da === db ? a - b : (da < db ? 1 : -1);
    });
    details.append(el("h3", "", "Mentioned in " + plural(docs.length, "document", "documents")));
    var docList = el("ul", "docs");
    docs.slice(0, DOCS_LISTED).forEach(function (d) {
      var li = el("li");
      li.append(docTitle(d));
      if (docMeta(d)) li.append(el("br"), el("span", "meta", docMeta(d)));
      docList.append(li);
    });
    details.append(docList);
    if (docs.length > DOCS_LISTED) details.append(el("p", "meta", "and " + (docs.length - DOCS_LISTED) + " more (newest first)"));
  }

  function showEdge(j, shown) {
    var e = E[j], title = el("h2");
    title.append(entityButton(e.from), " \u2014 ", entityButton(e.to));
    details.replaceChildren(title, facts([["Co-occurrences", e.weight], ["Documents", e.documents]]));
    details.append.apply(details, hiddenNote(shown));
    details.append(el("h3", "", e.evidence.length ? "Evidence" : "No evidence kept"));
    if (e.evidence.length && e.evidence.length < e.weight) {
      details.append(el("p", "meta", "The first " + plural(e.evidence.length, "passage", "passages") + " of " + e.weight + "."));
    }
    e.evidence.forEach(function (pair) { details.append(evidenceFigure(pair, [e.from, e.to])); });
  }

  function showPaths(selection) {
    var a = G.nodeIndex.get(selection.from), b = G.nodeIndex.get(selection.to);
    details.replaceChildren(el("h2", "", "How " + N[a].label + " and " + N[b].label + " are connected"));
    if (!selection.paths.length) {
      details.append(el("p", "", "No chain of visible links joins them."),
                     el("p", "hint", "Filters hide some links; resetting them may reveal a path."));
      return;
    }
    var steps = selection.paths[0].edges.length;
    details.append(el("p", "meta", plural(selection.paths.length, "shortest path", "shortest paths") +
      " of " + plural(steps, "step", "steps") + (selection.paths.length >= 5 ? " (the first five)" : "") + "."));
    selection.paths.forEach(function (p, k) {
      details.append(el("h3", "", "Path " + (k + 1) + ": " + p.nodes.map(function (i) { return N[i].label; }).join(" \u2192 ")));
      var list = el("ol", "path");
      p.edges.forEach(function (j, s) {
        var li = el("li"), u = p.nodes[s], v = p.nodes[s + 1];
        li.append(entityButton(u), " \u2014 ", entityButton(v), " \u00b7 ",
                  edgeButton(j, plural(E[j].weight, "co-occurrence", "co-occurrences")));
        if (E[j].evidence.length) li.append(evidenceFigure(E[j].evidence[0], [u, v]));
        list.append(li);
      });
      details.append(list);
    });
  }

  function clear() {
    details.replaceChildren(el("p", "hint",
      "Click an entity or a link to see where it comes from. Press / to search, Esc to clear."));
  }

  G.panel = {
    show: function (selection, shown) {
      if (!selection) clear();
      else if (selection.kind === "node") showNode(G.nodeIndex.get(selection.id), shown);
      else if (selection.kind === "edge") showEdge(+selection.id.slice(1), shown);
      else showPaths(selection);
    }
  };
  G.el = el;
  clear();
})();
