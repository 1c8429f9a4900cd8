"""The headline: the page's <h1> where its metadata agrees, else metadata without the site name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html as lxml_html

from transforms.extract.evidence import HtmlEvidence
from transforms.extract.jsonld import JsonLd
from transforms.extract.markup import clean_text_value, visible_text
from transforms.extract.sitename import SiteNames, compact

# Separators between a headline and the site's name: "Headline | Site", "Site - Headline",
# "Headline » Site", "Site: Headline" (a colon only after a prefix). A hyphen needs spaces.
SEPARATOR_RE = re.compile(r"\s+[|\-–—•·»«~/⋆]{1,2}\s+|\s*[|•·»«⋆]\s*|\s+[|⋆•·]$")
PREFIX_SEPARATOR_RE = re.compile(rf"{SEPARATOR_RE.pattern}|:\s+")
# An author credit some platforms append: "Headline - by Jane Doe - Newsletter".
CREDIT_SEGMENT_RE = re.compile(r"^by\s+\S+(?:\s+\S+){0,4}$", re.IGNORECASE)
MAX_TITLE_CHARS = 300
# A longer <h1> is a standfirst or a slogan, not a headline.
MAX_HEADING_CHARS = 200
# What a CMS puts in an <h1> beside the headline: a section label, a byline or a date label
# opening what is left ("by Jane Doe", "posted on ..."), or a full date. A year alone is the
# headline's own ("2025 Price Guide"), and so is a "by" inside it ("Room-by-Room Breakdown").
# (Matched on folded text: "Dec 18, 2025" reads "dec 18 2025".)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
HEADING_FURNITURE_RE = re.compile(
    r"^\s*(?:blog|news|article|home)\s*$|^\s*(?:posted|published|updated|by)\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTH}\s+)?(?:19|20)\d\d\b|\b(?:19|20)\d\d\s+\d{{1,2}}\s+\d{{1,2}}\b"
)
MAX_AFFIX_WORDS = 10
# Characters a page lost in its own encoding: "Planning? Beginner? Guide" for "Planning:
# Beginner's Guide" (a question mark or U+FFFD stands for one to three characters).
LOST_CHARACTERS_RE = re.compile("[?\ufffd]+")


@dataclass(frozen=True)
class Title:
    """The chosen headline, where it came from, and the page's raw <title>."""

    title: str | None
    title_source: str | None
    title_raw: str | None


