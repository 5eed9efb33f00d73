"""How much entity resolution adds to a run, on the BBC corpus (../shared/datasets/bbc).

    python benchmarks/bench_resolution.py [--limit N] [--out benchmarks/results/resolution.json]

One run of graph.build over the articles, with the resolution work timed where it happens:
the per-article consistency pass and headline re-casing (inside extraction) and the
corpus-wide resolve stage. The figure reported is that time as a share of the rest of the
run (reading, spaCy, linking, writing), measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "datasets" / "bbc" / "bbc_news.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N articles (0: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/resolution.json")
    args = parser.parse_args()
    if not BBC.exists():
        sys.exit(f"{BBC} not found: the benchmark reads ../shared/datasets/bbc")

    import graph
    from graph import extract
    from graph.extract import load_model

    spent = {"consistency": 0.0, "recase": 0.0}

    def timed(name, function):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                spent[name] += time.perf_counter() - started
        return wrapper

    extract.consistent_mentions = timed("consistency", extract.consistent_mentions)
    extract.recase = timed("recase", extract.recase)
    extract.body_casing = timed("recase", extract.body_casing)

    lines = BBC.read_text(encoding="utf-8").splitlines()
    if args.limit:
        lines = lines[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bbc.jsonl"
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        nlp = load_model()
        started = time.perf_counter()
        result = graph.build(corpus, out=Path(tmp) / "out", nlp=nlp)
        total = time.perf_counter() - started
    timings = result.report.timings
    resolution = timings["resolve"] + spent["consistency"] + spent["recase"]
    report = {
        "dataset": "bbc",
        "articles": len(lines),
        "seconds": {
            "total": round(total, 2),
            "resolve_stage": timings["resolve"],
            "consistency_pass": round(spent["consistency"], 2),
            "headline_recasing": round(spent["recase"], 2),
            "stages": timings,
        },
        "resolution_share_of_rest": round(resolution / (total - resolution), 4),
        "entities": result.report.entities,
        "mentions": result.report.mentions,
        "merges": len(result.resolution.merges),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
