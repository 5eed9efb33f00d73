"""The ``entity-graph`` command: a thin layer over graph.pipeline.run."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn

from .config import (
    DEFAULT_MODEL,
    DEFAULT_TYPES,
    ENGINES,
    ENTITY_TYPES,
    WINDOWS,
    FieldNames,
    Settings,
)
from .errors import GraphError
from .escape import escape_text
from .freshness import up_to_date
from .pipeline import OUTPUT_FILES, describe_skipped, run
from .types import RunReport

PROG = "entity-graph"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is an ``Error: ...`` line and exit status 1, like every
    other error (``--help`` and ``--version`` still exit 0)."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"Error: {escape_text(message)} (see: {self.prog} --help)\n")


class _EscapingFormatter(logging.Formatter):
    """Log lines with control characters escaped: names from the inputs stay text."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_text(super().formatMessage(record))


def make_parser() -> argparse.ArgumentParser:
    """The argument parser (also read by the docs test)."""
    parser = _Parser(
        prog=PROG,
        description="Turn a folder of articles into an explorable map of who and what "
        "is mentioned together.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build",
        help="build the entity graph of some articles",
        description="Read articles, find people, organisations and places, link those "
        "mentioned together, and write graph.html, graph.graphml, mentions.csv and "
        "report.json. With no ARTICLES, builds the sample corpus shipped in the package.",
    )
    build.add_argument(
        "articles", nargs="*", type=Path, metavar="ARTICLES",
        help="files or folders (.txt, .md: one article each; .jsonl, .csv: one per record)",
    )
    build.add_argument(
        "-o", "--out", type=Path, default=Path("output"),
        help="output folder (default: output)",
    )
    build.add_argument(
        "--window", choices=WINDOWS, default="sentence",
        help="link entities mentioned in the same sentence, paragraph or document "
        "(default: sentence)",
    )
    build.add_argument(
        "--model", default=DEFAULT_MODEL, metavar="NAME_OR_PATH",
        help=f"installed spaCy pipeline or model folder (default: {DEFAULT_MODEL})",
    )
    build.add_argument(
        "--types", default=",".join(DEFAULT_TYPES), metavar="TYPES",
        help="comma-separated entity types to keep, from "
        f"{','.join(ENTITY_TYPES)} (default: {','.join(DEFAULT_TYPES)})",
    )
    build.add_argument(
        "--aliases", type=Path, metavar="FILE",
        help="CSV of alias,canonical[,type] rows: names to merge and types to force",
    )
    build.add_argument(
        "--ignore", type=Path, metavar="FILE",
        help="text file of strings that are never entities, one per line",
    )
    build.add_argument(
        "--demonyms", action="store_true",
        help="count nationality words as their country (Israeli -> Israel)",
    )
    defaults = FieldNames()
    for name in ("text", "title", "date", "source", "url", "id"):
        build.add_argument(
            f"--{name}-field", default=getattr(defaults, name), metavar="NAME",
            help=f"record field holding the {name} in .jsonl/.csv (default: {name})",
        )
    build.add_argument(
        "--batch-size", type=int, default=64, metavar="N",
        help="texts per spaCy batch (default: 64)",
    )
    build.add_argument(
        "--max-nodes", type=int, default=2000, metavar="N",
        help="most entities drawn in graph.html, the most mentioned (default: 2000; "
        "graph.graphml keeps all)",
    )
    build.add_argument(
        "--max-edges", type=int, default=10000, metavar="N",
        help="most links drawn in graph.html, the heaviest (default: 10000)",
    )
    build.add_argument(
        "--strict", action="store_true",
        help="fail (exit status 1, nothing written) when any input has to be skipped",
    )
    build.add_argument(
        "--jobs", type=int, default=1, metavar="N",
        help="processes that run spaCy (default: 1); with --engine dask, workers of the "
        "local cluster it starts",
    )
    build.add_argument(
        "--cache", type=Path, metavar="PATH",
        help="extraction store, so unchanged articles are never parsed again "
        "(default: OUT/extractions.sqlite)",
    )
    build.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the extraction store",
    )
    build.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="run extraction here (local) or on a Dask cluster (dask) (default: local)",
    )
    build.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="with --engine dask: address of a running scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: start a local cluster)",
    )
    build.add_argument(
        "--force", action="store_true",
        help="rebuild even when the output folder is up to date",
    )
    build.add_argument("-q", "--quiet", action="store_true",
                       help="print only errors (no progress bar, no summary)")
    build.add_argument("-v", "--verbose", action="store_true", help="print debug messages")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = make_parser().parse_args(argv)
    level = logging.ERROR if args.quiet else logging.DEBUG if args.verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    if args.engine == "dask":
        _quiet_cluster_logs(level)
    try:
        settings = Settings(
            paths=tuple(args.articles),
            out=args.out,
            window=args.window,
            model=args.model,
            types=tuple(t.strip().upper() for t in args.types.split(",") if t.strip()),
            fields=FieldNames(
                text=args.text_field, title=args.title_field, date=args.date_field,
                source=args.source_field, url=args.url_field, id=args.id_field,
            ),
            batch_size=args.batch_size,
            max_nodes=args.max_nodes,
            max_edges=args.max_edges,
            aliases=args.aliases,
            ignore=args.ignore,
            demonyms=args.demonyms,
            strict=args.strict,
            jobs=args.jobs,
            cache=args.cache,
            use_cache=not args.no_cache,
            engine=args.engine,
            scheduler=args.scheduler,
        )
        if not args.force and up_to_date(settings, OUTPUT_FILES.values()):
            if not args.quiet:
                print(f"Up to date: nothing changed since the last run into "
                      f"{escape_text(str(settings.out))} (--force rebuilds).", file=sys.stderr)
            return 0
        with _terminate_as_exit(), _progress_bar(args.quiet) as on_progress:
            result = run(settings, on_progress=on_progress)
    except GraphError as err:
        print(f"Error: {escape_text(str(err))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: files in the output folder are complete, from this run or the "
              "one before.", file=sys.stderr)
        return 130
    if not args.quiet:
        print(_summary(result.report), file=sys.stderr)
    return 0


@contextlib.contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress bar on stderr (documents, documents/s, ETA), when stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(unit="doc", file=sys.stderr, dynamic_ncols=True, leave=False, disable=False) as bar:

        def update(done: int, total: int | None) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        yield update


def _summary(report: RunReport) -> str:
    lines = [
        f"Read {report.documents_read} document(s); found {report.mentions} mentions of "
        f"{report.entities} entities; {report.edges} links.",
    ]
    if report.skipped:
        lines.append(f"Skipped {describe_skipped(report.skipped)}; see report.json.")
    lines += [f"Wrote {path}" for path in report.outputs.values()]
    return "\n".join(escape_text(line) for line in lines)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Turn SIGTERM (``kill``) into SystemExit while running, so that files being written
    are cleaned up as on Ctrl-C instead of being left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _quiet_cluster_logs(level: int) -> None:
    """Dask's INFO lines (workers starting, connections closing) are noise to a user of
    this command: only its warnings and errors are shown, and none with -q. Dask sets its
    loggers' levels when it is imported, so it is imported here first."""
    try:
        import distributed  # noqa: F401
    except ImportError:  # the engine reports the missing extra itself
        return
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in ("distributed", "dask"):
            logging.getLogger(name).setLevel(max(level, logging.WARNING))


def _version() -> str:
    from . import __version__

    return __version__
