"""Properties over random and adversarial text: reading, extraction, resolution and export.

Nothing raises (a corpus with nothing readable raises NoDocuments, and only that), every
export parses, no control character reaches XML, mention offsets index the text read, and
GraphML, GEXF, CSV and JSON agree on nodes, labels, types and weights.

The model is a blank English pipeline whose "recogniser" marks every run of capitalised
tokens as an entity, so any adversarial word can become an entity name.
"""

from __future__ import annotations

import csv
import json
import re
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pytest
import spacy
import xmlschema
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc, Span

from graph.config import OUTPUT_MARKER, Settings
from graph.corpus import SUFFIXES, read_corpus
from graph.errors import NoDocuments
from graph.export import FORMULA_STARTS, _node_ids, read_json
from graph.pipeline import OUTPUT_FILES, STORE_FILE, run
from graph.types import Document, Skipped

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "graphml"

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LABELS = ("PERSON", "ORG", "GPE")

ADVERSARIAL_WORDS = [
    "Alice", "ÉLODIE", "Σωκράτης", "İstanbul", "ǅemal", "Straße", "E\u0301mile", "ＦＵＬＬ",
    "=CMD()", "@Bob", "-Minus", "+Plus", "O'Brien", "Ab\x00c", "De\ud800f", "\u202eRTL",
    "Zoë\ufffe", "Tab\tbed", "</script>", "<b>&amp;", "]]>", "Ω\x0bΩ", "Mc\u2028Line",
    "𝐁old", "Ⅻ", "\U00020000Han", "the", "and", "Ministry", "of", "Paris", "\x1b[31mRed",
]
"""Words that have broken text tools: controls, surrogates, bidi, formulas, markup."""

words = st.one_of(
    st.sampled_from(ADVERSARIAL_WORDS),
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=6),
)
separators = st.sampled_from([" ", " ", " ", ". ", ", ", "\n", "\n\n", "\r\n", "\t", "  "])
texts = st.lists(st.tuples(words, separators), max_size=30).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)


@Language.component("test_capitalised_runs")
def capitalised_runs(doc: Doc) -> Doc:
    """Every run of tokens starting with an upper-case letter is an entity."""
    spans, start = [], None
    for token in [*doc, None]:
        capital = token is not None and token.text[:1].isupper()
        if capital and start is None:
            start = token.i
        elif not capital and start is not None:
            end = token.i if token is not None else len(doc)
            spans.append(Span(doc, start, end, label=LABELS[(end - start) % 3]))
            start = None
    doc.ents = spans
    return doc


@lru_cache(maxsize=1)
def capitals_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("test_capitalised_runs")
    return nlp


@lru_cache(maxsize=1)
def graphml_schema() -> xmlschema.XMLSchema | None:
    if not (SCHEMA_DIR / "graphml.xsd").is_file():
        return None
    return xmlschema.XMLSchema(str(SCHEMA_DIR / "graphml.xsd"), base_url=str(SCHEMA_DIR),
                               allow="local")


def write_corpus(folder: Path, articles: list[str]) -> None:
    """The articles as .txt files (UTF-8, lone surrogates as their raw bytes), one .jsonl
    record each (escaped, so surrogates survive) and one .csv row each."""
    folder.mkdir()
    for i, text in enumerate(articles):
        (folder / f"{i}.txt").write_bytes(text.encode("utf-8", "surrogatepass"))
    lines = [json.dumps({"text": t, "title": t[:20]}) for t in articles]
    (folder / "r.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with open(folder / "r.csv", "w", encoding="utf-8", newline="",
              errors="surrogatepass") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "date"])
        writer.writerows([t, "2024-01-02"] for t in articles)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows and all(len(row) == len(rows[0]) for row in rows), path
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def unneutralised(cell: str) -> str:
    """A CSV cell as it was before a leading ``'`` was added to stop a formula."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS and cell[1:2] else cell


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from(SUFFIXES))
def test_read_corpus_any_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                               suffix: str) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"x{suffix}"
    path.write_bytes(data)
    for item in read_corpus([path]):
        if isinstance(item, Skipped):
            assert item.reason and item.path.startswith(str(path))
            continue
        assert isinstance(item, Document)
        assert not NOT_TEXT.search(item.text)
        previous_end = 0
        for start, end in item.segments:
            assert previous_end <= start < end <= len(item.text)
            previous_end = end


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles=st.lists(texts, min_size=1, max_size=3))
def test_build_and_export_adversarial_text(tmp_path_factory: pytest.TempPathFactory,
                                           articles: list[str]) -> None:
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root / "in", articles)
    out = root / "out"
    try:
        G = run(Settings(paths=(root / "in",), out=out), nlp=capitals_nlp()).graph
    except NoDocuments:
        assert not any(a.strip() for a in articles)
        return

    # every export parses, and no character XML cannot carry gets into XML
    for name in ("graph.graphml", "graph.gexf"):
        assert not XML_ILLEGAL.search((out / name).read_text(encoding="utf-8"))
    schema = graphml_schema()
    if schema is not None:
        schema.validate(str(out / "graph.graphml"))
    graphml = nx.read_graphml(out / "graph.graphml")
    gexf = nx.read_gexf(out / "graph.gexf")
    node_link = read_json(out / "graph.json")
    nodes, edges = read_csv(out / "nodes.csv"), read_csv(out / "edges.csv")
    json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert (out / "graph.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert {p.name for p in out.iterdir()} == {*OUTPUT_FILES.values(), STORE_FILE, OUTPUT_MARKER}

    # the formats agree on nodes, labels, types and weights
    ids = _node_ids(G.nodes)
    expected_nodes = {n: (d["label"], d["type"]) for n, d in G.nodes(data=True)}
    weights = {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    event("edges" if weights else "nodes only" if G else "no entities")
    assert all(isinstance(w, int) and w > 0 for w in weights.values())
    assert {n: (d["label"], d["type"]) for n, d in node_link.nodes(data=True)} == expected_nodes
    assert {n: (d.get("label", ""), d["type"]) for n, d in gexf.nodes(data=True)} == {
        n: (XML_ILLEGAL.sub("", label), kind) for n, (label, kind) in expected_nodes.items()}
    assert {ids[n] for n in G} == set(graphml.nodes)
    assert {r["Id"] for r in nodes} == {unneutralised(n) for n in G}
    by_id = {ids[n]: n for n in G}
    for name, read in (
        ("json", {frozenset(e): w for *e, w in node_link.edges(data="weight")}),
        ("gexf", {frozenset(e): w for *e, w in gexf.edges(data="weight")}),
        ("graphml", {frozenset(by_id[x] for x in e): w
                     for *e, w in graphml.edges(data="weight")}),
        ("csv", {frozenset((r["Source"], r["Target"])): float(r["Weight"]) for r in edges}),
    ):
        assert read == weights, name

    # mention offsets index the text as read
    texts_read = {d.id: d.text for d in read_corpus([root / "in"]) if isinstance(d, Document)}
    for row in read_csv(out / "mentions.csv"):
        start, end = int(row["start"]), int(row["end"])
        assert texts_read[row["doc"]][start:end] == unneutralised(row["text"])
        assert row["entity"] in G
