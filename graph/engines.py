"""Where extraction runs: in this process, in several local processes, or on a cluster.

An engine turns documents into extraction results, in input order; that is all the
pipeline asks of it (``Engine`` declares it), and only for documents the extraction store
does not already hold. Entities are resolved and links counted in this process, which holds
every result.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from .extract import extract_mentions
from .types import Document, ExtractedDocument

if TYPE_CHECKING:
    from spacy.language import Language

    from .workers import WorkerPool

logger = logging.getLogger(__name__)


class Engine(Protocol):
    """Runs extraction somewhere; a context manager."""

    def extract(self, documents: Iterable[Document]) -> Iterator[ExtractedDocument]:
        """Extraction results of ``documents``, in the same order."""
        ...

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...


class LocalEngine:
    """``nlp.pipe`` in this process, or in ``jobs`` worker processes."""

    def __init__(self, nlp: Language, model: str, types: tuple[str, ...], batch_size: int,
                 jobs: int = 1) -> None:
        self.nlp, self.model, self.types, self.batch_size, self.jobs = (
            nlp, model, types, batch_size, jobs)
        self.pool: WorkerPool | None = None

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.__exit__(*exc)

    def extract(self, documents: Iterable[Document]) -> Iterator[ExtractedDocument]:
        documents = list(documents)
        if self.jobs > 1 and len(documents) > 1:
            if self.pool is None:  # started on first need: a warm run starts no process
                from .workers import WorkerPool

                self.pool = WorkerPool(self.jobs, self.model, self.types, self.batch_size)
            return self.pool.extract(documents)
        return extract_mentions(documents, self.nlp, self.types, self.batch_size)
