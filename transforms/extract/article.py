"""Extraction: one capture in, one article row (with per-field provenance) or one reject out."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from transforms.enrich.signatures import compute_signatures
from transforms.enrich.wires import find_wire_agency
from transforms.extract import textclean
from transforms.extract.decoding import DecodeError, decode_body
from transforms.extract.evidence import HtmlEvidence, read_html_evidence
from transforms.extract.normalize import (
    canonicalize_url,
    count_words,
    detect_language,
    fold_text,
    hash_content,
    make_article_id,
    normalize_language,
    parse_datetime_utc,
)
from transforms.extract.publisher import PathMapping, resolve_publisher
from transforms.schemas import Reject, utc_now

logger = logging.getLogger(__name__)

# Bump when extraction or cleaning rules change: history is re-extracted from raw captures.
RULES_VERSION = "2"
EXTRACTOR_VERSION = f"newsloom-rules{RULES_VERSION}+trafilatura{trafilatura.__version__}"
TEXT_SUFFIXES = (".txt", ".txt.gz", ".text")
ERROR_PAGE_RE = re.compile(
    r"^\W*(?:error\W*)?(?:404|410|500)\b|\b(?:page|article) (?:not found|unavailable)\b"
    r"|\bseite nicht gefunden\b|\bpage introuvable\b|\bpágina no encontrada\b",
    re.IGNORECASE,
)
URL_DATE_RE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?:/|$|[-_])")


@dataclass(frozen=True)
class ExtractOptions:
    """What extraction needs besides the capture; picklable for worker processes."""

    min_article_words: int = 50
    path_mappings: tuple[PathMapping, ...] = ()
    extractor_version: str = EXTRACTOR_VERSION


def is_text_document(locator: str, content_type: str | None) -> bool:
    """Return True when a capture is a plain-text dump rather than a web page."""
    if content_type and "text/plain" in content_type:
        return True
    return locator.lower().endswith(TEXT_SUFFIXES)


def _first(candidates: dict[str, Any], order: tuple[str, ...]) -> tuple[Any, str | None]:
    """Return the first present candidate value and where it came from."""
    for source in order:
        value = candidates.get(source)
        if value:
            return value, source
    return None, None


def _split_authors(value: str | None) -> list[str]:
    """Return author names from trafilatura's '; '-joined author string."""
    if not value:
        return []
    return [name.strip() for name in re.split(r";|\s+and\s+", value) if name.strip()]


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


