"""A SQLite store of per-document extraction results, so no article is parsed twice.

Each result is keyed by a hash of the document's analysed text (its paragraphs, after
repeats are dropped) and of everything that decides what extraction finds: the model's
name, version and components, the entity types, and the version of this tool's extraction
code. A renamed or re-dated article is found again; an article whose text changed, or a
run with another model, is parsed anew. Results are written in transactions, so a run
killed half-way leaves a store the next run can use; entries no longer used by a run are
dropped at its end.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError
from .types import Document, DocumentInfo, ExtractedDocument, Mention, Sentence

logger = logging.getLogger(__name__)

EXTRACTION_VERSION = "4"
"""Bump when extraction code changes what it finds, so stored results are not reused."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS extractions (
    key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
)
"""


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

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, opened on first use (a run that finds no document makes no file)."""
        if self._db is None:
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            db.execute("UPDATE extractions SET used = 0")
        except (sqlite3.DatabaseError, OSError) as err:
            raise OutputError(
                f"cannot use the extraction store {self.path}: {err}; "
                "delete it, or run with --no-cache"
            ) from err
        return db

    def __enter__(self) -> ExtractionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(prune=exc[0] is None)

    def get(self, key: str, document: Document) -> ExtractedDocument | None:
        """The stored extraction of ``document`` (bound to its id and metadata), or None."""
        row = self.db.execute("SELECT payload FROM extractions WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        self.db.execute("UPDATE extractions SET used = 1 WHERE key = ?", (key,))
        return _decode(row[0], document)

    def get_many(
        self, keys: list[str], documents: list[Document]
    ) -> list[ExtractedDocument | None]:
        """``get`` for several documents, in one transaction."""
        self.db.execute("BEGIN")
        try:
            return [self.get(key, d) for key, d in zip(keys, documents, strict=True)]
        finally:
            self.db.execute("COMMIT")

    def put_many(self, items: Iterable[tuple[str, ExtractedDocument]]) -> None:
        """Store several extractions in one transaction."""
        rows = [(key, _encode(extracted)) for key, extracted in items]
        if not rows:
            return
        self.db.execute("BEGIN")
        self.db.executemany(
            "INSERT OR REPLACE INTO extractions (key, payload, used) VALUES (?, ?, 1)", rows
        )
        self.db.execute("COMMIT")

    def close(self, prune: bool = True) -> None:
        """Drop entries this run did not use (after a complete run), then close."""
        if self._db is None:
            return
        if prune:
            removed = self._db.execute("DELETE FROM extractions WHERE used = 0").rowcount
            if removed:
                logger.info("dropped %d stored extraction(s) no longer used", removed)
        self._db.close()
        self._db = None


def _encode(extracted: ExtractedDocument) -> str:
    mentions = [[m.start, m.end, m.text, m.type, m.name, m.sentence, m.paragraph, m.cue]
                for m in extracted.mentions]
    sentences = [[s.index, s.start, s.end, s.text] for s in extracted.sentences]
    return json.dumps({"m": mentions, "s": sentences}, ensure_ascii=False)


def _decode(payload: str, document: Document) -> ExtractedDocument:
    data = json.loads(payload)
    mentions = tuple(Mention(document.id, *row) for row in data["m"])
    sentences = tuple(Sentence(*row) for row in data["s"])
    return ExtractedDocument(DocumentInfo.of(document), mentions, sentences)

