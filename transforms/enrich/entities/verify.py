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

# What a mention's type rests on (MENTION_SCHEMA.type_evidence). For people, best first: a title
# before a mention, a speech verb after one, a known first name, a short form of a full name
# with one of those; then 'name' (looks like a name, nothing more) and 'none' (one word).
TYPE_EVIDENCE = (
    "title", "context", "first_name", "full_name", "name", "none", "gazetteer", "acronym", "model",
)  # fmt: skip
_RANK = {evidence: rank for rank, evidence in enumerate(TYPE_EVIDENCE)}
# Person evidence that stands on its own; 'name' and 'none' need another article to agree.
STRONG_PERSON_EVIDENCE = frozenset({"title", "context", "first_name", "full_name"})
UNCONFIRMED_EVIDENCE = frozenset({"name", "none"})
# Words that make the next capitalised words a person: honorifics, offices, professions.
PERSON_TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
     "president", "senator", "sen", "rep", "representative", "congressman", "congresswoman",
     "gov", "governor", "mayor", "minister", "chancellor", "premier", "ambassador", "secretary",
     "gen", "general", "col", "colonel", "capt", "captain", "lt", "lieutenant", "sgt", "sergeant",
     "adm", "admiral", "judge", "justice", "rabbi", "rev", "reverend", "father", "pope", "imam",
     "sheikh", "king", "queen", "prince", "princess", "emperor", "ceo", "cfo", "cto", "founder",
     "cofounder", "co-founder", "chairman", "chairwoman", "spokesman", "spokeswoman",
     "spokesperson", "coach", "actor", "actress", "singer", "rapper", "author", "writer",
     "novelist", "poet", "artist", "director", "producer", "journalist", "reporter", "editor",
     "columnist", "economist", "scientist", "researcher", "photographer", "designer",
     "architect", "chef", "player", "striker", "goalkeeper", "midfielder", "defender",
     "quarterback", "pitcher", "driver", "rider", "boxer", "champion", "musician", "composer",
     "comedian", "filmmaker", "historian", "philosopher", "lawyer", "attorney", "doctor",
     "nurse", "mme", "mlle", "monsieur", "madame", "herr", "frau"}
)  # fmt: skip
_SPEECH_AFTER = re.compile(
    r"(?:['’]s)?,?\s+(?:said|says|told|added|explained|wrote|writes|noted|recalled|argued|"
    r"insisted|warned|asked|replied|stated|believes|thinks|who|confirmed|announced|stressed|"
    r"emphasized|emphasised|urged|denied|claimed|acknowledged|admitted|dit|a\s+déclaré|"
    r"explique|ajoute|estime)\b"
)
# Role words of an appositive after a name: "Othman al-Ghanimi, the Army's Chief of Staff".
_ROLE_WORDS = PERSON_TITLES | {
    "chief", "head", "leader", "owner", "member", "officer", "manager", "analyst", "student",
    "expert", "official", "adviser", "advisor", "envoy", "commander", "candidate", "partner",
    "president", "vice", "deputy", "employee", "engineer", "developer", "consultant",
    "teacher", "mother", "father", "son", "daughter", "wife", "husband", "resident",
}  # fmt: skip
# The words between the article and the role hold no verb: "In Mentor Mode, the AI is a
# teacher" is a sentence about a thing, not a person's role.
_APPOSITIVE = re.compile(
    r"(?:['’]s)?,\s+(?:the|a|an|its|his|her|their|our|le|la|l['’]|un|une)\s*"
    r"(?:(?!(?:is|are|was|were|has|have|had|will|can|acts?)\b)[\w'’.-]+\s+){0,5}?"
    r"(?:" + "|".join(sorted(_ROLE_WORDS)) + r")\b",
    re.IGNORECASE,
)
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
# Last words of fields and disciplines written in title case ("Social Media Marketing").
FIELD_WORDS = frozenset(
    {"marketing", "media", "intelligence", "optimization", "optimisation", "learning",
     "management", "development", "design", "engineering", "computing", "analytics", "science",
     "technology", "security", "commerce", "professional", "certification", "strategy",
     "advertising", "automation", "ontology", "cardio", "training", "fitness", "nutrition"}
)  # fmt: skip
# The words before a field word are at least this common ("Vox Media" is a company; the
# field words themselves may be rarer: 'cardio').
FIELD_WORD_ZIPF = 3.5
_LINE_LEAD = re.compile(r"[\s\-–—•*·#>|:;,.()\[\]\"'“”‘’0-9]*")
_SENTENCE_END = frozenset('.!?:;"“”')
_CUT = re.compile(r"\s[-–—|]\s|\s*[|•]\s*")
_POSSESSIVE_INSIDE = re.compile(r"['’]s\b")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
HEADING_MAX_WORDS = 12
_RUN = re.compile(r"[\w\-]+")


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

    @cached_property
    def _runs(self) -> frozenset[str]:
        """Return the body's maximal runs of word characters and hyphens ('e-mail', 'porting')."""
        return frozenset(_RUN.findall(self.body))

    def has_lowercase(self, word: str) -> bool:
        """Return True when the word also occurs in lowercase in the body ('porting')."""
        lower = word.lower()
        if lower not in self._lowercase:
            if lower == word:
                found = False
            elif _RUN.fullmatch(lower):  # a set lookup, not a search of the body per word
                found = lower in self._runs
            else:
                pattern = r"(?<![\w\-])" + re.escape(lower) + r"(?![\w\-])"
                found = re.search(pattern, self.body) is not None
            self._lowercase[lower] = found
        return self._lowercase[lower]

    def has_mid_sentence(self, word: str) -> bool:
        """Return True when the capitalised word also occurs mid-sentence outside headings."""
        if word not in self._mid_sentence:
            pattern = re.compile(r"(?<![\w\-])" + re.escape(word) + r"(?![\w\-])")
            self._mid_sentence[word] = any(
                not self.at_opening(match.start()) for match in pattern.finditer(self.body)
            )
        return self._mid_sentence[word]

    @cached_property
    def folded(self) -> str:
        """Return the folded body, padded with spaces (phrase lookups match whole words)."""
        return f" {fold_text(self.body)} "

    def has_phrase(self, folded_phrase: str) -> bool:
        """Return True when the folded body holds the folded phrase as whole words."""
        return f" {folded_phrase} " in self.folded

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
    if not any(char.isupper() for char in text):
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
            if not words[index].group()[0].isupper():
                return None
            mention.start += words[index].start()
            mention.local_name = ""
            return _drop_common_opening(article, mention)
    if article.in_heading(mention.start) and all(article.is_common(word.group()) for word in words):
        return None  # "Social Media Marketing" as a heading
    return mention


