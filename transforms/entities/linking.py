"""In-article linking: acronyms, short names, repeated names, places in context, title flags."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from transforms.entities import geo
from transforms.entities.names import clean_display, fold_text, name_key, surname_forms

TYPE_OF_LABEL = {"PERSON": "person", "ORG": "organization", "GPE": "location", "LOC": "location"}
LABEL_OF_TYPE = {"person": "PERSON", "organization": "ORG", "location": "GPE"}
# One-word references that stand for the only such body named in full in the article:
# "the Ministry" after "the Iraqi Defense Ministry".
GENERIC_ORG_HEADS = frozenset(
    {"ministry", "department", "army", "police", "government", "parliament", "court",
     "commission", "council", "agency", "company", "bank", "party", "committee", "embassy"}
)  # fmt: skip
_ACRONYM = re.compile(r"\s*\(([A-Z][A-Za-z&.]*[A-Z]\.?)\)")


@dataclass
class Mention:
    """One entity mention while an article is being linked (offsets into the body)."""

    start: int
    end: int
    label: str
    source: str
    local_name: str = ""
    forms: set[str] = field(default_factory=set)

    @property
    def entity_type(self) -> str:
        """Return the newsloom entity type of the spaCy label."""
        return TYPE_OF_LABEL[self.label]


def _display(mention: Mention, text: str) -> str:
    """Return the cleaned display name of a mention; datelines leave ALL CAPS."""
    name = clean_display(text)
    if mention.source == "dateline" or (name.isupper() and len(name) > 4 and " " in name):
        name = name.title()
    return name


class _Occupancy:
    """Which body characters already belong to a mention, or to a non-name entity (dates...)."""

    def __init__(self, size: int, others: list[tuple[int, int]]) -> None:
        """Start with no mentions and the given non-name entity spans."""
        self.taken = bytearray(size)
        self.others = sorted(others)
        self.other_starts = [start for start, _ in self.others]

    def is_free(self, start: int, end: int) -> bool:
        """Return True when [start, end) touches no mention and only fully contains other spans."""
        if any(self.taken[start:end]):
            return False
        index = max(bisect_left(self.other_starts, start) - 1, 0)
        for other_start, other_end in self.others[index:]:
            if other_start >= end:
                break
            if other_end <= start:
                continue
            if other_start < start or other_end > end or (other_start, other_end) == (start, end):
                return False
        return True

    def mark(self, start: int, end: int) -> None:
        """Mark [start, end) as part of a mention."""
        self.taken[start:end] = b"\x01" * (end - start)


def _add_acronyms(body: str, mentions: list[Mention], taken: _Occupancy) -> dict[str, Mention]:
    """Register 'Long Name (ACR)' acronyms as aliases; tag the acronym if the model did not."""
    acronyms: dict[str, Mention] = {}
    by_end = {m.end: m for m in mentions}
    for m in list(mentions):
        match = _ACRONYM.match(body, m.end)
        if not match or by_end.get(m.end) is not m or m.entity_type == "person":
            continue
        acronym = match.group(1)
        if fold_text(acronym) == fold_text(m.local_name):
            continue
        acronyms.setdefault(acronym, m)
        start, end = match.span(1)
        if taken.is_free(start, end):
            mentions.append(Mention(start, end, m.label, "acronym"))
            taken.mark(start, end)
    return acronyms


def _propagate(
    body: str, mentions: list[Mention], forms: dict[str, str], taken: _Occupancy
) -> None:
    """Tag further occurrences of names already found in the article (NER misses repeats)."""
    if not forms:
        return
    ordered = sorted(forms, key=lambda form: (-len(form), form))
    pattern = re.compile(r"(?<![\w\-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w\-])")
    found = [(m.start(), m.end(), forms[m.group()]) for m in pattern.finditer(body)]
    lower_forms = {f.lower(): label for f, label in forms.items() if label == "ORG" and " " in f}
    if lower_forms:
        ordered = sorted(lower_forms, key=lambda form: (-len(form), form))
        loose = re.compile(
            r"(?<![\w\-])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w\-])", re.IGNORECASE
        )
        for m in loose.finditer(body):
            if m.group()[0].isupper():
                found.append((m.start(), m.end(), lower_forms[m.group().lower()]))
    for start, end, label in sorted(found):
        if taken.is_free(start, end):
            mentions.append(Mention(start, end, label, "propagated"))
            taken.mark(start, end)


def _link_people(mentions: list[Mention]) -> None:
    """Give short person mentions the full name they stand for ('Milley' -> 'Mark A. Milley')."""
    people = [m for m in mentions if m.label == "PERSON"]
    full: dict[str, list[str]] = defaultdict(list)
    for name in sorted({m.local_name for m in people}):
        tokens = name_key("person", name).split()
        if len(tokens) >= 2:
            full[tokens[-1]].append(name)
    for m in people:
        tokens = name_key("person", m.local_name).split()
        if not tokens:
            continue
        candidates = [
            name
            for name in full.get(tokens[-1], [])
            if name != m.local_name
            and len(name_key("person", name).split()) > len(tokens)
            and (len(tokens) == 1 or name_key("person", name).split()[0] == tokens[0])
        ]
        longest = {
            name
            for name in candidates
            if not any(name in other for other in candidates if other != name)
        }
        if len(longest) == 1:
            m.local_name = longest.pop()


def _link_organizations(
    mentions: list[Mention], acronyms: dict[str, Mention], qualifiers: frozenset[str]
) -> None:
    """Give short organisation mentions their full name ('the Army' -> 'Iraqi Army')."""
    orgs = [m for m in mentions if m.label == "ORG"]
    names = sorted({m.local_name for m in orgs})
    keys = {name: name_key("organization", name).split() for name in names}
    for m in orgs:
        if m.local_name in acronyms:
            m.local_name = acronyms[m.local_name].local_name
            continue
        tokens = keys.get(m.local_name) or name_key("organization", m.local_name).split()
        candidates = set()
        for name in names:
            other = keys[name]
            if len(other) <= len(tokens) or other[-len(tokens) :] != tokens:
                continue
            prefix = other[: -len(tokens)]
            generic = len(tokens) == 1 and tokens[0] in GENERIC_ORG_HEADS
            if generic or all(word in qualifiers for word in prefix):
                candidates.add(name)
        if len(candidates) == 1:
            m.local_name = candidates.pop()


def _geo_keys(body: str, mentions: list[Mention], demonyms: list[str]) -> dict[int, str]:
    """Return the place chosen for each location mention, in the context of the article."""
    places = [m for m in mentions if m.label in ("GPE", "LOC")]
    ranked = {name: geo.rank_places(name) for name in {m.local_name for m in places}}
    countries: set[str] = {code for word in demonyms if (code := geo.demonym_country(word))}
    areas: set[tuple[str, str]] = set()
    for options in ranked.values():
        if not options:
            continue
        best_score, best = options[0]
        close = {
            p.country_code for score, p in options if best_score - score < geo.CONFIDENT_MARGIN
        }
        if len(close) == 1 and best.country_code:
            countries.add(best.country_code)
        if geo.is_confident(options) and best.kind in ("city", "subdivision") and best.country_code:
            areas.add((best.country_code, best.admin1 or ""))
    by_start = {m.start: m for m in places}
    chosen: dict[int, str] = {}
    for m in places:
        within = None
        if body[m.end : m.end + 2] == ", " and (nxt := by_start.get(m.end + 2)) is not None:
            within = geo.choose_place(nxt.local_name, countries, areas)
            if within is not None and within.kind not in ("country", "subdivision"):
                within = None
        place = geo.choose_place(m.local_name, countries, areas, within)
        if place is not None:
            chosen[id(m)] = place.geo_key
    return chosen


def _title_forms(mention: Mention, text: str) -> set[str]:
    """Return the strings that show an entity appears in a title."""
    forms = {text, mention.local_name}
    if mention.label == "PERSON":
        forms.update(surname_forms(mention.local_name))
    return {form for form in forms if len(form) > 1}


def _in_title(title: str | None, forms: set[str]) -> bool:
    """Return True when one of the forms occurs in the title as whole words."""
    if not title:
        return False
    for form in forms:
        flags = re.IGNORECASE if len(form) >= 4 else 0
        if re.search(r"(?<![\w\-])" + re.escape(form) + r"(?![\w\-])", title, flags):
            return True
    return False


def link_article(
    article_id: str,
    title: str | None,
    body: str,
    found: list[Mention],
    demonyms: list[str],
    blocked: list[tuple[int, int]],
    qualifiers: frozenset[str],
) -> list[dict]:
    """Return the article's mention rows (MENTION_SCHEMA) from the spans the pipeline found."""
    taken = _Occupancy(len(body), blocked)
    mentions = sorted(found, key=lambda m: m.start)
    for m in mentions:
        taken.mark(m.start, m.end)
        m.local_name = _display(m, body[m.start : m.end])
    acronyms = _add_acronyms(body, mentions, taken)
    surnames = {
        form: "PERSON"
        for m in mentions
        if m.label == "PERSON"
        for form in surname_forms(m.local_name)
    }
    for m in mentions:
        text = body[m.start : m.end]
        if m.label != "PERSON" and text in surnames and not geo.find_places(text):
            m.label = "PERSON"
    forms: dict[str, str] = {}
    for m in mentions:
        text = body[m.start : m.end]
        if len(text) > 1 and text[0].isupper():
            forms.setdefault(text, m.label)
    for form, label in surnames.items():
        forms.setdefault(form, label)
    _propagate(body, mentions, forms, taken)
    for m in mentions:
        m.local_name = m.local_name or _display(m, body[m.start : m.end])
    _link_people(mentions)
    _link_organizations(mentions, acronyms, qualifiers)
    geo_keys = _geo_keys(body, mentions, demonyms)
    keys: dict[int, str] = {}
    for m in mentions:
        key = name_key(m.entity_type, m.local_name)
        if key and id(m) in geo_keys:
            key = f"{key}|{geo_keys[id(m)]}"
        keys[id(m)] = key
    group_of = {id(m): (m.label, geo_keys.get(id(m)) or m.local_name) for m in mentions}
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in mentions:
        groups[group_of[id(m)]].update(_title_forms(m, body[m.start : m.end]))
    for acronym, m in acronyms.items():
        groups[group_of[id(m)]].add(acronym)
    in_title = {group: _in_title(title, group_forms) for group, group_forms in groups.items()}
    rows = []
    for m in sorted(mentions, key=lambda m: m.start):
        key = keys[id(m)]
        if not key:
            continue
        rows.append(
            {
                "article_id": article_id,
                "entity_type": m.entity_type,
                "mention_text": body[m.start : m.end],
                "start_char": m.start,
                "end_char": m.end,
                "local_name": m.local_name,
                "name_key": key,
                "is_in_title": in_title[group_of[id(m)]],
                "ner_label": m.label,
                "mention_source": m.source,
            }
        )
    return rows


def count_labels(rows: list[dict]) -> Counter:
    """Return mention counts per entity type (for stage logging)."""
    return Counter(row["entity_type"] for row in rows)
