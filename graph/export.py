"""Write the graph and the run's records to files: GraphML, GEXF, CSV tables, node-link
JSON, mentions.csv and report.json.

Every writer goes through :func:`atomic_write`, so an interrupted run leaves either the old
file or the new one, never a truncated mix.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import gc
import json
import logging
import os
import re
import secrets
from collections.abc import Hashable, Iterable, Iterator, Mapping
from pathlib import Path, PurePath
from typing import IO, Any

import networkx as nx

from .records import ExportTable, edge_weight, flat_record, json_text, node_ids, xml_text
from .types import Mention, Merge, RunReport
from .xmlwriters import (
    GEXF_NAMESPACE,
    GEXF_VIZ_NAMESPACE,
    NODE_SIZE,
    gexf_chunks,
    graphml_chunks,
)

__all__ = [
    "FORMULA_STARTS",
    "GEXF_NAMESPACE",
    "GEXF_VIZ_NAMESPACE",
    "MENTION_COLUMNS",
    "MERGE_COLUMNS",
    "NODE_SIZE",
    "ExportTable",
    "MentionRow",
    "atomic_write",
    "gc_paused",
    "read_json",
    "remove_stale_temp_files",
    "write_edges_csv",
    "write_gexf",
    "write_graphml",
    "write_json",
    "write_mentions_csv",
    "write_merges_csv",
    "write_nodes_csv",
    "write_report",
]

logger = logging.getLogger(__name__)

MentionRow = tuple[Mention, str]
"""A mention and the id of the entity it was resolved to."""

MENTION_COLUMNS = ("doc", "start", "end", "text", "type", "entity", "sentence")
"""Header of mentions.csv, in order."""

_TEMP_NAME = re.compile(r"(\..+\.)[0-9a-f]{8}\.tmp")
"""Name of an atomic_write temporary file: ``.<name>.<8 hex digits>.tmp``."""

_node_ids = node_ids  # still importable from here under its old name


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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block (or a decorated function).

    The writers allocate hundreds of thousands of small containers and make no reference
    cycles; with a large graph in memory, each full collection those allocations set off
    walks the whole graph (a tenth of a second for 12,000 nodes). Memory is still freed
    by reference counting. Nested use is fine; a collector the caller paused stays paused.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@gc_paused()
def write_graphml(
    G: nx.Graph, path: str | os.PathLike[str], *, table: ExportTable | None = None
) -> None:
    """Write ``G`` as GraphML 1.0 that validates against the schema and opens in Gephi.

    Only scalar attributes (str, int, float, bool) are written; others (lists, records,
    the ``documents`` dict of a graph) are dropped, and so are ``doc_ids`` and ``evidence``,
    which ``graph.build`` holds as text (``graph.records.LISTS_AS_TEXT``). Characters XML cannot
    carry are removed from strings, and ``\\r`` is written as ``&#13;``. Key ids are the
    attribute names (Gephi reads ``label`` and ``weight``); when a node and an edge attribute
    share a name, the later one's id is prefixed with its scope (``edge.documents``),
    keeping ``attr.name`` as is. An attribute whose values mix types is written with one
    type (int and float as float, other mixes as str). Node ids that are not XML name tokens
    have each offending character written as ``_xHHHH_``. The same graph always gives the
    same bytes. The document is streamed to the file, element by element.

    Parameters
    ----------
    G:
        A simple graph (Graph or DiGraph) with string node ids.
    path:
        The file to write, e.g. ``output/graph.graphml``.
    table:
        ``ExportTable(G)``, to share its work with the other writers of a run.

    Raises
    ------
    ValueError
        If ``G`` is a multigraph, or ``table`` belongs to another graph.
    OSError
        If the file cannot be written.
    """
    if G.is_multigraph():
        raise ValueError("write_graphml takes a Graph or DiGraph, not a multigraph")
    table = ExportTable.of(G, table)
    with atomic_write(path, "wb") as stream:
        _write_chunks(stream, graphml_chunks(table))


def _write_chunks(stream: IO[bytes], chunks: Iterable[str]) -> None:
    """Write text chunks as UTF-8 (anything UTF-8 cannot carry as a character reference,
    as ElementTree does)."""
    for chunk in chunks:
        stream.write(chunk.encode("utf-8", "xmlcharrefreplace"))


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
        cell = _cell  # numbers need no neutralising
        writer.writerows(
            (cell(m.doc), m.start, m.end, cell(m.text), cell(m.type), cell(entity), m.sentence)
            for m, entity in rows
        )


MERGE_COLUMNS = ("entity", "name", "rule", "mentions", "documents", "detail")
"""Header of merges.csv, in order."""


def write_merges_csv(merges: Iterable[Merge], path: str | os.PathLike[str]) -> None:
    """Write merges.csv: one row per name joined to an entity, with the rule and evidence.

    ``documents`` lists the first few documents where it happened, joined with ``;``.
    Text that a spreadsheet would run as a formula gets a leading ``'`` (see ``_cell``).
    """
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(MERGE_COLUMNS)
        cell = _cell
        for m in merges:
            writer.writerow([cell(m.entity), cell(m.name), cell(m.rule), m.mentions,
                             cell(";".join(m.documents)), cell(m.detail)])


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet cell starting with one of these could run as a formula: it gets a leading
apostrophe in every CSV file written (nodes.csv, edges.csv, mentions.csv, merges.csv)."""


