"""Interrupted runs: Ctrl-C, kill and kill -9 at random moments never leave a truncated file.

Runs alternate between two settings whose outputs differ (sentence and document windows),
so after each interrupted run every output file must be byte for byte the complete file of
one setting or the other: the previous run's, or this one's. Each signal (SIGINT, SIGTERM,
SIGKILL) comes once at a random moment of the whole run and once at a random moment after
the first change in the output folder (while the outputs are being written).
"""

from __future__ import annotations

import csv
import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest

from graph.config import OUTPUT_MARKER
from graph.pipeline import OUTPUT_FILES

pytestmark = pytest.mark.model

SEED = 20240601
"""Seed of the random kill times (fixed, so a failure can be replayed)."""

KILLS = 6
"""Interrupted runs per test (each takes about a second or two)."""

SETTINGS = (["--window", "sentence"], ["--window", "document"])


def start(out: Path, settings: list[str]) -> subprocess.Popen[bytes]:
    """The CLI on the sample corpus, writing into ``out``."""
    return subprocess.Popen(
        [sys.executable, "-m", "graph", "build", "-q", "-o", str(out), *settings],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def temp_files(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if p.name.endswith(".tmp")} if out.exists() else set()


def folder_state(out: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of each file, bar the write test done at the start and
    the marker (rewritten when a run starts)."""
    state = {}
    for path in out.iterdir():
        if not path.name.startswith(".write-test.") and path.name != OUTPUT_MARKER:
            try:
                info = path.stat()
            except FileNotFoundError:  # a temporary file renamed meanwhile
                continue
            state[path.name] = (info.st_size, info.st_mtime_ns)
    return state


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUT_FILES.values()}


def check_complete(path: Path) -> None:
    """The file parses as a whole in its format (a truncated one would not)."""
    if path.suffix in (".graphml", ".gexf"):
        ElementTree.parse(path)
        reader = nx.read_graphml if path.suffix == ".graphml" else nx.read_gexf
        reader(path)
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows and all(len(row) == len(rows[0]) for row in rows), path
    elif path.suffix == ".html":
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path


def test_interrupted_runs_leave_complete_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    complete = []
    for settings in SETTINGS:  # the two complete outputs, and how long a run takes
        started = time.monotonic()
        process = start(out, settings)
        assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        duration = time.monotonic() - started
        complete.append(snapshot(out))
    assert complete[0]["graph.graphml"] != complete[1]["graph.graphml"]

    rng = random.Random(SEED)
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
    for attempt in range(KILLS):
        before = temp_files(out)
        sig = signals[attempt % 3]
        process = start(out, SETTINGS[attempt % 2])
        if attempt % 2:  # while writing: soon after the first file in out changes
            unchanged = folder_state(out)
            while process.poll() is None and folder_state(out) == unchanged:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.06))
        else:
            time.sleep(rng.uniform(0.2, 1.1) * duration)
        process.send_signal(sig)
        code = process.wait(timeout=60)
        where = f"attempt {attempt} ({sig.name}, seed {SEED}, exit {code})"
        for name in OUTPUT_FILES.values():
            path = out / name
            check_complete(path)
            if name != "report.json":  # report.json carries timings
                assert path.read_bytes() in (complete[0][name], complete[1][name]), where
        if sig != signal.SIGKILL:  # cleaned up on the way out; kill -9 may leave some
            assert temp_files(out) <= before, where

    final = start(out, SETTINGS[0])
    assert final.wait(timeout=120) == 0
    assert temp_files(out) == set(), "the next run removes what kill -9 left"
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k != "report.json"} == {
        k: v for k, v in complete[0].items() if k != "report.json"}


WRITER = textwrap.dedent("""
    import sys, time
    from graph.export import atomic_write
    with atomic_write(sys.argv[1]) as stream:
        for i in range(10_000):
            stream.write(f"line {i}\\n")
            stream.flush()
            time.sleep(0.001)
""")


def test_kill_9_in_the_middle_of_a_write_keeps_the_old_file(tmp_path: Path) -> None:
    from graph.export import remove_stale_temp_files

    target = tmp_path / "graph.html"
    target.write_text("old and complete\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(target)])
    deadline = time.monotonic() + 30
    while not any(p.stat().st_size > 1000 for p in tmp_path.glob(".graph.html.*.tmp")):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    process.kill()
    process.wait(timeout=30)
    assert target.read_text(encoding="utf-8") == "old and complete\n"
    leftovers = sorted(tmp_path.glob(".graph.html.*.tmp"))
    assert len(leftovers) == 1
    assert remove_stale_temp_files(tmp_path, ["graph.html"]) == leftovers
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]
