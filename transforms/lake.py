"""Parquet lake I/O, in one place: atomic batch files, empty seeds, and reads through DuckDB.

The lake is a local folder or any fsspec URL (`s3://bucket/prefix`, `gs://...`): local writes go
to a temp file renamed into place, object-store writes are single PUTs (atomic by themselves),
and DuckDB reads object stores through the registered fsspec filesystem (no httpfs needed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from transforms.schemas import DERIVED_TABLES, LAKE_TABLES, RETRYABLE_REASONS

logger = logging.getLogger(__name__)

EMPTY_PART = "_empty.parquet"


@dataclass(frozen=True)
class RemoteLake:
    """A lake at an fsspec URL (s3://bucket/prefix) with its filesystem's storage options."""

    url: str
    options: dict[str, Any] = field(default_factory=dict, repr=False, hash=False)

    def __str__(self) -> str:
        """Return the URL (never the options, which may hold credentials)."""
        return self.url

    def storage_options(self) -> dict[str, Any]:
        """Return the filesystem options, with listings never cached.

        Other processes (extraction workers, Dask workers) add part files all through a run:
        a cached listing would hide them from DuckDB and the models.
        """
        return {"use_listings_cache": False, **self.options}


# A local folder (path or string) or a RemoteLake; pickles to worker processes and clusters.
LakeLocation = str | os.PathLike[str] | RemoteLake


class LakeUnavailableError(RuntimeError):
    """The lake's location cannot be read or written (bad URL, missing bucket, credentials)."""


def lake_fs(lake_dir: LakeLocation) -> tuple[fsspec.AbstractFileSystem, str]:
    """Return the lake's filesystem and its root path inside that filesystem."""
    if isinstance(lake_dir, RemoteLake):
        return fsspec.core.url_to_fs(lake_dir.url, **lake_dir.storage_options())
    return fsspec.core.url_to_fs(os.fspath(lake_dir))


def is_remote(lake_dir: LakeLocation) -> bool:
    """Return whether the lake lives outside the local filesystem."""
    return not isinstance(lake_fs(lake_dir)[0], LocalFileSystem)


def lake_protocol(lake_dir: LakeLocation) -> str:
    """Return the fsspec protocol of the lake's filesystem ('file', 's3', ...)."""
    protocol = lake_fs(lake_dir)[0].protocol
    return protocol if isinstance(protocol, str) else protocol[0]


def lake_url(lake_dir: LakeLocation) -> str:
    """Return the lake's root as DuckDB reads it: a local path, or a URL."""
    fs, root = lake_fs(lake_dir)
    return _url(fs, root)


def lake_exists(lake_dir: LakeLocation) -> bool:
    """Return whether a lake has been created at this location."""
    fs, root = lake_fs(lake_dir)
    return fs.exists(posixpath.join(root, "runs", EMPTY_PART))


def sql_literal(value: str | os.PathLike[str]) -> str:
    """Return a path or value as a quoted SQL string literal (for DDL and COPY, which bind none)."""
    return "'" + os.fspath(value).replace("'", "''") + "'"


def _url(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """Return the path as DuckDB and dbt read it: plain for local files, a URL otherwise."""
    return path if isinstance(fs, LocalFileSystem) else fs.unstrip_protocol(path)


def _put_atomic(fs: fsspec.AbstractFileSystem, path: str, write: Any) -> None:
    """Write a file so a reader sees all of it or none: temp + rename locally, one PUT remotely."""
    if not isinstance(fs, LocalFileSystem):
        with fs.open(path, "wb") as handle:
            write(handle)
        return
    temp = posixpath.join(posixpath.dirname(path), f".{posixpath.basename(path)}.tmp")
    with open(temp, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def table_dir(lake_dir: LakeLocation, table: str) -> str:
    """Return the folder of one lake table, inside the lake's filesystem."""
    if table not in LAKE_TABLES:
        raise KeyError(f"unknown lake table {table!r}")
    return posixpath.join(lake_fs(lake_dir)[1], table)


def ensure_lake(lake_dir: LakeLocation) -> None:
    """Create the lake's folders and an empty typed part per table; drop dead runs' temp files."""
    fs, _root = lake_fs(lake_dir)
    local = isinstance(fs, LocalFileSystem)
    try:
        for table, schema in LAKE_TABLES.items():
            folder = table_dir(lake_dir, table)
            if local:  # object stores have no folders (and a bucket is never created here)
                fs.makedirs(folder, exist_ok=True)
            recover_compaction(fs, folder)
            for stale in fs.glob(posixpath.join(folder, ".*.tmp")):
                fs.rm(stale)
            empty = posixpath.join(folder, EMPTY_PART)
            # Rewritten when columns were added since: a query names every current column, and
            # the empty part is the one file sure to have them before new rows are written.
            if not fs.exists(empty) or not pq.read_schema(empty, filesystem=fs).equals(schema):
                write_table(
                    lake_dir, table, schema.empty_table(), EMPTY_PART.removesuffix(".parquet")
                )
        for table, schema in DERIVED_TABLES.items():
            if not fs.exists(derived_path(lake_dir, table)):
                write_derived(lake_dir, table, schema.empty_table())
    except (OSError, ValueError) as error:
        raise LakeUnavailableError(f"cannot use the lake at {lake_dir}: {error}") from error


def derived_path(lake_dir: LakeLocation, table: str) -> str:
    """Return the single file of a derived table (rebuilt whole on every build)."""
    if table not in DERIVED_TABLES:
        raise KeyError(f"unknown derived table {table!r}")
    return posixpath.join(lake_fs(lake_dir)[1], "derived", f"{table}.parquet")


def _write_parquet(fs: fsspec.AbstractFileSystem, path: str, data: pa.Table) -> None:
    """Write one Parquet file atomically."""
    _put_atomic(fs, path, lambda handle: pq.write_table(data, handle, compression="zstd"))


def write_derived(lake_dir: LakeLocation, table: str, data: pa.Table) -> str:
    """Replace a derived table atomically."""
    fs, _root = lake_fs(lake_dir)
    final = derived_path(lake_dir, table)
    if isinstance(fs, LocalFileSystem):
        fs.makedirs(posixpath.dirname(final), exist_ok=True)
    _write_parquet(fs, final, data.cast(DERIVED_TABLES[table]))
    return final


def write_table(lake_dir: LakeLocation, table: str, data: pa.Table, part: str) -> str:
    """Write one part file atomically: a reader sees all of it or none of it."""
    schema = LAKE_TABLES[table]
    if not data.schema.equals(schema):
        data = data.cast(schema)
    fs, _root = lake_fs(lake_dir)
    final = posixpath.join(table_dir(lake_dir, table), f"{part}.parquet")
    _write_parquet(fs, final, data)
    return final


def write_rows(
    lake_dir: LakeLocation, table: str, rows: Iterable[dict[str, Any]], part: str
) -> int:
    """Write rows as one part file of a table; return how many were written."""
    rows = list(rows)
    if not rows:
        return 0
    write_table(lake_dir, table, pa.Table.from_pylist(rows, schema=LAKE_TABLES[table]), part)
    return len(rows)


def table_glob(lake_dir: LakeLocation, table: str) -> str:
    """Return the glob DuckDB reads a table through (a URL for an object-store lake)."""
    fs, _root = lake_fs(lake_dir)
    return _url(fs, posixpath.join(table_dir(lake_dir, table), "*.parquet"))


def register_lake_filesystem(connection: duckdb.DuckDBPyConnection, lake_dir: LakeLocation) -> None:
    """Let DuckDB read an object-store lake through fsspec (the httpfs extension is not used)."""
    fs, _root = lake_fs(lake_dir)
    if not isinstance(fs, LocalFileSystem):
        connection.register_filesystem(fs)


def lake_fingerprint(lake_dir: LakeLocation, tables: Iterable[str]) -> str:
    """Return a digest of the tables' part files (names, sizes, versions): equal means unchanged."""
    fs, _root = lake_fs(lake_dir)
    digest = hashlib.sha256()
    for table in sorted(tables):
        folder = table_dir(lake_dir, table)
        listing = fs.find(folder, detail=True) if fs.exists(folder) else {}
        for path, info in sorted(listing.items()):
            if path.endswith(".parquet"):
                # Part names are unique per run and compaction; size and mtime/ETag guard the rest.
                version = info.get("mtime") or info.get("ETag") or info.get("LastModified")
                name = posixpath.relpath(path, folder)
                digest.update(f"{table}/{name}\t{info.get('size')}\t{version}\n".encode())
    return digest.hexdigest()


def connect_lake(lake_dir: LakeLocation) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection with a view per lake table."""
    connection = duckdb.connect()
    register_lake_filesystem(connection, lake_dir)
    for table in LAKE_TABLES:
        pattern = sql_literal(table_glob(lake_dir, table))
        connection.execute(
            f"create view {table} as select * from read_parquet({pattern}, union_by_name = true)"
        )
    return connection


def read_known_files(lake_dir: LakeLocation) -> dict[str, tuple[int, int]]:
    """Return {locator: (size, mtime_ns)} of captured files, to skip re-reading them."""
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            """
            select
                locator,
                cast(json_extract(origin_meta, '$.file_size') as bigint),
                cast(json_extract(origin_meta, '$.mtime_ns') as bigint)
            from captures
            where source_kind in ('file', 'text') and origin_meta is not null
            """
        ).fetchall()
    return {locator: (size, mtime) for locator, size, mtime in rows}


def read_capture_ids(lake_dir: LakeLocation, capture_ids: list[str]) -> set[str]:
    """Return which of the given capture ids are already in the lake."""
    if not capture_ids:
        return set()
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            "select distinct capture_id from captures where capture_id in (select unnest(?))",
            [capture_ids],
        ).fetchall()
    return {row[0] for row in rows}


def pending_extract_ids(
    lake_dir: LakeLocation, extractor_version: str, max_attempts: int = 3
) -> list[str]:
    """Return capture ids with neither an article nor a final extract reject at this version.

    A reject for a timeout or a dead worker is not final until the capture has failed so
    `max_attempts` times at this version: a later run tries it again.
    """
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            """
            with failures as (
                select capture_id, reason in (select unnest($retryable)) as is_retryable
                from rejects
                where stage = 'extract' and extractor_version = $version
            ),

            done as (
                select capture_id from articles where extractor_version = $version
                union
                select capture_id
                from failures
                group by capture_id
                having bool_or(not is_retryable) or count(*) >= $max_attempts
            )

            select distinct captures.capture_id
            from captures
            anti join done on captures.capture_id = done.capture_id
            order by captures.capture_id
            """,
            {
                "version": extractor_version,
                "retryable": list(RETRYABLE_REASONS),
                "max_attempts": max_attempts,
            },
        ).fetchall()
    return [row[0] for row in rows]


def read_capture_kinds(lake_dir: LakeLocation) -> list[tuple[str, str, str, str | None]]:
    """Return (capture_id, locator, source_kind, content_type) of every capture, no bodies."""
    with connect_lake(lake_dir) as connection:
        return connection.execute(
            """
            select distinct capture_id, locator, source_kind, content_type
            from captures
            order by capture_id
            """
        ).fetchall()


def read_captures(lake_dir: LakeLocation, capture_ids: list[str]) -> list[dict[str, Any]]:
    """Return capture rows (with bodies) for the given ids, one row per id."""
    with connect_lake(lake_dir) as connection:
        table = connection.execute(
            """
            select * from captures
            where capture_id in (select unnest(?))
            qualify row_number() over (partition by capture_id order by fetched_at) = 1
            """,
            [capture_ids],
        ).to_arrow_table()
    return table.to_pylist()


def pending_enrich_ids(
    lake_dir: LakeLocation, extractor_version: str, ner_version: str, max_attempts: int = 3
) -> list[str]:
    """Return capture ids of current articles not yet enriched at this NER version.

    An article whose NER timed out or lost its worker `max_attempts` times is not tried again
    (its rejects say so); enrich rejects carry the NER stage version in extractor_version.
    """
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            """
            with given_up as (
                select capture_id
                from rejects
                where
                    stage = 'enrich'
                    and extractor_version = $ner_version
                    and reason in (select unnest($retryable))
                group by capture_id
                having count(*) >= $max_attempts
            ),

            done as (
                select capture_id from enrichments where ner_version = $ner_version
                union
                select capture_id from given_up
            )

            select distinct articles.capture_id
            from articles
            anti join done on articles.capture_id = done.capture_id
            where articles.extractor_version = $extractor_version
                -- listing and other pages are kept for the pages mart, not read for entities
                and coalesce(articles.page_type, 'article') = 'article'
            order by articles.capture_id
            """,
            {
                "extractor_version": extractor_version,
                "ner_version": ner_version,
                "retryable": list(RETRYABLE_REASONS),
                "max_attempts": max_attempts,
            },
        ).fetchall()
    return [row[0] for row in rows]


def read_article_texts(
    lake_dir: LakeLocation, capture_ids: list[str], extractor_version: str
) -> list[dict[str, Any]]:
    """Return (capture_id, article_id, locator, title, body_text, url) of the captures' articles."""
    with connect_lake(lake_dir) as connection:
        table = connection.execute(
            """
            select capture_id, article_id, locator, title, body_text, url
            from articles
            where capture_id in (select unnest($ids)) and extractor_version = $version
            qualify row_number() over (partition by capture_id order by extracted_at desc) = 1
            order by capture_id
            """,
            {"ids": capture_ids, "version": extractor_version},
        ).to_arrow_table()
    return table.to_pylist()


def read_mention_names(
    lake_dir: LakeLocation, extractor_version: str, ner_version: str
) -> pa.Table:
    """Return the distinct names of current mentions with counts, for entity resolution."""
    with connect_lake(lake_dir) as connection:
        return connection.execute(
            """
            with current_captures as (
                select distinct capture_id from articles where extractor_version = $extractor
            ),

            current_mentions as (
                select mentions.*
                from mentions
                semi join current_captures
                    on mentions.capture_id = current_captures.capture_id
                where mentions.ner_version = $ner
                qualify dense_rank() over (
                    partition by mentions.capture_id order by mentions._run_id desc
                ) = 1
            )

            select entity_type, name_key, local_name, mention_text, count(*) as count_mentions
            from current_mentions
            group by all
            order by all
            """,
            {"extractor": extractor_version, "ner": ner_version},
        ).to_arrow_table()


# Compaction: many small runs (a feed polled every few minutes) leave many tiny part files.
COMPACTION_JOURNAL = "_compaction.json"
SMALL_PART_BYTES = 2**20
COMPACTED_PART_BYTES = 64 * 2**20
MIN_SMALL_PARTS = 16
ROW_GROUP_BYTES = 16 * 2**20


def recover_compaction(fs: fsspec.AbstractFileSystem, folder: str) -> None:
    """Finish a compaction a killed process left: drop the inputs once the merged file exists."""
    journal = posixpath.join(folder, COMPACTION_JOURNAL)
    if not fs.exists(journal):
        return
    plan = json.loads(fs.cat_file(journal))
    if fs.exists(posixpath.join(folder, plan["output"])):
        for name in plan["inputs"]:
            path = posixpath.join(folder, name)
            if fs.exists(path):
                fs.rm(path)
    fs.rm(journal)


def _stream_merge(fs: fsspec.AbstractFileSystem, parts: list[str], handle: Any) -> None:
    """Write the parts' rows into one Parquet file, holding one row group's worth at a time."""
    with pq.ParquetWriter(
        handle, pq.read_schema(parts[0], filesystem=fs), compression="zstd"
    ) as writer:
        pending: list[pa.Table] = []
        pending_bytes = 0
        for part in [*parts, None]:
            if part is not None:
                pending.append(pq.read_table(part, filesystem=fs))
                pending_bytes += pending[-1].nbytes
            if pending and (part is None or pending_bytes >= ROW_GROUP_BYTES):
                writer.write_table(pa.concat_tables(pending))
                pending, pending_bytes = [], 0


def _merge_parts(fs: fsspec.AbstractFileSystem, folder: str, parts: list[str]) -> str:
    """Merge part files into one, kill-safe: journal, atomic write, then drop the inputs."""
    final = posixpath.join(folder, f"compact-{uuid.uuid4().hex[:16]}.parquet")
    # The journal lands before the merged file appears, so a kill at any point is repaired by
    # recover_compaction (run by ensure_lake, under the warehouse lock): no row lost or doubled.
    plan = json.dumps({"output": posixpath.basename(final), "inputs": [
        posixpath.basename(part) for part in parts
    ]}).encode()  # fmt: skip
    _put_atomic(fs, posixpath.join(folder, COMPACTION_JOURNAL), lambda handle: handle.write(plan))
    _put_atomic(fs, final, lambda handle: _stream_merge(fs, parts, handle))
    for part in parts:
        fs.rm(part)
    fs.rm(posixpath.join(folder, COMPACTION_JOURNAL))
    return final


def compact_table(
    lake_dir: LakeLocation, table: str, min_parts: int = MIN_SMALL_PARTS
) -> tuple[int, int]:
    """Merge a table's small part files once there are `min_parts`; return (files in, out)."""
    fs, _root = lake_fs(lake_dir)
    folder = table_dir(lake_dir, table)
    recover_compaction(fs, folder)
    sizes = {
        path: size
        for path, size in fs.glob(posixpath.join(folder, "*.parquet"), detail=True).items()
        if posixpath.basename(path) != EMPTY_PART and size["size"] < SMALL_PART_BYTES
    }
    small = sorted(sizes)
    if len(small) < min_parts:
        return 0, 0
    # Parts written before a column was added keep their own schema: merge like with like.
    by_schema: dict[str, list[str]] = {}
    for path in small:
        by_schema.setdefault(pq.read_schema(path, filesystem=fs).to_string(), []).append(path)
    merged_in = merged_out = 0
    for parts in by_schema.values():
        group: list[str] = []
        size = 0
        for path in [*parts, None]:
            part_size = sizes[path]["size"] if path is not None else 0
            if path is not None and size + part_size <= COMPACTED_PART_BYTES:
                group.append(path)
                size += part_size
                continue
            if len(group) > 1:
                _merge_parts(fs, folder, group)
                merged_in, merged_out = merged_in + len(group), merged_out + 1
            group, size = ([path], part_size) if path is not None else ([], 0)
    return merged_in, merged_out


def compact_lake(
    lake_dir: LakeLocation, min_parts: int = MIN_SMALL_PARTS
) -> dict[str, tuple[int, int]]:
    """Compact every lake table that has `min_parts` small part files; return what was merged."""
    merged = {table: compact_table(lake_dir, table, min_parts) for table in LAKE_TABLES}
    merged = {table: counts for table, counts in merged.items() if counts[0]}
    if merged:
        logger.info("compacted %s", merged)
    return merged
