"""Incremental runs: stored extractions are reused, new articles parsed, removed ones gone."""

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import graph
from graph.corpus import sample_corpus
from graph.errors import OutputError
from graph.store import BUSY_TIMEOUT, ExtractionStore, document_key, fingerprint
from graph.types import Document, DocumentInfo, ExtractedDocument, Mention, Sentence

from .test_bad_input import entity_graph

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


def test_other_types_reuse_the_store_another_model_parses_again(real_nlp, ruler_nlp, tmp_path):
    # every kind of name is extracted whatever --types keeps, so types are a graph setting
    folder = corpus(tmp_path, 2)
    graph.build(folder, out=tmp_path / "out", nlp=real_nlp)
    report = graph.build(folder, out=tmp_path / "out", nlp=real_nlp,
                         types=("PERSON", "ORG", "PLACE", "GROUP")).report
    assert (report.cache["parsed"], report.cache["reused"]) == (0, 2)
    report = graph.build(folder, out=tmp_path / "out", nlp=ruler_nlp).report
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


# --- a damaged, forged, busy or full store never stops a run nor reaches the outputs -------


def store_corpus(tmp_path: Path, copies: int = 1) -> Path:
    """Sample articles, each ``copies`` times with a different first line."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(copies):
        for file in sorted(sample_corpus().glob("*.txt"))[:4 if copies == 1 else None]:
            text = file.read_text(encoding="utf-8")
            (folder / f"{i}-{file.name}").write_text(f"Copy {i} of the story.\n{text}",
                                                      encoding="utf-8")
    return folder


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def rows(db_path: Path) -> list[tuple[str, str]]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return db.execute("SELECT key, payload FROM extractions ORDER BY key").fetchall()


def rewrite(db_path: Path, key: str, payload: str) -> None:
    """Replace a stored payload, as a forger who knows the row format would (the digest
    is recomputed, so only the check against the document's text can catch it)."""
    from graph.store import payload_digest

    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        db.execute("UPDATE extractions SET payload = ?, digest = ? WHERE key = ?",
                   (payload, payload_digest(key, payload), key))


def test_cli_damaged_store_rows_are_parsed_again_and_rewritten(tmp_path):
    folder = store_corpus(tmp_path)
    first = entity_graph("build", folder, "-o", tmp_path / "out")
    assert first.returncode == 0, first.stderr
    mentions = (tmp_path / "out" / "mentions.csv").read_bytes()
    store = tmp_path / "out" / "extractions.sqlite"
    (k1, _), (k2, _), (k3, p3), _ = rows(store)
    with contextlib.closing(sqlite3.connect(store)) as db, db:  # damage, as a crash or a tool
        db.execute("UPDATE extractions SET payload = '{\"m\": [[0, 5' WHERE key = ?", (k1,))
        db.execute("UPDATE extractions SET payload = '{\"m\": [[1, 2]], \"s\": []}' "
                   "WHERE key = ?", (k2,))
        db.execute("UPDATE extractions SET payload = ? WHERE key = ?",
                   (p3.replace('"PERSON"', '"ORG"'), k3))  # well-formed, flipped by damage
    result = entity_graph("build", folder, "-o", tmp_path / "out", "--force")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    cache = report_of(tmp_path / "out")["cache"]
    assert (cache["reused"], cache["parsed"], cache["damaged"]) == (1, 3, 3)
    assert (tmp_path / "out" / "mentions.csv").read_bytes() == mentions
    again = report_of_run(folder, tmp_path / "out")["cache"]
    assert (again["reused"], again["parsed"], again["damaged"]) == (4, 0, 0)


def report_of_run(folder: Path, out: Path, *args: object) -> dict:
    result = entity_graph("build", folder, "-o", out, "--force", *args)
    assert result.returncode == 0, result.stderr
    return report_of(out)


def test_cli_forged_store_row_adds_no_ghost_entity(tmp_path):
    folder = store_corpus(tmp_path)
    out = tmp_path / "out"
    report_of_run(folder, out)
    nodes = (out / "nodes.csv").read_bytes()
    store = out / "extractions.sqlite"
    for key, payload in rows(store):
        data = json.loads(payload)
        data["m"].append([0, 12, "Ghost Person", "PERSON", "Ghost Person", 0, 0, "PERSON"])
        data["s"].append([99, 0, 40, "Ghost Person met Alice Ghost in Atlantis."])
        rewrite(store, key, json.dumps(data))
    report = report_of_run(folder, out)
    for name in ("graph.json", "mentions.csv", "graph.html"):
        assert "Ghost" not in (out / name).read_text(encoding="utf-8"), name
    assert (out / "nodes.csv").read_bytes() == nodes
    assert (report["cache"]["parsed"], report["cache"]["damaged"]) == (4, 4)


STORE_FILE = "extractions.sqlite"

HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(120)
"""


def test_cli_store_locked_by_another_run_waits_then_goes_on_without_it(tmp_path):
    folder = store_corpus(tmp_path)
    out = tmp_path / "out"
    report_of_run(folder, out)
    mentions = (out / "mentions.csv").read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out / STORE_FILE)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        result = entity_graph("build", folder, "-o", out, "--force")
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warning = (f"WARNING: cannot use the extraction store {out / STORE_FILE}: database is "
               f"locked (another run is using it; waited {BUSY_TIMEOUT:g} s); going on "
               "without it\n")
    assert warning in result.stderr
    assert waited >= BUSY_TIMEOUT
    assert (out / "mentions.csv").read_bytes() == mentions
    report = report_of(out)
    assert report["cache"]["parsed"] == 4
    assert report["warnings"] == [{"path": str(out / STORE_FILE),
                                   "message": warning.removeprefix("WARNING: ").strip()}]


def small_disk(disk: Path, kilobytes: int, fill: int, command: list[object]
               ) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with a ``kilobytes`` tmpfs mounted on ``disk``, ``fill`` KB of it
    taken (mounted in a user and mount namespace, so no privilege is needed); where that
    is not possible, with a file size limit of the free space instead (RLIMIT_FSIZE: a
    file grown past it fails as on a full disk)."""
    disk.mkdir()
    mount = (f"mount -t tmpfs -o size={kilobytes}k tmpfs {disk} && "
             f"head -c {fill * 1024} /dev/zero > {disk}/filler && exec \"$@\"")
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                           capture_output=True, check=False)
    if probe.returncode == 0:
        prefix = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", mount, "sh"]
    else:
        prefix = ["prlimit", f"--fsize={(kilobytes - fill) * 1024}"]
    return subprocess.run([*prefix, *map(str, command)], capture_output=True, text=True,
                          check=False, timeout=300)


