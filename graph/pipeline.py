"""Run the stages in order: read, extract, resolve, link, export."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from .config import ENTITY_TYPES, OUTPUT_FILES, STORE_FILE, WINDOW_ENTITY_LIMITS, Settings
from .cooccurrence import count_links, describe_capped, graph_from_links
from .corpus import read_corpus, sample_corpus
from .engines import Engine, LocalEngine
from .errors import NoDocuments, OutputError, SkippedInputs
from .escape import path_text
from .extract import load_model, model_info
from .freshness import (
    CorpusDigest,
    input_stamps,
    output_checksums,
    own_files,
    run_fingerprint,
)
from .lock import locked_output_folder
from .overrides import read_overrides
from .resolve import resolve_entities
from .result import BuildResult
from .store import ExtractionStore, document_key, fingerprint
from .types import (
    Document,
    DocumentInfo,
    ExtractedDocument,
    Mention,
    Notice,
    OwnOutput,
    Resolution,
    RunReport,
    Skipped,
)

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

def run(
    settings: Settings,
    on_progress: Callable[[int, int | None], None] | None = None,
    nlp: Language | None = None,
) -> BuildResult:
    """Build the entity graph described by ``settings`` and write its outputs.

    Parameters:
        settings: what to read, how to link, where to write (``out=None`` writes nothing).
        on_progress: called after each document with the number analysed so far and the
            total (counted by a quick first read of the inputs).
        nlp: an already loaded pipeline to use instead of loading ``settings.model``.

    Raises:
        ModelNotFound: the model is not installed.
        NoDocuments: no readable article was found.
        SkippedInputs: ``settings.strict`` is set and some input could not be read.
        OutputError: the output folder cannot be written (OutputLocked: another run is
            writing into it).
    """
    with _collect_between_stages(), _output_folder(settings.out):
        return _run(settings, on_progress, nlp)


def _run(
    settings: Settings,
    on_progress: Callable[[int, int | None], None] | None,
    nlp: Language | None,
) -> BuildResult:
    report = RunReport(settings=settings.to_dict())
    clock = _Clock(report.timings)
    overrides = read_overrides(settings.aliases, settings.ignore)
    if settings.aliases is not None:  # cycles and the like, resolved but worth a word
        _warn([Notice(path_text(settings.aliases), note) for note in overrides.notes], report)
    with clock("model"):
        nlp = nlp if nlp is not None else load_model(settings.model)
    report.model = model_info(nlp, settings.model)

    paths = settings.paths or (sample_corpus(),)
    own = own_files(settings)  # never read as articles
    if settings.strict:  # fail before any analysis, and before anything is stored
        skipped = _broken(i for i in read_corpus(paths, settings.fields, own)
                          if isinstance(i, Skipped))
        if skipped:
            raise SkippedInputs(_strict_message(skipped))
    total = _count_documents(paths, settings, own) if on_progress else None
    stamps = input_stamps(paths, own)  # before reading: a file changed meanwhile is read again
    digest = CorpusDigest()
    reader = clock.timed_iter("read", digest.watch(read_corpus(paths, settings.fields, own)))
    documents = _documents(reader, report, strict=settings.strict)
    types = _extraction_types(settings)
    with contextlib.ExitStack() as stack:
        engine = stack.enter_context(_engine(settings, nlp, types))
        with clock("extract"), _store(settings) as store:
            extracted = []
            for item in _extract_all(documents, engine, store, fingerprint(report.model, types)):
                extracted.append(item)
                if on_progress:
                    on_progress(len(extracted), total)
                if len(extracted) % CHUNK == 0:
                    _settle()
            if store is not None:
                report.cache = {"path": path_text(store.path), "reused": store.hits,
                                "parsed": store.misses, "damaged": store.damaged}
                if store.problem:
                    report.cache["warning"] = store.problem
                    report.warnings.append(Notice(path_text(store.path), store.problem))
        report.timings["extract"] -= report.timings.get("read", 0.0)
        report.documents_read = len(extracted)
        if settings.strict and _broken(report.skipped):  # an input that went bad meanwhile
            raise SkippedInputs(_strict_message(_broken(report.skipped)))
        if not extracted:
            raise NoDocuments(_nothing_found(paths, report.skipped))

        _settle()
        with clock("resolve"):
            resolution = resolve_entities(
                extracted, overrides, demonyms=settings.demonyms, types=settings.types
            )
        _settle()
        with clock("link"):
            G, infos = _link(extracted, resolution, settings, report)
        _settle()
    report.fingerprint = run_fingerprint(settings, digest.hexdigest())
    report.inputs = {"corpus": digest.hexdigest(), **stamps}
    report.mentions = len(resolution.entity_of)
    report.ignored = resolution.ignored
    report.entities = len(resolution.entities)
    report.nodes = G.number_of_nodes()
    report.edges = G.number_of_edges()
    if settings.out is not None:
        _write_outputs(settings.out, settings, G, infos, extracted, resolution, report)
    return BuildResult(G, report, resolution, infos)


@contextlib.contextmanager
def _collect_between_stages() -> Iterator[None]:
    """Collect garbage between stages instead of as objects pile up (see ``_settle``).

    A run builds millions of small long-lived records (mentions, sentences, entities, graph
    attributes), and Python's automatic collections walk all of them again and again: on
    BBC that was a sixth of a re-run. Here automatic collection is off while a run lasts;
    ``_settle`` collects after each stage and chunk of documents, looking only at what was
    made since the last time. At the end everything goes back to the collector as before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _settle() -> None:
    """Free the garbage of the work just done, and set what survives aside (``gc.freeze``),
    so that later collections do not walk it again. (Automatic collection is switched off
    again too: loading a model switches it back on.)"""
    gc.collect()
    gc.freeze()
    gc.disable()


