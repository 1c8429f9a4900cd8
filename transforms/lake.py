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

from transforms.schemas import DERIVED_TABLES, LAKE_TABLES

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
    for table, schema in DERIVED_TABLES.items():
        if not derived_path(lake_dir, table).exists():
            write_derived(lake_dir, table, schema.empty_table())


def derived_path(lake_dir: Path, table: str) -> Path:
    """Return the single file of a derived table (rebuilt whole on every build)."""
    if table not in DERIVED_TABLES:
        raise KeyError(f"unknown derived table {table!r}")
    return lake_dir / "derived" / f"{table}.parquet"


def write_derived(lake_dir: Path, table: str, data: pa.Table) -> Path:
    """Replace a derived table atomically."""
    final = derived_path(lake_dir, table)
    final.parent.mkdir(parents=True, exist_ok=True)
    data = data.cast(DERIVED_TABLES[table])
    temp = final.with_name(f".{final.name}.tmp")
    pq.write_table(data, temp, compression="zstd")
    os.replace(temp, final)
    return final


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
        ).to_arrow_table()
    return table.to_pylist()


def pending_enrich_ids(lake_dir: Path, extractor_version: str, ner_version: str) -> list[str]:
    """Return capture ids of current articles not yet enriched at this NER version."""
    with connect_lake(lake_dir) as connection:
        rows = connection.execute(
            """
            with done as (
                select capture_id from enrichments where ner_version = $ner_version
            )
            select distinct articles.capture_id
            from articles
            anti join done on articles.capture_id = done.capture_id
            where articles.extractor_version = $extractor_version
            order by articles.capture_id
            """,
            {"extractor_version": extractor_version, "ner_version": ner_version},
        ).fetchall()
    return [row[0] for row in rows]


def read_article_texts(
    lake_dir: Path, capture_ids: list[str], extractor_version: str
) -> list[dict[str, Any]]:
    """Return (capture_id, article_id, title, body_text) of the given captures' articles."""
    with connect_lake(lake_dir) as connection:
        table = connection.execute(
            """
            select capture_id, article_id, title, body_text
            from articles
            where capture_id in (select unnest($ids)) and extractor_version = $version
            qualify row_number() over (partition by capture_id order by extracted_at desc) = 1
            order by capture_id
            """,
            {"ids": capture_ids, "version": extractor_version},
        ).to_arrow_table()
    return table.to_pylist()


def read_mention_names(lake_dir: Path, extractor_version: str, ner_version: str) -> pa.Table:
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
