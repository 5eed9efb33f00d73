"""The README, --help and .ci/run stay in step with the code."""

import re
from pathlib import Path

from graph.cli import make_parser
from graph.pipeline import OUTPUT_FILES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def build_options():
    build = make_parser()._subparsers._group_actions[0].choices["build"]
    return {opt for action in build._actions for opt in action.option_strings}


def quick_start():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_quick_start_has_exactly_two_commands():
    assert quick_start() == ["pip install . && entity-graph build",
                             'pip install ".[test]" && pytest']


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start()[1] in ci.splitlines()


def test_readme_options_exist_in_cli():
    documented = set(re.findall(r"`(--?[a-z][a-z-]*)", README))
    assert documented - {"--help"} <= build_options()


def test_cli_options_are_documented_in_readme():
    undocumented = {o for o in build_options() if f"`{o}`" not in README} - {"-h", "--help"}
    assert undocumented == set()


def test_readme_lists_every_output_file():
    for name in OUTPUT_FILES.values():
        assert f"`{name}`" in README


def test_readme_documents_every_node_and_edge_attribute(real_nlp):
    import graph

    G, _, _ = graph.build(nlp=real_nlp)
    node_attrs = {k for _, d in G.nodes(data=True) for k in d} - {"doc_ids"}
    edge_attrs = {k for _, _, d in G.edges(data=True) for k in d} - {"evidence"}
    for name in node_attrs | edge_attrs:
        assert f"`{name}`" in README, name


def test_readme_screenshot_exists():
    assert "(docs/screenshot.png)" in README
    assert (ROOT / "docs" / "screenshot.png").stat().st_size > 10_000
