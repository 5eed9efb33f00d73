"""Hand-labelled quality of the biggest nodes on BBC and Reuters-21578.

    python benchmarks/bench_quality.py --dataset bbc|reuters [--out DIR] [--run] [--jobs N]
                                       [--no-cache] [--top N] [--save]

Reads ``nodes.csv`` from a build output folder (``--out``, by default a folder under the
system temp dir) and scores its top nodes by mentions (ties by Id) against the labels in
``benchmarks/quality/labels.csv`` (one row per node name, labelled on the baseline
outputs) and the split-entity pairs in ``benchmarks/quality/fragments.csv``. With
``--run`` it first builds that folder with the code of this checkout, preparing the
articles as ``bench_scale.py`` does. Each labelled node gets a verdict:

- JUNK: the label's true type is JUNK (not a person, organisation or place);
- CONFLATED: the label is marked conflated, or one of the node's aliases is a wrong alias;
- WRONG_TYPE: the node's Type is not the true type;
- CORRECT: none of these.

A node is matched to a label by its name (case, accents and punctuation ignored); failing
that, to a label whose name is among the node's aliases; failing that, to the one label
(if only one) that saw the node's name as a good alias. Nodes with no label are listed as
UNLABELLED, and aliases the labeller never saw are listed for review. The JSON is printed,
and written to ``benchmarks/results/quality_<dataset>.json`` with ``--save``.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from bench_scale import DATASETS, _records

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "benchmarks" / "quality" / "labels.csv"
FRAGMENTS = ROOT / "benchmarks" / "quality" / "fragments.csv"
RESULTS = ROOT / "benchmarks" / "results"
SEP = " | "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), required=True)
    parser.add_argument("--out", type=Path, default=None,
                        help="build output folder to score (default: a folder under the temp dir)")
    parser.add_argument("--run", action="store_true",
                        help="build the output folder first, with this checkout's code")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs passed to the build")
    parser.add_argument("--no-cache", action="store_true",
                        help="with --run: do not reuse the folder's extraction store")
    parser.add_argument("--top", type=int, default=150, help="nodes scored (default: 150)")
    parser.add_argument("--save", action="store_true",
                        help="write benchmarks/results/quality_<dataset>.json")
    args = parser.parse_args()
    out = args.out or Path(tempfile.gettempdir()) / "entity-graph-quality" / args.dataset
    if args.run:
        run_tool(args.dataset, out, args.jobs, args.no_cache)
    if not (out / "nodes.csv").exists():
        sys.exit(f"{out / 'nodes.csv'} not found: build it first, or pass --run")
    report = score(args.dataset, out, args.top)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    print(text, end="")
    if args.save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"quality_{args.dataset}.json").write_text(text, encoding="utf-8")


def run_tool(dataset: str, out: Path, jobs: int, no_cache: bool) -> None:
    """Build ``out`` from the dataset with this checkout's ``graph`` package."""
    if not DATASETS[dataset].exists():
        sys.exit(f"{DATASETS[dataset]} not found: the benchmark reads ../shared/datasets")
    out.mkdir(parents=True, exist_ok=True)
    articles = out.parent / f"{dataset}.jsonl"
    articles.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                for r in _records(DATASETS[dataset], 0)), encoding="utf-8")
    command = [sys.executable, "-m", "graph", "build", str(articles), "-o", str(out),
               "--jobs", str(jobs), "--force", "-q"]
    if no_cache:
        command.append("--no-cache")
    print("running:", " ".join(command), file=sys.stderr)
    subprocess.run(command, cwd=ROOT, check=True)


def score(dataset: str, out: Path, top: int) -> dict[str, object]:
    """Verdicts and figures for the ``top`` nodes of one build output folder."""
    nodes = ranked_nodes(out / "nodes.csv")
    labels = [row for row in read_csv(LABELS) if row["dataset"] == dataset]
    judged = [judge(node, match_label(node, labels)) for node in nodes[:top]]
    labelled = [j for j in judged if j["verdict"] != "UNLABELLED"]
    correct = [j for j in labelled if j["verdict"] == "CORRECT"]
    typed = [j for j in labelled if j["true_type"] != "JUNK"]
    junk50 = [j["name"] for j in judged[:50] if j["verdict"] == "JUNK"]
    fragments = present_fragments(dataset, nodes[:300])
    return {
        "dataset": dataset,
        "output": str(out),
        "top": top,
        "labelled": len(labelled),
        "verdicts": {v: sum(j["verdict"] == v for j in judged) for v in VERDICTS},
        "node_precision": ratio(len(correct), len(labelled)),
        "mention_weighted_precision": ratio(sum(j["mentions"] for j in correct),
                                            sum(j["mentions"] for j in labelled)),
        "type_accuracy": ratio(sum(j["type"] == j["true_type"] for j in typed), len(typed)),
        "junk_top50": {"count": len(junk50), "names": junk50},
        "fragments_top300": fragments,
        "wrong": {v: [brief(j) for j in judged if j["verdict"] == v]
                  for v in ("JUNK", "CONFLATED", "WRONG_TYPE")},
        "unlabelled": [{"name": j["name"], "type": j["type"], "mentions": j["mentions"],
                        "aliases": j["aliases"]} for j in judged if j["verdict"] == "UNLABELLED"],
        "new_aliases": [{"name": j["name"], "aliases": j["new_aliases"]}
                        for j in judged if j["new_aliases"]],
    }


