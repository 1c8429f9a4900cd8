"""Parse RSS, Atom and JSON Feed documents into candidate article URLs with provenance."""

from __future__ import annotations

import calendar
import io
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser

from transforms.capture.safexml import UnsafeDocument, check_xml, iso_utc, parse_w3c_datetime
from transforms.schemas import Reject

log = logging.getLogger(__name__)

FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
JSON_FEED_TYPES = frozenset({"application/feed+json", "application/json"})
SUMMARY_MAX_CHARS = 1000


@dataclass(frozen=True)
class Discovered:
    """A candidate article URL found in a feed or sitemap, with where and when it was listed."""

    url: str
    origin_url: str
    origin_meta: dict[str, Any]
    changed_at: datetime | None = None


def is_json_feed(body: bytes, content_type: str | None = None) -> bool:
    """Return True if the document looks like a JSON Feed."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if content_type == "application/feed+json":
        return True
    return head.startswith(b"{") and b"jsonfeed.org/version" in body[:65536]


def parse_feed(
    body: bytes,
    feed_url: str,
    content_type: str | None = None,
    max_items: int | None = None,
    base_url: str | None = None,
) -> list[Discovered | Reject]:
    """Return a feed's items as Discovered URLs (links resolved against `base_url`), or rejects.

    `max_items` keeps the first items only (None: all; the capture session limits what it
    fetches per run itself and keeps the rest for later runs).
    """
    base = base_url or feed_url
    if is_json_feed(body, content_type):
        return _parse_json_feed(body, feed_url, max_items, base)
    try:
        check_xml(body)
    except UnsafeDocument as exc:
        return [_reject(feed_url, exc.reason, exc.detail)]
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": base, "content-type": content_type or ""},
        sanitize_html=True,
    )
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            detail = str(parsed.get("bozo_exception", "not a feed"))
            return [_reject(feed_url, "feed_unparseable", detail)]
        log.info("feed %s has no items", feed_url)
        return []
    feed_title = parsed.feed.get("title")
    results: list[Discovered | Reject] = []
    for index, entry in enumerate(parsed.entries[:max_items]):
        link = entry.get("feedburner_origlink") or entry.get("link") or _permalink_guid(entry)
        # dict.get bypasses feedparser's deprecated updated->published key fallback.
        updated = _struct_to_datetime(dict.get(entry, "updated_parsed"))
        published = _struct_to_datetime(dict.get(entry, "published_parsed")) or updated
        meta = {
            "feed_title": feed_title,
            "title": entry.get("title"),
            "link": entry.get("link"),
            "guid": entry.get("id"),
            "published": iso_utc(published),
            "updated": iso_utc(updated),
            # As written, with the publisher's own offset: extraction keeps the local day.
            "published_as_written": dict.get(entry, "published"),
            "updated_as_written": dict.get(entry, "updated"),
            "author": entry.get("author"),
            "summary": _clip(entry.get("summary")),
            "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")] or None,
        }
        changed = max(published, updated, key=_key)
        results.append(_item(feed_url, base, index, link, meta, changed))
    return results


def _parse_json_feed(
    body: bytes, feed_url: str, max_items: int | None, base: str
) -> list[Discovered | Reject]:
    """Return the items of a JSON Feed (versions 1.0 and 1.1)."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [_reject(feed_url, "feed_unparseable", f"invalid JSON: {exc}")]
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return [_reject(feed_url, "feed_unparseable", "JSON Feed without an items list")]
    results: list[Discovered | Reject] = []
    for index, item in enumerate(document["items"][:max_items]):
        if not isinstance(item, dict):
            results.append(_reject(f"{feed_url}#item-{index}", "feed_item_invalid", repr(item)))
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        updated = parse_w3c_datetime(_text(item.get("date_modified")))
        published = parse_w3c_datetime(_text(item.get("date_published"))) or updated
        meta = {
            "feed_title": _text(document.get("title")),
            "title": _text(item.get("title")),
            "link": _text(item.get("url")),
            "guid": _text(item.get("id")),
            "published": iso_utc(published),
            "updated": iso_utc(updated),
            "published_as_written": _text(item.get("date_published")),
            "updated_as_written": _text(item.get("date_modified")),
            "author": ", ".join(names) or None,
            "summary": _clip(_text(item.get("summary"))),
            "tags": [t for t in item.get("tags") or [] if isinstance(t, str)] or None,
        }
        link = _text(item.get("url")) or _text(item.get("external_url"))
        changed = max(published, updated, key=_key)
        results.append(_item(feed_url, base, index, link, meta, changed))
    return results


def _item(
    feed_url: str,
    base: str,
    index: int,
    link: str | None,
    meta: dict[str, Any],
    changed_at: datetime | None,
) -> Discovered | Reject:
    """Return a Discovered item, or a reject when it has no usable link."""
    if not link:
        return _reject(f"{feed_url}#item-{index}", "feed_item_without_link", meta.get("title"))
    url = urldefrag(urljoin(base, link.strip())).url
    if not urlsplit(url).scheme:
        return _reject(f"{feed_url}#item-{index}", "feed_item_invalid", f"bad link {link!r}")
    meta = {k: v for k, v in meta.items() if v is not None}
    return Discovered(url=url, origin_url=feed_url, origin_meta=meta, changed_at=changed_at)


def _permalink_guid(entry: Any) -> str | None:
    """Return the entry id when it is a URL (RSS guid used as permalink)."""
    guid = entry.get("id")
    return guid if isinstance(guid, str) and guid.startswith(("http://", "https://")) else None


def _struct_to_datetime(value: Any) -> datetime | None:
    """Convert feedparser's UTC struct_time to an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _key(value: datetime | None) -> datetime:
    """Sort key treating missing dates as the earliest."""
    return value or datetime.min.replace(tzinfo=UTC)


def _text(value: Any) -> str | None:
    """Return a stripped string or None."""
    return value.strip() or None if isinstance(value, str) else None


def _clip(value: str | None) -> str | None:
    """Shorten long summaries: provenance, not content."""
    return value[:SUMMARY_MAX_CHARS] if value else None


def _reject(locator: str, reason: str, detail: str | None) -> Reject:
    """Return a capture-stage reject."""
    return Reject(stage="capture", locator=locator, reason=reason, detail=detail)
