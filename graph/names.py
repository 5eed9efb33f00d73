"""What a name looks like: keys, titles, acronyms, countries. Pure functions, no model.

Shared by extraction (trimming titles off spans) and resolution (keys, acronyms, country
codes). Word lists live in graph/data/ so users can read (and extend) them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from functools import cache
from importlib import resources

_NON_WORD = re.compile(r"[\W_]+")
_ACRONYM_DOTS = re.compile(r"\b([^\W\d_])\.(?=[^\W\d_]\b\.?|\s|$)")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "‐": "-", "‑": "-",
                         "‒": "-", "–": "-", "—": "-", "−": "-"})
_INITIAL_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "de", "du", "des", "la", "le",
                           "&", "a", "an", "to", "at"})
_MONTH_CODE = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\d{1,4}")
"""A month and a year in one word, as price tables write delivery months ("MAY7")."""
_DOTTED_COUNTRIES = frozenset({"us", "uk"})
_DEMONYM_SUFFIXES = ("ian", "ean", "an", "ese", "ish", "i", "n")
_COUNTRY_EXTRAS = {
    "uk": "GB", "britain": "GB", "great britain": "GB", "england": "", "russia": "RU",
    "turkey": "TR", "ivory coast": "CI", "north korea": "KP", "south korea": "KR",
    "burma": "MM", "macedonia": "MK", "swaziland": "SZ", "east timor": "TL",
    "cape verde": "CV", "vatican": "VA", "america": "", "holland": "NL", "usa": "US",
    "palestine": "PS", "iran": "IR", "syria": "SY", "laos": "LA", "moldova": "MD",
    "tanzania": "TZ", "venezuela": "VE", "bolivia": "BO", "vietnam": "VN",
    "soviet union": "SUHH", "east germany": "DDDE", "west germany": "DE",
}
"""English short names missing from ISO 3166 (code "" marks a name never to map)."""
_DEMONYM_EXTRAS = {
    "american": "US", "british": "GB", "english": "", "french": "FR", "dutch": "NL",
    "swiss": "CH", "german": "DE", "chinese": "CN", "japanese": "JP", "lebanese": "LB",
    "turkish": "TR", "greek": "GR", "thai": "TH", "filipino": "PH", "welsh": "",
    "scottish": "", "irish": "IE", "danish": "DK", "swedish": "SE", "finnish": "FI",
    "polish": "PL", "spanish": "ES", "portuguese": "PT", "belgian": "BE", "saudi": "SA",
    "emirati": "AE", "israeli": "IL", "palestinian": "PS", "iraqi": "IQ", "kuwaiti": "KW",
    "pakistani": "PK", "afghan": "AF", "bangladeshi": "BD", "nepali": "NP", "yemeni": "YE",
    "omani": "OM", "qatari": "QA", "bahraini": "BH", "egyptian": "EG", "russian": "RU",
    "ukrainian": "UA", "iranian": "IR", "syrian": "SY", "korean": "", "congolese": "",
    "norwegian": "NO", "peruvian": "PE",
}
"""Demonyms whose country cannot be found from the name's stem alone."""


ORG_HEADS = frozenset(
    "agency ministry bank council party company corporation corp inc ltd group court "
    "organisation organization union fund committee commission association institute "
    "university times post news network television tv radio office department authority "
    "army forces brigade brigades movement front alliance federation league club "
    "foundation board service services police guard".split()
)
"""Last words that make a name an organisation whatever precedes it ("... news agency")."""

ORG_SUFFIXES = frozenset(
    "party plc inc incorporated corp corporation co company ltd limited llc group "
    "holdings ag sa nv gmbh".split()
)
"""Last words that only say an organisation is one: "Labour Party" is Labour."""

ORG_NAME_ENDS = (ORG_HEADS | ORG_SUFFIXES | {"united", "fc"}) - {"league"}
"""Last words that make a multi-word name look like an organisation ("Leeds United"); not
"league", which ends the names of competitions as often ("Champions League")."""

ORG_POSSESSIONS = frozenset(
    "shares shareholder shareholders stake stakes subsidiary subsidiaries profit profits "
    "revenue revenues sales earnings employees workforce headquarters board directors "
    "investors customers subscribers assets debts unit units output".split()
)
"""What an organisation has, after its name or its possessive ("Yukos' shares")."""

ORG_CONTEXT_AFTER = ORG_POSSESSIONS | frozenset(
    "boss bosses chief chiefs chairman chairwoman spokesman spokeswoman spokesperson "
    "executive executives brand mps peers manager striker midfielder defender goalkeeper "
    "fans supporters squad".split()
)
"""Words right after a name that make it an organisation ("BT boss", "Everton striker")."""

ORG_CONTEXT_BEFORE = frozenset(
    "firm firms company companies group giant maker makers retailer carrier airline bank "
    "insurer operator broadcaster club side network chain producer manufacturer publisher "
    "studio label conglomerate regulator watchdog agency subsidiary "
    "supermarket telecoms".split()
)
"""Words right before a name that say it is an organisation ("oil giant Gazprom",
"Premiership side Everton"); before "in X", the words of a holding ("a stake in X")."""

