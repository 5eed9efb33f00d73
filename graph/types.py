"""The records passed between pipeline stages.

read_corpus -> Document -> extract_mentions -> ExtractedDocument (with Mention and
Sentence) -> resolve_entities -> Resolution (with Entity) -> build_graph -> nx.Graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """One article, as read from disk, before any NLP."""

    id: str
    """Stable id: the path relative to the input root, plus ``#line N``/``#row N`` for records."""
    text: str
    """The original text (file contents, or the record's text field); mention offsets index it."""
    segments: tuple[tuple[int, int], ...]
    """Paragraph spans ``(start, end)`` into ``text`` to analyse, in order, repeats removed."""
    title: str | None = None
    """Headline: the record's title field, or a short headline-like first line of a file."""
    date: str | None = None
    """Publication date as ISO ``YYYY-MM-DD`` when it could be read, else None."""
    source: str | None = None
    """Publisher or feed name, when the record has one."""
    url: str | None = None
    """Link to the article, when the record has one."""
    path: str = ""
    """The file the document came from, as given on the command line."""
    notes: tuple[Notice, ...] = ()
    """Warnings about the file it came from (a mixed encoding), for the run report."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that was not processed, and why."""

    path: str
    """File path, with ``#line N``/``#row N`` for a single record."""
    reason: str
    """A short human-readable reason, e.g. ``not valid UTF-8``."""


@dataclass(frozen=True, slots=True)
class OwnOutput(Skipped):
    """A file or folder this tool wrote (an output folder, or a file in one): never read as
    an article, named in the report, and no error even with --strict."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a run met and went on with, nothing skipped: worth the user's attention."""

    path: str
    """The input (file, with ``#line N``/``#row N`` for a record) or other file concerned."""
    message: str
    """What was met, e.g. ``mixed encoding: ...``."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a named entity in a document."""

    doc: str
    """Id of the document (Document.id)."""
    start: int
    """Character offset of the first character in Document.text."""
    end: int
    """Character offset one past the last character in Document.text."""
    text: str
    """The surface text exactly as it stands in the document (``text[start:end]``)."""
    type: str
    """Entity type after mapping: PERSON, ORG, PLACE, or an extra type chosen with --types."""
    name: str
    """The surface text after first-cut normalisation (no leading "the", no possessive)."""
    sentence: int
    """Index of the sentence within the document, counted over all analysed paragraphs."""
    paragraph: int
    """Index of the paragraph within the document (position in Document.segments)."""
    cue: str = ""
    """Type suggested by the words around the mention ("PERSON" after a title or before
    "said", "PLACE" after "in"), or "" when the context says nothing."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence kept as possible evidence (only sentences that hold a mention are kept)."""

    index: int
    """Index of the sentence within the document."""
    start: int
    """Character offset of the sentence in Document.text."""
    end: int
    """Character offset one past the end of the sentence in Document.text."""
    text: str
    """The sentence text, whitespace collapsed."""


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the viewer and the evidence need to know about a document, without its text."""

    id: str
    """Document id."""
    title: str | None
    """Headline, if known."""
    date: str | None
    """ISO date, if known."""
    source: str | None
    """Publisher, if known."""
    url: str | None
    """Link, if known."""

    @classmethod
    def of(cls, doc: Document) -> DocumentInfo:
        """Keep the metadata of ``doc`` and drop its text."""
        return cls(doc.id, doc.title, doc.date, doc.source, doc.url)


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """The result of running NLP on one document: its mentions and their sentences."""

    info: DocumentInfo
    """Document metadata."""
    mentions: tuple[Mention, ...]
    """Mentions in document order."""
    sentences: tuple[Sentence, ...]
    """Sentences holding at least one mention, in document order."""


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world entity: a node of the graph."""

    id: str
    """Stable node id without whitespace, e.g. ``person:benjamin-netanyahu``."""
    label: str
    """Display name."""
    type: str
    """PERSON, ORG, PLACE or an extra type."""
    aliases: tuple[str, ...]
    """All surface forms seen for it, sorted."""


@dataclass(frozen=True, slots=True)
class Merge:
    """One surface name joined to an entity, and the rule that did it (a row of merges.csv)."""

    entity: str
    """Id of the entity the name now belongs to."""
    name: str
    """The surface name (after normalisation) that was joined."""
    rule: str
    """Which rule joined it (see README, "How entities are resolved")."""
    mentions: int = 0
    """How many mentions of the name the rule joined."""
    documents: tuple[str, ...] = ()
    """Documents where it happened (the first few)."""
    detail: str = ""
    """Evidence: the initials, the similarity score, the type votes, ..."""


@dataclass(slots=True)
class Resolution:
    """Entities and, for each mention, which entity it belongs to."""

    entities: dict[str, Entity]
    """Entities by id."""
    entity_of: dict[tuple[str, int], str]
    """Entity id by mention key ``(doc, start)``; mentions missing from it were dropped."""
    merges: list[Merge] = field(default_factory=list)
    """How surface names were joined to entities."""
    ignored: int = 0
    """Mentions dropped as never-entities (stoplist, titles, numbers, --ignore)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """A passage where two entities are mentioned together."""

    doc: str
    """Document id."""
    title: str | None
    """Document headline, if known."""
    date: str | None
    """Document date, if known."""
    text: str
    """The sentence (or sentences) holding both mentions."""


@dataclass(slots=True)
class RunReport:
    """What a run did: written to report.json and returned by the Python API."""

    documents_read: int = 0
    """Documents that were analysed."""
    skipped: list[Skipped] = field(default_factory=list)
    """Inputs that were not analysed, each with a reason."""
    warnings: list[Notice] = field(default_factory=list)
    """Problems the run went on with, losing nothing (a mixed encoding, a busy store)."""
    mentions: int = 0
    """Mentions resolved to an entity (after type filtering and ignoring junk)."""
    ignored: int = 0
    """Mentions dropped as never-entities (stoplist, titles, numbers, --ignore)."""
    entities: int = 0
    """Distinct entities after resolution."""
    nodes: int = 0
    """Nodes in the graph."""
    edges: int = 0
    """Edges in the graph."""
    model: dict[str, str] = field(default_factory=dict)
    """Name, version and location of the spaCy pipeline that ran."""
    settings: dict[str, object] = field(default_factory=dict)
    """The settings of the run."""
    cache: dict[str, object] = field(default_factory=dict)
    """The extraction store used: its path, and how many documents were reused and parsed."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage."""
    fingerprint: str = ""
    """Hash of everything the outputs depend on; an identical re-run can skip all work."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Hashes of the inputs' content (``corpus``), of their file paths and sizes (``files``)
    and of those with modification times (``stamps``), for the next run's up-to-date check."""
    outputs: dict[str, str] = field(default_factory=dict)
    """Files written, by kind."""
    checksums: dict[str, dict[str, int | str]] = field(default_factory=dict)
    """Size (``bytes``) and SHA-256 (``sha256``) of each file written but report.json, by
    name, so that the next run can tell the output folder is intact."""
