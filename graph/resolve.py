"""Decide which mentions name the same real-world entity, and of what type.

The rules run in this order; each is named in merges.csv with its evidence:

1. *ignored*: stoplist words, titles, numbers and the user's --ignore list are dropped.
2. *your alias file*: --aliases maps a name to a canonical one (and may force a type).
3. *same name*: names equal once case, accents, punctuation and acronym dots are ignored;
   *person of a country*: "Amara Okafor of Nigeria" read as one name is Amara Okafor.
4. *country*: names and codes of one country (ISO 3166 via pycountry): US, U.S., USA,
   United States; with --demonyms also Israeli -> Israel.
5. *acronym defined in text*: "International Criminal Court (ICC)".
6. *acronym initials*: IMF -> International Monetary Fund, when only that name in the
   corpus has those initials.
7. *short form in document*: a surname or first name joins the longer person name in the
   same document, a part of an organisation name the longer organisation name. With several
   candidates (two Smiths) it joins the nearest one mentioned before it, or none. A first
   name joins only a mention read as a person; a part of an organisation's name that more
   articles name on its own than the whole is an entity of its own.
8. *surname across documents*: a surname left on its own joins the only person in the
   corpus with that surname (and nobody if there are several).
9. *generic name*: a place and the same name with a generic word (Gaza, Gaza Strip), an
   organisation and the same name with a legal or generic ending (Labour, Labour Party);
   *plural*: a name and its plural (Lib Dem, Lib Dems).
10. *spelling variant*: two multi-word names of one type that differ by one or two letters
    inside one word (Nowak/Novak, Mohammed/Mohamed), when each has no other such match.
11. *type vote*: an entity's type is the vote of its mentions, of every type the
    recogniser knows (short forms count half; a title before a name votes PERSON, "in"
    before it PLACE, "shares" after it ORG, "nomination" after it EVENT). Entities whose
    type is not wanted (an award, a film, a nationality), and those all of whose names are
    common words the corpus mostly writes in lower case, are dropped.

Everything is decided from sorted data, so the result does not depend on document order,
and resolving the resolved names again changes nothing.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import Levenshtein

from .names import (
    ORG_SUFFIXES,
    PLACE_GENERICS,
    clean,
    country_code,
    country_name,
    demonym_country,
    initials,
    is_acronym,
    is_code_only,
    is_demonym,
    is_junk,
    is_known_place,
    name_key,
    slug,
)
from .overrides import Overrides
from .types import Entity, ExtractedDocument, Merge, Resolution

logger = logging.getLogger(__name__)

TYPE_ORDER = ("PERSON", "ORG", "PLACE", "GROUP", "EVENT", "PRODUCT", "WORK", "LAW", "LANGUAGE")
"""Tie-break order of types in the vote."""

SHORT_FORM_WEIGHT = 0.5
"""Vote of a mention that is a short form of a longer name in the entity."""

CUE_WEIGHT = 2.0
"""Vote of a context cue (a title before a name: PERSON; "in" before it: PLACE; "shares"
after it: ORG): more than the recogniser's label of the same mention, which read the same
words and still erred."""

ACRONYM_SPREAD = 4
"""An acronym joins its expansion across the corpus only if it is used in at most this many
times as many articles as the expansion is named in."""

CUE_LED_MIN = 3
"""An entity takes the type its context words point to only with this many such mentions..."""

CUE_LED_SHARE = 0.05
"""... and this share of its mentions (see ``_cue_led``)."""

MAX_ROUNDS = 4
"""The rules after the acronyms repeat until nothing changes, at most this many times."""

MAX_BLOCK = 2000
"""Spelling-variant blocks (names equal but for one word, whose first and last letters
are the same) larger than this are skipped: keeps the pass near-linear."""

COMMON_RATIO = 2.0
"""A name written in lower case this many times as often as capitalised inside a sentence
(in the sentences that mention entities) is a common word, not a name."""

COMMON_MIN = 3
"""... and at least this many times."""

_NO_LABEL = frozenset({"demonym", "person of a country"})
"""Rules whose names never label an entity ("Israeli", "Amara Okafor of Nigeria")."""

_CONFUSED = ("PERSON", "ORG", "PLACE")
"""The types the recogniser confuses with each other (see ``_cue_led``)."""

_GENERIC_RULE = {"PLACE": "place and its generic name",
                 "ORG": "organisation and its generic name"}

_WORD = re.compile(r"(?<![\w'’])[^\W\d_]+(?![\w'’])")

COMMON_WORDS = 3
"""Longest name (in words) checked for being a common phrase."""

_SMALL_WORDS = frozenset({"of", "the", "and", "for", "de", "al", "el", "bin", "van", "von"})


def entity_id(kind: str, name: str) -> str:
    """Node id for an entity: ``type:slug``, e.g. ``person:benjamin-netanyahu``."""
    return f"{kind.lower()}:{slug(name) or 'unnamed'}"


@dataclass(slots=True)
class _Item:
    """One mention, as the rules see it."""

    doc: str
    start: int
    end: int
    name: str
    type: str
    cue: str
    key: str
    tokens: tuple[str, ...]
    via: tuple[str, str] | None = None
    short_of: str | None = None
    rank: tuple[int, int, str, int] = (0, 0, "", 0)
    """Sort key of "the longest name" (words, characters, name, type order)."""


class _Clusters:
    """Union-find over name keys, remembering which rule joined each key."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.joined: dict[str, tuple[str, str]] = {}
        self.changes = 0

    def find(self, key: str) -> str:
        parent = self.parent
        root = parent.get(key)
        if root is None:
            parent[key] = key
            return key
        if root == key or parent[root] == root:  # the common cases, first
            return root
        while root != parent[root]:
            root = parent[root]
        while key != root:
            parent[key], key = root, parent[key]
        return root

    def roots(self) -> dict[str, str]:
        """The root of every key met so far, for passes that read many items and join none
        (a lookup instead of a ``find`` per item)."""
        return {key: self.find(key) for key in list(self.parent)}

    def union(self, anchor: str, key: str, rule: str, detail: str) -> None:
        a, b = self.find(anchor), self.find(key)
        if a == b:
            return
        self.joined.setdefault(key, (rule, detail))
        self.joined.setdefault(anchor, (rule, detail))
        low, high = sorted((a, b))
        self.parent[high] = low
        self.changes += 1


