"""entity-graph: turn a folder of articles into a map of who and what is mentioned together.

    >>> import graph
    >>> result = graph.build("articles/", out="output")   # doctest: +SKIP
    >>> result.graph.nodes["person:benjamin-netanyahu"]["mentions"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DEFAULT_MODEL, DEFAULT_TYPES, FieldNames, Settings
from .errors import GraphError, ModelNotFound, NoDocuments, OutputError
from .pipeline import BuildResult, run
from .types import RunReport

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "BuildResult",
    "FieldNames",
    "GraphError",
    "ModelNotFound",
    "NoDocuments",
    "OutputError",
    "RunReport",
    "Settings",
    "build",
    "run",
]
__version__ = "0.1.0"


def build(
    *paths: str | Path,
    out: str | Path | None = None,
    window: str = "sentence",
    model: str = DEFAULT_MODEL,
    types: Iterable[str] = DEFAULT_TYPES,
    fields: FieldNames | None = None,
    nlp: Language | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """Build the entity graph of the articles under ``paths``; print nothing.

    Parameters:
        paths: files and folders of articles; none means the sample corpus in the package.
        out: folder to write graph.html, graph.graphml, mentions.csv and report.json to;
            None (the default) writes nothing.
        window: link entities sharing a ``sentence``, ``paragraph`` or ``document``.
        model: installed spaCy pipeline name, or a model folder.
        types: entity types to keep: PERSON, ORG, PLACE, GROUP, EVENT, ...
        fields: record field names for .jsonl/.csv inputs.
        nlp: an already loaded pipeline (see graph.extract.load_model), to skip loading.
        on_progress: called with the count of documents analysed so far.

    Returns:
        ``BuildResult(graph, report, resolution)``; unpack it as ``G, report, _ = ...``.

    Raises:
        GraphError: (ModelNotFound, NoDocuments, OutputError) with a message for the user.
    """
    settings = Settings(
        paths=tuple(Path(p) for p in paths),
        out=None if out is None else Path(out),
        window=window,
        model=model,
        types=tuple(types),
        fields=fields or FieldNames(),
    )
    return run(settings, on_progress=on_progress, nlp=nlp)
