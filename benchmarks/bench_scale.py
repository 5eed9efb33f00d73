"""Scale and speed on BBC (2,225 articles) and Reuters-21578 (21,578 stories).

    python benchmarks/bench_scale.py [--dataset bbc|reuters|both] [--limit N] [--repeat N]
                                     [--no-tutorial] [--out benchmarks/results/scale.json]

Each figure is measured in the same run as its baselines, each job in a fresh process
(wall time, and peak memory of the process and its children). With ``--repeat N`` the
floor and every run of the tool are measured N times, interleaved (floor, cold, warm,
plus1, jobs2, floor, cold, ...), so that a slow spell of this shared machine hits both
sides of a ratio; the figures are the fastest of the N, and every time is kept in the
JSON (``all_seconds``). The jobs:

- floor: bare ``nlp.pipe`` over the texts with only the NER and sentence components of the
  same model, one process;
- tutorial: the common recipe: the full default pipeline, ``nlp(text)`` per article, one
  node per surface string, networkx, pyvis;
- cold: ``entity-graph build`` with an empty extraction store, one process;
- warm: the same again (nothing changed);
- plus1: after adding 1% new articles (existing articles with their paragraphs in reverse
  order: new texts of the same kind);
- jobs2: cold, with ``--jobs 2``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
DATASETS = {
    "bbc": SHARED / "bbc" / "bbc_news.jsonl",
    "reuters": SHARED / "reuters21578" / "reuters21578.jsonl.gz",
}

FLOOR = """
import json, spacy, sys
from graph.config import DEFAULT_MODEL
nlp = spacy.load(DEFAULT_MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler",
                                         "lemmatizer"])
nlp.enable_pipe("senter")
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
for doc in nlp.pipe(texts, batch_size=64):
    pass
"""

TUTORIAL = """
import itertools, json, spacy, sys
import networkx as nx
from pyvis.network import Network
from graph.config import DEFAULT_MODEL
nlp = spacy.load(DEFAULT_MODEL)
G = nx.Graph()
for line in open(sys.argv[1], encoding="utf-8"):
    doc = nlp(json.loads(line)["text"])
    for sent in doc.sents:
        names = sorted({e.text for e in sent.ents if e.label_ in ("PERSON", "ORG", "GPE", "LOC")})
        G.add_nodes_from(names)
        for a, b in itertools.combinations(names, 2):
            w = G.get_edge_data(a, b, {"weight": 0})["weight"]
            G.add_edge(a, b, weight=w + 1)
import os
os.chdir(sys.argv[2])  # pyvis copies a lib/ folder into the working directory
net = Network()
net.from_nx(G)
net.write_html("tutorial.html")
"""

MEASURE = """
import resource, runpy, sys, time
started = time.perf_counter()
sys.argv = sys.argv[1:]
if sys.argv[0] == "-c":
    exec(compile(sys.argv.pop(1), "<job>", "exec"), {"__name__": "__main__"})
else:
    sys.argv.insert(0, "entity-graph")
    try:
        runpy.run_module("graph", run_name="__main__")
    except SystemExit as done:
        if done.code:
            raise
seconds = time.perf_counter() - started
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print("MEASURED", seconds, peak * 1024, file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=[*DATASETS, "both"], default="both")
    parser.add_argument("--limit", type=int, default=0, help="first N articles (0: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/scale.json")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure floor and tool runs N times, interleaved; keep the fastest")
    parser.add_argument("--no-tutorial", action="store_true",
                        help="skip the tutorial recipe (pyvis's from_nx is quadratic: on "
                        "Reuters it alone takes longer than everything else)")
    args = parser.parse_args()
    names = list(DATASETS) if args.dataset == "both" else [args.dataset]
    results = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    for name in names:
        if not DATASETS[name].exists():
            sys.exit(f"{DATASETS[name]} not found: the benchmark reads ../shared/datasets")
        results[name] = run_dataset(name, args.limit, tutorial=not args.no_tutorial,
                                    repeat=args.repeat)
        results["machine"] = {"python": platform.python_version(), "cpus": _cpus()}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(results[name], indent=2))