VERDICTS = ("CORRECT", "WRONG_TYPE", "CONFLATED", "JUNK", "UNLABELLED")


def judge(node: dict[str, str], label: dict[str, str] | None) -> dict[str, object]:
    """The verdict on one node, with what it was judged on."""
    aliases = split(node["aliases"])
    judged: dict[str, object] = {
        "name": node["Label"], "type": node["Type"], "mentions": int(node["mentions"]),
        "aliases": aliases, "true_type": None, "label": None, "wrong_aliases": [],
        "new_aliases": [],
    }
    if label is None:
        return {**judged, "verdict": "UNLABELLED"}
    wrong = [a for a in split(label["wrong_aliases"]) if a in aliases]
    seen = set(split(label["aliases_seen"]))
    if label["true_type"] == "JUNK":
        verdict = "JUNK"
    elif label["conflated"] == "yes" or wrong:
        verdict = "CONFLATED"
    elif node["Type"] != label["true_type"]:
        verdict = "WRONG_TYPE"
    else:
        verdict = "CORRECT"
    return {**judged, "verdict": verdict, "true_type": label["true_type"],
            "label": label["name"], "wrong_aliases": wrong,
            "new_aliases": [a for a in aliases if a not in seen]}


def match_label(node: dict[str, str], labels: list[dict[str, str]]) -> dict[str, str] | None:
    """The label for a node: by name, else by one of its aliases, else by a unique sighting."""
    name = normalise(node["Label"])
    for label in labels:
        if normalise(label["name"]) == name:
            return label
    aliases = {normalise(a) for a in split(node["aliases"])}
    for label in labels:
        if normalise(label["name"]) in aliases:
            return label
    sighted = [label for label in labels
               if name in {normalise(a) for a in good_aliases(label)}]
    return sighted[0] if len(sighted) == 1 else None


def good_aliases(label: dict[str, str]) -> list[str]:
    """The aliases a label saw that do refer to its entity."""
    wrong = set(split(label["wrong_aliases"]))
    return [a for a in split(label["aliases_seen"]) if a not in wrong]


def present_fragments(dataset: str, nodes: list[dict[str, str]]) -> dict[str, object]:
    """Which labelled split-entity pairs are still two nodes among ``nodes``."""
    pairs = [row for row in read_csv(FRAGMENTS) if row["dataset"] == dataset]
    present = []
    for pair in pairs:
        a = find_nodes(pair["name_a"], nodes)
        b = find_nodes(pair["name_b"], nodes)
        if any(x["Id"] != y["Id"] for x in a for y in b):
            present.append(f"{pair['name_a']} ~ {pair['name_b']}")
    return {"labelled": len(pairs), "present": len(present), "pairs": present}


def find_nodes(name: str, nodes: list[dict[str, str]]) -> list[dict[str, str]]:
    """Nodes labelled ``name``; failing that, the biggest node with it as an alias."""
    key = normalise(name)
    named = [n for n in nodes if normalise(n["Label"]) == key]
    if named:
        return named
    holders = [n for n in nodes if key in {normalise(a) for a in split(n["aliases"])}]
    return holders[:1]


def ranked_nodes(path: Path) -> list[dict[str, str]]:
    """The nodes of nodes.csv, most mentioned first, ties by Id."""
    return sorted(read_csv(path), key=lambda n: (-int(n["mentions"]), n["Id"]))


def brief(judged: dict[str, object]) -> dict[str, object]:
    """What a wrong node's listing shows."""
    keys = ("name", "type", "true_type", "mentions", "wrong_aliases")
    return {k: judged[k] for k in keys if judged[k] or k != "wrong_aliases"}


def normalise(name: str) -> str:
    """Casefolded, accents and punctuation removed, spaces collapsed."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name)
                    if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain.casefold()).split())


def split(joined: str) -> list[str]:
    """The items of a `` | ``-joined field."""
    return [item.strip() for item in joined.split(SEP) if item.strip()]


def ratio(part: float, whole: float) -> float | None:
    """part / whole to 3 places (None when whole is 0)."""
    return round(part / whole, 3) if whole else None


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file with a header."""
    with path.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


if __name__ == "__main__":
    main()
