"""Publish a built warehouse atomically: marts to Parquet, then swap marts link and DuckDB file.

Each mart is a folder of Parquet part files (transforms/warehouse/parts.py): a publish keeps,
as hard links, the parts of the last release whose rows did not change, and writes the rest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from transforms import lake
from transforms.progress import progress
from transforms.warehouse.parts import Part, lake_part_name, plan_parts, read_parts

logger = logging.getLogger(__name__)

BUILD_STAMP = "build_stamp.json"
# Marts kept only as Parquet (wide text): built as views over the lake, streamed to Parquet on
# publish (a part per lake file), and viewed from the published DuckDB file.
PARQUET_ONLY_MARTS = ("article_texts",)
# Their current rows (article_id, lake_file, lake_row, content_sha256), each shown once by the
# view with its lake payload: which parts changed is told from these, without reading the lake
# (the view's own rows would be the lake's row locators joined to them: 0.4 CPU-s at 1M).
LAKE_VIEW_ROWS = {"article_texts": "intermediate.int_articles_deduplicated"}
# Their published columns, which must hold no null (checked from the written files' statistics).
NOT_NULL_COLUMNS = {"article_texts": ("article_id", "body_text")}
# Row groups bounded in bytes, not only rows: DuckDB's default of 122,880 rows of article text
# is about 700 MB of buffer per writer thread, past a 1GB memory limit (this needs
# preserve_insertion_order off, as the export sets it).
ROW_GROUP_BYTES = "32MB"
KEEP_RELEASES = 2
# The published DuckDB files a publish replaced, until a thread deletes them: freeing a 2 GB
# file's blocks and cached pages takes ~0.5 s, which the swap need not wait for.
RETIRED_DIR = ".retired"
_cleanups: list[threading.Thread] = []
# The part of a mart without _loaded_at (rewritten by every publish).
WHOLE_PART = "part-all.parquet"


class WarehouseBusyError(RuntimeError):
    """Another run holds this warehouse."""


class PublishCheckError(RuntimeError):
    """A mart written for publishing broke a rule; nothing was published."""


@contextlib.contextmanager
def warehouse_lock(warehouse_dir: Path) -> Iterator[None]:
    """Hold the warehouse's run lock: one run at a time per warehouse."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with open(warehouse_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise WarehouseBusyError(f"another newsloom run is using {warehouse_dir}") from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def connect_warehouse(warehouse_dir: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open a published warehouse's DuckDB file, its Parquet paths resolved from its folder."""
    connection = duckdb.connect(str(warehouse_dir / "newsloom.duckdb"), read_only=read_only)
    # The file names its Parquet relative to the warehouse folder (so that a moved or copied
    # warehouse reads its own files): DuckDB looks for relative paths in file_search_path.
    connection.execute("set file_search_path = ?", [str(warehouse_dir.resolve())])
    return connection


def _mart_tables(
    connection: duckdb.DuckDBPyConnection, table_type: str = "BASE TABLE"
) -> list[str]:
    """Return the mart tables (or, with table_type 'VIEW', views) of a built database."""
    rows = connection.execute(
        """
        select table_name from information_schema.tables
        where table_schema = 'main' and table_type = ?
        order by table_name
        """,
        [table_type],
    ).fetchall()
    return [row[0] for row in rows]


def _check_not_null(
    connection: duckdb.DuckDBPyConnection, path: Path, columns: tuple[str, ...]
) -> None:
    """Raise PublishCheckError if the Parquet file's statistics count a null in these columns."""
    if not columns:
        return
    rows = connection.execute(
        "select path_in_schema, sum(coalesce(stats_null_count, 1)) "
        "from parquet_metadata(?) where path_in_schema in (select unnest(?)) group by 1",
        [str(path), list(columns)],
    ).fetchall()
    nulls = {column: count for column, count in rows if count}
    if nulls:
        raise PublishCheckError(f"{path.stem}: null values in {nulls} (expected none)")


def _swap_link(link: Path, target: Path) -> None:
    """Point `link` at `target` atomically (a new link renamed over the old one)."""
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    temp = link.with_name(f".{link.name}.new")
    temp.unlink(missing_ok=True)
    temp.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
    os.replace(temp, link)


def _prune_releases(releases_dir: Path, current: str) -> None:
    """Delete all but the newest releases (and never the current one)."""
    releases = sorted(p for p in releases_dir.iterdir() if p.is_dir())
    for old in releases[:-KEEP_RELEASES]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def _retire(published: Path, retired_dir: Path, release_id: str) -> None:
    """Keep the published file's data under retired_dir (a hard link), for a thread to delete."""
    if not published.is_file():
        return
    retired_dir.mkdir(exist_ok=True)
    # Without a second link (a file system without them), replacing the file frees it at once.
    with contextlib.suppress(OSError):
        os.link(published, retired_dir / f"{release_id}.duckdb")


