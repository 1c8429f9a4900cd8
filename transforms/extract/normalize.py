"""Normalisation: canonical URLs, source domains, UTC dates, language, word counts, hashes."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit

import courlan
import dateparser
import py3langid
import tldextract

from transforms.schemas import make_id, sha256_hex

logger = logging.getLogger(__name__)

WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
LANGUAGE_RE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


@functools.cache
def _domain_extractor() -> tldextract.TLDExtract:
    """Return an offline extractor using the public-suffix snapshot shipped with tldextract."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def canonicalize_url(url: str | None) -> str | None:
    """Return the canonical form of a URL: lower-cased host, no fragment, no tracking params."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        return courlan.normalize_url(url, strict=True)
    except (ValueError, TypeError):
        logger.debug("unparseable url %r", url)
        return None


def extract_source_domain(url: str | None) -> str | None:
    """Return the registered domain of a URL ('news.bbc.co.uk' -> 'bbc.co.uk')."""
    if not url:
        return None
    parts = _domain_extractor()(url)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}".lower()
    # No public suffix (intranet, .example, .test): the host itself is the best key.
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return host or None


def parse_datetime_utc(value: str | None) -> datetime | None:
    """Return a timezone-aware UTC datetime from an ISO-ish or free-form date string."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = dateparser.parse(
            text,
            settings={
                "RETURN_AS_TIMEZONE_AWARE": True,
                "TO_TIMEZONE": "UTC",
                "PREFER_DAY_OF_MONTH": "first",
            },
        )
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if not 1990 <= parsed.year <= datetime.now(UTC).year + 1:
        return None
    return parsed


def normalize_language(value: str | None) -> str | None:
    """Return an ISO 639 code from 'en-GB', 'de_DE' or 'fr'."""
    if not value:
        return None
    match = LANGUAGE_RE.match(value.strip())
    return match.group(1).lower() if match else None


def detect_language(text: str) -> str | None:
    """Return the detected ISO 639-1 language of a text, or None when too short to tell."""
    sample = text[:4000]
    if len(WORD_RE.findall(sample)) < 5:
        return None
    language, _score = py3langid.classify(sample)
    return language


def count_words(text: str) -> int:
    """Return the number of words in a text."""
    return len(WORD_RE.findall(text))


def fold_text(text: str) -> str:
    """Return text folded for hashing: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def hash_content(text: str) -> str:
    """Return the content hash of a normalised body."""
    return sha256_hex(fold_text(text))


def make_article_id(canonical_url: str | None, content_sha256: str) -> str:
    """Return the article id: from the canonical URL when there is one, else from the body."""
    if canonical_url:
        return make_id("url", canonical_url)
    return make_id("text", content_sha256)


def slugify(text: str) -> str:
    """Return a stable ASCII slug ('Al Nisr Publishing LLC' -> 'al-nisr-publishing-llc')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
