"""Messy input, end to end through the command line.

``tests/data/bad-input`` holds the small text cases (a good article, a Latin-1 file with a
pound sign, an empty and a whitespace-only file, a JSONL file with a malformed line and a
record without text, a CSV without a text column, a CSV with a newline and quotes inside
quoted fields, an unknown extension). Binary content, control characters, links, a named
pipe, an unreadable file and the long articles are made at test time in ``tmp_path``.

Every skipped input must be in report.json with its path and reason and in one line on
stderr; the good documents are analysed as usual; exit status 0 when something was read,
1 with ``Error: ...`` when nothing was, when the output folder cannot be written, or with
``--strict``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.corpus import clean_text, decode_text

BAD = Path(__file__).parent / "data" / "bad-input"

GOOD_IDS = {
    "good.txt", "latin1-pound.txt", "controls.txt", "folder.txt/inside.txt",
    "records.jsonl#line 1", "records.jsonl#line 4", "multiline.csv#row 1", "multiline.csv#row 2",
}
"""Documents of the messy folder that must be analysed."""

WRITE_ONLY_SYSFS = Path("/sys/bus/pci/rescan")
"""A file even root cannot open for reading (sysfs refuses: it has no read method)."""


def entity_graph(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "graph", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, check=False, timeout=120)


def unreadable_file(folder: Path) -> str | None:
    """Put a file in ``folder`` that exists but cannot be read; return its name, or None
    when this machine offers no way (root reads anything chmod 000)."""
    if os.geteuid() != 0:
        path = folder / "locked.txt"
        path.write_text("Boris Johnson met Pedro Sanchez in Madrid.", encoding="utf-8")
        path.chmod(0)
        return path.name
    try:
        with open(WRITE_ONLY_SYSFS, "rb"):
            return None
    except PermissionError:
        (folder / "locked.txt").symlink_to(WRITE_ONLY_SYSFS)
        return "locked.txt"
    except OSError:
        return None


def messy_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The fixture folder plus generated cases; returns it and the expected skips by
    path relative to the folder."""
    folder = tmp_path / "in"
    shutil.copytree(BAD, folder)
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    controls = (
        "Vladimir Putin spoke in Moscow on Tuesday.\x07 Later he met Recep Tayyip Erdogan in "
        "Ankara.\x00\n" + "The talks covered trade, energy and the war in Ukraine. " * 5 + "\x1b\n"
    )
    (folder / "controls.txt").write_text(controls, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "loop").symlink_to("..")
    (folder / "self.txt").symlink_to("self.txt")
    (folder / "broken.txt").symlink_to("gone.txt")
    os.mkfifo(folder / "pipe.txt")
    (folder / "folder.txt").mkdir()
    (folder / "folder.txt" / "inside.txt").write_text(
        "Justin Trudeau visited Ottawa and Toronto.", encoding="utf-8")
    expected = {
        "binary.txt": "binary content, not text: 29 of its 272 bytes are NUL or controls",
        "broken.txt": "broken symbolic link to gone.txt",
        "empty.txt": "empty file",
        "no-text-column.csv": "no 'text' column (columns: title, body)",
        "notes.rtf": "unknown file type '.rtf'",
        "pipe.txt": "not a regular file but a named pipe (FIFO)",
        "records.jsonl#line 2": "malformed JSON: Expecting ',' delimiter at column 37",
        "records.jsonl#line 3": "record has no 'text' text",
        "self.txt": "symbolic link loop: it leads to itself",
        "sub/loop": "symbolic link loop: it leads back to a folder above it",
        "whitespace.txt": "empty file: only whitespace",
    }
    locked = unreadable_file(folder)
    if locked:
        expected[locked] = "cannot read: Permission denied"
    return folder, expected


