"""Write the graph and the run's records to files: GraphML, GEXF, CSV tables, node-link
JSON, mentions.csv and report.json.

Every writer goes through :func:`atomic_write`, so an interrupted run leaves either the old
file or the new one, never a truncated mix.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import json
import logging
import math
import numbers
import os
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path, PurePath
from typing import IO, Any

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from .types import Mention, Merge, RunReport

logger = logging.getLogger(__name__)

MentionRow = tuple[Mention, str]
"""A mention and the id of the entity it was resolved to."""

MENTION_COLUMNS = ("doc", "start", "end", "text", "type", "entity", "sentence")
"""Header of mentions.csv, in order."""

Scalar = str | int | float | bool
"""The value types GraphML can carry."""

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone
surrogates, U+FFFE and U+FFFF)."""

_NOT_NAME_CHAR = re.compile(
    "[^-.0-9:A-Z_a-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d"
    "\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd]"
)
"""A character outside XML NameChar (limited to the BMP, as XSD validators apply it):
such characters may not appear in an ``xs:NMTOKEN`` (GraphML node ids, key ids, names)."""

_RESERVED_GRAPH_KEYS = frozenset({"id", "node_default", "edge_default"})
"""Graph attributes networkx's GraphML writer treats specially rather than as data."""

_TEMP_NAME = re.compile(r"(\..+\.)[0-9a-f]{8}\.tmp")
"""Name of an atomic_write temporary file: ``.<name>.<8 hex digits>.tmp``."""


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` and move it onto ``path`` when the block ends.

    If the block raises (or is interrupted), the temporary file is removed and ``path`` keeps
    its previous content. The temporary file is created with ``open(..., "x")``, so the
    result gets the usual permissions (0o666 minus the umask).

    Parameters
    ----------
    path:
        The file to write.
    mode:
        ``"w"`` for text or ``"wb"`` for bytes.
    encoding, newline:
        Passed to :func:`open` in text mode (``encoding`` is ignored in binary mode).

    Raises
    ------
    ValueError
        If ``mode`` is neither ``"w"`` nor ``"wb"``.
    OSError
        If the folder does not exist or cannot be written.

    Example
    -------
    >>> with atomic_write(tmp / "out.txt") as f:  # doctest: +SKIP
    ...     f.write("hello\\n")
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    binary = mode == "wb"
    try:
        with open(
            tmp,
            "xb" if binary else "x",
            encoding=None if binary else encoding,
            newline=None if binary else newline,
        ) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    logger.debug("Wrote %s", target)


def write_graphml(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write ``G`` as GraphML 1.0 that validates against the schema and opens in Gephi.

    Only scalar attributes (str, int, float, bool) are written; others (``doc_ids``,
    ``evidence``, the ``documents`` dict of the graph) are dropped. Characters XML cannot
    carry are removed from strings. Key ids are the attribute names (Gephi reads ``label``
    and ``weight``); when a node and an edge attribute share a name, the later one's id is
    prefixed with its scope (``edge.documents``), keeping ``attr.name`` as is. Node ids that
    are not XML name tokens have each offending character written as ``_xHHHH_``. The same
    graph always gives the same bytes.

    Parameters
    ----------
    G:
        A simple graph (Graph or DiGraph) with string node ids.
    path:
        The file to write, e.g. ``output/graph.graphml``.

    Raises
    ------
    ValueError
        If ``G`` is a multigraph.
    OSError
        If the file cannot be written.
    """
    H = _clean_graph(G)
    writer = _GraphMLWriter(graph=H, encoding="utf-8", prettyprint=True, named_key_ids=True)
    with atomic_write(path, "wb") as stream:
        writer.dump(_EscapeCarriageReturns(stream))


def _clean_graph(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` that GraphML can carry: scalar attributes, one type per attribute,
    XML-safe strings, name-token node ids, nodes and edges in sorted order.

    Raises
    ------
    ValueError
        If ``G`` is a multigraph (GraphML edge ids would clash).
    """
    if G.is_multigraph():
        raise ValueError("write_graphml takes a Graph or DiGraph, not a multigraph")
    ids = _node_ids(G.nodes)
    H: nx.Graph = nx.DiGraph() if G.is_directed() else nx.Graph()
    H.graph.update(_unify([_scalars(G.graph, skip=_RESERVED_GRAPH_KEYS)], "graph")[0])
    nodes = sorted(G.nodes(data=True), key=lambda item: ids[item[0]])
    node_attrs = _unify([_scalars(data) for _, data in nodes], "node")
    H.add_nodes_from((ids[node], attrs) for (node, _), attrs in zip(nodes, node_attrs, strict=True))
    edges = []
    for u, v, data in G.edges(data=True):
        source, target = ids[u], ids[v]
        if not G.is_directed() and target < source:
            source, target = target, source
        edges.append((source, target, data))
    edges.sort(key=lambda edge: edge[:2])
    edge_attrs = _unify([_scalars(data) for *_, data in edges], "edge")
    H.add_edges_from((s, t, attrs) for (s, t, _), attrs in zip(edges, edge_attrs, strict=True))
    return H


def _xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (see ``_XML_ILLEGAL``)."""
    return _XML_ILLEGAL.sub("", value)


