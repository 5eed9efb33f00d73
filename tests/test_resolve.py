"""Each resolution rule with hand-built mentions (no model), plus order and idempotence."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.overrides import Overrides, read_overrides
from graph.resolve import entity_id, resolve_entities, slug
from graph.types import Sentence

from .factories import extracted


def resolve(*docs, **kwargs):
    return resolve_entities(list(docs), **kwargs)


def labels(resolution):
    return {e.id: (e.label, e.type, e.aliases) for e in resolution.entities.values()}


def rules(resolution):
    return {(m.entity, m.name, m.rule) for m in resolution.merges}


def test_slug_is_stable_and_whitespace_free():
    assert slug("Benjamin Netanyahu") == "benjamin-netanyahu"
    assert slug("Belém") == "belem"
    assert slug("  Al-Hayya  ") == "al-hayya"
    assert slug("北京") == "北京"


def test_entity_id_prefixes_type():
    assert entity_id("PERSON", "Benjamin Netanyahu") == "person:benjamin-netanyahu"
    assert entity_id("PLACE", "!!!") == "place:unnamed"


def test_same_name_ignoring_case_accents_and_punctuation():
    r = resolve(extracted("a", [[("Gaza Strip", "PLACE")], [("Gaza Strip", "PLACE")]]),
                extracted("b", [[("GAZA STRIP", "PLACE")], [("Gaza-Strip", "PLACE")]]))
    assert labels(r) == {"place:gaza-strip": (
        "Gaza Strip", "PLACE", ("GAZA STRIP", "Gaza Strip", "Gaza-Strip"))}
    assert ("place:gaza-strip", "Gaza-Strip", "same name") in rules(r)


def test_ignored_words_titles_and_numbers_are_dropped():
    r = resolve(extracted("a", [[("Defence", "ORG"), ("President", "PERSON"), ("2024", "ORG"),
                                 ("Hamas", "ORG")]]))
    assert list(r.entities) == ["org:hamas"] and r.ignored == 3


def test_country_names_and_codes_are_one_place():
    r = resolve(extracted("a", [[("US", "PLACE")], [("U.S.", "PLACE")]]),
                extracted("b", [[("United States", "PLACE")], [("USA", "PLACE")]]))
    [entity] = r.entities.values()
    assert (entity.type, set(entity.aliases)) == ("PLACE", {"US", "U.S.", "United States", "USA"})


def test_country_code_only_counts_for_places():
    r = resolve(extracted("a", [[("GB", "ORG")], [("United Kingdom", "PLACE")]]))
    assert len(r.entities) == 2
    r = resolve(extracted("a", [[("GB", "PLACE")], [("United Kingdom", "PLACE")]]))
    assert len(r.entities) == 1


def test_demonyms_are_mapped_only_when_asked():
    doc = extracted("a", [[("Israeli", "GROUP")], [("Israel", "PLACE")]])
    assert sorted(resolve(doc, demonyms=True).entities) == ["place:israel"]
    alone = extracted("a", [[("Israeli", "GROUP")], [("Israeli", "GROUP")]])
    assert labels(resolve(alone, demonyms=True)) == {
        "place:israel": ("Israel", "PLACE", ("Israeli",))}
    assert sorted(resolve(doc, types=["PLACE"]).entities) == ["place:israel"]
    assert len(resolve(doc, types=["PLACE"]).entities["place:israel"].aliases) == 1


def test_acronym_defined_in_text():
    r = resolve(extracted("a", [[("International Criminal Court", "ORG"), ("(ICC)", "ORG")]]),
                extracted("b", [[("ICC", "ORG")]]))
    [entity] = r.entities.values()
    assert entity.aliases == ("ICC", "International Criminal Court")
    assert any(m.rule == "acronym defined in text" for m in r.merges)


def test_acronym_by_unique_initials_only():
    unique = resolve(extracted("a", [[("International Monetary Fund", "ORG")]]),
                     extracted("b", [[("IMF", "ORG")]]))
    assert len(unique.entities) == 1
    ambiguous = resolve(extracted("a", [[("Asian Development Bank", "ORG")]]),
                        extracted("b", [[("African Development Bank", "ORG")]]),
                        extracted("c", [[("ADB", "ORG")]]))
    assert len(ambiguous.entities) == 3


def test_surname_links_to_full_name_in_same_document():
    r = resolve(extracted("a", [[("Gideon Saar", "PERSON")], [("Saar", "ORG")],
                                [("Saar", "ORG")]]))
    assert labels(r) == {"person:gideon-saar": ("Gideon Saar", "PERSON", ("Gideon Saar", "Saar"))}
    assert ("person:gideon-saar", "Saar", "short form in document") in rules(r)


def test_ambiguous_surname_joins_nearest_preceding_never_merges_people():
    r = resolve(extracted("a", [[("John Smith", "PERSON")], [("Smith", "PERSON")],
                                [("Mary Smith", "PERSON")], [("Smith", "PERSON")]]))
    assert set(r.entities) == {"person:john-smith", "person:mary-smith"}
    assert r.entity_of[("a", 10 + 10 + 5)] == "person:john-smith"
    ids = [r.entity_of[k] for k in sorted(r.entity_of)]
    assert ids == ["person:john-smith", "person:john-smith", "person:mary-smith",
                   "person:mary-smith"]


def test_ambiguous_surname_before_any_full_name_stays_alone():
    r = resolve(extracted("a", [[("Smith", "PERSON")], [("John Smith", "PERSON")],
                                [("Mary Smith", "PERSON")]]))
    assert "person:smith" in r.entities


def test_surname_across_documents_only_when_unique():
    r = resolve(extracted("a", [[("Donald Trump", "PERSON")]]),
                extracted("b", [[("Trump", "PERSON")]]))
    assert list(r.entities) == ["person:donald-trump"]
    r = resolve(extracted("a", [[("John Smith", "PERSON")]]),
                extracted("b", [[("Mary Smith", "PERSON")]]),
                extracted("c", [[("Smith", "PERSON")]]))
    assert "person:smith" in r.entities and len(r.entities) == 3


def test_short_organisation_name_in_document():
    r = resolve(extracted("a", [[("European Commission", "ORG")], [("Commission", "ORG")]]))
    assert list(r.entities) == ["org:european-commission"]


def test_place_and_its_generic_name():
    r = resolve(extracted("a", [[("Gaza", "PLACE")], [("Gaza", "PLACE")]]),
                extracted("b", [[("Gaza Strip", "PLACE")]]))
    assert list(r.entities) == ["place:gaza"]


def test_spelling_variants_merge_within_type_when_unambiguous():
    r = resolve(extracted("a", [[("Katarzyna Nowak", "PERSON")]]),
                extracted("b", [[("Katarzyna Novak", "PERSON")]]),
                extracted("c", [[("Mohammed Haddad", "PERSON")]]),
                extracted("d", [[("Mohamed Haddad", "PERSON")]]))
    assert len(r.entities) == 2
    assert sum(m.rule == "spelling variant" for m in r.merges) == 2


def test_spelling_variants_guard_short_and_gendered_names():
    r = resolve(extracted("a", [[("John Smith", "PERSON")]]),
                extracted("b", [[("Joan Smith", "PERSON")]]),
                extracted("c", [[("Maria Lopez", "PERSON")]]),
                extracted("d", [[("Mario Lopez", "PERSON")]]),
                extracted("e", [[("Hamas Office", "ORG")]]),
                extracted("f", [[("Hamas Offices", "PERSON")]]))
    assert len(r.entities) == 6


def test_type_by_vote_one_mistyped_mention_is_outvoted():
    r = resolve(extracted("a", [[("Khan Younis", "PLACE")], [("Khan Younis", "PLACE")]]),
                extracted("b", [[("Khan Younis", "PERSON")]]))
    assert labels(r) == {"place:khan-younis": ("Khan Younis", "PLACE", ("Khan Younis",))}
    assert ("place:khan-younis", "Khan Younis", "type vote") in rules(r)


def test_type_by_vote_context_cue():
    r = resolve(extracted("a", [[("Khan Younis", "PERSON", "PLACE")]]))
    assert list(r.entities) == ["place:khan-younis"]


def test_user_aliases_and_types_and_ignore(tmp_path):
    (tmp_path / "aliases.csv").write_text(
        "alias,canonical,type\nBibi,Benjamin Netanyahu,PERSON\nThe Hague,The Hague,PLACE\n",
        encoding="utf-8")
    (tmp_path / "ignore.txt").write_text("# never entities\nProject Hope\n", encoding="utf-8")
    overrides = read_overrides(tmp_path / "aliases.csv", tmp_path / "ignore.txt")
    r = resolve(extracted("a", [[("Bibi", "ORG")], [("Benjamin Netanyahu", "PERSON")],
                                [("Project Hope", "ORG")], [("The Hague", "ORG")]]),
                overrides=overrides)
    assert labels(r) == {
        "person:benjamin-netanyahu": (
            "Benjamin Netanyahu", "PERSON", ("Benjamin Netanyahu", "Bibi")),
        "place:the-hague": ("The Hague", "PLACE", ("The Hague",)),
    }
    assert ("person:benjamin-netanyahu", "Bibi", "your alias file") in rules(r)


names = st.sampled_from(["Hamas", "HAMAS", "Gaza", "Gaza Strip", "Qatar", "Saar", "Gideon Saar",
                         "U.S.", "US", "Smith", "John Smith", "Mary Smith", "IMF",
                         "International Monetary Fund", "Novak", "Katarzyna Nowak",
                         "Katarzyna Novak"])
kinds = st.sampled_from(["PERSON", "ORG", "PLACE"])
corpora = st.lists(st.lists(st.lists(st.tuples(names, kinds), min_size=1, max_size=3),
                            min_size=1, max_size=3), min_size=1, max_size=5)


@settings(max_examples=80, deadline=None)
@given(corpora, st.randoms())
def test_resolve_entities_independent_of_document_order(corpus, rnd):
    docs = [extracted(f"d{i}", sentences) for i, sentences in enumerate(corpus)]
    shuffled = docs[:]
    rnd.shuffle(shuffled)
    first, second = resolve_entities(docs), resolve_entities(shuffled)
    assert first.entities == second.entities
    assert first.entity_of == second.entity_of
    assert first.merges == second.merges


@settings(max_examples=60, deadline=None)
@given(corpora)
def test_resolve_entities_idempotent(corpus):
    docs = [extracted(f"d{i}", sentences) for i, sentences in enumerate(corpus)]
    first = resolve_entities(docs)
    # feed the resolved labels and types back in: the partition and labels stay the same
    again_docs = []
    for doc in docs:
        entries = []
        for m in doc.mentions:
            entity = first.entities.get(first.entity_of.get((m.doc, m.start), ""))
            if entity is not None:
                entries.append([(entity.label, entity.type)])
        if entries:
            again_docs.append(extracted(doc.info.id, entries))
    again = resolve_entities(again_docs)
    assert {(e.label, e.type) for e in again.entities.values()} == {
        (e.label, e.type) for e in first.entities.values()}


def test_overrides_default_is_empty():
    assert Overrides().canonical == {}


def test_resolve_entities_drops_types_not_kept_after_the_vote():
    # the recogniser reads "Oscar" as a person once and as an award (EVENT) twice
    r = resolve(extracted("a", [[("Oscar", "PERSON")], [("Oscar", "EVENT", "EVENT")]]),
                extracted("b", [[("Oscar", "EVENT")], [("Hamas", "ORG")]]),
                types=("PERSON", "ORG", "PLACE"))
    assert list(r.entities) == ["org:hamas"]
    assert r.ignored == 3


def test_resolve_entities_drops_names_the_corpus_writes_in_lower_case():
    doc = extracted("a", [[("Budget", "ORG")], [("Ryanair", "ORG")]])
    text = "the budget deficit and the budget vote; a budget cut"
    doc = replace(doc, sentences=(*doc.sentences, Sentence(9, 900, 950, text)))
    r = resolve(doc)
    assert list(r.entities) == ["org:ryanair"]


def test_resolve_entities_joins_an_organisation_and_its_generic_ending():
    r = resolve(extracted("a", [[("Labour", "ORG")]]),
                extracted("b", [[("Labour Party", "ORG")], [("Labour", "ORG")]]))
    [entity] = r.entities.values()
    assert set(entity.aliases) == {"Labour", "Labour Party"} and entity.type == "ORG"
    assert ("org:labour", "Labour Party", "organisation and its generic name") in rules(r)


def test_resolve_entities_joins_a_name_and_its_plural():
    r = resolve(extracted("a", [[("Lib Dem", "ORG")]]), extracted("b", [[("Lib Dems", "ORG")]]))
    [entity] = r.entities.values()
    assert set(entity.aliases) == {"Lib Dem", "Lib Dems"}


def test_resolve_entities_keeps_city_and_state_apart_from_the_place():
    r = resolve(extracted("a", [[("New York", "PLACE")], [("New York City", "PLACE")]]),
                extracted("b", [[("New York State", "PLACE")], [("Gaza Strip", "PLACE")],
                                [("Gaza", "PLACE")]]))
    assert {e.label for e in r.entities.values()} == {
        "New York", "New York City", "New York State", "Gaza Strip"}


def test_short_form_first_name_joins_only_a_person_mention():
    # the film "Ray" in a story on Ray Charles is no short form of him
    r = resolve(extracted("a", [[("Ray Charles", "PERSON")], [("Ray", "WORK")],
                                [("Charles", "PERSON")]]))
    person = r.entities["person:ray-charles"]
    assert set(person.aliases) == {"Ray Charles", "Charles"}


def test_short_form_of_organisation_not_when_the_part_is_named_more_on_its_own():
    # "U.N." stands on its own in more articles than "U.N. General Assembly"
    r = resolve(extracted("a", [[("U.N. General Assembly", "ORG")], [("U.N.", "ORG")]]),
                extracted("b", [[("U.N.", "ORG")]]), extracted("c", [[("U.N.", "ORG")]]))
    assert set(r.entities["org:u-n"].aliases) == {"U.N."}
    assert r.entities["org:u-n-general-assembly"].aliases == ("U.N. General Assembly",)


def test_resolve_entities_nationality_word_is_no_person():
    r = resolve(extracted("a", [[("Welsh", "PERSON")], [("Cardiff", "PLACE")]]),
                types=("PERSON", "ORG", "PLACE"))
    assert list(r.entities) == ["place:cardiff"]


def test_resolve_entities_bare_country_code_needs_the_country_named():
    # "BT" is Bhutan's ISO code, but nothing here names Bhutan: it is the company
    r = resolve(extracted("a", [[("BT", "PLACE")], [("BT", "ORG")]]),
                extracted("b", [[("DE", "PLACE")], [("Germany", "PLACE")]]))
    assert {e.id: set(e.aliases) for e in r.entities.values()} == {
        "org:bt": {"BT"}, "place:germany": {"DE", "Germany"}}


def test_resolve_entities_drops_a_generic_phrase_many_institutions_share():
    doc = extracted("a", [[("Central Bank", "ORG")], [("Bank Indonesia", "ORG")]])
    text = "the central bank said; a central bank rate; every central bank"
    doc = replace(doc, sentences=(*doc.sentences, Sentence(9, 900, 960, text)))
    assert list(resolve(doc).entities) == ["org:bank-indonesia"]


def test_short_form_is_no_common_word_or_generic_ending():
    # "House" in a story on the White House, "Party" after the Labour Party
    doc = extracted("a", [[("White House", "ORG")], [("House", "ORG")],
                          [("Labour Party", "ORG")], [("Party", "ORG")]])
    text = "the house vote; a house; this house and that house"
    doc = replace(doc, sentences=(*doc.sentences, Sentence(9, 900, 950, text)))
    r = resolve(doc)
    assert r.entities["org:white-house"].aliases == ("White House",)
    assert r.entities["org:labour-party"].aliases == ("Labour Party",)


def test_acronym_used_far_more_widely_than_its_definition_joins_only_there():
    defining = extracted("a", [[("Frontier Exploration Department", "ORG"), ("(FED)", "ORG")],
                               [("FED", "ORG")]])
    others = [extracted(f"b{i}", [[("FED", "ORG")]]) for i in range(5)]
    r = resolve(defining, *others)
    assert set(r.entities["org:frontier-exploration-department"].aliases) == {
        "Frontier Exploration Department", "FED"}
    assert r.entities["org:frontier-exploration-department"] != r.entities.get("org:fed")
    assert sum(1 for key, e in r.entity_of.items() if e == "org:fed") == 5


def test_resolve_entities_context_words_overrule_an_unbacked_reading():
    # the model reads "Yukos" as a person every time; the words around it say company
    docs = [extracted(f"d{i}", [[("Yukos", "PERSON", "ORG" if i % 3 == 0 else "")]])
            for i in range(12)]
    assert list(resolve(*docs).entities) == ["org:yukos"]
    # a person named with a title somewhere keeps the type
    docs.append(extracted("t", [[("Yukos", "PERSON", "PERSON")], [("Yukos", "PERSON", "PERSON")]]))
    assert list(resolve(*docs).entities) == ["person:yukos"]


def test_resolve_entities_context_words_never_make_a_place():
    # "in Parliament" four times of ten: the vote keeps ORG, and the cues do not move it
    docs = [extracted(f"d{i}", [[("Parliament", "ORG", "PLACE" if i < 4 else "")]])
            for i in range(10)]
    assert list(resolve(*docs).entities) == ["org:parliament"]


def test_alias_file_canonical_name_is_the_label():
    overrides = Overrides(canonical={"gb": "United Kingdom", "blighty": "United Kingdom",
                                     "united kingdom": "United Kingdom"})
    r = resolve(extracted("a", [[("Blighty", "PLACE")], [("Blighty", "PLACE")]]),
                overrides=overrides)
    [entity] = r.entities.values()
    assert entity.label == "United Kingdom"


def test_pieces_of_names_cut_at_a_company_ending_are_dropped_not_joined():
    # "Sanwa\nBank Ltd" cut at the line break: "Bank Ltd" and "Bank AG" are no bank
    doc = extracted("a", [[("Bank Ltd", "ORG")], [("Bank AG", "ORG")], [("Bank", "ORG")],
                          [("Sanwa Bank", "ORG")]])
    text = "the bank said; a bank loan; the bank rate"
    doc = replace(doc, sentences=(*doc.sentences, Sentence(9, 900, 950, text)))
    assert list(resolve(doc).entities) == ["org:sanwa-bank"]


def test_first_word_of_the_only_organisation_so_named_joins_it_across_documents():
    r = resolve(extracted("a", [[("Shearson Lehman Brothers", "ORG")]]),
                extracted("b", [[("Shearson Lehman Brothers", "ORG")]]),
                extracted("c", [[("Shearson", "ORG")]]),
                extracted("d", [[("Ford Motor", "ORG")], [("Ford Foundation", "ORG")]]),
                extracted("e", [[("Ford", "ORG")]]))
    assert set(r.entities["org:shearson-lehman-brothers"].aliases) == {
        "Shearson Lehman Brothers", "Shearson"}
    assert r.entities["org:ford"].aliases == ("Ford",)  # two organisations start so


def test_former_countries_are_places_under_all_their_names():
    r = resolve(extracted("a", [[("Soviet Union", "ORG")], [("USSR", "ORG")]]))
    [entity] = r.entities.values()
    assert (entity.type, set(entity.aliases)) == ("PLACE", {"Soviet Union", "USSR"})


def test_place_read_as_a_person_is_no_short_form_of_a_club():
    r = resolve(extracted("a", [[("Manchester United", "ORG")], [("Manchester", "PERSON")],
                                [("Barrick Gold", "ORG")], [("Barrick", "PERSON")]]))
    assert set(r.entities["org:barrick-gold"].aliases) == {"Barrick Gold", "Barrick"}
    assert r.entities["org:manchester-united"].aliases == ("Manchester United",)


def test_a_name_capitalised_inside_sentences_is_no_common_word():
    # "labour costs" four times, but "Labour" with a capital inside sentences four times too
    doc = extracted("a", [[("Hamas", "ORG"), ("Labour", "ORG")] for _ in range(4)])
    text = "labour costs; labour market; labour law; child labour"
    doc = replace(doc, sentences=(*doc.sentences, Sentence(9, 900, 960, text)))
    assert "org:labour" in resolve(doc).entities


def test_plural_of_a_common_word_is_not_joined():
    # "both Houses" of a parliament are not "the House"
    doc = extracted("a", [[("House", "ORG")], [("Houses", "ORG")], [("Reuter", "ORG")],
                          [("Reuters", "ORG")]])
    text = "a house; the house; his house; the house price"
    doc = replace(doc, sentences=(*doc.sentences, Sentence(9, 900, 950, text)))
    r = resolve(doc)
    assert set(r.entities["org:reuters"].aliases) == {"Reuter", "Reuters"}
    assert not any({"House", "Houses"} <= set(e.aliases) for e in r.entities.values())


def test_a_person_of_a_country_read_as_one_place_is_the_person():
    r = resolve(extracted("a", [[("Amara Okafor", "PERSON")]]),
                extracted("b", [[("Amara Okafor of Nigeria", "PLACE")],
                                [("Bank of England", "ORG")]]))
    assert set(r.entities["person:amara-okafor"].aliases) == {
        "Amara Okafor", "Amara Okafor of Nigeria"}
    assert ("person:amara-okafor", "Amara Okafor of Nigeria", "person of a country") in rules(r)
    assert "org:bank-of-england" in r.entities
