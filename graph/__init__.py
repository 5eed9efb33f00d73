"""entity-graph: turn a folder of articles into a map of who and what is mentioned together.

    >>> import graph
    >>> result = graph.build("articles/", out="output")   # doctest: +SKIP
    >>> result.graph.nodes["person:benjamin-netanyahu"]["mentions"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import FieldNames, Settings
from .errors import BadSettings, GraphError, ModelNotFound, NoDocuments, OutputError
from .pipeline import BuildResult, run
from .types import RunReport

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = [
    "BadSettings",
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
    nlp: Language | None = None,
    on_progress: Callable[[int, int | None], None] | None = None,
    **options: Any,
) -> BuildResult:
    """Build the entity graph of the articles under ``paths``; print nothing.

    Parameters:
        paths: files and folders of articles; none means the sample corpus in the package.
        out: folder to write the outputs to (graph.html, graph.graphml, ...); None (the
            default) writes nothing.
        nlp: an already loaded pipeline (see graph.extract.load_model), to skip loading.
        on_progress: called with the count of documents analysed so far and the total.
        options: any field of ``graph.Settings``: ``window`` ("sentence", "paragraph",
            "document"), ``model``, ``types``, ``aliases``, ``ignore``, ``demonyms``,
            ``strict``, ``jobs``, ``cache``, ``use_cache``, ``engine``, ``scheduler``, ...

    Returns:
        ``BuildResult`` with ``graph``, ``report``, ``resolution`` and ``documents``;
        unpack it as ``G, report, _ = ...``. Every attribute of the graph is a scalar, so
        ``networkx.write_graphml`` and ``write_gexf`` take it as it is; read ``doc_ids``
        and ``evidence`` (held as text) with ``result.doc_ids(node)`` and
        ``result.evidence(u, v)``.

    Raises:
        GraphError: (ModelNotFound, NoDocuments, OutputError, BadSettings, ...) with a
        message for the user.
    """
    if "types" in options:
        options["types"] = tuple(options["types"])
    try:
        settings = Settings(
            paths=tuple(Path(p) for p in paths),
            out=None if out is None else Path(out),
            **options,
        )
    except TypeError as err:
        raise BadSettings(f"unknown option: {err}") from err
    return run(settings, on_progress=on_progress, nlp=nlp)
