"""GraphML and GEXF documents as a stream of text, element by element.

:func:`graph.export.write_graphml` and :func:`graph.export.write_gexf` write these chunks
straight to the file: no element tree is built, so a large graph costs one pass over its
:class:`~graph.records.ExportTable`. The text is what ElementTree writes for the same
document (two-space indentation, ``" />"`` closing empty elements, attributes in the order
given), with ``\\r`` in character data written as ``&#13;`` (a parser would read a raw
carriage return as a line feed).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

from .records import (
    LISTS_AS_TEXT,
    ExportTable,
    Scalar,
    edge_weight,
    flat_record,
    node_ids,
    scalar_record,
    scalars,
    unify,
    xml_text,
)

XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"

GRAPHML_NAMESPACE = "http://graphml.graphdrawing.org/xmlns"
_GRAPHML_ROOT = (
    f'<graphml xmlns="{GRAPHML_NAMESPACE}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{GRAPHML_NAMESPACE} {GRAPHML_NAMESPACE}/1.0/graphml.xsd">\n'
)
_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_RESERVED_GRAPH_KEYS = frozenset({"id", "node_default", "edge_default"})
"""Graph attributes networkx's GraphML reader and writer treat specially, not as data."""

GEXF_NAMESPACE = "http://www.gexf.net/1.2draft"
"""GEXF 1.2 (the version Gephi, Gephi Lite and sigma.js read), as networkx names it."""

GEXF_VIZ_NAMESPACE = "http://www.gexf.net/1.2draft/viz"
"""The namespace of GEXF's visual attributes (position, colour, size)."""

NODE_SIZE = (8.0, 40.0)
"""Smallest and largest node size in GEXF ``viz:size``: the square root of mentions scaled
into this range, as in the explorer."""

_GEXF_TYPES = {bool: "boolean", int: "integer", float: "double", str: "string"}
_INT32 = range(-(2**31), 2**31)
_NO_LABEL = frozenset({"label"})
_NO_WEIGHT = frozenset({"weight"})


_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#09;"))


def text(value: str) -> str:
    """Character data: ``&``, ``<``, ``>`` and ``\\r`` escaped."""
    return _escape(value, _TEXT_ESCAPES)


def attribute(value: str) -> str:
    """An attribute value: as :func:`text`, plus ``"``, and tab and line feed as character
    references (a parser would turn them into spaces)."""
    return _escape(_escape(value, _TEXT_ESCAPES), _ATTRIBUTE_ESCAPES)


