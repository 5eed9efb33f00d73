"""Shared fixtures: a rule-based pipeline for fast tests, the real model for a few."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
"""../shared beside the checkout: the user's corpus, datasets and schemas."""

GAZA = SHARED / "corpus" / "gaza-truce"


@pytest.fixture(scope="session")
def ruler_nlp():
    """A blank English pipeline tagging a fixed list of names (no trained model)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PERSON", "pattern": "Alice Moreau"},
        {"label": "PERSON", "pattern": "Moreau"},
        {"label": "PERSON", "pattern": "Bob Lind"},
        {"label": "GPE", "pattern": "Brussels"},
        {"label": "GPE", "pattern": "Paris"},
        {"label": "ORG", "pattern": "the Nordic Council"},
        {"label": "ORG", "pattern": "Nordic Council's"},
        {"label": "NORP", "pattern": "Belgian"},
        {"label": "DATE", "pattern": "Monday"},
    ])
    return nlp


@pytest.fixture(scope="session")
def real_nlp():
    """The default English pipeline, loaded once per test session."""
    from graph.extract import load_model

    return load_model()


def needs_shared(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path} is absent (../shared is not beside the checkout)"
    )
