import re

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.consistency import _NameFinder, consistent_mentions
from graph.types import Document, Mention


def mention(doc, text, start, kind, cue=""):
    surface = doc.text[start:start + len(text)]
    assert surface == text
    return Mention(doc.id, start, start + len(text), text, kind, text, 0, 0, cue)


def test_one_type_per_name_and_missed_occurrences_added():
    text = "Hamas said no. Later Hamas agreed. Washington and Hamas met in Washington."
    doc = Document("d", text, ((0, len(text)),))
    found = [mention(doc, "Hamas", 0, "ORG"), mention(doc, "Hamas", 21, "PERSON"),
             mention(doc, "Washington", 35, "PLACE"), mention(doc, "Hamas", 50, "ORG")]
    sentences = [(0, 14), (15, 34), (35, len(text))]
    result = consistent_mentions(doc, found, sentences, [])
    assert [(m.text, m.start, m.type, m.sentence) for m in result] == [
        ("Hamas", 0, "ORG", 0), ("Hamas", 21, "ORG", 0), ("Washington", 35, "PLACE", 0),
        ("Hamas", 50, "ORG", 0), ("Washington", 63, "PLACE", 2)]


def test_surname_of_a_full_name_is_found():
    text = "Salem Bitar saved. Bitar saved again."
    doc = Document("d", text, ((0, len(text)),))
    result = consistent_mentions(doc, [mention(doc, "Salem Bitar", 0, "PERSON")],
                                 [(0, 18), (19, len(text))], [])
    assert [(m.text, m.start, m.type, m.sentence) for m in result] == [
        ("Salem Bitar", 0, "PERSON", 0), ("Bitar", 19, "PERSON", 1)]


def test_capitals_headline_matched_ignoring_case_only_inside_it():
    text = "JAPAN WIN\nJapan beat Syria. japan is a word here."
    doc = Document("d", text, ((0, 9), (10, len(text))))
    result = consistent_mentions(doc, [mention(doc, "Japan", 10, "PLACE")],
                                 [(0, 9), (10, 27), (28, len(text))], [(0, 9)])
    assert [(m.text, m.start) for m in result] == [("JAPAN", 0), ("Japan", 10)]


def test_only_analysed_segments_are_searched():
    text = "Hamas met.\n\nHamas met.\n\nHamas met."
    doc = Document("d", text, ((0, 10), (24, len(text))))
    result = consistent_mentions(doc, [mention(doc, "Hamas", 0, "ORG")], [(0, 10), (24, 34)], [])
    assert [m.start for m in result] == [0, 24]


NAME_ALPHABET = "AaBbUSé.' -_1\n"


@given(
    names=st.lists(
        st.text(NAME_ALPHABET, min_size=1, max_size=8).map(lambda s: "A" + s.strip()),
        min_size=1, max_size=5),
    text=st.text(NAME_ALPHABET, max_size=60),
    bounds=st.tuples(st.integers(0, 60), st.integers(0, 60)),
    ignore_case=st.booleans(),
)
@settings(max_examples=400, deadline=None)
def test_name_finder_matches_the_regular_expression_it_replaces(names, text, bounds,
                                                                 ignore_case):
    start, end = min(bounds), min(max(bounds), len(text))
    start = min(start, end)
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    pattern = re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)",
                         re.IGNORECASE if ignore_case else 0)
    expected = [m.span() for m in pattern.finditer(text, start, end)]
    found = list(_NameFinder(names).find(text, start, end, ignore_case=ignore_case))
    assert found == expected


def two_sentences(doc, *mentions):
    """consistent_mentions over a one-paragraph document of two sentences."""
    cut = min(i for i in (doc.text.find(". "), doc.text.find("? ")) if i >= 0) + 1
    return consistent_mentions(doc, list(mentions), [(0, cut), (cut + 1, len(doc.text))], [])


def test_consistent_mentions_cut_a_sentence_opener_off_a_known_name():
    text = "Will Gordon Brown stay? Gordon Brown will not say."
    doc = Document("d", text, ((0, len(text)),))
    got = two_sentences(doc, mention(doc, "Will Gordon Brown", 0, "PERSON"),
                        mention(doc, "Gordon Brown", 24, "PERSON"))
    assert [(m.text, m.start) for m in got] == [("Gordon Brown", 5), ("Gordon Brown", 24)]


def test_consistent_mentions_split_a_pair_of_known_names():
    text = "The Israel-Hamas talks. Hamas and Israel met."
    doc = Document("d", text, ((0, len(text)),))
    got = two_sentences(doc, mention(doc, "Israel-Hamas", 4, "ORG"),
                        mention(doc, "Hamas", 24, "ORG"), mention(doc, "Israel", 34, "PLACE"))
    assert [(m.text, m.type, m.start) for m in got] == [
        ("Israel", "PLACE", 4), ("Hamas", "ORG", 11), ("Hamas", "ORG", 24),
        ("Israel", "PLACE", 34)]


def test_consistent_mentions_surname_read_as_a_nationality_is_the_person():
    text = "David Campese played. Campese will retire."
    doc = Document("d", text, ((0, len(text)),))
    got = two_sentences(doc, mention(doc, "David Campese", 0, "PERSON"),
                        mention(doc, "Campese", 22, "GROUP"))
    assert [(m.text, m.type) for m in got] == [("David Campese", "PERSON"), ("Campese", "PERSON")]


def test_in_table_line_reads_only_a_row_s_length_of_a_long_line():
    # an article of one 20 MB line with tens of thousands of names must not be copied for
    # each name (that took minutes)
    import time

    from graph.consistency import in_table_line

    text = "Avg shrs 51.7 mln vs 43.4 mln\n" + "word " * 4_000_000
    assert in_table_line(text, 0)
    started = time.perf_counter()
    assert not any(in_table_line(text, 40 + 997 * i) for i in range(20_000))
    assert time.perf_counter() - started < 2.0