def _link(extracted: list[ExtractedDocument], resolution: Resolution, settings: Settings,
          report: RunReport) -> tuple[nx.Graph, dict[str, DocumentInfo]]:
    """The graph and the documents' details; each window read as a list is noted in the
    report's warnings."""
    most = settings.max_window_entities or WINDOW_ENTITY_LIMITS[settings.window]
    links = count_links(extracted, resolution.entity_of, settings.window,
                        settings.evidence_per_edge, max_window_entities=most,
                        list_neighbours=settings.list_neighbours,
                        evidence_chars=settings.evidence_chars,
                        list_evidence_chars=settings.list_evidence_chars,
                        title_chars=settings.title_chars)
    notes = describe_capped(links.capped, settings.window, most, settings.list_neighbours)
    report.warnings.extend(Notice(path_text(doc), message) for doc, message in notes)
    return graph_from_links(links, resolution, settings.evidence_per_edge), links.documents


CHUNK = 512
"""Documents looked up in the store (and their misses extracted) at a time."""

def _extract_all(
    documents: Iterable[Document], engine: Engine, store: ExtractionStore | None, settings_key: str
) -> Iterator[ExtractedDocument]:
    """Extraction results of ``documents`` in order: from the store, or from the engine."""
    iterator = iter(documents)
    while chunk := list(islice(iterator, CHUNK)):
        keys = [document_key(d, settings_key) for d in chunk] if store else []
        results: list[ExtractedDocument | None] = (
            store.get_many(keys, chunk) if store
            else [None] * len(chunk)
        )
        misses = [i for i, r in enumerate(results) if r is None]
        fresh = engine.extract(chunk[i] for i in misses)
        for i, result in zip(misses, fresh, strict=True):
            results[i] = result
        if store is not None:
            store.put_many((keys[i], results[i]) for i in misses)  # type: ignore[misc]
        yield from results  # type: ignore[misc]


def _engine(settings: Settings, nlp: Language, types: tuple[str, ...]) -> Engine:
    if settings.engine == "dask":
        from .dask_engine import DaskEngine

        return DaskEngine(settings.scheduler, settings.jobs, settings.model, types,
                          settings.batch_size, model_info(nlp, settings.model))
    return LocalEngine(nlp, settings.model, types, settings.batch_size, settings.jobs)


