"""Node and edge attributes as the export formats carry them.

The writers in :mod:`graph.export` read a graph through an :class:`ExportTable`: its nodes and
edges in one deterministic order, each one's attributes flattened on first use (lists of
names joined with `` | ``, records as JSON text, strings made XML-safe). A run builds one
table and hands it to every writer, so the evidence of a large graph is encoded once rather
than once per format. Nothing here writes files.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import numbers
import re
from collections.abc import Callable, Hashable, Iterable
from itertools import repeat
from json.encoder import encode_basestring
from operator import attrgetter, itemgetter
from pathlib import PurePath
from typing import Any

import networkx as nx

from .types import Evidence

logger = logging.getLogger(__name__)

LISTS_AS_TEXT = frozenset({"doc_ids", "evidence"})
"""Attributes of the graph ``graph.build`` returns that hold lists as text, so that every
attribute is a scalar networkx can write: ``doc_ids`` joined with `` | `` (see
:func:`ids_text`), ``evidence`` as JSON (see :func:`evidence_text`). GraphML and the
Cytoscape.js elements of graph.json leave them out; the other formats carry them."""

ID_SEPARATOR = " | "
"""Joins the document ids of ``doc_ids``."""


def ids_text(ids: Iterable[str]) -> str:
    """Document ids as one ``doc_ids`` text: joined with `` | ``."""
    return ID_SEPARATOR.join(ids)


def split_ids(text: str, known: Iterable[str] | None = None) -> list[str]:
    """The document ids of a ``doc_ids`` text. With the ``known`` ids, an id that itself
    holds `` | `` is joined up again, and pieces that name no known document are left out.

    >>> split_ids("a.txt | b | c.txt", {"a.txt", "b | c.txt"})
    ['a.txt', 'b | c.txt']
    """
    if not text:
        return []
    pieces = text.split(ID_SEPARATOR)
    if known is None:
        return pieces
    known = known if isinstance(known, (set, frozenset, dict)) else set(known)
    ids, current = [], None
    for piece in pieces:
        current = piece if current is None else current + ID_SEPARATOR + piece
        if current in known:
            ids.append(current)
            current = None
    return ids


def read_doc_ids(value: str | Iterable[Any], known: Iterable[str] | None = None) -> list[str]:
    """The document ids of a ``doc_ids`` attribute: text (see :func:`split_ids`, with the
    ``known`` ids) or a sequence of ids."""
    if isinstance(value, str):
        return split_ids(value, known)
    return [str(doc) for doc in value]


def evidence_text(items: Iterable[Evidence]) -> str:
    """Evidence records as the JSON text of an ``evidence`` attribute: a list of
    ``{"date", "doc", "text", "title"}`` objects (keys sorted)."""
    return json_text(tuple(items))


class JSONText(str):
    """Text that is JSON already: :func:`json_text` writes it as it is (graph.json splices
    the evidence text ``graph.build`` holds instead of parsing and encoding it again)."""

    __slots__ = ()


def read_evidence(value: str | Iterable[Evidence]) -> tuple[Evidence, ...]:
    """The records of an ``evidence`` attribute: JSON text (as ``graph.build`` gives it) or
    records already."""
    if isinstance(value, str):
        return tuple(Evidence(item["doc"], item.get("title"), item.get("date"), item["text"])
                     for item in json.loads(value)) if value else ()
    return tuple(value)


Scalar = str | int | float | bool
"""The value types GraphML and GEXF can carry."""

Fields = tuple[tuple[str, str, Scalar, bool], ...]
"""An element's flattened attributes as ``(key as text, attribute name, value, scalar)`` in
key order, ``scalar`` telling whether the value was a scalar before flattening (GraphML
writes only those). See :func:`flat_record` and :func:`scalar_record`."""

Edge = tuple[Hashable, Hashable, dict[Any, Any]]
"""``(u, v, data)`` of one edge."""

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone
surrogates, U+FFFE and U+FFFF)."""