def resolve_entities(
    documents: Iterable[ExtractedDocument],
    overrides: Overrides | None = None,
    *,
    demonyms: bool = False,
    types: Iterable[str] | None = None,
) -> Resolution:
    """Group mentions into entities (see the module docstring for the rules).

    Parameters:
        documents: extracted documents.
        overrides: the user's aliases, forced types and ignore list.
        demonyms: map nationality words (GROUP mentions such as "Israeli") to countries.
        types: entity types to keep (None: all); GROUP mentions mapped by ``demonyms``
            become PLACE and are kept.

    Returns:
        A Resolution: entities by id, the entity of each kept mention key ``(doc, start)``,
        and one Merge per (entity, name, rule) for merges.csv.
    """
    overrides = overrides or Overrides()
    keep = None if types is None else set(types)
    documents = list(documents)
    items, ignored = _items(documents, overrides, demonyms)
    clusters = _Clusters()
    for item in items:
        clusters.find(item.key)
    by_doc: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        by_doc[item.doc].append(item)
    spread = Counter(key for doc_items in by_doc.values() for key in {i.key for i in doc_items})
    _acronyms(by_doc, items, clusters, spread)
    common = _common_words(documents, items)
    for _ in range(MAX_ROUNDS):  # until nothing changes, so resolving again changes nothing
        before = clusters.changes
        root_of = clusters.roots()  # nothing below joins clusters until the surnames pass
        types, names_of = _types(items, root_of), _names_of(items, root_of)
        for doc_items in by_doc.values():
            _short_forms_in_document(doc_items, clusters, root_of, types, names_of, spread,
                                     common)
        _generic_forms(items, clusters, types, common)
        _surnames_across_documents(items, clusters, types, common, spread)
        _spelling_variants(items, clusters, types)
        if clusters.changes == before:
            break
    return _entities(items, clusters, overrides, ignored, keep, common)


