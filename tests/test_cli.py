"""The command line, run as a user would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.cli import main, make_parser
from graph.config import OUTPUT_MARKER
from graph.pipeline import OUTPUT_FILES, STORE_FILE

DATA = Path(__file__).parent / "data"


def entity_graph(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "graph", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, check=False, timeout=120)


def test_main_help_lists_build_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--out", "--window", "--model", "--types", "--text-field", "--quiet"):
        assert option in out


def test_main_bad_window_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["build", "--window", "page"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        "Error: argument --window: invalid choice: 'page' (choose from 'sentence', "
        "'paragraph', 'document') (see: entity-graph build --help)\n")


def test_entity_graph_usage_errors_exit_1_with_error_line(tmp_path):
    cases = {
        ("build", "--jobs", "two"): "Error: argument --jobs: invalid int value: 'two' "
                                    "(see: entity-graph build --help)\n",
        ("build", "--no-such-option"): "Error: unrecognized arguments: --no-such-option "
                                       "(see: entity-graph --help)\n",
        (): "Error: the following arguments are required: COMMAND "
            "(see: entity-graph --help)\n",
        ("build", "--window", "\x1b[2J"): "Error: argument --window: invalid choice: "
            "'\\x1b[2J' (choose from 'sentence', 'paragraph', 'document') "
            "(see: entity-graph build --help)\n",
    }
    for args, message in cases.items():
        result = entity_graph(*args, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (1, "", message), args
    for args in (["--help"], ["build", "--help"], ["--version"]):
        shown = entity_graph(*args, cwd=tmp_path)
        assert (shown.returncode, shown.stderr) == (0, ""), args


def test_entity_graph_numbers_out_of_range_exit_1(tmp_path):
    """Checked before anything is loaded or written; the ranges are Settings'."""
    cases = [
        ("--batch-size", "2147483648", "batch_size (--batch-size)", "1 to 100000"),
        ("--batch-size", "0", "batch_size (--batch-size)", "1 to 100000"),
        ("--jobs", "0", "jobs (--jobs)", "1 to 256"),
        ("--jobs", "100000", "jobs (--jobs)", "1 to 256"),
        ("--max-nodes", "0", "max_nodes (--max-nodes)", "1 to 1000000000"),
        ("--max-edges", "-1", "max_edges (--max-edges)", "0 to 1000000000"),
        ("--max-edges", "9223372036854775808", "max_edges (--max-edges)", "0 to 1000000000"),
    ]
    for option, value, name, allowed in cases:
        result = entity_graph("build", option, value, "-o", "out", cwd=tmp_path)
        assert (result.returncode, result.stderr) == (
            1, f"Error: {name} must be a whole number from {allowed}, not {value}\n"), option
    assert not (tmp_path / "out").exists()


def test_build_numbers_out_of_range_raise_bad_settings():
    import graph

    for options in ({"batch_size": 2**31}, {"jobs": "2"}, {"max_nodes": 1.5},
                    {"max_edges": True}):
        with pytest.raises(graph.BadSettings, match="must be a whole number from"):
            graph.build(**options)


def test_main_unknown_type_is_an_error(capsys, tmp_path):
    assert main(["build", "--types", "PERSON,CAT", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("Error: unknown entity type(s) CAT; choose from")


def test_main_missing_model_names_install_command(capsys, tmp_path):
    assert main(["build", "--model", "xx_missing_model", "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: spaCy model 'xx_missing_model' is not installed")
    assert "pip install xx-missing-model" in err


def test_main_output_folder_not_writable(capsys, tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["build", "-o", str(tmp_path / "file" / "out")]) == 1
    assert capsys.readouterr().err.startswith("Error: cannot create output folder")


@pytest.mark.model
def test_entity_graph_build_mixed_folder_reports_skips(tmp_path):
    result = entity_graph("build", DATA / "mixed-formats", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Read 4 document(s)" in result.stderr
    folder = DATA / "mixed-formats"
    assert (
        f"Skipped 2 inputs: {folder / 'e.pdf'} (unknown file type '.pdf'), "
        f"{folder / 'sub/c.jsonl'}#line 2 (record has no 'text' text); see report.json.\n"
    ) in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert {s["reason"] for s in report["skipped"]} == {
        "unknown file type '.pdf'", "record has no 'text' text"}


@pytest.mark.model
def test_entity_graph_build_nothing_readable_exits_1(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("", encoding="utf-8")
    result = entity_graph("build", tmp_path / "in", "-o", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: no readable articles found in")
    assert not (tmp_path / "out" / "graph.html").exists()


@pytest.mark.model
def test_entity_graph_build_default_is_sample_corpus_into_output(tmp_path):
    result = entity_graph("build", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == sorted(
        [*OUTPUT_FILES.values(), STORE_FILE, OUTPUT_MARKER])


def test_make_parser_prog_name():
    assert make_parser().prog == "entity-graph"


@pytest.mark.model
def test_entity_graph_build_up_to_date_does_nothing_until_something_changes(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Angela Merkel met Emmanuel Macron in Paris.\n",
                                           encoding="utf-8")
    first = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    stamp = (tmp_path / "out" / "graph.graphml").stat().st_mtime_ns
    again = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, (
        "Up to date: nothing changed since the last run into out (--force rebuilds).\n"))
    assert (tmp_path / "out" / "graph.graphml").stat().st_mtime_ns == stamp
    forced = entity_graph("build", "in", "-o", "out", "--force", cwd=tmp_path)
    assert forced.stderr.startswith("Read 1 document(s)")
    (tmp_path / "in" / "a.txt").write_text("Angela Merkel met Olaf Scholz in Berlin.\n",
                                           encoding="utf-8")
    changed = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert changed.stderr.startswith("Read 1 document(s)")
    # rewritten with the same words: read and found unchanged
    (tmp_path / "in" / "a.txt").write_text("Angela Merkel met Olaf Scholz in Berlin.\n",
                                           encoding="utf-8")
    os.utime(tmp_path / "in" / "a.txt", ns=(1, 1))
    touched = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert touched.stderr.startswith("Up to date"), touched.stderr
    # other words of the same length: rebuilt
    (tmp_path / "in" / "a.txt").write_text("Angela Merkel met Olaf Scholz in Bremen.\n",
                                           encoding="utf-8")
    os.utime(tmp_path / "in" / "a.txt", ns=(2, 2))
    same_size = entity_graph("build", "in", "-o", "out", cwd=tmp_path)
    assert same_size.stderr.startswith("Read 1 document(s)")
    settings = entity_graph("build", "in", "-o", "out", "--window", "document", cwd=tmp_path)
    assert settings.stderr.startswith("Read 1 document(s)")
