"""The user's own corrections, re-applied on every run: --aliases FILE and --ignore FILE.

Alias rows are read as statements that names are one entity, so they are followed to the
end: ``Kijow,Kiev`` and ``Kiev,Kyiv`` merge all three as Kyiv. Names that are aliases of
one another in a cycle (``Kyiv,Kiev`` and ``Kiev,Kyiv``), or a name given as an alias of
several others, make one entity too, named by the first row of the group, with a note for
the run report. Types forced by rows of one entity must agree.

Both files are read only when they are regular text files of at most USER_FILE_LIMIT bytes
(not a device, a named pipe or a folder), in any encoding an article may have.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .config import ENTITY_TYPES
from .csvrows import csv_rows, split_lines
from .decoding import clean_text, decode_bytes
from .errors import BadSettings
from .names import clean, fold, name_key

USER_FILE_LIMIT = 50 * 2**20
"""Largest alias or ignore file read, in bytes."""

_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


@dataclass(frozen=True)
class Overrides:
    """Forced merges and types, and strings that are never entities."""

    canonical: dict[str, str] = field(default_factory=dict)
    """Name key of an alias -> the canonical name it stands for."""
    types: dict[str, str] = field(default_factory=dict)
    """Name key of a canonical name -> the type the user forces on it."""
    ignore: frozenset[str] = frozenset()
    """Folded strings (and their name keys) that are dropped wherever they appear."""
    notes: tuple[str, ...] = ()
    """What the run report should say about the alias file (cycles, and the like)."""


@dataclass(frozen=True)
class _Alias:
    number: int
    """Line number in the file."""
    alias: str
    target: str
    kind: str


def read_overrides(aliases: Path | None = None, ignore: Path | None = None) -> Overrides:
    """Read an alias CSV (``alias,canonical[,type]``) and an ignore list (one per line).

    Lines starting with ``#`` and blank lines are skipped; a header row
    ``alias,canonical,type`` is allowed.

    Raises:
        BadSettings: a file is missing, unreadable, not a regular text file, larger than
            USER_FILE_LIMIT, or a row is malformed; or two rows force different types on
            one entity.
    """
    rows = _alias_rows(aliases) if aliases is not None else []
    canonical, types, notes = _closure(rows, aliases)
    ignored = set()
    if ignore is not None:
        for _, line in split_lines(read_user_file(ignore, "ignore file")):
            if line.strip() and not line.lstrip().startswith("#"):
                ignored.add(fold(clean(line)))
                ignored.add(name_key(line))
    return Overrides(canonical, types, frozenset(ignored - {""}), notes)


def read_user_file(path: Path, what: str) -> str:
    """The text of one of the user's files (``what``: "alias file", "ignore file").

    Raises:
        BadSettings: see :func:`user_file_bytes`, or the file is not text.
    """
    text, problem, _ = decode_bytes(user_file_bytes(path, what))
    if text is None:
        raise BadSettings(f"cannot read the {what} {path}: {problem}")
    return clean_text(text.removeprefix("\ufeff"))


def user_file_bytes(path: Path, what: str) -> bytes:
    """The bytes of one of the user's files, read only when it is a regular file of at
    most USER_FILE_LIMIT bytes: a device or a named pipe is refused without reading (a
    pipe is opened without waiting for a writer).

    Raises:
        BadSettings: the file is missing, unreadable, not a regular file, or too large.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise BadSettings(f"cannot read the {what} {path}: {err.strerror or err}") from err
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "something else")
        raise BadSettings(f"cannot read the {what} {path}: not a regular file but {kind}")
    with os.fdopen(descriptor, "rb") as stream:
        try:
            raw = stream.read(USER_FILE_LIMIT + 1)
        except OSError as err:
            raise BadSettings(f"cannot read the {what} {path}: {err.strerror or err}") from err
    if len(raw) > USER_FILE_LIMIT:
        size = max(info.st_size, len(raw))
        raise BadSettings(f"cannot read the {what} {path}: larger than "
                          f"{USER_FILE_LIMIT // 2**20} MB ({size:,} bytes): not an {what}")
    return raw


def _alias_rows(path: Path) -> list[_Alias]:
    rows = []
    for row in csv_rows(read_user_file(path, "alias file"), check_width=False):
        where = f"{path}, {row.lines}"
        if row.problem:
            raise BadSettings(f"{where}: malformed CSV: {row.problem}")
        cells = row.fields
        if not cells[0].strip() or cells[0].lstrip().startswith("#"):
            continue
        if row.first == 1 and [c.strip().lower() for c in cells[:2]] == ["alias", "canonical"]:
            continue
        if len(cells) < 2 or not cells[1].strip():
            raise BadSettings(f"{where}: expected alias,canonical[,type]")
        kind = cells[2].strip().upper() if len(cells) > 2 else ""
        if kind and kind not in ENTITY_TYPES:
            raise BadSettings(f"{where}: unknown type {cells[2].strip()!r}; "
                              f"choose from {', '.join(ENTITY_TYPES)}")
        rows.append(_Alias(row.first, clean(cells[0]), clean(cells[1]), kind))
    return rows


def _closure(
    rows: list[_Alias], path: Path | None
) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    """Name key -> canonical name, canonical key -> forced type, and notes, with the
    rows joined into groups of names that stand for one entity."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for row in rows:
        parent[root(name_key(row.alias))] = root(name_key(row.target))
    groups: dict[str, list[_Alias]] = {}
    for row in rows:
        groups.setdefault(root(name_key(row.alias)), []).append(row)
    canonical: dict[str, str] = {}
    types: dict[str, str] = {}
    notes = []
    for group in groups.values():
        name, note = _canonical(group)
        if note:
            notes.append(note)
        for row in group:
            canonical[name_key(row.alias)] = canonical[name_key(row.target)] = name
        forced = {row.kind: row.number for row in group if row.kind}
        if len(forced) > 1:
            (first, line), (second, other) = sorted(forced.items(), key=lambda i: i[1])[:2]
            raise BadSettings(
                f"{path}, lines {line} and {other}: {first} and {second} forced on one "
                f"entity ({name}, joined by the aliases on {_lines(group)}); keep one type")
        if forced:
            types[name_key(name)] = next(iter(forced))
    return canonical, types, tuple(notes)


def _canonical(group: list[_Alias]) -> tuple[str, str]:
    """The name a group of alias rows merges under, and a note when that was a choice: the
    one name no row gives as an alias; else, in a cycle, the name the group's first row
    gives; else (an alias of several names) the first of those names."""
    aliases = {name_key(r.alias) for r in group if name_key(r.alias) != name_key(r.target)}
    ends = list(dict.fromkeys(r.target for r in group if name_key(r.target) not in aliases))
    if len(ends) == 1:
        return ends[0], ""
    if not ends:
        chosen = group[0].target
        names = ", ".join(dict.fromkeys(r.alias for r in group))
        return chosen, (f"{_lines(group)}: the aliases {names} form a cycle; all are merged "
                        f"as {chosen} (the name the first of these lines gives)")
    alias = next(r.alias for r in group if r.target in ends)
    return ends[0], (f"{_lines(group)}: {alias} is an alias of several names "
                     f"({', '.join(ends)}); all are merged as {ends[0]} (the first of them)")


def _lines(group: list[_Alias]) -> str:
    numbers = sorted({r.number for r in group})
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"lines {numbers[0]}-{numbers[-1]}"
    return "lines " + ", ".join(map(str, numbers))