@pytest.mark.model
def test_cli_messy_folder_names_every_skip_and_reads_the_rest(tmp_path: Path) -> None:
    folder, expected = messy_folder(tmp_path)
    result = entity_graph("build", "in", "missing.txt", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = {f"in/{path}": reason for path, reason in expected.items()}
    expected["missing.txt"] = "no such file or folder"

    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert {s["path"]: s["reason"] for s in report["skipped"]} == expected
    assert report["documents_read"] == len(GOOD_IDS)

    skip_lines = [line for line in result.stderr.splitlines() if line.startswith("Skipped")]
    assert skip_lines == [
        f"Skipped {len(expected)} inputs: in/binary.txt ({expected['in/binary.txt']}), "
        f"in/broken.txt (broken symbolic link to gone.txt), in/empty.txt (empty file) and "
        f"{len(expected) - 3} more; see report.json."
    ]
    assert "Traceback" not in result.stderr

    with open(tmp_path / "out" / "mentions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {row["doc"] for row in rows} == GOOD_IDS
    for row in rows:  # offsets index the decoded original text of files
        path = folder / row["doc"]
        if path.is_file():
            text = decode_text(path.read_bytes())[0]
            assert text is not None
            assert clean_text(text[int(row["start"]):int(row["end"])]) == row["text"]
    names = {row["text"] for row in rows}
    assert {"Andrew Bailey", "Vladimir Putin", "Recep Tayyip Erdogan", "Xi Jinping"} <= names


def test_latin1_pound_is_decoded() -> None:
    raw = (BAD / "latin1-pound.txt").read_bytes()
    assert b"\xa3200" in raw
    assert "£200 more a month" in (decode_text(raw)[0] or "")


@pytest.mark.model
def test_cli_nothing_usable_exits_1_naming_what_was_skipped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(BAD / "empty.txt", tmp_path / "in")
    shutil.copy(BAD / "notes.rtf", tmp_path / "in")
    result = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: no readable articles found in in; skipped 2 inputs: in/empty.txt (empty "
        "file), in/notes.rtf (unknown file type '.rtf')\n")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.model
def test_cli_path_that_does_not_exist_exits_1(tmp_path: Path) -> None:
    result = entity_graph("build", "nowhere", "-o", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: no readable articles found in nowhere; skipped 1 input: nowhere (no such "
        "file or folder)\n")


@pytest.mark.model
def test_cli_strict_makes_any_skip_an_error_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(BAD / "good.txt", tmp_path / "in")
    shutil.copy(BAD / "records.jsonl", tmp_path / "in")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "graph.html").write_text("previous run", encoding="utf-8")
    result = entity_graph("build", "in", "-o", "out", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: skipped 2 inputs: in/records.jsonl#line 2 (malformed JSON: Expecting ',' "
        "delimiter at column 37), in/records.jsonl#line 3 (record has no 'text' text); "
        "strict mode makes any skipped input an error, so nothing was written\n")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["graph.html"]
    assert (tmp_path / "out" / "graph.html").read_text(encoding="utf-8") == "previous run"

    fine = entity_graph("build", "in/good.txt", "-o", "out", "--strict", "-q", cwd=tmp_path)
    assert (fine.returncode, fine.stderr) == (0, "")


def test_cli_output_folder_under_a_file_exits_1(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = entity_graph("build", BAD / "good.txt", "-o", tmp_path / "file" / "out")
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: cannot create output folder {tmp_path / 'file' / 'out'}: Not a directory\n")


def test_cli_output_folder_that_cannot_be_written_exits_1(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        out = tmp_path / "read-only"
        out.mkdir()
        out.chmod(0o500)
        expected = f"Error: output folder {out} is not writable\n"
    elif Path("/proc/self").is_dir():
        out = Path("/proc")  # even root cannot create files there
        expected = "Error: output folder /proc is not writable: No such file or directory\n"
    else:
        pytest.skip("running as root without /proc: no folder here refuses root's writes")
    result = entity_graph("build", BAD / "good.txt", "-o", out)
    assert (result.returncode, result.stderr) == (1, expected)


LONG_ARTICLE_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    import spacy
    import graph

    path, size = Path(sys.argv[1]), int(sys.argv[2])
    filler = "The talks went on late into the night and resumed the next morning. "
    named = "Alice Moreau met Bob Lind in Brussels. "
    block = filler * 60 + named
    with open(path, "w", encoding="utf-8") as f:  # one paragraph: no line break at all
        for i in range(size // len(block)):
            f.write(block)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "PERSON", "pattern": "Alice Moreau"},
        {"label": "PERSON", "pattern": "Bob Lind"},
        {"label": "GPE", "pattern": "Brussels"},
    ])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    G, report, _ = graph.build(path, nlp=nlp, out=path.parent / "out")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_kb": before, "peak_kb": peak, "mentions": report.mentions,
                      "blocks": size // len(block), "bytes": path.stat().st_size,
                      "nodes": report.nodes, "timings": report.timings}))
