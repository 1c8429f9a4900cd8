"""Parenthesised acronyms: 'United Nations Support Mission in Libya (UNSMIL)'."""

from __future__ import annotations

import re

from transforms.enrich.entities import geo
from transforms.enrich.entities.names import fold_text
from transforms.enrich.entities.spans import Mention, Occupancy

_ACRONYM = re.compile(r"(?<=\S)\s*\(([A-Z][A-Za-z&.]*[A-Z]\.?)\)")
_ACRONYM_STOPWORDS = frozenset(
    {"of", "the", "for", "and", "in", "on", "de", "la", "du", "to", "at"}
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def long_form_start(body: str, end: int, acronym: str) -> int | None:
    """Return where the capitalised words before 'end' spell the acronym, else None.

    Every capitalised word gives one letter; 'of', 'in', 'the'... may give one or be skipped
    ('United Nations Support Mission in Libya' spells UNSMIL).
    """
    letters = [char.lower() for char in acronym if char.isalpha()][::-1]
    window = max(0, end - 40 * len(letters))
    words = list(_WORD.finditer(body, window, end))[::-1]

    def search(word: int, letter: int) -> int | None:
        if letter == len(letters):
            return words[word - 1].start()
        if word == len(words):
            return None
        text = words[word].group()
        stopword = text.lower() in _ACRONYM_STOPWORDS
        if not stopword and not text[0].isupper():
            return None
        if text[0].lower() == letters[letter]:
            found = search(word + 1, letter + 1)
            if found is not None:
                return found
        return search(word + 1, letter) if stopword else None

    return search(0, 0) if letters else None


def add_acronyms(body: str, mentions: list[Mention], taken: Occupancy) -> dict[str, Mention]:
    """Register 'Long Name (ACR)' acronyms as aliases; tag the long form and acronym if missed."""
    acronyms: dict[str, Mention] = {}
    for match in _ACRONYM.finditer(body):
        acronym, long_end = match.group(1), match.start()
        long_start = long_form_start(body, long_end, acronym)
        if long_start is not None:
            inside = [m for m in mentions if long_start < m.end <= long_end]
            exact = any((m.start, m.end) == (long_start, long_end) for m in inside)
            if not exact and all(m.start >= long_start for m in inside):
                label = "GPE" if geo.find_places(body[long_start:long_end]) else "ORG"
                for m in inside:
                    mentions.remove(m)
                mentions.append(Mention(long_start, long_end, label, "acronym"))
                taken.mark(long_start, long_end)
        before = [m for m in mentions if m.end == long_end and m.label != "PERSON"]
        start, end = match.span(1)
        tagged = [m for m in mentions if (m.start, m.end) == (start, end)]
        if not before or fold_text(acronym) == fold_text(body[before[0].start : before[0].end]):
            continue
        if tagged and tagged[0].label != before[0].label:
            continue
        acronyms.setdefault(acronym, before[0])
        if taken.is_free(start, end):
            mentions.append(Mention(start, end, before[0].label, "acronym"))
            taken.mark(start, end)
    return acronyms


def initials(name: str) -> str:
    """Return the initials of a name's words, small words left out ('... Group' -> '...G')."""
    words = [word for word in _WORD.findall(name) if word.lower() not in _ACRONYM_STOPWORDS]
    return "".join(word[0] for word in words).upper()


def link_bare_acronyms(mentions: list[Mention], acronyms: dict[str, Mention]) -> None:
    """Register acronyms used without a definition: the only organisation they spell.

    "The EAG" after "Environmental Awareness Group" stands for it.
    """
    spelled: dict[str, dict[str, Mention]] = {}
    for m in mentions:
        if m.label == "ORG" and len(_WORD.findall(m.local_name)) >= 2:
            spelled.setdefault(initials(m.local_name), {}).setdefault(m.local_name, m)
    for m in mentions:
        text = m.local_name
        if m.label != "ORG" or text in acronyms or not (text.isupper() and 2 <= len(text) <= 8):
            continue
        longs = spelled.get(text.replace(".", ""), {})
        if len(longs) == 1:
            acronyms[text] = next(iter(longs.values()))