def _items(
    documents: Iterable[ExtractedDocument], overrides: Overrides, demonyms: bool
) -> tuple[list[_Item], int]:
    items: list[_Item] = []
    ignored = 0
    for document in sorted(documents, key=lambda d: d.info.id):
        for m in sorted(document.mentions, key=lambda m: m.start):
            name = clean(m.name)
            if is_junk(name, overrides.ignore):
                ignored += 1
                continue
            kind, key, via = m.type, name_key(name), None
            if key in overrides.canonical:
                target = overrides.canonical[key]
                key, via = name_key(target), ("your alias file", target)
            else:
                code = country_code(name, as_code=kind == "PLACE")
                if code is None and demonyms and kind == "GROUP":
                    code = demonym_country(name)
                    via = ("demonym", code) if code else None
                if code:
                    kind = "PLACE"
                    key, via = f"country:{code}", via or ("country", f"ISO 3166 {code}")
                elif " " not in key and is_demonym(name):
                    kind = "GROUP"  # "Welsh", "Chinese": a nationality, not a person
            tokens = tuple(key.split()) if not key.startswith("country:") else (key,)
            item = _Item(m.doc, m.start, m.end, name, kind, m.cue, key, tokens, via)
            item.rank = _length(item)
            items.append(item)
    _codes_of_countries_named(items)
    _people_of_countries(items)
    return items, ignored


def _people_of_countries(items: list[_Item]) -> None:
    """"Amara Okafor of Nigeria", read as one place, is the person the corpus names as
    Amara Okafor elsewhere: the mention joins that person (its span keeps "of Nigeria")."""
    people = {i.key for i in items if i.type == "PERSON" and len(i.tokens) >= 2 and not i.via}
    for item in items:
        head, of, tail = item.name.rpartition(" of ")
        if of and name_key(head) in people and country_code(tail):
            item.key, item.type = name_key(head), "PERSON"
            item.tokens = tuple(item.key.split())
            item.via = ("person of a country", f"{head} of {tail}")
            item.rank = _length(item)


def _codes_of_countries_named(items: list[_Item]) -> None:
    """A bare ISO code counts as its country only when the corpus also names that country
    ("BT" is Bhutan's code, but a corpus that never says Bhutan means the company)."""
    named = {i.key for i in items if i.via and i.via[0] == "country" and not is_code_only(i.name)}
    for item in items:
        if item.key.startswith("country:") and item.key not in named and is_code_only(item.name):
            item.key, item.via = name_key(item.name), None
            item.tokens = (item.key,)
            item.rank = _length(item)


def _acronyms(by_doc: dict[str, list[_Item]], items: list[_Item], clusters: _Clusters,
              spread: Counter[str]) -> None:
    """Join acronyms to their expansions: defined in the text, or by unique initials.

    An acronym many more articles use than name its expansion stands for something else
    there ("Fed" is not the "Frontier Exploration Department" one article defines as FED):
    a definition then holds in its own article only, and initials join nothing.
    """
    definitions: dict[str, set[str]] = defaultdict(set)
    defined_in: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for doc, doc_items in by_doc.items():
        for a, b in pairwise(doc_items):
            if not 0 < b.start - a.end <= 3:
                continue
            for long, short in ((a, b), (b, a)):
                if is_acronym(short.name) and initials(long.name) == _letters(short.name):
                    definitions[short.key].add(long.key)
                    defined_in[short.key].add(doc)
                    names[long.key] = long.name
    for acronym, expansions in sorted(definitions.items()):
        if len(expansions) == 1:
            [expansion] = expansions
            detail = f"{acronym.upper()} = {names[expansion]}"
            if _acronym_fits(acronym, expansion, spread):
                clusters.union(expansion, acronym, "acronym defined in text", detail)
                continue
            for doc in sorted(defined_in[acronym]):
                for item in by_doc[doc]:
                    if item.key == acronym:
                        item.short_of = expansion
                        clusters.joined[f"{item.doc}#{item.start}"] = (
                            "acronym defined in text", detail)
    by_initials: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if len(item.tokens) >= 2 and item.type != "PERSON" and not item.key.startswith("country:"):
            by_initials[initials(item.name)].add(item.key)
    shapes = _acronym_shaped(items)
    for item in items:
        if item.key in definitions or not is_acronym(item.name) or item.key.startswith("country"):
            continue
        candidates = by_initials.get(_letters(item.name), set()) - {item.key}
        if len({clusters.find(c) for c in candidates}) == 1 and shapes[item.key]:
            expansion = min(candidates)
            if _acronym_fits(item.key, expansion, spread):
                clusters.union(expansion, item.key, "acronym initials",
                               f"{_letters(item.name)} = initials of {expansion}")


