"""Text of any length cut down to a bounded excerpt.

An article may hold a sentence of 100,000 characters or a title as long; copied into every
link or page entry it would make the outputs grow without bound. These helpers keep at most
a set number of characters, cut at word boundaries, with ``…`` where text was left out.
"""

from __future__ import annotations

from collections.abc import Sequence

ELLIPSIS = "…"
"""Marks text left out."""

_GAP = " … "
"""Joins two pieces of one text that lie far apart."""


def shorten(text: str, limit: int) -> str:
    """``text`` when it has at most ``limit`` characters, else its start cut at a word
    boundary and ended with ``…``, ``limit`` characters at most.

    >>> shorten("Ceasefire talks resume in Cairo", 20)
    'Ceasefire talks…'
    """
    if len(text) <= limit:
        return text
    if limit < 2:
        return ELLIPSIS[:limit]
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def excerpt(text: str, spans: Sequence[tuple[int, int]], limit: int) -> str:
    """About ``limit`` characters of ``text`` showing each span ``(start, end)``: ``text``
    itself when it is that short; else one piece around all the spans, or, when they lie
    too far apart, a piece around each joined with `` … ``. Ends cut off get ``…``.

    The result has at most ``limit`` characters plus two ellipses (a span longer than its
    share is cut too).

    >>> excerpt("Talks between Israel and Hamas resumed on Monday in Cairo.", [(14, 20)], 30)
    '…between Israel and Hamas…'
    """
    if len(text) <= limit:
        return text
    spans = sorted(spans) or [(0, 0)]
    low, high = spans[0][0], max(end for _, end in spans)
    if high - low <= limit:
        windows = [_window(text, low, high, limit)]
    else:
        share = max((limit - len(_GAP) * (len(spans) - 1)) // len(spans), 1)
        windows = [_window(text, start, end, share) for start, end in spans]
    pieces = [text[start:end].strip() for start, end in windows]
    return (
        (ELLIPSIS if windows[0][0] > 0 else "")
        + _GAP.join(pieces)
        + (ELLIPSIS if windows[-1][1] < len(text) else "")
    )


def _window(text: str, start: int, end: int, size: int) -> tuple[int, int]:
    """A span of at most ``size`` characters holding ``text[start:end]`` in its middle (or
    the start of it, when it is longer), its ends moved in to word boundaries."""
    if end - start >= size:
        return start, start + size
    spare = size - (end - start)
    first = max(0, start - spare // 2)
    last = min(len(text), first + size)
    first = max(0, last - size)
    if first > 0:
        space = text.find(" ", first, start)
        first = space + 1 if space >= 0 else first
    if last < len(text):
        space = text.rfind(" ", end, last)
        last = space if space >= 0 else last
    return first, last
