"""Incremental runs: stored extractions are reused, new articles parsed, removed ones gone."""

import shutil
import sqlite3
from pathlib import Path

import pytest

import graph
from graph.corpus import sample_corpus
from graph.errors import OutputError
from graph.store import ExtractionStore, document_key, fingerprint
from graph.types import Document, DocumentInfo, ExtractedDocument, Mention, Sentence

pytestmark = pytest.mark.model


def corpus(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for file in sorted(sample_corpus().glob("*.txt"))[:count]:
        shutil.copy(file, folder)
    return folder


def test_warm_run_reuses_every_extraction(real_nlp, tmp_path):
    folder = corpus(tmp_path, 4)
    cold = graph.build(folder, out=tmp_path / "out", nlp=real_nlp).report
    warm = graph.build(folder, out=tmp_path / "out", nlp=real_nlp, window="paragraph").report
    assert (cold.cache["reused"], cold.cache["parsed"]) == (0, 4)
    assert (warm.cache["reused"], warm.cache["parsed"]) == (4, 0)


def test_added_articles_are_the_only_ones_parsed_and_removed_ones_leave(real_nlp, tmp_path):
    folder = corpus(tmp_path, 3)
    out = tmp_path / "out"
    graph.build(folder, out=out, nlp=real_nlp)
    extra = sorted(sample_corpus().glob("*.txt"))[3]
    shutil.copy(extra, folder)
    report = graph.build(folder, out=out, nlp=real_nlp).report
    assert (report.cache["reused"], report.cache["parsed"]) == (3, 1)
    (folder / extra.name).unlink()
    G, report, _ = graph.build(folder, out=out, nlp=real_nlp)
    assert (report.cache["reused"], report.cache["parsed"]) == (3, 0)
    assert all(extra.name not in d["doc_ids"] for _, d in G.nodes(data=True))
    with sqlite3.connect(out / "extractions.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM extractions").fetchone() == (3,)


def test_cached_and_fresh_runs_give_identical_files(real_nlp, tmp_path):
    folder = corpus(tmp_path, 4)
    graph.build(folder, out=tmp_path / "a", nlp=real_nlp)
    graph.build(folder, out=tmp_path / "a", nlp=real_nlp)
    graph.build(folder, out=tmp_path / "b", nlp=real_nlp, use_cache=False)
    assert not (tmp_path / "b" / "extractions.sqlite").exists()
    for name in ("graph.graphml", "graph.html", "mentions.csv", "merges.csv", "graph.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_renamed_article_is_not_parsed_again(real_nlp, tmp_path):
    folder = corpus(tmp_path, 2)
    graph.build(folder, out=tmp_path / "out", nlp=real_nlp)
    first = sorted(folder.iterdir())[0]
    first.rename(folder / "renamed.txt")
    G, report, _ = graph.build(folder, out=tmp_path / "out", nlp=real_nlp)
    assert report.cache["parsed"] == 0
    assert any("renamed.txt" in d["doc_ids"] for _, d in G.nodes(data=True))


def test_other_model_settings_parse_again(real_nlp, tmp_path):
    folder = corpus(tmp_path, 2)
    graph.build(folder, out=tmp_path / "out", nlp=real_nlp)
    report = graph.build(folder, out=tmp_path / "out", nlp=real_nlp,
                         types=("PERSON", "ORG", "PLACE", "GROUP")).report
    assert report.cache["parsed"] == 2


def test_store_written_in_transactions_survives_an_unfinished_run(tmp_path):
    doc = Document("a.txt", "Hamas met.", ((0, 10),))
    extracted = ExtractedDocument(
        DocumentInfo.of(doc), (Mention("a.txt", 0, 5, "Hamas", "ORG", "Hamas", 0, 0),),
        (Sentence(0, 0, 10, "Hamas met."),))
    key = document_key(doc, fingerprint({"name": "m"}, ["ORG"]))
    store = ExtractionStore(tmp_path / "s.sqlite")
    store.put_many([(key, extracted)])
    store.close(prune=False)  # as if the run died here
    again = ExtractionStore(tmp_path / "s.sqlite")
    assert again.get(key, doc) == extracted
    again.close()


def test_corrupt_store_is_a_clear_error(tmp_path):
    (tmp_path / "s.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutputError, match="delete it, or run with --no-cache"):
        ExtractionStore(tmp_path / "s.sqlite").get("k", Document("a", "x", ((0, 1),)))


def test_jobs_2_gives_the_same_graph_as_jobs_1(real_nlp, tmp_path):
    folder = corpus(tmp_path, 6)
    graph.build(folder, out=tmp_path / "one", nlp=real_nlp, use_cache=False)
    graph.build(folder, out=tmp_path / "two", nlp=real_nlp, use_cache=False, jobs=2)
    for name in ("graph.graphml", "mentions.csv", "merges.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
