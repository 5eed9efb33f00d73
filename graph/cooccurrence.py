"""Link entities mentioned together into a weighted graph.

Named ``cooccurrence`` rather than ``build`` so that ``graph.build`` stays the public API
function and is never shadowed by a submodule of the same name.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from itertools import combinations
from operator import attrgetter

import networkx as nx

from .config import WINDOWS
from .types import DocumentInfo, Evidence, ExtractedDocument, Mention, Resolution

logger = logging.getLogger(__name__)

EVIDENCE_MAX_CHARS = 600
"""Longer evidence passages are cut down to the two sentences that hold the pair."""


def build_graph(
    documents: Iterable[ExtractedDocument],
    resolution: Resolution,
    window: str = "sentence",
    evidence_per_edge: int = 3,
) -> nx.Graph:
    """One node per entity, one edge per pair of entities sharing a window.

    Parameters:
        documents: extracted documents (iterated once).
        resolution: which entity each mention belongs to.
        window: ``sentence``, ``paragraph`` or ``document``.
        evidence_per_edge: example passages kept per edge (from different documents first).

    Returns:
        An undirected graph; see README "Outputs" for its node and edge attributes.
        Edge ``weight`` counts windows holding both entities, ``documents`` the documents.
    """
    ordered = sorted(documents, key=lambda d: d.info.id)
    return graph_from_links(count_links(ordered, resolution.entity_of, window,
                                        evidence_per_edge), resolution, evidence_per_edge)


class Links:
    """Node and edge counts of some documents; partial counts of disjoint sets of documents
    merge, in any order, into the counts of the whole (see ``merge``)."""

    __slots__ = ("documents", "edges", "nodes", "window")

    def __init__(self, window: str) -> None:
        self.window = window
        self.nodes: dict[str, _NodeStats] = {}
        self.edges: dict[tuple[str, str], _EdgeStats] = {}
        self.documents: dict[str, DocumentInfo] = {}

    def merge(self, later: Links, limit: int) -> Links:
        """Add the counts of ``later``, which share no document with these."""
        self.documents.update(later.documents)
        for key, stats in later.nodes.items():
            self.nodes.setdefault(key, _NodeStats()).merge(stats)
        for pair, edge in later.edges.items():
            self.edges.setdefault(pair, _EdgeStats()).merge(edge, limit)
        return self


def count_links(
    documents: Iterable[ExtractedDocument],
    entity_of: Mapping[tuple[str, int], str],
    window: str,
    evidence_per_edge: int,
) -> Links:
    """Count nodes and edges of ``documents`` (in document-id order) for ``window``."""
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {', '.join(WINDOWS)}, not {window!r}")
    links = Links(window)
    nodes, edges = links.nodes, links.edges
    for document in sorted(documents, key=lambda d: d.info.id):
        links.documents[document.info.id] = document.info
        sentences = {s.index: s.text for s in document.sentences}
        windows: dict[Hashable, dict[str, Mention]] = defaultdict(dict)
        for mention in document.mentions:
            key = entity_of.get((mention.doc, mention.start))
            if key is None:
                continue
            nodes.setdefault(key, _NodeStats()).add(mention, document.info.date)
            windows[_window_key(mention, window)].setdefault(key, mention)
        for members in windows.values():
            for a, b in combinations(sorted(members), 2):
                stats = edges.setdefault((a, b), _EdgeStats())
                stats.add(document, _passage(members[a], members[b], sentences), evidence_per_edge)
    return links


def graph_from_links(links: Links, resolution: Resolution, evidence_per_edge: int) -> nx.Graph:
    """The graph of counted links, nodes labelled and typed as ``resolution`` says."""
    G = nx.Graph(window=links.window, documents=links.documents)
    for key in sorted(links.nodes):
        entity = resolution.entities[key]
        G.add_node(key, label=entity.label, type=entity.type, aliases=" | ".join(entity.aliases),
                   **links.nodes[key].attrs())
    for (a, b), stats in sorted(links.edges.items()):
        G.add_edge(a, b, **stats.attrs(evidence_per_edge))
    logger.debug("graph: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G


def _window_key(mention: Mention, window: str) -> Hashable:
    if window == "sentence":
        return mention.sentence
    if window == "paragraph":
        return mention.paragraph
    return 0


def _passage(first: Mention, second: Mention, sentences: dict[int, str]) -> str:
    """The sentence(s) holding the first mentions of both entities in a window."""
    low, high = sorted((first.sentence, second.sentence))
    if low == high:
        return sentences.get(low, "")
    span = [sentences[i] for i in range(low, high + 1) if i in sentences]
    text = " ".join(span)
    if len(text) > EVIDENCE_MAX_CHARS:
        text = f"{sentences.get(low, '')} … {sentences.get(high, '')}"
    return text


class _NodeStats:
    __slots__ = ("dates", "docs", "mentions")

    def __init__(self) -> None:
        self.mentions = 0
        self.docs: set[str] = set()
        self.dates: set[str] = set()

    def add(self, mention: Mention, date: str | None) -> None:
        self.mentions += 1
        self.docs.add(mention.doc)
        if date:
            self.dates.add(date)

    def merge(self, other: _NodeStats) -> None:
        self.mentions += other.mentions
        self.docs |= other.docs
        self.dates |= other.dates

    def attrs(self) -> dict[str, object]:
        attrs: dict[str, object] = {
            "mentions": self.mentions,
            "documents": len(self.docs),
            "doc_ids": tuple(sorted(self.docs)),
        }
        if self.dates:
            attrs["first_date"] = min(self.dates)
            attrs["last_date"] = max(self.dates)
        return attrs


class _EdgeStats:
    __slots__ = ("docs", "evidence", "spare", "weight")

    def __init__(self) -> None:
        self.weight = 0
        self.docs: set[str] = set()
        self.evidence: list[Evidence] = []
        self.spare: list[Evidence] = []

    def add(self, document: ExtractedDocument, passage: str, limit: int) -> None:
        """Count one shared window; keep its passage if evidence is still wanted."""
        self.weight += 1
        info = document.info
        new_document = info.id not in self.docs
        self.docs.add(info.id)
        if not passage or len(self.evidence) >= limit:
            return
        item = Evidence(info.id, info.title, info.date, passage)
        if new_document:
            self.evidence.append(item)
        elif len(self.spare) < limit:
            self.spare.append(item)

    def merge(self, later: _EdgeStats, limit: int) -> None:
        """Add the counts of the same edge in other documents (none shared with these).

        Each side keeps its first passages in document-id order, so the first ``limit`` of
        both, by document id, are the first ``limit`` of the whole.
        """
        self.weight += later.weight
        self.docs |= later.docs
        by_doc = attrgetter("doc")  # stable: passages of one document keep their order
        self.spare = sorted(self.spare + later.spare, key=by_doc)[:limit]
        self.evidence = sorted(self.evidence + later.evidence, key=by_doc)[:limit]

    def attrs(self, limit: int) -> dict[str, object]:
        evidence = (self.evidence + self.spare)[:limit]
        return {"weight": self.weight, "documents": len(self.docs), "evidence": tuple(evidence)}