ORG_HOLDINGS = frozenset("shares stake stakes stakeholding investment invest".split())
"""Words before "in X" that make X an organisation, not a place ("a stake in Gazprom")."""

EVENT_CONTEXT_AFTER = frozenset(
    "nomination nominations nominated nominee nominees ceremony ceremonies winner winners "
    "winning final finals title tie ties season campaign match matches trophy organisers "
    "organizers night table standings strugglers".split()
)
"""Words right after a name (or after a hyphen: "Oscar-winning") that make it an award or a
contest, not a person or a place ("Oscar nomination", "Wimbledon final", "Davis Cup tie",
"Premiership table")."""

PRODUCT_CONTEXT_AFTER = frozenset(
    "users owners software operating console consoles handset handsets gadget gadgets "
    "version versions browser technology server servers".split()
)
"""Words right after a name that make it a product ("Windows users", "Xbox console")."""

WORK_CONTEXT_BEFORE = frozenset(
    "film films movie movies album albums single song book novel play musical series drama "
    "documentary sitcom comedy thriller biopic".split()
)
"""Words right before a name that make it a work ("the film Ray", "his album Confessions")."""

WORK_CONTEXT_AFTER = frozenset("star stars soundtrack premiere sequel cast screenplay".split())
"""Words right after a name that make it a work ("Aviator star Leonardo DiCaprio")."""

REGNAL_TITLES = frozenset("king queen prince princess pope emperor empress".split())
"""Titles that go with a given name and stay part of the name ("Prince Charles"): the name
after them is not a surname, so cutting the title off would make a short form of it."""

PERSONAL_HONORIFICS = frozenset("mr mrs ms miss dr".split())
"""Honorifics only people have: a span starting with one names a person, whatever the
recogniser's label ("Mr Ebbers" read as an organisation)."""

PLACE_GENERICS = frozenset(
    "strip province region district county governorate island islands "
    "peninsula valley territory territories municipality".split()
)
"""Words that follow a place name without making it another place ("Gaza Strip"). Not
"city" or "state": New York City, New York State and Kuwait City are other places."""


def clean(name: str) -> str:
    """Plain quotes and dashes, NFKC, collapsed whitespace."""
    return " ".join(unicodedata.normalize("NFKC", name).translate(_QUOTES).split())


