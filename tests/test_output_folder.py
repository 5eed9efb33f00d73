"""The output folder, end to end through the command line: the tool never reads its own
outputs as articles, one run at a time writes into a folder, and a damaged folder is
rebuilt rather than reported up to date.

Each run loads the real model (about a second); the concurrent runs are real processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.config import OUTPUT_FILES, OUTPUT_MARKER, STORE_FILE

pytestmark = pytest.mark.model

ARTICLES = {
    "a.txt": "Angela Merkel met Emmanuel Macron in Paris.\n",
    "b.txt": "Olaf Scholz visited Berlin with Angela Merkel.\n",
}
OWN_FOLDER = "entity-graph's output folder: its files are not read as articles"
OWN_FILE = "written by entity-graph into its output folder: not read as an article"
UP_TO_DATE = "Up to date: nothing changed since the last run into {} (--force rebuilds).\n"


def entity_graph(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph", "build", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, check=False, timeout=120)


def start(*args: object, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "graph", "build", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def skipped(out: Path) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report(out)["skipped"]}


def intact(out: Path) -> bool:
    """Every output is the one report.json recorded: all from the same run."""
    recorded = report(out)["checksums"]
    names = [name for name in OUTPUT_FILES.values() if name != "report.json"]
    return sorted(recorded) == sorted(names) and all(
        hashlib.sha256((out / name).read_bytes()).hexdigest() == recorded[name]["sha256"]
        for name in names)


def test_cli_default_output_inside_the_corpus_is_not_read(tmp_path: Path) -> None:
    """``cd corpus && entity-graph build .`` twice: 2 documents, then up to date."""
    folder = corpus(tmp_path / "corpus")
    first = entity_graph(".", cwd=folder)
    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith("Read 2 document(s)")
    assert report(folder / "output")["documents_read"] == 2
    assert skipped(folder / "output") == {"output": OWN_FOLDER}
    mentions = report(folder / "output")["mentions"]
    again = entity_graph(".", cwd=folder)
    assert (again.returncode, again.stderr) == (0, UP_TO_DATE.format("output"))
    forced = entity_graph(".", "--force", cwd=folder)
    assert forced.stderr.startswith("Read 2 document(s)"), forced.stderr
    assert report(folder / "output")["mentions"] == mentions
    assert skipped(folder / "output") == {"output": OWN_FOLDER}


def test_cli_output_folder_equal_to_the_input_folder(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in")
    first = entity_graph("in", "-o", "in", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    mentions = report(folder)["mentions"]
    again = entity_graph("in", "-o", "in", cwd=tmp_path)
    assert again.stderr == UP_TO_DATE.format("in")
    forced = entity_graph("in", "-o", "in", "--force", "--strict", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (report(folder)["documents_read"], report(folder)["mentions"]) == (2, mentions)
    own = {*OUTPUT_FILES.values(), STORE_FILE}
    assert skipped(folder) == {f"in/{name}": OWN_FILE for name in own}


def test_cli_earlier_output_folder_inside_the_corpus_is_skipped_whole(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "in")
    assert entity_graph("in", "-o", "in/old", cwd=tmp_path).returncode == 0
    result = entity_graph("in", "-o", "out", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert report(tmp_path / "out")["documents_read"] == 2
    assert skipped(tmp_path / "out") == {"in/old": OWN_FOLDER}

    # an output folder of an older version (no marker) is known by its report.json
    (folder / "old" / OUTPUT_MARKER).unlink()
    (folder / "old" / "notes.txt").write_text("Boris Johnson spoke in London.\n",
                                             encoding="utf-8")
    result = entity_graph("in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert report(tmp_path / "out")["documents_read"] == 3  # the user's own file is read
    own = {*OUTPUT_FILES.values(), STORE_FILE}
    assert skipped(tmp_path / "out") == {f"in/old/{name}": OWN_FILE for name in own}


def test_cli_extraction_store_inside_the_corpus_is_not_read(tmp_path: Path) -> None:
    corpus(tmp_path / "in")
    first = entity_graph("in", "-o", "out", "--cache", "in/store.db", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "in" / "store.db").is_file()
    again = entity_graph("in", "-o", "out", "--cache", "in/store.db", cwd=tmp_path)
    assert again.stderr == UP_TO_DATE.format("out")
    forced = entity_graph("in", "-o", "out", "--cache", "in/store.db", "--force", "--strict",
                          cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert report(tmp_path / "out")["documents_read"] == 2
    store = "entity-graph's extraction store (--cache): not read as an article"
    assert skipped(tmp_path / "out") == {"in/store.db": store}


def test_cli_damaged_output_folder_is_rebuilt(tmp_path: Path) -> None:
    corpus(tmp_path / "in")
    out = tmp_path / "out"
    assert entity_graph("in", "-o", "out", cwd=tmp_path).returncode == 0
    complete = {name: (out / name).read_bytes() for name in OUTPUT_FILES.values()}
    damage = [
        ("graph.html", lambda path: path.unlink()),
        ("graph.graphml", lambda path: path.write_bytes(path.read_bytes()[:100])),
        ("nodes.csv", lambda path: path.write_bytes(path.read_bytes().replace(b"a", b"b", 1))),
    ]
    for name, spoil in damage:
        spoil(out / name)
        result = entity_graph("in", "-o", "out", cwd=tmp_path)
        assert result.stderr.startswith("Read 2 document(s)"), (name, result.stderr)
        assert (out / name).read_bytes() == complete[name]
    assert entity_graph("in", "-o", "out", cwd=tmp_path).stderr == UP_TO_DATE.format("out")


def wait_for_lock(out: Path, process: subprocess.Popen[str]) -> None:
    """Wait until ``process`` holds the lock of ``out`` (its pid is in the marker)."""
    deadline = time.monotonic() + 60
    while f"pid {process.pid}" not in _read(out / OUTPUT_MARKER):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def test_cli_second_run_into_a_busy_folder_exits_1(tmp_path: Path) -> None:
    corpus(tmp_path / "in")
    out = tmp_path / "out"
    first = start("in", "-o", "out", "-q", cwd=tmp_path)
    try:
        wait_for_lock(out, first)
        first.send_signal(signal.SIGSTOP)  # holds the lock for as long as we like
        second = entity_graph("in", "-o", "out", cwd=tmp_path)
        assert second.returncode == 1
        assert second.stderr == (
            f"Error: another entity-graph run is writing out (pid {first.pid}); wait for it "
            "to finish, or write elsewhere with -o\n")
        stopped = sorted(p.name for p in out.iterdir())
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=120) == 0, first.communicate()
    assert intact(out)
    assert stopped[0] == OUTPUT_MARKER  # the second run removed nothing of the first's

    # the lock dies with its holder: a run killed with -9 does not block the next one
    killed = start("in", "-o", "out", "-q", "--force", cwd=tmp_path)
    wait_for_lock(out, killed)
    killed.kill()
    killed.wait(timeout=60)
    after = entity_graph("in", "-o", "out", "--force", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert intact(out)


def test_cli_concurrent_runs_never_mix_the_output_folder(tmp_path: Path) -> None:
    """Runs with different settings started together: each finishes (0) or says the folder
    is busy (1); no traceback; every file in the folder comes from one run."""
    corpus(tmp_path / "in")
    for attempt in range(2):
        runs = [start("in", "-o", "out", "--force", "--window", window, cwd=tmp_path)
                for window in ("sentence", "document")]
        results = [(run.wait(timeout=180), run.communicate()[1]) for run in runs]
        for code, stderr in results:
            assert "Traceback" not in stderr
            assert code == 0 or (code == 1 and stderr.startswith(
                "Error: another entity-graph run is writing out (pid ")), (attempt, stderr)
        assert any(code == 0 for code, _ in results)
        assert intact(tmp_path / "out")
        assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_cli_run_that_finds_nothing_leaves_no_marker(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("", encoding="utf-8")
    result = entity_graph("in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert os.listdir(tmp_path / "out") == []
