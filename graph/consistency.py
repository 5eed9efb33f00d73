"""One document, one reading: the same name keeps one type, and is found every time.

The entity recogniser decides each occurrence on its own, so an article may have "Hamas"
as an organisation nine times and miss it the tenth, or type "Washington" as a place in one
sentence and an organisation in the next. Within a document, this pass

- splits a pair read as one name into the names the document mentions apart
  ("Israel-Hamas"), and cuts a sentence's first word off a name it was glued to,
- gives every occurrence of a name the type most of its occurrences have (a surname read
  as a nationality or an event is the person named in full),
- adds the occurrences the recogniser missed: the exact name, as a whole word, anywhere in
  the analysed text (ignoring case inside headlines in capitals, and not in rows of price
  tables), plus the surname of each person named in full.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .names import country_code, is_acronym, is_junk, name_key, titles
from .types import Document, Mention

_RUN = re.compile(r"\w+")
_LOWER_WORD = re.compile(r"(?<![\w\-'’])[a-z]+(?![\w\-'’])")
_PAIR_SEPARATOR = re.compile(r"\s*[/–—]\s*|-(?=[A-Z])")
_RUN_START = re.compile(r"(?<![\w.])\w+")
_CAPITAL_RUN_START = re.compile(r"(?<![\w.])(?=[A-Z]|[^\x00-\x7f])\w+")
"""A word that may start a name: capital letter or non-ASCII first (names are capitalised)."""

TABLE_LINE = 300
"""Longest row of a price table, in characters; a longer line is prose."""

TABLE_WORD = 5
"""Longest word (in letters) of a row of a price table: its labels are abbreviations."""

HEADLINE_VOTE = 0.5
"""Vote of an occurrence inside a re-cased headline (less reliable)."""


def consistent_mentions(
    document: Document,
    mentions: list[Mention],
    sentences: list[tuple[int, int]],
    shouting: list[tuple[int, int]],
) -> list[Mention]:
    """The document's mentions with one type per name and missed occurrences added.

    Parameters:
        document: the document (its text and analysed segments).
        mentions: the recogniser's mentions, in document order.
        sentences: ``(start, end)`` of every analysed sentence, in order (index = number).
        shouting: spans of headline-like text (Title Case, capitals) that were re-cased.
    """
    mentions = _trim_openers(document.text, _split_pairs(mentions), sentences)
    types = _type_by_name(mentions, shouting)
    _surnames_are_people(mentions, types)
    typed = [replace(m, type=types[name_key(m.name)]) for m in mentions]
    found = _missed(document, typed, types, sentences, shouting)
    return sorted(typed + found, key=lambda m: m.start)


def _surnames_are_people(mentions: list[Mention], types: dict[str, str]) -> None:
    """A word read as a nationality, an event or a work that is the surname of a person the
    article names in full is that person ("David Campese ... Campese will"), in ``types``."""
    surnames = {name_key(m.name).split()[-1] for m in mentions
                if types[name_key(m.name)] == "PERSON" and " " in name_key(m.name)}
    for key, kind in types.items():
        if key in surnames and kind not in ("PERSON", "ORG", "PLACE"):
            types[key] = "PERSON"


def _split_pairs(mentions: list[Mention]) -> list[Mention]:
    """Split "Israel-Hamas" or "Blair/Brown" into its names when each part is a name the
    document mentions on its own (or a country): a pair read as one name. "Kilroy-Silk"
    and "Al-Hayya" stay whole, their parts being no names of their own there."""
    known: dict[str, str] = {}
    for m in mentions:
        known.setdefault(name_key(m.name), m.type)
    result = []
    for m in mentions:
        parts = spans_between(_PAIR_SEPARATOR, m.text)
        kinds = [_part_type(m.text[a:b], known) for a, b in parts]
        if len(parts) < 2 or not all(kinds):
            result.append(m)
            continue
        for (a, b), kind in zip(parts, kinds, strict=True):
            text = m.text[a:b]
            result.append(replace(m, start=m.start + a, end=m.start + b, text=text,
                                  type=kind or m.type, name=" ".join(text.split()), cue=""))
    return result


def spans_between(separator: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the pieces of ``text`` between the matches of ``separator``."""
    bounds = [0, *(i for match in separator.finditer(text)
                  for i in (match.start(), match.end())), len(text)]
    return list(zip(bounds[::2], bounds[1::2], strict=True))


def _trim_openers(text: str, mentions: list[Mention],
                  sentences: list[tuple[int, int]]) -> list[Mention]:
    """Cut a sentence's first word off a name it was glued to ("Will Gordon Brown ...?")
    when the document writes that word in lower case elsewhere and names the rest on its
    own: a capital that only says a sentence starts there."""
    starts = {start for start, _ in sentences}
    names = {name_key(m.name) for m in mentions}
    lower: set[str] | None = None
    result = []
    for m in mentions:
        first, _, rest = m.text.partition(" ")
        if m.start in starts and rest and name_key(rest) in names and first.isalpha():
            if lower is None:
                lower = set(_LOWER_WORD.findall(text))
            if first.lower() in lower:
                start = m.start + len(first) + 1
                m = replace(m, start=start, text=rest, name=" ".join(rest.split()))
        result.append(m)
    return result


def _part_type(part: str, known: dict[str, str]) -> str | None:
    """The type of one part of a pair: that of the document's mention of it, PLACE for a
    country, None when it is no name of its own."""
    if len(part) < 2 or not part[:1].isupper():
        return None
    return known.get(name_key(part)) or ("PLACE" if country_code(part, as_code=True) else None)