def _store(settings: Settings) -> contextlib.AbstractContextManager[ExtractionStore | None]:
    """The extraction store of this run, or None when caching is off (or nothing is written
    and no store was named)."""
    path = settings.cache or (settings.out / STORE_FILE if settings.out is not None else None)
    if not settings.use_cache or path is None:
        return contextlib.nullcontext()
    return ExtractionStore(path)


def _count_documents(paths: Iterable[Path], settings: Settings, own: frozenset[str]) -> int:
    """How many documents the inputs hold (a quick read without analysis, for progress)."""
    count = 0
    for item in read_corpus(paths, settings.fields, own):
        count += isinstance(item, Document)
    return count


def _extraction_types(settings: Settings) -> tuple[str, ...]:
    """Types to extract: all of them, whatever is kept. A name's type is decided by the vote
    of all its mentions, and "Oscar" read as an award three times and as a person once is no
    person: resolution drops the entities of types not wanted after the vote."""
    return ENTITY_TYPES


def _documents(
    items: Iterable[Document | Skipped], report: RunReport, strict: bool = False
) -> Iterator[Document]:
    """Pass documents on; note skipped inputs in the report. In strict mode, once an input
    is skipped (not counting the tool's own outputs) no more documents are passed on (the
    run will fail), but reading goes on so that every skipped input is named."""
    broken = False
    for item in items:
        if isinstance(item, Skipped):
            logger.info("skipped %s: %s", item.path, item.reason)
            report.skipped.append(item)
            broken = broken or not isinstance(item, OwnOutput)
        else:
            if item.notes:
                _warn(item.notes, report)
            if not (strict and broken):
                yield item


def _broken(skipped: Iterable[Skipped]) -> list[Skipped]:
    """The skipped inputs that are not the tool's own outputs."""
    return [s for s in skipped if not isinstance(s, OwnOutput)]


def _warn(notes: Iterable[Notice], report: RunReport) -> None:
    """Add each notice not met yet to the report's warnings, and log it."""
    for notice in notes:
        if notice not in report.warnings:
            logger.warning("%s: %s", notice.path, notice.message)
            report.warnings.append(notice)


def describe_skipped(skipped: list[Skipped], limit: int = 3) -> str:
    """The skipped inputs in one line: count, then the first ``limit`` with their reasons.

    >>> describe_skipped([Skipped("a.bin", "binary content"), Skipped("b.txt", "empty file")])
    '2 inputs: a.bin (binary content), b.txt (empty file)'
    """
    shown = ", ".join(f"{s.path} ({s.reason})" for s in skipped[:limit])
    more = f" and {len(skipped) - limit} more" if len(skipped) > limit else ""
    return f"{len(skipped)} input{'' if len(skipped) == 1 else 's'}: {shown}{more}"


def _strict_message(skipped: list[Skipped]) -> str:
    return (f"skipped {describe_skipped(skipped, limit=10)}; strict mode makes any skipped "
            "input an error, so nothing was written")


def _nothing_found(paths: Iterable[Path], skipped: list[Skipped]) -> str:
    where = ", ".join(str(p) for p in paths)
    message = f"no readable articles found in {where}"
    if skipped:
        message += f"; skipped {describe_skipped(skipped, limit=5)}"
    else:
        message += " (looked for .txt, .md, .jsonl and .csv files)"
    return message


@contextlib.contextmanager
def _output_folder(out: Path | None) -> Iterator[None]:
    """Hold the output folder for a run (when there is one): create it, or fail before any
    slow work if it cannot be written; lock it against other runs; then remove the
    temporary files a killed run left there."""
    if out is None:
        yield
        return
    _check_writable(out)
    with locked_output_folder(out):
        from .export import remove_stale_temp_files

        remove_stale_temp_files(out, [*OUTPUT_FILES.values(), "write-test"])
        yield


