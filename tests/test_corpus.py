import csv
import os
from pathlib import Path

import pytest

from graph import csvrows
from graph.config import FieldNames
from graph.corpus import (
    clean_text,
    decode,
    decode_bytes,
    decode_text,
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
    assert skipped[str(folder / "blank.txt")] == "empty file: only whitespace"
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


# --- messy input: encodings, control characters, links, odd files ---------------------------


def test_decode_text_says_why_not():
    assert decode_text(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)[1].startswith(
        "binary content, not text: ")
    assert decode_text(b"abc \x81 def")[1] == (
        "not UTF-8 or Windows-1252 text: byte 0x81 at offset 4 is not UTF-8, and 0x81 is not "
        "Windows-1252")
    assert decode_text("Café £5".encode("utf-16"))[0] == "Café £5"
    assert decode_text("£200".encode("latin-1")) == ("£200", "")


def test_decode_text_mixed_encoding_decodes_each_part_and_says_so():
    raw = "François, Zürich ".encode() + "£5 Café".encode("cp1252") + " Ā".encode()
    decoded = decode_bytes(raw)
    assert decoded == ("François, Zürich £5 Café Ā", "", (
        "mixed encoding: UTF-8 text with 2 bytes that are not UTF-8, read as Windows-1252 "
        "(byte 0xA3 at offset 19)"))
    assert decode_text(raw) == (decoded.text, "")
    latin1 = "Zürich £5 Café".encode("cp1252")  # no UTF-8 in it: all Windows-1252, no note
    assert decode_bytes(latin1) == ("Zürich £5 Café", "", "")
    assert decode_text("Zürich ".encode() + b"\x81")[1] == (
        "not UTF-8 or Windows-1252 text: byte 0x81 at offset 8 is not UTF-8, and 0x81 is not "
        "Windows-1252")


def test_decode_text_utf16_without_byte_order_mark():
    text = "Ελλάδα and Zürich: £5, Ā.\n" * 3
    assert decode_text(text.encode("utf-16-le")) == (text, "")
    assert decode_text(text.encode("utf-16-be")) == (text, "")
    assert decode_text("A".encode("utf-16-le")) == ("A", "")
    assert decode_text(b"\x01\x00" * 100)[1] == (
        "binary content, not text: 100 of its 100 characters are NUL or controls")
    assert decode_text(b"\x00\x01\x02\x00" * 100)[1].startswith("binary content")


def test_decode_text_stray_controls_and_nul_padding_are_text():
    text = "Alice Moreau met Bob Lind\x00 in Brussels.\x07\n" + "Bob Lind met Alice.\n" * 10
    assert decode_text(text.encode()) == (text, "")
    assert decode_text(b"Alice\x00\x01 met Bob.\n" * 10)[1] == (
        "binary content, not text: 20 of its 170 bytes are NUL or controls")
    assert decode_text(b"Alice met Bob.\n" + b"\x00" * 4096) == ("Alice met Bob.\n", "")


def test_clean_text_keeps_length_and_offsets():
    text = "A\x00b\x1bc\td\r\ne\x7ff\x85g\ud800h\ufffe"
    cleaned = clean_text(text)
    assert cleaned == "A b c\td\r\ne f g\ufffdh\ufffd"
    assert len(cleaned) == len(text)


def test_read_corpus_controls_in_text_read_as_spaces(tmp_path):
    text = "Alice Moreau\x00met Bob Lind in Brussels.\n" + "Bob Lind flew to Paris.\n" * 8
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    docs, skipped = read(tmp_path)
    assert skipped == {}
    assert docs["a.txt"].text == text.replace("\x00", " ")


def test_read_corpus_symlink_loops_broken_links_and_pipes_are_reported(tmp_path):
    (tmp_path / "a.txt").write_text("Alice met Bob.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "self.txt").symlink_to("self.txt")
    (tmp_path / "broken.txt").symlink_to("gone.txt")
    (tmp_path / "link.txt").symlink_to("a.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block: it must not be opened
    docs, skipped = read(tmp_path)
    assert list(docs) == ["a.txt"]
    assert skipped == {
        str(tmp_path / "broken.txt"): "broken symbolic link to gone.txt",
        str(tmp_path / "link.txt"): f"already read: the same file as {tmp_path / 'a.txt'}",
        str(tmp_path / "pipe.txt"): "not a regular file but a named pipe (FIFO)",
        str(tmp_path / "self.txt"): "symbolic link loop: it leads to itself",
        str(tmp_path / "sub" / "up"): "symbolic link loop: it leads back to a folder above it",
    }


def test_read_corpus_follows_linked_folders_in_sorted_order(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.txt").write_text("Bob Lind.", encoding="utf-8")
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.txt").write_text("Alice.", encoding="utf-8")
    (root / "a.txt").write_text("Paris.", encoding="utf-8")
    (root / "linked").symlink_to(elsewhere)
    docs, skipped = read(root)
    assert list(docs) == ["a/x.txt", "a.txt", "linked/b.txt"]
    assert skipped == {}


def test_read_corpus_same_file_twice_and_same_names(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "001.txt").write_text(f"Alice in {folder}.", encoding="utf-8")
    first, second = tmp_path / "one" / "001.txt", tmp_path / "two" / "001.txt"
    items = list(read_corpus([first, second, first]))
    assert [type(i).__name__ for i in items] == ["Document", "Document", "Skipped"]
    assert items[0].id == "001.txt" and items[1].id == second.as_posix()
    assert items[2] == Skipped(str(first), "already read: given twice")


def test_read_corpus_unreadable_file_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text("Alice met Bob.", encoding="utf-8")
    real_open = open

    def refuse(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    assert read(path) == ({}, {str(path): "cannot read: Permission denied"})


def test_read_corpus_folder_named_like_a_file_is_walked(tmp_path):
    (tmp_path / "x.txt").mkdir()
    (tmp_path / "x.txt" / "inner.md").write_text("Alice.", encoding="utf-8")
    assert list(read(tmp_path / "x.txt")[0]) == ["inner.md"]


def test_read_corpus_empty_record_files_are_reported(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(b"")
    _, skipped = read(tmp_path)
    assert skipped == {str(tmp_path / "a.jsonl"): "empty file: only whitespace",
                       str(tmp_path / "b.csv"): "empty file"}


def test_read_corpus_jsonl_breaks_lines_only_at_newlines(tmp_path):
    # U+2028 and U+0085 are line breaks to str.splitlines but may stand inside a JSON string
    lines = ['{"text": "Alice\u2028met\x85Bob.", "title": "T\\u0000x"}', '[[[' * 50_000,
             '{"text": ["a list"]}', '{"text": "Paris\\u0007 \\ud800."}']
    (tmp_path / "r.jsonl").write_text("\r\n".join(lines), encoding="utf-8")
    docs, skipped = read(tmp_path)
    assert docs["r.jsonl#line 1"].text == "Alice\u2028met Bob."
    assert docs["r.jsonl#line 1"].title == "T x"
    assert docs["r.jsonl#line 4"].text == "Paris  \ufffd."
    assert skipped == {
        str(tmp_path / "r.jsonl#line 2"): "malformed JSON: nested too deeply",
        str(tmp_path / "r.jsonl#line 3"): "record's 'text' field is a list, not text",
    }


def test_read_corpus_csv_semicolons_spaces_and_blank_rows(tmp_path):
    (tmp_path / "a.csv").write_text(
        'title; text \nOne;"Alice met\nBob; in Paris."\n;\nTwo;Brussels\u2028today.\n',
        encoding="utf-8")
    docs, skipped = read(tmp_path)
    assert {d: doc.text for d, doc in docs.items()} == {
        "a.csv#row 1": "Alice met\nBob; in Paris.", "a.csv#row 3": "Brussels\u2028today."}
    assert skipped == {}


def test_read_corpus_csv_field_over_the_limit_is_a_skipped_row(tmp_path, monkeypatch):
    monkeypatch.setattr(csvrows, "CSV_FIELD_LIMIT", 1000)
    (tmp_path / "a.csv").write_text(
        'title,text\nOne,"' + "word " * 300 + '\nmore"\nTwo,Alice met Bob.\n', encoding="utf-8")
    docs, skipped = read(tmp_path)
    assert skipped == {f"{tmp_path / 'a.csv'}#row 1":
                       "malformed CSV at lines 2-3: a field longer than 1,000 characters"}
    assert {d: doc.text for d, doc in docs.items()} == {"a.csv#row 2": "Alice met Bob."}
    assert csv.field_size_limit() == 131_072  # the process's own limit is left alone


def test_read_corpus_csv_rows_with_more_fields_than_the_header(tmp_path):
    (tmp_path / "a.csv").write_text(
        'title,text\nOne,Alice met Bob, in Paris.\nTwo,"Bob met Alice, again.",,\n'
        'Three,"Alice" Moreau met Bob.\n', encoding="utf-8")
    docs, skipped = read(tmp_path)
    assert skipped == {f"{tmp_path / 'a.csv'}#row 1":
                       "malformed CSV at line 2: 3 fields where the header has 2"}
    assert {d: doc.text for d, doc in docs.items()} == {
        "a.csv#row 2": "Bob met Alice, again.", "a.csv#row 3": "Alice Moreau met Bob."}


def test_dedupe_segments_long_paragraph(tmp_path):
    text = ("word " * 300_000 + "\n\n") * 2
    spans = split_paragraphs(text)
    assert len(spans) == 2 and len(dedupe_segments(text, spans)) == 1
