"""Polite, guarded async HTTP fetching: the one module of capture that touches the network."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from transforms.capture.guard import AddressPolicy, BlockedAddressError, DnsError, GuardedTransport
from transforms.capture.settings import FetchSettings
from transforms.schemas import Reject, utc_now

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_REASONS = frozenset(
    {"timeout", "connection_error", "robots_unreachable", "host_deadline", "run_deadline"}
)
ROBOTS_MAX_BYTES = 500 * 1024
# Hop-by-hop body framing no longer describes the decoded body we keep (CC-NEWS does the same).
RENAMED_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


@dataclass(frozen=True)
class Validators:
    """What a previous fetch of a URL left behind for conditional requests."""

    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A successful response with its decoded body."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime = field(default_factory=utc_now)

    @property
    def content_type(self) -> str | None:
        """Return the media type without parameters, lowercased."""
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() or None if value else None

    @property
    def charset(self) -> str | None:
        """Return the charset declared in the Content-Type header."""
        return charset_of(self.headers.get("content-type"))


@dataclass(frozen=True)
class NotModified:
    """The server confirmed the document has not changed since the last fetch."""

    url: str
    final_url: str


FetchResult = Fetched | NotModified | Reject


def is_transient(reject: Reject) -> bool:
    """Return True if a later run may well succeed where this one failed."""
    return reject.reason in TRANSIENT_REASONS or reject.reason in {
        "http_status_429",
        *(f"http_status_{code}" for code in range(500, 600)),
    }


def charset_of(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type value."""
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'").lower()
    return None


def host_key(url: str) -> str:
    """Return scheme://host:port, the unit of politeness."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = (parts.hostname or "").lower()
    return f"{parts.scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def _retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks to wait, if it parses."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Failure(Exception):
    """One failed attempt; `retryable` says whether another attempt may help."""

    def __init__(
        self, reason: str, detail: str, retryable: bool = False, wait: float | None = None
    ) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.retryable, self.wait = reason, detail, retryable, wait


@dataclass
class _Answer:
    """The parts of one HTTP exchange the fetcher needs."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    location: str | None = None


