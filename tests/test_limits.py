"""Hostile inputs meet bounded memory and bounded outputs (issue 13).

Each run here is a subprocess capped in address space and time, so that a regression fails
the test instead of taking the machine down.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

MEMORY_CAP = 3 * 1024**3
"""Address space a capped run may use (as ``prlimit --as=3G``)."""

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Edward Sharon Jason Laura Jeffrey Cynthia Ryan "
    "Kathleen Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen "
    "Pamela Larry Emma Justin Nicole Scott Helen Brandon Samantha Benjamin Katherine Samuel "
    "Christine Gregory Debra Alexander Rachel Frank Carolyn Patrick Janet Raymond Catherine "
    "Jack Maria Dennis Heather Jerry Diane"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster"
).split()


def list_article(count: int) -> str:
    """One sentence naming ``count`` people (10,000 at most), as a scraped roster does."""
    names = [f"{first} {last}" for last in LAST for first in FIRST][:count]
    return "The committee members are " + ", ".join(names) + ".\n"


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def capped_build(folder: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """``entity-graph build`` in ``folder`` within MEMORY_CAP and ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, "-m", "graph", "build", *args], cwd=folder, preexec_fn=_cap_memory,
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def output_bytes(out: Path) -> int:
    return sum(path.stat().st_size for path in out.iterdir() if path.suffix != ".sqlite")


@pytest.mark.model
@pytest.mark.parametrize("count", [1_000, 10_000])
def test_cli_one_sentence_of_many_names_stays_bounded(tmp_path: Path, count: int) -> None:
    """A roster of 1,000 names once needed 8.8 GB and filled the disk (every pair linked,
    the sentence repeated in every link); 10,000 raised MemoryError. Now the sentence is a
    list: each name is linked to its nearest neighbours with a short passage, all the
    outputs together grow by under 5 kB per name (1,000 names: 5.7 MB, peak memory 210 MB;
    10,000: 47 MB and 630 MB), and report.json says which sentence was read as a list."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "list.txt").write_text(list_article(count), encoding="utf-8")
    result = capped_build(tmp_path, "articles", "-o", "out", "--no-cache")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["nodes"] > count // 2
    assert report["edges"] < 3 * report["nodes"]
    assert output_bytes(tmp_path / "out") < 1_000_000 + 5_000 * count
    [note] = [w for w in report["warnings"] if w["path"] == "list.txt"]
    assert "sentence 0 " in note["message"] and "list" in note["message"]