_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|outside|across|around|into|through|visit|visiting|of)|,)\s+$",
    re.IGNORECASE,
)


def in_place_context(body: str, start: int, end: int) -> bool:
    """Return True where a name reads as a place: 'in Hakone', 'Phoenix, Arizona'."""
    if _PLACE_BEFORE.search(body[max(0, start - 12) : start]):
        return True
    after = re.match(r",\s+([A-Z][\w.]+)", body[end : end + 30])
    return after is not None and bool(geo.find_places(after.group(1)))


def _is_plain_place(article: ArticleText, mention: Mention, text: str) -> bool:
    """Return True unless a one-word place is a word or an unknown name used like a thing.

    A common word ("Rest", "Design") or a name the gazetteer does not know ("Kajabi") is a place
    only where the text says so: 'in', 'at', 'near'... before it, or ', <place>' after it.
    Countries, continents and subdivisions need nothing ("Turkey", "Georgia", "Europe").
    """
    if " " in text or mention.source in ("gazetteer", "dateline", "acronym") or text.isupper():
        return True
    found = [c for c in geo.find_places(text) if not c.is_alternate]
    if any(c.place.kind in ("country", "continent", "subdivision") for c in found):
        return True
    if not found and article.has_lowercase(text):
        return False  # "Design" where the article also says "design"
    # wordfreq folds case, so city names are "frequent" too ('phoenix', 'austin'): only the
    # article writing the word in lowercase shows it is a word here ("Rest" of "rest").
    if found and not article.has_lowercase(text):
        return True
    return in_place_context(article.body, mention.start, mention.end)


def _is_term_phrase(article: ArticleText, text: str) -> bool:
    """Return True for an organisation span that is a phrase of common words, not a name.

    One word the article also writes in lowercase ("Software", "Cloud"), or several words the
    article also writes in lowercase ("Search engine optimization").
    """
    words = _words(text)
    if not words or text.isupper():
        return False
    if (
        len(words) > 1
        and fold_text(words[-1]) in FIELD_WORDS
        and all(lexicons.word_zipf(word) >= FIELD_WORD_ZIPF for word in words[:-1])
    ):
        return True  # a field, not a body: "Search Engine Optimization", "Social Media"
    org_words = load_word_list("org_words.txt")
    if len(words) > 1 and all(
        lexicons.is_term(word) or fold_text(word) in org_words for word in words
    ):
        return True  # a term and a business word: "MBB Consulting"
    if any(fold_text(word) in org_words for word in words):
        return False
    if len(words) > 1 and lexicons.is_term(words[-1]):
        return True  # a product: "Proton VPN", "Acme AI"
    if len(words) == 1:
        return article.has_lowercase(words[0]) and lexicons.is_common_word(
            words[0], article.language
        )
    return article.has_lowercase(text) or (
        all(article.is_common(word) for word in words) and article.has_lowercase(words[-1])
    )


