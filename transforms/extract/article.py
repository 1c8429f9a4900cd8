"""Extraction: one capture in, one article row (with per-field provenance) or one reject out."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura
from lxml import etree

from transforms.enrich.signatures import compute_signatures
from transforms.enrich.wires import find_wire_agency
from transforms.extract import textclean
from transforms.extract.credits import Credit, agency_name, parse_credit
from transforms.extract.dates import DateCandidate, choose_dates, make_candidate
from transforms.extract.decoding import DecodeError, decode_body
from transforms.extract.html import extract_html
from transforms.extract.markup import clean_text_value
from transforms.extract.normalize import count_words, detect_language, hash_content, make_article_id
from transforms.extract.page_type import classify_page
from transforms.extract.publisher import PathMapping, resolve_publisher
from transforms.extract.text import extract_text_document, model_version
from transforms.schemas import Reject, utc_now

logger = logging.getLogger(__name__)

# Bump when extraction or cleaning rules change: history is re-extracted from raw captures.
RULES_VERSION = "9"
# The text-mode model's digest: a retrained model re-extracts history like a rules change.
EXTRACTOR_VERSION = (
    f"newsloom-rules{RULES_VERSION}+textmodel-{model_version()}"
    f"+trafilatura{trafilatura.__version__}"
)
TEXT_SUFFIXES = (".txt", ".txt.gz", ".text")
ERROR_PAGE_RE = re.compile(
    r"^\W*(?:error\W*)?(?:404|410|500)\b|\b(?:page|article) (?:not found|unavailable)\b"
    r"|\bseite nicht gefunden\b|\bpage introuvable\b|\bpágina no encontrada\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ExtractOptions:
    """What extraction needs besides the capture; picklable for worker processes."""

    min_article_words: int = 50
    path_mappings: tuple[PathMapping, ...] = ()
    extractor_version: str = EXTRACTOR_VERSION
    # Non-articles: kept as rows with their page_type ('pages'), or rejected ('reject').
    non_articles: str = "pages"
    min_date_confidence: str = "medium"


def is_text_document(locator: str, content_type: str | None) -> bool:
    """Return True when a capture is a plain-text dump rather than a web page."""
    if content_type and "text/plain" in content_type:
        return True
    return locator.lower().endswith(TEXT_SUFFIXES)


def _extract_text(text: str, shared_keys: frozenset[int] = frozenset()) -> dict[str, Any]:
    """Return article fields from a plain-text dump (text mode: the learned line model)."""
    article = extract_text_document(text, shared_keys)
    # The byline's names read like any credit: people, and organisations and agencies apart.
    credit = Credit()
    for name in article.authors:
        credit.add(parse_credit(name))
    agencies = [agency_name(name) for name in credit.organizations]
    return {
        "body_text": article.body_text,
        "title": article.title,
        "title_source": "text" if article.title else None,
        "authors": credit.people,
        "authors_source": "text" if credit else None,
        "author_organizations": credit.organizations,
        "_wire_agency": next((a for a in agencies if a), None),
        "canonical_url": None,
        "canonical_url_source": None,
        "sitename": None,
        "sitename_source": None,
        "description": None,
        "description_source": None,
        "language": None,
        "language_source": None,
        "published_at": article.published_at,
        "published_at_source": "text" if article.published_at else None,
        "modified_at": None,
        "categories": [],
        "tags": [],
        "extraction_method": "text_model",
        "_hints": article.publisher_hints,
    }


def _origin_date_candidates(meta: dict[str, Any], kind: str) -> list[DateCandidate]:
    """Return the feed item's or sitemap entry's dates, as written when the capture kept that."""
    candidates = []
    for date_kind, keys in (
        ("published", ("published_as_written", "published", "news_publication_date")),
        ("modified", ("updated_as_written", "updated")),
    ):
        value = next((meta[key] for key in keys if meta.get(key)), None)
        if candidate := make_candidate(kind, date_kind, value):
            candidates.append(candidate)
    return candidates


def _as_utc(value: datetime) -> datetime:
    """Return a capture time as an aware UTC datetime (Parquet may hand back a naive one)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _text_date_candidates(fields: dict[str, Any]) -> list[DateCandidate]:
    """Return the date a text dump's cleaner found, as a candidate."""
    candidate = make_candidate(
        fields.get("published_at_source") or "text", "published", fields.get("published_at")
    )
    return [candidate] if candidate else []


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
    fields["_date_candidates"] += _origin_date_candidates(meta, kind)
    title = clean_text_value(meta.get("title") or meta.get("news_title"))
    if title and not fields["title"]:
        fields["title"], fields["title_source"] = title, kind
    if meta.get("author") and not fields["authors"]:
        credit = parse_credit(str(meta["author"]))
        fields["authors"], fields["authors_source"] = credit.people, kind if credit else None
        fields["author_organizations"] = credit.organizations
        agencies = [agency_name(name) for name in credit.organizations]
        fields["_wire_agency"] = next((a for a in agencies if a), fields.get("_wire_agency"))


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
            fields = _extract_text(decoded.text, capture.get("shared_line_keys") or frozenset())
        else:
            fields = extract_html(decoded.text, url, _as_utc(capture["fetched_at"]))
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
    page = classify_page(fields.pop("_page_features")) if "_page_features" in fields else None
    if page and page.page_type != "article" and options.non_articles == "reject":
        return reject(
            "not_an_article",
            f"classified {page.page_type} (probability {page.probability:.2f}; "
            f"article {page.article_probability:.2f})",
        )
    fields.setdefault("_date_candidates", _text_date_candidates(fields))
    _apply_origin_candidates(fields, capture)
    dates = choose_dates(
        fields.pop("_date_candidates"),
        _as_utc(capture["fetched_at"]),
        min_confidence=options.min_date_confidence,
    )
    fields.update(dates.as_fields())
    if not fields["language"] and (language := detect_language(body_text)):
        fields["language"], fields["language_source"] = language, "detected"
    hints = fields.pop("_hints")
    wire_agency = fields.pop("_wire_agency", None)
    dateline = textclean.find_dateline(body_text.split("\n", 1)[0])
    publisher = resolve_publisher(
        url=url,
        locator=locator,
        site_name=fields["sitename"],
        evidence=hints,
        mappings=options.path_mappings,
        site_names=fields.pop("_site_names", None),
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
        "source_platform": publisher.source_platform,
        # A text dump has no page structure to classify: it is taken as the article it holds.
        "page_type": page.page_type if page else "article",
        "article_probability": page.article_probability if page else None,
        "dateline": dateline,
        "dateline_source": "text" if dateline else None,
        "count_words": words,
        "content_sha256": content_sha256,
        # A credit in the body (dateline, closing line), else one in the byline.
        "wire_agency": find_wire_agency(body_text) or wire_agency,
        "minhash": signatures.minhash,
        "count_shingles": signatures.count_shingles,
        "topic_minhash": signatures.topic_minhash,
        "count_topic_terms": signatures.count_topic_terms,
        "extractor_version": options.extractor_version,
        "fetched_at": capture["fetched_at"],
        "extracted_at": utc_now(),
    }