def _fold(text: str) -> str:
    """Return text folded for comparing headlines (case, punctuation, spacing)."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _is_affix(segment: str, sites: SiteNames, *, exact: bool, sections: bool = True) -> bool:
    """Return True when a title segment is the site's name, a section or a credit, not headline.

    sections=False leaves section names alone ("Python: a guide" filed under /python/ keeps them).
    """
    segment = segment.strip()
    if not compact(segment):
        return True
    if len(segment.split()) > MAX_AFFIX_WORDS:
        return False
    if sections and sites.is_section(segment):
        return True
    return bool(CREDIT_SEGMENT_RE.match(segment)) or sites.matches(segment, exact=exact)


def strip_site_affixes(text: str, sites: SiteNames, *, exact: bool = False) -> str:
    """Return a title without the site-name and section prefixes and suffixes the page names.

    exact=True strips only segments that are the name itself (in visible headings, where a
    suffix is rarely the site's). A section ("| Opinion") goes when the URL files the page under
    it; as a prefix only before a separator, not a colon.
    """
    changed = True
    while changed:
        changed = False
        # Suffixes: the shortest first ("A - B | Site" loses "Site", then maybe "B").
        for match in reversed(list(SEPARATOR_RE.finditer(text))):
            head, tail = text[: match.start()], text[match.end() :]
            if compact(head) and _is_affix(tail, sites, exact=exact):
                text, changed = head.strip(), True
                break
        if changed:
            continue
        # Prefixes only when they are the name itself: "Docker Hardened Images: ..." stays.
        for match in PREFIX_SEPARATOR_RE.finditer(text):
            head, tail = text[: match.start()], text[match.end() :]
            colon = not SEPARATOR_RE.fullmatch(match.group())
            if compact(tail) and _is_affix(head, sites, exact=True, sections=not colon):
                text, changed = tail.strip(), True
                break
    return text


def title_affixes(raw: str | None) -> dict[str, str]:
    """Return the first and last segments of a separated <title> (where sites put their name)."""
    text = clean_text_value(raw)
    if not text:
        return {}
    affixes = {}
    if separators := list(PREFIX_SEPARATOR_RE.finditer(text)):
        affixes["title_prefix"] = text[: separators[0].start()].strip()
    if separators := list(SEPARATOR_RE.finditer(text)):
        affixes["title_suffix"] = text[separators[-1].end() :].strip()
    return affixes


def is_part_of(part: str, whole: str) -> bool:
    """Return True when `whole` is `part`, or `part` plus a separated prefix or suffix."""
    folded_part, folded_whole = _fold(part), _fold(whole)
    if not folded_part:
        return False
    if folded_part == folded_whole:
        return True
    for match in PREFIX_SEPARATOR_RE.finditer(whole):
        if _fold(whole[: match.start()]) == folded_part or _fold(whole[match.end() :]) == (
            folded_part
        ):
            return True
    return False


def _headings(tree: lxml_html.HtmlElement, sites: SiteNames, raw: str | None = None) -> list[str]:
    """Return the page's <h1> headlines in page order, without the site's own name.

    An <h1> that repeats the page's <title> carries its affixes too: they go as a title's do.
    """
    texts = []
    for heading in tree.iter("h1"):
        text = clean_text_value(visible_text(heading))
        if text and len(text) <= MAX_HEADING_CHARS and not sites.matches(text):
            exact = not raw or _fold(text) != _fold(raw)
            texts.append(strip_site_affixes(text, sites, exact=exact))
    return texts


def _without_furniture(heading: str, stripped: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Return the metadata title inside a heading that adds a date, byline or 'Blog:' to it."""
    folded_heading = _fold(heading)
    for source, short in stripped:
        folded = _fold(short)
        if folded and folded != folded_heading and folded in folded_heading:
            rest = folded_heading.replace(folded, " ")
            if HEADING_FURNITURE_RE.search(rest):
                return source, short
    return None


def _with_lost_characters(heading: str, stripped: list[tuple[str, str]]) -> tuple[str, str] | None:
    """Return the metadata title a heading spells with lost characters ('?' for "'s"), if any."""
    parts = LOST_CHARACTERS_RE.split(heading)
    if len(parts) < 2 or not any(part.strip() for part in parts[1:]):
        # A single trailing '?' is a question, not a lost character.
        return None
    pattern = re.compile(".{1,3}".join(re.escape(part) for part in parts), re.IGNORECASE)
    for source, short in stripped:
        if short.count("?") < heading.count("?") and pattern.fullmatch(short):
            return source, short
    return None


def _shown_as_subheading(
    tree: lxml_html.HtmlElement, stripped: list[tuple[str, str]]
) -> tuple[str, str] | None:
    """Return the metadata title an <h2> of the page repeats, if any."""
    folded = {_fold(short): (source, short) for source, short in reversed(stripped)}
    for heading in tree.iter("h2"):
        text = clean_text_value(visible_text(heading))
        if text and len(text) <= MAX_HEADING_CHARS and (found := folded.get(_fold(text))):
            return found
    return None


def _metadata_titles(evidence: HtmlEvidence, jsonld: JsonLd) -> list[tuple[str, str]]:
    """Return (source, title) candidates from JSON-LD, meta tags and <title>, strongest first."""
    candidates: list[tuple[str, str]] = []
    for obj in jsonld.articles():
        if isinstance(obj.get("headline"), str):
            candidates.append(("jsonld", obj["headline"]))
            break
    for key in ("og:title", "twitter:title"):
        candidates.extend(("meta", value) for value in evidence.meta_tags.get(key, [])[:1])
    for obj in jsonld.articles():
        if isinstance(obj.get("name"), str):
            candidates.append(("jsonld", obj["name"]))
            break
    cleaned = [(source, clean_text_value(value)) for source, value in candidates]
    return [(source, value) for source, value in cleaned if value]


def choose_title(
    tree: lxml_html.HtmlElement,
    evidence: HtmlEvidence,
    jsonld: JsonLd,
    sites: SiteNames,
    fallback: str | None = None,
) -> Title:
    """Return the headline: an <h1> the metadata agrees with, else the best metadata title."""
    title_element = tree.find(".//title")
    raw = None
    if title_element is not None:
        raw = " ".join(title_element.text_content().split()) or None
    metadata = _metadata_titles(evidence, jsonld)
    if raw and (cleaned_raw := clean_text_value(raw)):
        metadata.append(("html", cleaned_raw))
    metadata = [(source, value) for source, value in metadata if len(value) <= MAX_TITLE_CHARS]
    stripped = [(source, strip_site_affixes(value, sites)) for source, value in metadata]
    headings = _headings(tree, sites, raw)
    # A visible headline the metadata agrees with (the metadata may carry a site name the page's
    # evidence does not name: the <h1> shows where the headline ends).
    agreed: list[tuple[str, str]] = []
    for heading in headings:
        equal = [source for source, short in stripped if _fold(heading) == _fold(short)]
        if equal:
            agreed.append((heading, equal[0]))
        elif any(
            is_part_of(heading, value) or is_part_of(heading, short)
            for (_source, value), (_, short) in zip(metadata, stripped, strict=True)
        ):
            agreed.append((heading, "html"))
    if agreed:
        # A logo <h1> agrees too ("Coast Weekly" in "Ferry fares rise | Coast Weekly"): the
        # headline is the longer one.
        heading, source = max(agreed, key=lambda item: len(item[0]))
        return Title(heading, source, raw)
    # A page with one or two headlines shows the first: the metadata then often holds an SEO
    # title instead (with more <h1>s, the first is as likely a logo or a section name).
    if 1 <= len(headings) <= 2:
        if furnished := _without_furniture(headings[0], stripped):
            return Title(furnished[1], furnished[0], raw)
        if spelled := _with_lost_characters(headings[0], stripped):
            return Title(spelled[1], spelled[0], raw)
        # A heading of a few words beside a full metadata title is a section label ("Webcams").
        if stripped and len(headings[0].split()) <= 3 and len(stripped[0][1].split()) >= 5:
            return Title(stripped[0][1], stripped[0][0], raw)
        # The metadata title shown as a heading of its own: the page shows it as the headline
        # too (the <h1> holds a teaser, a kicker or a comment count beside it).
        if stripped and (shown := _shown_as_subheading(tree, stripped)):
            return Title(shown[1], shown[0], raw)
        return Title(headings[0], "html", raw)
    # Metadata titles that are a part of another one ("A" beside "A | B") are the headline.
    for source, short in stripped:
        if any(is_part_of(short, other) and short != other for _, other in metadata):
            return Title(short, source, raw)
    if stripped:
        source, short = stripped[0]
        return Title(short, source, raw)
    if headings:
        return Title(headings[0], "html", raw)
    if fallback and (cleaned := clean_text_value(fallback)):
        return Title(strip_site_affixes(cleaned, sites), "html", raw)
    return Title(None, None, raw)
