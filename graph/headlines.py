"""Headlines in Title Case or ALL CAPS, re-cased so the entity recogniser reads them right.

A model trained on running text takes most capitalised words for names, so a headline
such as "Netanyahu Faces Stalemate in Gaza Truce Talks" yields "Netanyahu Faces Stalemate"
as an organisation. Before such a line is analysed, each word is re-cased the way the
article's body writes it: "Gaza" stays, "Faces" becomes "faces". The re-cased text has the
same length as the original, so mention offsets still index the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_SMALL = frozenset(
    "a an and as at but by for from in into of on or over the to up with after before "
    "amid than via vs v".split()
)
_SENTENCE_END = re.compile(r"[.!?\"“”:—-]\s*$")
_POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)
_DROP_ASCII_LOWER = dict.fromkeys(range(ord("a"), ord("z") + 1))
DATELINE_WORDS = 4
"""All-caps lines this short (datelines, bylines) keep unknown words capitalised."""


@dataclass(frozen=True)
class BodyCasing:
    """How the body of an article writes its words."""

    lower: frozenset[str]
    """Words written in lower case somewhere in the body."""
    capitalised: dict[str, str]
    """Lower-cased word -> its capitalised spelling, for words capitalised mid-sentence."""


def is_shouting(text: str) -> bool:
    """Title Case or ALL CAPS: a headline-like line the model should not read as is."""
    if _mostly_capitals(text):
        return True
    if text.rstrip().endswith((".", "!", "?")):
        return False
    words = _WORD.findall(text)
    if not 3 <= len(words) <= 25:
        return False
    content = [w for w in words if w.casefold() not in _SMALL]
    capitals = sum(w[0].isupper() for w in content)
    return len(content) >= 3 and capitals >= 0.75 * len(content)


def _mostly_capitals(text: str) -> bool:
    """At least four letters, at least 80% of them capitals."""
    # Cheap rejection first (this runs on every paragraph): lower-case ASCII letters alone
    # outnumbering a fifth of all characters rule capitals out.
    if len(text) - len(text.translate(_DROP_ASCII_LOWER)) > 0.2 * len(text):
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def body_casing(text: str, segments: list[tuple[int, int]]) -> BodyCasing:
    """Learn the casing of words from the segments that are ordinary running text."""
    lower: set[str] = set()
    mid: dict[str, str] = {}
    initial: dict[str, str] = {}
    for start, end in segments:
        segment = text[start:end]
        if is_shouting(segment):
            continue
        for match in _WORD.finditer(segment):
            word = _POSSESSIVE.sub("", match.group())
            if word.islower():
                lower.add(word)
            elif word[0].isupper():
                at_start = match.start() == 0 or _SENTENCE_END.search(segment[: match.start()])
                (initial if at_start else mid).setdefault(word.casefold(), word)
    capitalised = {k: v for k, v in initial.items() if k not in lower}
    capitalised.update(mid)
    return BodyCasing(frozenset(lower), capitalised)


def recase(line: str, body: BodyCasing) -> str:
    """``line`` with each word cased as the body writes it; same length as ``line``.

    Words the body never uses are lower-cased in a headline, but kept capitalised in a short
    all-caps line (a dateline such as "LONDON 1996-12-06" names a place).
    """
    words = _WORD.findall(line)
    short = len(words) <= DATELINE_WORDS

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        folded = _POSSESSIVE.sub("", word).casefold()
        if folded in body.capitalised:
            new = body.capitalised[folded]
        elif folded in body.lower:
            new = folded
        elif short:
            new = word[:1] + word[1:].lower()
        else:
            new = folded
        new += word[len(new):].lower() if word.casefold().startswith(new.casefold()) else ""
        return new if len(new) == len(word) else word

    return _WORD.sub(fix, line)
