"""Untrusted text made safe to show and to store: file names and other strings from the
inputs may hold bytes that are not UTF-8, control characters (a newline, ESC) and
bidirectional controls. Written as they are, they crash UTF-8 writers, forge lines on the
terminal or send it escape sequences. Here they become backslash escapes, the same way in
every output and on the terminal.
"""

from __future__ import annotations

import os
import re

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Control characters (C0, DEL, C1), lone surrogates, line and paragraph separators and
bidirectional controls."""

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_text(text: str) -> str:
    r"""``text`` with control characters, lone surrogates and bidirectional controls as
    backslash escapes; other text (backslashes too) unchanged, so escaping twice changes
    nothing more.

    A byte of a file name that is not UTF-8 (which Python holds as a surrogate) is shown
    as ``\xNN``, the byte itself.

    >>> escape_text("caf\udce9.txt\n\x1b[2J")
    'caf\\xe9.txt\\n\\x1b[2J'
    """
    if text.isprintable() or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)


def path_text(path: str | os.PathLike[str]) -> str:
    """A path as text every output can carry and the terminal shows as is
    (see :func:`escape_text`)."""
    return escape_text(os.fspath(path))
