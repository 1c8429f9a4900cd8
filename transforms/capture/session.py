"""One web capture run: pages, feeds and sitemaps sharing a fetcher, state and a scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from transforms.capture.feeds import FEED_ROOTS, Discovered, is_json_feed, parse_feed
from transforms.capture.http import (
    Fetched,
    Fetcher,
    FetchResult,
    NotModified,
    host_key,
    is_transient,
)
from transforms.capture.runner import Emit, HostScheduler
from transforms.capture.safexml import GZIP_MAGIC, root_name
from transforms.capture.settings import FetchSettings
from transforms.capture.sitemaps import SITEMAP_ROOTS, parse_sitemap
from transforms.capture.state import CaptureState
from transforms.schemas import Capture, Reject, sha256_hex, utc_now

log = logging.getLogger(__name__)

UrlFilter = Callable[[str], bool]


@dataclass(frozen=True)
class Scope:
    """Which discovered URLs a feed or sitemap may lead to."""

    since: datetime | None = None
    until: datetime | None = None
    url_filter: UrlFilter | None = None
    force: bool = False


@dataclass
class _Node:
    """A feed or sitemap: its validators are kept only once everything it listed was tried."""

    url: str
    parent: _Node | None
    fetched: Fetched | None = None
    pending: int = 1
    transient: bool = False


class Session:
    """Async capture logic; every document ends as an emitted Capture or Reject, or is counted."""

    def __init__(
        self,
        settings: FetchSettings,
        fetcher: Fetcher,
        state: CaptureState | None,
        emit: Emit,
        group: asyncio.TaskGroup,
    ) -> None:
        self.settings, self.fetcher, self.state, self.emit = settings, fetcher, state, emit
        self.scheduler = HostScheduler(group, settings.host_concurrency, self._on_error)
        self.counts: Counter[str] = Counter()
        self._pages: set[str] = set()
        self._origins: set[str] = set()

    async def _on_error(self, locator: str, exc: Exception) -> None:
        await self._reject(locator, "capture_error", f"{type(exc).__name__}: {exc}")

    async def _reject(self, locator: str, reason: str, detail: str | None) -> None:
        self.counts["rejected"] += 1
        await self.emit(Reject(stage="capture", locator=locator, reason=reason, detail=detail))

    def _submit(
        self, url: str, parent: _Node | None, job: Callable[[_Node], Awaitable[None]]
    ) -> None:
        """Queue a job under a node that reports to `parent` when it and its children are done."""
        node = _Node(url, parent)
        if parent is not None:
            parent.pending += 1

        async def run() -> None:
            try:
                await job(node)
            finally:
                self._finish(node)

        self.scheduler.submit(host_key(url), url, run)

    def _finish(self, node: _Node, transient: bool = False) -> None:
        """Count down a node; when done, keep its validators unless something failed transiently."""
        node.pending -= 1
        node.transient |= transient
        if node.pending > 0:
            return
        if node.fetched is not None and not node.transient:
            self._remember(node.fetched)
        if node.parent is not None:
            self._finish(node.parent, node.transient)

    def _remember(self, fetched: Fetched) -> None:
        """Stage validators and body hash for the final and the requested URL."""
        if self.state is None:
            return
        sha = sha256_hex(fetched.body)
        for url in dict.fromkeys((fetched.final_url, fetched.url)):
            own = url == fetched.final_url
            self.state.record_url(
                url,
                etag=fetched.headers.get("etag") if own else None,
                last_modified=fetched.headers.get("last-modified") if own else None,
                body_sha256=sha,
                http_status=fetched.status,
                fetched_at=fetched.fetched_at,
            )

    def _touch(self, url: str) -> None:
        """Stage a new last-fetched time for a URL the server said is unchanged."""
        known = self.state.url_state(url) if self.state is not None else None
        if self.state is not None and known is not None:
            self.state.record_url(
                url,
                etag=known.etag,
                last_modified=known.last_modified,
                body_sha256=known.body_sha256,
                http_status=known.http_status,
                fetched_at=utc_now(),
            )

    def _unchanged(self, fetched: Fetched) -> bool:
        """Return True if the body is the one fetched last time from this URL."""
        if self.state is None or not self.settings.skip_unchanged:
            return False
        known = self.state.url_state(fetched.final_url)
        return known is not None and known.body_sha256 == sha256_hex(fetched.body)

    def submit_page(
        self,
        url: str,
        source_kind: str,
        found: Discovered | None = None,
        parent: _Node | None = None,
    ) -> None:
        """Queue an article page, once per run."""
        if url in self._pages:
            self.counts["duplicate_in_run"] += 1
            return
        self._pages.add(url)

        async def job(node: _Node) -> None:
            result = await self.fetcher.fetch(url, accept=self.settings.page_content_types)
            node.transient = await self._page_result(result, source_kind, found)
            if node.transient and source_kind == "feed" and found and self.state is not None:
                # Kept for the next run, which fetches it even if the feed answers 304.
                self.state.add_pending(found)

        self._submit(url, parent, job)

    async def _page_result(
        self, result: FetchResult, source_kind: str, found: Discovered | None
    ) -> bool:
        """Emit a fetched page; return True if it failed in a way a later run may fix."""
        if isinstance(result, Reject):
            self.counts["rejected"] += 1
            await self.emit(result)
            return is_transient(result)
        if isinstance(result, NotModified):
            self.counts["not_modified"] += 1
            self._touch(result.final_url)
            return False
        unchanged = self._unchanged(result)
        self._remember(result)
        if unchanged:
            self.counts["unchanged"] += 1
            return False
        meta = dict(found.origin_meta) if found else {}
        if result.final_url != result.url:
            meta["requested_url"] = result.url
        self.counts["captured"] += 1
        await self.emit(
            Capture(
                locator=result.final_url,
                source_kind=source_kind,
                body=result.body,
                fetched_at=result.fetched_at,
                http_status=result.status,
                headers=result.headers,
                content_type=result.content_type,
                declared_charset=result.charset,
                origin_url=found.origin_url if found else None,
                origin_meta=meta or None,
            )
        )
        return False

    def submit_feed(self, url: str, scope: Scope, parent: _Node | None = None) -> None:
        """Queue a feed: fetch, parse, then queue its items."""
        if self._claim_origin(url, scope):

            async def job(node: _Node) -> None:
                await self._origin_result(node, await self.fetcher.fetch(url), scope, "feed")

            self._submit(url, parent, job)

    def submit_sitemap(
        self, url: str, scope: Scope, depth: int = 0, parent: _Node | None = None
    ) -> None:
        """Queue a sitemap, sitemap index, or robots.txt to discover sitemaps from."""
        if self.counts["sitemaps_queued"] >= self.settings.max_sitemaps:
            self.counts["sitemaps_over_limit"] += 1
            return
        if not self._claim_origin(url, scope):
            return
        self.counts["sitemaps_queued"] += 1

        async def job(node: _Node) -> None:
            if urlsplit(url).path == "/robots.txt":
                found = await self.fetcher.sitemaps_in_robots(url)
                if isinstance(found, Reject):
                    await self._origin_failed(url, found)
                    return
                for child in found:
                    self.submit_sitemap(child, scope, depth, node)
                return
            result = await self.fetcher.fetch(url)
            await self._origin_result(node, result, scope, "sitemap", depth)

        self._submit(url, parent, job)

    def submit_auto(self, url: str, scope: Scope) -> None:
        """Queue a URL of unknown kind: the response is sniffed as a feed, a sitemap or a page."""
        if url in self._origins or url in self._pages:
            return
        self._origins.add(url)

        async def job(node: _Node) -> None:
            result = await self.fetcher.fetch(url)
            kind = _sniff(result) if isinstance(result, Fetched) else "page"
            if kind != "page":
                await self._origin_result(node, result, scope, kind)
                return
            if isinstance(result, Fetched):
                media = result.content_type
                if media and media not in self.settings.page_content_types:
                    await self._reject(url, "not_html", f"content type {media!r} at {url}")
                    return
            self._pages.add(url)
            node.transient = await self._page_result(result, "url", None)

        self._submit(url, None, job)

    def _claim_origin(self, url: str, scope: Scope) -> bool:
        """Return True if a feed or sitemap is new in this run and due for polling."""
        if url in self._origins:
            return False
        self._origins.add(url)
        if self.state is not None and not scope.force and not self.state.is_due(url, utc_now()):
            self.counts["origins_backing_off"] += 1
            log.info("%s is backing off after failures; skipped", url)
            return False
        return True

    async def _origin_failed(self, url: str, reject: Reject) -> None:
        """Emit the reject and push the next poll of this feed or sitemap back."""
        if self.state is not None:
            s = self.settings
            health = self.state.record_origin_failure(
                url, reject.reason, utc_now(), s.poll_backoff_base, s.poll_backoff_max
            )
            log.warning(
                "%s failed %d times; next poll %s", url, health.failure_count, health.next_poll_at
            )
        self.counts["rejected"] += 1
        await self.emit(reject)

    async def _origin_result(
        self, node: _Node, result: FetchResult, scope: Scope, kind: str, depth: int = 0
    ) -> None:
        """Parse a fetched feed or sitemap and queue what it lists."""
        url = node.url
        if isinstance(result, Reject):
            await self._origin_failed(url, result)
            return
        if self.state is not None:
            self.state.record_origin_ok(url, utc_now())
        if isinstance(result, NotModified) or self._unchanged(result):
            self.counts[f"{kind}s_unchanged"] += 1
            self._touch(result.final_url)
            if kind == "feed":
                for item in self._within_feed_limit(url, [], scope):
                    self.submit_page(item.url, kind, item, node)
            return
        s = self.settings
        if kind == "feed":
            found = parse_feed(result.body, url, result.content_type, None, result.final_url)
            children: list[str] = []
        else:
            listing = parse_sitemap(
                result.body,
                result.final_url,
                max_urls=s.max_urls_per_sitemap,
                max_decompressed=s.max_decompressed_bytes,
                since=scope.since,
                until=scope.until,
            )
            if isinstance(listing, Reject):
                await self._origin_failed(url, _relocate(listing, url))
                return
            found, children = list(listing.urls), [child.url for child in listing.children]
            self.counts["dropped_by_window"] += listing.count_dropped
        if len(found) == 1 and isinstance(found[0], Reject) and found[0].locator == url:
            await self._origin_failed(url, found[0])
            return
        node.fetched = result
        self.counts[f"{kind}s_read"] += 1
        for child in children:
            if depth + 1 > s.max_sitemap_depth:
                await self._reject(child, "sitemap_too_deep", f"listed at depth {depth} by {url}")
            else:
                self.submit_sitemap(child, scope, depth + 1, node)
        wanted: list[Discovered] = []
        for item in found:
            if isinstance(item, Reject):
                self.counts["rejected"] += 1
                await self.emit(item)
            elif self._wanted(item, scope):
                wanted.append(item)
        if kind == "feed":
            wanted = self._within_feed_limit(url, wanted, scope)
        for item in wanted:
            self.submit_page(item.url, kind, item, node)

    def _within_feed_limit(
        self, url: str, wanted: list[Discovered], scope: Scope
    ) -> list[Discovered]:
        """Return what to fetch now from a feed: earlier leftovers first, up to the limit.

        The rest is kept in the capture state for the next runs (none is dropped): a feed that
        lists more new items than max_items_per_feed is worked through over several runs.
        """
        limit = self.settings.max_items_per_feed
        if self.state is None:
            if len(wanted) > limit:
                self.counts["over_feed_limit"] += len(wanted) - limit
                log.warning(
                    "%s: %d items over max_items_per_feed (%d) not fetched: no capture state "
                    "to keep them for a later run",
                    url, len(wanted) - limit, limit,
                )  # fmt: skip
            return wanted[:limit]
        leftovers = [item for item in self.state.pending_items(url) if self._wanted(item, scope)]
        queue = list({item.url: item for item in [*leftovers, *wanted]}.values())
        now, later = queue[:limit], queue[limit:]
        self.state.set_pending(url, later)
        if later:
            self.counts["deferred"] += len(later)
            log.warning(
                "%s: %d items over max_items_per_feed (%d) deferred to a later run",
                url, len(later), limit,
            )  # fmt: skip
        return now

    def _wanted(self, item: Discovered, scope: Scope) -> bool:
        """Return True if an item is in scope and not already captured unchanged."""
        if scope.url_filter is not None and not scope.url_filter(item.url):
            self.counts["filtered_out"] += 1
            return False
        when = item.changed_at
        if when is not None and (
            (scope.since and when < scope.since) or (scope.until and when > scope.until)
        ):
            self.counts["dropped_by_window"] += 1
            return False
        if self.state is None or self.settings.revisit_known:
            return True
        known = self.state.url_state(item.url)
        if known is None or known.body_sha256 is None or known.fetched_at is None:
            return True
        if when is not None and when > known.fetched_at:
            return True
        self.counts["known_skipped"] += 1
        return False


def _sniff(fetched: Fetched) -> str:
    """Return feed, sitemap or page judging by the body, not by the name."""
    root = root_name(fetched.body)
    if is_json_feed(fetched.body, fetched.content_type) or root in FEED_ROOTS:
        return "feed"
    if fetched.body.startswith(GZIP_MAGIC) or root in SITEMAP_ROOTS:
        return "sitemap"
    return "page"


def _relocate(reject: Reject, locator: str) -> Reject:
    """Return the reject with the configured URL as its locator."""
    return Reject(stage=reject.stage, locator=locator, reason=reject.reason, detail=reject.detail)
