"""Cross-document resolution against the AIDA CoNLL-YAGO entity-linking gold (testb).

    python benchmarks/bench_linking.py [--conll ../conll2003/test.txt] [--aida ../aida/testb.tsv]
        [--out benchmarks/results/linking.json]

AIDA gives each mention of the CoNLL-2003 test articles the Wikipedia page it names, so two
mentions in different articles are one entity exactly when they carry the same page. The
articles are written as bench_conll.py writes them (tokens joined by spaces, a sentence a
line), the tool is run over them, and every gold mention the tool found with the exact span
is scored:

- mention recall: gold mentions (with a page) found with the exact span / all of them;
- B-cubed precision, recall and F1 of the tool's entities against the pages, over the
  mentions found (each mention: the share of its entity that is its page, and of its page
  that is its entity; averaged);
- the same for an exact-string baseline: mentions with the same text are one entity.

AIDA's testb in the column layout of the ZELDA benchmark (``TOKEN  B-<page id>  B-<title>``,
``-DOCSTART-`` lines, a ``# <doc id>`` line per document) is read; its tokens must be those
of the CoNLL file, document by document. Neither file is in the repository (research-use
licences); fetch them separately.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from bench_conll import CONLL, JOINS, read_conll, to_article

ROOT = Path(__file__).resolve().parents[1]
AIDA = ROOT.parent / "aida" / "testb.tsv"

Key = tuple[str, int, int]
"""A mention: file name, start and end offsets."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=CONLL, help=f"default {CONLL}")
    parser.add_argument("--aida", type=Path, default=AIDA, help=f"default {AIDA}")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/linking.json")
    args = parser.parse_args()
    for path in (args.conll, args.aida):
        if not path.is_file():
            sys.exit(f"{path} not found: fetch the CoNLL-2003 test set and AIDA testb")
    import graph
    from graph.extract import load_model

    started = time.perf_counter()
    documents = read_conll(args.conll)
    pages = read_aida(args.aida)
    if len(pages) != len(documents):
        sys.exit(f"{len(pages)} AIDA documents, {len(documents)} CoNLL documents")
    gold: dict[Key, str] = {}
    names = []
    work = Path(tempfile.mkdtemp(prefix="bench-linking-"))
    try:
        folder = work / "articles"
        folder.mkdir()
        for number, (sentences, linked) in enumerate(zip(documents, pages, strict=True), 1):
            name = f"doc-{number:03d}.txt"
            article = to_article(name, sentences, JOINS["newline"])
            (folder / name).write_text(article.text, encoding="utf-8")
            names.append(name)
            gold.update(gold_spans(name, sentences, linked, article.text))
        graph.build(folder, out=work / "output", nlp=load_model())
        tool, surface = read_tool(work / "output" / "mentions.csv")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = [key for key in gold if key in tool]
    report = {
        "data": {"documents": len(documents), "gold_mentions": len(gold),
                 "gold_entities": len(set(gold.values()))},
        "mention_recall": round(len(found) / len(gold), 4),
        "mentions_found": len(found),
        "tool": bcubed({k: gold[k] for k in found}, {k: tool[k] for k in found}),
        "exact_string_baseline": bcubed({k: gold[k] for k in found},
                                        {k: surface[k] for k in found}),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


def read_aida(path: Path) -> list[list[tuple[str, str]]]:
    """Documents -> (token, page tag) in reading order; the tag is ``B-<id>``, ``I-<id>``
    or ``O``."""
    documents: list[list[tuple[str, str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            documents.append([])
        elif line and not line.startswith("# "):
            token, tag, *_ = line.split("\t")
            documents[-1].append((token, tag))
    return documents


def gold_spans(name: str, sentences: list[list[tuple[str, str]]],
               linked: list[tuple[str, str]], text: str) -> Iterable[tuple[Key, str]]:
    """Character spans of the linked mentions of one document in its article text."""
    tokens = [token for sentence in sentences for token, _ in sentence]
    if tokens != [token for token, _ in linked]:
        sys.exit(f"{name}: the AIDA tokens are not those of the CoNLL document")
    offsets, position = [], 0
    for token in tokens:
        position = text.index(token, position)
        offsets.append((position, position + len(token)))
        position += len(token)
    start = page = None
    for i, (_, tag) in enumerate([*linked, ("", "O")]):
        continues = tag.startswith("I-") and tag[2:] == page
        if start is not None and not continues:
            yield (name, offsets[start][0], offsets[i - 1][1]), page  # type: ignore[misc]
            start = page = None
        if tag.startswith("B-") or (tag.startswith("I-") and not continues):
            start, page = i, tag[2:]


def read_tool(path: Path) -> tuple[dict[Key, str], dict[Key, str]]:
    """The tool's entity and the mention's own text, for each mention in mentions.csv."""
    entity, surface = {}, {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            key = (row["doc"], int(row["start"]), int(row["end"]))
            entity[key], surface[key] = row["entity"], row["text"]
    return entity, surface


def bcubed(gold: dict[Key, str], system: dict[Key, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of ``system`` clusters against ``gold`` clusters."""
    by_gold, by_system = defaultdict(set), defaultdict(set)
    for key in gold:
        by_gold[gold[key]].add(key)
        by_system[system[key]].add(key)
    precision = recall = 0.0
    for key in gold:
        same = len(by_gold[gold[key]] & by_system[system[key]])
        precision += same / len(by_system[system[key]])
        recall += same / len(by_gold[gold[key]])
    n = len(gold) or 1
    p, r = precision / n, recall / n
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


if __name__ == "__main__":
    main()