def _type_by_name(mentions: list[Mention], shouting: list[tuple[int, int]]) -> dict[str, str]:
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    first: dict[str, str] = {}
    for m in mentions:
        key = name_key(m.name)
        first.setdefault(key, m.type)
        votes[key][m.type] += HEADLINE_VOTE if _inside(m.start, shouting) else 1.0
        if m.cue:
            votes[key][m.cue] += 1.0
    result = {}
    for key, counter in votes.items():
        best = max(counter.values())
        tied = sorted(t for t, v in counter.items() if v == best)
        result[key] = first[key] if first[key] in tied else tied[0]
    return result


def _missed(
    document: Document,
    mentions: list[Mention],
    types: dict[str, str],
    sentences: list[tuple[int, int]],
    shouting: list[tuple[int, int]],
) -> list[Mention]:
    wanted: dict[str, str] = {}
    for m in mentions:
        kind = types[name_key(m.name)]
        if _searchable(m.text):
            wanted.setdefault(m.text, kind)
        words = m.text.split()
        surname = words[-1] if len(words) >= 2 else ""
        if kind == "PERSON" and surname and _searchable(surname) and not is_acronym(surname):
            wanted.setdefault(surname, "PERSON")
    if not wanted:
        return []
    by_key = {name_key(name): kind for name, kind in wanted.items()}
    finder = _NameFinder(wanted)
    taken = sorted((m.start, m.end) for m in mentions)
    starts = [s for s, _ in sentences]
    found: list[Mention] = []
    text = document.text
    for paragraph, (seg_start, seg_end) in enumerate(document.segments):
        for start, end in _matches(finder, text, seg_start, seg_end, shouting):
            surface = text[start:end]
            found_kind = by_key.get(name_key(surface))
            if found_kind is None or _overlaps(start, end, taken) or in_table_line(text, start):
                continue
            sentence = max(0, bisect_right(starts, start) - 1)
            found.append(Mention(document.id, start, end, surface, found_kind,
                                 " ".join(surface.split()), sentence, paragraph))
            taken.insert(bisect_right(taken, (start, end)), (start, end))
    return found


def in_table_line(text: str, position: int) -> bool:
    """Whether the line holding ``position`` is a row of a price table: two numbers or more,
    at least one for every three words, and only abbreviations for words, some of them in
    lower case ("Avg shrs 51.7 mln vs 43.4 mln", "Net 5.2 mln vs 4.1 mln"). A row of results
    keeps its names ("Japan 2 Syria 1", "Leicester 21 Bath 12")."""
    # only a row's length of text either side is looked at: a long line is prose
    reach = max(0, position - TABLE_LINE - 1)
    start = text.rfind("\n", reach, position) + 1
    end = text.find("\n", position, position + TABLE_LINE + 1)
    if (start == 0 and reach > 0) or (end < 0 and len(text) - position > TABLE_LINE):
        return False
    line = text[start:end if end >= 0 else len(text)]
    if len(line) > TABLE_LINE:
        return False
    numbers = words = abbreviations = 0
    for token in line.split():
        if any(ch.isdigit() for ch in token):
            numbers += 1
        elif sum(ch.isalpha() for ch in token) > TABLE_WORD:
            return False
        elif any(ch.isalpha() for ch in token):
            words += 1
            abbreviations += token.islower()
    return numbers >= 2 and 3 * numbers >= words and abbreviations > 0


def _searchable(name: str) -> bool:
    """Names worth searching for: capitalised, not junk, not a bare title."""
    return (
        len(name) >= (2 if is_acronym(name) else 3)
        and name[:1].isupper()
        and not is_junk(name)
        and name.casefold() not in titles()
    )


def _matches(finder: _NameFinder, text: str, start: int, end: int,
             shouting: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Spans of names in ``text[start:end]``: exact case, except inside re-cased headlines."""
    loud_spans = [(s, e) for s, e in shouting if s < end and e > start]
    for span in finder.find(text, start, end):
        if not _inside(span[0], loud_spans):
            yield span
    for s, e in loud_spans:
        yield from finder.find(text, max(s, start), min(e, end), ignore_case=True)


class _NameFinder:
    """Finds whole-word occurrences of capitalised names (others are ignored) as the
    expression ``(?<![\\w.])(?:name|...)(?!\\w)`` with longer names first would, without
    compiling an expression for every document: names are looked up by their first word."""

    def __init__(self, names: Iterable[str]) -> None:
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.folded: dict[str, list[str]] = defaultdict(list)
        for name in sorted(names, key=lambda n: (-len(n), n)):
            first = _RUN.match(name)
            if first is not None and name[0].isupper():
                self.exact[first.group()].append(name)
                self.folded[first.group().lower()].append(name.lower())

    def find(self, text: str, start: int, end: int,
             ignore_case: bool = False) -> Iterator[tuple[int, int]]:
        """Non-overlapping ``(start, end)`` of names in ``text[start:end]``, leftmost first."""
        index = self.folded if ignore_case else self.exact
        resume = start
        runs = _RUN_START if ignore_case else _CAPITAL_RUN_START
        for run in runs.finditer(text, start, end):
            at = run.start()
            if at < resume:
                continue
            word = run.group()
            for name in index.get(word.lower() if ignore_case else word, ()):
                stop = at + len(name)
                if stop > end:
                    continue
                piece = text[at:stop]
                if (piece.lower() if ignore_case else piece) != name:
                    continue
                if stop < end and (text[stop].isalnum() or text[stop] == "_"):
                    continue
                yield at, stop
                resume = stop
                break


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= position < e for s, e in spans)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    i = bisect_right(taken, (start, end))
    return any(s < end and start < e for s, e in taken[max(0, i - 2): i + 2])
