"""Bytes to text: the encodings of articles and of the user's own files.

Text is decoded as UTF-8 (with or without a byte-order mark); as UTF-16 when it starts with
a UTF-16 byte-order mark, or, without one, when NUL bytes fall on every other byte as
UTF-16 writes Latin letters, digits and spaces; as Windows-1252 when it holds no UTF-8
sequence at all (which reads Latin-1 too: an old file with a pound sign as byte 0xA3 reads
as "£"); and byte by byte when the two are mixed: UTF-8 where it is valid, each other byte
as Windows-1252, with a note saying so. Every byte that is not UTF-8 becomes one character,
so offsets into the text stay offsets into what was decoded. Control characters other than
tab and line breaks are read as spaces, and lone surrogates as U+FFFD, one character for
one (``clean_text``). A file where control characters are more than 1% of the text is taken
for binary.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
from typing import NamedTuple

logger = logging.getLogger(__name__)

BINARY_SHARE = 0.01
"""A file whose text holds more control characters (NUL and the like) than this share, and
more than STRAY_CONTROLS of them, is binary."""

STRAY_CONTROLS = 2
"""Control characters a text may hold by accident (a stray NUL from a copy and paste)."""

_BINARY_HINT = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f]")
"""C0 controls that plain text does not hold (tab, line breaks, VT, FF and ^Z are allowed)."""
_BINARY_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1B, 0x20)])
"""The same controls as bytes (in UTF-8 and Windows-1252 they are those characters)."""
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
"""Bytes with no character in Windows-1252."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab, LF and CR: read as spaces."""
_NOT_A_CHARACTER = re.compile("[\ud800-\udfff\ufffe\uffff]")
"""Lone surrogates and non-characters (UTF-8 cannot carry the first): read as U+FFFD."""
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
"""A well-formed UTF-8 sequence of more than one byte."""
UTF16_SAMPLE = 65536
"""Bytes looked at to tell UTF-16 without a byte-order mark."""
_FALLBACK = "entity-graph-cp1252"
"""Codec error handler: bytes that are not UTF-8 read as Windows-1252, one by one."""
_met = threading.local()
"""Offsets of the bytes ``_FALLBACK`` read, for the decoding under way in this thread."""


class Decoded(NamedTuple):
    """The text of some bytes, or why they are not text, and anything worth a warning."""

    text: str | None
    """The decoded text, or None when the bytes are not text."""
    problem: str
    """Why the bytes are not text (for the report), or ""."""
    note: str
    """Something the user should know about the text (a mixed encoding), or ""."""


