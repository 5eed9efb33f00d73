"""Link entities mentioned together into a weighted graph.

Named ``cooccurrence`` rather than ``build`` so that ``graph.build`` stays the public API
function and is never shadowed by a submodule of the same name.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import combinations
from operator import attrgetter

import networkx as nx

from .config import (
    EVIDENCE_CHARS,
    LIST_EVIDENCE_CHARS,
    LIST_NEIGHBOURS,
    TITLE_CHARS,
    WINDOW_ENTITY_LIMITS,
    WINDOWS,
)
from .excerpts import excerpt, shorten
from .records import evidence_text, ids_text
from .types import DocumentInfo, Evidence, ExtractedDocument, Mention, Resolution, Sentence

logger = logging.getLogger(__name__)


def build_graph(
    documents: Iterable[ExtractedDocument],
    resolution: Resolution,
    window: str = "sentence",
    evidence_per_edge: int = 3,
    *,
    max_window_entities: int | None = None,
    list_neighbours: int = LIST_NEIGHBOURS,
    evidence_chars: int = EVIDENCE_CHARS,
    list_evidence_chars: int = LIST_EVIDENCE_CHARS,
    title_chars: int = TITLE_CHARS,
) -> nx.Graph:
    """One node per entity, one edge per pair of entities sharing a window.

    Parameters:
        documents: extracted documents (iterated once).
        resolution: which entity each mention belongs to.
        window: ``sentence``, ``paragraph`` or ``document``.
        evidence_per_edge: example passages kept per edge (from different documents first).
        max_window_entities, list_neighbours, evidence_chars, list_evidence_chars,
            title_chars: bounds on a window's links and on the length of a passage and of
            the title it carries (see ``graph.Settings``).

    Returns:
        An undirected graph; see README "Outputs" for its node and edge attributes.
        Edge ``weight`` counts windows holding both entities, ``documents`` the documents.
    """
    ordered = sorted(documents, key=lambda d: d.info.id)
    links = count_links(ordered, resolution.entity_of, window, evidence_per_edge,
                        max_window_entities=max_window_entities,
                        list_neighbours=list_neighbours, evidence_chars=evidence_chars,
                        list_evidence_chars=list_evidence_chars, title_chars=title_chars)
    return graph_from_links(links, resolution, evidence_per_edge)


@dataclass(frozen=True, slots=True)
class CappedWindow:
    """A window holding so many entities that it was read as a list (see ``count_links``)."""

    doc: str
    """Document id."""
    index: int
    """The window's sentence or paragraph number in the document (0 for the document)."""
    entities: int
    """Distinct entities in the window."""


class Links:
    """Node and edge counts of some documents; partial counts of disjoint sets of documents
    merge, in any order, into the counts of the whole (see ``merge``)."""

    __slots__ = ("capped", "documents", "edges", "nodes", "window")

    def __init__(self, window: str) -> None:
        self.window = window
        self.nodes: dict[str, _NodeStats] = {}
        self.edges: dict[tuple[str, str], _EdgeStats] = {}
        self.documents: dict[str, DocumentInfo] = {}
        self.capped: list[CappedWindow] = []
        """Windows read as lists, by document id and position."""

    def merge(self, later: Links, limit: int) -> Links:
        """Add the counts of ``later``, which share no document with these."""
        self.documents.update(later.documents)
        self.capped = sorted(self.capped + later.capped, key=attrgetter("doc", "index"))
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
    *,
    max_window_entities: int | None = None,
    list_neighbours: int = LIST_NEIGHBOURS,
    evidence_chars: int = EVIDENCE_CHARS,
    list_evidence_chars: int = LIST_EVIDENCE_CHARS,
    title_chars: int = TITLE_CHARS,
) -> Links:
    """Count nodes and edges of ``documents`` (in document-id order) for ``window``.

    Every two entities of a window are linked, unless the window holds more than
    ``max_window_entities`` (default: ``WINDOW_ENTITY_LIMITS[window]``): such a window is a
    list, not a statement, and each of its entities is linked only to the
    ``list_neighbours`` entities mentioned right before and right after it (the window is
    noted in ``Links.capped``). So links grow linearly with the names of a list, not with
    their square. Passages longer than ``evidence_chars`` (in a list,
    ``list_evidence_chars``) are cut around the two names, and the document titles they
    carry to ``title_chars`` (``Links.documents`` keeps them whole).
    """
    if window not in WINDOWS:
        raise ValueError(f"window must be one of {', '.join(WINDOWS)}, not {window!r}")
    most = WINDOW_ENTITY_LIMITS[window] if max_window_entities is None else max_window_entities
    links = Links(window)
    nodes, edges = links.nodes, links.edges
    for document in sorted(documents, key=lambda d: d.info.id):
        info = links.documents[document.info.id] = document.info
        if info.title is not None and len(info.title) > title_chars:
            info = replace(info, title=shorten(info.title, title_chars))
        sentences = {s.index: s for s in document.sentences}
        windows: dict[int, dict[str, Mention]] = defaultdict(dict)
        for mention in document.mentions:
            key = entity_of.get((mention.doc, mention.start))
            if key is None:
                continue
            nodes.setdefault(key, _NodeStats()).add(mention, document.info.date)
            windows[_window_key(mention, window)].setdefault(key, mention)
        for index, members in windows.items():
            chars = evidence_chars
            if len(members) > most:
                links.capped.append(CappedWindow(document.info.id, index, len(members)))
                pairs: Iterable[tuple[str, str]] = _neighbours(list(members), list_neighbours)
                chars = min(evidence_chars, list_evidence_chars)
            else:
                pairs = combinations(sorted(members), 2)
            for a, b in pairs:
                stats = edges.setdefault((a, b), _EdgeStats())
                stats.add(info, _passage(members[a], members[b], sentences, chars),
                          evidence_per_edge)
    return links


