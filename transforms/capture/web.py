"""Entry points of web and archive capture: URLs, feeds, sitemaps, sources and CLI arguments."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from transforms.capture.http import Fetcher
from transforms.capture.runner import Emit, iterate
from transforms.capture.session import Scope, Session, UrlFilter
from transforms.capture.settings import FetchSettings
from transforms.capture.sources import SourcesConfig
from transforms.capture.state import CaptureState
from transforms.capture.warc import capture_warc, is_warc_path
from transforms.schemas import Capture, Reject

log = logging.getLogger(__name__)

INPUT_KINDS = ("url", "sitemap", "url_list", "warc", "path", "unknown")
URL_LIST_SUFFIXES = (".urls", ".txt")
URL_LIST_SNIFF_LINES = 50

CaptureItem = Capture | Reject
PathCapturer = Callable[[Path], Iterable[CaptureItem]]


def capture_urls(
    urls: Iterable[str],
    settings: FetchSettings,
    state_dir: str | Path | None = None,
    *,
    source_kind: str = "url",
) -> Iterator[CaptureItem]:
    """Fetch article pages concurrently; yield a Capture or Reject per page with something new."""
    url_list = list(dict.fromkeys(u.strip() for u in urls if u and u.strip()))
    return _run(settings, state_dir, lambda s: [s.submit_page(u, source_kind) for u in url_list])


def capture_feeds(
    feed_urls: Iterable[str],
    settings: FetchSettings,
    state_dir: str | Path | None = None,
    *,
    since: datetime | None = None,
    url_filter: UrlFilter | None = None,
    force: bool = False,
) -> Iterator[CaptureItem]:
    """Poll feeds and fetch the article pages they list (source_kind 'feed')."""
    scope = Scope(since=since, url_filter=url_filter, force=force)
    feeds = list(dict.fromkeys(feed_urls))
    return _run(settings, state_dir, lambda s: [s.submit_feed(u, scope) for u in feeds])


def capture_sitemaps(
    sitemap_urls: Iterable[str],
    settings: FetchSettings,
    state_dir: str | Path | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    url_filter: UrlFilter | None = None,
    force: bool = False,
) -> Iterator[CaptureItem]:
    """Read sitemaps (or robots.txt URLs to discover them) and fetch the listed pages."""
    scope = Scope(since=since, until=until, url_filter=url_filter, force=force)
    maps = list(dict.fromkeys(sitemap_urls))
    return _run(settings, state_dir, lambda s: [s.submit_sitemap(u, scope) for u in maps])


def capture_sources(
    config: SourcesConfig,
    settings: FetchSettings,
    state_dir: str | Path | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    force: bool = False,
) -> Iterator[CaptureItem]:
    """Poll every publisher's feeds and sitemaps, keeping URLs that match its url_patterns."""

    def start(session: Session) -> None:
        for publisher in config.publishers:
            keep = publisher.matches_url if publisher.url_patterns else None
            scope = Scope(since=since, until=until, url_filter=keep, force=force)
            for url in publisher.feeds:
                session.submit_feed(url, scope)
            for url in publisher.sitemaps:
                session.submit_sitemap(url, scope)

    return _run(settings, state_dir, start)


def capture_inputs_auto(
    args: Iterable[str],
    settings: FetchSettings,
    state_dir: str | Path | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    capture_path: PathCapturer | None = None,
) -> Iterator[CaptureItem]:
    """Capture CLI arguments of any kind; URLs are sniffed as feed, sitemap or page when fetched."""
    web: list[tuple[str, str]] = []
    for arg in args:
        kind = classify_input(arg)
        if kind == "warc":
            yield from capture_warc(_local_path(arg), settings.max_warc_record_bytes)
        elif kind == "url_list":
            urls, rejects = read_url_list(_local_path(arg))
            yield from rejects
            web.extend(("page", url) for url in urls)
        elif kind in ("url", "sitemap"):
            web.append((kind, arg))
        elif kind == "path" and capture_path is not None:
            yield from capture_path(_local_path(arg))
        else:
            reason = "unsupported_input" if kind == "path" else "input_not_found"
            yield Reject(stage="capture", locator=arg, reason=reason, detail=f"input kind {kind}")
    if not web:
        return
    scope = Scope(since=since, until=until)

    def start(session: Session) -> None:
        for kind, url in web:
            if kind == "page":
                session.submit_page(url, "url")
            elif kind == "sitemap":
                session.submit_sitemap(url, scope)
            else:
                session.submit_auto(url, scope)

    yield from _run(settings, state_dir, start)


def classify_input(arg: str) -> str:
    """Return the kind of a CLI argument without network: url|sitemap|url_list|warc|path|unknown."""
    parts = urlsplit(arg)
    if parts.scheme in ("http", "https") and parts.hostname:
        return "sitemap" if parts.path == "/robots.txt" else "url"
    if parts.scheme not in ("", "file") and len(parts.scheme) > 1:
        return "unknown"
    path = _local_path(arg)
    if not path.exists():
        return "unknown"
    if path.is_file() and is_warc_path(path):
        return "warc"
    if path.is_file() and path.suffix.lower() == ".urls":
        return "url_list"
    if path.is_file() and path.suffix.lower() in URL_LIST_SUFFIXES and _looks_like_url_list(path):
        return "url_list"
    return "path"


def read_url_list(path: str | Path) -> tuple[list[str], list[Reject]]:
    """Return the http(s) URLs of a one-URL-per-line file ('#' comments), rejects for the rest."""
    urls: list[str] = []
    rejects: list[Reject] = []
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = urlsplit(line)
        if parts.scheme in ("http", "https") and parts.hostname:
            urls.append(line)
        else:
            detail = f"{path}:{number}: not an http(s) URL"
            rejects.append(
                Reject(stage="capture", locator=line, reason="invalid_url", detail=detail)
            )
    return urls, rejects


def _looks_like_url_list(path: Path) -> bool:
    """Return True if the first lines of a text file are all http(s) URLs."""
    seen = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if urlsplit(line).scheme not in ("http", "https") or " " in line:
                return False
            seen += 1
            if seen >= URL_LIST_SNIFF_LINES:
                break
    return seen > 0


def _local_path(arg: str) -> Path:
    """Return the filesystem path of a plain or file:// argument."""
    return Path(urlsplit(arg).path) if arg.startswith("file://") else Path(arg)


def _run(
    settings: FetchSettings, state_dir: str | Path | None, start: Callable[[Session], object]
) -> Iterator[CaptureItem]:
    """Run one capture session; state is committed only when the iterator is exhausted."""
    state = CaptureState(state_dir) if state_dir is not None else None
    sessions: list[Session] = []

    async def produce(emit: Emit) -> None:
        validators = state.validators if state is not None else None
        async with Fetcher(settings, validators) as fetcher, asyncio.TaskGroup() as group:
            session = Session(settings, fetcher, state, emit, group)
            sessions.append(session)
            start(session)

    def generate() -> Iterator[CaptureItem]:
        if state is not None:
            state.open()
        try:
            yield from iterate(produce)
            if state is not None:
                state.commit()
        finally:
            if state is not None:
                state.close()
            if sessions:
                log.info("capture finished: %s", dict(sorted(sessions[0].counts.items())))

    return generate()