def _escape(value: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for char, reference in escapes:
        if char in value:  # most strings hold none: skip the copy
            value = value.replace(char, reference)
    return value


def graphml_chunks(table: ExportTable) -> Iterator[str]:
    """The GraphML document of ``table``'s graph (see :func:`graph.export.write_graphml`),
    a few elements per chunk."""
    G = table.graph
    ids = node_ids(table.node_data)  # name tokens: no character to escape in them
    nodes, edges = table.renamed(ids)
    scopes = {
        "graph": unify([scalars(G.graph, skip=_RESERVED_GRAPH_KEYS)], "graph"),
        "node": unify([scalar_record(table.node_fields[node], LISTS_AS_TEXT)
                       for node in nodes], "node"),
        "edge": unify([scalar_record(table.edge_fields[i], LISTS_AS_TEXT)
                       for *_, i in edges], "edge"),
    }
    keys = _graphml_keys(scopes)
    yield XML_DECLARATION + _GRAPHML_ROOT + "".join(
        f'  <key id="{attribute(key)}" for="{scope}" attr.name="{attribute(name)}" '
        f'attr.type="{kind}" />\n'
        for (scope, name), (key, kind) in reversed(keys.items())  # as networkx orders them
    )
    [graph_attrs], node_attrs, edge_attrs = (records for records, _ in scopes.values())
    default = "directed" if G.is_directed() else "undirected"
    if not (nodes or edges or graph_attrs):
        yield f'  <graph edgedefault="{default}" />\n</graphml>\n'
        return
    yield f'  <graph edgedefault="{default}">\n'
    starts = {scope_name: f'<data key="{attribute(key)}"' for scope_name, (key, _) in keys.items()}
    yield from _joined(
        _graphml_element("node", f'id="{ids[node]}"', attrs, starts)
        for node, attrs in zip(nodes, node_attrs, strict=True)
    )
    yield from _joined(
        _graphml_element("edge", f'source="{source}" target="{target}"', attrs, starts)
        for (source, target, _), attrs in zip(edges, edge_attrs, strict=True)
    )
    yield _graphml_data("    ", "graph", graph_attrs, starts) + "  </graph>\n</graphml>\n"


def _graphml_keys(
    scopes: dict[str, tuple[list[dict[str, Scalar]], dict[str, type]]],
) -> dict[tuple[str, str], tuple[str, str]]:
    """``(key id, attr.type)`` per ``(scope, name)``, in order of first use.

    A key id is the attribute name (Gephi reads ``label`` and ``weight``), unless an earlier
    key took it: then ``<scope>.<name>`` (``edge.documents``), with ``.2``, ``.3``... if
    that is taken too. The schema forbids duplicate key ids.
    """
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    used: set[str] = set()
    for scope, (records, types) in scopes.items():
        for name in dict.fromkeys(itertools.chain.from_iterable(records)):
            key, n = (name if name not in used else f"{scope}.{name}"), 1
            while key in used:
                n += 1
                key = f"{scope}.{name}.{n}"
            used.add(key)
            keys[scope, name] = (key, _GRAPHML_TYPES[types[name]])
    return keys


def _graphml_element(
    tag: str, ids: str, attrs: dict[str, Scalar], starts: dict[tuple[str, str], str]
) -> str:
    """A ``<node>`` or ``<edge>`` (``tag``, also the scope of its keys) with its data."""
    if not attrs:
        return f"    <{tag} {ids} />\n"
    return f"    <{tag} {ids}>\n{_graphml_data('      ', tag, attrs, starts)}    </{tag}>\n"


def _graphml_data(
    indent: str, scope: str, attrs: dict[str, Scalar], starts: dict[tuple[str, str], str]
) -> str:
    """One ``<data>`` line per attribute; values as ``str()`` writes them."""
    lines = []
    for name, value in attrs.items():
        content = text(value) if type(value) is str else str(value)
        start = starts[scope, name]
        lines.append(f"{indent}{start}>{content}</data>\n" if content else
                     f"{indent}{start} />\n")
    return "".join(lines)


def gexf_chunks(
    table: ExportTable,
    positions: dict[Hashable, tuple[float, float]],
    colors: dict[str, str],
    other_color: str,
) -> Iterator[str]:
    """The GEXF document of ``table``'s graph (see :func:`graph.export.write_gexf`), a few
    elements per chunk. ``colors`` maps entity types to ``#RRGGBB``, others get
    ``other_color``."""
    ids = node_ids(table.node_data, escape=xml_text)
    quoted = {node_id: attribute(node_id) for node_id in ids.values()}
    nodes, edges = table.renamed(ids)
    node_attrs, node_types = unify(
        [flat_record(table.node_fields[n], _NO_LABEL) for n in nodes], "node")
    edge_attrs, edge_types = unify(
        [flat_record(table.edge_fields[i], _NO_WEIGHT) for *_, i in edges], "edge")
    yield _gexf_head(table.graph) + _gexf_declarations("node", node_attrs, node_types) + (
        _gexf_declarations("edge", edge_attrs, edge_types))
    starts = {name: f'          <attvalue for="{attribute(name)}" value="'
              for name in {**node_types, **edge_types}}
    yield "    <nodes>\n" if nodes else "    <nodes />\n"
    data = table.node_data
    most = max((_count(data[n].get("mentions")) for n in nodes), default=1) or 1
    yield from _joined(
        _gexf_node(node, quoted[ids[node]], data[node], _gexf_values(attrs, starts),
                   colors.get(str(data[node].get("type")), other_color),
                   positions.get(node, (0.0, 0.0)), most)
        for node, attrs in zip(nodes, node_attrs, strict=True)
    )
    yield ("    </nodes>\n" if nodes else "") + ("    <edges>\n" if edges else "    <edges />\n")
    yield from _joined(
        _gexf_edge(index, quoted[source], quoted[target], table.edges[i][2],
                   _gexf_values(attrs, starts))
        for index, ((source, target, i), attrs) in enumerate(zip(edges, edge_attrs, strict=True))
    )
    yield ("    </edges>\n" if edges else "") + "  </graph>\n</gexf>\n"


def _gexf_head(G: Any) -> str:
    window = G.graph.get("window")
    description = "Entities mentioned together" + (
        f" (in the same {window})" if isinstance(window, str) else ""
    )
    kind = "directed" if G.is_directed() else "undirected"
    return (
        f'{XML_DECLARATION}<gexf xmlns="{GEXF_NAMESPACE}" xmlns:viz="{GEXF_VIZ_NAMESPACE}" '
        'version="1.2">\n'
        "  <meta>\n    <creator>entity-graph</creator>\n"
        f"    <description>{text(xml_text(description))}</description>\n  </meta>\n"
        f'  <graph defaultedgetype="{kind}" mode="static">\n'
    )


def _gexf_declarations(
    scope: str, records: list[dict[str, Scalar]], kinds: dict[str, type]
) -> str:
    """Declare the attributes of ``scope`` (``node`` or ``edge``) with the types ``unify``
    gave them; ``long`` for integers beyond 32 bits."""
    types = {name: _GEXF_TYPES[kind] for name, kind in kinds.items()}
    for name, kind in types.items():
        if kind == "integer" and any(
            record[name] not in _INT32 for record in records if name in record
        ):
            types[name] = "long"
    if not types:
        return ""
    return (
        f'    <attributes class="{scope}" mode="static">\n'
        + "".join(
            f'      <attribute id="{attribute(name)}" title="{attribute(name)}" '
            f'type="{types[name]}" />\n'
            for name in sorted(types)
        )
        + "    </attributes>\n"
    )


def _gexf_node(
    node: Hashable,
    quoted_id: str,
    data: dict[Any, Any],
    values: str,
    color: str,
    position: tuple[float, float],
    most: int,
) -> str:
    label = attribute(xml_text(str(data.get("label", node))))
    low, high = NODE_SIZE
    size = low + (high - low) * math.sqrt(_count(data.get("mentions")) / most)
    x, y = position
    return (
        f'      <node id="{quoted_id}" label="{label}">\n'
        + values
        + f"        <viz:color {_rgb(color)} />\n"
        f'        <viz:position x="{xsd_number(float(x))}" y="{xsd_number(-float(y))}" '
        'z="0.0" />\n'
        f'        <viz:size value="{xsd_number(round(size, 2))}" />\n'
        "      </node>\n"
    )


def _gexf_edge(index: int, source: str, target: str, data: dict[Any, Any], values: str) -> str:
    """An ``<edge>``; ``source`` and ``target`` already escaped."""
    start = (
        f'      <edge id="{index}" source="{source}" target="{target}" '
        f'weight="{xsd_number(edge_weight(data))}"'
    )
    if not values:
        return start + " />\n"
    return start + ">\n" + values + "      </edge>\n"


def _gexf_values(attrs: dict[str, Scalar], starts: dict[str, str]) -> str:
    """The ``<attvalues>`` of an element (empty without attributes); ``starts`` holds each
    name's ``<attvalue for="…" value="``."""
    if not attrs:
        return ""
    lines = ["        <attvalues>\n"]
    for name in sorted(attrs):
        value = attrs[name]
        if type(value) is str:
            content = attribute(value)
        elif isinstance(value, bool):
            content = "true" if value else "false"
        else:
            content = xsd_number(value) if isinstance(value, float) else str(value)
        lines.append(f"{starts[name]}{content}\" />\n")
    lines.append("        </attvalues>\n")
    return "".join(lines)


@functools.lru_cache(maxsize=64)
def _rgb(color: str) -> str:
    """``r="…" g="…" b="…"`` of a ``#RRGGBB`` colour."""
    r, g, b = (int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f'r="{r}" g="{g}" b="{b}"'


def _joined(pieces: Iterable[str], size: int = 500) -> Iterator[str]:
    """``pieces`` joined ``size`` at a time: chunks big enough to write efficiently, small
    enough to keep memory flat."""
    iterator = iter(pieces)
    while batch := list(itertools.islice(iterator, size)):
        yield "".join(batch)


def _count(value: object) -> int:
    """A non-negative count from an attribute value (0 when it is not a number)."""
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        return 0
    number = float(value)
    return max(int(number), 0) if math.isfinite(number) else 0


def xsd_number(value: float | int) -> str:
    """A number as XML Schema reads it: ``repr`` of floats (``1.5``, ``-0.0`` as ``0.0``),
    ``INF``/``NaN`` spelled as XSD spells them."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return repr(value + 0.0)
    return str(value)
