"""Time the explorer page: building it in Python, and opening it in headless Chromium.

    python benchmarks/bench_viewer.py [--nodes 10000] [--edges 40000] [--runs 3]
                                      [--out benchmarks/results/viewer.json]

Every figure is measured in the same run, on synthetic graphs shaped like real ones
(heavy-tailed mentions and degrees, three evidence sentences of about 160 characters per
link, dated documents with titles and URLs):

- build: write_viewer on the large graph (default 10,000 nodes / 40,000 edges); the page
  keeps the default cap of 2,000 entities / 10,000 links;
- baseline: pyvis ``Network.from_nx`` + ``write_html`` (in-line resources), and our
  write_viewer, on the capped size (2,000 / 10,000), with scalar attributes only for pyvis
  (it cannot serialise the evidence records); pyvis is not run on the large graph, where it
  takes over a minute because it checks every new edge against all earlier ones;
- browser: the capped page in Debian's chromium (network blocked): milliseconds from
  navigation start until the network is drawn, until a typed search shows its
  suggestions, and how long selecting a node, hiding and showing a type (a third of the
  entities and their links) and clearing the selection take.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.types import DocumentInfo, Evidence  # noqa: E402
from graph.viewer import MAX_EDGES, MAX_NODES, write_viewer  # noqa: E402

WORDS = ("said", "talks", "minister", "agreed", "deal", "budget", "court", "vote", "report",
         "bank", "summit", "leaders", "climate", "trade", "border", "rates", "plan", "crisis")
TYPES = ("PERSON", "ORG", "PLACE")


def synthetic_graph(n_nodes: int, n_edges: int, *, seed: int = 0) -> nx.Graph:
    """A graph with the attributes build_graph gives, heavy-tailed like a news corpus."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    start = date(2020, 1, 1)
    docs = {}
    for d in range(max(n_nodes // 2, 1)):
        doc_id = f"news/{d:06d}.txt"
        docs[doc_id] = DocumentInfo(doc_id, f"Headline number {d} about {rng.choice(WORDS)}",
                                    (start + timedelta(days=d % 1500)).isoformat(), "Wire",
                                    f"https://example.org/{d}")
    doc_ids = sorted(docs)
    G = nx.Graph(documents=docs, window="sentence")
    for i in range(n_nodes):
        kind = TYPES[i % 3]
        mentions = 1 + int(2000 / (i + 1) ** 0.9)
        label = f"{kind.title()} {i:05d}"
        dated = sorted(rng.sample(doc_ids, min(mentions, 30, len(doc_ids))))
        G.add_node(f"{kind.lower()}:{i:05d}", label=label, type=kind,
                   aliases=f"{label} | {kind.title()} {i}", mentions=mentions,
                   documents=len(dated), first_date=docs[dated[0]].date,
                   last_date=docs[dated[-1]].date, doc_ids=tuple(dated))
    names = list(G.nodes)
    p = 1.0 / np.arange(1, n_nodes + 1) ** 0.8
    p /= p.sum()
    count = 0
    while count < n_edges:
        ends = nprng.choice(n_nodes, size=(2 * (n_edges - count), 2), p=p)
        for a, b in ends.tolist():
            if a == b or G.has_edge(names[a], names[b]):
                continue
            weight = int(nprng.geometric(0.4))
            G.add_edge(names[a], names[b], weight=weight, documents=min(weight, 3),
                       evidence=tuple(_evidence(rng, G, names[a], names[b], doc_ids, docs, k)
                                      for k in range(min(weight, 3))))
            count += 1
            if count == n_edges:
                break
    return G


def _evidence(rng: random.Random, G: nx.Graph, a: str, b: str, doc_ids: list[str],
              docs: dict[str, DocumentInfo], k: int) -> Evidence:
    doc = rng.choice(doc_ids)
    filler = " ".join(rng.choice(WORDS) for _ in range(18))
    text = f"{G.nodes[a]['label']} and {G.nodes[b]['label']} {filler} ({k})."
    return Evidence(doc, docs[doc].title, docs[doc].date, text)


def timed(job: Any) -> float:
    started = time.perf_counter()
    job()
    return round(time.perf_counter() - started, 3)


def pyvis_write(G: nx.Graph, path: Path) -> None:
    from pyvis.network import Network

    simple = nx.Graph()
    simple.add_nodes_from((n, {"label": d["label"], "title": d["type"]})
                          for n, d in G.nodes(data=True))
    simple.add_edges_from((u, v, {"weight": d["weight"]}) for u, v, d in G.edges(data=True))
    here = Path.cwd()
    os.chdir(path.parent)  # pyvis copies a lib/ folder into the working directory
    try:
        net = Network(cdn_resources="in_line")
        net.from_nx(simple)
        net.write_html(str(path))
    finally:
        os.chdir(here)


def browser_figures(page_path: Path, query: str) -> dict[str, float]:
    from tests.browser import open_page

    with open_page(page_path, viewport=(1400, 860)) as (page, console, errors, requests):
        drawn = page.evaluate("window.entityGraph.readyAt")
        page.fill("#search", query)
        page.wait_for_selector("#search-suggestions li")
        searched = page.evaluate("performance.now()")
        timings = page.evaluate("""() => {
          const g = window.entityGraph, out = {};
          let t = performance.now();
          g.selectNode(g.data.nodes[0].id);
          out.select_node_ms = performance.now() - t;
          t = performance.now();
          g.setFilters({types: new Set(["PERSON", "ORG"])});
          out.filter_hide_places_ms = performance.now() - t;
          t = performance.now();
          g.setFilters({types: new Set(["PERSON", "ORG", "PLACE"])});
          out.filter_show_all_ms = performance.now() - t;
          t = performance.now();
          g.clearSelection();
          out.clear_ms = performance.now() - t;
          return out;
        }""")
        if console or errors or requests:
            raise SystemExit(f"the page reported problems: {console + errors + requests}")
    return {"drawn_ms": drawn, "search_answered_ms": searched, **timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=3, help="repeats; medians are reported")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/viewer.json")
    args = parser.parse_args()

    large = synthetic_graph(args.nodes, args.edges, seed=1)
    capped = synthetic_graph(MAX_NODES, MAX_EDGES, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "graph.html"
        build = [timed(lambda: write_viewer(large, page)) for _ in range(args.runs)]
        size = page.stat().st_size
        ours_capped = [timed(lambda: write_viewer(capped, Path(tmp) / "capped.html"))
                       for _ in range(args.runs)]
        pyvis_capped = timed(lambda: pyvis_write(capped, Path(tmp) / "pyvis.html"))
        browser = [browser_figures(page, "person 0001") for _ in range(args.runs)]
    median = {key: round(statistics.median(run[key] for run in browser), 1) for key in browser[0]}
    report = {
        "graph": {"nodes": args.nodes, "edges": args.edges},
        "page": {"nodes": MAX_NODES, "edges": MAX_EDGES, "megabytes": round(size / 1e6, 2)},
        "seconds": {
            "build_large": statistics.median(build),
            "build_capped": statistics.median(ours_capped),
            "pyvis_capped": pyvis_capped,
        },
        "ratios": {"pyvis/ours at the capped size": round(
            pyvis_capped / statistics.median(ours_capped), 1)},
        "browser_ms": median,
        "runs": args.runs,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