def fold(text: str) -> str:
    """Lower case without accents: ``Belém`` -> ``belem``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(name: str) -> str:
    """Lower-case, accent-folded name with runs of non-letters as single hyphens.

    >>> slug("Benjamin Netanyahu's")
    'benjamin-netanyahu-s'
    """
    return _NON_WORD.sub("-", fold(name)).strip("-")


@functools.lru_cache(maxsize=1 << 18)
def name_key(name: str) -> str:
    """The key two spellings of one name share: ``U.S.``, ``US`` and ``u.s`` -> ``us``.

    Case, accents, punctuation, dots inside acronyms and hyphens are ignored.
    """
    undotted = _ACRONYM_DOTS.sub(r"\1", clean(name))
    return slug(undotted).replace("-", " ")


def tokens(name: str) -> list[str]:
    """Words of a name, by its key: ``Al-Hayya`` -> ``['al', 'hayya']``."""
    return name_key(name).split()


def is_acronym(name: str) -> bool:
    """``IMF``, ``U.N.``, ``WTO``: 2-6 capital letters, optionally dotted."""
    letters = name.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def initials(name: str) -> str:
    """Capital initials of a multi-word name, skipping small words.

    >>> initials("International Monetary Fund")
    'IMF'
    """
    words = [w for w in re.split(r"[\s\-]+", clean(name)) if w]
    if len(words) < 2:
        return ""
    return "".join(w[0] for w in words if w.casefold() not in _INITIAL_SKIP).upper()


def _word_list(filename: str) -> frozenset[str]:
    text = resources.files("graph").joinpath("data", filename).read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(fold(line) for line in lines if line and not line.startswith("#"))


@cache
def titles() -> frozenset[str]:
    """Honorifics, offices and descriptors that precede names (graph/data/titles.txt)."""
    return _word_list("titles.txt")


@cache
def stoplist() -> frozenset[str]:
    """Strings that are never entities on their own (graph/data/stoplist.txt)."""
    return _word_list("stoplist.txt")


def title_length(words: list[str]) -> int:
    """How many leading ``words`` form titles (``["Prime", "Minister", "Benjamin", ...]`` -> 2).

    Several titles may follow each other ("former Defence Minister"); at least one word is
    always left for the name.
    """
    taken = 0
    while taken < len(words) - 1:
        for size in (3, 2, 1):
            if taken + size < len(words) and is_title(tuple(words[taken:taken + size])):
                taken += size
                break
        else:
            break
    return taken


@functools.lru_cache(maxsize=1 << 16)
def is_title(words: tuple[str, ...]) -> bool:
    """Whether ``words`` together are one title (``("Prime", "Minister")``), dots ignored."""
    return fold(" ".join(w.rstrip(".") for w in words)) in titles()


@functools.lru_cache(maxsize=1 << 18)
def is_junk(name: str, ignore: frozenset[str] = frozenset()) -> bool:
    """True for strings that are never entities: stoplist, titles, numbers, single letters."""
    key = fold(clean(name))
    letters = [ch for ch in key if ch.isalpha()]
    return (
        not letters
        or not _has_capital(name)
        or ":" in key
        or len(key) < 2
        or key in stoplist()
        or key in titles()
        or (key.endswith("s") and key[:-1] in titles())
        or all(word in ORG_SUFFIXES for word in key.replace(".", " ").split())
        or _MONTH_CODE.fullmatch(key) is not None
        or key in ignore
        or name_key(name) in ignore
        or sum(ch.isdigit() for ch in key) > len(letters)
    )


def _has_capital(name: str) -> bool:
    """Whether a name has a capital letter, or is in a script without case (names are
    capitalised: "cts" or "revs" in a price table is not one)."""
    return any(ch.isupper() or (ch.isalpha() and ch.lower() == ch.upper()) for ch in name)


@cache
def _countries() -> dict[str, str]:
    """Country name keys -> ISO alpha-2 code, from pycountry plus common English names."""
    import pycountry

    table: dict[str, str] = {}
    for former in pycountry.historic_countries:  # "USSR", "Yugoslavia": by 4-letter code
        for name in former.name.split(", ")[:1]:
            table[name_key(name)] = former.alpha_4
    for country in pycountry.countries:
        names = [country.name, getattr(country, "common_name", None),
                 getattr(country, "official_name", None)]
        for name in filter(None, names):
            table[name_key(name)] = country.alpha_2
            if "," in name:  # "Iran, Islamic Republic of" -> "Iran"
                table.setdefault(name_key(name.split(",")[0]), country.alpha_2)
    table.update({name_key(k): v for k, v in _COUNTRY_EXTRAS.items()})
    return {k: v for k, v in table.items() if v}


@cache
def _country_codes() -> dict[str, str]:
    import pycountry

    codes = {}
    for country in pycountry.countries:
        codes[country.alpha_2.casefold()] = country.alpha_2
        codes[country.alpha_3.casefold()] = country.alpha_2
    codes["uk"] = "GB"
    return codes


@functools.lru_cache(maxsize=1 << 18)
def country_code(name: str, as_code: bool = False) -> str | None:
    """ISO alpha-2 code of a country name (``United States`` -> ``US``), or None.

    With ``as_code`` an all-capital ISO code itself (``US``, ``USA``, ``GBR``) also counts;
    callers allow that only for mentions already typed as places, since many codes are
    also words or organisation acronyms. ``U.S.`` and ``U.K.`` always count (other dotted
    pairs, "S.A." or "E.C.", are company suffixes and organisations more often than not).
    """
    key = name_key(name)
    code = _countries().get(key)
    if code is None and is_acronym(name) and (
            (as_code and "." not in name) or key in _DOTTED_COUNTRIES):
        code = _country_codes().get(key.replace(" ", ""))
    return code


def country_name(code: str) -> str:
    """Everyday English name of a country by ISO code (``IL`` -> ``Israel``)."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        former = pycountry.historic_countries.get(alpha_4=code) if len(code) == 4 else None
        return former.name.split(", ")[0] if former is not None else code
    return getattr(country, "common_name", None) or country.name.split(",")[0]


@cache
def _regions() -> frozenset[str]:
    """Name keys of the countries' first-level parts in ISO 3166-2 (pycountry): "Wales",
    "California", "Bayern", "Khan Yunis"; not the districts and provinces below them, which
    often share a city's name and its club's ("Barcelona", "Leicester")."""
    import pycountry

    keys = set()
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code:
            continue
        name = re.sub(r"\s*\[.*?\]|,\s*City of$", "", subdivision.name)
        keys.add(name_key(name))
    return frozenset(keys)


def is_known_place(name: str) -> bool:
    """Whether a name is a country, or a first-level region, state or province of one
    (ISO 3166)."""
    key = name_key(name)
    return key in _countries() or key in _regions()


def is_code_only(name: str) -> bool:
    """Whether a name is a bare ISO code (``BT``, ``DEU``), not a country's name or a dotted
    abbreviation (``U.K.``): many codes are also companies' or teams' initials."""
    return "." not in name and is_acronym(name) and name_key(name) not in _countries()


def is_demonym(word: str) -> bool:
    """Whether a word is a nationality (``Welsh``, ``Chinese``, ``Israeli``)."""
    return fold(clean(word)) in _DEMONYM_EXTRAS or demonym_country(word) is not None


def demonym_country(word: str) -> str | None:
    """ISO alpha-2 code of the country a demonym names (``Israeli`` -> ``IL``), or None."""
    key = fold(clean(word))
    if key in _DEMONYM_EXTRAS:
        return _DEMONYM_EXTRAS[key] or None
    table = _countries()
    for suffix in _DEMONYM_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            stem = key[: -len(suffix)]
            for candidate in (stem + "ia", stem + "a", stem + "y", stem + "e", stem + "o", stem):
                if candidate in table:
                    return table[candidate]
    return None