@cache
def _terms_by_last_word() -> dict[str, tuple[str, ...]]:
    """Return the several-word terms by their last word ('actions': 'github actions')."""
    found: dict[str, list[str]] = {}
    for term in lexicons.terms():
        words = term.split()
        if len(words) > 1:
            found.setdefault(words[-1], []).append(term)
    return {word: tuple(terms) for word, terms in found.items()}


def _short_for_term(article: ArticleText, text: str) -> bool:
    """Return True for one word that shortens a product term of the article ("Actions")."""
    folded = fold_text(text)
    return " " not in folded and any(
        article.has_phrase(term) for term in _terms_by_last_word().get(folded, ())
    )


def screen_mentions(article: ArticleText, mentions: list[Mention]) -> list[Mention]:
    """Return the mentions that can be names at all (terms, common words, run-on spans gone)."""
    kept = []
    for mention in mentions:
        if _trim(article.body, mention) is None:
            continue
        if mention.label in ("ORG", "PERSON") and mention.source == "model":
            _cut_to_company(article.body, mention)
        text = article.body[mention.start : mention.end]
        if lexicons.is_term(text) and mention.source != "gazetteer":
            continue
        if fold_text(text) in load_word_list("org_words.txt") and " " not in text:
            continue  # "LLC", "Group" alone
        if _drop_common_opening(article, mention) is None:
            continue
        text = article.body[mention.start : mention.end]
        if mention.label in ("GPE", "LOC") and not _is_plain_place(article, mention, text):
            continue
        if (
            mention.label == "ORG"
            and mention.source == "model"
            and (_is_term_phrase(article, text) or _short_for_term(article, text))
        ):
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


def screen_acronyms(
    article: ArticleText, mentions: list[Mention], acronyms: dict[str, Mention]
) -> list[Mention]:
    """Drop defined acronyms that are terms, with their long forms.

    "Search Engine Optimization (SEO)", "Project Management Professional (PMP)".
    """
    body = article.body
    dropped: set[int] = set()
    for acronym, long_form in list(acronyms.items()):
        if long_form.label != "ORG":
            continue
        text = body[long_form.start : long_form.end]
        if lexicons.is_term(acronym) or _is_term_phrase(article, text):
            dropped.add(id(long_form))
            dropped.update(id(m) for m in mentions if body[m.start : m.end] == acronym)
            del acronyms[acronym]
    return [m for m in mentions if id(m) not in dropped]


# "Gen Zers", "Gen X": a generation, not a general.
_GENERATION = re.compile(r"(?:Z|X|Y|Alpha|Beta)(?:ers?|s)?\b")


def _title_before(body: str, start: int) -> bool:
    """Return True when a personal title stands right before a name ('Mr', 'actor', 'Dr.')."""
    words = re.findall(r"[^\W\d_][\w.]*", body[max(0, start - 40) : start])
    if not words or fold_text(words[-1]) not in PERSON_TITLES:
        return False
    return not (fold_text(words[-1]) == "gen" and _GENERATION.match(body, start))


def _speaks_after(body: str, end: int) -> bool:
    """Return True when a speech verb or a role follows a name ('Alemu said', 'X, the CEO')."""
    return _SPEECH_AFTER.match(body, end) is not None or _APPOSITIVE.match(body, end) is not None


def name_verdict(article: ArticleText, name: str) -> str:
    """Return what a person name shows by itself: 'first_name', 'name', 'none', or '' (no person).

    No person: more than five words, an organisation word, a nationality first ("German
    Reich"), a street last, a product or technology term, a word the article also writes in
    lowercase ("Shopify App", "Max Brew": 'app', 'brew'), or only common words.
    """
    words = _words(name)
    if not words:
        return ""
    folded = [fold_text(word) for word in words]
    if len(words) > 5 or any(word in load_word_list("org_words.txt") for word in folded):
        return ""
    if any(char.isdigit() for char in name):
        return ""  # "Arlo Pro 5S 2K": a model number
    if len(words) == 1:
        word = words[0]
        if len(word) < 2 or lexicons.is_term(word):
            return ""
        if article.is_common(word) and not lexicons.is_first_name(word):
            return ""  # "Lift", "Users", "Shopping"
        return "none"
    if _is_nationality(words[0]) or folded[-1] in STREET_WORDS:
        return ""
    if _starts_with_company(folded):
        return ""  # a company's product line: "Salomon Speedcross", "Google Pixel"
    first_name = lexicons.is_first_name(words[0])
    if any(lexicons.is_term(word) for word in words[1:]) or (
        lexicons.is_term(words[0]) and not first_name
    ):
        return ""
    rest = words[1:] if first_name else words
    if any(article.has_lowercase(word) for word in rest if len(word) > 2):
        return ""
    if not first_name and all(article.is_common(word) for word in words if not word.isupper()):
        return ""  # "Deep Calm", "Hard Copy": common words, no first name
    first_zipf = lexicons.word_zipf(words[0])
    if first_name and (
        (first_zipf >= 3.5 and lexicons.word_zipf(words[-1]) >= 4.5)
        or (first_zipf >= 3.0 and article.has_lowercase(words[0]))
    ):
        # "Mentor Mode", "Art Deco" where the article also says 'art' (or "Will Smith"): only
        # a title or speech in the article, or another article, makes these words a person.
        return "name"
    return "first_name" if first_name else "name"


