"""In-article linking: acronyms, short names, repeated names, places in context, title flags."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from transforms.enrich.entities import geo
from transforms.enrich.entities.acronyms import add_acronyms, link_bare_acronyms
from transforms.enrich.entities.aliases import curated_organizations
from transforms.enrich.entities.names import (
    clean_display,
    fold_text,
    load_word_list,
    name_key,
    person_parts,
    surname_forms,
)
from transforms.enrich.entities.spans import Mention, Occupancy
from transforms.enrich.entities.verify import (
    ArticleText,
    in_place_context,
    screen_acronyms,
    screen_mentions,
    weigh_people,
)

# One-word references that stand for the only such body named in full in the article:
# "the Ministry" after "the Iraqi Defense Ministry".
GENERIC_ORG_HEADS = frozenset(
    {"ministry", "department", "army", "police", "government", "parliament", "court",
     "commission", "council", "agency", "company", "bank", "party", "committee", "embassy"}
)  # fmt: skip


def _display(mention: Mention, text: str) -> str:
    """Return the cleaned display name of a mention ('the ERBIL' -> 'Erbil')."""
    name = clean_display(text)
    if text.startswith("The ") and not name.startswith("The "):
        name = f"The {name}"  # the pipeline kept a capitalised mid-sentence 'The': 'The Hague'
    if name.isupper() and len(name) > 3 and mention.label in ("GPE", "LOC"):
        name = name.title()  # datelines: 'ERBIL' -> 'Erbil'; 'UAE' stays
    return name


def _fix_labels(body: str, mentions: list[Mention]) -> None:
    """Make labels agree inside an article ('Tigist Alemu' ORG + 'Alemu' PERSON -> a person)."""
    org_words = load_word_list("org_words.txt")
    titles = load_word_list("titles.txt")
    single_people = {
        body[m.start : m.end]
        for m in mentions
        if m.label == "PERSON" and " " not in body[m.start : m.end]
    }
    company_heads = {
        words[0]: m
        for m in mentions
        if m.label == "ORG"
        and len(words := body[m.start : m.end].split()) > 1
        and fold_text(words[-1]) in org_words
    }
    for m in mentions:
        words = body[m.start : m.end].split()
        folded = [fold_text(word) for word in words]
        if (
            m.label == "ORG"
            and 2 <= len(words) <= 3
            and words[-1] in single_people
            and all(word[:1].isupper() and word.isalpha() for word in words)
            and not any(word in org_words or word in titles for word in folded)
        ):
            m.label = "PERSON"
        elif (
            len(words) == 1
            and words[0] in company_heads
            and (m.label == "PERSON" or (m.label == "GPE" and not geo.find_places(words[0])))
        ):
            m.label = "ORG"
            m.local_name = company_heads[words[0]].local_name


def _propagate(body: str, mentions: list[Mention], forms: dict[str, str], taken: Occupancy) -> None:
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
    parts = {
        name: person_parts(name_key("person", name)) for name in {m.local_name for m in people}
    }
    full: dict[str, list[str]] = defaultdict(list)
    for name, (first, _, last) in sorted(parts.items()):
        if first:
            full[last].append(name)
    for m in people:
        first, _, last = parts[m.local_name]
        size = len(name_key("person", m.local_name).split())
        candidates = [
            name
            for name in full.get(last, [])
            if name != m.local_name
            and len(name_key("person", name).split()) > size
            and (not first or parts[name][0] == first)
        ]
        longest = {
            name
            for name in candidates
            if not any(name in other for other in candidates if other != name)
        }
        if len(longest) == 1:
            m.local_name = longest.pop()


# Longest short form that a country or demonym before it may complete ('defense ministry').
MAX_QUALIFIED_TOKENS = 3


def _link_organizations(
    mentions: list[Mention], acronyms: dict[str, Mention], qualifiers: frozenset[str]
) -> None:
    """Give short organisation mentions their full name ('the Army' -> 'Iraqi Army')."""
    orgs = [m for m in mentions if m.label == "ORG"]
    org_words = load_word_list("org_words.txt")
    curated = curated_organizations()
    names = sorted({m.local_name for m in orgs})
    keys = {name: name_key("organization", name).split() for name in names}
    for m in orgs:
        if m.local_name in acronyms:
            m.local_name = acronyms[m.local_name].local_name
            continue
        tokens = keys.get(m.local_name) or name_key("organization", m.local_name).split()
        # A known company keeps its name beside a longer one that is not one of its own names:
        # 'YouTube' is not the 'YouTube Studio' (a product) of the same article.
        known = curated.get(" ".join(tokens))
        candidates = set()
        for name in names:
            other = keys[name]
            if len(tokens) == 1 and len(other) > 1 and other[0] == tokens[0]:
                if (
                    other[-1] in org_words
                    and tokens[0] not in qualifiers
                    and (known is None or curated.get(" ".join(other)) == known)
                ):
                    candidates.add(name)  # 'Toyota' for 'Toyota Motor Corp'
                continue
            if len(other) <= len(tokens) or other[-len(tokens) :] != tokens:
                continue
            prefix = other[: -len(tokens)]
            generic = len(tokens) == 1 and tokens[0] in GENERIC_ORG_HEADS
            # 'the Army' is the article's 'Iraqi Army'; a longer name is an institution of its
            # own ('Museum of Modern Art' beside the 'Irish Museum of Modern Art').
            qualified = len(tokens) <= MAX_QUALIFIED_TOKENS and all(w in qualifiers for w in prefix)
            if generic or qualified:
                candidates.add(name)
        if len(candidates) == 1:
            m.local_name = candidates.pop()


# How far back (characters, same paragraph) a place still sets the scene for the next one.
NEAR_CONTEXT_CHARS = 400
# How clearly a place must win on its own to set the context of others ('Los Angeles': the US
# city, not the Chilean one, by 1.3).
CONTEXT_MARGIN = 1.0


def _geo_keys(
    body: str, mentions: list[Mention], demonyms: list[str], publisher_country: str | None = None
) -> dict[int, str]:
    """Return the place chosen for each location mention, in the context of the article.

    Context, strongest first: 'Paris, Texas' (within); the nearest place named before it in the
    same paragraph ("Cannes, France; ... Hôtel du Louvre in Paris" is Paris, France); countries
    the article names or whose demonym it uses; the country most of its other places are in
    (a US article's "south Georgia" is the state); the publisher's country. A name never
    hints itself ('Georgia').
    """
    places = sorted((m for m in mentions if m.label in ("GPE", "LOC")), key=lambda m: m.start)
    named = {code for word in demonyms if (code := geo.demonym_country(word))}
    alone: dict[str, geo.Place] = {}
    for name in sorted({m.local_name for m in places}):
        options = geo.rank_places(name)
        if options and (len(options) == 1 or options[0][0] - options[1][0] >= CONTEXT_MARGIN):
            alone[name] = options[0][1]
    memo: dict[tuple, geo.Place | None] = {}

    def choose(m: Mention, within: geo.Place | None) -> geo.Place | None:
        others = [place for other, place in alone.items() if other != m.local_name]
        countries = named | {p.country_code for p in others if p.kind == "country"}
        areas = {(p.country_code, p.admin1 or "") for p in others if p.kind != "country"}
        weights = Counter(p.country_code for p in others if p.country_code)
        article_country = None
        if weights:
            top, count = weights.most_common(1)[0]
            if count * 2 > sum(weights.values()):
                article_country = top
        near = _near_place(body, places, m, alone)
        key = (m.local_name, within, near, article_country)
        if key not in memo:
            memo[key] = geo.choose_place(
                m.local_name, countries, areas, within,
                near=near, article_country=article_country, publisher_country=publisher_country,
            )  # fmt: skip
        return memo[key]

    by_start = {m.start: m for m in places}
    chosen: dict[int, str] = {}
    for m in places:
        within = None
        if body[m.end : m.end + 2] == ", " and (nxt := by_start.get(m.end + 2)) is not None:
            within = choose(nxt, None)
            if within is not None and within.kind not in ("country", "subdivision"):
                within = None
        place = choose(m, within)
        if place is not None:
            chosen[id(m)] = place.geo_key
    return chosen


def _near_place(
    body: str, places: list[Mention], mention: Mention, alone: dict[str, geo.Place]
) -> geo.Place | None:
    """Return the nearest confidently known place named before a mention in its paragraph."""
    floor = max(body.rfind("\n", 0, mention.start), mention.start - NEAR_CONTEXT_CHARS)
    for other in reversed(places):
        if other.start >= mention.start or other.end <= floor:
            continue
        place = alone.get(other.local_name)
        # Countries and states set the scene ("Cannes, France; ... Paris"); a list of world
        # cities does not ("New York, Toronto, Paris").
        if other.local_name != mention.local_name and place is not None:
            return place if place.kind in ("country", "subdivision") else None
    return None


def _title_forms(mention: Mention, text: str) -> set[str]:
    """Return the strings that show an entity appears in a title."""
    forms = {text, mention.local_name}
    if mention.label == "PERSON":
        forms.update(surname_forms(mention.local_name))
    return {form for form in forms if len(form) > 1}


# The only non-ASCII characters re.IGNORECASE matches with ASCII letters.
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _in_title(title: str | None, forms: set[str]) -> bool:
    """Return True when one of the forms occurs in the title as whole words."""
    if not title:
        return False
    lower_title = title.translate(_ASCII_FOLDS).lower()
    for form in forms:
        flags = re.IGNORECASE if len(form) >= 4 else 0
        # Most forms are not in the title at all: skip compiling a pattern for those.
        absent = form.isascii() and form.lower() not in lower_title if flags else form not in title
        if absent:
            continue
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
    language: str = "en",
    publisher_country: str | None = None,
) -> list[dict]:
    """Return the article's mention rows (MENTION_SCHEMA) from the spans the pipeline found."""
    taken = Occupancy(len(body), blocked)
    article = ArticleText(body, language)
    for m in found:
        taken.mark(m.start, m.end)
    mentions = sorted(screen_mentions(article, found), key=lambda m: m.start)
    for m in mentions:
        m.local_name = _display(m, body[m.start : m.end])
    acronyms = add_acronyms(body, mentions, taken)
    mentions = screen_acronyms(article, mentions, acronyms)
    for m in mentions:
        m.local_name = m.local_name or _display(m, body[m.start : m.end])
    _fix_labels(body, mentions)
    surnames = {
        form: "PERSON"
        for m in mentions
        if m.label == "PERSON"
        for form in surname_forms(m.local_name)
    }
    for m in mentions:
        text = body[m.start : m.end]
        if (
            m.label != "PERSON"
            and text in surnames
            and not (geo.find_places(text) and in_place_context(body, m.start, m.end))
        ):
            m.label = "PERSON"  # "Phoenix" after "Joaquin Phoenix", unless "in Phoenix"
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
    link_bare_acronyms(mentions, acronyms)
    _link_organizations(mentions, acronyms, qualifiers)
    mentions = weigh_people(article, mentions)
    geo_keys = _geo_keys(body, mentions, demonyms, publisher_country)
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
        if id(m) in group_of:  # its long form may have been dropped by verification
            groups[group_of[id(m)]].add(acronym)
    in_title = {group: _in_title(title, group_forms) for group, group_forms in groups.items()}
    rows = []
    for m in sorted(mentions, key=lambda m: m.start):
        key = keys[id(m)]
        text = body[m.start : m.end]
        if not key or (
            m.entity_type == "location" and "|" not in key and text.isupper() and len(text) <= 3
        ):
            continue  # an unknown short all-caps "place" is an acronym ('AI')
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
                "type_evidence": m.evidence,
            }
        )
    return rows


def count_labels(rows: list[dict]) -> Counter:
    """Return mention counts per entity type (for stage logging)."""
    return Counter(row["entity_type"] for row in rows)
