"""Write the graph as one self-contained, offline HTML page (vis-network, no CDN).

The page is our own template (``templates/viewer.html``) with pyvis's copy of the
vis-network bundle inlined. The graph enters the page only as escaped JSON inside a
``<script type="application/json">`` block; the page's script renders every piece of
document text with ``textContent``, so names and sentences cannot inject markup.

Example::

    write_viewer(G, Path("output/graph.html"), seed=42)
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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .errors import GraphError, OutputError
from .export import atomic_write

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).parent / "templates" / "viewer.html"
"""The page template; ``@@NAME@@`` markers are filled in a single pass."""

APP_SCRIPT = Path(__file__).parent / "templates" / "viewer.js"
"""The page's own script, inlined after the vis-network bundle."""

VIS_BUNDLE = Path("lib") / "vis-9.1.2" / "vis-network.min.js"
"""Where the vis-network bundle lies inside the installed pyvis package."""

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

OTHER_COLOR = "#BBBBBB"
"""Colour of any type not in TYPE_COLORS."""

DENSE_LAYOUT_LIMIT = 500
"""Graphs smaller than this use ``nx.spring_layout``; larger ones a chunked NumPy version
(networkx switches to a SciPy solver at this size, and SciPy is not a dependency)."""

COMPONENT_SPACING = 90.0
"""Canvas units per square root of a component's node count (its radius), and the gap
between packed components."""

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                 "\u2028": "\\u2028", "\u2029": "\\u2029"}
_MARKER = re.compile(r"@@([A-Z_]+)@@")


def write_viewer(G: nx.Graph, path: Path, *, seed: int = 42) -> None:
    """Write ``G`` as an interactive HTML page that works from disk with no network.

    Parameters
    ----------
    G:
        The co-occurrence graph from ``build_graph`` (node attributes ``label``, ``type``,
        ``aliases``, ``mentions``, ...; edge attributes ``weight``, ``documents``,
        ``evidence``; graph attributes ``documents`` and ``window``).
    path:
        The ``.html`` file to write; it is replaced atomically. Its folder is created.
    seed:
        Seed of the layout: the same graph and seed give byte-identical pages.

    Raises
    ------
    OutputError
        If the file cannot be written.
    GraphError
        If pyvis's copy of vis-network cannot be read.
    """
    path = Path(path)
    html = render_viewer(G, seed=seed)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, "wb") as stream:
            stream.write(html.encode("utf-8"))
    except OSError as err:
        raise OutputError(f"cannot write the viewer to {path}: {err}") from err
    logger.info("Wrote viewer with %d nodes and %d edges to %s",
                G.number_of_nodes(), G.number_of_edges(), path)


def render_viewer(G: nx.Graph, *, seed: int = 42) -> str:
    """Return the viewer page for ``G`` as a string (see write_viewer)."""
    vis_js = _vis_bundle()
    app_js = APP_SCRIPT.read_text(encoding="utf-8")
    values = {
        "CSP": _content_security_policy(vis_js, app_js),
        "DATA": _script_json(viewer_data(G, seed=seed)),
        "VIS_JS": vis_js,
        "APP_JS": app_js,
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    return _MARKER.sub(lambda m: values[m.group(1)], template)


def viewer_data(G: nx.Graph, *, seed: int = 42) -> dict[str, Any]:
    """The JSON-ready data the page reads: nodes with positions, edges, documents, legend."""
    node_ids = sorted(G.nodes, key=str)
    pos = layout_positions(G, seed=seed)
    max_mentions = max((int(G.nodes[n].get("mentions", 1)) for n in node_ids), default=1)
    nodes = [_node_record(n, G.nodes[n], pos[n], max_mentions) for n in node_ids]
    pairs = _sorted_edges(G)
    max_weight = max((int(G.edges[u, v].get("weight", 1)) for u, v in pairs), default=1)
    edges = [_edge_record(i, u, v, G.edges[u, v], max_weight) for i, (u, v) in enumerate(pairs)]
    documents = G.graph.get("documents") or {}
    counts = Counter(node["type"] for node in nodes)
    return {
        "window": G.graph.get("window"),
        "types": [{"type": t, "color": _color(t), "count": counts[t]} for t in _type_order(counts)],
        "documents": {str(d): _document_record(documents[d]) for d in sorted(documents, key=str)},
        "nodes": nodes,
        "edges": edges,
    }


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
        coords = _chunked_spring_layout(n, edges.reshape(-1, 2), seed=seed)
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
    """Fruchterman-Reingold in O(n) memory: repulsion in row chunks, attraction per edge."""
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    k = 1.0 / math.sqrt(n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    chunk = max(1, 2_000_000 // n)
    src, dst = edges[:, 0], edges[:, 1]
    for _ in range(iterations):
        disp = np.empty_like(pos)
        for start in range(0, n, chunk):
            rows = slice(start, start + chunk)
            dx = pos[rows, 0, None] - pos[None, :, 0]
            dy = pos[rows, 1, None] - pos[None, :, 1]
            push = (k * k) / np.maximum(dx * dx + dy * dy, 1e-4)
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


def _node_record(node: Any, attrs: dict[str, Any], xy: tuple[float, float],
                 max_mentions: int) -> dict[str, Any]:
    mentions = int(attrs.get("mentions", 1))
    aliases = attrs.get("aliases") or ""
    return {
        "id": str(node),
        "label": str(attrs.get("label") or node),
        "type": str(attrs.get("type") or "OTHER"),
        "aliases": [a for a in str(aliases).split(" | ") if a],
        "mentions": mentions,
        "documents": int(attrs.get("documents", 0)),
        "first_date": attrs.get("first_date"),
        "last_date": attrs.get("last_date"),
        "doc_ids": [str(d) for d in attrs.get("doc_ids", ())],
        "x": xy[0],
        "y": xy[1],
        "size": round(8 + 32 * math.sqrt(max(mentions, 0) / max(max_mentions, 1)), 1),
    }


def _sorted_edges(G: nx.Graph) -> list[tuple[Any, Any]]:
    """Every edge once, ends ordered by id, edges sorted: the same list for the same graph."""
    pairs = ((u, v) if str(u) <= str(v) else (v, u) for u, v in G.edges)
    return sorted(pairs, key=lambda p: (str(p[0]), str(p[1])))


def _edge_record(index: int, u: Any, v: Any, attrs: dict[str, Any],
                 max_weight: int) -> dict[str, Any]:
    weight = int(attrs.get("weight", 1))
    return {
        "id": f"e{index}",
        "from": str(u),
        "to": str(v),
        "weight": weight,
        "documents": int(attrs.get("documents", 0)),
        "evidence": [
            {"doc": str(e.doc), "title": e.title, "date": e.date, "text": e.text}
            for e in attrs.get("evidence", ())
        ],
        "width": round(1 + 7 * math.sqrt(max(weight, 0) / max(max_weight, 1)), 1),
    }


def _document_record(info: Any) -> dict[str, str | None]:
    return {"title": info.title, "date": info.date, "source": info.source, "url": info.url}


def _type_order(types: Iterable[str]) -> list[str]:
    """Known types in palette order, then any others alphabetically."""
    present = set(types)
    known = [t for t in TYPE_COLORS if t in present]
    return known + sorted(present - set(TYPE_COLORS))


def _color(entity_type: str) -> str:
    return TYPE_COLORS.get(entity_type, OTHER_COLOR)


def _script_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>``, ``&``, U+2028 or U+2029."""
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


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
