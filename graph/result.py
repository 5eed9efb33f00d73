"""What ``graph.build`` returns: the graph, the run report, the entity resolution and the
documents, with a short summary for the console and for notebooks."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any

import networkx as nx

from .records import read_doc_ids, read_evidence
from .types import DocumentInfo, Evidence, Resolution, RunReport

SUMMARY_ROWS = 5
"""Entities and links named in the notebook summary."""


@dataclass(frozen=True, slots=True, repr=False)
class BuildResult:
    """The result of a run. Unpacks as before: ``G, report, resolution = graph.build(...)``.

    The graph holds only scalars (networkx writes it to any format as it is): ``doc_ids``
    and ``evidence`` are text, read back with :meth:`doc_ids` and :meth:`evidence`; each
    document's title, date, source and URL are in :attr:`documents`.
    """

    graph: nx.Graph
    """One node per entity, one edge per pair mentioned together (README, "Outputs")."""
    report: RunReport
    """What the run did (written to report.json when there is an output folder)."""
    resolution: Resolution
    """Which entity each mention belongs to, and the merges that made the entities."""
    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    """Each analysed document's details, by id."""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.graph, self.report, self.resolution))

    def __len__(self) -> int:
        return 3

    def __getitem__(self, index: int) -> Any:
        return (self.graph, self.report, self.resolution)[index]

    def evidence(self, u: str, v: str) -> tuple[Evidence, ...]:
        """The evidence passages of the link between ``u`` and ``v``."""
        return read_evidence(self.graph.edges[u, v].get("evidence", ()))

    def doc_ids(self, node: str) -> list[str]:
        """The ids of the documents mentioning ``node``."""
        return read_doc_ids(self.graph.nodes[node].get("doc_ids", ""), self.documents)

    def __repr__(self) -> str:
        G, report = self.graph, self.report
        return (f"<BuildResult: {G.number_of_nodes():,} entities, {G.number_of_edges():,} "
                f"links from {report.documents_read:,} documents ({len(report.skipped):,} "
                f"skipped), window {G.graph.get('window', '?')}>")

    def _repr_html_(self) -> str:
        """A small summary table for notebooks (names escaped)."""
        G, report = self.graph, self.report
        types: dict[str, int] = {}
        for _, kind in G.nodes(data="type"):
            types[str(kind)] = types.get(str(kind), 0) + 1
        top = heapq.nlargest(SUMMARY_ROWS, G.nodes(data="mentions", default=0),
                             key=lambda item: (item[1], str(item[0])))
        links = heapq.nlargest(SUMMARY_ROWS, G.edges(data="weight", default=1),
                               key=lambda item: (item[2], str(item[0]), str(item[1])))
        label = G.nodes(data="label")
        rows = [
            ("Documents", f"{report.documents_read:,} read, {len(report.skipped):,} skipped"),
            ("Entities", f"{G.number_of_nodes():,} ("
             + ", ".join(f"{kind} {count:,}" for kind, count in sorted(types.items())) + ")"),
            ("Links", f"{G.number_of_edges():,} (entities in the same "
             f"{G.graph.get('window', '?')})"),
            ("Most mentioned", ", ".join(f"{label[n] or n} ({m:,})" for n, m in top)),
            ("Strongest links", ", ".join(f"{label[u] or u} \u2013 {label[v] or v} ({w:,})"
                                          for u, v, w in links)),
            ("Warnings", f"{len(report.warnings):,}"),
        ]
        body = "".join(f"<tr><th style=\"text-align:left\">{escape(name)}</th>"
                       f"<td style=\"text-align:left\">{escape(str(value))}</td></tr>"
                       for name, value in rows)
        return f"<table>{body}</table>"
