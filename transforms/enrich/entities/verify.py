"""Type verification after the model: what a span must show to be a person, an organisation.

Two passes inside an article. screen_mentions (before names are propagated) drops what is no
name at all: product and technology terms ("Python", "JSON", "SEO"), common words capitalised at
a line start or in a heading ("Pros", "Download"), and cuts spans at a possessive or a dash.
weigh_people (after in-article linking) records the evidence each person mention has (a title, a
first name, a link to a full name in the article) and drops spans that cannot be people (a
nationality or a common word first, a street, a term inside). A one-word person with no evidence
is kept as 'none': resolution keeps it only if other articles agree (transforms.enrich.entities
.resolve).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, cached_property

from transforms.enrich.entities import geo, lexicons
from transforms.enrich.entities.names import fold_text, load_word_list
from transforms.enrich.entities.spans import Mention

# What a mention's type rests on (MENTION_SCHEMA.type_evidence).
TYPE_EVIDENCE = (
    "title", "first_name", "full_name", "name", "gazetteer", "acronym", "model", "none",
)  # fmt: skip
# Evidence that makes a person mention count on its own.
PERSON_EVIDENCE = frozenset({"title", "first_name", "full_name", "name"})
# Last words of street and facility names: "Baker Street" is not a person.
STREET_WORDS = frozenset(
    {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "drive",
     "highway", "square", "bridge", "park", "strasse", "platz", "rue", "place", "way", "terrace",
     "court", "plaza", "station", "airport", "tower", "hall", "hotel", "stadium", "arena"}
)  # fmt: skip
# Words a name never ends with: a span "Jones F. The" ran past the name.
_FUNCTION_WORDS = frozenset(
    {"the", "a", "an", "we", "i", "you", "it", "he", "she", "they", "of", "and", "or", "to",
     "in", "on", "for", "with", "is", "are", "was", "our", "your", "my", "this", "that"}
)  # fmt: skip
_LINE_LEAD = re.compile(r"[\s\-–—•*·#>|:;,.()\[\]\"'“”‘’0-9]*")
_SENTENCE_END = frozenset('.!?:;"“”')
_CUT = re.compile(r"\s[-–—|]\s|\s*[|•]\s*")
_POSSESSIVE_INSIDE = re.compile(r"['’]s\b")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
HEADING_MAX_WORDS = 12


class ArticleText:
    """The body of one article with the line and case facts verification asks about."""

    def __init__(self, body: str, language: str = "en") -> None:
        """Index the body's lines."""
        self.body = body
        self.language = language
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self._lowercase: dict[str, bool] = {}
        self._mid_sentence: dict[str, bool] = {}

    def line_of(self, position: int) -> tuple[int, int]:
        """Return the (start, end) of the line holding a position."""
        index = bisect_right(self.line_starts, position) - 1
        start = self.line_starts[index]
        end = self.body.find("\n", start)
        return start, len(self.body) if end == -1 else end

    def at_line_start(self, position: int) -> bool:
        """Return True when only bullets, numbers or punctuation precede it on its line."""
        start, _ = self.line_of(position)
        return _LINE_LEAD.fullmatch(self.body, start, position) is not None

    def at_sentence_start(self, position: int) -> bool:
        """Return True at a line start or after a sentence end."""
        if self.at_line_start(position):
            return True
        before = self.body[:position].rstrip()
        return not before or before[-1] in _SENTENCE_END

    @cached_property
    def headings(self) -> frozenset[int]:
        """Return the start offsets of heading-like lines: short, unpunctuated, title-cased."""
        found = set()
        for start in self.line_starts:
            end = self.body.find("\n", start)
            line = self.body[start : len(self.body) if end == -1 else end].strip()
            words = _WORD.findall(line)
            if not words or len(words) > HEADING_MAX_WORDS or line[-1] in '.!?,;"”':
                continue
            capitalised = sum(word[0].isupper() for word in words)
            if len(words) <= 3 or capitalised >= 0.6 * len(words):
                found.add(start)
        return frozenset(found)

    def in_heading(self, position: int) -> bool:
        """Return True when the position is on a heading-like line."""
        return self.line_of(position)[0] in self.headings

    def at_opening(self, position: int) -> bool:
        """Return True where any word is capitalised: a sentence start or a heading."""
        return self.at_sentence_start(position) or self.in_heading(position)

    def has_lowercase(self, word: str) -> bool:
        """Return True when the word also occurs in lowercase in the body ('porting')."""
        lower = word.lower()
        if lower not in self._lowercase:
            pattern = r"(?<![\w\-])" + re.escape(lower) + r"(?![\w\-])"
            self._lowercase[lower] = lower != word and re.search(pattern, self.body) is not None
        return self._lowercase[lower]

    def has_mid_sentence(self, word: str) -> bool:
        """Return True when the capitalised word also occurs mid-sentence outside headings."""
        if word not in self._mid_sentence:
            pattern = re.compile(r"(?<![\w\-])" + re.escape(word) + r"(?![\w\-])")
            self._mid_sentence[word] = any(
                not self.at_opening(match.start()) for match in pattern.finditer(self.body)
            )
        return self._mid_sentence[word]

    def is_common(self, word: str) -> bool:
        """Return True for a word that is a common lowercase word here or in the language."""
        return self.has_lowercase(word) or lexicons.is_common_word(word, self.language)


