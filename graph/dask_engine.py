"""Extraction and link counting on a Dask cluster (``--engine dask [--scheduler ADDRESS]``).

Documents go to the workers in batches; each worker loads the spaCy pipeline once and
keeps its extraction results. The client gathers a copy of the results (for the
extraction store and for entity resolution, which needs every mention at once), then the
workers count the links of the batches they hold, and the partial counts are merged on the
cluster in a tree, so only the final counts come back. The output is the same as the local
engine's: the counts merge exactly (graph.cooccurrence.Links.merge).

Workers need this package and the spaCy model installed (the same versions as the client).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .cooccurrence import Links, count_links
from .errors import GraphError
from .types import Document, ExtractedDocument

logger = logging.getLogger(__name__)

BATCH = 32
"""Documents per task."""

_models: dict[tuple[str, tuple[str, ...], int], Any] = {}


def _extract_batch(documents: list[Document], model: str, types: tuple[str, ...],
                   pipe_batch: int) -> list[ExtractedDocument]:
    """Runs on a worker: extract a batch, loading the model once per worker process."""
    from .extract import extract_mentions, load_model

    key = (model, types, pipe_batch)
    if key not in _models:
        _models[key] = load_model(model)
    return list(extract_mentions(documents, _models[key], types, pipe_batch))


def _count_batch(results: list[ExtractedDocument], entity_of: Mapping[tuple[str, int], str],
                 window: str, limit: int) -> Links:
    return count_links(results, entity_of, window, limit)


def _merge(a: Links, b: Links, limit: int) -> Links:
    return a.merge(b, limit)


class DaskEngine:
    """A Dask client: to a running scheduler, or to a new local cluster of ``jobs`` workers."""

    def __init__(self, scheduler: str | None, jobs: int, model: str, types: tuple[str, ...],
                 batch_size: int) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:
            raise GraphError(
                "the Dask engine needs dask.distributed; install it with: "
                "pip install 'entity-graph[dask]'"
            ) from err
        self.model, self.types, self.batch_size = model, types, batch_size
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="30s")
            else:
                self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1,
                                            processes=True, dashboard_address=None)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as err:
            raise GraphError(f"cannot reach the Dask scheduler {scheduler}: {err}") from err
        self.held: list[Any] = []  # futures of extraction results kept on the workers

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def extract(self, documents: Iterable[Document]) -> Iterator[ExtractedDocument]:
        """Extract on the workers; the results stay there for ``count_links`` too."""
        documents = list(documents)
        batches = [documents[i:i + BATCH] for i in range(0, len(documents), BATCH)]
        futures = self.client.map(_extract_batch, batches, model=self.model, types=self.types,
                                  pipe_batch=self.batch_size, pure=False)
        self.held.extend(futures)
        for future in futures:
            yield from future.result()

    def hold(self, results: list[ExtractedDocument]) -> None:
        """Send results that did not come from the workers (the store's) to the cluster."""
        for i in range(0, len(results), BATCH):
            self.held.append(self.client.scatter(results[i:i + BATCH]))

    def count_links(self, entity_of: Mapping[tuple[str, int], str], window: str,
                    limit: int) -> Links:
        """Count links on the workers, merge the counts there, bring back the total."""
        if not self.held:
            return Links(window)
        [mapping] = self.client.scatter([dict(entity_of)], broadcast=True)
        level = self.client.map(_count_batch, self.held, entity_of=mapping, window=window,
                                limit=limit, pure=False)
        while len(level) > 1:
            pairs = [level[i:i + 2] for i in range(0, len(level), 2)]
            level = [self.client.submit(_merge, *pair, limit=limit, pure=False)
                     if len(pair) == 2 else pair[0] for pair in pairs]
        return level[0].result()
