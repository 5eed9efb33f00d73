"""Hand-built extraction results for tests that need no model."""

from __future__ import annotations

from graph.types import DocumentInfo, ExtractedDocument, Mention, Sentence


def extracted(doc_id: str, sentences: list[list[tuple[str, str]]], *, date: str | None = None,
              paragraph_of: dict[int, int] | None = None) -> ExtractedDocument:
    """A document whose sentence i mentions ``sentences[i]`` as (name, type) pairs.

    Offsets are made up but unique; each sentence's text lists its names.
    """
    mentions, kept = [], []
    offset = 0
    for index, names in enumerate(sentences):
        paragraph = (paragraph_of or {}).get(index, index)
        text = " and ".join(name for name, _ in names) + " met."
        kept.append(Sentence(index, offset, offset + len(text), text))
        for name, kind in names:
            mentions.append(Mention(doc_id, offset, offset + len(name), name, kind, name,
                                    index, paragraph))
            offset += len(name) + 5
        offset += 10
    return ExtractedDocument(DocumentInfo(doc_id, f"Title {doc_id}", date, None, None),
                             tuple(mentions), tuple(kept))
