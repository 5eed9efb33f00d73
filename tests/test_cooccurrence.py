import hashlib

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.cooccurrence import build_graph
from graph.records import read_evidence
from graph.resolve import resolve_entities

from .factories import extracted


def graph_of(docs, window="sentence", evidence=3):
    return build_graph(docs, resolve_entities(docs), window, evidence)


def evidence_of(G, u, v):
    return read_evidence(G.edges[u, v]["evidence"])


def test_build_graph_sentence_window_weights_and_documents():
    docs = [
        extracted("a", [[("Hamas", "ORG"), ("Qatar", "PLACE")],
                        [("Hamas", "ORG"), ("Qatar", "PLACE"), ("Hamas", "ORG")],
                        [("Gaza", "PLACE")]], date="2024-02-07"),
        extracted("b", [[("Hamas", "ORG"), ("Qatar", "PLACE")]], date="2025-07-07"),
    ]
    G = graph_of(docs)
    assert sorted(G.nodes) == ["org:hamas", "place:gaza", "place:qatar"]
    edge = G.edges["org:hamas", "place:qatar"]
    assert (edge["weight"], edge["documents"]) == (3, 2)
    assert G.number_of_edges() == 1
    hamas = G.nodes["org:hamas"]
    assert (hamas["label"], hamas["type"], hamas["mentions"], hamas["documents"]) == (
        "Hamas", "ORG", 4, 2)
    assert (hamas["first_date"], hamas["last_date"]) == ("2024-02-07", "2025-07-07")
    assert hamas["doc_ids"] == "a | b"
    assert hamas["aliases"] == "Hamas"


def test_build_graph_no_self_loops_for_repeated_entity():
    docs = [extracted("a", [[("Gaza", "PLACE"), ("GAZA", "PLACE")]])]
    G = graph_of(docs)
    assert nx.number_of_selfloops(G) == 0 and G.number_of_edges() == 0


def test_build_graph_paragraph_window():
    docs = [extracted("a", [[("Anna", "PERSON")], [("Boris", "PERSON")], [("Carl", "PERSON")]],
                      paragraph_of={0: 0, 1: 0, 2: 1})]
    G = graph_of(docs, "paragraph")
    assert sorted(G.edges) == [("person:anna", "person:boris")]
    assert evidence_of(G, "person:anna", "person:boris")[0].text == "Anna met. Boris met."


def test_build_graph_evidence_prefers_distinct_documents_and_is_capped():
    same = [[("Hamas", "ORG"), ("Qatar", "PLACE")]] * 4
    docs = [extracted("a", same), extracted("b", same[:1]), extracted("c", same[:1])]
    G = graph_of(docs, evidence=3)
    evidence = evidence_of(G, "org:hamas", "place:qatar")
    assert [e.doc for e in evidence] == ["a", "b", "c"]
    assert evidence[0].title == "Title a"
    assert evidence_of(graph_of(docs, evidence=2), "org:hamas", "place:qatar")[1].doc == "b"
    one = evidence_of(graph_of(docs[:1], evidence=3), "org:hamas", "place:qatar")
    assert [e.doc for e in one] == ["a", "a", "a"]


def test_build_graph_rejects_unknown_window():
    with pytest.raises(ValueError, match="window must be one of"):
        graph_of([extracted("a", [[("A", "PERSON")]])], "page")


