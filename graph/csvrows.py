"""Lines and CSV rows of a text, with damage found and named by line.

Shared by the article reader (``.csv`` and ``.jsonl`` files) and the alias file reader.
CSV is parsed strictly, so a quote opened by mistake (``2,"Stray title,text``) does not
silently swallow the records after it: the quoted field runs on until a quote that cannot
close it, or to the end, and the record is reported with its lines; reading then goes on
at the line after the record's first, so the next records are read as written. A record
of several lines whose field count differs from the header's is damaged in the same way.
Fields may be up to CSV_FIELD_LIMIT characters (the csv module's own limit, 131,072, is
less than a long article); a longer one makes its record a damaged one too.
"""

from __future__ import annotations

import contextlib
import csv
import re
import sys
from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

CSV_FIELD_LIMIT = 100_000_000
"""Longest CSV field read, in characters (a whole long article fits)."""

_NEWLINE = re.compile(r"\r\n?|\n")


def split_lines(content: str) -> Iterator[tuple[int, str]]:
    """``(line number, line with its line break)`` for LF, CRLF and CR line breaks only
    (``str.splitlines`` also breaks at U+2028 and other characters JSON may hold)."""
    start = 0
    number = 0
    for number, newline in enumerate(_NEWLINE.finditer(content), start=1):
        yield number, content[start : newline.end()]
        start = newline.end()
    if start < len(content):
        yield number + 1, content[start:]


class CsvRow(NamedTuple):
    """One record of a CSV text, or why it is damaged."""

    first: int
    """Line number where the record starts (1 for the header)."""
    last: int
    """Line number where it ends (more than ``first`` when a quoted field holds a line break)."""
    fields: list[str]
    """The fields, or [] when the record is damaged."""
    problem: str
    """Why the record is damaged, or ""."""

    @property
    def lines(self) -> str:
        """``line 3`` or ``lines 3-4``, to name the record."""
        return f"line {self.first}" if self.first == self.last else \
            f"lines {self.first}-{self.last}"


def csv_rows(content: str, delimiter: str = ",", check_width: bool = True) -> Iterator[CsvRow]:
    """The records of ``content``, the header first; blank lines are passed over.

    A damaged record (see the module's docstring) comes with ``problem`` set and no fields,
    and reading goes on at the line after its first (after its last for a field too long).
    With ``check_width``, a record of several lines with another number of fields than the
    header, or a record with more non-empty fields than the header, is damaged too (fewer
    fields on one line are cells left out at the end, as spreadsheets write).
    """
    feed = _Feed(content)
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    width = None
    while True:
        feed.record.clear()
        try:
            with _field_limit(CSV_FIELD_LIMIT):
                row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            if str(err).startswith("field larger than field limit"):
                yield _too_long(reader, feed)
                continue
            lenient = _lenient(feed.record[0][1], delimiter) if len(feed.record) == 1 else None
            if lenient is None:
                yield _damaged(feed, str(err))
                feed.resume_after_first()
                continue
            row = lenient
        if not row:
            continue
        first, last = feed.record[0][0], feed.record[-1][0]
        if width is None:
            width = len(row)
        elif check_width and _wrong_width(row, width, first == last):
            yield _damaged(feed, f"{len(row)} fields where the header has {width}")
            if first < last:
                feed.resume_after_first()
            continue
        yield CsvRow(first, last, row, "")


class _Feed:
    """The lines of a text for csv.reader, one at a time, keeping those of the record being
    read, so that reading can go back to the line after a damaged record's first."""

    def __init__(self, content: str) -> None:
        self.lines = split_lines(content)
        self.replay: deque[tuple[int, str]] = deque()
        self.record: list[tuple[int, str]] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.replay.popleft() if self.replay else next(self.lines)
        self.record.append(line)
        return line[1]

    def resume_after_first(self) -> None:
        """Read the lines of the last record again, but its first."""
        self.replay.extendleft(reversed(self.record[1:]))


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """The csv module's field size limit (one setting for the whole process) set to
    ``limit`` while parsing, and put back after."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _wrong_width(row: list[str], width: int, one_line: bool) -> bool:
    """More fields than the header (unless empty ones at the end), or fewer on more than
    one line."""
    if len(row) > width:
        return any(cell.strip() for cell in row[width:])
    return len(row) < width and not one_line


def _lenient(line: str, delimiter: str) -> list[str] | None:
    """A one-line record the strict reader refused (text after a closing quote:
    ``"Title" extra``), read as the csv module does by default, or None."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None


def _damaged(feed: _Feed, problem: str) -> CsvRow:
    first, last = feed.record[0][0], feed.record[-1][0]
    if first < last:
        problem += f" (a stray quote on line {first}?)"
    return CsvRow(first, last, [], problem)


def _too_long(reader: Iterator[list[str]], feed: _Feed) -> CsvRow:
    """The record holding a field over the limit, read to its end and reported."""
    feed.replay.extendleft(reversed(feed.record))
    feed.record.clear()
    with contextlib.suppress(csv.Error, StopIteration), _field_limit(sys.maxsize):
        next(reader)
    first, last = feed.record[0][0], feed.record[-1][0]
    return CsvRow(first, last, [], f"a field longer than {CSV_FIELD_LIMIT:,} characters")
