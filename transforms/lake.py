"""Parquet lake I/O, in one place: atomic batch files, empty seeds, and reads through DuckDB."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from transforms.schemas import LAKE_TABLES

logger = logging.getLogger(__name__)

EMPTY_PART = "_empty.parquet"


def table_dir(lake_dir: Path, table: str) -> Path:
    """Return the folder of one lake table."""
    if table not in LAKE_TABLES:
        raise KeyError(f"unknown lake table {table!r}")
    return lake_dir / table


def ensure_lake(lake_dir: Path) -> None:
    """Create the lake's folders and an empty typed part per table; drop dead runs' temp files."""
    for table, schema in LAKE_TABLES.items():
        folder = table_dir(lake_dir, table)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.tmp"):
            stale.unlink(missing_ok=True)
        if not (folder / EMPTY_PART).exists():
            write_table(lake_dir, table, schema.empty_table(), EMPTY_PART.removesuffix(".parquet"))


def write_table(lake_dir: Path, table: str, data: pa.Table, part: str) -> Path:
    """Write one part file atomically: a reader sees all of it or none of it."""
    schema = LAKE_TABLES[table]
    if not data.schema.equals(schema):
        data = data.cast(schema)
    final = table_dir(lake_dir, table) / f"{part}.parquet"
    temp = final.with_name(f".{final.name}.tmp")
    pq.write_table(data, temp, compression="zstd")
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, final)
    return final


def write_rows(lake_dir: Path, table: str, rows: Iterable[dict[str, Any]], part: str) -> int:
    """Write rows as one part file of a table; return how many were written."""
    rows = list(rows)
    if not rows:
        return 0
    write_table(lake_dir, table, pa.Table.from_pylist(rows, schema=LAKE_TABLES[table]), part)
    return len(rows)


def table_glob(lake_dir: Path, table: str) -> str:
    """Return the glob DuckDB reads a table through."""
    return str(table_dir(lake_dir, table) / "*.parquet")


def connect_lake(lake_dir: Path) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB connection with a view per lake table."""
    connection = duckdb.connect()
    for table in LAKE_TABLES:
        pattern = table_glob(lake_dir, table).replace("'", "''")
        connection.execute(
            f"create view {table} as select * from read_parquet('{pattern}', union_by_name = true)"
        )
    return connection


def read_known_files(lake_dir: Path) -> dict[str, tuple[int, int]]:
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


def read_capture_ids(lake_dir: Path, capture_ids: list[str]) -> set[str]:
    """Return which of the given capture ids are already in the lake."""
    if not capture_ids:
        return set()
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            "select distinct capture_id from captures where capture_id in (select unnest(?))",
            [capture_ids],
        ).fetchall()
    return {row[0] for row in rows}


def pending_extract_ids(lake_dir: Path, extractor_version: str) -> list[str]:
    """Return capture ids with neither an article nor an extract reject at this version."""
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            """
            with done as (
                select capture_id from articles where extractor_version = $version
                union
                select capture_id from rejects
                where stage = 'extract' and extractor_version = $version
            )
            select distinct captures.capture_id
            from captures
            anti join done on captures.capture_id = done.capture_id
            order by captures.capture_id
            """,
            {"version": extractor_version},
        ).fetchall()
    return [row[0] for row in rows]


def read_captures(lake_dir: Path, capture_ids: list[str]) -> list[dict[str, Any]]:
    """Return capture rows (with bodies) for the given ids, one row per id."""
    with connect_lake(lake_dir) as connection:
        table = connection.execute(
            """
            select * from captures
            where capture_id in (select unnest(?))
            qualify row_number() over (partition by capture_id order by fetched_at) = 1
            """,
            [capture_ids],
        ).arrow()
    return table.read_all().to_pylist() if hasattr(table, "read_all") else table.to_pylist()