def _extract_html(text: str, url: str | None) -> dict[str, Any]:
    """Return article fields from an HTML page, or an empty dict when it holds no article."""
    tree = load_html(text)
    if tree is None:
        raise DecodeError("unparseable_html", "the markup could not be parsed as HTML")
    evidence = read_html_evidence(tree)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if document is None or not document.text:
        return {}
    hints: dict[str, str] = {}
    body_text = _clean_body(document.text, hints)
    title, title_source = _first(
        {**evidence.titles, "html": document.title}, ("jsonld", "meta", "html")
    )
    authors, authors_source = _first(
        {**evidence.authors, "html": _split_authors(document.author)}, ("jsonld", "meta", "html")
    )
    canonical, canonical_source = _first(
        {**evidence.canonical, "capture": url}, ("link", "meta", "jsonld", "capture")
    )
    sitename, sitename_source = _first(
        {**evidence.site_names, "html": document.sitename}, ("meta", "jsonld", "html")
    )
    description, description_source = _first(
        {**evidence.descriptions, "html": document.description}, ("meta", "jsonld", "html")
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
    body_text = _drop_leading_headline(body_text, {title, document.title})
    return {
        "body_text": body_text,
        "title": title,
        "title_source": title_source,
        "authors": authors or [],
        "authors_source": authors_source,
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
        "_hints": {
            **({"copyright": evidence.copyright_holder} if evidence.copyright_holder else {}),
            **hints,
            **({"canonical": canonical} if canonical else {}),
        },
    }


def _extract_text(text: str) -> dict[str, Any]:
    """Return article fields from a plain-text dump."""
    cleaned = textclean.clean_text_document(text)
    return {
        "body_text": cleaned.body_text,
        "title": cleaned.title,
        "title_source": "text" if cleaned.title else None,
        "authors": cleaned.authors,
        "authors_source": "text" if cleaned.authors else None,
        "canonical_url": None,
        "canonical_url_source": None,
        "sitename": None,
        "sitename_source": None,
        "description": None,
        "description_source": None,
        "language": None,
        "language_source": None,
        "published_at": None,
        "published_at_source": None,
        "modified_at": None,
        "categories": [],
        "tags": [],
        "extraction_method": "text_rules",
        "_hints": cleaned.publisher_hints,
    }


def _apply_origin_candidates(fields: dict[str, Any], capture: dict[str, Any]) -> None:
    """Use the feed item's or sitemap entry's title, date and author where the page lacks them."""
    if not capture.get("origin_meta"):
        return
    try:
        meta = json.loads(capture["origin_meta"])
    except (TypeError, ValueError):
        return
    kind = capture["source_kind"] if capture["source_kind"] in ("feed", "sitemap") else None
    if kind is None:
        return
    published = parse_datetime_utc(meta.get("published") or meta.get("news_publication_date"))
    if published and fields["published_at_source"] not in ("jsonld", "meta"):
        fields["published_at"], fields["published_at_source"] = published, kind
    title = meta.get("title") or meta.get("news_title")
    if title and not fields["title"]:
        fields["title"], fields["title_source"] = str(title).strip(), kind
    if meta.get("author") and not fields["authors"]:
        fields["authors"] = _split_authors(str(meta["author"]).replace(",", ";"))
        fields["authors_source"] = kind


def extract_capture(capture: dict[str, Any], options: ExtractOptions) -> dict[str, Any] | Reject:
    """Return the article row for one capture row, or the reason it was rejected."""
    locator = capture["locator"]

    def reject(reason: str, detail: str) -> Reject:
        return Reject(
            stage="extract",
            locator=locator,
            reason=reason,
            detail=detail,
            capture_id=capture["capture_id"],
            extractor_version=options.extractor_version,
        )

    url = locator if capture["source_kind"] not in ("file", "text") else None
    try:
        decoded = decode_body(capture["body"], capture.get("declared_charset"))
        if is_text_document(locator, capture.get("content_type")):
            fields = _extract_text(decoded.text)
        else:
            fields = _extract_html(decoded.text, url)
    except DecodeError as error:
        return reject(error.reason, str(error))
    except (etree.LxmlError, ValueError, RecursionError) as error:
        return reject("extraction_failed", f"{type(error).__name__}: {error}")
    body_text = fields.get("body_text", "")
    if fields.get("title") and ERROR_PAGE_RE.search(fields["title"]):
        return reject("error_page", f"the page is an error page: {fields['title']!r}")
    words = count_words(body_text)
    if words < options.min_article_words:
        return reject(
            "no_article_text",
            f"{words} words of article text found (minimum {options.min_article_words})",
        )
    _apply_origin_candidates(fields, capture)
    if not fields["language"] and (language := detect_language(body_text)):
        fields["language"], fields["language_source"] = language, "detected"
    hints = fields.pop("_hints")
    dateline = textclean.find_dateline(body_text.split("\n", 1)[0])
    publisher = resolve_publisher(
        url=url,
        locator=locator,
        site_name=fields["sitename"],
        evidence=hints,
        mappings=options.path_mappings,
    )
    content_sha256 = hash_content(body_text)
    signatures = compute_signatures(body_text)
    return {
        **fields,
        "article_id": make_article_id(fields["canonical_url"], content_sha256),
        "capture_id": capture["capture_id"],
        "locator": locator,
        "source_kind": capture["source_kind"],
        "url": url,
        "source_id": publisher.source_id,
        "source_domain": publisher.source_domain,
        "source_name": publisher.source_name,
        "source_id_source": publisher.source_id_source,
        "dateline": dateline,
        "dateline_source": "text" if dateline else None,
        "count_words": words,
        "content_sha256": content_sha256,
        "wire_agency": find_wire_agency(body_text),
        "minhash": signatures.minhash,
        "count_shingles": signatures.count_shingles,
        "topic_minhash": signatures.topic_minhash,
        "count_topic_terms": signatures.count_topic_terms,
        "extractor_version": options.extractor_version,
        "fetched_at": capture["fetched_at"],
        "extracted_at": utc_now(),
    }
