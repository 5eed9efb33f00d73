"""Read articles from files and folders into Document records.

.txt and .md files hold one article each; .jsonl and .csv files hold one article per record.
Anything that cannot be read is not fatal: it is yielded as a Skipped record with a reason,
and reading goes on with the next input.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path

from .config import FieldNames
from .types import Document, Skipped

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
RECORD_SUFFIXES = (".jsonl", ".csv")
SUFFIXES = TEXT_SUFFIXES + RECORD_SUFFIXES

_DATE_MARKER = re.compile(r"\A\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE = re.compile(r"[^\n]+")
_TERMINAL = ".!?\"'”’:;)]"
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%a, %d %b %Y",
)


def sample_corpus() -> Path:
    """Folder of the demonstration articles shipped inside the package."""
    return Path(str(resources.files("graph") / "sample" / "articles"))


def read_corpus(
    paths: tuple[Path, ...] | list[Path], fields: FieldNames | None = None
) -> Iterator[Document | Skipped]:
    """Yield one Document per article found under ``paths``, or Skipped for what fails.

    Parameters:
        paths: files and folders; folders are walked recursively in sorted order, hidden
            files and folders are ignored.
        fields: field names for .jsonl/.csv records.

    Document ids are paths relative to the folder given (a file given directly is named by
    its file name), plus ``#line N`` or ``#row N`` for records.
    """
    fields = fields or FieldNames()
    for root in paths:
        root = Path(root)
        if not root.exists():
            yield Skipped(str(root), "no such file or folder")
        elif root.is_dir():
            for file in _walk(root):
                yield from _read_file(file, file.relative_to(root).as_posix(), fields)
        else:
            yield from _read_file(root, root.name, fields)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, sorted, skipping hidden entries (others are reported)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.is_file():
            yield path


def _read_file(path: Path, doc_id: str, fields: FieldNames) -> Iterator[Document | Skipped]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield Skipped(str(path), f"unknown file type {suffix or '(none)'!r}")
        return
    try:
        raw = path.read_bytes()
    except OSError as err:
        yield Skipped(str(path), f"cannot read: {err.strerror or err}")
        return
    content = decode(raw)
    if content is None:
        yield Skipped(str(path), "binary content or an unknown text encoding (not UTF-8)")
        return
    if suffix in TEXT_SUFFIXES:
        yield _text_document(content, doc_id, str(path))
    elif suffix == ".jsonl":
        yield from _jsonl_documents(content, doc_id, str(path), fields)
    else:
        yield from _csv_documents(content, doc_id, str(path), fields)


def _text_document(content: str, doc_id: str, path: str) -> Document | Skipped:
    """One article from a plain-text file: date marker, headline, paragraphs."""
    if not content.strip():
        return Skipped(path, "empty file")
    date = None
    body_start = 0
    marker = _DATE_MARKER.match(content)
    if marker:
        date = parse_date(marker.group(1))
        body_start = marker.end()
    segments = split_paragraphs(content, body_start)
    title = None
    if segments:
        first_line = _LINE.search(content, segments[0][0])
        if first_line and is_headline(first_line.group()):
            title = " ".join(first_line.group().split())
            start, end = segments[0]
            if first_line.end() < end:  # the headline becomes a paragraph of its own
                rest = split_paragraphs(content[:end], first_line.end())
                segments = [(start, first_line.end()), *rest, *segments[1:]]
    return Document(
        id=doc_id,
        text=content,
        segments=dedupe_segments(content, segments),
        title=title,
        date=date,
        path=path,
    )


def _jsonl_documents(
    content: str, doc_id: str, path: str, fields: FieldNames
) -> Iterator[Document | Skipped]:
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}#line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield Skipped(where, f"malformed JSON: {err.msg}")
            continue
        if not isinstance(record, dict):
            yield Skipped(where, "record is not a JSON object")
            continue
        yield _record_document(record, f"{doc_id}#line {number}", where, fields)


def _csv_documents(
    content: str, doc_id: str, path: str, fields: FieldNames
) -> Iterator[Document | Skipped]:
    try:
        csv.field_size_limit(sys.maxsize)
        reader = csv.DictReader(content.splitlines(keepends=True))
        header = reader.fieldnames or []
        if fields.text not in header:
            yield Skipped(path, f"no {fields.text!r} column (columns: {', '.join(header)})")
            return
        for number, record in enumerate(reader, start=1):
            where = f"{path}#row {number}"
            yield _record_document(record, f"{doc_id}#row {number}", where, fields)
    except csv.Error as err:
        yield Skipped(path, f"malformed CSV: {err}")


def _record_document(
    record: dict[str, object], doc_id: str, where: str, fields: FieldNames
) -> Document | Skipped:
    text = record.get(fields.text)
    if not isinstance(text, str) or not text.strip():
        return Skipped(where, f"record has no {fields.text!r} text")

    def field(name: str) -> str | None:
        value = record.get(name)
        if value is None or isinstance(value, (dict, list)):
            return None
        value = " ".join(str(value).split())
        return value or None

    record_id = field(fields.id)
    return Document(
        id=doc_id,
        text=text,
        segments=dedupe_segments(text, split_paragraphs(text)),
        title=field(fields.title),
        date=parse_date(field(fields.date)),
        source=field(fields.source),
        url=field(fields.url),
        path=where if record_id is None else f"{where} (id {record_id})",
    )


def decode(raw: bytes) -> str | None:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252, else None.

    Many older news archives are in Windows-1252 or Latin-1 (a pound sign as byte 0xA3);
    a file with NUL bytes is taken for binary.
    """
    if b"\x00" in raw[:65536]:
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return None
        logger.info("decoded as Windows-1252 (not valid UTF-8)")
    controls = sum(1 for ch in text[:65536] if ch < " " and ch not in "\t\n\r\f")
    return None if controls > min(len(text), 65536) // 100 else text