_NOT_NAME_CHAR = re.compile(
    "[^-.0-9:A-Z_a-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d"
    "\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd]"
)
"""A character outside XML NameChar (limited to the BMP, as XSD validators apply it):
such characters may not appear in an ``xs:NMTOKEN`` (GraphML node ids, key ids, names)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


class ExportTable:
    """A graph's nodes and edges in export order, with attributes flattened on first use.

    ``nodes`` are sorted by id (as text); ``edges`` are ``(u, v, data)`` with the ends of an
    undirected edge ordered, sorted by their ends. The same graph always gives the same
    table. The graph must not change while its table is in use.

    Example::

        table = ExportTable(G)
        write_gexf(G, "graph.gexf", table=table)
        write_edges_csv(G, "edges.csv", table=table)  # evidence not encoded again
    """

    def __init__(self, G: nx.Graph) -> None:
        self.graph = G

    @classmethod
    def of(cls, G: nx.Graph, table: ExportTable | None) -> ExportTable:
        """``table`` when given (it must be ``G``'s), else a new table of ``G``."""
        if table is None:
            return cls(G)
        if table.graph is not G:
            raise ValueError("this ExportTable was made for another graph")
        return table

    @functools.cached_property
    def node_data(self) -> dict[Hashable, dict[Any, Any]]:
        """Each node's attribute dict, in the graph's own node order."""
        return dict(self.graph.nodes(data=True))

    @functools.cached_property
    def nodes(self) -> list[Hashable]:
        """The nodes sorted by id as text."""
        return sorted(self.node_data, key=str)

    @functools.cached_property
    def edges(self) -> list[Edge]:
        """Every edge, undirected ends ordered by id as text, sorted by ends."""
        directed = self.graph.is_directed()
        if all(type(node) is str for node in self.node_data):  # ids that are their own text
            edges = [(u, v, d) if directed or u <= v else (v, u, d)
                     for u, v, d in self.graph.edges(data=True)]
            edges.sort(key=itemgetter(0, 1))
            return edges
        edges = []
        for u, v, data in self.graph.edges(data=True):
            if not directed and str(v) < str(u):
                u, v = v, u
            edges.append((u, v, data))
        edges.sort(key=lambda edge: (str(edge[0]), str(edge[1])))
        return edges

    @functools.cached_property
    def node_fields(self) -> dict[Hashable, Fields]:
        """Each node's flattened attributes (see :func:`flat_fields`)."""
        return {node: flat_fields(data) for node, data in self.node_data.items()}

    @functools.cached_property
    def edge_fields(self) -> list[Fields]:
        """Each edge's flattened attributes, in the order of ``edges``."""
        return [flat_fields(data) for *_, data in self.edges]

    @functools.cached_property
    def _ends(self) -> list[tuple[Any, Any, int]]:
        """``renamed``'s edges for string ids that all stayed as they are."""
        return [(u, v, i) for i, (u, v, _) in enumerate(self.edges)]

    def renamed(
        self, ids: dict[Hashable, str]
    ) -> tuple[list[Hashable], list[tuple[str, str, int]]]:
        """The order of a format that names nodes by ``ids``: nodes sorted by new id, and
        edges as ``(source id, target id, index into edges)``, undirected ends ordered by
        new id, sorted by ends. Reuses the table's order when no id changed."""
        edges = self.edges
        if all(ids[node] is node for node in self.nodes):  # string ids, all kept
            return self.nodes, self._ends
        directed = self.graph.is_directed()
        renamed = []
        for i, (u, v, _) in enumerate(edges):
            source, target = ids[u], ids[v]
            if not directed and target < source:
                source, target = target, source
            renamed.append((source, target, i))
        renamed.sort(key=itemgetter(0, 1))
        return sorted(self.nodes, key=ids.__getitem__), renamed


def flat_fields(data: dict[Any, Any]) -> Fields:
    """``data`` with every value a scalar: strings XML-safe, lists of names joined with
    `` | ``, other lists, dicts and records as JSON text (see :func:`json_text`); None
    values, values with no scalar form and names with no name-token form dropped."""
    fields = []
    for key, text, name in _key_plan(tuple(data)):
        value = data[key]
        scalar = _scalar(value)
        if scalar is not None:
            fields.append((text, name, scalar, True))
        elif value is not None:
            flat = _flat_text(value)
            if flat is not None:
                fields.append((text, name, flat, False))
    return tuple(fields)


def flat_record(fields: Fields, skip: frozenset[str] = frozenset()) -> dict[str, Scalar]:
    """``fields`` as a dict by attribute name, without the keys in ``skip``."""
    return {name: value for text, name, value, _ in fields if text not in skip}


def scalar_record(fields: Fields, skip: frozenset[str] = frozenset()) -> dict[str, Scalar]:
    """The fields that were scalars already, as a dict by attribute name, without the
    names in ``skip``: what ``scalars(data, skip)`` gives for the data ``fields`` were
    made from."""
    return {name: value for _, name, value, scalar in fields if scalar and name not in skip}


def scalars(data: dict[Any, Any], skip: frozenset[str] = frozenset()) -> dict[str, Scalar]:
    """The GraphML-able attributes of ``data`` by name-token name, sorted by key, strings
    made XML-safe; names in ``skip`` dropped."""
    kept: dict[str, Scalar] = {}
    for key, _, name in _key_plan(tuple(data)):
        if name not in skip:
            value = _scalar(data[key])
            if value is not None:
                kept[name] = value
    return kept


def _scalar(value: Any) -> Scalar | None:
    """``value`` as a str (XML-safe), bool, int or float, or None if it is none of them."""
    kind = type(value)
    if kind is str:
        return xml_text(value)
    if kind is int or kind is float or kind is bool:
        return value
    if kind is tuple or kind is list or kind is dict or value is None:
        return None  # the common non-scalars, without the slower checks below
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def _flat_text(value: Any) -> str | None:
    """A non-scalar as XML-safe text: a list of names joined with `` | ``, other lists,
    dicts and records as JSON; None for numbers that are not real (complex)."""
    if isinstance(value, (list, tuple, set, frozenset)) and all(
        isinstance(item, (str, int, float)) for item in value
    ):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return xml_text(" | ".join(str(item) for item in items))
    if type(value) in (list, tuple, dict) or not isinstance(value, numbers.Number):
        text = json_text(value)  # controls escaped: only non-ASCII text may need cleaning
        return text if text.isascii() else xml_text(text)
    return None


def _key_plan(keys: tuple[Any, ...]) -> tuple[tuple[Any, str, str], ...]:
    """``(key, key as text, name token)`` for each key whose name token is not empty, sorted
    by text. Cached for string keys: the nodes (and edges) of a graph share a few key sets."""
    if all(type(key) is str for key in keys):
        return _string_key_plan(keys)
    return _make_key_plan(keys)


def _make_key_plan(keys: tuple[Any, ...]) -> tuple[tuple[Any, str, str], ...]:
    plan = ((key, str(key), name_token(str(key))) for key in sorted(keys, key=str))
    return tuple(step for step in plan if step[2])


_string_key_plan = functools.lru_cache(maxsize=256)(_make_key_plan)


def unify(
    records: list[dict[str, Scalar]], scope: str
) -> tuple[list[dict[str, Scalar]], dict[str, type]]:
    """Give each attribute one type across ``records`` (GraphML and GEXF declare one per
    attribute): int mixed with float becomes float, any other mix becomes str.

    Returns the records (the same list when nothing changed) and each attribute's type.
    """
    seen: dict[str, set[type]] = {}
    for name, kind in {(name, type(value)) for record in records for name, value in record.items()}:
        seen.setdefault(name, set()).add(kind)
    types: dict[str, type] = {}
    mixed = set()
    for name, kinds in sorted(seen.items()):
        if len(kinds) == 1:
            (types[name],) = kinds
            continue
        types[name] = float if kinds == {int, float} else str
        mixed.add(name)
        logger.warning(
            "%s attribute %r has values of types %s; writing them as %s",
            scope,
            name,
            ", ".join(sorted(t.__name__ for t in kinds)),
            types[name].__name__,
        )
    if not mixed:
        return records, types
    return [
        {name: types[name](value) if name in mixed else value for name, value in rec.items()}
        for rec in records
    ], types


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry (see ``_XML_ILLEGAL``)."""
    if type(value) is str and value.isascii() and value.isprintable():
        return value  # the common case: nothing to remove
    return _XML_ILLEGAL.sub("", value)


def name_token(value: str) -> str:
    """``value`` as an XML name token: illegal characters dropped, other non-name
    characters written as ``_xHHHH_``."""
    return _NOT_NAME_CHAR.sub(lambda m: f"_x{ord(m.group()):04X}_", xml_text(value))


def node_ids(
    nodes: Iterable[Hashable], escape: Callable[[str], str] = name_token
) -> dict[Hashable, str]:
    """XML id per node: the node's own id when it is a name token, else an escaped one
    made unique with a ``_2``, ``_3``... suffix. Unchanged ids are claimed first.
    (With ``escape=xml_text``: the node's own id minus characters XML cannot carry.)"""
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


def edge_weight(data: dict[Any, Any]) -> int | float:
    """An edge's ``weight`` as an int or float (1 when missing or not a number)."""
    weight = data.get("weight", 1)
    if type(weight) is int or type(weight) is float:
        return weight
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real):
        return 1
    return int(weight) if isinstance(weight, numbers.Integral) else float(weight)


def json_text(value: Any, indent: int | None = None, level: int = 0) -> str:
    """``value`` as ``json.dumps(json_ready(value), ensure_ascii=False, sort_keys=True,
    indent=indent)`` writes it, ``level`` levels deep.

    One pass and no copy of the data; with ``indent`` it is several times faster than
    ``json``, which switches to its pure-Python encoder for indented output.
    """
    kind = type(value)
    if kind is str:
        text = encode_basestring(value)
        return text if value.isascii() else _SURROGATE.sub("\ufffd", text)
    if kind is JSONText:
        return str.__str__(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        first, between, last = _json_layout(indent, level)
        items = map(json_text, value, repeat(indent), repeat(level + 1))
        return "[" + first + between.join(items) + last + "]"
    if kind is dict:
        if all(type(key) is str and key.isascii() for key in value):
            return _json_object(value, _json_keys(tuple(value)), indent, level)
        texts = {json_ready(k if type(k) is str else str(k)): v for k, v in value.items()}
        return _json_object(texts, _members(itemgetter, sorted(texts)), indent, level)
    members = _json_fields(kind)  # type: ignore[arg-type]
    if members is not None:
        return _json_object(value, members, indent, level)
    return json_text(json_ready(value), indent, level)


Members = tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]
"""How to write an object: its members' ``"key": `` prefixes in key order, and a function
giving their values in that order."""


def _json_object(value: Any, members: Members, indent: int | None, level: int) -> str:
    prefixes, values = members
    if not prefixes:
        return "{}"
    texts = map(json_text, values(value), repeat(indent), repeat(level + 1))
    return _json_template(prefixes, indent, level) % tuple(texts)


@functools.lru_cache(maxsize=1024)
def _json_template(prefixes: tuple[str, ...], indent: int | None, level: int) -> str:
    """A ``%``-format of an object with these member prefixes, ``level`` levels deep."""
    first, between, last = _json_layout(indent, level)
    members = between.join(prefix.replace("%", "%%") + "%s" for prefix in prefixes)
    return "{" + first + members + last + "}"  # the layout is whitespace: no % in it


def _members(getter: Callable[..., Any], keys: list[str]) -> Members:
    """``Members`` of the (sorted) ``keys``, read with ``getter`` (itemgetter, attrgetter)."""
    prefixes = tuple(encode_basestring(key) + ": " for key in keys)
    if len(keys) == 1:  # a getter of one key gives the value, not a tuple
        get = getter(keys[0])
        return prefixes, lambda value: (get(value),)
    return prefixes, getter(*keys) if keys else lambda value: ()


@functools.lru_cache(maxsize=256)
def _json_keys(keys: tuple[str, ...]) -> Members:
    """``Members`` of a dict with these ASCII keys: graphs reuse a few key sets."""
    return _members(itemgetter, sorted(keys))


@functools.cache
def _json_fields(kind: Any) -> Members | None:
    """``Members`` of a record (dataclass) type, or None for other types."""
    names = _record_fields(kind)
    return None if names is None else _members(attrgetter, sorted(names))


@functools.cache
def _json_layout(indent: int | None, level: int) -> tuple[str, str, str]:
    """What follows an opening bracket, separates items and precedes the closing bracket
    of a container ``level`` levels deep (``json``'s own separators for ``indent``)."""
    if indent is None:
        return "", ", ", ""
    inside = "\n" + " " * (indent * (level + 1))
    return inside, "," + inside, "\n" + " " * (indent * level)


def json_ready(value: Any) -> Any:
    """``value`` as JSON-ready data: records as dicts, tuples and sets as lists, non-string
    keys as strings, lone surrogates as U+FFFD."""
    kind = type(value)
    if kind is str:  # the common cases first
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if kind is int or value is None or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [json_ready(v) for v in value]
    if kind is dict:
        return {json_ready(k if type(k) is str else str(k)): json_ready(v)
                for k, v in value.items()}
    names = _record_fields(kind)  # type: ignore[arg-type]
    if names is not None:
        return {name: json_ready(getattr(value, name)) for name in names}
    if isinstance(value, str):
        return json_ready(str(value))
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return json_ready(dict(value))
    if isinstance(value, (set, frozenset)):
        return [json_ready(v) for v in sorted(value, key=repr)]
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, PurePath):
        return json_ready(str(value))
    return json_ready(str(value))


@functools.cache
def _record_fields(kind: Any) -> tuple[str, ...] | None:
    """Field names of a dataclass type (records become dicts), or None."""
    if dataclasses.is_dataclass(kind):
        return tuple(field.name for field in dataclasses.fields(kind))
    return None
