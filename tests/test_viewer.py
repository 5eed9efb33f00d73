"""write_viewer: a self-contained, deterministic, injection-safe HTML page (no browser)."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import viewer
from graph.errors import GraphError, OutputError
from graph.types import DocumentInfo, Evidence
from graph.viewer import (
    TYPE_COLORS,
    communities,
    layout_positions,
    pagerank,
    select_shown,
    viewer_data,
    write_viewer,
)

XSS_SCRIPT = "</script><img src=x onerror=alert(1)>"
XSS_SVG = "<svg onload=alert(1)>"
INJECTION = f"{XSS_SCRIPT} {XSS_SVG}"
SEPARATORS = "Line\u2028Para\u2029End & <b>Bold</b>"


def sample_graph() -> nx.Graph:
    """Four entities in three documents, as build_graph would return them."""
    docs = {
        "a.txt": DocumentInfo("a.txt", "Talks resume", "2024-03-01", "Wire",
                              "https://example.com/a"),
        "b.txt": DocumentInfo("b.txt", None, "2024-03-02", None, None),
        "c.txt": DocumentInfo("c.txt", "Summit ends", None, "Daily", "ftp://example.com/c"),
    }
    G = nx.Graph(documents=docs, window="sentence")
    G.add_node("person:ann-lee", label="Ann Lee", type="PERSON", aliases="Ann Lee | Lee",
               mentions=9, documents=3, first_date="2024-03-01", last_date="2024-03-02",
               doc_ids=("a.txt", "b.txt", "c.txt"))
    G.add_node("org:acme", label="Acme", type="ORG", aliases="Acme | Acme Corp",
               mentions=4, documents=2, first_date="2024-03-01", last_date="2024-03-01",
               doc_ids=("a.txt", "c.txt"))
    G.add_node("place:paris", label="Paris", type="PLACE", aliases="Paris",
               mentions=2, documents=1, doc_ids=("c.txt",))
    G.add_node("event:summit", label="Summit", type="EVENT", aliases="Summit",
               mentions=1, documents=1, doc_ids=("c.txt",))
    G.add_edge("person:ann-lee", "org:acme", weight=3, documents=2, evidence=(
        Evidence("a.txt", "Talks resume", "2024-03-01", "Ann Lee joined Acme on Monday."),
        Evidence("c.txt", "Summit ends", None, "Acme Corp thanked Lee."),
    ))
    G.add_edge("person:ann-lee", "place:paris", weight=1, documents=1, evidence=(
        Evidence("c.txt", "Summit ends", None, "Lee flew to Paris."),
    ))
    G.add_edge("place:paris", "event:summit", weight=1, documents=1, evidence=(
        Evidence("c.txt", "Summit ends", None, "The Summit in Paris ended."),
    ))
    return G


def injection_graph() -> nx.Graph:
    """Markup in every text field: a label, aliases, a title, a source, a URL, a sentence."""
    docs = {
        "evil.txt": DocumentInfo("evil.txt", INJECTION, "2024-01-01", INJECTION,
                                 "javascript:alert(1)"),
    }
    G = nx.Graph(documents=docs, window="document")
    G.add_node("person:evil", label=f"Eve {XSS_SCRIPT}", type="PERSON",
               aliases=f"{XSS_SCRIPT} | {XSS_SVG}", mentions=2, documents=1,
               doc_ids=("evil.txt",))
    G.add_node("org:plain", label="Plain Org", type="ORG", aliases="Plain Org",
               mentions=1, documents=1, doc_ids=("evil.txt",))
    G.add_edge("person:evil", "org:plain", weight=1, documents=1, evidence=(
        Evidence("evil.txt", INJECTION, "2024-01-01", f"Eve said {INJECTION} and left."),
    ))
    return G


def read_data(html: str) -> dict[str, Any]:
    """The JSON the page reads, parsed out of its script block."""
    match = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>',
                      html, re.DOTALL)
    assert match, "no graph-data block"
    return json.loads(match.group(1))


def without_data(html: str) -> str:
    """The page with its JSON data block emptied."""
    return re.sub(r'(id="graph-data">).*?(</script>)', r"\1\2", html, flags=re.DOTALL)


def render(G: nx.Graph, tmp_path: Path, name: str = "graph.html", **kwargs: Any) -> str:
    path = tmp_path / name
    write_viewer(G, path, **kwargs)
    return path.read_text(encoding="utf-8")


def test_write_viewer_loads_nothing_from_the_network(tmp_path: Path) -> None:
    page = without_data(render(sample_graph(), tmp_path))
    lowered = page.lower()
    assert 'src="http' not in lowered and "src='http" not in lowered
    assert 'href="http' not in lowered and "href='http" not in lowered
    assert "<link" not in lowered
    assert "cdn" not in lowered
    assert "@import" not in lowered and "url(http" not in lowered
    assert "sourcemappingurl" not in lowered
    markup = re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", page, flags=re.DOTALL)
    assert re.search(r"\b(src|href|srcset|action|data)\s*=", markup) is None


def test_write_viewer_inlines_vis_network_with_its_licence(tmp_path: Path) -> None:
    html = render(sample_graph(), tmp_path)
    assert "@license" in html and "vis.js is dual licensed" in html
    assert "@version 9.1.2" in html


def test_write_viewer_csp_allows_exactly_the_inline_scripts(tmp_path: Path) -> None:
    html = render(sample_graph(), tmp_path)
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert match
    csp = match.group(1)
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "default-src 'none'" in csp and "unsafe" not in script_src
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) == 1 + len(viewer.APP_SCRIPTS)
    assert len(re.findall(r"'sha256-", csp)) == len(scripts)
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_write_viewer_data_round_trips(tmp_path: Path) -> None:
    G = sample_graph()
    data = read_data(render(G, tmp_path))
    assert data["window"] == "sentence"
    assert data["total"] == {"nodes": 4, "edges": 3}
    documents = [DocumentInfo(**rec) for rec in data["documents"]]
    assert documents == [G.graph["documents"][d] for d in sorted(G.graph["documents"])]
    doc_ids = [d.id for d in documents]
    assert [n["id"] for n in data["nodes"]] == sorted(G.nodes)
    for node in data["nodes"]:
        attrs = G.nodes[node["id"]]
        assert node["label"] == attrs["label"]
        assert node["type"] == attrs["type"]
        assert " | ".join(node["aliases"]) == attrs["aliases"]
        assert node["mentions"] == attrs["mentions"]
        assert node["documents"] == attrs["documents"]
        assert node["first_date"] == attrs.get("first_date")
        assert node["last_date"] == attrs.get("last_date")
        assert tuple(doc_ids[d] for d in node["docs"]) == attrs["doc_ids"]
        assert math.isfinite(node["x"]) and math.isfinite(node["y"])
        assert 0 < node["centrality"] < 1 and isinstance(node["community"], int)
    assert len(data["edges"]) == G.number_of_edges()
    ids = [n["id"] for n in data["nodes"]]
    for edge in data["edges"]:
        u, v = ids[edge["from"]], ids[edge["to"]]
        attrs = G.edges[u, v]
        assert u < v
        assert edge["weight"] == attrs["weight"]
        assert edge["documents"] == attrs["documents"]
        evidence = tuple(
            Evidence(doc_ids[d], documents[d].title, documents[d].date, data["sentences"][k])
            for d, k in edge["evidence"])
        assert evidence == attrs["evidence"]


def test_write_viewer_stores_each_sentence_once(tmp_path: Path) -> None:
    G = sample_graph()
    shared = Evidence("c.txt", "Summit ends", None, "Lee flew to Paris.")
    G.edges["place:paris", "event:summit"]["evidence"] = (shared,)
    data = read_data(render(G, tmp_path))
    assert data["sentences"].count("Lee flew to Paris.") == 1
    assert len(data["sentences"]) == 3


def test_write_viewer_documents_known_only_from_evidence(tmp_path: Path) -> None:
    G = sample_graph()
    G.graph["documents"] = {}
    data = read_data(render(G, tmp_path))
    records = {d["id"]: d for d in data["documents"]}
    assert records["a.txt"] == {"id": "a.txt", "title": "Talks resume", "date": "2024-03-01",
                                "source": None, "url": None}
    assert set(records) == {"a.txt", "b.txt", "c.txt"}


def test_write_viewer_legend_counts_types_in_palette_order(tmp_path: Path) -> None:
    G = sample_graph()
    G.add_node("misc:thing", label="Thing", type="MISC", aliases="Thing", mentions=1,
               documents=0, doc_ids=())
    data = read_data(render(G, tmp_path))
    assert [(t["type"], t["count"]) for t in data["types"]] == [
        ("PERSON", 1), ("ORG", 1), ("PLACE", 1), ("EVENT", 1), ("MISC", 1)]
    colors = {t["type"]: t["color"] for t in data["types"]}
    assert colors["PERSON"] == TYPE_COLORS["PERSON"] and colors["MISC"] == viewer.OTHER_COLOR
    assert len(set(TYPE_COLORS.values())) == len(TYPE_COLORS)


def test_write_viewer_ships_what_the_page_sizes_by(tmp_path: Path) -> None:
    data = read_data(render(sample_graph(), tmp_path))
    rank = sorted((n["centrality"], n["id"]) for n in data["nodes"])
    assert rank[-1][1] == "person:ann-lee"
    assert {n["id"]: n["mentions"] for n in data["nodes"]}["person:ann-lee"] == 9


def test_write_viewer_escapes_markup_in_every_text_field(tmp_path: Path) -> None:
    G = injection_graph()
    G.nodes["org:plain"]["label"] = SEPARATORS
    html = render(G, tmp_path)
    for raw in (XSS_SCRIPT, XSS_SVG, "<img", "<svg", "<b>Bold", "\u2028", "\u2029"):
        assert raw not in html
    assert html.lower().count("</script") == 2 + len(viewer.APP_SCRIPTS)
    data = read_data(html)
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels == {"person:evil": f"Eve {XSS_SCRIPT}", "org:plain": SEPARATORS}
    assert data["sentences"] == [f"Eve said {INJECTION} and left."]
    assert data["documents"][0]["title"] == INJECTION


def test_write_viewer_escapes_lone_surrogates(tmp_path: Path) -> None:
    G = sample_graph()
    G.nodes["org:acme"]["label"] = "Acme \udc80"
    html = render(G, tmp_path)
    assert "\\udc80" in html
    labels = {n["id"]: n["label"] for n in read_data(html)["nodes"]}
    assert labels["org:acme"] == "Acme \udc80"
    assert "Ünïcode" in render(nx.Graph(window="Ünïcode"), tmp_path, "utf8.html")


def test_write_viewer_is_deterministic(tmp_path: Path) -> None:
    first = (tmp_path / "one.html")
    second = (tmp_path / "two.html")
    write_viewer(sample_graph(), first)
    G = sample_graph()
    shuffled = nx.Graph(**G.graph)
    shuffled.add_nodes_from(reversed(list(G.nodes(data=True))))
    shuffled.add_edges_from((v, u, d) for u, v, d in reversed(list(G.edges(data=True))))
    write_viewer(shuffled, second)
    assert first.read_bytes() == second.read_bytes()
    write_viewer(sample_graph(), second, seed=7)
    assert first.read_bytes() != second.read_bytes()


def test_write_viewer_creates_no_lib_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_viewer(sample_graph(), Path("out") / "graph.html")
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert sorted(os.listdir(tmp_path / "out")) == ["graph.html"]


def test_write_viewer_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "graph.html"
    path.write_text("old", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError, match="disk full"):
        write_viewer(sample_graph(), path)
    assert path.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["graph.html"]


def test_write_viewer_empty_graph(tmp_path: Path) -> None:
    data = read_data(render(nx.Graph(), tmp_path))
    assert data["nodes"] == [] and data["edges"] == [] and data["types"] == []
    assert data["communities"] == [] and data["documents"] == []


def test_layout_positions_large_graph_is_seeded_and_spread() -> None:
    B = nx.barabasi_albert_graph(viewer.DENSE_LAYOUT_LIMIT + 20, 2, seed=3)
    G = nx.relabel_nodes(B, {i: f"n:{i:04d}" for i in B})
    pos = layout_positions(G, seed=1)
    assert pos == layout_positions(G, seed=1)
    assert pos != layout_positions(G, seed=2)
    xy = list(pos.values())
    assert len(set(xy)) == len(xy)
    assert all(math.isfinite(c) for p in xy for c in p)
    # one component: centred layout of radius COMPONENT_SPACING * sqrt(n), shifted as a whole
    cx = sum(x for x, _ in xy) / len(xy)
    cy = sum(y for _, y in xy) / len(xy)
    half = viewer.COMPONENT_SPACING * math.sqrt(len(G))
    assert max(max(abs(x - cx), abs(y - cy)) for x, y in xy) == pytest.approx(half, abs=0.2)


def test_layout_positions_components_do_not_overlap() -> None:
    G = nx.union_all([
        nx.relabel_nodes(nx.path_graph(size), {i: f"c{k}:{i}" for i in range(size)})
        for k, size in enumerate((30, 8, 2, 1, 1))
    ])
    pos = layout_positions(G, seed=1)
    boxes = []
    for component in nx.connected_components(G):
        xs = [pos[n][0] for n in component]
        ys = [pos[n][1] for n in component]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
            assert apart, (a, b)


def test_write_viewer_missing_bundle_says_how_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(viewer, "VIS_BUNDLE", Path("lib") / "nowhere.js")
    with pytest.raises(GraphError, match="pip install"):
        write_viewer(sample_graph(), tmp_path / "graph.html")
    assert not (tmp_path / "graph.html").exists()


def star_graph(leaves: int) -> nx.Graph:
    """A hub and ``leaves`` leaves; leaf i has i + 1 mentions and a link of weight i + 1."""
    G = nx.Graph(documents={}, window="sentence")
    G.add_node("hub", label="Hub", type="ORG", mentions=1000)
    for i in range(leaves):
        G.add_node(f"leaf:{i:03d}", label=f"Leaf {i}", type="PERSON", mentions=i + 1)
        G.add_edge("hub", f"leaf:{i:03d}", weight=i + 1, documents=1, evidence=(
            Evidence(f"d{i}", None, None, f"Hub met Leaf {i}."),))
    return G


def test_select_shown_keeps_the_most_mentioned_and_heaviest() -> None:
    G = star_graph(10)
    G.add_edge("leaf:008", "leaf:009", weight=1)
    nodes, pairs = select_shown(G, max_nodes=4, max_edges=2)
    assert nodes == ["hub", "leaf:007", "leaf:008", "leaf:009"]
    assert pairs == [("hub", "leaf:008"), ("hub", "leaf:009")]
    assert select_shown(G) == (sorted(G), sorted(tuple(sorted(e)) for e in G.edges))


def test_select_shown_breaks_ties_by_weighted_degree_then_id() -> None:
    G = nx.Graph()
    G.add_nodes_from(["b", "a", "c", "d"], mentions=5)
    G.add_edge("c", "d", weight=2)
    G.add_edge("a", "b", weight=1)
    assert select_shown(G, max_nodes=2)[0] == ["c", "d"]
    assert select_shown(G, max_nodes=3)[0] == ["a", "c", "d"]


def test_write_viewer_caps_the_page_and_says_so(tmp_path: Path) -> None:
    data = read_data(render(star_graph(30), tmp_path, max_nodes=11, max_edges=5))
    assert data["total"] == {"nodes": 31, "edges": 30}
    assert len(data["nodes"]) == 11 and len(data["edges"]) == 5
    ids = [n["id"] for n in data["nodes"]]
    assert sorted(data["edges"][i]["weight"] for i in range(5)) == [26, 27, 28, 29, 30]
    assert {ids[e["to"]] for e in data["edges"]} == {f"leaf:{i:03d}" for i in range(25, 30)}


def test_write_viewer_evidence_within_budget(tmp_path: Path) -> None:
    G = star_graph(4)
    for i in range(4):
        G.edges["hub", f"leaf:{i:03d}"]["evidence"] = tuple(
            Evidence("d", None, None, f"{'x' * 9}{i}{k}") for k in range(3))
    data = read_data(render(G, tmp_path, max_evidence=2, page_chars=61))  # 1 for the id "d"
    kept = {data["nodes"][e["to"]]["id"]: [data["sentences"][k] for _, k in e["evidence"]]
            for e in data["edges"]}
    # first passages of every link (strongest first), then second passages while budget lasts
    assert kept == {"leaf:003": ["xxxxxxxxx30", "xxxxxxxxx31"], "leaf:002": ["xxxxxxxxx20"],
                    "leaf:001": ["xxxxxxxxx10"], "leaf:000": ["xxxxxxxxx00"]}
    assert sum(map(len, data["sentences"])) <= 60


def test_communities_are_seeded_and_numbered_by_size() -> None:
    G = nx.Graph()
    clique = [f"a{i}" for i in range(5)]
    G.add_edges_from((u, v) for i, u in enumerate(clique) for v in clique[i + 1:])
    G.add_edges_from([("b0", "b1"), ("b1", "b2"), ("b0", "b2"), ("b2", "a0")])
    G.add_node("z")
    groups = communities(G, seed=3)
    assert groups == [clique, ["b0", "b1", "b2"], ["z"]]
    reversed_graph = nx.Graph()
    reversed_graph.add_nodes_from(reversed(list(G)))
    reversed_graph.add_edges_from(reversed(list(G.edges)))
    assert communities(reversed_graph, seed=3) == groups


def test_pagerank_matches_networkx() -> None:
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    G = nx.relabel_nodes(nx.les_miserables_graph(), str)
    G.add_node("alone")
    expected = _pagerank_python(G, weight="weight", tol=1e-12, max_iter=500)
    ours = pagerank(G)
    assert ours.keys() == expected.keys()
    assert max(abs(ours[n] - expected[n]) for n in G) < 1e-8
    assert sum(ours.values()) == pytest.approx(1.0)
    assert pagerank(nx.Graph()) == {}


def test_viewer_data_is_independent_of_insertion_order() -> None:
    G = star_graph(12)
    shuffled = nx.Graph(**G.graph)
    shuffled.add_nodes_from(reversed(list(G.nodes(data=True))))
    shuffled.add_edges_from((v, u, d) for u, v, d in reversed(list(G.edges(data=True))))
    assert viewer_data(shuffled, max_nodes=8) == viewer_data(G, max_nodes=8)


def test_sorted_edges_same_order_for_string_and_other_ids() -> None:
    def by_text(G: nx.Graph) -> list[tuple[Any, Any]]:
        pairs = ((u, v) if str(u) <= str(v) else (v, u) for u, v in G.edges)
        return sorted(pairs, key=lambda p: (str(p[0]), str(p[1])))

    G = nx.Graph([("b", "a"), ("a", "c"), ("c", "b"), ("B", "a"), ("é", "Z"), ("a", "a")])
    assert viewer._sorted_edges(G) == by_text(G) == [
        ("B", "a"), ("Z", "é"), ("a", "a"), ("a", "b"), ("a", "c"), ("b", "c")]
    mixed = nx.relabel_nodes(G, {"a": 10, "b": 2})  # ids that are not strings: by their text
    assert viewer._sorted_edges(mixed) == by_text(mixed)
    assert viewer._sorted_edges(mixed)[:2] == [(10, 10), (10, 2)]


@settings(max_examples=200, deadline=None)
@given(
    mentions=st.lists(st.integers(1, 4), min_size=1, max_size=12),
    links=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(1, 3)),
                   max_size=20),
    max_nodes=st.integers(0, 13),
)
def test_select_shown_nodes_match_the_full_ranking(
    mentions: list[int], links: list[tuple[int, int, int]], max_nodes: int
) -> None:
    G = nx.Graph()
    G.add_nodes_from((f"n{i:02d}", {"mentions": m}) for i, m in enumerate(mentions))
    G.add_weighted_edges_from((f"n{u:02d}", f"n{v:02d}", w) for u, v, w in links
                              if u < len(mentions) and v < len(mentions))
    strength = dict(G.degree(weight="weight"))
    ranked = sorted(sorted(G, key=str), key=lambda n: (-G.nodes[n]["mentions"], -strength[n], n))
    assert select_shown(G, max_nodes=max_nodes)[0] == sorted(ranked[:max_nodes])


def test_write_viewer_bounds_titles_sources_and_urls_of_a_hostile_corpus(
    tmp_path: Path, ruler_nlp: Any
) -> None:
    """Titles, sources and URLs of 100,000 characters each count against the page's budget
    (they were shipped whole: 60 documents made an 18 MB page)."""
    import graph

    long = "Breaking " * 11_111
    records = [{"id": str(i), "title": f"{i} {long}", "source": f"Wire {long}",
                "url": f"https://example.com/{i}/{'a' * 100_000}",
                "text": "Alice Moreau met Bob Lind in Paris."} for i in range(60)]
    (tmp_path / "in.jsonl").write_text("\n".join(map(json.dumps, records)), encoding="utf-8")
    graph.build(tmp_path / "in.jsonl", out=tmp_path / "out", nlp=ruler_nlp, use_cache=False)
    html = (tmp_path / "out" / "graph.html").read_text(encoding="utf-8")
    data = read_data(html)
    assert len(data["documents"]) == 60
    assert len(without_data(html)) + 200_000 > len(html)
    for doc in data["documents"]:
        assert len(doc["title"] or "") <= 300 and len(doc["source"] or "") <= 300
        assert doc["url"] is None
    with_titles = [d for d in data["documents"] if d["title"]]
    assert with_titles and all(d["title"].endswith("…") for d in with_titles)
    # the evidence in the other exports carries the title cut the same way
    assert (tmp_path / "out" / "edges.csv").stat().st_size < 10_000


def test_write_viewer_documents_share_the_page_budget(tmp_path: Path) -> None:
    """Documents' text takes up to half the budget, the documents of the most drawn
    entities first; the others are listed by id and date; evidence gets what is left."""
    G = star_graph(3)
    G.graph["documents"] = {f"d{i}": DocumentInfo(f"d{i}", "T" * 40, "2024-01-01", "S" * 10,
                                                  None) for i in range(3)}
    G.nodes["hub"]["doc_ids"] = ("d0", "d1", "d2")
    G.nodes["leaf:000"]["doc_ids"] = ("d2",)
    G.nodes["leaf:001"]["doc_ids"] = ("d1", "d2")
    for i in range(3):
        G.edges["hub", f"leaf:{i:03d}"]["evidence"] = (Evidence(f"d{i}", None, None,
                                                                f"{i}" * 50),)
    data = read_data(render(G, tmp_path, page_chars=240))
    titled = [d["id"] for d in data["documents"] if d["title"]]
    assert titled == ["d1", "d2"]  # mentioned by 2 and 3 drawn entities; d0 by 1
    assert [d["date"] for d in data["documents"]] == ["2024-01-01"] * 3
    docs_text = sum(len(d["id"]) + len(d["title"] or "") + len(d["source"] or "")
                    for d in data["documents"])
    assert docs_text == 106  # within 120, ids included
    assert sorted(data["sentences"]) == ["1" * 50, "2" * 50]  # 134 left: the two strongest
