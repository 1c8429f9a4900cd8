"""Incremental capture state kept beside the warehouse: validators per URL, backoff per feed."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from transforms.capture.feeds import Discovered
from transforms.capture.http import Validators

log = logging.getLogger(__name__)

STATE_FILE = "capture_state.duckdb"

URL_STATE_SCHEMA = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
        pa.field("body_sha256", pa.string()),
        pa.field("http_status", pa.int32()),
        pa.field("fetched_at", pa.timestamp("us")),
    ]
)
ORIGIN_STATE_SCHEMA = pa.schema(
    [
        pa.field("origin_url", pa.string(), nullable=False),
        pa.field("failure_count", pa.int32(), nullable=False),
        pa.field("next_poll_at", pa.timestamp("us")),
        pa.field("last_polled_at", pa.timestamp("us")),
        pa.field("last_ok_at", pa.timestamp("us")),
        pa.field("last_error", pa.string()),
    ]
)
PENDING_SCHEMA = pa.schema(
    [
        pa.field("origin_url", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("origin_meta", pa.string()),
        pa.field("changed_at", pa.timestamp("us")),
        pa.field("position", pa.int32(), nullable=False),
    ]
)
_DDL = (
    "create table if not exists url_state (url varchar primary key, etag varchar, "
    "last_modified varchar, body_sha256 varchar, http_status integer, fetched_at timestamp)",
    "create table if not exists origin_state (origin_url varchar primary key, "
    "failure_count integer not null, next_poll_at timestamp, last_polled_at timestamp, "
    "last_ok_at timestamp, last_error varchar)",
    # Feed items a run did not get to (over max_items_per_feed, or failed transiently): the
    # next runs fetch them even when the feed itself answers 304.
    "create table if not exists pending_item (origin_url varchar not null, url varchar not null, "
    "origin_meta varchar, changed_at timestamp, position integer not null, "
    "primary key (origin_url, url))",
)


@dataclass(frozen=True)
class UrlState:
    """What the last successful fetch of a URL left behind."""

    url: str
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    http_status: int | None
    fetched_at: datetime | None

    @property
    def validators(self) -> Validators:
        """Return the values for a conditional request."""
        return Validators(self.etag, self.last_modified, self.body_sha256)


@dataclass(frozen=True)
class OriginState:
    """Polling health of one feed or sitemap."""

    origin_url: str
    failure_count: int
    next_poll_at: datetime | None
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None


def _naive(value: datetime | None) -> datetime | None:
    """Return a naive UTC datetime for storage."""
    return value.astimezone(UTC).replace(tzinfo=None) if value else None


def _aware(value: datetime | None) -> datetime | None:
    """Return a stored naive UTC datetime as timezone-aware."""
    return value.replace(tzinfo=UTC) if value else None


class CaptureState:
    """State in `<state_dir>/capture_state.duckdb`; changes are staged and committed at once."""

    def __init__(self, state_dir: str | Path) -> None:
        self.path = Path(state_dir) / STATE_FILE
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._urls: dict[str, UrlState] = {}
        self._origins: dict[str, OriginState] = {}
        self._pending: dict[str, dict[str, Discovered]] = {}

    def __enter__(self) -> CaptureState:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Open (creating if needed) the state database."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(self.path))
        for statement in _DDL:
            self._con.execute(statement)

    def close(self) -> None:
        """Close the database; staged changes not committed are dropped."""
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def url_state(self, url: str) -> UrlState | None:
        """Return the latest known state of a URL, staged changes first."""
        if url in self._urls:
            return self._urls[url]
        row = self._query("select * from url_state where url = ?", url)
        return UrlState(*row[:5], _aware(row[5])) if row else None

    def validators(self, url: str) -> Validators | None:
        """Return conditional-request validators for a URL, if known."""
        known = self.url_state(url)
        return known.validators if known else None

    def origin_state(self, origin_url: str) -> OriginState | None:
        """Return the polling health of a feed or sitemap."""
        if origin_url in self._origins:
            return self._origins[origin_url]
        row = self._query("select * from origin_state where origin_url = ?", origin_url)
        if not row:
            return None
        return OriginState(row[0], row[1], *(_aware(v) for v in row[2:5]), row[5])

    def is_due(self, origin_url: str, now: datetime) -> bool:
        """Return True if a feed or sitemap may be polled now."""
        known = self.origin_state(origin_url)
        return known is None or known.next_poll_at is None or known.next_poll_at <= now

    def record_url(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        body_sha256: str | None,
        http_status: int | None,
        fetched_at: datetime,
    ) -> None:
        """Stage the outcome of a successful fetch."""
        self._urls[url] = UrlState(url, etag, last_modified, body_sha256, http_status, fetched_at)

    def record_origin_ok(self, origin_url: str, now: datetime) -> None:
        """Stage a successful poll: the failure score drops to zero."""
        self._origins[origin_url] = OriginState(origin_url, 0, None, now, now, None)

    def record_origin_failure(
        self, origin_url: str, error: str, now: datetime, base: float, ceiling: float
    ) -> OriginState:
        """Stage a failed poll and push the next poll back exponentially."""
        known = self.origin_state(origin_url)
        failures = (known.failure_count if known else 0) + 1
        wait = min(ceiling, base * 2 ** (failures - 1))
        state = OriginState(
            origin_url,
            failures,
            now + timedelta(seconds=wait),
            now,
            known.last_ok_at if known else None,
            error[:500],
        )
        self._origins[origin_url] = state
        return state

    def pending_items(self, origin_url: str) -> list[Discovered]:
        """Return the items of a feed still to fetch, oldest first, staged changes included."""
        if origin_url not in self._pending:
            with self._lock:
                rows = (
                    self._connection()
                    .execute(
                        "select url, origin_meta, changed_at from pending_item "
                        "where origin_url = ? order by position",
                        [origin_url],
                    )
                    .fetchall()
                )
            self._pending[origin_url] = {
                url: Discovered(url, origin_url, json.loads(meta or "{}"), _aware(changed))
                for url, meta, changed in rows
            }
        return list(self._pending[origin_url].values())

    def set_pending(self, origin_url: str, items: list[Discovered]) -> None:
        """Stage the items of a feed still to fetch (replacing what was pending)."""
        self._pending[origin_url] = {item.url: item for item in items}

    def add_pending(self, item: Discovered) -> None:
        """Stage one more item to fetch on a later run (one that failed transiently)."""
        self.pending_items(item.origin_url)
        self._pending[item.origin_url].setdefault(item.url, item)

    def commit(self) -> None:
        """Write all staged changes in one transaction: a killed run leaves the old state."""
        urls = pa.Table.from_pylist(
            [
                {**state.__dict__, "fetched_at": _naive(state.fetched_at)}
                for state in self._urls.values()
            ],
            schema=URL_STATE_SCHEMA,
        )
        origins = pa.Table.from_pylist(
            [
                {
                    **state.__dict__,
                    **{
                        k: _naive(getattr(state, k))
                        for k in ("next_poll_at", "last_polled_at", "last_ok_at")
                    },
                }
                for state in self._origins.values()
            ],
            schema=ORIGIN_STATE_SCHEMA,
        )
        pending = pa.Table.from_pylist(
            [
                {
                    "origin_url": origin_url,
                    "url": item.url,
                    "origin_meta": json.dumps(item.origin_meta, sort_keys=True, default=str),
                    "changed_at": _naive(item.changed_at),
                    "position": position,
                }
                for origin_url, items in self._pending.items()
                for position, item in enumerate(items.values())
            ],
            schema=PENDING_SCHEMA,
        )
        with self._lock:
            con = self._connection()
            con.execute("begin transaction")
            try:
                con.register("staged_urls", urls)
                con.register("staged_origins", origins)
                con.register("staged_pending", pending)
                con.execute("insert or replace into url_state select * from staged_urls")
                con.execute("insert or replace into origin_state select * from staged_origins")
                con.execute(
                    "delete from pending_item where origin_url in (select unnest(?))",
                    [list(self._pending)],
                )
                con.execute("insert into pending_item select * from staged_pending")
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            finally:
                con.unregister("staged_urls")
                con.unregister("staged_origins")
                con.unregister("staged_pending")
        log.info(
            "capture state: %d urls, %d origins, %d pending feed items committed",
            urls.num_rows, origins.num_rows, pending.num_rows,
        )  # fmt: skip
        self._urls.clear()
        self._origins.clear()
        self._pending.clear()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """Return the open connection."""
        if self._con is None:
            raise RuntimeError("CaptureState is not open")
        return self._con

    def _query(self, sql: str, *params: object) -> tuple | None:
        """Return the first row of a query."""
        with self._lock:
            return self._connection().execute(sql, list(params)).fetchone()