""")


def test_build_20_mb_article_in_pieces_within_bounded_memory(tmp_path: Path) -> None:
    """A 20 MB article on one line goes through in 100,000-character pieces. A rule-based
    pipeline stands in for the model (the statistical one would take minutes); peak memory
    grows by a few times the text size, not by what spaCy would need for one 20 MB doc."""
    script = tmp_path / "long.py"
    script.write_text(LONG_ARTICLE_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "long.txt"), str(20_000_000)],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    numbers = json.loads(result.stdout)
    assert numbers["bytes"] > 19_000_000
    assert numbers["mentions"] == 3 * numbers["blocks"]
    assert numbers["nodes"] == 3
    growth_mb = (numbers["peak_kb"] - numbers["before_kb"]) / 1024
    assert growth_mb < 400, numbers


@pytest.mark.model
def test_cli_long_article_with_the_model_is_cut_at_whitespace(tmp_path: Path) -> None:
    names = ["Angela Merkel", "Emmanuel Macron", "Olaf Scholz"]
    sentence = "{} met officials in Berlin on day {} to discuss the budget and the weather. "
    filler = "Nothing else of note happened that afternoon in the quiet town. " * 3
    parts, i = [], 0
    while sum(map(len, parts)) < 150_000:  # one paragraph longer than a piece (100,000)
        parts.append(sentence.format(names[i % 3], i) + filler)
        i += 1
    text = "".join(parts)
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    result = entity_graph("build", "long.txt", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "out" / "mentions.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(text[int(r["start"]):int(r["end"])] == r["text"] for r in rows)
    found = {r["text"] for r in rows}
    assert set(names) <= found and "Berlin" in found
    late = [r for r in rows if int(r["start"]) > 100_000]
    assert {r["text"] for r in late} >= set(names)


def mention_rows(out: Path) -> list[dict[str, str]]:
    with open(out / "mentions.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.model
def test_cli_mixed_encoding_reads_utf8_names_and_warns(tmp_path: Path) -> None:
    """UTF-8 names and one Windows-1252 byte: each part decoded as written (not the whole
    file as Windows-1252: "FranÃ§ois"), offsets index that text, a warning, no skip."""
    raw = ("François Hollande met Angela Merkel in Zürich on Monday.\n\n".encode()
           + "Hollande said the summit cost £200 million.\n".encode("cp1252"))
    (tmp_path / "mixed.txt").write_bytes(raw)
    result = entity_graph("build", "mixed.txt", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    text = decode_text(raw)[0]
    assert text is not None and text.endswith("cost £200 million.\n")
    rows = mention_rows(tmp_path / "out")
    assert {"François Hollande", "Zürich"} <= {row["text"] for row in rows}
    assert all(text[int(r["start"]):int(r["end"])] == r["text"] for r in rows)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    note = ("mixed encoding: UTF-8 text with 1 byte that is not UTF-8, read as Windows-1252 "
            "(byte 0xA3 at offset 90)")
    assert report["skipped"] == []
    assert report["warnings"] == [{"path": "mixed.txt", "message": note}]
    assert f"WARNING: mixed.txt: {note}\n" in result.stderr


@pytest.mark.model
def test_cli_utf16_without_byte_order_mark_is_read(tmp_path: Path) -> None:
    text = "Angela Merkel met Emmanuel Macron in Paris.\nThey spoke of Ukraine.\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "le.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "in" / "be.txt").write_bytes(text.encode("utf-16-be"))
    result = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert (report["skipped"], report["documents_read"]) == ([], 2)
    rows = mention_rows(tmp_path / "out")
    for doc in ("le.txt", "be.txt"):
        found = {r["text"] for r in rows if r["doc"] == doc}
        assert {"Angela Merkel", "Emmanuel Macron", "Paris"} <= found, doc
        assert all(text[int(r["start"]):int(r["end"])] == r["text"]
                   for r in rows if r["doc"] == doc)


@pytest.mark.model
def test_cli_csv_stray_quote_skips_the_damaged_row_and_keeps_the_next(tmp_path: Path) -> None:
    """A quote opened by mistake runs into the next record: that row is skipped and named
    by its line, and the next rows keep their numbers and their own text."""
    (tmp_path / "news.csv").write_text(
        "id,title,text\n"
        "1,Talks,Angela Merkel met Emmanuel Macron in Paris.\n"
        '2,"Stray quote,Boris Johnson visited Madrid.\n'
        '3,"Summit, day two",Justin Trudeau spoke in Ottawa.\n'
        '4,Later,"Olaf Scholz flew to Berlin.\nHe met Xi Jinping."\n'
        "5,Last,Pedro Sanchez stayed in Lisbon.\n", encoding="utf-8")
    result = entity_graph("build", "news.csv", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["skipped"] == [{
        "path": "news.csv#row 2",
        "reason": "malformed CSV at lines 3-4: ',' expected after '\"' (a stray quote on "
                  "line 3?)"}]
    found: dict[str, set[str]] = {}
    for row in mention_rows(tmp_path / "out"):
        found.setdefault(row["doc"], set()).add(row["text"])
    assert set(found) == {"news.csv#row 1", "news.csv#row 3", "news.csv#row 4",
                          "news.csv#row 5"}
    assert "Justin Trudeau" in found["news.csv#row 3"]
    assert {"Olaf Scholz", "Xi Jinping"} <= found["news.csv#row 4"]
    assert "Pedro Sanchez" in found["news.csv#row 5"]
    assert "Boris Johnson" not in set().union(*found.values())


@pytest.mark.model
def test_cli_csv_cells_beyond_the_csv_module_default_limit(tmp_path: Path) -> None:
    """A cell of 255,661 characters (more than the csv module's default limit of 131,072),
    in an article CSV and in the alias file, is read."""
    long_text = "Angela Merkel met Emmanuel Macron in Paris. " + "x" * 255_617
    assert len(long_text) == 255_661
    (tmp_path / "news.csv").write_text(f'title,text\nLong,"{long_text}"\n', encoding="utf-8")
    (tmp_path / "aliases.csv").write_text(
        f'alias,canonical\nMerkel,Angela Merkel\n"{"y" * 255_661}",Paris\n', encoding="utf-8")
    result = entity_graph("build", "news.csv", "--aliases", "aliases.csv", "-o", "out",
                          cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {"Angela Merkel", "Paris"} <= {r["text"] for r in mention_rows(tmp_path / "out")}