def _acronym_fits(acronym: str, expansion: str, spread: Counter[str]) -> bool:
    """Whether an acronym may stand for its expansion across the corpus: it is not used in
    many more articles than the expansion is named in."""
    return spread[acronym] <= ACRONYM_SPREAD * spread[expansion]


def _acronym_shaped(items: list[_Item]) -> dict[str, bool]:
    """Whether most mentions of each name key are written as an acronym ("FED", not "Fed";
    a word in a headline in capitals is no acronym)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        tally[item.key][is_acronym(item.name)] += 1
    return {key: shaped >= other for key, (other, shaped) in tally.items()}


def _letters(acronym: str) -> str:
    return acronym.replace(".", "").replace("&", "").upper()


def _short_forms_in_document(
    doc_items: list[_Item], clusters: _Clusters, root_of: dict[str, str],
    types: dict[str, str], names_of: dict[str, set[tuple[str, ...]]], spread: Counter[str],
    common: set[str],
) -> None:
    """Link surnames, first names and shortened organisation names to the longer name.

    A long name stands for every multi-word name of its entity so far, so "Novak" finds
    "Katarzyna Nowak" once Nowak and Novak are known to be one person. The work grows with
    the number of distinct names in the document, not with the number of mentions.

    A part of an organisation's name that the corpus names in more articles than the whole
    is an entity of its own ("U.N." in a story on the "U.N. General Assembly"), not a short
    form of it; nor is a common word ("House" in a story on the White House).
    """
    starts: dict[str, list[int]] = defaultdict(list)
    example: dict[str, _Item] = {}
    longs: dict[str, set[tuple[str, tuple[str, ...], str]]] = defaultdict(set)
    for item in doc_items:
        if len(item.tokens) < 2 or item.via is not None or item.short_of is not None:
            continue
        root = root_of[item.key]
        kind = types.get(root, item.type)
        if kind not in ("PERSON", "ORG"):
            continue
        starts[root].append(item.start)
        if root not in example:
            example[root] = item
            for name in names_of.get(root, {item.tokens}):
                for token in set(name):
                    longs[token].add((root, name, kind))
    if not longs:
        return
    found: dict[tuple[str, str, str], list[str]] = {}
    for item in doc_items:
        if item.via is not None or item.short_of is not None or len(item.tokens) > 3:
            continue
        signature = (item.key, item.type, item.cue)
        if signature not in found:
            own = root_of[item.key]
            found[signature] = sorted({
                root for root, name, kind in longs.get(item.tokens[0], ())
                if root != own and _is_short_form(item, name, kind)
                and (kind != "ORG" or (spread[item.key] <= spread[example[root].key]
                                       and _stem(item.key) not in common))
            })
        candidates = found[signature]
        if len(candidates) > 1:  # several people share the name: the nearest one before it
            before = [(_last_before(starts[root], item.start), root) for root in candidates]
            before = [pair for pair in before if pair[0] >= 0]
            candidates = [max(before)[1]] if before else []
        if len(candidates) == 1:
            [root] = candidates
            item.short_of = root
            clusters.changes += 1
            clusters.joined.setdefault(f"{item.doc}#{item.start}", (
                "short form in document", f"{item.name} -> {example[root].name}"))


def _last_before(positions: list[int], position: int) -> int:
    """The largest of the sorted ``positions`` below ``position``, or -1."""
    index = bisect_left(positions, position)
    return positions[index - 1] if index else -1


def _is_short_form(short: _Item, long: tuple[str, ...], kind: str) -> bool:
    n = len(short.tokens)
    if n >= len(long) or all(t in _SMALL_WORDS or t in ORG_SUFFIXES for t in short.tokens):
        return False  # "the", "Party": no name of its own
    if kind == "PERSON":
        if short.type not in ("PERSON", "ORG") and short.cue != "PERSON":
            return False
        if long[-n:] == short.tokens:
            return True
        # a first name alone is weak evidence: only a mention read as a person's
        return n == 1 and long[0] == short.tokens[0] and short.type == "PERSON"
    if short.type != "ORG":  # a person's reading of the first word of a company's name
        return (short.type == "PERSON" and n == 1 and long[0] == short.tokens[0]
                and not is_known_place(short.name))  # "Manchester" is no Manchester United
    return any(long[i:i + n] == short.tokens for i in range(len(long) - n + 1))


def _names_of(items: list[_Item], root_of: dict[str, str]) -> dict[str, set[tuple[str, ...]]]:
    """Multi-word names (as tokens) of each cluster root."""
    names: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for item in items:
        if len(item.tokens) >= 2 and item.short_of is None and item.via is None:
            names[root_of[item.key]].add(item.tokens)
    return names


def _surnames_across_documents(
    items: list[_Item], clusters: _Clusters, provisional: dict[str, str], common: set[str],
    spread: Counter[str],
) -> None:
    """A surname left alone joins the only person in the corpus with that surname; the
    first word of an organisation's name left alone ("Shearson", "Dome") the only
    organisation whose name starts with it, unless it is a common word or more articles
    name it than the organisation ("U.N." and the "U.N. General Assembly")."""
    surnames: dict[tuple[str, ...], set[str]] = defaultdict(set)
    firsts: dict[tuple[str, ...], set[str]] = defaultdict(set)
    root_of = clusters.roots()
    for item in items:
        root = root_of[item.key]
        if len(item.tokens) < 2 or item.short_of is not None:
            continue
        kind = provisional.get(root)
        if kind == "PERSON":
            surnames[item.tokens[-1:]].add(root)
            if len(item.tokens) >= 3:
                surnames[item.tokens[-2:]].add(root)
        elif kind == "ORG":
            firsts[item.tokens[:1]].add(item.key)
    multi = {root_of[i.key] for i in items if len(i.tokens) >= 2}
    for item in items:
        root = clusters.find(item.key)
        if item.short_of or len(item.tokens) > 2 or root in multi or item.key.startswith("country"):
            continue
        if provisional.get(root, item.type) not in ("PERSON", "ORG"):
            continue  # a place, a nationality, an award: no surname
        candidates = surnames.get(item.tokens, set()) - {root}
        if len(candidates) == 1:
            [person] = candidates
            clusters.union(person, item.key, "surname across documents",
                           f"the only person named ... {item.name}")
        elif not candidates and provisional.get(root, item.type) == "ORG":
            owners = firsts.get(item.tokens, set())
            if (item.key not in common and len({root_of[k] for k in owners}) == 1
                    and spread[item.key] <= max(spread[k] for k in owners)):
                clusters.union(min(owners), item.key, "first word across documents",
                               f"the only organisation named {item.name} ...")


def _generic_forms(items: list[_Item], clusters: _Clusters, provisional: dict[str, str],
                   common: set[str]) -> None:
    """Join a name to its form with a generic word or a plural: a place and "Gaza Strip",
    an organisation and "Labour Party" or "Sony Corporation", "Lib Dem" and "Lib Dems".
    Not when the name is a common word: "Bank Ltd" and "Bank AG" are pieces of other
    names, and "Bank" is none."""
    root_of = clusters.roots()
    kind_of = {i.key: provisional.get(root_of[i.key], i.type) for i in items}
    for key in sorted(kind_of):
        words = key.split()
        kind = kind_of[key]
        generics = PLACE_GENERICS if kind == "PLACE" else ORG_SUFFIXES if kind == "ORG" else ()
        base = _stem(" ".join(words[:-1]), generics)
        if _stem(base) in common:
            continue
        if words[-1] in generics and kind_of.get(base) == kind:
            clusters.union(base, key, _GENERIC_RULE[kind], f"{key} = {base}")
        elif (key.endswith("s") and len(words[-1]) >= 4 and kind_of.get(key[:-1]) == kind
              and (len(words) >= 2 or kind == "ORG") and _stem(key[:-1]) not in common):
            clusters.union(key[:-1], key, "plural", f"{key} = {key[:-1]}")


def _common_words(documents: list[ExtractedDocument], items: list[_Item]) -> set[str]:
    """Names of one to three words (their stems, see ``_stem``) the corpus writes in lower
    case far more often than capitalised inside a sentence: a common word in a headline or
    at a sentence start ("Budget airline Ryanair"), a generic name that many institutions
    share ("the central bank"), a piece of a longer name cut at a line break ("Bank Ltd").
    A capital inside a sentence is what makes a name ("Labour" beside "labour costs")."""
    starts = {d.info.id: {s.start for s in d.sentences} for d in documents}
    candidates = [i for i in items if len(i.tokens) <= COMMON_WORDS + 1
                  and i.via is None and not is_acronym(i.name)]
    capitalised = Counter(_stem(i.key) for i in candidates if i.start not in starts[i.doc])
    stems = {_stem(i.key) for i in candidates}
    firsts = {key.split(" ", 1)[0] for key in stems}
    lower: Counter[str] = Counter()
    for document in documents:
        for sentence in document.sentences:
            words = _WORD.findall(sentence.text)
            for i, word in enumerate(words):
                if word not in firsts:
                    continue
                for n in range(1, COMMON_WORDS + 1):
                    phrase = " ".join(words[i:i + n])
                    if phrase in stems and phrase.islower():
                        lower[phrase] += 1
    return {key for key, count in lower.items()
            if count >= COMMON_MIN and count >= COMMON_RATIO * capitalised[key]}


def _spelling_variants(
    items: list[_Item], clusters: _Clusters, provisional: dict[str, str]
) -> None:
    """Join multi-word names of one type that differ by a letter or two inside one word."""
    blocks: dict[tuple[object, ...], set[str]] = defaultdict(set)
    for key, kind in _variant_candidates(items, clusters, provisional):
        tokens = key.split()
        for i, word in enumerate(tokens):
            # only names equal but for this word, which starts and ends with the same letters
            # (the first or the last word, of three letters or more, is shared)
            if (i > 0 and len(tokens[0]) >= 3) or (i < len(tokens) - 1
                                                   and len(tokens[-1]) >= 3):
                blocks[(kind, i, *tokens[:i], word[0], word[-1], *tokens[i + 1:])].add(key)
    partners: dict[str, set[str]] = defaultdict(set)
    scores: dict[tuple[str, str], float] = {}
    for block in blocks.values():
        if len(block) > MAX_BLOCK or len(block) < 2:
            continue
        ordered = sorted(block)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                score = _variant_score(a, b)
                if score and clusters.find(a) != clusters.find(b):
                    partners[clusters.find(a)].add(clusters.find(b))
                    partners[clusters.find(b)].add(clusters.find(a))
                    scores[(a, b)] = score
    for (a, b), score in sorted(scores.items()):
        ra, rb = clusters.find(a), clusters.find(b)
        if ra != rb and partners[ra] == {rb} and partners[rb] == {ra}:
            clusters.union(a, b, "spelling variant", f"{a} ~ {b} (similarity {score:.0f})")


def _variant_candidates(
    items: list[_Item], clusters: _Clusters, provisional: dict[str, str]
) -> set[tuple[str, str]]:
    """``(name key, type)`` of the multi-word names that may have spelling variants."""
    root_of = clusters.roots()
    return {
        (item.key, provisional.get(root_of[item.key], item.type))
        for item in items
        if len(item.tokens) >= 2 and not item.short_of and not item.key.startswith("country")
    }


def _variant_score(a: str, b: str) -> float:
    """Similarity (0-100) of two names differing inside one word, or 0 if not variants."""
    ta, tb = a.split(), b.split()
    if len(ta) != len(tb):
        return 0.0
    differing = [(x, y) for x, y in zip(ta, tb, strict=True) if x != y]
    if len(differing) != 1:
        return 0.0
    x, y = differing[0]
    shortest = min(len(x), len(y))
    allowed = 2 if shortest >= 8 else 1 if shortest >= 5 else 0
    if not allowed or x[0] != y[0] or x[-1] != y[-1]:
        return 0.0
    distance = Levenshtein.distance(x, y)
    if distance > allowed:
        return 0.0
    return 100.0 * (1 - distance / max(len(a), len(b)))


def _types(items: list[_Item], root_of: dict[str, str],
           votes: dict[str, dict[str, float]] | None = None) -> dict[str, str]:
    """The type of each cluster root: the vote, ties to the type of its longest name."""
    votes = votes if votes is not None else _votes(items, root_of)
    longest: dict[str, _Item] = {}
    for item in items:
        root = root_of[item.short_of or item.key]
        best = longest.get(root)
        if best is None or item.rank > best.rank:
            longest[root] = item
    return {root: "PLACE" if root.startswith("country:") else
            _winner(votes[root], longest[root].type) for root in longest}


def _length(item: _Item) -> tuple[int, int, str, int]:
    rank = TYPE_ORDER.index(item.type) if item.type in TYPE_ORDER else len(TYPE_ORDER)
    return (len(item.tokens), len(item.name), item.name, -rank)


def _votes(items: list[_Item], root_of: dict[str, str]) -> dict[str, dict[str, float]]:
    """Type votes per cluster root. A short form that joined a longer name in its article
    was read as that name's type when it joined ("Bellamy" as Craig Bellamy's surname), so
    the model's label of it does not vote; its context words do."""
    multi_word = {root_of[i.key] for i in items if len(i.tokens) >= 2}
    votes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in items:
        root = root_of[item.short_of or item.key]
        if item.short_of is None:
            short = len(item.tokens) == 1 and root in multi_word
            votes[root][item.type] += SHORT_FORM_WEIGHT if short else 1.0
        if item.cue:
            votes[root][item.cue] += CUE_WEIGHT
    return votes


