"""Write the graph and the run's records to files: GraphML, mentions.csv and report.json.

Every writer goes through :func:`atomic_write`, so an interrupted run leaves either the old
file or the new one, never a truncated mix.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import logging
import numbers
import os
import re
import secrets
from collections.abc import Hashable, Iterable, Iterator
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
        The file to write, e.g. ``output/mentions.csv`` (UTF-8, RFC 4180 quoting).
    """
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(MENTION_COLUMNS)
        for mention, entity in rows:
            writer.writerow(
                (
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


def _nmtoken(value: str) -> str:
    """``value`` as an XML name token: illegal characters dropped, other non-name
    characters written as ``_xHHHH_``."""
    return _NOT_NAME_CHAR.sub(lambda m: f"_x{ord(m.group()):04X}_", _xml_text(value))


def _node_ids(nodes: Iterable[Hashable]) -> dict[Hashable, str]:
    """GraphML id per node: the node's own id when it is a name token, else an escaped one
    made unique with a ``_2``, ``_3``... suffix. Unchanged ids are claimed first."""
    ids: dict[Hashable, str] = {}
    escaped: list[tuple[str, Hashable]] = []
    for node in nodes:
        text = str(node)
        if text and _nmtoken(text) == text:
            ids[node] = text
        else:
            escaped.append((_nmtoken(text) or "_", node))
    used = set(ids.values())
    for base, node in sorted(escaped, key=lambda item: (item[0], str(item[1]))):
        new, n = base, 1
        while new in used:
            n += 1
            new = f"{base}_{n}"
        used.add(new)
        ids[node] = new
    if escaped:
        logger.warning("%d node id(s) were not XML name tokens and were escaped", len(escaped))
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