def _clean_up(warehouse_dir: Path, release_id: str) -> None:
    """Delete the retired database files (a killed run's too) and releases past KEEP_RELEASES."""
    retired_dir = warehouse_dir / RETIRED_DIR
    try:
        for path in retired_dir.glob("*.duckdb*") if retired_dir.is_dir() else []:
            path.unlink(missing_ok=True)
        _prune_releases(warehouse_dir / "releases", release_id)
    except OSError as error:
        # Left for the next publish's clean-up: the published warehouse is complete either way.
        logger.warning("could not clean up %s: %s", warehouse_dir, error)


def _start_clean_up(warehouse_dir: Path, release_id: str) -> None:
    """Clean up after a publish in a thread; the process waits for it before it exits."""
    thread = threading.Thread(
        target=_clean_up, args=(warehouse_dir, release_id), name="newsloom-clean-up"
    )
    thread.start()
    # A served process publishes run after run: only the clean-ups still running are kept.
    _cleanups[:] = [*(done for done in _cleanups if done.is_alive()), thread]


def wait_for_clean_up() -> None:
    """Wait until the clean-ups of the publishes so far have deleted what they delete."""
    while _cleanups:
        _cleanups.pop().join()


def publish_warehouse(
    build_db: Path,
    warehouse_dir: Path,
    release_id: str,
    lake_dir: lake.LakeLocation | None = None,
    memory_limit: str | None = None,
) -> dict[str, int]:
    """Export marts to Parquet and swap them and the DuckDB file in; return row counts."""
    marts_link = warehouse_dir / "marts"
    previous_marts = marts_link.resolve() if marts_link.is_symlink() else None
    release_marts = warehouse_dir / "releases" / release_id / "marts"
    release_marts.mkdir(parents=True, exist_ok=True)
    try:
        counts = _export_marts(build_db, release_marts, previous_marts, lake_dir, memory_limit)
    except BaseException:
        shutil.rmtree(release_marts.parent, ignore_errors=True)
        raise
    _swap_link(marts_link, release_marts)
    published = warehouse_dir / "newsloom.duckdb"
    _retire(published, warehouse_dir / RETIRED_DIR, release_id)
    os.replace(build_db, published)
    # The replaced file and the old releases are deleted aside: the run goes on (at 1M
    # articles the file is 2 GB: 0.4-0.6 s to delete, mostly waiting for the file system).
    _start_clean_up(warehouse_dir, release_id)
    logger.info("published %d marts from release %s", len(counts), release_id)
    return counts


def _keep_part(source: Path, target: Path) -> None:
    """Put a previous release's part file into the new release (a hard link where possible)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return a mart's column names."""
    rows = connection.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [row[0] for row in rows]


def _write_part(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    target: Path,
    where: str = "true",
    columns: str = "*",
) -> None:
    """Write a mart's rows (those `where` selects) to one Parquet file."""
    connection.execute(
        f"copy (select {columns} from main.{table} where {where}) "
        f"to {lake.sql_literal(target.absolute())} "
        f"(format parquet, compression zstd, row_group_size_bytes '{ROW_GROUP_BYTES}')"
    )


def _export_table(
    connection: duckdb.DuckDBPyConnection, table: str, folder: Path, previous: Path | None
) -> tuple[int, list[Path]]:
    """Publish a mart table, by _loaded_at ranges; return its row count and the files written."""
    if "_loaded_at" not in _columns(connection, table):
        _write_part(connection, table, folder / WHOLE_PART)
        rows = connection.execute(f"select count(*) from main.{table}").fetchone()[0]
        return rows, [folder / WHOLE_PART]
    loaded = dict(
        connection.execute(
            f"select epoch_us(_loaded_at), count(*) from main.{table} group by all"
        ).fetchall()
    )
    kept, ranges = plan_parts(read_parts(previous) if previous else [], loaded)
    for part in kept:
        _keep_part(previous / part.name, folder / part.name)
    written = []
    for first, last in ranges:
        target = folder / Part(first, last, 0).name
        _write_part(connection, table, target, f"epoch_us(_loaded_at) between {first} and {last}")
        written.append(target)
    logger.debug("%s: %d parts kept, %d written", table, len(kept), len(written))
    return sum(loaded.values()), written


def _export_lake_view(
    connection: duckdb.DuckDBPyConnection, table: str, folder: Path, previous: Path | None
) -> tuple[int, list[Path]]:
    """Publish a Parquet-only mart (a view of lake rows), one part per lake file.

    The view's lake_file, lake_row and content_sha256 (its current rows') say which lake rows
    (and bodies) it shows: a lake file whose rows in it are the same as at the last publish
    keeps its part, whatever the build (full or not).
    """
    files = connection.execute(
        f"select lake_file, count(*), bit_xor(hash(lake_row, article_id, content_sha256)) "
        f"from {LAKE_VIEW_ROWS[table]} group by all"
    ).fetchall()
    written, total = [], 0
    for lake_file, rows, fingerprint in files:
        name = lake_part_name(lake_file, rows, fingerprint)
        total += rows
        if previous and (previous / name).is_file():
            _keep_part(previous / name, folder / name)
            continue
        mart_columns = ", ".join(NOT_NULL_COLUMNS[table])
        where = f"lake_file = {lake.sql_literal(lake_file)}"
        _write_part(connection, table, folder / name, where, mart_columns)
        written.append(folder / name)
    logger.debug("%s: %d parts kept, %d written", table, len(files) - len(written), len(written))
    return total, written


