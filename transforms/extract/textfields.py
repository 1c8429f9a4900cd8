"""Metadata in text mode: byline, date and publisher evidence read from a dump's lines."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from transforms.extract.credits import parse_credit
from transforms.extract.normalize import parse_datetime_utc
from transforms.extract.textclean import (
    find_comment_policy,
    find_copyright_holder,
    looks_like_name,
    split_byline,
)

logger = logging.getLogger(__name__)

BYLINE_RE = re.compile(
    r"^(?:(?:written|posted|reported|words|story|text)\s+by|by|von|par|por|door|av|af"
    r"|author|autor|auteur|reporter)\s*[:|]?\s+(?P<names>.+)$",
    re.IGNORECASE,
)
# A byline's names end where its date, role or publisher begins.
BYLINE_TAIL_RE = re.compile(
    r"\s*(?:[|•·,;–—-]\s*|\s+(?:on|am|le|el|for|für|pour|updated|published)\s+)"
    r"(?=.*(?:\d|\b(?:staff|reporter|correspondent|editor|writer|contributor|published"
    r"|updated)\b))",
    re.IGNORECASE,
)
MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai"
    r"|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre"
    r"|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    r"|septiembre|octubre|noviembre|diciembre)\.?"
)
# Only unambiguous forms: ISO dates and dates with a month name (03/04/2024 could be either).
DATE_VALUE_RES = (
    re.compile(r"\b(?P<value>(?:19|20)\d{2}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d)?)\b"),
    re.compile(
        rf"\b(?P<value>{MONTHS}\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})\b", re.IGNORECASE
    ),
    re.compile(
        rf"\b(?P<value>[0-3]?\d(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{MONTHS}\s+(?:de\s+)?(?:19|20)\d{{2}})\b",
        re.IGNORECASE,
    ),
)
DATE_CUE_RE = re.compile(
    r"\b(?:published|posted|updated|last updated|veröffentlicht|publié|publicado|aktualisiert"
    r"|mis à jour|actualizado)\b",
    re.IGNORECASE,
)
UPDATED_RE = re.compile(r"\b(?:updated|aktualisiert|mis à jour|actualizado)\b", re.IGNORECASE)
GENERIC_HOLDERS = {
    "policy",
    "notice",
    "information",
    "info",
    "statement",
    "text",
    "the author",
    "the authors",
    "all rights reserved",
    "copyright",
    "terms",
    "infringement",
}


def find_byline(line: str) -> list[str]:
    """Return the names in a byline line ('By Jane Doe and Ravi Patel | Reporter'), else []."""
    match = BYLINE_RE.match(line.strip())
    if not match or len(line) > 160:
        return []
    names = BYLINE_TAIL_RE.split(match.group("names"), maxsplit=1)[0]
    # Read as the HTML bylines are (capitals, roles, an agency after the names): the people,
    # then the organisations credited; the plain name split when that finds no one.
    credit = parse_credit(names)
    return credit.people + credit.organizations if credit.people else split_byline(names)


def find_name_line(line: str) -> list[str]:
    """Return the name on a line that is only a person's name ('Lawk Ghafuri'), else []."""
    stripped = line.strip()
    if len(stripped.split()) > 4 or not looks_like_name(stripped):
        return []
    return [stripped]


def find_date(line: str) -> datetime | None:
    """Return the publication time on a short line that states one unambiguously."""
    if len(line) > 120:
        return None
    for pattern in DATE_VALUE_RES:
        if match := pattern.search(line):
            return parse_datetime_utc(match.group("value"))
    return None


def is_update_line(line: str) -> bool:
    """Return True for a line that gives a modification, not a publication, time."""
    return bool(UPDATED_RE.search(line)) and not re.search(
        r"\b(?:published|posted)\b", line, re.IGNORECASE
    )


def text_copyright_holder(line: str) -> str | None:
    """Return the rights holder of a copyright line, refusing years and generic words."""
    holder = find_copyright_holder(line)
    if not holder or not re.search(r"[^\W\d_]{2,}", holder):
        return None
    if holder.casefold() in GENERIC_HOLDERS or len(holder) > 80:
        return None
    return holder


def comment_policy_name(line: str) -> str | None:
    """Return the publisher a comment-policy line names ('Rudaw moderates all comments')."""
    match = find_comment_policy(line)
    if match and match.group("name"):
        return match.group("name").strip()
    return None
