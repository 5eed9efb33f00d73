"""The user's own corrections, re-applied on every run: --aliases FILE and --ignore FILE."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .config import ENTITY_TYPES
from .errors import BadSettings
from .names import clean, fold, name_key


@dataclass(frozen=True)
class Overrides:
    """Forced merges and types, and strings that are never entities."""

    canonical: dict[str, str] = field(default_factory=dict)
    """Name key of an alias -> the canonical name it stands for."""
    types: dict[str, str] = field(default_factory=dict)
    """Name key of a canonical name -> the type the user forces on it."""
    ignore: frozenset[str] = frozenset()
    """Folded strings (and their name keys) that are dropped wherever they appear."""


def read_overrides(aliases: Path | None = None, ignore: Path | None = None) -> Overrides:
    """Read an alias CSV (``alias,canonical[,type]``) and an ignore list (one per line).

    Lines starting with ``#`` and blank lines are skipped; a header row
    ``alias,canonical,type`` is allowed.

    Raises:
        BadSettings: a file is missing, unreadable, or a row is malformed.
    """
    canonical: dict[str, str] = {}
    types: dict[str, str] = {}
    for number, row in _rows(aliases):
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["alias", "canonical"]:
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise BadSettings(f"{aliases}, line {number}: expected alias,canonical[,type]")
        alias, target = clean(row[0]), clean(row[1])
        canonical[name_key(alias)] = target
        canonical.setdefault(name_key(target), target)
        if len(row) > 2 and row[2].strip():
            kind = row[2].strip().upper()
            if kind not in ENTITY_TYPES:
                raise BadSettings(
                    f"{aliases}, line {number}: unknown type {row[2].strip()!r}; "
                    f"choose from {', '.join(ENTITY_TYPES)}"
                )
            types[name_key(target)] = kind
    ignored = set()
    for _, row in _rows(ignore, as_csv=False):
        ignored.add(fold(clean(row[0])))
        ignored.add(name_key(row[0]))
    return Overrides(canonical, types, frozenset(ignored - {""}))


def _rows(path: Path | None, as_csv: bool = True) -> list[tuple[int, list[str]]]:
    if path is None:
        return []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise BadSettings(f"cannot read {path}: {getattr(err, 'strerror', None) or err}") from err
    rows = []
    lines = text.splitlines()
    parsed = csv.reader(lines) if as_csv else ([line] for line in lines)
    for number, row in enumerate(parsed, start=1):
        if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
            continue
        rows.append((number, row))
    return rows
