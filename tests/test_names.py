import pytest

from graph.names import (
    country_code,
    country_name,
    demonym_country,
    initials,
    is_acronym,
    is_junk,
    name_key,
    title_length,
)


@pytest.mark.parametrize(("a", "b"), [
    ("U.S.", "US"), ("u.s", "US"), ("Gaza-Strip", "GAZA STRIP"), ("Belém", "Belem"),
    ("Al‑Hayya", "Al-Hayya"), ("O’Brien", "O'Brien"),
])
def test_name_key_equal_spellings(a, b):
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart():
    assert name_key("US") != name_key("USA")
    assert name_key("Bassem Naim") != name_key("Basem Naim")


@pytest.mark.parametrize(("words", "taken"), [
    ("Prime Minister Benjamin Netanyahu", 2),
    ("former Defence Minister Yoav Gallant", 3),
    ("Mr. Smith", 1),
    ("President", 0),
    ("Benjamin Netanyahu", 0),
])
def test_title_length(words, taken):
    assert title_length(words.split()) == taken


def test_acronyms_and_initials():
    assert is_acronym("IMF") and is_acronym("U.N.") and not is_acronym("Hamas")
    assert initials("International Monetary Fund") == "IMF"
    assert initials("World Trade Organization") == "WTO"
    assert initials("Bank of England") == "BE"
    assert initials("Hamas") == ""


@pytest.mark.parametrize(("name", "as_code", "code"), [
    ("United States", False, "US"), ("U.S.", False, "US"), ("USA", True, "US"),
    ("UK", False, "GB"), ("Britain", False, "GB"), ("Russia", False, "RU"),
    ("Iran", False, "IR"), ("GB", False, None), ("GB", True, "GB"), ("Gaza", True, None),
])
def test_country_code(name, as_code, code):
    assert country_code(name, as_code=as_code) == code


def test_country_name_and_demonyms():
    assert country_name("IL") == "Israel"
    assert country_name("IR") == "Iran"
    assert [demonym_country(d) for d in ("Israeli", "Nigerian", "Egyptian", "Qatari", "British",
                                         "Kenyan", "Martian")] == [
        "IL", "NG", "EG", "QA", "GB", "KE", None]


@pytest.mark.parametrize(("name", "junk"), [
    ("Defence", True), ("Monday", True), ("President", True), ("2024", True), ("A", True),
    ("Hamas", False), ("Qatar", False), ("G7", False),
])
def test_is_junk(name, junk):
    assert is_junk(name) is junk


def test_is_junk_user_list():
    assert is_junk("Project Hope", frozenset({"project hope"}))


def test_is_junk_delivery_month_codes():
    assert is_junk("MAY7") and is_junk("DEC88")
    assert not is_junk("G7") and not is_junk("Mayo")
