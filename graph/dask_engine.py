"""Extraction on a Dask cluster (``--engine dask [--scheduler ADDRESS]``).

Documents go to the workers in batches, as plain task arguments, so the scheduler can run
a batch again on another worker when the one that had it dies (``retries`` covers errors
too). Each worker loads the spaCy pipeline once; only the extraction results come back.
The client keeps the extraction store, resolves entities and counts links as a local run
does: it holds every result anyway, and counting them here takes what a local run takes,
far less than sending the cluster the mention-to-entity map and the stored results to
count them there (11-24 s on BBC). Stored results never leave the client, so nothing on
the cluster depends on data it could not recompute.

Before any work the client checks, each within a bounded time, that ADDRESS answers as a
Dask scheduler and that every worker can import this package and load the model (the
same versions as the client's), naming the workers that cannot.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .errors import ClusterError, GraphError
from .types import Document, ExtractedDocument

logger = logging.getLogger(__name__)

BATCH = 32
"""Documents per task."""

RETRIES = 3
"""Times a batch whose task raised is tried again (a lost worker's batches are re-run
whatever this says)."""

CONNECT_TIMEOUT = 15.0
"""Seconds to reach the scheduler, and a few more to hear it answer as one."""

READY_TIMEOUT = 60.0
"""Seconds for the workers to load the model at start, and the longest time the cluster
may go without any worker while a batch is waited for."""

_TIMEOUTS = (TimeoutError, asyncio.TimeoutError)  # one class from Python 3.11 on

_models: dict[str, Any] = {}


def _model(name: str) -> Any:
    """Runs on a worker: the pipeline ``name``, loaded once per worker process."""
    if name not in _models:
        from .extract import load_model

        _models[name] = load_model(name)
    return _models[name]


def _prepare(model: str) -> dict[str, str]:
    """Runs on each worker at start: load the model; say which versions this worker runs."""
    from . import __version__
    from .extract import model_info
    from .store import EXTRACTION_VERSION

    return _versions(model_info(_model(model), model), __version__, EXTRACTION_VERSION)


def _versions(model: dict[str, str], package: str, extraction: str) -> dict[str, str]:
    return {"entity-graph": f"{package} (extraction {extraction})",
            "model": f"{model['name']} {model['version']}"}


def _extract_batch(documents: list[Document], model: str, types: tuple[str, ...],
                   pipe_batch: int) -> list[ExtractedDocument]:
    """Runs on a worker: extract a batch."""
    from .extract import extract_mentions

    return list(extract_mentions(documents, _model(model), types, pipe_batch))


class DaskEngine:
    """A Dask client: to a running scheduler, or to a new local cluster of ``jobs`` workers."""

    def __init__(self, scheduler: str | None, jobs: int, model: str, types: tuple[str, ...],
                 batch_size: int, client_model: dict[str, str]) -> None:
        try:
            import dask.distributed  # noqa: F401
        except ImportError as err:
            raise GraphError(
                "the Dask engine needs dask.distributed; install it with: "
                "pip install 'entity-graph[dask]'"
            ) from err
        # a model folder is sent by its absolute path: workers do not share our directory
        self.model = str(Path(model).resolve()) if Path(model).is_dir() else model
        self.scheduler, self.jobs, self.types, self.batch_size, self.client_model = (
            scheduler, jobs, types, batch_size, client_model)
        self.address = scheduler or ""
        self.client: Any = None
        self.cluster: Any = None

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def _start(self) -> None:
        """Connect (started on first need: a run whose results are all stored starts no
        cluster); check the workers."""
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            _check_scheduler(self.scheduler, CONNECT_TIMEOUT)
            try:
                self.client = Client(self.scheduler, timeout=f"{CONNECT_TIMEOUT}s")
            except (OSError, *_TIMEOUTS) as err:
                raise ClusterError(
                    f"cannot reach the Dask scheduler {self.scheduler}: {err}") from err
        else:
            self.cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
            self.address = self.cluster.scheduler_address
        self._check_workers()

    def extract(self, documents: Iterable[Document]) -> Iterator[ExtractedDocument]:
        """Extract on the workers; yield the results in input order.

        Raises:
            ClusterError: the scheduler cannot be reached or is no Dask scheduler, no worker
                joins, some workers cannot load the package or the model, or the cluster
                has had no worker for too long.
        """
        documents = list(documents)
        if not documents:
            return
        if self.client is None:
            self._start()
        futures = [self.client.submit(_extract_batch, documents[i:i + BATCH], self.model,
                                      self.types, self.batch_size, pure=False, retries=RETRIES)
                   for i in range(0, len(documents), BATCH)]
        futures.reverse()
        while futures:  # each result is let go on the cluster once it is here
            yield from self._result(futures.pop())

    def _result(self, future: Any) -> list[ExtractedDocument]:
        """The result of ``future``; fails when the cluster has no worker for too long."""
        from distributed import KilledWorker
        from distributed.client import FutureCancelledError

        alone_since: float | None = None
        while True:
            try:
                return future.result(timeout=1.0)  # type: ignore[no-any-return]
            except _TIMEOUTS:
                if self.client.nthreads():
                    alone_since = None
                    continue
                alone_since = alone_since or time.monotonic()
                if time.monotonic() - alone_since > READY_TIMEOUT:
                    raise ClusterError(
                        f"the Dask scheduler {self.address} has had no workers for "
                        f"{READY_TIMEOUT:.0f} s; start some with: dask worker {self.address}"
                    ) from None
            except KilledWorker as err:
                raise ClusterError(f"Dask workers died extracting a batch of articles: {err}"
                                   ) from err
            except FutureCancelledError as err:
                raise ClusterError(f"the Dask scheduler {self.address} dropped the work: "
                                   f"{err}") from err

    def _check_workers(self) -> None:
        """Load the model on every worker now, or fail naming those that cannot."""
        try:
            self.client.wait_for_workers(1, timeout=READY_TIMEOUT)
        except _TIMEOUTS as err:
            raise ClusterError(
                f"no Dask worker joined the scheduler {self.address} within "
                f"{READY_TIMEOUT:.0f} s; start some with: dask worker {self.address}"
            ) from err
        from . import __version__
        from .store import EXTRACTION_VERSION

        ours = _versions(self.client_model, __version__, EXTRACTION_VERSION)
        workers = sorted(self.client.nthreads())
        answers = _run_on_each(self.client, _prepare, (self.model,), workers, READY_TIMEOUT)
        problems: dict[str, list[str]] = {}
        for address in workers:
            problem = _problem(answers.get(address), ours)
            if problem:
                problems.setdefault(problem, []).append(address)
        if problems:
            raise ClusterError("; ".join(
                f"Dask worker{'s' if len(where) > 1 else ''} {', '.join(where)}: {problem}"
                for problem, where in problems.items()
            ) + ". Every worker needs entity-graph and the spaCy model installed, in the "
                "versions the client has")
        logger.info("Dask workers ready: %s", ", ".join(workers))


def _problem(answer: object, ours: dict[str, str]) -> str | None:
    """What keeps a worker from the job, from its answer to ``_prepare`` (None: nothing)."""
    if answer is None:
        return f"no answer within {READY_TIMEOUT:.0f} s (loading the model)"
    if isinstance(answer, GraphError):  # ModelNotFound, as the worker found it
        return f"{answer} (on the worker)"
    if type(answer) is Exception:  # what a worker sends when it cannot even unpickle the
        return f"cannot run entity-graph: {answer}"  # check: the package is missing there
    if isinstance(answer, BaseException):
        return f"fails to load the model: {type(answer).__name__}: {answer}"
    differ = [f"{what} {theirs} (the client has {ours[what]})"
              for what, theirs in answer.items()  # type: ignore[attr-defined]
              if theirs != ours.get(what)]
    return f"runs {', '.join(differ)}" if differ else None


def _run_on_each(client: Any, function: Any, args: tuple[object, ...], workers: list[str],
                 seconds: float) -> dict[str, object]:
    """Answers of ``client.run(function, *args)`` on each worker (a value or the error it
    raised), by address; a worker that has not answered within ``seconds`` is left out."""
    answers: dict[str, object] = {}

    def ask(address: str) -> None:
        try:
            answers.update(client.run(function, *args, workers=[address], on_error="return"))
        except Exception as err:  # the worker left, the connection broke
            answers[address] = err

    threads = [threading.Thread(target=ask, args=(address,), daemon=True) for address in workers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(answers)


def _check_scheduler(address: str, seconds: float) -> None:
    """Fail with a plain message unless a Dask scheduler answers at ``address`` within
    ``seconds`` (a Dask client would wait for ever on a web server, and take another
    server's first bytes for the size of a message)."""
    from distributed.comm import connect
    from distributed.security import Security

    async def identity() -> object:
        comm = await connect(address, timeout=seconds,
                             **Security().get_connection_args("client"))
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> object:
        return await asyncio.wait_for(identity(), seconds + 5)

    from distributed.comm.addressing import get_address_host_port

    try:
        get_address_host_port(address)
    except ValueError as err:
        raise ClusterError(f"bad Dask scheduler address {address!r}: {err}") from err
    try:
        with ThreadPoolExecutor(1) as thread:  # its own event loop, even inside a running one
            answer = thread.submit(asyncio.run, bounded()).result()
    except _TIMEOUTS as err:
        raise ClusterError(
            f"no Dask scheduler answered at {address} within {seconds + 5:.0f} s (is that "
            "the dashboard's address? The scheduler's is usually tcp://HOST:8786)") from err
    except OSError as err:
        raise ClusterError(f"cannot reach the Dask scheduler {address}: {err}") from err
    except TypeError as err:  # e.g. tls:// without a TLS configuration
        raise ClusterError(f"cannot connect to {address}: {err}") from err
    except Exception as err:  # any bytes may come back; they are not Dask's
        raise ClusterError(f"{address} is not a Dask scheduler: it does not speak the Dask "
                           f"protocol ({type(err).__name__})") from err
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind == "Worker":
        raise ClusterError(f"{address} is a Dask worker, not the scheduler; pass the "
                           "scheduler's address (a worker logs it as 'Registered to:')")
    if kind != "Scheduler":
        raise ClusterError(f"{address} is not a Dask scheduler (it answers as {kind!r})")