def _cue_led(kind: str, cluster: list[_Item]) -> str:
    """The type the words around an entity's mentions point to, where they contradict the
    recogniser's reading and nothing backs that reading: "Yukos shares", "oil giant Yukos"
    and never "Mr Yukos" make an organisation of what the model keeps calling a person;
    "Windows users" a product of what it calls a place. Only the three types the model
    confuses are corrected, never into a place ("in Parliament" is no place), and places
    that ISO 3166 names (a country or a region, "Wales", "Bayern") keep their type."""
    if kind not in _CONFUSED:
        return kind
    cues = Counter(item.cue for item in cluster if item.cue)
    # the model's own readings as a kind of name not kept count as such words too
    cues.update(item.type for item in cluster if item.type not in _CONFUSED)
    others = [(count, cue) for cue, count in cues.items() if cue not in (kind, "PLACE")]
    if not others:
        return kind
    count, other = max(others)
    if (count < CUE_LED_MIN or count < CUE_LED_SHARE * len(cluster)
            or 2 * cues[kind] >= count):
        return kind
    if kind == "PLACE" and any(is_known_place(item.name) for item in cluster):
        return kind
    return other


def _winner(votes: dict[str, float], fallback: str = "") -> str:
    if not votes:
        return fallback
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    best = max(votes.values())
    tied = [t for t, v in votes.items() if v == best]
    if fallback in tied:
        return fallback
    return min(tied, key=lambda t: (rank.get(t, len(rank)), t))