def describe_capped(capped: Iterable[CappedWindow], window: str, most: int,
                    reach: int) -> list[tuple[str, str]]:
    """One note per document with windows read as lists: ``(document id, message)``.

    >>> describe_capped([CappedWindow("a.txt", 4, 300)], "sentence", 25, 2)
    [('a.txt', 'sentence 4 (300 entities) names more than 25 entities: read as a list, \
each entity linked only to the 2 named right before and after it')]
    """
    by_doc: dict[str, list[CappedWindow]] = {}
    for item in capped:
        by_doc.setdefault(item.doc, []).append(item)
    notes = []
    for doc, items in by_doc.items():
        where = ", ".join(
            f"the document ({c.entities:,} entities)" if window == "document"
            else f"{window} {c.index} ({c.entities:,} entities)" for c in items[:5]
        ) + (f" and {len(items) - 5:,} more" if len(items) > 5 else "")
        plural = len(items) > 1
        notes.append((doc, f"{where} name{'' if plural else 's'} more than {most} entities: "
                           f"read as {'lists' if plural else 'a list'}, each entity linked only "
                           f"to the {reach} named right before and after it"))
    return notes


def graph_from_links(links: Links, resolution: Resolution, evidence_per_edge: int) -> nx.Graph:
    """The graph of counted links, nodes labelled and typed as ``resolution`` says.

    Every attribute is a scalar, so networkx writes the graph to any format as it is: the
    graph holds its ``window``; ``doc_ids`` and ``evidence`` are text (see
    ``graph.records.split_ids`` and ``read_evidence``); an unknown date is ``""``. The
    documents' details are in ``links.documents``.
    """
    G = nx.Graph(window=links.window)
    for key in sorted(links.nodes):
        entity = resolution.entities[key]
        G.add_node(key, label=entity.label, type=entity.type, aliases=" | ".join(entity.aliases),
                   **links.nodes[key].attrs())
    for (a, b), stats in sorted(links.edges.items()):
        G.add_edge(a, b, **stats.attrs(evidence_per_edge))
    logger.debug("graph: %d nodes, %d edges", G.number_of_nodes(), G.number_of_edges())
    return G


def _window_key(mention: Mention, window: str) -> int:
    if window == "sentence":
        return mention.sentence
    if window == "paragraph":
        return mention.paragraph
    return 0


def _neighbours(ordered: list[str], reach: int) -> Iterator[tuple[str, str]]:
    """Each entity of ``ordered`` (by first mention) with the ``reach`` entities after it,
    every pair's ends sorted."""
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 : i + 1 + reach]:
            yield (a, b) if a < b else (b, a)


def _passage(first: Mention, second: Mention, sentences: dict[int, Sentence],
             limit: int) -> str:
    """The sentence(s) holding the first mentions of both entities in a window: all of
    them, or, past ``limit`` characters, the two holding the names; and when those are
    still longer, the text around each name."""
    if second.start < first.start:
        first, second = second, first
    low, high = first.sentence, second.sentence
    if low == high:
        sentence = sentences.get(low)
        if sentence is None:
            return ""
        if len(sentence.text) <= limit:
            return sentence.text
        return excerpt(sentence.text, [_span(sentence, first), _span(sentence, second)], limit)
    span = [sentences[i].text for i in range(low, high + 1) if i in sentences]
    text = " ".join(span)
    if len(text) <= limit:
        return text
    a, b = sentences.get(low), sentences.get(high)
    text = f"{a.text if a else ''} … {b.text if b else ''}"
    if len(text) <= limit or a is None or b is None:
        return text if len(text) <= limit else excerpt(text, [], limit)
    start, end = _span(b, second)
    offset = len(a.text) + 3
    return excerpt(text, [_span(a, first), (start + offset, end + offset)], limit)


def _span(sentence: Sentence, mention: Mention) -> tuple[int, int]:
    """Where ``mention`` lies in its sentence's text, whose runs of whitespace are collapsed
    to one space: its offset there is at most its offset in the document text."""
    name = " ".join(mention.text.split())
    guess = mention.start - sentence.start
    at = sentence.text.rfind(name, 0, max(guess, 0) + len(name))
    if at < 0:
        at = min(max(guess, 0), max(len(sentence.text) - len(name), 0))
    return at, at + len(name)


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
        return {
            "mentions": self.mentions,
            "documents": len(self.docs),
            "doc_ids": ids_text(sorted(self.docs)),
            "first_date": min(self.dates, default=""),
            "last_date": max(self.dates, default=""),
        }


class _EdgeStats:
    __slots__ = ("docs", "evidence", "spare", "weight")

    def __init__(self) -> None:
        self.weight = 0
        self.docs: set[str] = set()
        self.evidence: list[Evidence] = []
        self.spare: list[Evidence] = []

    def add(self, info: DocumentInfo, passage: str, limit: int) -> None:
        """Count one shared window of the document ``info``; keep its passage if evidence is
        still wanted."""
        self.weight += 1
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
        return {"weight": self.weight, "documents": len(self.docs),
                "evidence": evidence_text(evidence)}
