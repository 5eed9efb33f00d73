"""Hand-built extraction results for tests that need no model."""

from __future__ import annotations

from graph.types import DocumentInfo, ExtractedDocument, Mention, Sentence


def extracted(doc_id: str, sentences: list[list[tuple]], *, date: str | None = None,
              paragraph_of: dict[int, int] | None = None) -> ExtractedDocument:
    """A document whose sentence i mentions ``sentences[i]``.

    Each mention is ``(name, type)`` or ``(name, type, cue)``. Mentions are 5 characters
    apart, except a name written ``"(ICC)"``, which is placed 2 characters after the
    previous mention, as in "International Criminal Court (ICC)". Each sentence's text
    lists its names.
    """
    mentions, kept = [], []
    offset = 0
    for index, names in enumerate(sentences):
        paragraph = (paragraph_of or {}).get(index, index)
        text = " and ".join(entry[0] for entry in names) + " met."
        kept.append(Sentence(index, offset, offset + len(text), text))
        for entry in names:
            name, kind = entry[0], entry[1]
            cue = entry[2] if len(entry) > 2 else ""
            if name.startswith("(") and mentions:
                name, offset = name.strip("()"), mentions[-1].end + 2
            mentions.append(Mention(doc_id, offset, offset + len(name), name, kind, name,
                                    index, paragraph, cue))
            offset += len(name) + 5
        offset += 10
    return ExtractedDocument(DocumentInfo(doc_id, f"Title {doc_id}", date, None, None),
                             tuple(mentions), tuple(kept))
