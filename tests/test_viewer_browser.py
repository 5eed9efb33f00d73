"""The viewer page in a real browser (Debian's chromium), with every network request blocked.

Each test drives the page the way a user does (clicks, typing, keys, sliders, downloads)
and ends by checking that the page logged no console error, threw nothing, opened no
dialog and requested nothing from the network.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.viewer import write_viewer

from .browser import browser_unavailable, chromium, open_page
from .test_viewer import XSS_SCRIPT, XSS_SVG, injection_graph, sample_graph, star_graph

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(browser_unavailable() is not None, reason=str(browser_unavailable())),
]

POINT_OF_NODE = """id => {
  const n = window.entityGraph.network;
  const r = document.getElementById("network").getBoundingClientRect();
  const d = n.canvasToDOM(n.getPositions([id])[id]);
  return [d.x + r.left, d.y + r.top];
}"""

CLICKABLE_EDGE_POINT = """() => {
  /* The midpoint of the first edge that is hit there and has no node on top of it. */
  const n = window.entityGraph.network;
  const r = document.getElementById("network").getBoundingClientRect();
  for (const id of window.entityGraph.edges.getIds()) {
    const [a, b] = n.getConnectedNodes(id), p = n.getPositions([a, b]);
    const d = n.canvasToDOM({x: (p[a].x + p[b].x) / 2, y: (p[a].y + p[b].y) / 2});
    if (n.getNodeAt(d) === undefined && n.getEdgeAt(d) === id) {
      return [id, d.x + r.left, d.y + r.top];
    }
  }
  return null;
}"""

EMPTY_POINT = """() => {
  const n = window.entityGraph.network;
  const r = document.getElementById("network").getBoundingClientRect();
  for (let y = 5; y < r.height; y += 20) for (let x = 5; x < r.width; x += 20)
    if (n.getNodeAt({x, y}) === undefined && n.getEdgeAt({x, y}) === undefined)
      return [x + r.left, y + r.top];
  return null;
}"""

SHOWN = """() => {
  const g = window.entityGraph;
  const ends = e => [e.from, e.to].sort().join(" ");
  return {nodes: g.nodes.get({filter: n => !n.hidden}).map(n => n.id).sort(),
          edges: g.edges.get({filter: e => !e.hidden}).map(ends).sort()};
}"""

ANN, ACME, PARIS, SUMMIT = "person:ann-lee", "org:acme", "place:paris", "event:summit"


def details(page: Any) -> str:
    return page.inner_text("#details")


def click_node(page: Any, node: str) -> None:
    page.mouse.click(*page.evaluate(POINT_OF_NODE, node))


def wait_heading(page: Any, text: str) -> None:
    page.wait_for_function("t => (document.querySelector('#details h2') || {}).textContent === t",
                           arg=text)


def selected(page: Any) -> list[str]:
    return page.evaluate("() => window.entityGraph.network.getSelectedNodes()")


def shown(page: Any) -> dict[str, list[str]]:
    return page.evaluate(SHOWN)


def edge_id(page: Any, a: str, b: str) -> str:
    return page.evaluate("""([a, b]) => window.entityGraph.edges.get({filter: e =>
        (e.from === a && e.to === b) || (e.from === b && e.to === a)})[0].id""", [a, b])


def move_slider(page: Any, selector: str, key: str) -> None:
    """Focus a range input and press a key, as a keyboard user moves a slider."""
    before = page.inner_text("#visible-count")
    page.focus(selector)
    page.keyboard.press(key)
    page.wait_for_function("t => document.getElementById('visible-count').textContent !== t",
                           arg=before)


def choose(page: Any, field: str, text: str) -> None:
    """Type into a search field and click the first suggestion."""
    page.fill(field, text)
    page.click(f"{field}-suggestions li >> nth=0")


def clean(session: Any) -> None:
    _, console_errors, page_errors, requests = session
    assert (console_errors, page_errors, requests) == ([], [], [])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium for the module; every test still gets a fresh context and page."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def sample_page(tmp_path: Path) -> Path:
    path = tmp_path / "graph.html"
    write_viewer(sample_graph(), path)
    return path


def test_viewer_draws_every_node_offline(sample_page: Path, browser: Any) -> None:
    G = sample_graph()
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        drawn = page.evaluate("""() => {
          const g = window.entityGraph;
          return {indices: g.network.body.nodeIndices.length,
                  positions: Object.keys(g.network.getPositions()).sort(),
                  edges: g.network.body.edgeIndices.length,
                  physics: g.network.physics.physicsEnabled};
        }""")
        assert drawn == {"indices": len(G), "positions": sorted(G),
                         "edges": G.number_of_edges(), "physics": False}
        assert page.inner_text("#summary") == "4 entities \u00b7 3 links \u00b7 window: sentence"
        assert page.is_hidden("#banner")
        legend = page.inner_text("#legend-list")
        assert "PERSON (1)" in legend and "EVENT (1)" in legend
        assert page.inner_text("#visible-count") == "Visible: 4 of 4 entities, 3 of 3 links"
        page.wait_for_timeout(100)
    clean(session)


def test_viewer_click_node_shows_details_and_dims_the_rest(sample_page: Path, browser: Any) -> None:
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        click_node(page, ANN)
        wait_heading(page, "Ann Lee")
        text = details(page)
        for expected in ("PERSON", "Lee", "Mentions\n9", "Documents\n3", "2024-03-01",
                         "2024-03-02", "Strongest connections", "Acme \u00b7 3 co-occurrences",
                         "Paris \u00b7 1 co-occurrence", "Mentioned in 3 documents",
                         "Talks resume", "Wire", "Summit ends", "Daily", "b.txt"):
            assert expected in text, expected
        links = page.eval_on_selector_all(
            "#details a", "as => as.map(a => [a.textContent, a.href, a.rel, a.target])")
        assert links == [["Talks resume", "https://example.com/a", "noopener noreferrer", "_blank"]]
        assert selected(page) == [ANN]
        looks = page.evaluate("""() => Object.fromEntries(window.entityGraph.nodes.get()
            .map(n => [n.id, n.opacity]))""")
        assert looks == {ANN: 1, ACME: 1, PARIS: 1, SUMMIT: 0.2}
        # a strongest connection opens that link's evidence
        page.click("#details button:has-text('3 co-occurrences')")
        page.wait_for_selector("#details figure")
        assert "Ann Lee joined Acme on Monday." in details(page)
    clean(session)


def test_viewer_click_edge_shows_evidence_with_names_marked(
    sample_page: Path, browser: Any
) -> None:
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        hit = page.evaluate(CLICKABLE_EDGE_POINT)
        assert hit is not None, "no edge midpoint is clickable"
        edge, x, y = hit
        page.mouse.click(x, y)
        page.wait_for_selector("#details figure")
        record = page.evaluate("id => window.entityGraph.edges.get(id)", edge)
        G = sample_graph()
        text = details(page)
        assert G.nodes[record["from"]]["label"] in text
        assert G.nodes[record["to"]]["label"] in text
        for evidence in G.edges[record["from"], record["to"]]["evidence"]:
            assert evidence.text in text
            assert (evidence.title or evidence.doc) in text
        page.evaluate("id => window.entityGraph.selectEdge(id)", edge_id(page, ACME, ANN))
        page.wait_for_function("() => document.querySelectorAll('#details figure').length === 2")
        marks = page.eval_on_selector_all("#details figure", """figures => figures.map(
            f => [...f.querySelectorAll("mark")].map(m => m.textContent))""")
        assert marks == [["Ann Lee", "Acme"], ["Acme Corp", "Lee"]]
        assert "Co-occurrences\n3" in details(page)
        assert "Talks resume \u00b7 2024-03-01 \u00b7 Wire" in details(page)
    clean(session)


def test_viewer_click_empty_canvas_and_keys_clear_the_selection(
    sample_page: Path, browser: Any
) -> None:
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        click_node(page, ACME)
        wait_heading(page, "Acme")
        page.mouse.click(*page.evaluate(EMPTY_POINT))
        page.wait_for_function("() => !document.querySelector('#details h2')")
        assert "Click an entity" in details(page)
        assert selected(page) == []
        click_node(page, ACME)
        wait_heading(page, "Acme")
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('#details h2')")
        assert page.evaluate("() => window.entityGraph.nodes.get().every(n => n.opacity === 1)")
        page.keyboard.press("/")
        assert page.evaluate("() => document.activeElement.id") == "search"
    clean(session)


def test_viewer_search_suggests_names_and_aliases(sample_page: Path, browser: Any) -> None:
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        page.fill("#search", "acme c")
        page.wait_for_selector("#search-suggestions li")
        assert page.inner_text("#search-suggestions") == "Acme \u201cAcme Corp\u201d \u00b7 ORG"
        page.click("#search-suggestions li >> nth=0")
        wait_heading(page, "Acme")
        assert selected(page) == [ACME]
        assert page.is_hidden("#search-suggestions")
        page.fill("#search", "lee")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        wait_heading(page, "Ann Lee")
        page.fill("#search", "nobody at all")
        page.press("#search", "Enter")
        assert page.inner_text("#search-status") == "No match"
    clean(session)


def test_viewer_filters_hide_entities_and_links(sample_page: Path, browser: Any) -> None:
    everything = {"nodes": sorted([ACME, SUMMIT, ANN, PARIS]),
                  "edges": sorted([f"{ACME} {ANN}", f"{ANN} {PARIS}", f"{SUMMIT} {PARIS}"])}
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        assert shown(page) == everything
        page.uncheck("#type-filter input[value=PLACE]")
        page.wait_for_function("() => document.getElementById('visible-count').textContent"
                               ".startsWith('Visible: 3 of 4')")
        assert shown(page) == {"nodes": sorted([ACME, SUMMIT, ANN]), "edges": [f"{ACME} {ANN}"]}
        page.check("#type-filter input[value=PLACE]")
        move_slider(page, "#min-weight", "ArrowRight")
        assert page.inner_text("#min-weight-value") == "3"
        assert shown(page)["edges"] == [f"{ACME} {ANN}"]
        assert len(shown(page)["nodes"]) == 4
        move_slider(page, "#min-mentions", "End")
        assert page.inner_text("#min-mentions-value") == "9"
        assert shown(page) == {"nodes": [ANN], "edges": []}
        page.click("#reset-filters")
        page.wait_for_function("() => document.getElementById('visible-count').textContent"
                               ".startsWith('Visible: 4 of 4')")
        assert shown(page) == everything
        # from 2024-03-02 on: Acme (only 2024-03-01) goes; undated Paris and Summit stay
        assert page.is_visible("#date-filter")
        move_slider(page, "#date-from", "End")
        assert page.inner_text("#date-from-value") == "2024-03-02"
        assert shown(page) == {"nodes": sorted([SUMMIT, ANN, PARIS]),
                               "edges": sorted([f"{ANN} {PARIS}", f"{SUMMIT} {PARIS}"])}
        choose(page, "#search", "acme")
        wait_heading(page, "Acme")
        assert "Hidden by the current filters." in details(page)
    clean(session)


def test_viewer_colour_by_community_and_size_by_centrality(sample_page: Path, browser: Any) -> None:
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        look = "() => window.entityGraph.nodes.get().map(n => [n.id, n.color.background, n.size])"
        by_type = dict((i, (c, s)) for i, c, s in page.evaluate(look))
        page.select_option("#color-by", "community")
        page.wait_for_function("() => document.getElementById('legend-list').textContent"
                               ".includes('around')")
        legend = page.inner_text("#legend-list")
        assert "around Ann Lee (2)" in legend and "around Paris (2)" in legend
        by_community = dict((i, (c, s)) for i, c, s in page.evaluate(look))
        assert by_community[ANN][0] == by_community[ACME][0] != by_community[PARIS][0]
        assert by_community[ANN][0] != by_type[ANN][0]
        page.select_option("#size-by", "centrality")
        page.wait_for_function("s => window.entityGraph.nodes.get('place:paris').size !== s",
                               arg=by_type[PARIS][1])
        sizes = {i: s for i, _, s in page.evaluate(look)}
        assert sizes[ANN] == max(sizes.values())
        assert sizes[PARIS] > by_type[PARIS][1]  # Paris is central but rarely mentioned
    clean(session)


def test_viewer_finds_how_two_entities_are_connected(sample_page: Path, browser: Any) -> None:
    with open_page(sample_page, browser=browser) as session:
        page = session.page
        choose(page, "#path-from", "acme")
        choose(page, "#path-to", "summ")
        page.click("#path-go")
        page.wait_for_selector("#details ol.path")
        text = details(page)
        assert "How Acme and Summit are connected" in text
        assert "1 shortest path of 3 steps." in text
        assert "Path 1: Acme \u2192 Ann Lee \u2192 Paris \u2192 Summit" in text
        for sentence in ("Ann Lee joined Acme on Monday.", "Lee flew to Paris.",
                         "The Summit in Paris ended."):
            assert sentence in text
        marks = page.eval_on_selector_all("#details mark", "ms => ms.map(m => m.textContent)")
        assert marks == ["Ann Lee", "Acme", "Lee", "Paris", "Summit", "Paris"]
        lit = page.evaluate("""() => window.entityGraph.nodes.get()
            .filter(n => n.opacity === 1).map(n => n.id).sort()""")
        assert lit == sorted([ACME, SUMMIT, ANN, PARIS])
        # with Paris filtered out there is no path
        page.uncheck("#type-filter input[value=PLACE]")
        page.wait_for_function("() => !document.querySelector('#details ol.path')")
        page.click("#path-go")
        page.wait_for_function("() => document.getElementById('details').textContent"
                               ".includes('No chain of visible links')")
    clean(session)


def test_viewer_exports_the_visible_subgraph(tmp_path: Path, browser: Any) -> None:
    G = sample_graph()
    G.nodes[ACME]["label"] = "=HYPERLINK(\"http://evil\")"
    G.nodes[ACME]["aliases"] = "@SUM(1) | +Acme"
    path = tmp_path / "graph.html"
    write_viewer(G, path)
    with open_page(path, browser=browser) as session:
        page = session.page
        page.click("#export summary")
        move_slider(page, "#min-weight", "ArrowRight")  # only Acme - Ann Lee remains

        def download(button: str) -> bytes:
            with page.expect_download() as info:
                page.click(button)
            return Path(info.value.path()).read_bytes()

        assert download("#export-png")[:8] == b"\x89PNG\r\n\x1a\n"
        entities = list(csv.reader(io.StringIO(download("#export-nodes").decode("utf-8-sig"))))
        assert entities[0][:4] == ["id", "label", "type", "aliases"]
        assert [row[0] for row in entities[1:]] == [SUMMIT, ACME, ANN, PARIS]
        assert entities[2][1:4] == ["'=HYPERLINK(\"http://evil\")", "ORG", "'@SUM(1) | +Acme"]
        links = list(csv.reader(io.StringIO(download("#export-links").decode("utf-8-sig"))))
        assert links == [["source", "target", "source_label", "target_label", "weight",
                          "documents"],
                         [ACME, ANN, "'=HYPERLINK(\"http://evil\")", "Ann Lee", "3", "2"]]
        exported = json.loads(download("#export-json"))
        assert len(exported["nodes"]) == 4 and len(exported["links"]) == 1
        assert exported["links"][0]["evidence"][0] == {
            "text": "Ann Lee joined Acme on Monday.",
            "document": {"id": "a.txt", "title": "Talks resume", "date": "2024-03-01",
                         "source": "Wire", "url": "https://example.com/a"}}
    clean(session)


def test_viewer_shows_injected_markup_as_text(tmp_path: Path, browser: Any) -> None:
    path = tmp_path / "graph.html"
    write_viewer(injection_graph(), path)
    with open_page(path, browser=browser) as session:
        page = session.page
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        page.mouse.move(*page.evaluate(POINT_OF_NODE, "person:evil"))
        page.wait_for_selector("div.vis-tooltip", state="visible")
        assert page.inner_text("div.vis-tooltip") == f"Eve {XSS_SCRIPT} (PERSON, 2 mentions)"
        click_node(page, "person:evil")
        wait_heading(page, f"Eve {XSS_SCRIPT}")
        node_text = details(page)
        assert XSS_SCRIPT in node_text and XSS_SVG in node_text
        page.evaluate("() => window.entityGraph.selectEdge('e0')")
        page.wait_for_selector("#details figure")
        edge_text = details(page)
        assert f"Eve said {XSS_SCRIPT} {XSS_SVG} and left." in edge_text
        assert f"{XSS_SCRIPT} {XSS_SVG}" in page.inner_text("#details figcaption")
        marks = page.eval_on_selector_all("#details mark", "ms => ms.map(m => m.textContent)")
        assert marks == [XSS_SCRIPT, XSS_SVG]
        page.fill("#search", "<svg")
        assert XSS_SVG in page.inner_text("#search-suggestions")
        page.keyboard.press("Escape")
        choose(page, "#path-from", "eve")
        choose(page, "#path-to", "plain")
        page.click("#path-go")
        page.wait_for_selector("#details ol.path")
        assert f"Path 1: Eve {XSS_SCRIPT} \u2192 Plain Org" in details(page)
        page.wait_for_timeout(200)
        hostile = page.evaluate("""() => [
          document.querySelectorAll('img, svg, iframe, object, embed').length,
          document.querySelectorAll('[onload], [onerror]').length,
          document.querySelectorAll('a[href^="javascript"]').length,
          document.querySelectorAll('#details a').length,
          document.scripts.length]""")
        assert hostile == [0, 0, 0, 0, 5]
        assert dialogs == []
    clean(session)


def test_viewer_banner_says_how_much_is_shown(tmp_path: Path, browser: Any) -> None:
    path = tmp_path / "graph.html"
    write_viewer(star_graph(30), path, max_nodes=11, max_edges=5)
    with open_page(path, browser=browser) as session:
        page = session.page
        assert page.inner_text("#banner").startswith(
            "Showing 11 of 31 entities, 5 of 30 links")
        assert page.inner_text("#summary") == "11 entities \u00b7 5 links \u00b7 window: sentence"
    clean(session)


def test_viewer_opens_an_empty_graph(tmp_path: Path, browser: Any) -> None:
    path = tmp_path / "graph.html"
    write_viewer(nx.Graph(window="document", documents={}), path)
    with open_page(path, browser=browser) as session:
        page = session.page
        assert page.inner_text("#summary") == "0 entities \u00b7 0 links \u00b7 window: document"
        page.mouse.click(500, 400)
        page.keyboard.press("Escape")
        page.click("#path-go")
        page.click("#export summary")
        with page.expect_download() as info:
            page.click("#export-json")
        assert json.loads(Path(info.value.path()).read_bytes()) == {
            "window": "document", "nodes": [], "links": []}
        page.wait_for_timeout(100)
    clean(session)