def write_mentions_csv(rows: Iterable[MentionRow], path: str | os.PathLike[str]) -> None:
    """Write one CSV row per mention with the columns of ``MENTION_COLUMNS``.

    Parameters
    ----------
    rows:
        ``(mention, entity_id)`` pairs, written in the order given.
    path:
        The file to write, e.g. ``output/mentions.csv`` (UTF-8, RFC 4180 quoting). Text
        that a spreadsheet would run as a formula gets a leading ``'`` (see ``_cell``).
    """
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(MENTION_COLUMNS)
        for mention, entity in rows:
            writer.writerow(
                _cell(value)
                for value in (
                    mention.doc,
                    mention.start,
                    mention.end,
                    mention.text,
                    mention.type,
                    entity,
                    mention.sentence,
                )
            )


MERGE_COLUMNS = ("entity", "name", "rule", "mentions", "documents", "detail")
"""Header of merges.csv, in order."""


def write_merges_csv(merges: Iterable[Merge], path: str | os.PathLike[str]) -> None:
    """Write merges.csv: one row per name joined to an entity, with the rule and evidence.

    ``documents`` lists the first few documents where it happened, joined with ``;``.
    """
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(MERGE_COLUMNS)
        for m in merges:
            writer.writerow([m.entity, m.name, m.rule, m.mentions, ";".join(m.documents),
                             m.detail])


def write_report(report: RunReport, path: str | os.PathLike[str]) -> None:
    """Write ``report`` as indented UTF-8 JSON (fields in declaration order).

    Paths become strings and sets sorted lists; other values must already be JSON-ready.

    Raises
    ------
    TypeError
        If a value cannot be written as JSON.
    """
    text = json.dumps(
        dataclasses.asdict(report), indent=2, ensure_ascii=False, default=_json_default
    )
    with atomic_write(path, "w", encoding="utf-8") as stream:
        stream.write(text + "\n")


def _json_default(value: object) -> object:
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"cannot write {type(value).__name__} to JSON: {value!r}")


GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"
"""GEXF 1.2 (the version Gephi, Gephi Lite and sigma.js read), as networkx names it."""

GEXF_VIZ_NAMESPACE = "http://www.gexf.net/1.2draft/viz"
"""The namespace of GEXF's visual attributes (position, colour, size)."""

NODE_SIZE = (8.0, 40.0)
"""Smallest and largest node size in GEXF ``viz:size``: the square root of mentions scaled
into this range, as in the explorer."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet cell starting with one of these could run as a formula: it gets a leading
apostrophe in nodes.csv, edges.csv and mentions.csv."""

_GEXF_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}
_INT32 = range(-(2**31), 2**31)
_SURROGATE = re.compile("[\ud800-\udfff]")


