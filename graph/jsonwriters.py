"""graph.json: one document that graphology and Cytoscape.js both open as it is.

Its top level is graphology's serialisation (``Graph.from(data)``, what Gephi Lite and
sigma.js load): ``attributes``, ``options``, ``nodes`` and ``edges``, every attribute there,
lists as lists. Beside it, ``elements`` holds the same nodes and edges as Cytoscape.js
element JSON (``cytoscape({elements: data.elements})`` or ``cy.add(data.elements)``) with
their scalar attributes, and ``documents`` the details of each document. The two libraries
read different keys, so nothing is written for both; an edge has the same id in each.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from .records import LISTS_AS_TEXT, ExportTable, JSONText, split_ids

_CYTOSCAPE_RESERVED = frozenset({"id", "source", "target", "parent"})
"""Keys of an element's ``data`` that Cytoscape.js reads as its structure."""

_SCALARS = (str, int, float, bool)


def graphology_data(table: ExportTable, documents: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-ready graph.json of ``table``'s graph (see :func:`graph.export.write_json`);
    ``documents`` maps document ids to their records (``DocumentInfo``)."""
    G = table.graph
    keys = {node: str(node) for node in table.nodes}
    edge_ids = _edge_ids(len(table.edges), set(keys.values()))
    known = set(documents)
    nodes, edges, cy_nodes, cy_edges = [], [], [], []
    for node in table.nodes:
        data = table.node_data[node]
        nodes.append({"key": keys[node], "attributes": _attributes(data, known)})
        cy_nodes.append({"data": {**_scalars(data), "id": keys[node]}})
    undirected = not G.is_directed()
    for edge_id, (u, v, data) in zip(edge_ids, table.edges, strict=True):
        ends = {"source": keys[u], "target": keys[v]}
        edges.append({"key": edge_id, **ends, "attributes": _attributes(data, known)})
        cy_edges.append({"data": {**_scalars(data), "id": edge_id, **ends}})
    return {
        "attributes": {str(k): v for k, v in G.graph.items() if k != "documents"},
        "options": {"type": "undirected" if undirected else "directed", "multi": False,
                    "allowSelfLoops": True},
        "nodes": nodes,
        "edges": edges,
        "documents": dict(sorted(documents.items())),
        "elements": {"nodes": cy_nodes, "edges": cy_edges},
    }


def _attributes(data: Mapping[Any, Any], known: set[str]) -> dict[str, Any]:
    """Every attribute, with ``doc_ids`` and ``evidence`` held as text turned back into
    lists."""
    attrs = {str(key): value for key, value in data.items()}
    ids = attrs.get("doc_ids")
    if isinstance(ids, str):
        attrs["doc_ids"] = split_ids(ids, known or None)
    evidence = attrs.get("evidence")
    if isinstance(evidence, str):
        with contextlib.suppress(ValueError):  # not JSON: kept as the text it is
            json.loads(evidence or "[]")
            attrs["evidence"] = JSONText(evidence or "[]")  # valid: written as it is
    return attrs


def _scalars(data: Mapping[Any, Any]) -> dict[str, Any]:
    """The scalar attributes, but the lists held as text and Cytoscape's own keys."""
    return {str(key): value for key, value in data.items()
            if isinstance(value, _SCALARS) and str(key) not in LISTS_AS_TEXT
            and str(key) not in _CYTOSCAPE_RESERVED}


def _edge_ids(count: int, taken: Iterable[Hashable]) -> list[str]:
    """``e0``, ``e1``, ...: edge ids no node has (Cytoscape.js keeps one set of ids)."""
    taken = set(taken)
    prefix = "e"
    while any(f"{prefix}{i}" in taken for i in range(count)):
        prefix = "_" + prefix
    return [f"{prefix}{i}" for i in range(count)]
