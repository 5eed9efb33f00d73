"""The viewer page in a real browser (Debian's chromium), with every network request blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.viewer import write_viewer

from .browser import browser_unavailable, open_page
from .test_viewer import XSS_SCRIPT, XSS_SVG, injection_graph, sample_graph

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


def details(page: Any) -> str:
    return page.inner_text("#details")


def click_node(page: Any, node: str) -> None:
    page.mouse.click(*page.evaluate(POINT_OF_NODE, node))


@pytest.fixture
def sample_page(tmp_path: Path) -> Path:
    path = tmp_path / "graph.html"
    write_viewer(sample_graph(), path)
    return path


def test_viewer_draws_every_node_offline(sample_page: Path) -> None:
    G = sample_graph()
    with open_page(sample_page) as (page, console_errors, page_errors, requests):
        drawn = page.evaluate("""() => {
          const g = window.entityGraph;
          return {indices: g.network.body.nodeIndices.length,
                  positions: Object.keys(g.network.getPositions()).sort(),
                  edges: g.network.body.edgeIndices.length};
        }""")
        assert drawn == {"indices": len(G), "positions": sorted(G), "edges": G.number_of_edges()}
        assert page.inner_text("#summary") == "4 entities \u00b7 3 links \u00b7 window: sentence"
        legend = page.inner_text("#legend-list")
        assert "PERSON (1)" in legend and "EVENT (1)" in legend
        page.wait_for_timeout(100)
    assert (console_errors, page_errors, requests) == ([], [], [])


def test_viewer_click_node_shows_its_details(sample_page: Path) -> None:
    with open_page(sample_page) as (page, console_errors, page_errors, requests):
        click_node(page, "person:ann-lee")
        page.wait_for_function("() => document.querySelector('#details h2')")
        text = details(page)
        for expected in ("Ann Lee", "PERSON", "Lee", "9", "2024-03-01", "2024-03-02",
                         "Mentioned in 3 documents", "Talks resume", "Summit ends", "b.txt"):
            assert expected in text
        links = page.eval_on_selector_all(
            "#details a", "as => as.map(a => [a.textContent, a.href, a.rel, a.target])")
        assert links == [["Talks resume", "https://example.com/a", "noopener noreferrer", "_blank"]]
        assert page.evaluate("() => window.entityGraph.network.getSelectedNodes()") == [
            "person:ann-lee"]
    assert (console_errors, page_errors, requests) == ([], [], [])


def test_viewer_click_edge_shows_evidence(sample_page: Path) -> None:
    with open_page(sample_page) as (page, console_errors, page_errors, requests):
        hit = page.evaluate(CLICKABLE_EDGE_POINT)
        assert hit is not None, "no edge midpoint is clickable"
        edge, x, y = hit
        page.mouse.click(x, y)
        page.wait_for_function("() => document.querySelector('#details figure, #details h3')")
        record = page.evaluate("id => window.entityGraph.edges.get(id)", edge)
        G = sample_graph()
        text = details(page)
        assert G.nodes[record["from"]]["label"] in text
        assert G.nodes[record["to"]]["label"] in text
        for evidence in G.edges[record["from"], record["to"]]["evidence"]:
            assert evidence.text in text
            assert (evidence.title or evidence.doc) in text
    assert (console_errors, page_errors, requests) == ([], [], [])


def test_viewer_click_empty_canvas_clears_the_panel(sample_page: Path) -> None:
    with open_page(sample_page) as (page, console_errors, page_errors, requests):
        click_node(page, "org:acme")
        page.wait_for_function("() => document.querySelector('#details h2')")
        page.mouse.click(*page.evaluate(EMPTY_POINT))
        page.wait_for_function("() => !document.querySelector('#details h2')")
        assert "Click an entity" in details(page)
        assert page.evaluate("() => window.entityGraph.network.getSelectedNodes()") == []
    assert (console_errors, page_errors, requests) == ([], [], [])


def test_viewer_search_finds_a_node_by_alias(sample_page: Path) -> None:
    with open_page(sample_page) as (page, console_errors, page_errors, requests):
        page.fill("#search", "acme corp")
        page.press("#search", "Enter")
        page.wait_for_function("() => document.querySelector('#details h2')")
        assert page.inner_text("#details h2") == "Acme"
        assert page.evaluate("() => window.entityGraph.network.getSelectedNodes()") == ["org:acme"]
        page.fill("#search", "nobody at all")
        page.press("#search", "Enter")
        assert page.inner_text("#search-status") == "No match"
    assert (console_errors, page_errors, requests) == ([], [], [])


def test_viewer_shows_injected_markup_as_text(tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_viewer(injection_graph(), path)
    with open_page(path) as (page, console_errors, page_errors, requests):
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        click_node(page, "person:evil")
        page.wait_for_function("() => document.querySelector('#details h2')")
        assert page.inner_text("#details h2") == f"Eve {XSS_SCRIPT}"
        node_text = details(page)
        assert XSS_SCRIPT in node_text and XSS_SVG in node_text
        page.evaluate("""() => {
          const g = window.entityGraph, id = g.edges.getIds()[0];
          g.network.selectEdges([id]);
          g.showEdge(id);
        }""")
        edge_text = details(page)
        assert f"Eve said {XSS_SCRIPT} {XSS_SVG} and left." in edge_text
        assert f"{XSS_SCRIPT} {XSS_SVG}" in page.inner_text("#details figcaption")
        page.wait_for_timeout(200)
        hostile = page.evaluate("""() => [
          document.querySelectorAll('img[src="x"], svg[onload], [onload], [onerror]').length,
          document.querySelectorAll('a[href^="javascript"]').length,
          document.querySelectorAll('#details a').length]""")
        assert hostile == [0, 0, 0]
        assert dialogs == []
    assert (console_errors, page_errors, requests) == ([], [], [])


def test_viewer_opens_an_empty_graph(tmp_path: Path) -> None:
    path = tmp_path / "graph.html"
    write_viewer(nx.Graph(window="document", documents={}), path)
    with open_page(path) as (page, console_errors, page_errors, requests):
        assert page.inner_text("#summary") == "0 entities \u00b7 0 links \u00b7 window: document"
        page.mouse.click(300, 300)
        page.wait_for_timeout(100)
    assert (console_errors, page_errors, requests) == ([], [], [])