def write_gexf(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    seed: int = 42,
    positions: dict[Hashable, tuple[float, float]] | None = None,
) -> None:
    """Write ``G`` as GEXF 1.2 for Gephi: attributes, weights, and position, colour, size.

    Node ids are the graph's own (minus characters XML cannot carry), as in the CSV and JSON
    files; ``label`` and ``weight`` become GEXF's own
    label and edge weight; every other attribute is declared with its type (integer,
    double, boolean, string). Lists of names are joined with `` | ``; other lists, dicts and
    records (edge ``evidence``) are written as JSON text. ``viz:position`` is the explorer's
    layout (``graph.viewer.layout_positions``, y pointing up as in Gephi), ``viz:color`` the
    type's colour and ``viz:size`` grows with the square root of mentions. The same graph
    and seed always give the same bytes (no date is written).

    Parameters
    ----------
    G:
        An undirected or directed simple graph, as ``build_graph`` returns.
    path:
        The file to write, e.g. ``output/graph.gexf``.
    seed:
        Seed of the layout, when ``positions`` is not given.
    positions:
        Node positions to write instead of computing the layout.

    Raises
    ------
    ValueError
        If ``G`` is a multigraph.
    OSError
        If the file cannot be written.
    """
    from .viewer import OTHER_COLOR, TYPE_COLORS, export_positions

    if G.is_multigraph():
        raise ValueError("write_gexf takes a Graph or DiGraph, not a multigraph")
    if positions is None:
        positions = export_positions(G, seed=seed)
    ids = _node_ids(G.nodes, escape=_xml_text)
    nodes = sorted(G.nodes, key=lambda n: ids[n])
    edges = _edge_list(G, ids)
    node_attrs = _unify([_flat(G.nodes[n], skip=frozenset({"label"})) for n in nodes], "node")
    edge_attrs = _unify([_flat(d, skip=frozenset({"weight"})) for *_, d in edges], "edge")
    most = max((_count(G.nodes[n].get("mentions")) for n in nodes), default=1) or 1

    root = ET.Element("gexf", {
        "xmlns": GEXF_NAMESPACE, "xmlns:viz": GEXF_VIZ_NAMESPACE, "version": "1.2",
    })
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "entity-graph"
    window = G.graph.get("window")
    description = "Entities mentioned together" + (
        f" (in the same {window})" if isinstance(window, str) else ""
    )
    ET.SubElement(meta, "description").text = _xml_text(description)
    kind = "directed" if G.is_directed() else "undirected"
    graph = ET.SubElement(root, "graph", {"defaultedgetype": kind, "mode": "static"})
    _gexf_attributes(graph, "node", node_attrs)
    _gexf_attributes(graph, "edge", edge_attrs)
    xml_nodes = ET.SubElement(graph, "nodes")
    for node, attrs in zip(nodes, node_attrs, strict=True):
        data = G.nodes[node]
        label = _xml_text(str(data.get("label", node)))
        element = ET.SubElement(xml_nodes, "node", {"id": ids[node], "label": label})
        _gexf_values(element, attrs)
        color = TYPE_COLORS.get(str(data.get("type")), OTHER_COLOR).lstrip("#")
        r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
        ET.SubElement(element, "viz:color", {"r": str(r), "g": str(g), "b": str(b)})
        x, y = positions.get(node, (0.0, 0.0))
        ET.SubElement(element, "viz:position", {
            "x": _number(float(x)), "y": _number(-float(y)), "z": "0.0",
        })
        low, high = NODE_SIZE
        size = low + (high - low) * math.sqrt(_count(data.get("mentions")) / most)
        ET.SubElement(element, "viz:size", {"value": _number(round(size, 2))})
    xml_edges = ET.SubElement(graph, "edges")
    for index, ((source, target, data), attrs) in enumerate(zip(edges, edge_attrs, strict=True)):
        element = ET.SubElement(xml_edges, "edge", {
            "id": str(index), "source": source, "target": target,
            "weight": _number(_weight(data)),
        })
        _gexf_values(element, attrs)
    ET.indent(root)
    with atomic_write(path, "wb") as stream:
        ET.ElementTree(root).write(stream, encoding="utf-8", xml_declaration=True)
        stream.write(b"\n")