def test_cli_store_on_a_full_disk_warns_and_goes_on(tmp_path):
    folder = store_corpus(tmp_path, copies=4)
    out = tmp_path / "out"
    result = small_disk(tmp_path / "disk", 256, 128, [
        sys.executable, "-m", "graph", "build", folder, "-o", out,
        "--cache", tmp_path / "disk" / "store.sqlite"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert f"WARNING: cannot use the extraction store {tmp_path / 'disk' / 'store.sqlite'}: " \
        in result.stderr
    report = report_of(out)
    assert report["documents_read"] == 40
    assert "going on without it" in report["cache"]["warning"]
    fresh = report_of_run(folder, tmp_path / "fresh", "--no-cache")
    assert fresh["entities"] == report["entities"]
    assert (out / "mentions.csv").read_bytes() == (tmp_path / "fresh" / "mentions.csv").read_bytes()


def test_cli_output_on_a_full_disk_is_a_clear_error(tmp_path):
    folder = store_corpus(tmp_path, copies=4)
    result = small_disk(tmp_path / "disk", 256, 128, [
        sys.executable, "-m", "graph", "build", folder, "-o", tmp_path / "disk" / "out"])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "WARNING: cannot use the extraction store " in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: cannot write ")
    assert "No space left on device" in last or "File too large" in last  # tmpfs, fsize
