"""Read articles from files and folders into Document records.

.txt and .md files hold one article each; .jsonl and .csv files hold one article per record.
Anything that cannot be read is not fatal: it is yielded as a Skipped record with a reason,
and reading goes on with the next input.

Bytes are decoded by graph.decoding: UTF-8, UTF-16, Windows-1252, or UTF-8 mixed with
Windows-1252 bytes (noted on the file's documents). Control characters other than tab and
line breaks are read as spaces, and lone surrogates as U+FFFD, one character for one, so
character offsets into ``Document.text`` are also offsets into the decoded file (or record
text).
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from importlib import resources
from pathlib import Path

from .config import OUTPUT_MARKER, OWN_FILES, FieldNames
from .csvrows import csv_rows, split_lines
from .decoding import clean_text, decode_bytes
from .decoding import decode as decode
from .decoding import decode_text as decode_text
from .escape import path_text
from .types import Document, Notice, OwnOutput, Skipped

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
RECORD_SUFFIXES = (".jsonl", ".csv")
SUFFIXES = TEXT_SUFFIXES + RECORD_SUFFIXES

_NON_SPACE = re.compile(r"\S")
_SPACES = re.compile(r"\s\s+|[^\S ]")
"""Whitespace that is not a single space: replaced by one space to collapse whitespace
(matching only these keeps long texts with single spaces fast)."""
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
_JSON_KINDS = {
    bool: "true or false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}
OWN_FOLDER = "entity-graph's output folder: its files are not read as articles"
OWN_FILE = "written by entity-graph into its output folder: not read as an article"
OWN_STORE = "entity-graph's extraction store (--cache): not read as an article"
_REPORT_START = b'{\n  "documents_read": '
"""How report.json, as this tool writes it, begins."""
_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def sample_corpus() -> Path:
    """Folder of the demonstration articles shipped inside the package."""
    return Path(str(resources.files("graph") / "sample" / "articles"))


def read_corpus(
    paths: Iterable[Path], fields: FieldNames | None = None, own: Iterable[str] = ()
) -> Iterator[Document | Skipped]:
    """Yield one Document per article found under ``paths``, or Skipped for what fails.

    Parameters:
        paths: files and folders. Folders are walked recursively in sorted order; hidden
            files and folders are ignored; symbolic links are followed, except one leading
            back to a folder being walked (a loop, skipped); a file met twice (through a
            link, or given twice) is read once. This tool's own output folders (marked by
            OUTPUT_MARKER, or holding its report.json) are not read: one holding nothing
            else is skipped whole, otherwise each file the tool wrote is skipped.
        fields: field names for .jsonl/.csv records.
        own: absolute paths of files the run itself writes outside an output folder (an
            extraction store named with --cache): skipped wherever they are met.

    Document ids are paths relative to the folder given (a file given directly is named by
    its file name), plus ``#line N`` or ``#row N`` for records. When two files would get the
    same id, the later one is named by its path as given. Ids and paths are escaped as in
    ``graph.escape.path_text`` (a byte of a name that is not UTF-8 as ``\\xNN``).
    """
    reader = _Reader(fields or FieldNames(), own)
    for root in paths:
        yield from reader.read(Path(root))


def input_files(
    paths: Iterable[Path], own: Iterable[str] = ()
) -> Iterator[tuple[str, int, int, int]]:
    """``(path, size, modification time in ns, mode)`` of each regular file ``read_corpus``
    would open, in the same order, without opening any."""
    reader = _Reader(FieldNames(), own)
    for root in paths:
        for entry in reader.entries(Path(root)):
            if not isinstance(entry, Skipped) and stat.S_ISREG(entry[2].st_mode):
                info = entry[2]
                yield str(entry[0]), info.st_size, info.st_mtime_ns, info.st_mode


class _Reader:
    """Reads inputs one by one, remembering the files and document ids already used."""

    def __init__(self, fields: FieldNames, own: Iterable[str] = ()) -> None:
        self.fields = fields
        self.own = frozenset(own)
        self.files: dict[tuple[int, int], str] = {}
        self.ids: set[str] = set()

    def read(self, root: Path) -> Iterator[Document | Skipped]:
        for entry in self.entries(root):
            if isinstance(entry, Skipped):
                yield entry
            else:
                yield from self._file(*entry)

    def entries(self, root: Path) -> Iterator[tuple[Path, str, os.stat_result] | Skipped]:
        """The files under ``root`` as ``(path, document id, stat)``, in reading order."""
        try:
            info = root.stat()
        except OSError as err:
            yield Skipped(path_text(root), _stat_problem(root, err))
            return
        if stat.S_ISDIR(info.st_mode):
            yield from self._walk(root, info)
        elif self.own and os.path.abspath(root) in self.own:
            yield OwnOutput(path_text(root), OWN_STORE)
        elif root.name in (_own_files(root.parent, [root.name]) or ()):
            yield OwnOutput(path_text(root), OWN_FILE)
        else:
            yield root, path_text(root.name), info

    def _walk(
        self, root: Path, info: os.stat_result
    ) -> Iterator[tuple[Path, str, os.stat_result] | Skipped]:
        """Depth first, names sorted in each folder: the order of ``sorted(rglob("*"))``."""
        names, problem = _list_folder(root)
        if problem:
            yield Skipped(path_text(root), problem)
            return
        own = _own_files(root, names)
        if own is not None and own.issuperset(names):
            yield OwnOutput(path_text(root), OWN_FOLDER)
            return
        stack = [(iter(names), root, frozenset({(info.st_dev, info.st_ino)}), own or _NONE)]
        while stack:
            entries, folder, ancestors, own = stack[-1]
            name = next(entries, None)
            if name is None:
                stack.pop()
                continue
            path = folder / name
            if name in own:
                yield OwnOutput(path_text(path), OWN_FILE)
                continue
            if self.own and os.path.abspath(path) in self.own:
                yield OwnOutput(path_text(path), OWN_STORE)
                continue
            try:
                info = path.stat()
            except OSError as err:
                yield Skipped(path_text(path), _stat_problem(path, err))
                continue
            if not stat.S_ISDIR(info.st_mode):
                yield path, path_text(path.relative_to(root).as_posix()), info
                continue
            if (info.st_dev, info.st_ino) in ancestors:
                yield Skipped(path_text(path),
                              "symbolic link loop: it leads back to a folder above it")
                continue
            names, problem = _list_folder(path)
            if problem:
                yield Skipped(path_text(path), problem)
                continue
            own = _own_files(path, names)
            if own is not None and own.issuperset(names):
                yield OwnOutput(path_text(path), OWN_FOLDER)
                continue
            stack.append((iter(names), path, ancestors | {(info.st_dev, info.st_ino)},
                          own or _NONE))

    def _file(
        self, path: Path, doc_id: str, info: os.stat_result
    ) -> Iterator[Document | Skipped]:
        suffix = path.suffix.lower()
        where = path_text(path)
        if suffix not in SUFFIXES:
            yield Skipped(where, f"unknown file type {suffix or '(none)'!r}")
            return
        if not stat.S_ISREG(info.st_mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "something else")
            yield Skipped(where, f"not a regular file but {kind}")
            return
        first = self.files.get((info.st_dev, info.st_ino))
        if first is not None:
            again = "given twice" if first == where else f"the same file as {first}"
            yield Skipped(where, f"already read: {again}")
            return
        self.files[(info.st_dev, info.st_ino)] = where
        try:
            with open(path, "rb") as stream:
                raw = stream.read()
        except OSError as err:
            yield Skipped(where, f"cannot read: {err.strerror or err}")
            return
        content, problem, note = decode_bytes(raw)
        del raw
        if content is None:
            yield Skipped(where, problem)
            return
        if not _NON_SPACE.search(content):
            yield Skipped(where, "empty file: only whitespace" if content else "empty file")
            return
        doc_id = self._unique(doc_id, path)
        content = clean_text(content)
        documents: Iterable[Document | Skipped]
        if suffix in TEXT_SUFFIXES:
            documents = [_text_document(content, doc_id, where)]
        elif suffix == ".jsonl":
            documents = _jsonl_documents(content, doc_id, where, self.fields)
        else:
            documents = _csv_documents(content, doc_id, where, self.fields)
        notes = (Notice(where, note),) if note else ()
        for item in documents:  # a note on the file goes with each of its documents
            yield replace(item, notes=notes) if notes and isinstance(item, Document) else item

    def _unique(self, doc_id: str, path: Path) -> str:
        """``doc_id``, or the path as given if taken, or that with a number if taken too."""
        candidate, n = doc_id, 1
        while candidate in self.ids:
            n += 1
            candidate = path_text(path.as_posix()) + ("" if n == 2 else f" ({n - 1})")
        self.ids.add(candidate)
        return candidate


_NONE: frozenset[str] = frozenset()


def _own_files(folder: Path, names: list[str]) -> frozenset[str] | None:
    """Which of ``names`` (in ``folder``) this tool wrote, when ``folder`` is its output
    folder: one marked by OUTPUT_MARKER, or one holding a report.json it wrote (an output
    folder of an older version); None when it is not an output folder."""
    if not os.path.isfile(folder / OUTPUT_MARKER) and not (
        "report.json" in names and _is_report(folder / "report.json")
    ):
        return None
    return OWN_FILES.intersection(names)


def _is_report(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            return stream.read(len(_REPORT_START)) == _REPORT_START
    except OSError:
        return False


def _list_folder(folder: Path) -> tuple[list[str], str]:
    """Sorted names of the visible entries of ``folder``, or ``([], reason)``."""
    try:
        with os.scandir(folder) as scan:
            return sorted(e.name for e in scan if not e.name.startswith(".")), ""
    except OSError as err:
        return [], f"cannot list folder: {err.strerror or err}"


def _stat_problem(path: Path, err: OSError) -> str:
    """Why ``path`` cannot be looked at, for the report."""
    if err.errno == errno.ENAMETOOLONG:
        return f"path too long: {len(os.fsencode(path))} bytes, more than this system allows"
    if err.errno == getattr(os, "ELOOP", 40):
        return "symbolic link loop: it leads to itself"
    if os.path.islink(path):
        try:
            target = path_text(os.readlink(path))
        except OSError:
            target = "?"
        return f"broken symbolic link to {target}"
    if isinstance(err, FileNotFoundError):
        return "no such file or folder"
    return f"cannot read: {err.strerror or err}"


def _text_document(content: str, doc_id: str, path: str) -> Document | Skipped:
    """One article from a plain-text file: date marker, headline, paragraphs."""
    if not _NON_SPACE.search(content):
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
    for number, line in split_lines(content):
        if not _NON_SPACE.search(line):
            continue
        where = f"{path}#line {number}"
        try:
            record = json.loads(line.rstrip("\r\n"), strict=False)  # allows tabs in strings
        except json.JSONDecodeError as err:
            yield Skipped(where, f"malformed JSON: {err.msg} at column {err.colno}")
            continue
        except RecursionError:
            yield Skipped(where, "malformed JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield Skipped(where, "record is not a JSON object")
            continue
        yield _record_document(record, f"{doc_id}#line {number}", where, fields)


def _csv_documents(
    content: str, doc_id: str, path: str, fields: FieldNames
) -> Iterator[Document | Skipped]:
    """One document per row. The separator is a comma, or ``;`` or a tab when the header
    line has no comma but one of those (as spreadsheets write in some countries). A damaged
    row (a stray quote, see graph.csvrows) is skipped and named with its lines; the rows
    after it keep their numbers."""
    header_line = next(split_lines(content))[1]
    separators = [s for s in ";\t|" if s in header_line]
    delimiter = "," if "," in header_line or not separators else max(
        separators, key=header_line.count
    )
    rows = csv_rows(content, delimiter)
    first = next(rows, None)
    if first is None:
        yield Skipped(path, "empty file: only blank lines")
        return
    if first.problem:
        yield Skipped(path, f"malformed CSV header at {first.lines}: {first.problem}")
        return
    header = [name.strip() for name in first.fields]
    if fields.text not in header:
        yield Skipped(path, f"no {fields.text!r} column (columns: {', '.join(header)})")
        return
    for number, row in enumerate(rows, start=1):
        where = f"{path}#row {number}"
        if row.problem:
            yield Skipped(where, f"malformed CSV at {row.lines}: {row.problem}")
        elif any(cell.strip() for cell in row.fields):  # not a row of empty cells
            record = dict(zip(header, row.fields, strict=False))
            yield _record_document(record, f"{doc_id}#row {number}", where, fields)


def _record_document(
    record: Mapping[str, object], doc_id: str, where: str, fields: FieldNames
) -> Document | Skipped:
    text = record.get(fields.text)
    if text is not None and not isinstance(text, str):
        kind = _JSON_KINDS.get(type(text), "not a string")
        return Skipped(where, f"record's {fields.text!r} field is {kind}, not text")
    if text is None or not _NON_SPACE.search(text):
        return Skipped(where, f"record has no {fields.text!r} text")
    text = clean_text(text)

    def field(name: str) -> str | None:
        value = record.get(name)
        if value is None or isinstance(value, (dict, list)):
            return None
        value = " ".join(clean_text(str(value)).split())
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
    """Drop paragraphs whose text (whitespace collapsed) already appeared in this document.

    Paragraphs are remembered by a digest, so a long article is not held twice in memory.
    """
    seen: set[bytes] = set()
    kept = []
    for start, end in segments:
        key = _SPACES.sub(" ", text[start:end]).strip()
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if key and digest not in seen:
            seen.add(digest)
            kept.append((start, end))
    return tuple(kept)


def is_headline(line: str) -> bool:
    """A short first line with no closing full stop reads as a headline."""
    if len(line) > 1000:  # not worth splitting into words (a whole article on one line)
        return False
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
    # the short candidates first: they repeat from record to record (one day, many
    # stories), so their parses are cached, while a full value with a time never matches
    candidates += [value.split(" ")[0], " ".join(value.split()[:4]), value]
    for candidate in dict.fromkeys(candidates):
        parsed = _parse_day(candidate)
        if parsed is not None:
            return parsed
    logger.debug("unreadable date %r", value)
    return None


@functools.lru_cache(maxsize=4096)
def _parse_day(text: str) -> str | None:
    """ISO date of ``text`` in one of _DATE_FORMATS (the whole text), else None."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None
