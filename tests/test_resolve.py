from hypothesis import given, settings
from hypothesis import strategies as st

from graph.resolve import entity_id, resolve_entities, slug

from .factories import extracted


def test_slug_is_stable_and_whitespace_free():
    assert slug("Benjamin Netanyahu") == "benjamin-netanyahu"
    assert slug("Belém") == "belem"
    assert slug("U.S.") == "u-s"
    assert slug("  Al-Hayya  ") == "al-hayya"
    assert slug("北京") == "北京"


def test_entity_id_prefixes_type():
    assert entity_id("PERSON", "Benjamin Netanyahu") == "person:benjamin-netanyahu"
    assert entity_id("PLACE", "!!!") == "place:unnamed"


def test_resolve_entities_same_name_ignoring_case_and_punctuation():
    docs = [
        extracted("a", [[("Gaza Strip", "PLACE")], [("Gaza Strip", "PLACE")]]),
        extracted("b", [[("GAZA STRIP", "PLACE")], [("Gaza-Strip", "PLACE")]]),
    ]
    resolution = resolve_entities(docs)
    assert list(resolution.entities) == ["place:gaza-strip"]
    entity = resolution.entities["place:gaza-strip"]
    assert entity.label == "Gaza Strip"
    assert entity.aliases == ("GAZA STRIP", "Gaza Strip", "Gaza-Strip")
    assert {m.name for m in resolution.merges} == {"GAZA STRIP", "Gaza-Strip"}
    assert set(resolution.entity_of.values()) == {"place:gaza-strip"}


def test_resolve_entities_keeps_types_apart():
    docs = [extracted("a", [[("Washington", "PLACE"), ("Washington", "PERSON")]])]
    assert sorted(resolve_entities(docs).entities) == ["person:washington", "place:washington"]


def test_resolve_entities_label_tie_prefers_longer_then_alphabetical():
    docs = [extracted("a", [[("U.S.", "PLACE")], [("u.s", "PLACE")]])]
    assert resolve_entities(docs).entities["place:u-s"].label == "U.S."


names = st.sampled_from(["Hamas", "HAMAS", "Gaza", "gaza", "Qatar", "Saar", "U.S.", "US"])
kinds = st.sampled_from(["PERSON", "ORG", "PLACE"])
corpora = st.lists(st.lists(st.lists(st.tuples(names, kinds), min_size=1, max_size=3),
                            min_size=1, max_size=3), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(corpora, st.randoms())
def test_resolve_entities_independent_of_document_order(corpus, rnd):
    docs = [extracted(f"d{i}", sentences) for i, sentences in enumerate(corpus)]
    shuffled = docs[:]
    rnd.shuffle(shuffled)
    first, second = resolve_entities(docs), resolve_entities(shuffled)
    assert first.entities == second.entities
    assert first.entity_of == second.entity_of
    assert first.merges == second.merges


@settings(max_examples=40, deadline=None)
@given(corpora)
def test_resolve_entities_idempotent_on_labels(corpus):
    docs = [extracted(f"d{i}", sentences) for i, sentences in enumerate(corpus)]
    resolution = resolve_entities(docs)
    relabelled = [
        extracted(f"d{i}", [[(resolution.entities[entity_id(k, n)].label, k) for n, k in s]
                            for s in sentences])
        for i, sentences in enumerate(corpus)
    ]
    again = resolve_entities(relabelled)
    assert {e.id: e.label for e in again.entities.values()} == {
        e.id: e.label for e in resolution.entities.values()}