class Fetcher:
    """Async client: robots.txt, per-host pacing and concurrency, retries, caps, SSRF guard."""

    def __init__(
        self,
        settings: FetchSettings,
        validators: Callable[[str], Validators | None] | None = None,
    ) -> None:
        self.settings = settings
        self._validators = validators or (lambda url: None)
        self._policy = AddressPolicy(settings.allow_private_hosts, settings.allowed_networks)
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self._hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.host_concurrency)
        )
        self._next_slot: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | Reject] = {}
        self._robots_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._client: httpx.AsyncClient | None = None
        self._run_ends: float | None = None
        self._host_ends: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        if s.run_deadline is not None:
            self._run_ends = asyncio.get_running_loop().time() + s.run_deadline
        limits = httpx.Limits(
            max_connections=s.global_concurrency, max_keepalive_connections=s.global_concurrency
        )
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self._policy, limits=limits),
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None
            ),
            headers={"User-Agent": s.user_agent},
            follow_redirects=False,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _deadline(self, key: str) -> tuple[str, float] | None:
        """Return the nearer of the run's and this host's deadlines (reason, loop time), if any."""
        if self.settings.host_deadline is not None and key not in self._host_ends:
            # A host's clock starts with its first request in the run.
            now = asyncio.get_running_loop().time()
            self._host_ends[key] = now + self.settings.host_deadline
        ends = [("host_deadline", self._host_ends[key])] if key in self._host_ends else []
        if self._run_ends is not None:
            ends.append(("run_deadline", self._run_ends))
        return min(ends, key=lambda end: end[1]) if ends else None

    def _time_left(self, key: str) -> tuple[str, float] | None:
        """Return (reason, seconds left) before this host's nearer deadline, if it has one."""
        deadline = self._deadline(key)
        if deadline is None:
            return None
        return deadline[0], deadline[1] - asyncio.get_running_loop().time()

    def _past_deadline(self, key: str, reason: str) -> _Failure:
        """Return the failure of a request cut off (or never sent) at a deadline."""
        limit = (
            self.settings.host_deadline if reason == "host_deadline" else self.settings.run_deadline
        )
        scope = "this host" if reason == "host_deadline" else "the run"
        return _Failure(reason, f"{scope} ran out of its {limit:g} s; tried again next run")

    async def fetch(
        self, url: str, accept: Sequence[str] | None = None, conditional: bool = True
    ) -> FetchResult:
        """Fetch one URL, following redirects; `accept` limits the content types kept."""
        async with self._hosts[host_key(url)]:
            current, hops, visited = url, 0, {url}
            while True:
                parts = urlsplit(current)
                if parts.scheme not in ("http", "https"):
                    return _reject(url, "unsupported_scheme", f"refusing to fetch {current!r}")
                if not parts.hostname:
                    return _reject(url, "invalid_url", f"no host in {current!r}")
                refused = await self._check_robots(current)
                if refused is not None:
                    return _reject(url, refused.reason, refused.detail)
                old = self._validators(current) if conditional else None
                try:
                    answer = await self._with_retries(current, accept, old)
                except _Failure as failure:
                    return _reject(url, failure.reason, failure.detail)
                if answer.location is None:
                    break
                hops += 1
                target = urljoin(current, answer.location)
                if hops > self.settings.max_redirects or target in visited:
                    kind = "loop" if target in visited else "chain"
                    return _reject(
                        url, "too_many_redirects", f"redirect {kind} after {hops} hops at {target}"
                    )
                visited.add(target)
                current = target
        if answer.status == 304:
            return NotModified(url=url, final_url=current)
        if not 200 <= answer.status < 300:
            return _reject(
                url, f"http_status_{answer.status}", f"HTTP {answer.status} for {current}"
            )
        return Fetched(
            url=url,
            final_url=current,
            status=answer.status,
            headers=answer.headers,
            body=answer.body,
        )

    async def sitemaps_in_robots(self, url: str) -> list[str] | Reject:
        """Return the `Sitemap:` URLs listed in the robots.txt of the URL's host."""
        async with self._hosts[host_key(url)]:
            robots = await self._load_robots(url)
        if isinstance(robots, Reject):
            return _reject(url, robots.reason, robots.detail)
        return list(robots.site_maps() or [])

    async def _check_robots(self, url: str) -> Reject | None:
        """Return a reject if robots.txt forbids the URL or cannot be read."""
        if not self.settings.respect_robots:
            return None
        robots = await self._load_robots(url)
        if isinstance(robots, Reject):
            return robots
        if not robots.can_fetch(self.settings.robots_agent, url):
            return _reject(url, "robots_disallowed", "robots.txt disallows this URL")
        return None

    async def _load_robots(self, url: str) -> RobotFileParser | Reject:
        """Fetch and parse robots.txt once per host (RFC 9309: 4xx allows, 5xx forbids)."""
        key = host_key(url)
        async with self._robots_locks[key]:
            if key in self._robots:
                return self._robots[key]
            robots_url = key + "/robots.txt"
            parser = RobotFileParser(robots_url)
            result: RobotFileParser | Reject = parser
            try:
                current, hops = robots_url, 0
                answer = await self._with_retries(current, None, None)
                while answer.location and hops < self.settings.max_redirects:
                    hops += 1
                    current = urljoin(current, answer.location)
                    if urlsplit(current).scheme not in ("http", "https"):
                        break
                    answer = await self._with_retries(current, None, None)
            except _Failure as failure:
                reason = (
                    failure.reason if failure.reason in ("blocked_address", "dns_error") else ""
                )
                result = _reject(
                    robots_url, reason or "robots_unreachable", f"robots.txt: {failure.detail}"
                )
            else:
                if 200 <= answer.status < 300:
                    text = answer.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
                    parser.parse(text.splitlines())
                    delay = parser.crawl_delay(self.settings.robots_agent)
                    if delay:
                        self._delay[key] = min(float(delay), self.settings.max_crawl_delay)
                elif answer.status >= 500:
                    result = _reject(
                        robots_url, "robots_unreachable", f"robots.txt: HTTP {answer.status}"
                    )
                else:
                    parser.parse([])
                    parser.allow_all = True
            self._robots[key] = result
            return result

    async def _with_retries(
        self, url: str, accept: Sequence[str] | None, old: Validators | None
    ) -> _Answer:
        """Run one exchange, retrying transient failures with backoff and jitter."""
        s = self.settings
        for attempt in range(s.max_retries + 1):
            try:
                return await self._exchange(url, accept, old)
            except _Failure as failure:
                if not failure.retryable or attempt == s.max_retries:
                    raise
                ceiling = min(s.backoff_max, s.backoff_base * 2**attempt)
                wait = ceiling / 2 + random.uniform(0, ceiling / 2)
                if failure.wait is not None:
                    wait = max(wait, min(failure.wait, s.retry_after_max))
                left = self._time_left(host_key(url))
                if left is not None and left[1] <= wait:
                    raise self._past_deadline(host_key(url), left[0]) from failure
                log.debug("retry %d for %s in %.2fs: %s", attempt + 1, url, wait, failure.detail)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _pace(self, key: str) -> None:
        """Wait for this host's next free slot so requests start at least a delay apart."""
        delay = max(self.settings.host_delay, self._delay.get(key, 0.0))
        if delay <= 0:
            return
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next_slot.get(key, 0.0))
        self._next_slot[key] = slot + delay
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _exchange(
        self, url: str, accept: Sequence[str] | None, old: Validators | None
    ) -> _Answer:
        """Send one GET and read a capped body, mapping every failure to a _Failure."""
        assert self._client is not None, "use Fetcher as an async context manager"
        headers = {"Accept": _accept_header(accept)}
        if old and self.settings.conditional_requests:
            if old.etag:
                headers["If-None-Match"] = old.etag
            if old.last_modified:
                headers["If-Modified-Since"] = old.last_modified
        key = host_key(url)
        await self._pace(key)
        left = self._time_left(key)
        if left is not None and left[1] <= 0:
            raise self._past_deadline(key, left[0])
        limit = self.settings.total_timeout
        cut_by_deadline = left is not None and left[1] < limit
        timer = asyncio.timeout(left[1] if left is not None and cut_by_deadline else limit)
        try:
            async with self._global, timer:
                return await self._stream(url, headers, accept)
        except (TimeoutError, httpx.TimeoutException) as exc:
            if cut_by_deadline and left is not None and timer.expired():
                raise self._past_deadline(key, left[0]) from exc
            raise _Failure("timeout", f"timed out: {type(exc).__name__}", retryable=True) from exc
        except httpx.ConnectError as exc:
            if isinstance(exc.__cause__, BlockedAddressError):
                raise _Failure("blocked_address", str(exc.__cause__)) from exc
            if isinstance(exc.__cause__, DnsError):
                raise _Failure("dns_error", str(exc.__cause__)) from exc
            raise _Failure("connection_error", f"connect failed: {exc}", retryable=True) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise _Failure("invalid_url", str(exc)) from exc
        except httpx.DecodingError as exc:
            raise _Failure("decoding_error", str(exc)) from exc
        except httpx.TransportError as exc:
            detail = f"{type(exc).__name__}: {exc}"
            raise _Failure("connection_error", detail, retryable=True) from exc

    async def _stream(
        self, url: str, headers: dict[str, str], accept: Sequence[str] | None
    ) -> _Answer:
        """Read status and headers, then the body only if it is wanted and small enough."""
        assert self._client is not None
        cap = self.settings.max_body_bytes
        async with self._client.stream("GET", url, headers=headers) as response:
            kept = {
                (f"x-crawler-{k}" if k in RENAMED_HEADERS else k): v
                for k, v in response.headers.items()
            }
            status = response.status_code
            if status in REDIRECT_STATUSES and response.headers.get("location"):
                return _Answer(status, kept, location=response.headers["location"])
            if status == 429 or status >= 500:
                wait = _retry_after(response.headers.get("retry-after"))
                raise _Failure(f"http_status_{status}", f"HTTP {status}", True, wait)
            if not 200 <= status < 300:
                return _Answer(status, kept)
            media = (response.headers.get("content-type") or "").split(";")[0].strip().lower()
            if accept and media and media not in accept:
                raise _Failure("not_html", f"content type {media!r} is not one of {list(accept)}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise _Failure("too_large", f"Content-Length {declared} exceeds {cap} bytes")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > cap:
                    raise _Failure("too_large", f"body exceeds {cap} bytes")
            return _Answer(status, kept, bytes(body))


def _accept_header(accept: Sequence[str] | None) -> str:
    """Return an Accept header preferring the wanted types."""
    if not accept:
        return "*/*"
    return ", ".join([*accept, "*/*;q=0.1"])


def _reject(locator: str, reason: str, detail: str | None) -> Reject:
    """Return a capture-stage reject."""
    return Reject(stage="capture", locator=locator, reason=reason, detail=detail)