def _export_mart(
    connection: duckdb.DuckDBPyConnection, table: str, folder: Path, previous: Path | None
) -> tuple[int, list[Path]]:
    """Publish one mart into its release folder; return its row count and the files written."""
    folder.mkdir()
    export = _export_lake_view if table in PARQUET_ONLY_MARTS else _export_table
    rows, written = export(connection, table, folder, previous)
    if not any(folder.iterdir()):
        # An empty mart still has a file: readers see its columns.
        columns = ", ".join(NOT_NULL_COLUMNS[table]) if table in PARQUET_ONLY_MARTS else "*"
        _write_part(connection, table, folder / WHOLE_PART, columns=columns)
        written.append(folder / WHOLE_PART)
    return rows, written


def _export_marts(
    build_db: Path,
    release_marts: Path,
    previous_marts: Path | None,
    lake_dir: lake.LakeLocation | None,
    memory_limit: str | None,
) -> dict[str, int]:
    """Write every mart of the built database to Parquet parts; return row counts by mart."""
    counts: dict[str, int] = {}
    warehouse_dir = release_marts.parents[2]
    # Settings, not connect config: the build's process may still hold the file open (dbt).
    with duckdb.connect(str(build_db)) as connection:
        connection.execute("set preserve_insertion_order = false")
        connection.execute("set file_search_path = ?", [str(warehouse_dir.absolute())])
        if memory_limit:
            connection.execute("set memory_limit = ?", [memory_limit])
        if lake_dir is not None:
            # Parquet-only marts are views over the lake: an object store is read through fsspec.
            lake.register_lake_filesystem(connection, lake_dir)
        views = set(_mart_tables(connection, "VIEW"))
        parquet_only = [table for table in PARQUET_ONLY_MARTS if table in views]
        tables = [*_mart_tables(connection), *parquet_only]
        listener = progress()
        listener.add_total("publish", len(tables))
        for table in tables:
            folder = release_marts / table
            previous = previous_marts / table if previous_marts else None
            counts[table], written = _export_mart(connection, table, folder, previous)
            if table in parquet_only:
                # Parquet-only marts stream from the lake straight into the release's files.
                for path in written:
                    _check_not_null(connection, path, NOT_NULL_COLUMNS[table])
                # The view reads its own release's files (database and Parquet always agree),
                # named relative to the warehouse folder: a moved or copied warehouse reads its
                # own copy, never the original's.
                relative = folder.absolute().relative_to(warehouse_dir.absolute())
                connection.execute(
                    f"create or replace view main.{table} as "
                    f"select * from read_parquet({lake.sql_literal(f'{relative}/*.parquet')})"
                )
            listener.advance("publish")
        _drop_build_views(connection)
        connection.execute("checkpoint")
    return dict(sorted(counts.items()))


def _drop_build_views(connection: duckdb.DuckDBPyConnection) -> None:
    """Drop the build's views outside the marts: they read the lake by its absolute path."""
    views = connection.execute(
        "select schema_name, view_name from duckdb_views() "
        "where not internal and schema_name <> 'main' and database_name = current_database()"
    ).fetchall()
    for schema, view in views:
        connection.execute(f'drop view "{schema}"."{view}"')


def read_build_stamp(warehouse_dir: Path) -> dict[str, Any] | None:
    """Return what the published warehouse was built from, or None if unknown or not published."""
    stamp = warehouse_dir / BUILD_STAMP
    if not (stamp.is_file() and (warehouse_dir / "newsloom.duckdb").is_file()):
        return None
    try:
        return json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None


def write_build_stamp(
    warehouse_dir: Path, inputs_digest: str, counts: dict[str, int], models_digest: str = ""
) -> None:
    """Record, after a publish, the digests of the build's inputs and models, and row counts."""
    stamp = warehouse_dir / BUILD_STAMP
    temp = stamp.with_name(f".{stamp.name}.tmp")
    record = {"inputs_digest": inputs_digest, "models_digest": models_digest, "counts": counts}
    temp.write_text(json.dumps(record, indent=1))
    os.replace(temp, stamp)


def clear_build_stamp(warehouse_dir: Path) -> None:
    """Forget the build stamp (before a publish: a run killed midway then rebuilds)."""
    (warehouse_dir / BUILD_STAMP).unlink(missing_ok=True)