def _gexf_attributes(graph: ET.Element, scope: str, records: list[dict[str, Scalar]]) -> None:
    """Declare the attributes of ``scope`` (``node`` or ``edge``), one type each."""
    types: dict[str, str] = {}
    for record in records:
        for name, value in record.items():
            kind = _GEXF_TYPES[type(value)]
            if kind == "integer" and value not in _INT32:
                kind = "long"
            if types.get(name) != "long":
                types[name] = kind
    if not types:
        return
    element = ET.SubElement(graph, "attributes", {"class": scope, "mode": "static"})
    for name in sorted(types):
        ET.SubElement(element, "attribute", {"id": name, "title": name, "type": types[name]})


def _gexf_values(element: ET.Element, attrs: dict[str, Scalar]) -> None:
    if not attrs:
        return
    values = ET.SubElement(element, "attvalues")
    for name, value in sorted(attrs.items()):
        if isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = _number(value) if isinstance(value, float) else str(value)
        ET.SubElement(values, "attvalue", {"for": name, "value": text})


def write_nodes_csv(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write one row per node for spreadsheets and Gephi's spreadsheet import.

    Columns: ``Id``, ``Label``, ``Type``, then every other node attribute by name (lists of
    names joined with `` | ``, records as JSON). A cell starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return gets a leading ``'`` so that no spreadsheet runs it as a
    formula. Rows are sorted by id.
    """
    nodes = sorted(G.nodes, key=str)
    records = [_flat(G.nodes[n], skip=frozenset({"label", "type"})) for n in nodes]
    names = sorted({name for record in records for name in record})
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Id", "Label", "Type", *names])
        for node, record in zip(nodes, records, strict=True):
            data = G.nodes[node]
            row = [node, data.get("label", node), data.get("type", ""),
                   *(record.get(name, "") for name in names)]
            writer.writerow([_cell(value) for value in row])


def write_edges_csv(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write one row per edge for spreadsheets and Gephi's spreadsheet import.

    Columns: ``Source``, ``Target``, ``Weight``, ``Type`` (``Undirected`` or ``Directed``),
    then every other edge attribute by name (``evidence`` as JSON). Cells are neutralised as
    in :func:`write_nodes_csv`. Rows are sorted by source and target.
    """
    kind = "Directed" if G.is_directed() else "Undirected"
    edges = _edge_list(G, {n: str(n) for n in G.nodes})
    records = [_flat(data, skip=frozenset({"weight"})) for *_, data in edges]
    names = sorted({name for record in records for name in record} - {"Type"})
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Source", "Target", "Weight", "Type", *names])
        for (source, target, data), record in zip(edges, records, strict=True):
            row = [source, target, _weight(data), kind, *(record.get(n, "") for n in names)]
            writer.writerow([_cell(value) for value in row])


def write_json(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """Write ``G`` as node-link JSON (``networkx.node_link_graph(data, edges="edges")``
    reads it back): ``{"directed", "multigraph", "graph", "nodes": [{"id", ...}],
    "edges": [{"source", "target", ...}]}``.

    Tuples become lists, records (evidence, document info) objects, so ``doc_ids`` is a list
    of strings and ``evidence`` a list of ``{doc, title, date, text}``; nodes are sorted by
    id, edges by their ends, keys by name, so the same graph gives the same bytes. Lone
    surrogates (which UTF-8 cannot carry) become U+FFFD.
    """
    edges = _edge_list(G, {n: n for n in G.nodes})
    data = {
        "directed": G.is_directed(),
        "multigraph": G.is_multigraph(),
        "graph": dict(G.graph),
        "nodes": [{**G.nodes[n], "id": n} for n in sorted(G.nodes, key=str)],
        "edges": [{**d, "source": u, "target": v} for u, v, d in edges],
    }
    text = json.dumps(_json_ready(data), ensure_ascii=False, sort_keys=True, indent=1,
                      allow_nan=False)
    with atomic_write(path, "w", encoding="utf-8") as stream:
        stream.write(text + "\n")


def _edge_list(G: nx.Graph, ids: dict[Any, Any]) -> list[tuple[Any, Any, dict[Any, Any]]]:
    """Edges as ``(source, target, data)`` with ids from ``ids``, undirected ends ordered,
    sorted by ends: the same list for the same graph."""
    edges = []
    for u, v, data in G.edges(data=True):
        source, target = ids[u], ids[v]
        if not G.is_directed() and str(target) < str(source):
            source, target = target, source
        edges.append((source, target, data))
    edges.sort(key=lambda edge: (str(edge[0]), str(edge[1])))
    return edges


def _flat(data: dict[Any, Any], skip: frozenset[str] = frozenset()) -> dict[str, Scalar]:
    """``data`` with every value a scalar: lists of names joined with `` | ``, other lists,
    dicts and records as JSON text; None and ``skip`` keys dropped."""
    flat: dict[Any, Any] = {}
    for key, value in data.items():
        if str(key) in skip or value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)) and all(
            isinstance(item, (str, int, float)) for item in value
        ):
            items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
            flat[key] = " | ".join(str(item) for item in items)
        elif not isinstance(value, (str, numbers.Number)):
            flat[key] = json.dumps(_json_ready(value), ensure_ascii=False, sort_keys=True)
        else:
            flat[key] = value
    return _scalars(flat)


