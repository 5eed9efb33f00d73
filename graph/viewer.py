"""Write the graph as one self-contained, offline HTML page (vis-network, no CDN).

The page is our own template (``templates/viewer.html``) with pyvis's copy of the
vis-network bundle and our scripts inlined. The graph enters the page only as escaped JSON
inside a ``<script type="application/json">`` block; the page's scripts render every piece
of document text with ``textContent``, so names and sentences cannot inject markup.

Everything slow happens here, once, in linear or near-linear time: choosing the entities
shown when the graph is larger than the page's cap, the seeded layout, Louvain communities
and PageRank. The page only draws (physics off) and filters.

Example::

    write_viewer(G, Path("output/graph.html"), seed=42, max_nodes=2000)
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .config import PAGE_CHARS, TITLE_CHARS, URL_CHARS
from .errors import GraphError, OutputError
from .excerpts import shorten
from .export import atomic_write, gc_paused
from .records import read_doc_ids, read_evidence
from .types import Evidence

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = TEMPLATES / "viewer.html"
"""The page template; ``@@NAME@@`` markers are filled in a single pass."""

APP_SCRIPTS = ("viewer.js", "viewer-panel.js", "viewer-controls.js")
"""The page's own scripts (in ``templates/``), inlined in this order after vis-network:
state, network and highlighting; the side panel; search, filters, paths and exports."""

VIS_BUNDLE = Path("lib") / "vis-9.1.2" / "vis-network.min.js"
"""Where the vis-network bundle lies inside the installed pyvis package."""

MAX_NODES = 2000
"""Default cap on the entities drawn; the most mentioned are kept."""

MAX_EDGES = 10000
"""Default cap on the links drawn between kept entities; the heaviest are kept."""

MAX_EVIDENCE = 3
"""Default cap on evidence passages shipped per link."""


TYPE_COLORS: dict[str, str] = {
    "PERSON": "#CC6677",
    "ORG": "#332288",
    "PLACE": "#117733",
    "GROUP": "#DDCC77",
    "EVENT": "#88CCEE",
    "PRODUCT": "#882255",
    "WORK": "#44AA99",
    "LAW": "#999933",
    "LANGUAGE": "#AA4499",
}
"""Entity type -> colour: Paul Tol's "muted" scheme, distinguishable with colour blindness."""

COMMUNITY_COLORS = (
    "#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377",
    "#332288", "#DDCC77", "#117733", "#882255", "#44AA99", "#999933",
)
"""Colours of the twelve largest communities (Tol's "bright" then "muted"); others are grey."""

OTHER_COLOR = "#BBBBBB"
"""Colour of any type not in TYPE_COLORS, and of communities beyond COMMUNITY_COLORS."""

DENSE_LAYOUT_LIMIT = 500
"""Graphs smaller than this use ``nx.spring_layout``; larger ones a chunked NumPy version
(networkx switches to a SciPy solver at this size, and SciPy is not a dependency)."""

COMPONENT_SPACING = 90.0
"""Canvas units per square root of a component's node count (its radius), and the gap
between packed components."""

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_UNSAFE_IN_SCRIPT = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_MARKER = re.compile(r"@@([A-Z_]+)@@")


def write_viewer(
    G: nx.Graph,
    path: Path,
    *,
    seed: int = 42,
    max_nodes: int = MAX_NODES,
    max_edges: int = MAX_EDGES,
    max_evidence: int = MAX_EVIDENCE,
    positions: dict[Any, tuple[float, float]] | None = None,
    page_chars: int = PAGE_CHARS,
    title_chars: int = TITLE_CHARS,
    documents: Mapping[str, Any] | None = None,
) -> None:
    """Write ``G`` as an interactive HTML page that works from disk with no network.

    Parameters
    ----------
    G:
        The co-occurrence graph from ``build_graph`` (node attributes ``label``, ``type``,
        ``aliases``, ``mentions``, ``doc_ids``, ...; edge attributes ``weight``,
        ``documents``, ``evidence``; graph attribute ``window``). ``doc_ids`` and
        ``evidence`` may be text, as ``graph.build`` holds them, or tuples of ids and
        ``Evidence`` records.
    path:
        The ``.html`` file to write; it is replaced atomically. Its folder is created.
    seed:
        Seed of the layout and the communities: the same graph and seed give
        byte-identical pages.
    max_nodes, max_edges:
        At most this many entities (the most mentioned) and links (the heaviest among
        them) are drawn; the page says how many of how many it shows.
    max_evidence:
        Evidence passages kept per link (fewer if the page's evidence budget runs out).
    positions:
        Positions from ``export_positions`` (so other exports share the layout); by
        default the layout is computed here, the same way.
    page_chars, title_chars:
        The page's budget of document text, and the longest title or source it shows
        (see ``graph.Settings``): a page of any corpus stays within a few megabytes.
    documents:
        Each document's ``DocumentInfo`` by id (``BuildResult.documents``); by default
        ``G.graph["documents"]``.

    Raises
    ------
    OutputError
        If the file cannot be written.
    GraphError
        If pyvis's copy of vis-network cannot be read.
    """
    path = Path(path)
    html = render_viewer(G, seed=seed, max_nodes=max_nodes, max_edges=max_edges,
                         max_evidence=max_evidence, positions=positions,
                         page_chars=page_chars, title_chars=title_chars, documents=documents)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, "wb") as stream:
            stream.write(html.encode("utf-8"))
    except OSError as err:
        raise OutputError(f"cannot write the viewer to {path}: {err}") from err
    logger.info("Wrote viewer of %d nodes and %d edges to %s",
                G.number_of_nodes(), G.number_of_edges(), path)


