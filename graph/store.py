"""A SQLite store of per-document extraction results, so no article is parsed twice.

Each result is keyed by a hash of the document's analysed text (its paragraphs, after
repeats are dropped) and of everything that decides what extraction finds: the model's
name, version and components, the entity types, and the version of this tool's extraction
code. A renamed or re-dated article is found again; an article whose text changed, or a
run with another model, is parsed anew. Results are written in transactions, so a run
killed half-way leaves a store the next run can use; entries no longer used by a run are
dropped at its end.

The store is only a cache, so no problem with it stops a run or reaches the outputs:

- a stored result is used only when its digest matches and every mention and sentence in it
  stands at its offsets in the document's text; anything else (a damaged or forged row) is
  a miss, parsed again and stored anew;
- a store another run keeps locked is waited for (``BUSY_TIMEOUT``), and a store that then
  cannot be used (still locked, disk full, I/O error) is given up with a warning: the run
  goes on without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError
from .types import Document, DocumentInfo, ExtractedDocument, Mention, Sentence

logger = logging.getLogger(__name__)

EXTRACTION_VERSION = "13"
"""Bump when extraction code changes what it finds, so stored results are not reused."""

BUSY_TIMEOUT = 10.0
"""Seconds to wait for a store another run holds locked before going on without it."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    digest TEXT
)
"""
_BUSY = {5: "database is locked", 6: "database table is locked"}
"""SQLite's primary result codes (SQLITE_BUSY, SQLITE_LOCKED) of a store another run holds,
with their messages (Python before 3.11 gives only the message)."""
_TRANSIENT = {**_BUSY, 13: "database or disk is full", 10: "disk I/O error"}
"""The same for a store that is fine but cannot be used now: busy, full, failing I/O."""
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def fingerprint(model: dict[str, str], types: Iterable[str]) -> str:
    """What, besides the text, decides an extraction: model, types, code version."""
    data = {
        "model": [model.get("name"), model.get("version"), model.get("components")],
        "types": sorted(types),
        "code": EXTRACTION_VERSION,
    }
    return json.dumps(data, sort_keys=True)


def document_key(document: Document, settings_fingerprint: str) -> str:
    """Hash of the analysed text of ``document`` (with paragraph offsets) and the settings."""
    digest = hashlib.sha256(settings_fingerprint.encode("utf-8"))
    for start, end in document.segments:
        digest.update(f"\x00{start}:{end}\x00".encode())
        digest.update(document.text[start:end].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ExtractionStore:
    """Stored extractions in one SQLite file; use as a context manager."""

    def __init__(self, path: Path, timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.hits = 0
        self.misses = 0
        self.damaged = 0
        """Stored results refused (damaged or forged): parsed again."""
        self.problem = ""
        """Why the store was given up during the run (the run went on without it), or ""."""
        self.run_stamp = time.time_ns()
        """Rows used or written by this run are stamped with this; older ones are pruned."""
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection | None:
        """The connection, opened on first use (a run that finds no document makes no file);
        None once the store was given up."""
        if self._db is None and not self.problem:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection | None:
        db = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(extractions)")}
            if "digest" not in columns:  # a store written before digests: rows re-checked
                db.execute("ALTER TABLE extractions ADD COLUMN digest TEXT")
        except sqlite3.Error as err:
            if db is not None:
                db.close()
            if _transient(err):
                self._give_up(err)
                return None
            raise OutputError(
                f"cannot use the extraction store {self.path}: {err}; "
                "delete it, or run with --no-cache"
            ) from err
        except OSError as err:
            raise OutputError(
                f"cannot use the extraction store {self.path}: {err}; "
                "delete it, or run with --no-cache"
            ) from err
        return db

    def _give_up(self, err: sqlite3.Error) -> None:
        """Go on without the store from now on, with a warning saying why."""
        why = str(err)
        if _error_code(err) in _BUSY:
            why += f" (another run is using it; waited {self.timeout:g} s)"
        self.problem = f"cannot use the extraction store {self.path}: {why}; going on without it"
        logger.warning("%s", self.problem)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def __enter__(self) -> ExtractionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(prune=exc[0] is None)

    def get(self, key: str, document: Document) -> ExtractedDocument | None:
        """The stored extraction of ``document`` (bound to its id and metadata), or None
        when there is none or it fails its checks (see ``get_many``)."""
        return self.get_many([key], [document])[0]

    def get_many(
        self, keys: list[str], documents: list[Document]
    ) -> list[ExtractedDocument | None]:
        """``get`` for several documents, in one transaction. A stored result whose digest
        or content does not check out against the document is a miss (counted in
        ``damaged``); a store that cannot be read is given up (every document a miss)."""
        results: list[ExtractedDocument | None] = [None] * len(keys)
        db = self.db
        try:
            if db is not None:
                db.execute("BEGIN IMMEDIATE")  # waits for a writer; no stale-read upgrade
                for i, (key, document) in enumerate(zip(keys, documents, strict=True)):
                    results[i] = self._checked(db, key, document)
                db.execute("COMMIT")
        except sqlite3.Error as err:
            self._give_up(err)
            results = [None] * len(keys)
        found = sum(r is not None for r in results)
        self.hits += found
        self.misses += len(keys) - found
        return results

    def _checked(self, db: sqlite3.Connection, key: str, document: Document
                 ) -> ExtractedDocument | None:
        row = db.execute("SELECT payload, digest FROM extractions WHERE key = ?",
                         (key,)).fetchone()
        if row is None:
            return None
        payload, digest = row
        result, problem = None, "its digest does not match"
        if isinstance(payload, str) and digest == payload_digest(key, payload):
            result, problem = _decode(payload, document)
        if result is None:
            self.damaged += 1
            logger.info("stored extraction of %s refused (%s): parsing it again",
                        document.id, problem)
            return None
        db.execute("UPDATE extractions SET used = ? WHERE key = ?", (self.run_stamp, key))
        return result

    def put_many(self, items: Iterable[tuple[str, ExtractedDocument]]) -> None:
        """Store several extractions in one transaction (or nothing, once given up)."""
        db = self.db
        if db is None:
            return
        rows = []
        for key, extracted in items:
            payload = _encode(extracted)
            rows.append((key, payload, self.run_stamp, payload_digest(key, payload)))
        if not rows:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT OR REPLACE INTO extractions (key, payload, used, digest) "
                "VALUES (?, ?, ?, ?)", rows
            )
            db.execute("COMMIT")
        except sqlite3.Error as err:
            self._give_up(err)

    def close(self, prune: bool = True) -> None:
        """Drop entries this run did not use (after a complete run), then close."""
        if self._db is None:
            return
        if prune:
            try:
                removed = self._db.execute("DELETE FROM extractions WHERE used < ?",
                                           (self.run_stamp,)).rowcount
            except sqlite3.Error as err:  # busy or full: the entries stay until next time
                logger.info("stored extractions no longer used were kept: %s", err)
            else:
                if removed:
                    logger.info("dropped %d stored extraction(s) no longer used", removed)
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._db = None


def _encode(extracted: ExtractedDocument) -> str:
    mentions = [[m.start, m.end, m.text, m.type, m.name, m.sentence, m.paragraph, m.cue]
                for m in extracted.mentions]
    sentences = [[s.index, s.start, s.end, s.text] for s in extracted.sentences]
    return json.dumps({"m": mentions, "s": sentences}, ensure_ascii=False)


def payload_digest(key: str, payload: str) -> str:
    """The digest stored beside a payload: it binds the payload to its key and catches
    damage that leaves well-formed JSON."""
    data = f"{key}\x00{payload}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_MENTION_TYPES = (int, int, str, str, str, int, int, str)
_SENTENCE_TYPES = (int, int, int, str)


def _decode(payload: str, document: Document) -> tuple[ExtractedDocument | None, str]:
    """``(result, "")`` for a payload that holds what extraction could have found in
    ``document``, else ``(None, why not)``: every field of the right type, every mention's
    text at its offsets inside its paragraph and its name taken from that text, every
    sentence's text at its offsets, every mention starting in the sentence it names."""
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as err:
        return None, f"not JSON: {err}"
    if not isinstance(data, dict) or not _rows_of(data.get("s"), _SENTENCE_TYPES) \
            or not _rows_of(data.get("m"), _MENTION_TYPES):
        return None, "not the stored format"
    text, segments = document.text, document.segments
    sentences = tuple(Sentence(*row) for row in data["s"])
    for s in sentences:
        if not 0 <= s.start <= s.end <= len(text) or \
                s.text != " ".join(text[s.start:s.end].split()):
            return None, f"sentence {s.index} is not in the text"
    span = {s.index: (s.start, s.end) for s in sentences}
    mentions = tuple(Mention(document.id, *row) for row in data["m"])
    for m in mentions:
        if not 0 <= m.paragraph < len(segments) or m.sentence not in span or not (
            segments[m.paragraph][0] <= m.start < m.end <= segments[m.paragraph][1]
            and span[m.sentence][0] <= m.start <= span[m.sentence][1]
        ) or text[m.start:m.end] != m.text or not _named_by(m.name, m.text):
            return None, f"mention {m.text!r} at {m.start} is not in the text"
    return ExtractedDocument(DocumentInfo.of(document), mentions, sentences), ""


def _rows_of(rows: object, types: tuple[type, ...]) -> bool:
    """``rows`` is a list of lists holding values of ``types`` (bool is no int here)."""
    return isinstance(rows, list) and all(
        isinstance(row, list) and len(row) == len(types)
        and all(type(value) is kind for value, kind in zip(row, types, strict=True))
        for row in rows
    )


def _named_by(name: str, text: str) -> bool:
    """A mention's name is its text, or a part of it with plain quotes and whitespace."""
    if name == text:
        return True
    plain = " ".join(text.translate(_QUOTES).split()).casefold()
    return bool(name.strip()) and name.casefold() in plain


def _transient(err: sqlite3.Error) -> bool:
    """A store that is fine but cannot be used now (busy, locked, full, I/O error)."""
    return _error_code(err) in _TRANSIENT


def _error_code(err: sqlite3.Error) -> int:
    """SQLite's primary result code for ``err``, or one told from its message, or 0."""
    code = getattr(err, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF
    return next((c for c, message in _TRANSIENT.items() if str(err).startswith(message)), 0)