def _json_ready(value: Any) -> Any:
    """``value`` as JSON-ready data: records as dicts, tuples and sets as lists, non-string
    keys as strings, lone surrogates as U+FFFD."""
    kind = type(value)
    if kind is str:  # the common cases first: this runs for every value of every export
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if kind is int or value is None or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [_json_ready(v) for v in value]
    if kind is dict:
        return {_json_ready(k if type(k) is str else str(k)): _json_ready(v)
                for k, v in value.items()}
    names = _record_fields(kind)  # type: ignore[arg-type]
    if names is not None:
        return {name: _json_ready(getattr(value, name)) for name in names}
    if isinstance(value, str):
        return _json_ready(str(value))
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return _json_ready(dict(value))
    if isinstance(value, (set, frozenset)):
        return [_json_ready(v) for v in sorted(value, key=repr)]
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, PurePath):
        return _json_ready(str(value))
    return _json_ready(str(value))


@functools.cache
def _record_fields(kind: Any) -> tuple[str, ...] | None:
    """Field names of a dataclass type (records become dicts), or None."""
    if dataclasses.is_dataclass(kind):
        return tuple(field.name for field in dataclasses.fields(kind))
    return None


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a ``'``."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    value = _xml_text(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _weight(data: dict[Any, Any]) -> int | float:
    weight = data.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
        return 1
    return int(weight) if isinstance(weight, numbers.Integral) else float(weight)


def _count(value: object) -> int:
    """A non-negative count from an attribute value (0 when it is not a number)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return 0
    number = float(value)
    return max(int(number), 0) if math.isfinite(number) else 0


def _number(value: float | int) -> str:
    """A number as XML Schema reads it: ``repr`` of floats (``1.5``, ``-0.0`` as ``0.0``),
    ``INF``/``NaN`` spelled as XSD spells them."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return repr(value + 0.0)
    return str(value)


def remove_stale_temp_files(folder: str | os.PathLike[str], names: Iterable[str]) -> list[Path]:
    """Remove temporary files that :func:`atomic_write` left in ``folder`` for ``names``
    when its process was killed (``.graph.html.1f2e3d4c.tmp``); return the ones removed.

    Only names of that exact pattern are touched. A run writing into the same folder at the
    same moment would lose its temporary file, so do this before writing, not during.
    """
    wanted = {f".{name}." for name in names}
    removed = []
    for path in Path(folder).iterdir():
        match = _TEMP_NAME.fullmatch(path.name)
        if match and match.group(1) in wanted and path.is_file():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    if removed:
        logger.info("Removed %d temporary file(s) left by an interrupted run", len(removed))
    return sorted(removed)


def _nmtoken(value: str) -> str:
    """``value`` as an XML name token: illegal characters dropped, other non-name
    characters written as ``_xHHHH_``."""
    return _NOT_NAME_CHAR.sub(lambda m: f"_x{ord(m.group()):04X}_", _xml_text(value))