def render_viewer(G: nx.Graph, *, seed: int = 42, max_nodes: int = MAX_NODES,
                  max_edges: int = MAX_EDGES, max_evidence: int = MAX_EVIDENCE,
                  positions: dict[Any, tuple[float, float]] | None = None,
                  page_chars: int = PAGE_CHARS, title_chars: int = TITLE_CHARS,
                  documents: Mapping[str, Any] | None = None) -> str:
    """Return the viewer page for ``G`` as a string (see write_viewer)."""
    scripts = [_vis_bundle()] + [(TEMPLATES / name).read_text(encoding="utf-8")
                                 for name in APP_SCRIPTS]
    data = viewer_data(G, seed=seed, max_nodes=max_nodes, max_edges=max_edges,
                       max_evidence=max_evidence, positions=positions,
                       page_chars=page_chars, title_chars=title_chars, documents=documents)
    values = {
        "CSP": _content_security_policy(*scripts),
        "DATA": _script_json(data),
        "SCRIPTS": "\n".join(f"<script>{script}</script>" for script in scripts),
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    return _MARKER.sub(lambda m: values[m.group(1)], template)


@gc_paused()
def viewer_data(G: nx.Graph, *, seed: int = 42, max_nodes: int = MAX_NODES,
                max_edges: int = MAX_EDGES, max_evidence: int = MAX_EVIDENCE,
                positions: dict[Any, tuple[float, float]] | None = None,
                page_chars: int = PAGE_CHARS, title_chars: int = TITLE_CHARS,
                documents: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready data the page reads.

    Nodes carry positions, a community number and PageRank; edges refer to nodes by index
    and to evidence as ``[document index, sentence index]`` pairs, so a sentence shared by
    several links, and a document's title, are stored once.

    The documents' text (titles and sources cut to ``title_chars``, URLs) takes up to half
    of ``page_chars``, the documents of the most drawn entities first (the others are
    listed by id and date alone); evidence passages are handed out in rounds (every link's
    first passage, strongest links first, then every second passage, ...) within the rest.
    """
    node_ids, pairs = select_shown(G, max_nodes=max_nodes, max_edges=max_edges)
    H = nx.Graph()
    H.add_nodes_from(node_ids)
    H.add_edges_from((u, v, {"weight": _weight(G.edges[u, v])}) for u, v in pairs)
    pos = positions if positions is not None else layout_positions(H, seed=seed)
    groups = communities(H, seed=seed)
    community_of = {node: k for k, members in enumerate(groups) for node in members}
    rank = pagerank(G)
    infos = documents if documents is not None else G.graph.get("documents") or {}
    known = {str(doc) for doc in infos}
    doc_ids = {n: read_doc_ids(G.nodes[n].get("doc_ids", ()), known or None)
               for n in node_ids}
    candidates = [list(read_evidence(data.get("evidence", ())))[:max_evidence]
                  for data in _pair_data(G, pairs)]
    docs = _DocumentTable(infos, doc_ids, candidates, title_chars, page_chars // 2)
    evidence = _pick_evidence(G, pairs, candidates, max(page_chars - docs.chars, 0))
    index = {node: i for i, node in enumerate(node_ids)}
    sentences: dict[str, int] = {}
    nodes = [
        _node_record(n, G.nodes[n], pos[n], community_of[n], rank[n], doc_ids[n], docs)
        for n in node_ids
    ]
    edges = [
        {
            "from": index[u],
            "to": index[v],
            "weight": _weight(data),
            "documents": int(data.get("documents", 0)),
            "evidence": [[docs.index[str(e.doc)], sentences.setdefault(e.text, len(sentences))]
                         for e in kept],
        }
        for (u, v), data, kept in zip(pairs, _pair_data(G, pairs), evidence, strict=True)
    ]
    counts = Counter(node["type"] for node in nodes)
    return {
        "window": G.graph.get("window"),
        "total": {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()},
        "types": [{"type": t, "color": _color(t), "count": counts[t]} for t in _type_order(counts)],
        "communities": _community_legend(G, groups),
        "documents": docs.records,
        "sentences": list(sentences),
        "nodes": nodes,
        "edges": edges,
    }


@gc_paused()
def export_positions(
    G: nx.Graph, *, seed: int = 42, max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES
) -> dict[Any, tuple[float, float]]:
    """Positions of every node: the page's layout for the drawn ones, and each other node
    placed beside the drawn entities it is linked to (or on a ring outside them). Linear
    beyond the page's own layout, so exports of a large graph share the page's picture.
    """
    node_ids, pairs = select_shown(G, max_nodes=max_nodes, max_edges=max_edges)
    H = nx.Graph()
    H.add_nodes_from(node_ids)
    H.add_edges_from((u, v, {"weight": _weight(G.edges[u, v])}) for u, v in pairs)
    positions = dict(layout_positions(H, seed=seed))
    rest = sorted((n for n in G if n not in positions), key=str)
    if not rest:
        return positions
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    radius = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) / 2 + COMPONENT_SPACING
    outside = 0
    for i, node in enumerate(rest):
        anchors = [positions[m] for m in G[node] if m in H]
        angle = 2.399963 * i  # golden angle: spread without collisions
        if anchors:
            ax = sum(x for x, _ in anchors) / len(anchors)
            ay = sum(y for _, y in anchors) / len(anchors)
            spread = COMPONENT_SPACING * (0.5 + (i % 7) / 7)
            positions[node] = (round(ax + spread * math.cos(angle), 1),
                               round(ay + spread * math.sin(angle), 1))
        else:
            ring = radius + COMPONENT_SPACING * math.sqrt(outside)
            positions[node] = (round(cx + ring * math.cos(angle), 1),
                               round(cy + ring * math.sin(angle), 1))
            outside += 1
    return positions


def select_shown(
    G: nx.Graph, *, max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES
) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """The nodes and edges the page draws, each sorted by id.

    Nodes are ranked by mentions, then weighted degree, then id; the first ``max_nodes``
    are kept. Among the edges between kept nodes, the ``max_edges`` heaviest are kept
    (ties: more documents first, then ids). Linear apart from a few sorts.
    """
    nodes = sorted(G.nodes, key=str)
    if len(nodes) > max_nodes:
        kept = _most_mentioned(G, nodes, max_nodes)
        nodes = [n for n in nodes if n in kept]
    else:
        kept = set(nodes)
    pairs = [(u, v) for u, v in _sorted_edges(G) if u in kept and v in kept]
    if len(pairs) > max_edges:
        data = _pair_data(G, pairs)
        order = sorted(range(len(pairs)), key=lambda i: (
            -_weight(data[i]), -int(data[i].get("documents", 0)), i))
        pairs = [pairs[i] for i in sorted(order[:max_edges])]
    return nodes, pairs


def _most_mentioned(G: nx.Graph, nodes: list[Any], count: int) -> set[Any]:
    """The first ``count`` of ``nodes`` (sorted by id) ranked by mentions, then weighted
    degree, then id. Only the nodes tied at the cut need their weighted degree."""
    if count <= 0:
        return set()
    mentions = {node: _mentions(G.nodes[node]) for node in nodes}
    cut = sorted(mentions.values(), reverse=True)[count - 1]
    kept = {node for node in nodes if mentions[node] > cut}
    tied = [node for node in nodes if mentions[node] == cut]
    strength = dict(G.degree(tied, weight="weight"))
    tied.sort(key=lambda n: (-strength[n], str(n)))
    return kept.union(tied[: count - len(kept)])


def communities(G: nx.Graph, *, seed: int = 42) -> list[list[Any]]:
    """Louvain communities (weighted, seeded), largest first, ties by smallest member id.

    Each community's members are sorted by id. The input is rebuilt in sorted order first,
    so the result does not depend on the order nodes and edges were added.
    """
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes, key=str))
    H.add_weighted_edges_from((u, v, _weight(G.edges[u, v])) for u, v in _sorted_edges(G))
    found = nx.community.louvain_communities(H, weight="weight", seed=seed)
    groups = [sorted(c, key=str) for c in found]
    return sorted(groups, key=lambda c: (-len(c), str(c[0])))


def pagerank(G: nx.Graph, *, alpha: float = 0.85, tol: float = 1.0e-10,
             max_iter: int = 200) -> dict[Any, float]:
    """Weighted PageRank by power iteration in NumPy (networkx's own needs SciPy).

    Same definition as ``nx.pagerank``: uniform teleport, and dangling nodes (no links)
    spread their score uniformly. O(edges) per iteration.
    """
    nodes = sorted(G.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = _sorted_edges(G)
    ends = np.array([(index[u], index[v]) for u, v in pairs], dtype=np.intp).reshape(-1, 2)
    weights = np.array([_weight(G.edges[p]) for p in pairs], dtype=float)
    src = np.concatenate([ends[:, 0], ends[:, 1]])
    dst = np.concatenate([ends[:, 1], ends[:, 0]])
    w = np.concatenate([weights, weights])
    out = np.bincount(src, w, minlength=n)
    dangling = out == 0
    share = np.divide(w, out[src], out=np.zeros_like(w), where=out[src] > 0)
    p = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        leak = alpha * p[dangling].sum() + (1 - alpha)
        new = alpha * np.bincount(dst, p[src] * share, minlength=n) + leak / n
        done = np.abs(new - p).sum() < n * tol
        p = new
        if done:
            break
    return {node: float(value) for node, value in zip(nodes, p, strict=True)}


def layout_positions(G: nx.Graph, *, seed: int = 42) -> dict[Any, tuple[float, float]]:
    """Seeded force-directed positions in canvas units, independent of insertion order.

    Each connected component is laid out on its own and scaled to its size; components are
    then packed in rows, largest first, so small islands do not squash the main cluster.
    """
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes, key=str))
    H.add_edges_from(_sorted_edges(G))
    components = sorted(
        (sorted(c, key=str) for c in nx.connected_components(H)),
        key=lambda c: (-len(c), str(c[0])),
    )
    boxes = [_component_layout(H.subgraph(nodes), nodes, seed) for nodes in components]
    return _pack(boxes)


def _component_layout(
    H: nx.Graph, nodes: list[Any], seed: int
) -> dict[Any, tuple[float, float]]:
    """Positions of one connected component, centred on 0, radius growing with its size."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n < DENSE_LAYOUT_LIMIT:
        F = nx.Graph()
        F.add_nodes_from(nodes)
        F.add_edges_from(_sorted_edges(H))
        raw = nx.spring_layout(F, seed=seed)
        coords = np.array([raw[node] for node in nodes], dtype=float).reshape(n, 2)
    else:
        logger.debug("Laying out %d nodes with the chunked spring layout", n)
        index = {node: i for i, node in enumerate(nodes)}
        edges = np.array([(index[u], index[v]) for u, v in _sorted_edges(H)], dtype=np.intp)
        coords = _chunked_spring_layout(n, edges.reshape(-1, 2), seed=seed).astype(float)
    coords -= coords.mean(axis=0)
    extent = float(np.abs(coords).max()) or 1.0
    coords *= COMPONENT_SPACING * math.sqrt(n) / extent
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, coords, strict=True)}


def _pack(boxes: list[dict[Any, tuple[float, float]]]) -> dict[Any, tuple[float, float]]:
    """Place component layouts in rows (largest first) within a roughly square area."""
    margin = COMPONENT_SPACING
    sizes = []
    for box in boxes:
        xs = [x for x, _ in box.values()]
        ys = [y for _, y in box.values()]
        sizes.append((min(xs), max(xs), min(ys), max(ys)))
    area = sum((x1 - x0 + margin) * (y1 - y0 + margin) for x0, x1, y0, y1 in sizes)
    row_width = max(math.sqrt(area) * 1.2, max((x1 - x0 for x0, x1, _, _ in sizes), default=0))
    positions: dict[Any, tuple[float, float]] = {}
    cursor_x = cursor_y = row_height = 0.0
    for box, (x0, x1, y0, y1) in zip(boxes, sizes, strict=True):
        width, height = x1 - x0 + margin * (2 if len(box) == 1 else 1), y1 - y0 + margin
        if cursor_x > 0 and cursor_x + width > row_width:
            cursor_x, cursor_y, row_height = 0.0, cursor_y + row_height, 0.0
        for node, (x, y) in box.items():
            positions[node] = (round(cursor_x + x - x0, 1), round(cursor_y + y - y0, 1))
        cursor_x += width
        row_height = max(row_height, height)
    return positions


def _chunked_spring_layout(n: int, edges: np.ndarray, *, seed: int,
                           iterations: int = 50) -> np.ndarray:
    """Fruchterman-Reingold in O(n) memory: repulsion in row chunks, attraction per edge.

    Float32 and chunks of about 256k pairs (which stay in the CPU cache) make it about four
    times faster than float64 in large blocks: 2,000 nodes take about half a second.
    """
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)).astype(np.float32)
    k = 1.0 / math.sqrt(n)
    k2 = np.float32(k * k)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    chunk = max(1, 256_000 // n)
    src, dst = edges[:, 0], edges[:, 1]
    for _ in range(iterations):
        disp = np.empty_like(pos)
        x, y = pos[:, 0].copy(), pos[:, 1].copy()
        for start in range(0, n, chunk):
            rows = slice(start, start + chunk)
            dx = x[rows, None] - x[None, :]
            dy = y[rows, None] - y[None, :]
            push = dx * dx
            push += dy * dy
            np.maximum(push, np.float32(1e-4), out=push)
            np.divide(k2, push, out=push)
            disp[rows, 0] = (dx * push).sum(axis=1)
            disp[rows, 1] = (dy * push).sum(axis=1)
        delta = pos[src] - pos[dst]
        pull = delta * (np.linalg.norm(delta, axis=1) / k)[:, None]
        for axis in (0, 1):
            disp[:, axis] -= np.bincount(src, pull[:, axis], minlength=n)
            disp[:, axis] += np.bincount(dst, pull[:, axis], minlength=n)
        length = np.maximum(np.linalg.norm(disp, axis=1), 0.01)
        pos += disp * (temperature / length)[:, None]
        temperature -= cooling
    return pos


class _DocumentTable:
    """The documents the page refers to, sorted by id, with each one's index, and the
    characters of text their records hold (``chars``).

    Titles and sources are cut to ``title_chars`` and URLs longer than ``URL_CHARS`` left
    out. When the records' titles, sources and URLs would pass ``budget`` characters, the
    documents mentioning the fewest drawn entities are listed by id and date alone.
    """

    def __init__(self, infos: Mapping[Any, Any], doc_ids: Mapping[Any, list[str]],
                 evidence: Iterable[Iterable[Evidence]], title_chars: int, budget: int) -> None:
        known: dict[str, Evidence | None] = {}
        for items in evidence:
            for e in items:
                known.setdefault(str(e.doc), e)
        uses: Counter[str] = Counter()
        for ids in doc_ids.values():
            uses.update(ids)
        for doc in uses:
            known.setdefault(doc, None)
        ids = sorted(known)
        self.index = {doc: i for i, doc in enumerate(ids)}
        records = {}
        self.chars = used = 0
        for doc in sorted(ids, key=lambda d: -uses[d]):  # stable: ties stay in id order
            record = _document_record(doc, infos.get(doc), known[doc], title_chars)
            cost = sum(len(record[key] or "") for key in ("title", "source", "url"))
            if used + cost > budget:
                record.update(title=None, source=None, url=None)
                cost = 0
            used += cost
            records[doc] = record
            self.chars += cost + len(doc)
        self.records = [records[doc] for doc in ids]


def _pick_evidence(G: nx.Graph, pairs: list[tuple[Any, Any]],
                   candidates: list[list[Evidence]], budget: int) -> list[list[Evidence]]:
    """Each edge's evidence from its ``candidates``, first passages first and strongest
    edges first, within budget. A passage already shipped for another edge costs nothing.
    """
    data = _pair_data(G, pairs)
    order = sorted(range(len(pairs)), key=lambda i: (-_weight(data[i]), i))
    kept: list[list[Evidence]] = [[] for _ in pairs]
    seen: set[str] = set()
    used = 0
    for round_ in range(max(map(len, candidates), default=0)):
        for i in order:
            items = candidates[i]
            if len(kept[i]) != round_ or round_ >= len(items):
                continue
            cost = 0 if items[round_].text in seen else len(items[round_].text)
            if used + cost <= budget:
                used += cost
                seen.add(items[round_].text)
                kept[i].append(items[round_])
    return kept


def _node_record(node: Any, attrs: dict[str, Any], xy: tuple[float, float], community: int,
                 rank: float, doc_ids: list[str], docs: _DocumentTable) -> dict[str, Any]:
    aliases = attrs.get("aliases") or ""
    return {
        "id": str(node),
        "label": str(attrs.get("label") or node),
        "type": str(attrs.get("type") or "OTHER"),
        "aliases": [a for a in str(aliases).split(" | ") if a],
        "mentions": _mentions(attrs),
        "documents": int(attrs.get("documents", 0)),
        "first_date": attrs.get("first_date") or None,
        "last_date": attrs.get("last_date") or None,
        "docs": [docs.index[d] for d in doc_ids],
        "x": xy[0],
        "y": xy[1],
        "community": community,
        "centrality": float(f"{rank:.4g}"),
    }


def _community_legend(G: nx.Graph, groups: list[list[Any]]) -> list[dict[str, Any]]:
    """The coloured communities (two members or more), each named after its most mentioned."""
    legend = []
    for k, members in enumerate(groups[: len(COMMUNITY_COLORS)]):
        if len(members) < 2:
            break
        top = min(members, key=lambda n: (-_mentions(G.nodes[n]), str(n)))
        legend.append({"id": k, "color": COMMUNITY_COLORS[k], "size": len(members),
                       "label": str(G.nodes[top].get("label") or top)})
    return legend


def _sorted_edges(G: nx.Graph) -> list[tuple[Any, Any]]:
    """Every edge once, ends ordered by id, edges sorted: the same list for the same graph."""
    if all(type(node) is str for node in G):  # ids that are their own text: compare directly
        return sorted((u, v) if u <= v else (v, u) for u, v in G.edges)
    pairs = ((u, v) if str(u) <= str(v) else (v, u) for u, v in G.edges)
    return sorted(pairs, key=lambda p: (str(p[0]), str(p[1])))


def _pair_data(G: nx.Graph, pairs: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    """The attributes of each edge in ``pairs``."""
    return [G.edges[pair] for pair in pairs]


def _weight(attrs: dict[str, Any]) -> int:
    return int(attrs.get("weight", 1))


def _mentions(attrs: dict[str, Any]) -> int:
    return int(attrs.get("mentions", 1))


def _document_record(doc: str, info: Any, evidence: Evidence | None,
                     title_chars: int) -> dict[str, Any]:
    """A document's metadata, from its evidence when the graph does not describe it; title
    and source cut to ``title_chars``, a URL longer than ``URL_CHARS`` left out."""
    if info is not None:
        title, date, source, url = info.title, info.date, info.source, info.url
    elif evidence is not None:
        title, date, source, url = evidence.title, evidence.date, None, None
    else:
        title = date = source = url = None
    return {"id": doc, "title": _shortened(title, title_chars), "date": date,
            "source": _shortened(source, title_chars),
            "url": url if url is None or len(url) <= URL_CHARS else None}


def _shortened(text: str | None, limit: int) -> str | None:
    return text if text is None else shorten(text, limit)


def _type_order(types: Iterable[str]) -> list[str]:
    """Known types in palette order, then any others alphabetically."""
    present = set(types)
    known = [t for t in TYPE_COLORS if t in present]
    return known + sorted(present - set(TYPE_COLORS))


def _color(entity_type: str) -> str:
    return TYPE_COLORS.get(entity_type, OTHER_COLOR)


def _script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>``, ``&``, U+2028, U+2029, and
    no lone surrogates (they could not be written as UTF-8); other text stays UTF-8."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    return _UNSAFE_IN_SCRIPT.sub(
        lambda m: _JSON_ESCAPES.get(m.group()) or f"\\u{ord(m.group()):04x}", text)


def _content_security_policy(*scripts: str) -> str:
    """A policy allowing only these inline scripts and no network at all."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts
    )
    return (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def _vis_bundle() -> str:
    """pyvis's vis-network bundle, licence header kept, source-map comment dropped."""
    spec = importlib.util.find_spec("pyvis")
    origin = spec.origin if spec else None
    bundle = Path(origin or ".").parent / VIS_BUNDLE
    try:
        js = bundle.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise GraphError(
            f"the vis-network bundle of pyvis is missing ({bundle}); "
            f"reinstall it with: pip install --force-reinstall 'pyvis>=0.3.2,<0.4'"
        ) from err
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", js)
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