def split_paragraphs(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Paragraph spans of ``text[start:]``, trimmed of surrounding whitespace.

    Blank lines always separate paragraphs. Inside a block, each line is a paragraph of its
    own unless the block is hard-wrapped (lines broken at a fixed width, as in wire copy), in
    which case lines are joined and an indented line starts a new paragraph.
    """
    spans: list[tuple[int, int]] = []
    position = start
    for blank in [*_BLANK_LINE.finditer(text, start), None]:
        end = blank.start() if blank else len(text)
        spans.extend(_block_paragraphs(text, position, end))
        position = blank.end() if blank else len(text)
    return spans


def _block_paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text, start, end)]
    lines = [(s, e) for s, e in lines if text[s:e].strip()]
    if not lines:
        return []
    if _hard_wrapped(text, lines):
        spans: list[tuple[int, int]] = []
        for s, e in lines:
            if spans and not text[s].isspace():
                spans[-1] = (spans[-1][0], e)
            else:
                spans.append((s, e))
    else:
        spans = lines
    return [_trim(text, s, e) for s, e in spans]


def _hard_wrapped(text: str, lines: list[tuple[int, int]]) -> bool:
    """True when most lines of a block end mid-sentence near a common width."""
    if len(lines) < 3:
        return False
    inner = lines[:-1]
    mid_sentence = sum(1 for s, e in inner if text[s:e].rstrip()[-1:] not in _TERMINAL)
    return mid_sentence >= 0.6 * len(inner) and max(e - s for s, e in inner) <= 100


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def dedupe_segments(text: str, segments: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Drop paragraphs whose text (whitespace collapsed) already appeared in this document."""
    seen: set[str] = set()
    kept = []
    for start, end in segments:
        key = " ".join(text[start:end].split())
        if key and key not in seen:
            seen.add(key)
            kept.append((start, end))
    return tuple(kept)


def is_headline(line: str) -> bool:
    """A short first line with no closing full stop reads as a headline."""
    words = line.split()
    stripped = line.strip()
    return (
        0 < len(words) <= 20
        and len(stripped) <= 160
        and stripped[-1] not in ".,;:"
        and any(ch.isupper() for ch in stripped[:2])
    )


def parse_date(value: str | None) -> str | None:
    """ISO ``YYYY-MM-DD`` for a date in a common news format, else None."""
    if not value:
        return None
    value = value.strip()
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    candidates = [iso.group(0)] if iso else []
    candidates += [value, value.split(" ")[0], " ".join(value.split()[:4])]
    for candidate in candidates:
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    logger.debug("unreadable date %r", value)
    return None