def _node_ids(
    nodes: Iterable[Hashable], escape: Callable[[str], str] = _nmtoken
) -> dict[Hashable, str]:
    """GraphML id per node: the node's own id when it is a name token, else an escaped one
    made unique with a ``_2``, ``_3``... suffix. Unchanged ids are claimed first.
    (With ``escape=_xml_text``: the node's own id minus characters XML cannot carry.)"""
    ids: dict[Hashable, str] = {}
    escaped: list[tuple[str, Hashable]] = []
    for node in nodes:
        text = str(node)
        if text and escape(text) == text:
            ids[node] = text
        else:
            escaped.append((escape(text) or "_", node))
    used = set(ids.values())
    for base, node in sorted(escaped, key=lambda item: (item[0], str(item[1]))):
        new, n = base, 1
        while new in used:
            n += 1
            new = f"{base}_{n}"
        used.add(new)
        ids[node] = new
    if escaped:
        logger.warning("%d node id(s) were not XML-safe and were escaped", len(escaped))
    return ids


def _scalars(data: dict[Any, Any], skip: frozenset[str] = frozenset()) -> dict[str, Scalar]:
    """The GraphML-able attributes of ``data``, sorted by name, strings made XML-safe."""
    kept: dict[str, Scalar] = {}
    for key in sorted(data, key=str):
        name = _nmtoken(str(key))
        if not name or name in skip:
            continue
        value = data[key]
        if isinstance(value, str):
            kept[name] = _xml_text(value)
        elif isinstance(value, bool):
            kept[name] = value
        elif isinstance(value, numbers.Integral):
            kept[name] = int(value)
        elif isinstance(value, numbers.Real):
            kept[name] = float(value)
    return kept


def _unify(records: list[dict[str, Scalar]], scope: str) -> list[dict[str, Scalar]]:
    """Give each attribute one type across ``records`` (GraphML declares one per key):
    int mixed with float becomes float, any other mix becomes str."""
    types: dict[str, set[type]] = {}
    for record in records:
        for name, value in record.items():
            types.setdefault(name, set()).add(type(value))
    target: dict[str, type] = {}
    for name, seen in types.items():
        if len(seen) > 1:
            target[name] = float if seen == {int, float} else str
            logger.warning(
                "%s attribute %r has values of types %s; writing them as %s",
                scope,
                name,
                ", ".join(sorted(t.__name__ for t in seen)),
                target[name].__name__,
            )
    if not target:
        return records
    return [
        {name: target[name](value) if name in target else value for name, value in rec.items()}
        for rec in records
    ]


class _GraphMLWriter(GraphMLWriter):
    """networkx's pure-Python GraphML writer with key ids that stay unique.

    With ``named_key_ids`` networkx uses the attribute name as the key id even when a node
    and an edge attribute share a name, and the schema forbids duplicate key ids. Here the
    first key of a name keeps it; a later one gets ``<scope>.<name>``. Using this writer
    rather than ``nx.write_graphml`` (which switches to lxml when it is installed) also
    keeps the bytes the same on every machine.
    """

    def get_key(self, name: str, attr_type: str, scope: str, default: Any) -> str:
        """The id of the key for ``(name, attr_type, scope)``, declaring it on first use."""
        keys_key = (name, attr_type, scope)
        if keys_key in self.keys:
            return str(self.keys[keys_key])
        used = set(self.keys.values())
        new_id = name if name not in used else f"{scope}.{name}"
        n = 1
        while new_id in used:
            n += 1
            new_id = f"{scope}.{name}.{n}"
        self.keys[keys_key] = new_id
        key_element = self.myElement(
            "key", id=new_id, **{"for": scope, "attr.name": name, "attr.type": attr_type}
        )
        if default is not None:
            default_element = self.myElement("default")
            default_element.text = str(default)
            key_element.append(default_element)
        self.xml.insert(0, key_element)
        return new_id


class _EscapeCarriageReturns:
    """A binary stream that writes ``\\r`` as ``&#13;``: XML parsers turn a raw carriage
    return in text into ``\\n``, a character reference they keep. (ElementTree already
    escapes it inside attributes, and ``\\r`` is one byte in UTF-8, so chunks are safe.)"""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def write(self, data: bytes) -> int:
        self._raw.write(data.replace(b"\r", b"&#13;"))
        return len(data)