def _words(text: str) -> list[str]:
    """Return the words of a span."""
    return _WORD.findall(text)


def _trim(body: str, mention: Mention) -> Mention | None:
    """Cut a span at a possessive or a dash inside it ("Wix’s AI" -> "Wix"); None when empty."""
    text = body[mention.start : mention.end]
    cut = len(text)
    for pattern in (_POSSESSIVE_INSIDE, _CUT):
        match = pattern.search(text)
        if match is not None and match.start() > 0:
            cut = min(cut, match.start())
    while True:
        words = list(re.finditer(r"\S+", text[:cut]))
        if len(words) > 1 and fold_text(words[-1].group()) in _FUNCTION_WORDS:
            cut = words[-1].start()
            continue
        break
    text = text[:cut].rstrip(" ,;:-–—'’\"")
    if not text:
        return None
    if len(text) != mention.end - mention.start:
        mention.end = mention.start + len(text)
        mention.local_name = ""
    return mention


def _is_place(text: str) -> bool:
    """Return True when a name is a known place (a country or city of the gazetteer)."""
    return any(not c.is_alternate for c in geo.find_places(text))


def _drop_common_opening(article: ArticleText, mention: Mention) -> Mention | None:
    """Handle a span opening a sentence or heading with a common word.

    One-word spans are dropped unless the word is also capitalised mid-sentence (a name used at
    a line start too) or a known place; a person span loses its common first words ("Porting
    Mercurial" -> "Mercurial", "Choose Shopify" -> "Shopify").
    """
    body = article.body
    text = body[mention.start : mention.end]
    words = list(re.finditer(r"\S+", text))
    if not words or mention.source in ("gazetteer", "dateline", "acronym"):
        return mention
    if not article.at_opening(mention.start):
        return mention
    first = words[0].group()
    if len(words) == 1:
        if first.isupper() and len(first) > 1:
            return mention  # acronyms are screened as terms
        if (
            article.is_common(first)
            and not article.has_mid_sentence(first)
            and not (mention.label in ("GPE", "LOC") and _is_place(first))
        ):
            return None
        return mention
    if mention.label == "PERSON" and not lexicons.is_first_name(first):
        index = 0
        while index < len(words) - 1 and article.is_common(words[index].group()):
            if lexicons.is_first_name(words[index].group()):
                break
            index += 1
        if index:
            mention.start += words[index].start()
            mention.local_name = ""
            return _drop_common_opening(article, mention) if index < len(words) else None
    if article.in_heading(mention.start) and all(article.is_common(word.group()) for word in words):
        return None  # "Social Media Marketing" as a heading
    return mention


