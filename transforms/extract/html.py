"""HTML extraction: trafilatura's body and metadata, weighed against the page's own evidence."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from transforms.extract import textclean
from transforms.extract.authors import choose_authors
from transforms.extract.decoding import DecodeError
from transforms.extract.evidence import HtmlEvidence, read_html_evidence
from transforms.extract.jsonld import JsonLd
from transforms.extract.markup import clean_text_value
from transforms.extract.normalize import (
    canonicalize_url,
    fold_text,
    normalize_language,
    parse_datetime_utc,
)
from transforms.extract.sitename import read_site_names
from transforms.extract.title import choose_title, title_affixes

logger = logging.getLogger(__name__)

URL_DATE_RE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|$|[-_])")


def _first(candidates: dict[str, Any], order: tuple[str, ...]) -> tuple[Any, str | None]:
    """Return the first present candidate value and where it came from."""
    for source in order:
        value = candidates.get(source)
        if value:
            return value, source
    return None, None


def _published_at(
    evidence: HtmlEvidence, html_date: str | None, url: str | None
) -> tuple[datetime | None, str | None]:
    """Return the publication time in UTC and its source: jsonld, meta, url or html."""
    for source in ("jsonld", "meta"):
        if parsed := parse_datetime_utc(evidence.published.get(source)):
            return parsed, source
    if url and (match := URL_DATE_RE.search(url)):
        parsed = parse_datetime_utc(f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}")
        if parsed:
            return parsed, "url"
    if parsed := parse_datetime_utc(html_date):
        return parsed, "html"
    return None, None


def _clean_body(text: str, hints: dict[str, str]) -> str:
    """Drop furniture lines that survive HTML extraction (prompts, widgets, copyright)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kept, _dropped = textclean.drop_boilerplate(lines, hints)
    return "\n".join(kept)


def _drop_leading_headline(body_text: str, titles: set[str | None]) -> str:
    """Drop a first line that repeats the headline (pages put the <h1> inside the article)."""
    first, _, rest = body_text.partition("\n")
    folded = {fold_text(title) for title in titles if title}
    return rest if fold_text(first) in folded and rest else body_text


def extract_html(text: str, url: str | None) -> dict[str, Any]:
    """Return article fields from an HTML page, or an empty dict when it holds no article."""
    tree = load_html(text)
    if tree is None:
        raise DecodeError("unparseable_html", "the markup could not be parsed as HTML")
    evidence = read_html_evidence(tree)
    jsonld = JsonLd(evidence.jsonld_documents)
    sites = read_site_names(evidence, jsonld, url)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if document is None or not document.text:
        return {}
    hints: dict[str, str] = {}
    body_text = _clean_body(document.text, hints)
    title = choose_title(tree, evidence, jsonld, sites, fallback=document.title)
    authors = choose_authors(
        tree, evidence, jsonld, sites, fallback=document.author, headline=title.title
    )
    canonical, canonical_source = _first(
        {**evidence.canonical, "capture": url}, ("link", "meta", "jsonld", "capture")
    )
    sitename, sitename_source = _first(
        {
            key: clean_text_value(value)
            for key, value in {**evidence.site_names, "html": document.sitename}.items()
        },
        ("meta", "jsonld", "html"),
    )
    description, description_source = _first(
        {
            key: clean_text_value(value, strip_tags=True)
            for key, value in {**evidence.descriptions, "html": document.description}.items()
        },
        ("meta", "jsonld", "html"),
    )
    language, language_source = _first(
        {key: normalize_language(value) for key, value in evidence.languages.items()},
        ("jsonld", "meta", "html"),
    )
    published_at, published_source = _published_at(evidence, document.date, canonical or url)
    modified_at, _source = _first(
        {key: parse_datetime_utc(value) for key, value in evidence.modified.items()},
        ("jsonld", "meta"),
    )
    body_text = _drop_leading_headline(body_text, {title.title, document.title})
    return {
        "body_text": body_text,
        "title": title.title,
        "title_source": title.title_source,
        "title_raw": title.title_raw,
        "authors": authors.people,
        "authors_source": authors.source,
        "author_organizations": authors.organizations,
        "canonical_url": canonicalize_url(canonical),
        "canonical_url_source": canonical_source if canonicalize_url(canonical) else None,
        "sitename": sitename,
        "sitename_source": sitename_source,
        "description": description,
        "description_source": description_source,
        "language": language,
        "language_source": language_source,
        "published_at": published_at,
        "published_at_source": published_source,
        "modified_at": modified_at,
        "categories": list(document.categories or []),
        "tags": list(document.tags or []),
        "extraction_method": "trafilatura",
        "_wire_agency": authors.wire_agency,
        "_site_names": {
            **title_affixes(title.title_raw),
            **sites.by_source,
            **({"html": document.sitename} if document.sitename else {}),
        },
        "_hints": {
            **({"copyright": evidence.copyright_holder} if evidence.copyright_holder else {}),
            **hints,
            **({"canonical": canonical} if canonical else {}),
        },
    }