def _stem(key: str, endings: frozenset[str] | tuple[()] = ORG_SUFFIXES) -> str:
    """A name key without its company endings (or other ``endings``), keeping one word at
    least: ``bank ltd`` -> ``bank``."""
    words = key.split()
    while len(words) > 1 and words[-1] in endings:
        words.pop()
    return " ".join(words)


def _entities(
    items: list[_Item], clusters: _Clusters, overrides: Overrides, ignored: int,
    keep: set[str] | None = None, common: set[str] | frozenset[str] = frozenset(),
) -> Resolution:
    """Entities from the clusters: each named, typed by the vote, and dropped when its type
    is not wanted (an award, a film, a nationality) or all its names are common words."""
    root_of = clusters.roots()
    votes = _votes(items, root_of)
    decided = _types(items, root_of, votes)
    members: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        members[root_of[item.short_of or item.key]].append(item)
    for root, cluster in members.items():
        decided[root] = _cue_led(decided[root], cluster)
    entities: dict[str, Entity] = {}
    entity_of: dict[tuple[str, int], str] = {}
    rows: dict[tuple[str, str, str, str], list[_Item]] = defaultdict(list)
    used: set[str] = set()
    # entities known by one name only choose first, so a name is not taken from them
    for root in sorted(members, key=lambda r: (len({i.name for i in members[r]}),
                                               -len(members[r]), r)):
        cluster = members[root]
        kind = overrides.types.get(root) or decided[root]
        if ((keep is not None and kind not in keep)
                or (root not in overrides.types
                    and all(_stem(i.key) in common for i in cluster))):
            ignored += len(cluster)
            continue
        chosen = [i.via[1] for i in cluster if i.via and i.via[0] == "your alias file"]
        label = min(chosen) if chosen else _label(cluster, kind, used)  # the user's name
        used.add(name_key(label))
        ident = entity_id(kind, label)
        suffix = 2
        while ident in entities:
            ident, suffix = f"{entity_id(kind, label)}-{suffix}", suffix + 1
        aliases = tuple(sorted({i.name for i in cluster}))
        entities[ident] = Entity(ident, label, kind, aliases)
        for item in cluster:
            entity_of[(item.doc, item.start)] = ident
            rule, detail = _rule(item, clusters, label)
            if rule:
                rows[(ident, item.name, rule, detail)].append(item)
        if any(i.type != kind for i in cluster):
            tally = ", ".join(f"{t} {v:g}" for t, v in sorted(votes[root].items()))
            rows[(ident, label, "type vote", f"{kind} from votes {tally}")].extend(cluster)
    merges = [
        Merge(ident, name, rule, len(group), tuple(sorted({i.doc for i in group}))[:5], detail)
        for (ident, name, rule, detail), group in sorted(rows.items())
    ]
    logger.debug("%d entities from %d mentions (%d ignored)", len(entities), len(items), ignored)
    return Resolution(entities, entity_of, merges, ignored)


