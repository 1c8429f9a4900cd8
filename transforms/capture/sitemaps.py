"""Parse XML, text, gzip and Google News sitemaps and sitemap indexes."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree.ElementTree import Element

from transforms.capture.feeds import Discovered
from transforms.capture.safexml import (
    GZIP_MAGIC,
    UnsafeDocument,
    gunzip_capped,
    iso_utc,
    parse_w3c_datetime,
    parse_xml,
    root_name,
)
from transforms.schemas import Reject

log = logging.getLogger(__name__)

SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})


@dataclass(frozen=True)
class ChildSitemap:
    """A sitemap listed in a sitemap index."""

    url: str
    lastmod: datetime | None


@dataclass
class SitemapListing:
    """What one sitemap document lists: article URLs, or further sitemaps."""

    urls: list[Discovered] = field(default_factory=list)
    children: list[ChildSitemap] = field(default_factory=list)
    count_dropped: int = 0


def in_window(when: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    """Return True if a date is inside [since, until]; undated entries are always kept."""
    if when is None:
        return True
    return (since is None or when >= since) and (until is None or when <= until)


def is_sitemap(body: bytes) -> bool:
    """Return True if the document is an XML sitemap or sitemap index (gzip included)."""
    return root_name(body) in SITEMAP_ROOTS


def parse_sitemap(
    body: bytes,
    sitemap_url: str,
    *,
    max_urls: int = 50_000,
    max_decompressed: int = 50 * 1024 * 1024,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SitemapListing | Reject:
    """Return the URLs and child sitemaps of a sitemap, filtered to the lastmod window."""
    try:
        if body.startswith(GZIP_MAGIC):
            body = gunzip_capped(body, max_decompressed)
        if root_name(body) is None:
            return _parse_text(body, sitemap_url, max_urls)
        root = parse_xml(body)
    except UnsafeDocument as exc:
        return _reject(sitemap_url, exc.reason, exc.detail)
    kind = _local(root.tag)
    if kind not in SITEMAP_ROOTS:
        return _reject(sitemap_url, "sitemap_unparseable", f"root element is <{kind}>")
    listing = SitemapListing()
    entries = [child for child in root if _local(child.tag) in ("url", "sitemap")]
    if len(entries) > max_urls:
        log.warning("sitemap %s lists %d entries, keeping %d", sitemap_url, len(entries), max_urls)
        listing.count_dropped += len(entries) - max_urls
    for entry in entries[:max_urls]:
        fields = _fields(entry)
        loc = fields.get("loc")
        if not loc:
            continue
        url = urldefrag(urljoin(sitemap_url, loc)).url
        if urlsplit(url).scheme not in ("http", "https"):
            listing.count_dropped += 1
            continue
        lastmod = parse_w3c_datetime(fields.get("lastmod"))
        if kind == "sitemapindex":
            if in_window(lastmod, since, None):
                listing.children.append(ChildSitemap(url, lastmod))
            else:
                listing.count_dropped += 1
            continue
        published = parse_w3c_datetime(fields.get("news:publication_date"))
        changed = published or lastmod
        if not in_window(changed, since, until):
            listing.count_dropped += 1
            continue
        meta = {
            "lastmod": iso_utc(lastmod),
            "news_publication_date": iso_utc(published),
            "published_as_written": fields.get("news:publication_date") if published else None,
            "news_title": fields.get("news:title"),
            "news_publication_name": fields.get("news:name"),
            "news_language": fields.get("news:language"),
            "news_keywords": fields.get("news:keywords"),
        }
        meta = {k: v for k, v in meta.items() if v}
        changed_at = max((d for d in (lastmod, published) if d), default=None)
        listing.urls.append(Discovered(url, sitemap_url, meta, changed_at))
    return listing


def _parse_text(body: bytes, sitemap_url: str, max_urls: int) -> SitemapListing | Reject:
    """Return the URLs of a plain-text sitemap: one absolute URL per line."""
    text = body.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    urls = [line for line in lines if urlsplit(line).scheme in ("http", "https")]
    if lines and not urls:
        return _reject(sitemap_url, "sitemap_unparseable", "neither XML nor a list of URLs")
    listing = SitemapListing(count_dropped=len(lines) - len(urls))
    for url in urls[:max_urls]:
        listing.urls.append(Discovered(urldefrag(url).url, sitemap_url, {}, None))
    listing.count_dropped += max(0, len(urls) - max_urls)
    return listing


def _fields(entry: Element) -> dict[str, str]:
    """Return the text of an entry's children, news fields prefixed `news:`."""
    found: dict[str, str] = {}
    for child in entry:
        name = _local(child.tag)
        if name == "news":
            for part in child.iter():
                local = _local(part.tag)
                if part is not child and local != "publication" and part.text:
                    found[f"news:{local}"] = part.text.strip()
        elif child.text and child.text.strip():
            found.setdefault(name, child.text.strip())
    return found


def _local(tag: str) -> str:
    """Return an element's local name without its namespace."""
    return tag.rsplit("}", 1)[-1].lower()


def _reject(locator: str, reason: str, detail: str | None) -> Reject:
    """Return a capture-stage reject."""
    return Reject(stage="capture", locator=locator, reason=reason, detail=detail)