@cache
def _curated_companies() -> frozenset[str]:
    """Return the folded names and aliases of the curated organisations (aliases.toml)."""
    from transforms.enrich.entities.aliases import load_curated_aliases

    return frozenset(
        fold_text(name)
        for entry in load_curated_aliases()
        if entry.entity_type == "organization"
        for name in (entry.name, *entry.aliases)
    )


def _starts_with_company(folded: list[str]) -> bool:
    """Return True when a name's first words are a curated company and more words follow."""
    return _company_prefix(folded) > 0


def _company_prefix(folded: list[str]) -> int:
    """Return how many first words of a name are a curated company (0: none, or all of it)."""
    companies = _curated_companies()
    if " ".join(folded) in companies:
        return 0
    for size in range(len(folded) - 1, 0, -1):
        if " ".join(folded[:size]) in companies:
            return size
    return 0


def _cut_to_company(body: str, mention: Mention) -> None:
    """Cut a product line to its maker: "Salomon Speedcross" -> the organisation "Salomon".

    Not where the rest names a body of the company ("Google Foundation", "Apple Studios").
    """
    words = list(re.finditer(r"\S+", body[mention.start : mention.end]))
    folded = [fold_text(word.group()) for word in words]
    size = _company_prefix(folded)
    if not size or any(word in load_word_list("org_words.txt") for word in folded[size:]):
        return
    mention.end = mention.start + words[size - 1].end()
    mention.label = "ORG"
    mention.local_name = ""


def weigh_people(article: ArticleText, mentions: list[Mention]) -> list[Mention]:
    """Return the mentions with their type evidence set; what cannot be a person is dropped.

    A person name's evidence is the best any of its mentions in the article has: a title before
    it or a speech verb after it, else a known first name, else 'name' (a plausible name only),
    else 'none' (one word). A short form linked to a full name with a title, speech or a first
    name is 'full_name'.
    """
    verdicts: dict[str, str] = {}
    best: dict[str, str] = {}
    people = []
    dropped_terms: set[int] = set()
    for mention in mentions:
        if mention.label != "PERSON":
            mention.evidence = mention.evidence or _evidence_of_source(mention)
            text = article.body[mention.start : mention.end]
            if (
                mention.label == "ORG"
                and mention.source != "gazetteer"
                and _is_term_phrase(article, text)
            ):
                dropped_terms.add(id(mention))  # a repeat of a field phrase found by name
            continue
        name = mention.local_name or article.body[mention.start : mention.end]
        if name not in verdicts:
            verdicts[name] = name_verdict(article, name)
        if not verdicts[name]:
            continue
        evidence = verdicts[name]
        if _title_before(article.body, mention.start):
            evidence = "title"
        elif len(_words(name)) > 1 and _speaks_after(article.body, mention.end):
            evidence = "context"  # one word that speaks may be a company: "Skiplagged says"
        if name not in best or _RANK[evidence] < _RANK[best[name]]:
            best[name] = evidence
        people.append((mention, name))
    dropped = {id(m) for m in mentions if m.label == "PERSON"} - {id(m) for m, _ in people}
    dropped |= dropped_terms
    for mention, name in people:
        evidence = best[name]
        single = len(_words(article.body[mention.start : mention.end])) == 1
        if single and len(_words(name)) > 1 and evidence in STRONG_PERSON_EVIDENCE:
            evidence = "full_name"
        mention.evidence = evidence
    return [m for m in mentions if id(m) not in dropped]


def _evidence_of_source(mention: Mention) -> str:
    """Return the evidence of an organisation or place mention: where it came from."""
    if mention.source in ("gazetteer", "dateline"):
        return "gazetteer"
    if mention.source == "acronym":
        return "acronym"
    return "model"
