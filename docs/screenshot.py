"""Make docs/screenshot.png: the explorer on the sample corpus with the evidence of
the strongest link (among those drawn clear of each other) open, zoomed to its neighbourhood.

Run from the repository root after `entity-graph build` (Debian chromium, no download):
    python docs/screenshot.py [output/graph.html]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import open_page


def main() -> None:
    page_path = Path(sys.argv[1] if len(sys.argv) > 1 else "output/graph.html")
    target = Path(__file__).with_name("screenshot.png")
    with open_page(page_path, viewport=(1400, 860)) as (page, console_errors, page_errors, _):
        page.evaluate(
            """() => {
                const g = window.entityGraph;
                /* the strongest link whose two entities do not overlap on screen */
                const apart = e => Math.hypot(g.data.nodes[e.from].x - g.data.nodes[e.to].x,
                                              g.data.nodes[e.from].y - g.data.nodes[e.to].y);
                const edge = g.data.edges.filter(e => apart(e) > 120)
                    .sort((a, b) => b.weight - a.weight)[0];
                const ends = g.network.getConnectedNodes(edge.id);
                const near = ends.flatMap(id => g.network.getConnectedNodes(id));
                g.network.fit({nodes: [...new Set(ends.concat(near))]});
                g.selectEdge(edge.id);
            }"""
        )
        page.wait_for_timeout(300)
        page.screenshot(path=str(target))
    if console_errors or page_errors:
        raise SystemExit(f"page reported errors: {console_errors + page_errors}")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