def _label(cluster: list[_Item], kind: str, used: set[str]) -> str:
    """Display name: the most frequent full name (for people, of two words or more).

    A name another entity already uses as its label is passed over when there is another,
    so that no two entities look the same.
    """
    counts = Counter(i.name for i in cluster if not (i.via and i.via[0] in _NO_LABEL))
    if not counts:  # only nationality words: name the country
        return country_name(cluster[0].key.removeprefix("country:"))
    full = [n for n in counts if len(n.split()) >= 2 and not is_acronym(n)]
    pool = full if kind == "PERSON" and full else list(counts)
    ranked = sorted(pool, key=lambda n: (-counts[n], -len(n), n))
    ranked += sorted(set(counts) - set(pool), key=lambda n: (-counts[n], -len(n), n))
    return next((n for n in ranked if name_key(n) not in used), ranked[0])


def _rule(item: _Item, clusters: _Clusters, label: str) -> tuple[str, str]:
    """The rule that put ``item`` in its entity, or ("", "") for the label itself."""
    if item.short_of is not None:
        return clusters.joined[f"{item.doc}#{item.start}"]
    if item.via is not None and name_key(item.name) != name_key(label):
        return item.via
    if item.key in clusters.joined and item.name != label:
        return clusters.joined[item.key]
    if item.name != label:
        return "same name", "same letters once case, accents and punctuation are ignored"
    return "", ""
