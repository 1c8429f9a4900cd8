"""Parquet lake I/O, in one place: atomic batch files, empty seeds, and reads through DuckDB."""

from __future__ import annotations

import json
import logging
import os
import uuid
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
        recover_compaction(folder)
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


# Compaction: many small runs (a feed polled every few minutes) leave many tiny part files.
COMPACTION_JOURNAL = "_compaction.json"
SMALL_PART_BYTES = 2**20
COMPACTED_PART_BYTES = 64 * 2**20
MIN_SMALL_PARTS = 16
ROW_GROUP_BYTES = 16 * 2**20


def recover_compaction(folder: Path) -> None:
    """Finish a compaction a killed process left: drop the inputs once the merged file exists."""
    journal = folder / COMPACTION_JOURNAL
    if not journal.exists():
        return
    plan = json.loads(journal.read_text())
    if (folder / plan["output"]).exists():
        for name in plan["inputs"]:
            (folder / name).unlink(missing_ok=True)
    journal.unlink()


def _merge_parts(folder: Path, parts: list[Path]) -> Path:
    """Merge part files into one, kill-safe: journal, atomic rename, then drop the inputs."""
    final = folder / f"compact-{uuid.uuid4().hex[:16]}.parquet"
    temp = final.with_name(f".{final.name}.tmp")
    # Stream: hold one row group's worth of parts in memory, never the whole merge.
    with pq.ParquetWriter(temp, pq.read_schema(parts[0]), compression="zstd") as writer:
        pending: list[pa.Table] = []
        pending_bytes = 0
        for part in [*parts, None]:
            if part is not None:
                pending.append(pq.read_table(part))
                pending_bytes += pending[-1].nbytes
            if pending and (part is None or pending_bytes >= ROW_GROUP_BYTES):
                writer.write_table(pa.concat_tables(pending))
                pending, pending_bytes = [], 0
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    # The journal lands before the merged file appears, so a kill at any point is repaired by
    # recover_compaction (run by ensure_lake, under the warehouse lock): no row lost or doubled.
    plan = {"output": final.name, "inputs": [part.name for part in parts]}
    journal_temp = folder / f".{COMPACTION_JOURNAL}.tmp"
    journal_temp.write_text(json.dumps(plan))
    os.replace(journal_temp, folder / COMPACTION_JOURNAL)
    os.replace(temp, final)
    for part in parts:
        part.unlink()
    (folder / COMPACTION_JOURNAL).unlink()
    return final


def compact_table(lake_dir: Path, table: str, min_parts: int = MIN_SMALL_PARTS) -> tuple[int, int]:
    """Merge a table's small part files once there are `min_parts`; return (files in, out)."""
    folder = table_dir(lake_dir, table)
    recover_compaction(folder)
    small = sorted(
        path
        for path in folder.glob("*.parquet")
        if path.name != EMPTY_PART and path.stat().st_size < SMALL_PART_BYTES
    )
    if len(small) < min_parts:
        return 0, 0
    # Parts written before a column was added keep their own schema: merge like with like.
    by_schema: dict[str, list[Path]] = {}
    for path in small:
        by_schema.setdefault(pq.read_schema(path).to_string(), []).append(path)
    merged_in = merged_out = 0
    for parts in by_schema.values():
        group: list[Path] = []
        size = 0
        for path in [*parts, None]:
            if path is not None and size + path.stat().st_size <= COMPACTED_PART_BYTES:
                group.append(path)
                size += path.stat().st_size
                continue
            if len(group) > 1:
                _merge_parts(folder, group)
                merged_in, merged_out = merged_in + len(group), merged_out + 1
            group, size = ([path], path.stat().st_size) if path is not None else ([], 0)
    return merged_in, merged_out


def compact_lake(lake_dir: Path, min_parts: int = MIN_SMALL_PARTS) -> dict[str, tuple[int, int]]:
    """Compact every lake table that has `min_parts` small part files; return what was merged."""
    merged = {table: compact_table(lake_dir, table, min_parts) for table in LAKE_TABLES}
    merged = {table: counts for table, counts in merged.items() if counts[0]}
    if merged:
        logger.info("compacted %s", merged)
    return merged
