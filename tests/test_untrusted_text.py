"""Hostile names, end to end through the command line: file names that are not UTF-8, paths
longer than the system allows, names that start like spreadsheet formulas, and names that
would forge lines on the terminal or send it escape sequences.

Names are shown and stored the same way everywhere: a byte that is not UTF-8 as ``\\xNN``,
a control character as ``\\n``, ``\\x1b``, ...; every CSV cell that starts like a formula
gets a leading ``'``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.export import FORMULA_STARTS

pytestmark = pytest.mark.model

ARTICLE = "Angela Merkel met Emmanuel Macron in Paris. Later Merkel flew to Berlin.\n"


def entity_graph(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph", "build", *map(str, args)],
                          capture_output=True, text=True, errors="surrogateescape", cwd=cwd,
                          check=False, timeout=120)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_cli_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text(ARTICLE, encoding="utf-8")
    (folder / os.fsdecode(b"bad\xff.rtf")).write_text("x", encoding="utf-8")
    out = os.fsdecode(b"out\xe9")
    result = entity_graph("in", "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Skipped 1 input: in/bad\\xff.rtf (unknown file type '.rtf'); see report.json." in (
        result.stderr.splitlines())
    assert "Wrote out\\xe9/report.json" in result.stderr.splitlines()

    written = tmp_path / out
    report = json.loads((written / "report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == [{"path": "in/bad\\xff.rtf", "reason": "unknown file type '.rtf'"}]
    assert report["outputs"]["html"] == "out\\xe9/graph.html"
    assert {row["doc"] for row in csv_rows(written / "mentions.csv")} == {"caf\\xe9.txt"}
    merges = csv_rows(written / "merges.csv")
    assert {doc for row in merges for doc in row["documents"].split(";")} == {"caf\\xe9.txt"}
    graph = json.loads((written / "graph.json").read_text(encoding="utf-8"))
    assert {d for node in graph["nodes"] for d in node["attributes"]["doc_ids"]} == {
        "caf\\xe9.txt"}
    assert '"caf\\\\xe9.txt"' in (written / "graph.html").read_text(encoding="utf-8")

    again = entity_graph("in", "-o", out, cwd=tmp_path)
    assert again.stderr == (
        "Up to date: nothing changed since the last run into out\\xe9 (--force rebuilds).\n")


def make_deep_folder(root: Path, depth: int, name: str) -> None:
    """``root/name/name/.../a.txt`` (``depth`` folders), made relative to each folder so
    the whole path may exceed PATH_MAX."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        file = os.open("a.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(file, ARTICLE.encode())
        os.close(file)
    finally:
        os.close(fd)


def test_cli_path_longer_than_path_max_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    name = "d" * 250
    make_deep_folder(folder, 17, name)  # in/ + 17 * 251 bytes > PATH_MAX (4096)
    result = entity_graph("in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == 1
    too_long = "in/" + "/".join([name] * 17)
    assert report["skipped"] == [{
        "path": too_long,
        "reason": f"path too long: {len(too_long)} bytes, more than this system allows",
    }]


def test_cli_csv_outputs_are_formula_safe(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "=1+2.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "@SUM(A1).txt").write_text("Emmanuel Macron visited Madrid.\n",
                                           encoding="utf-8")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("Paris,=Angela Merkel\n", encoding="utf-8")
    result = entity_graph("in", "-o", "out", "--aliases", aliases, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    merges = csv_rows(out / "merges.csv")
    assert {(row["name"], row["documents"], row["detail"]) for row in merges
            if row["rule"] == "your alias file"} == {("Paris", "'=1+2.txt", "'=Angela Merkel")}
    for path in sorted(out.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.reader(f):
                assert not [cell for cell in row if cell.startswith(FORMULA_STARTS)], path


FORGED = "x\nError: forged line.rtf"
ESCAPES = "\x1b]0;owned\x07\x1b[2J.rtf"


def test_cli_names_reach_the_terminal_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / FORGED).write_text("x", encoding="utf-8")
    (folder / ESCAPES).write_text("x", encoding="utf-8")
    result = entity_graph("in", "-o", "out", "-v", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert ("Skipped 2 inputs: in/\\x1b]0;owned\\x07\\x1b[2J.rtf (unknown file type '.rtf'), "
            "in/x\\nError: forged line.rtf (unknown file type '.rtf'); see report.json."
            ) in result.stderr.splitlines()
    assert "INFO: skipped in/x\\nError: forged line.rtf: unknown file type '.rtf'" in (
        result.stderr.splitlines())

    gone = entity_graph("gone\x1b[2J\n.txt", "-o", "out2", cwd=tmp_path)
    assert (gone.returncode, gone.stderr) == (1, (
        "Error: no readable articles found in gone\\x1b[2J\\n.txt; skipped 1 input: "
        "gone\\x1b[2J\\n.txt (no such file or folder)\n"))

    (tmp_path / "file").write_text("x", encoding="utf-8")
    blocked = entity_graph("in", "-o", "file/\x1b[2J", cwd=tmp_path)
    assert (blocked.returncode, blocked.stderr) == (1, (
        "Error: cannot create output folder file/\\x1b[2J: Not a directory\n"))
