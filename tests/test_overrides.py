"""The user's alias and ignore files: chains and cycles of aliases, forced types, and files
that are not what they should be (a device, a named pipe, binary, too large)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

import graph
from graph.errors import BadSettings
from graph.overrides import USER_FILE_LIMIT, read_overrides

from .test_bad_input import BAD, entity_graph

ARTICLE = "Kyiv hosted the talks. Kiev was the old spelling, Kijow the Polish one. Lviv too.\n"


@pytest.fixture(scope="module")
def city_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "GPE", "pattern": name} for name in ("Kyiv", "Kiev", "Kijow", "Lviv")])
    return nlp


def build(tmp_path: Path, nlp, aliases: str) -> tuple[list[list[str]], list[dict]]:
    """The names of each entity (its label is resolution's choice), and the warnings."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "aliases.csv").write_text(aliases, encoding="utf-8")
    G, report, _ = graph.build(tmp_path / "a.txt", nlp=nlp, aliases=tmp_path / "aliases.csv")
    names = sorted(sorted(d["aliases"].split(" | ")) for _, d in G.nodes(data=True))
    return names, [{"path": w.path, "message": w.message} for w in report.warnings]


def test_build_alias_chain_is_followed_to_its_end(tmp_path, city_nlp):
    nodes, warnings = build(tmp_path, city_nlp, "Kijow,Kiev\nKiev,Kyiv\n")
    assert nodes == [["Kiev", "Kijow", "Kyiv"], ["Lviv"]]
    assert warnings == []


def test_build_alias_cycle_is_one_entity_named_by_its_first_line(tmp_path, city_nlp):
    nodes, warnings = build(tmp_path, city_nlp, "# two names, one city\nKyiv,Kiev\nKiev,Kyiv\n")
    assert nodes == [["Kiev", "Kyiv"], ["Kijow"], ["Lviv"]]
    assert warnings == [{"path": str(tmp_path / "aliases.csv"), "message":
                         "lines 2-3: the aliases Kyiv, Kiev form a cycle; all are merged as "
                         "Kiev (the name the first of these lines gives)"}]
    assert read_overrides(tmp_path / "aliases.csv").canonical == {"kyiv": "Kiev", "kiev": "Kiev"}
    (tmp_path / "aliases.csv").write_text("Kiev,Kyiv\nKyiv,Kiev\n", encoding="utf-8")
    assert read_overrides(tmp_path / "aliases.csv").canonical == {"kyiv": "Kyiv", "kiev": "Kyiv"}


def test_build_alias_of_two_names_merges_them(tmp_path, city_nlp):
    nodes, warnings = build(tmp_path, city_nlp, "Kijow,Kyiv\nKijow,Kiev\n")
    assert nodes == [["Kiev", "Kijow", "Kyiv"], ["Lviv"]]
    assert warnings == [{"path": str(tmp_path / "aliases.csv"), "message":
                         "lines 1-2: Kijow is an alias of several names (Kyiv, Kiev); all are "
                         "merged as Kyiv (the first of them)"}]


def test_read_overrides_types_through_a_chain(tmp_path):
    (tmp_path / "aliases.csv").write_text("Kijow,Kiev,PLACE\nKiev,Kyiv\n", encoding="utf-8")
    overrides = read_overrides(tmp_path / "aliases.csv")
    assert overrides.types == {"kyiv": "PLACE"}
    assert set(overrides.canonical.values()) == {"Kyiv"}


def test_cli_conflicting_forced_types_in_one_entity_are_an_error(tmp_path):
    (tmp_path / "aliases.csv").write_text(
        "alias,canonical,type\nKijow,Kiev,PLACE\nKiev,Kyiv\nKyiv,Kyiv,ORG\n", encoding="utf-8")
    result = entity_graph("build", BAD / "good.txt", "--aliases", "aliases.csv", "-o", "out",
                          cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, (
        "Error: aliases.csv, lines 2 and 4: PLACE and ORG forced on one entity (Kyiv, "
        "joined by the aliases on lines 2-4); keep one type\n"))


@pytest.mark.parametrize("option, path, problem", [
    ("--aliases", "/dev/zero", "not a regular file but a character device"),
    ("--ignore", "/dev/urandom", "not a regular file but a character device"),
    ("--ignore", "pipe.txt", "not a regular file but a named pipe (FIFO)"),
    ("--aliases", "folder", "not a regular file but a folder"),
    ("--ignore", "binary.txt",
     "binary content, not text: 104 of its 1024 bytes are NUL or controls"),
    ("--aliases", "huge.csv", f"larger than {USER_FILE_LIMIT // 2**20} MB ({USER_FILE_LIMIT + 1:,}"
                              " bytes): not an alias file"),
    ("--ignore", "missing.txt", "No such file or directory"),
])
def test_cli_user_file_that_is_no_text_file_is_a_clear_error(tmp_path, option, path, problem):
    """Checked before anything is read: no hang on a pipe, no MemoryError on a device
    (the address space is capped at 2 GB, so a regression fails fast instead)."""
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "folder").mkdir()
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    with open(tmp_path / "huge.csv", "wb") as f:
        f.truncate(USER_FILE_LIMIT + 1)  # sparse: no disk used
    result = subprocess.run(
        ["prlimit", f"--as={2 * 2**30}", sys.executable, "-m", "graph", "build",
         BAD / "good.txt", option, path, "-o", "out"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
    what = "alias file" if option == "--aliases" else "ignore file"
    assert (result.returncode, result.stderr) == (
        1, f"Error: cannot read the {what} {path}: {problem}\n")


def test_cli_user_file_checked_before_the_up_to_date_check(tmp_path):
    """A second run, which first compares fingerprints (hashing the user's files), must not
    read a device or wait on a pipe either."""
    os.mkfifo(tmp_path / "pipe.txt")
    first = entity_graph("build", BAD / "good.txt", "-o", "out", "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    result = subprocess.run(
        ["prlimit", f"--as={2 * 2**30}", sys.executable, "-m", "graph", "build",
         BAD / "good.txt", "--ignore", "pipe.txt", "--aliases", "/dev/zero", "-o", "out"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot read the ")


def test_read_overrides_malformed_alias_line_is_named(tmp_path):
    (tmp_path / "aliases.csv").write_text('Kiev,Kyiv\n"Kijow,Kyiv\nLvov,Lviv\n',
                                          encoding="utf-8")
    with pytest.raises(BadSettings, match=r"aliases.csv, lines 2-3: malformed CSV: "):
        read_overrides(tmp_path / "aliases.csv")