def run_dataset(name: str, limit: int, tutorial: bool = True,
                repeat: int = 1) -> dict[str, object]:
    records = _records(DATASETS[name], limit)
    extra = [_reversed(r, i) for i, r in enumerate(records[: max(1, len(records) // 100)])]
    rounds: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        (corpus / "articles.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        texts = work / "texts.jsonl"
        texts.write_text("".join(json.dumps({"text": r["text"]}) + "\n" for r in records),
                         encoding="utf-8")
        build = ["build", str(corpus), "-q"]
        tutorial_run = _job(["-c", TUTORIAL, str(texts), str(work)]) if tutorial else None
        for i in range(repeat):
            out, out2 = work / f"out{i}", work / f"out2-{i}"
            runs = {"floor": _job(["-c", FLOOR, str(texts)])}
            runs["cold"] = _job([*build, "-o", str(out)])
            report = json.loads((out / "report.json").read_text(encoding="utf-8"))
            runs["warm"] = _job([*build, "-o", str(out)])
            (corpus / "added.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in extra),
                encoding="utf-8")
            runs["plus1"] = _job([*build, "-o", str(out)])
            (corpus / "added.jsonl").unlink()
            runs["jobs2"] = _job([*build, "-o", str(out2), "--jobs", "2", "--no-cache"])
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(out2, ignore_errors=True)
            rounds.append(runs)
    best = {kind: min((r[kind] for r in rounds), key=lambda run: run["seconds"])
            for kind in rounds[0]}
    if tutorial_run is not None:
        best["tutorial"] = tutorial_run
    seconds = {k: v["seconds"] for k, v in best.items()}
    return {
        "articles": len(records),
        "characters": sum(len(r["text"]) for r in records),
        "entities": report["entities"],
        "links": report["edges"],
        "repeat": repeat,
        "runs": best,
        "all_seconds": {kind: [r[kind]["seconds"] for r in rounds] for kind in rounds[0]},
        "ratios": {
            "cold/floor": round(seconds["cold"] / seconds["floor"], 3),
            "tutorial/cold": round(seconds["tutorial"] / seconds["cold"], 3) if tutorial else None,
            "warm/cold": round(seconds["warm"] / seconds["cold"], 3),
            "plus1/cold": round(seconds["plus1"] / seconds["cold"], 3),
            "jobs1/jobs2": round(seconds["cold"] / seconds["jobs2"], 3),
        },
        "paired_cold/floor": [round(r["cold"]["seconds"] / r["floor"]["seconds"], 3)
                              for r in rounds],
        "peak_memory_mb": {k: round(v["peak_bytes"] / 2**20) for k, v in best.items()},
        "timings_cold_run": report["timings"],
    }


def _job(argv: list[str]) -> dict[str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True,
                          text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - started
    line = [x for x in done.stderr.splitlines() if x.startswith("MEASURED")]
    if done.returncode != 0 or not line:
        raise SystemExit(f"job {argv[:2]} failed:\n{done.stderr[-3000:]}")
    _, seconds, peak = line[-1].split()
    print(f"{' '.join(argv[:2])[:40]:40s} {float(seconds):8.1f} s", file=sys.stderr)
    return {"seconds": round(float(seconds), 2), "wall_with_start": round(wall, 2),
            "peak_bytes": int(float(peak))}


def _records(path: Path, limit: int) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    records = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if not str(record.get("text") or "").strip():
                continue
            records.append({k: str(record[k]) for k in ("id", "title", "date", "text")
                            if record.get(k) is not None})
            if limit and len(records) >= limit:
                break
    return records


def _reversed(record: dict[str, str], i: int) -> dict[str, str]:
    paragraphs = [p for p in record["text"].split("\n\n") if p.strip()]
    text = "\n\n".join(reversed(paragraphs)) + f"\n\n(Reprint {i}.)"
    return {**record, "id": f"added-{i}", "text": text}


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
