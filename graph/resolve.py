"""Decide which mentions name the same entity.

This is the first cut: mentions of one type whose names agree once case, punctuation and
spacing are ignored ("Gaza Strip", "gaza strip", "Gaza-Strip") are one entity. The result is
independent of document order and the same every run.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from .types import Entity, ExtractedDocument, Merge, Resolution

logger = logging.getLogger(__name__)

_NON_WORD = re.compile(r"[\W_]+")


def slug(name: str) -> str:
    """Lower-case, accent-folded name with runs of non-letters as single hyphens.

    >>> slug("Benjamin Netanyahu's")
    'benjamin-netanyahu-s'
    """
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub("-", folded).strip("-")


def entity_id(kind: str, name: str) -> str:
    """Node id for an entity: ``type:slug``, e.g. ``person:benjamin-netanyahu``."""
    return f"{kind.lower()}:{slug(name) or 'unnamed'}"


def resolve_entities(documents: Iterable[ExtractedDocument]) -> Resolution:
    """Group mentions into entities.

    Returns a Resolution mapping every mention key ``(doc, start)`` to an entity id, with
    one Entity per id (label: the most frequent name, ties to the longer then the smaller).
    """
    names: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, str] = {}
    entity_of: dict[tuple[str, int], str] = {}
    for document in documents:
        for mention in document.mentions:
            key = entity_id(mention.type, mention.name)
            names[key][mention.name] += 1
            kinds[key] = mention.type
            entity_of[(mention.doc, mention.start)] = key
    entities: dict[str, Entity] = {}
    merges: list[Merge] = []
    for key in sorted(names):
        counts = names[key]
        label = min(counts, key=lambda n: (-counts[n], -len(n), n))
        entities[key] = Entity(key, label, kinds[key], tuple(sorted(counts)))
        merges.extend(
            Merge(name, kinds[key], key, "same name ignoring case and punctuation")
            for name in sorted(counts)
            if name != label
        )
    logger.debug("%d entities from %d mentions", len(entities), len(entity_of))
    return Resolution(entities, entity_of, merges)