def screen_mentions(article: ArticleText, mentions: list[Mention]) -> list[Mention]:
    """Return the mentions that can be names at all (terms, common words, run-on spans gone)."""
    kept = []
    for mention in mentions:
        if _trim(article.body, mention) is None:
            continue
        text = article.body[mention.start : mention.end]
        if lexicons.is_term(text) and mention.source != "gazetteer":
            continue
        if fold_text(text) in load_word_list("org_words.txt") and " " not in text:
            continue  # "LLC", "Group" alone
        if _drop_common_opening(article, mention) is None:
            continue
        kept.append(mention)
    return kept


@cache
def _country_words() -> frozenset[str]:
    """Return the folded one-word country names ('germany', 'iraq')."""
    gazetteer = geo.load_gazetteer()
    return frozenset(
        folded
        for names in gazetteer.country_names.values()
        for name in names
        if " " not in (folded := fold_text(name))
    )


def _is_nationality(word: str) -> bool:
    """Return True for a demonym or a one-word country name ('German', 'Iraqi', 'France')."""
    return geo.demonym_country(word) is not None or fold_text(word) in _country_words()


def _title_before(body: str, start: int) -> bool:
    """Return True when a title word ('Mr', 'President', 'Dr.') stands right before a name."""
    words = re.findall(r"[^\W\d_][\w.]*", body[max(0, start - 40) : start])
    titles = load_word_list("titles.txt")
    return bool(words) and fold_text(words[-1]) in titles


def person_evidence(article: ArticleText, mention: Mention) -> str:
    """Return what makes a person mention a person ('none' when nothing), or '' to drop it."""
    text = article.body[mention.start : mention.end]
    words = _words(mention.local_name or text)
    if not words:
        return ""
    folded = [fold_text(word) for word in words]
    if len(words) > 5 or any(word in load_word_list("org_words.txt") for word in folded):
        return ""
    if len(words) > 1 and _is_nationality(words[0]):
        return ""  # "German Reich", "Iraqi Kurdistan": a nationality is no first name
    if folded[-1] in STREET_WORDS:
        return ""
    first_name = lexicons.is_first_name(words[0])
    if any(lexicons.is_term(word) for word in words[1:]) or (
        lexicons.is_term(words[0]) and not first_name
    ):
        return ""
    if _title_before(article.body, mention.start):
        return "title"
    if len(words) == 1:
        return "none"
    if len(_words(text)) == 1:
        return "full_name"  # linked to a full name found in the article
    if first_name:
        return "first_name"
    if all(article.is_common(word) for word in words if not word.isupper()):
        return ""  # "Deep Calm", "Hard Copy": common words, no first name
    return "name"


def weigh_people(article: ArticleText, mentions: list[Mention]) -> list[Mention]:
    """Return the mentions with person evidence set; spans that cannot be people are dropped."""
    kept = []
    verdicts: dict[tuple[str, str], str] = {}
    for mention in mentions:
        if mention.label != "PERSON":
            mention.evidence = mention.evidence or _evidence_of_source(mention)
            kept.append(mention)
            continue
        key = (article.body[mention.start : mention.end], mention.local_name)
        if key not in verdicts:
            verdicts[key] = person_evidence(article, mention)
        evidence = verdicts[key]
        if evidence == "none" and _title_before(article.body, mention.start):
            evidence = "title"
        if evidence:
            mention.evidence = evidence
            kept.append(mention)
    # A name the article once gives a title or a first name to is a person at every mention.
    strong = {m.local_name for m in kept if m.label == "PERSON" and m.evidence != "none"}
    for mention in kept:
        if mention.evidence == "none" and mention.local_name in strong:
            mention.evidence = "full_name"
    return kept


def _evidence_of_source(mention: Mention) -> str:
    """Return the evidence of an organisation or place mention: where it came from."""
    if mention.source in ("gazetteer", "dateline"):
        return "gazetteer"
    if mention.source == "acronym":
        return "acronym"
    return "model"
