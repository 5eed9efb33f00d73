"""Extraction in several processes on one machine (``--jobs N``).

Each worker process loads the spaCy pipeline once and extracts batches of documents; only
the small extraction results travel back. Results come back in input order.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from .types import Document, ExtractedDocument

logger = logging.getLogger(__name__)

TASK_SIZE = 16
"""Documents per task sent to a worker."""

_worker: dict[str, object] = {}


def _start(model: str, types: tuple[str, ...], batch_size: int) -> None:
    from .extract import load_model

    _worker.update(nlp=load_model(model), types=types, batch_size=batch_size)


def _extract(documents: list[Document]) -> list[ExtractedDocument]:
    from .extract import extract_mentions

    return list(extract_mentions(documents, _worker["nlp"], _worker["types"],  # type: ignore[arg-type]
                                 _worker["batch_size"]))  # type: ignore[arg-type]


class WorkerPool:
    """A pool of ``jobs`` processes, each with the pipeline loaded; use as a context manager."""

    def __init__(self, jobs: int, model: str, types: Iterable[str], batch_size: int) -> None:
        self.jobs = jobs
        self.executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(model, tuple(types), batch_size),
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def extract(self, documents: Iterable[Document]) -> Iterator[ExtractedDocument]:
        """Extract ``documents`` in the workers; yield results in input order."""
        pending: deque[Future[list[ExtractedDocument]]] = deque()
        iterator = iter(documents)
        while True:
            while len(pending) < 2 * self.jobs:
                task = list(islice(iterator, TASK_SIZE))
                if not task:
                    break
                pending.append(self.executor.submit(_extract, task))
            if not pending:
                return
            yield from pending.popleft().result()