names = st.sampled_from(["Hamas", "Gaza", "Qatar", "Saar", "Egypt", "Trump"])
kinds = st.sampled_from(["PERSON", "ORG"])
corpora = st.lists(st.lists(st.lists(st.tuples(names, kinds), min_size=1, max_size=4),
                            min_size=1, max_size=4), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(corpora)
def test_build_graph_document_window_matches_bipartite_projection(corpus):
    docs = [extracted(f"d{i}", sentences) for i, sentences in enumerate(corpus)]
    resolution = resolve_entities(docs)
    G = build_graph(docs, resolution, "document")
    B = nx.Graph()
    for d in docs:
        for m in d.mentions:
            B.add_edge(("doc", d.info.id), resolution.entity_of[(m.doc, m.start)])
    entities = [n for n in B if not isinstance(n, tuple)]
    oracle = nx.bipartite.weighted_projected_graph(B, entities)
    assert set(G.nodes) == set(oracle.nodes)
    assert {frozenset(e): d["weight"] for e, d in
            ((e[:2], e[2]) for e in G.edges(data=True))} == {
        frozenset(e[:2]): e[2]["weight"] for e in oracle.edges(data=True)}
    assert all(d["weight"] == d["documents"] for _, _, d in G.edges(data=True))


@settings(max_examples=60, deadline=None)
@given(corpora, st.sampled_from(["sentence", "paragraph", "document"]), st.randoms())
def test_build_graph_properties(corpus, window, rnd):
    docs = [extracted(f"d{i}", sentences) for i, sentences in enumerate(corpus)]
    G = graph_of(docs, window)
    windows = sum(len(s) for s in corpus)
    assert nx.number_of_selfloops(G) == 0
    for _, _, data in G.edges(data=True):
        assert 1 <= data["documents"] <= data["weight"] <= windows
        assert 1 <= len(read_evidence(data["evidence"])) <= 3
    shuffled = docs[:]
    rnd.shuffle(shuffled)
    H = graph_of(shuffled, window)
    assert nx.utils.graphs_equal(G, H)


@settings(max_examples=80, deadline=None)
@given(corpora, st.sampled_from(["sentence", "paragraph", "document"]), st.integers(0, 6),
       st.integers(1, 3), st.randoms())
def test_count_links_partials_merge_to_the_whole(corpus, window, cut, limit, rnd):
    from graph.cooccurrence import count_links, graph_from_links

    docs = [extracted(f"d{i}", s) for i, s in enumerate(corpus)]
    rnd.shuffle(docs)  # partials are any disjoint sets of documents
    resolution = resolve_entities(docs)
    whole = graph_from_links(count_links(docs, resolution.entity_of, window, limit),
                             resolution, limit)
    first = count_links(docs[:cut], resolution.entity_of, window, limit)
    second = count_links(docs[cut:], resolution.entity_of, window, limit)
    merged = graph_from_links(second.merge(first, limit), resolution, limit)
    assert nx.utils.graphs_equal(whole, merged)
    assert [d["evidence"] for *_, d in sorted(whole.edges(data=True))] == [
        d["evidence"] for *_, d in sorted(merged.edges(data=True))]


def word(i: int) -> str:
    """A made-up capitalised word, far in spelling from the others."""
    digest = hashlib.sha256(str(i).encode()).hexdigest()
    return "".join(chr(ord("a") + int(c, 16)) for c in digest[:8]).capitalize()


def roster(count: int) -> list[tuple[str, str]]:
    """``count`` distinct person names, as in a list of signatories."""
    return [(f"{word(i)} {word(-i - 1)}", "PERSON") for i in range(count)]


def person_id(i: int) -> str:
    return f"person:{word(i).lower()}-{word(-i - 1).lower()}"


def test_build_graph_list_window_links_each_entity_to_its_nearest_only():
    from graph.config import LIST_NEIGHBOURS, WINDOW_ENTITY_LIMITS

    names = roster(400)
    G = graph_of([extracted("a", [names])])
    ids = [person_id(i) for i in range(400)]
    assert G.number_of_nodes() == 400
    expected = {tuple(sorted((ids[i], ids[j]))) for i in range(400)
                for j in range(i + 1, min(400, i + 1 + LIST_NEIGHBOURS))}
    assert {tuple(sorted(e)) for e in G.edges} == expected
    assert max(d for _, d in G.degree) == 2 * LIST_NEIGHBOURS
    assert WINDOW_ENTITY_LIMITS["sentence"] < 400


def test_build_graph_window_at_the_limit_links_every_pair():
    from graph.config import WINDOW_ENTITY_LIMITS

    limit = WINDOW_ENTITY_LIMITS["sentence"]
    G = graph_of([extracted("a", [roster(limit)])])
    assert G.number_of_edges() == limit * (limit - 1) // 2
    H = build_graph([extracted("a", [roster(limit)])],
                    resolve_entities([extracted("a", [roster(limit)])]),
                    max_window_entities=limit - 1)
    assert H.number_of_edges() < limit * (limit - 1) // 2


def test_count_links_names_the_capped_windows():
    from graph.cooccurrence import CappedWindow, count_links

    docs = [extracted("b", [roster(3), roster(40)]), extracted("a", [roster(30)])]
    links = count_links(docs, resolve_entities(docs).entity_of, "sentence", 3)
    assert links.capped == [CappedWindow("a", 0, 30), CappedWindow("b", 1, 40)]
    assert count_links(docs, resolve_entities(docs).entity_of, "document", 3).capped == []


def test_build_graph_long_sentence_evidence_is_cut_around_the_pair():
    from graph.config import EVIDENCE_CHARS
    from graph.types import DocumentInfo, ExtractedDocument, Mention, Sentence

    names = ["Alice Moreau", *(word(i) for i in range(20)), "Bob Lind"]
    filler = " said that " + "nothing " * 40
    text = filler.join(names) + "."
    mentions, start = [], 0
    for name in names:
        at = text.index(name, start)
        start = at + len(name)
        # the document's text had double spaces, collapsed in the sentence: offsets lead
        mentions.append(Mention("a", 10 + 2 * at, 10 + 2 * at + len(name), name,
                                "PERSON" if " " in name else "ORG", name, 0, 0))
    doc = ExtractedDocument(DocumentInfo("a", None, None, None, None), tuple(mentions),
                            (Sentence(0, 10, 10 + 2 * len(text), text),))
    G = graph_of([doc])
    passage = evidence_of(G, "person:alice-moreau", "person:bob-lind")[0].text
    assert len(text) > 7_000 and len(passage) <= EVIDENCE_CHARS + 2
    assert passage.startswith("Alice Moreau said") and passage.endswith("Bob Lind.")
    assert " … " in passage
    near = evidence_of(G, f"org:{word(3).lower()}", f"org:{word(4).lower()}")[0].text
    assert len(near) <= EVIDENCE_CHARS + 2 and word(3) in near and word(4) in near
    assert near.startswith("…") and near.endswith("…") and " … " not in near
