from pathlib import Path

import pytest

from graph.config import FieldNames
from graph.corpus import (
    decode,
    dedupe_segments,
    is_headline,
    parse_date,
    read_corpus,
    sample_corpus,
    split_paragraphs,
)
from graph.types import Document, Skipped

DATA = Path(__file__).parent / "data"


def read(*paths, fields=None):
    items = list(read_corpus([Path(p) for p in paths], fields))
    docs = {i.id: i for i in items if isinstance(i, Document)}
    skipped = {i.path: i.reason for i in items if isinstance(i, Skipped)}
    return docs, skipped


def segment_texts(doc):
    return [doc.text[s:e] for s, e in doc.segments]


def test_read_corpus_walks_folder_sorted_recursive_skipping_hidden():
    docs, skipped = read(DATA / "mixed-formats")
    assert list(docs) == ["a.txt", "d.csv#row 1", "sub/b.md", "sub/c.jsonl#line 1"]
    assert not any(".hidden" in k for k in docs) and not any(".hidden" in k for k in skipped)
    assert skipped == {
        str(DATA / "mixed-formats/e.pdf"): "unknown file type '.pdf'",
        str(DATA / "mixed-formats/sub/c.jsonl#line 2"): "record has no 'text' text",
    }


def test_read_corpus_date_marker_and_headline():
    docs, _ = read(DATA / "mixed-formats/a.txt")
    doc = docs["a.txt"]
    assert doc.date == "2024-05-01"
    assert doc.title == "Ministers Meet In Brussels"
    # the marker is not analysed; the headline is, with offsets into the file
    first = segment_texts(doc)[0]
    assert first == "Ministers Meet In Brussels"
    assert doc.text[doc.segments[0][0]:].startswith("Ministers Meet")


def test_read_corpus_repeated_paragraph_counted_once():
    docs, _ = read(DATA / "mixed-formats/a.txt")
    texts = segment_texts(docs["a.txt"])
    assert texts.count("Alice Moreau met Bob Lind in Brussels on Monday.") == 1
    assert texts[-1] == "Later, Moreau flew to Paris."


def test_read_corpus_record_fields():
    docs, _ = read(DATA / "mixed-formats/sub/c.jsonl")
    doc = docs["c.jsonl#line 1"]
    assert (doc.title, doc.date, doc.source, doc.url) == (
        "Visit", "2023-01-02", "Wire", "https://example.org/a")
    assert doc.text == "Carla Diaz visited Madrid."


def test_read_corpus_other_field_names():
    fields = FieldNames(text="body", title="headline")
    docs, skipped = read(DATA / "mixed-formats/sub/c.jsonl", fields=fields)
    assert docs["c.jsonl#line 2"].title == "Speech"
    assert list(skipped.values()) == ["record has no 'body' text"]


def test_read_corpus_csv_with_newline_in_quoted_field():
    docs, _ = read(DATA / "mixed-formats/d.csv")
    doc = docs["d.csv#row 1"]
    assert doc.text == "Eve Stone, mayor of Lyon, spoke.\nShe left."
    assert doc.date == "2022-03-04"


def test_read_corpus_bad_records_are_skipped_with_reasons():
    docs, skipped = read(DATA / "records-with-problems")
    assert sorted(docs) == ["latin1.txt", "r.jsonl#line 1", "r.jsonl#line 6"]
    folder = DATA / "records-with-problems"
    assert skipped[str(folder / "blank.txt")] == "empty file"
    assert skipped[str(folder / "r.jsonl#line 2")].startswith("malformed JSON")
    assert skipped[str(folder / "r.jsonl#line 3")] == "record has no 'text' text"
    assert skipped[str(folder / "r.jsonl#line 4")] == "record is not a JSON object"
    assert skipped[str(folder / "nocol.csv")] == "no 'text' column (columns: title, body)"


def test_read_corpus_latin1_file_is_decoded():
    docs, _ = read(DATA / "records-with-problems/latin1.txt")
    assert docs["latin1.txt"].text == "café in Paris\n"


def test_read_corpus_missing_path():
    docs, skipped = read("/no/such/folder")
    assert docs == {} and skipped == {"/no/such/folder": "no such file or folder"}


def test_decode_binary_is_refused():
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") is None
    assert decode(bytes(range(1, 32)) * 10) is None
    assert decode("\ufeffhello".encode()) == "hello"


def test_split_paragraphs_line_per_paragraph():
    text = "One sentence.\nAnother paragraph here.\n\nThird."
    assert [text[s:e] for s, e in split_paragraphs(text)] == [
        "One sentence.", "Another paragraph here.", "Third."]


def test_split_paragraphs_hard_wrapped_wire_copy():
    text = ("Showers continued throughout the week in\nthe cocoa zone, alleviating the\n"
            "drought since early January.\n    Arrivals for the week were\n155,221 bags.\n")
    spans = [text[s:e] for s, e in split_paragraphs(text)]
    assert len(spans) == 2
    assert spans[0].startswith("Showers") and spans[0].endswith("January.")
    assert spans[1].startswith("Arrivals")


def test_dedupe_segments_ignores_whitespace_differences():
    text = "A  b.\nA b.\nC."
    assert dedupe_segments(text, [(0, 5), (6, 10), (11, 13)]) == ((0, 5), (11, 13))


@pytest.mark.parametrize(("line", "expected"), [
    ("Netanyahu Faces Stalemate in Gaza Truce Talks", True),
    ("Intensive talks underway to negotiate one-month Gaza truce, sources report", True),
    ("This is a full sentence that ends with a stop.", False),
    ("lowercase start is not a headline", False),
    (" ".join(["Word"] * 25), False),
])
def test_is_headline(line, expected):
    assert is_headline(line) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-02-07", "2024-02-07"),
    ("2024-02-07T10:00:00Z", "2024-02-07"),
    ("26-FEB-1987 15:01:01.79", "1987-02-26"),
    ("7 July 2025", "2025-07-07"),
    ("July 7, 2025", "2025-07-07"),
    ("yesterday", None),
    (None, None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_sample_corpus_is_shipped():
    files = sorted(sample_corpus().glob("*.txt"))
    assert 8 <= len(files) <= 12