@gc_paused()
def write_gexf(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    seed: int = 42,
    positions: dict[Hashable, tuple[float, float]] | None = None,
    table: ExportTable | None = None,
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
    table:
        ``ExportTable(G)``, to share its work with the other writers of a run.

    Raises
    ------
    ValueError
        If ``G`` is a multigraph, or ``table`` belongs to another graph.
    OSError
        If the file cannot be written.
    """
    from .viewer import OTHER_COLOR, TYPE_COLORS, export_positions

    if G.is_multigraph():
        raise ValueError("write_gexf takes a Graph or DiGraph, not a multigraph")
    table = ExportTable.of(G, table)
    if positions is None:
        positions = export_positions(G, seed=seed)
    with atomic_write(path, "wb") as stream:
        _write_chunks(stream, gexf_chunks(table, positions, TYPE_COLORS, OTHER_COLOR))


@gc_paused()
def write_nodes_csv(
    G: nx.Graph, path: str | os.PathLike[str], *, table: ExportTable | None = None
) -> None:
    """Write one row per node for spreadsheets and Gephi's spreadsheet import.

    Columns: ``Id``, ``Label``, ``Type``, then every other node attribute by name (lists of
    names joined with `` | ``, records as JSON). A cell starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return gets a leading ``'`` so that no spreadsheet runs it as a
    formula. Rows are sorted by id. ``table`` (``ExportTable(G)``) shares its work with the
    other writers of a run.
    """
    table = ExportTable.of(G, table)
    nodes, data = table.nodes, table.node_data
    records = [flat_record(table.node_fields[n], _NODE_COLUMNS) for n in nodes]
    names = sorted({name for record in records for name in record})
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(_csv_line(["Id", "Label", "Type", *names]))
        stream.writelines(
            _csv_line([_cell(node), _cell(data[node].get("label", node)),
                       _cell(data[node].get("type", "")),
                       *(_formula_safe(_bounded(record.get(name, ""))) for name in names)])
            for node, record in zip(nodes, records, strict=True)
        )


_NODE_COLUMNS = frozenset({"label", "type"})
_EDGE_COLUMNS = frozenset({"weight"})


@gc_paused()
def write_edges_csv(
    G: nx.Graph, path: str | os.PathLike[str], *, table: ExportTable | None = None
) -> None:
    """Write one row per edge for spreadsheets and Gephi's spreadsheet import.

    Columns: ``Source``, ``Target``, ``Weight``, ``Type`` (``Undirected`` or ``Directed``),
    then every other edge attribute by name (``evidence`` as JSON). Cells are neutralised as
    in :func:`write_nodes_csv`. Rows are sorted by source and target. ``table``
    (``ExportTable(G)``) shares its work with the other writers of a run.
    """
    table = ExportTable.of(G, table)
    kind = "Directed" if G.is_directed() else "Undirected"
    ids = {node: str(node) for node in table.nodes}
    cells = {text: _cell(text) for text in ids.values()}  # once per node, not per edge end
    _, edges = table.renamed(ids)
    records = [flat_record(table.edge_fields[i], _EDGE_COLUMNS) for *_, i in edges]
    names = sorted({name for record in records for name in record} - {"Type"})
    with atomic_write(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(_csv_line(["Source", "Target", "Weight", "Type", *names]))
        stream.writelines(
            _csv_line([cells[source], cells[target], edge_weight(table.edges[i][2]), kind,
                       *(_formula_safe(_bounded(record.get(name, ""))) for name in names)])
            for (source, target, i), record in zip(edges, records, strict=True)
        )


def _csv_line(cells: list[Any]) -> str:
    """``cells`` as ``csv.writer`` writes a row (RFC 4180): a field holding a comma, quote,
    CR or LF is quoted with its quotes doubled; None is empty; CRLF ends the line. Several
    times faster than ``csv`` on long quoted text such as evidence."""
    fields = []
    for cell in cells:
        field = cell if type(cell) is str else "" if cell is None else str(cell)
        if '"' in field:
            field = '"' + field.replace('"', '""') + '"'
        elif "," in field or "\n" in field or "\r" in field:
            field = '"' + field + '"'
        fields.append(field)
    line = ",".join(fields)
    return (line if line or not fields else '""') + "\r\n"  # one empty field: ""


@gc_paused()
def write_json(
    G: nx.Graph,
    path: str | os.PathLike[str],
    *,
    table: ExportTable | None = None,
    documents: Mapping[str, Any] | None = None,
) -> None:
    """Write ``G`` as JSON that graphology and Cytoscape.js open as it is::

        {"attributes": {"window": ...},
         "options": {"type": "undirected", "multi": false, "allowSelfLoops": true},
         "nodes": [{"key": id, "attributes": {...}}],
         "edges": [{"key": "e0", "source": id, "target": id, "attributes": {...}}],
         "documents": {id: {"id", "title", "date", "source", "url"}},
         "elements": {"nodes": [{"data": {"id": id, ...}}],
                      "edges": [{"data": {"id": "e0", "source": id, "target": id, ...}}]}}

    The top level is graphology's (``Graph.from(data)``; Gephi Lite and sigma.js load it):
    every attribute, ``doc_ids`` as a list of ids and ``evidence`` as a list of
    ``{doc, title, date, text}`` (from the text ``graph.build`` holds them as, or from
    tuples and records). ``elements`` is for Cytoscape.js (``cytoscape({elements:
    data.elements})``): the scalar attributes of the same nodes and edges. ``documents``
    (default: ``G.graph["documents"]``) describes each document. Node ids are written as
    text; nodes are sorted by id, edges by their ends, keys by name, so the same graph
    gives the same bytes. Lone surrogates (which UTF-8 cannot carry) become U+FFFD.
    ``table`` (``ExportTable(G)``) shares its work with the other writers of a run.
    """
    from .jsonwriters import graphology_data

    table = ExportTable.of(G, table)
    if documents is None:
        documents = G.graph.get("documents") or {}
    text = json_text(graphology_data(table, documents), indent=1)
    with atomic_write(path, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.write("\n")


def read_json(path: str | os.PathLike[str]) -> nx.Graph:
    """The graph of a graph.json (see :func:`write_json`) as a networkx graph: its nodes and
    edges with graphology's attributes (``doc_ids`` and ``evidence`` as lists), the graph
    attributes, and the table of documents as ``G.graph["documents"]`` (plain dicts)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    G = nx.DiGraph() if data["options"]["type"] == "directed" else nx.Graph()
    G.graph.update(data.get("attributes", {}), documents=data.get("documents", {}))
    G.add_nodes_from((node["key"], node.get("attributes", {})) for node in data["nodes"])
    G.add_edges_from((edge["source"], edge["target"], edge.get("attributes", {}))
                     for edge in data["edges"])
    return G


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a ``'``
    (and loses the characters XML cannot carry, as in the other formats)."""
    if not isinstance(value, str):
        return value
    return _formula_safe(xml_text(value))


CSV_CELL_CHARS = 100_000
"""Longest cell of nodes.csv and edges.csv: under the 131,072 characters Python's csv module
(and other readers) accept by default. A longer list of document ids is cut, at an id, and
says how many were left out; mentions.csv has every one."""


def _bounded(value: object) -> object:
    """A cell no longer than CSV_CELL_CHARS: a ``doc_ids`` list cut after its last whole
    id, ending "| ... and N more (see mentions.csv)"."""
    if type(value) is not str or len(value) <= CSV_CELL_CHARS:
        return value
    kept = value[:CSV_CELL_CHARS - 60].rsplit(" | ", 1)[0]
    more = value.count(" | ") - kept.count(" | ")
    return f"{kept} | ... and {more} more (see mentions.csv)"


def _formula_safe(value: object) -> object:
    """``value`` (a number, or text that is already XML-safe) with a ``'`` before text
    that starts like a formula."""
    if type(value) is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