def _check_writable(out: Path) -> None:
    """Create the output folder, or fail if it cannot be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create output folder {out}: {err.strerror or err}") from err
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"output folder {out} is not writable")
    probe = out / f".write-test.{secrets.token_hex(4)}.tmp"
    try:
        probe.touch(exist_ok=False)
    except OSError as err:
        raise OutputError(f"output folder {out} is not writable: {err.strerror or err}") from err
    finally:  # also when interrupted right here
        with contextlib.suppress(OSError):
            probe.unlink()


def _write_outputs(
    out: Path,
    settings: Settings,
    G: nx.Graph,
    documents: dict[str, DocumentInfo],
    extracted: list[ExtractedDocument],
    resolution: Resolution,
    report: RunReport,
) -> None:
    """Write every file of OUTPUT_FILES, report.json last (with the export timing and the
    checksums of the others)."""
    from .export import (
        ExportTable,
        write_edges_csv,
        write_gexf,
        write_graphml,
        write_json,
        write_mentions_csv,
        write_merges_csv,
        write_nodes_csv,
        write_report,
    )
    from .viewer import export_positions, write_viewer

    files = {kind: out / name for kind, name in OUTPUT_FILES.items()}
    started = time.perf_counter()
    table = ExportTable(G)  # each node and edge flattened once, for all the formats
    try:
        positions = export_positions(G, seed=settings.seed, max_nodes=settings.max_nodes,
                                     max_edges=settings.max_edges)
        write_viewer(G, files["html"], seed=settings.seed, max_nodes=settings.max_nodes,
                     max_edges=settings.max_edges, max_evidence=settings.evidence_per_edge,
                     positions=positions, page_chars=settings.page_chars,
                     title_chars=settings.title_chars, documents=documents)
        write_graphml(G, files["graphml"], table=table)
        write_gexf(G, files["gexf"], seed=settings.seed, positions=positions, table=table)
        write_nodes_csv(G, files["nodes"], table=table)
        write_edges_csv(G, files["edges"], table=table)
        write_json(G, files["json"], table=table, documents=documents)
        write_mentions_csv(_mention_rows(extracted, resolution), files["mentions"])
        write_merges_csv(resolution.merges, files["merges"])
        report.outputs = {kind: path_text(path) for kind, path in files.items()}
        report.checksums = output_checksums(out, [p.name for p in files.values()
                                                  if p != files["report"]])
        report.timings["export"] = round(time.perf_counter() - started, 4)
        write_report(report, files["report"])
    except OSError as err:
        raise OutputError(f"cannot write to {out}: {err.strerror or err}") from err


def _mention_rows(
    extracted: list[ExtractedDocument], resolution: Resolution
) -> Iterator[tuple[Mention, str]]:
    """Each resolved mention with its entity; its type is the entity's (one entity, one type)."""
    entity_of, entities = resolution.entity_of, resolution.entities
    for document in extracted:
        for m in document.mentions:
            entity = entity_of.get((m.doc, m.start))
            if entity is not None:
                kind = entities[entity].type
                yield (m if m.type == kind else Mention(
                    m.doc, m.start, m.end, m.text, kind, m.name, m.sentence, m.paragraph, m.cue
                )), entity


class _Clock:
    """Adds the seconds spent in named stages to a timings dict."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    def __call__(self, stage: str) -> _Stage:
        return _Stage(self.timings, stage)

    def timed_iter(self, stage: str, items: Iterable[object]) -> Iterator:  # type: ignore[type-arg]
        """Yield from ``items``, adding the time spent producing each one to ``stage``."""
        iterator = iter(items)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self._add(stage, started)
                return
            self._add(stage, started)
            yield item

    def _add(self, stage: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.timings[stage] = round(self.timings.get(stage, 0.0) + elapsed, 4)


class _Stage:
    def __init__(self, timings: dict[str, float], stage: str) -> None:
        self.timings, self.stage = timings, stage

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.started
        self.timings[self.stage] = round(self.timings.get(self.stage, 0.0) + elapsed, 4)