def decode_bytes(raw: bytes) -> Decoded:
    """Decode the bytes of a text file (see the module's docstring): UTF-16 with a
    byte-order mark, or without one by its NUL bytes, UTF-8, Windows-1252, or a mixture of
    the last two. NUL or other control characters in more than 1% of the text mean binary
    content; NUL bytes at the end (padding) are dropped.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(raw, "utf-16", "despite its byte-order mark")
    codec = _utf16_without_bom(raw)
    if codec is not None:
        logger.info("decoded as %s (no byte-order mark)", codec.upper())
        return _utf16(raw, codec, "though it looks like it (NUL in every other byte)")
    raw = raw.rstrip(b"\x00")  # NUL padding after the text (a file cut short while written)
    # In UTF-8 and Windows-1252 a control byte is the control character itself.
    problem = _binary(len(raw) - len(raw.translate(None, _BINARY_BYTES)), len(raw), "bytes")
    if problem:
        return Decoded(None, problem, "")
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return Decoded(raw[bom:].decode("utf-8"), "", "")
    except UnicodeDecodeError as utf8_error:
        where = bom + utf8_error.start
        mixed = _mixed(raw, bom, where) if _UTF8_SEQUENCE.search(raw) else None
        if mixed is not None:
            return mixed
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            return Decoded(None, _neither(raw, where, _first_undefined(raw)), "")
        logger.info("decoded as Windows-1252 (not valid UTF-8 at byte %d)", where)
        return Decoded(text, "", "")


def decode_text(raw: bytes) -> tuple[str | None, str]:
    """``(text, "")`` for the bytes of a text file, or ``(None, reason)`` when not text.

    See :func:`decode_bytes`, which also returns a note on a mixed encoding.
    """
    text, problem, _ = decode_bytes(raw)
    return text, problem


def decode(raw: bytes) -> str | None:
    """The text of a file's bytes, or None when they are binary or in an unknown encoding.

    See :func:`decode_text`, which also says why.
    """
    return decode_bytes(raw).text


def clean_text(text: str) -> str:
    r"""``text`` with control characters (other than tab, LF, CR) as spaces and lone
    surrogates or non-characters as U+FFFD: same length, so offsets stay valid.

    >>> clean_text("Gaza\x00Truce\ud800") == "Gaza Truce\ufffd"
    True
    """
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if _NOT_A_CHARACTER.search(text):
        text = _NOT_A_CHARACTER.sub("\ufffd", text)
    return text


def _utf16(raw: bytes, codec: str, why: str) -> Decoded:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as err:
        return Decoded(None, f"not valid UTF-16 {why}: {err.reason}", "")
    problem = _binary(len(_BINARY_HINT.findall(text)), len(text), "characters")
    return Decoded(None, problem, "") if problem else Decoded(text, "", "")


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when NUL bytes fall on one side of the byte pairs (the
    high byte of Latin letters, digits, spaces and line breaks) and hardly ever on the
    other, else None. Binary data has NULs on both sides; UTF-8 text has none."""
    if len(raw) % 2:
        return None
    sample = raw[:UTF16_SAMPLE]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    high, low = max(even, odd), min(even, odd)
    if high < max(1, len(sample) // 20) or low * 8 > high:
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _mixed(raw: bytes, bom: int, utf8_error: int) -> Decoded | None:
    """UTF-8 text (after a byte-order mark of ``bom`` bytes) holding some bytes of another
    encoding, the first at ``utf8_error``: each such byte read as Windows-1252, with a note,
    or not text when one has no Windows-1252 character. None when the bytes that are not
    UTF-8 outnumber the UTF-8 sequences four to one: Windows-1252 text where a capital
    with an accent before a curly quote ("JOSÉ’S") happens to be a UTF-8 sequence."""
    _met.offsets = []
    try:
        text = raw[bom:].decode("utf-8", errors=_FALLBACK)
        offsets = [bom + i for i in _met.offsets]
    finally:
        del _met.offsets
    if len(_UTF8_SEQUENCE.findall(raw)) * 4 < len(offsets):
        return None
    undefined = [i for i in offsets if raw[i] in _CP1252_UNDEFINED]
    if undefined:
        return Decoded(None, _neither(raw, utf8_error, raw[undefined[0]]), "")
    first = offsets[0]
    many = "1 byte" if len(offsets) == 1 else f"{len(offsets)} bytes"
    note = (f"mixed encoding: UTF-8 text with {many} that {'is' if len(offsets) == 1 else 'are'}"
            f" not UTF-8, read as Windows-1252 (byte 0x{raw[first]:02X} at offset {first})")
    return Decoded(text, "", note)


def _read_as_cp1252(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes UTF-8 could not decode, read one by one as
    Windows-1252 (a byte it leaves undefined as the Latin-1 control character)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start:err.end]
    _met.offsets.extend(range(err.start, err.end))
    return "".join(bytes([b]).decode("latin-1" if b in _CP1252_UNDEFINED else "cp1252")
                   for b in bad), err.end


codecs.register_error(_FALLBACK, _read_as_cp1252)


def _neither(raw: bytes, utf8_start: int, undefined: int) -> str:
    return (f"not UTF-8 or Windows-1252 text: byte 0x{raw[utf8_start]:02X} at offset "
            f"{utf8_start} is not UTF-8, and 0x{undefined:02X} is not Windows-1252")


def _binary(controls: int, length: int, unit: str) -> str:
    """Why the content is binary, or "" when its control characters are few enough."""
    if controls > max(length * BINARY_SHARE, STRAY_CONTROLS):
        return f"binary content, not text: {controls} of its {length} {unit} are NUL or controls"
    return ""


def _first_undefined(raw: bytes) -> int:
    """The first byte that Windows-1252 leaves undefined."""
    return next(byte for byte in raw if byte in _CP1252_UNDEFINED)
