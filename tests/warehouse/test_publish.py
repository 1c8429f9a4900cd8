"""Publishing: marts to Parquet, article text streamed from its view, all or nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.warehouse.publish import (
    RETIRED_DIR,
    PublishCheckError,
    connect_warehouse,
    publish_warehouse,
    wait_for_clean_up,
)


def built_database(
    folder: Path, bodies: list[str | None], lake_file: Path | None = None, shown: int | None = None
) -> Path:
    """Write a build like dbt's: a mart table, and article_texts as a view of lake rows.

    The view shows the lake file's first `shown` rows (default: all): the current rows, whose
    locators (lake_file, lake_row) int_articles_deduplicated holds, joined to their bodies.
    """
    folder.mkdir(parents=True)
    lake_file = lake_file or folder / "articles.parquet"
    ids = [f"a{n}" for n in range(len(bodies))]
    if not lake_file.exists():
        pq.write_table(
            pa.table({"article_id": ids, "body_text": pa.array(bodies, pa.string())}),
            lake_file,
            row_group_size=250,  # as the lake's batches write them
        )
    database = folder / "newsloom.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table fct_articles as select unnest(?) as article_id", [ids])
        lake_rows = f"read_parquet('{lake_file}', filename = true, file_row_number = true)"
        connection.execute("create schema intermediate")
        connection.execute(
            "create table intermediate.int_articles_deduplicated as "
            "select article_id, filename as lake_file, file_row_number as lake_row, "
            f"md5(body_text) as content_sha256 from {lake_rows} "
            f"where file_row_number < {len(bodies) if shown is None else shown}"
        )
        connection.execute(
            "create view article_texts as "
            "select current_rows.article_id, body_text, current_rows.lake_file, "
            "current_rows.lake_row, current_rows.content_sha256 "
            f"from {lake_rows} as lake_rows inner join intermediate.int_articles_deduplicated "
            "as current_rows on lake_rows.filename = current_rows.lake_file "
            "and lake_rows.file_row_number = current_rows.lake_row"
        )
    return database


def test_article_texts_view_is_streamed_to_parquet_and_viewed_from_the_release(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse"
    bodies = ["First body.", "Second body. " * 10_000]
    build_db = built_database(tmp_path / "build", bodies)
    counts = publish_warehouse(build_db, warehouse, "r1")
    assert counts == {"article_texts": 2, "fct_articles": 2}
    published = pq.read_table(warehouse / "marts" / "article_texts")
    assert sorted(published.column("body_text").to_pylist()) == sorted(bodies)
    # The lake file can go: the published database reads the release's own file.
    (tmp_path / "build" / "articles.parquet").unlink()
    with connect_warehouse(warehouse) as connection:
        assert connection.execute("select count(*) from article_texts").fetchone() == (2,)
        kind = connection.execute(
            "select table_type from information_schema.tables where table_name = 'article_texts'"
        ).fetchone()
    assert kind == ("VIEW",)


def test_a_null_body_publishes_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    publish_warehouse(built_database(tmp_path / "good", ["A body."]), warehouse, "r1")
    bad = built_database(tmp_path / "bad", ["A body.", None])
    with pytest.raises(PublishCheckError, match="body_text"):
        publish_warehouse(bad, warehouse, "r2")
    # The last good release is still the published one, and the failed one left nothing.
    assert (warehouse / "marts").resolve() == (warehouse / "releases" / "r1" / "marts").resolve()
    assert not (warehouse / "releases" / "r2").exists()
    with duckdb.connect(str(warehouse / "newsloom.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from fct_articles").fetchone() == (1,)


def test_long_bodies_publish_within_a_small_memory_limit(tmp_path: Path) -> None:
    # DuckDB sizes Parquet row groups in rows by default (122,880): with long texts one row
    # group's buffer outgrew the memory limit, and the 1M-article publish failed at 1GB.
    paragraph = " ".join(f"word{n}" for n in range(8_000))
    bodies = [f"{number} {paragraph}" for number in range(5_000)]  # about 250 MB of text
    build_db = built_database(tmp_path / "build", bodies)
    counts = publish_warehouse(build_db, tmp_path / "warehouse", "r1", memory_limit="400MB")
    assert counts["article_texts"] == 5_000
    [part] = (tmp_path / "warehouse" / "marts" / "article_texts").glob("*.parquet")
    metadata = pq.ParquetFile(part).metadata
    assert metadata.num_row_groups > 1


def loaded_database(folder: Path, rows: list[tuple[str, int]]) -> Path:
    """Write a build whose fct_articles rows carry _loaded_at (seconds since the epoch)."""
    folder.mkdir(parents=True)
    database = folder / "newsloom.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table fct_articles as select article_id, to_timestamp(second) as _loaded_at "
            "from (select unnest(?) as article_id, unnest(?) as second)",
            [[row[0] for row in rows], [row[1] for row in rows]],
        )
    return database


def part_files(warehouse: Path) -> dict[str, int]:
    """Return the published fct_articles part files and their inodes."""
    folder = warehouse / "marts" / "fct_articles"
    return {path.name: path.stat().st_ino for path in sorted(folder.glob("*.parquet"))}


def test_publish_keeps_the_parts_whose_rows_did_not_change(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    publish_warehouse(loaded_database(tmp_path / "b1", [("a", 1), ("b", 1)]), warehouse, "r1")
    first = part_files(warehouse)
    assert list(first) == ["part-1000000-1000000.parquet"]
    # new rows: the first part is kept as it is (the same file), the new rows get their own
    publish_warehouse(
        loaded_database(tmp_path / "b2", [("a", 1), ("b", 1), ("c", 2)]), warehouse, "r2"
    )
    second = part_files(warehouse)
    assert second == {
        **first,
        "part-2000000-2000000.parquet": second["part-2000000-2000000.parquet"],
    }
    # b changed: the first part is rewritten, the second kept
    publish_warehouse(
        loaded_database(tmp_path / "b3", [("a", 1), ("b", 3), ("c", 2)]), warehouse, "r3"
    )
    third = part_files(warehouse)
    assert third["part-2000000-2000000.parquet"] == second["part-2000000-2000000.parquet"]
    assert set(third) == {
        "part-1000000-1000000.parquet",
        "part-2000000-2000000.parquet",
        "part-3000000-3000000.parquet",
    }
    assert third["part-1000000-1000000.parquet"] != first["part-1000000-1000000.parquet"]
    published = pq.read_table(warehouse / "marts" / "fct_articles").to_pylist()
    assert sorted((row["article_id"], row["_loaded_at"].timestamp()) for row in published) == [
        ("a", 1.0),
        ("b", 3.0),
        ("c", 2.0),
    ]


def test_article_texts_parts_are_kept_while_their_lake_rows_are_the_same(tmp_path: Path) -> None:
    warehouse, lake_file = tmp_path / "warehouse", tmp_path / "lake.parquet"
    bodies = ["First body.", "Second body.", "Third body."]
    publish_warehouse(built_database(tmp_path / "b1", bodies, lake_file), warehouse, "r1")
    [first] = (warehouse / "marts" / "article_texts").glob("*.parquet")
    # another build (a full rebuild, say) showing the same lake rows: the same file, kept
    publish_warehouse(built_database(tmp_path / "b2", bodies, lake_file), warehouse, "r2")
    [second] = (warehouse / "marts" / "article_texts").glob("*.parquet")
    assert (second.name, second.stat().st_ino) == (first.name, first.stat().st_ino)
    # a row no longer current: the part is written again, without it
    publish_warehouse(built_database(tmp_path / "b3", bodies, lake_file, 2), warehouse, "r3")
    [third] = (warehouse / "marts" / "article_texts").glob("*.parquet")
    assert third.name != first.name
    assert pq.read_table(third).column("body_text").to_pylist() == bodies[:2]
    assert pq.read_table(third).column_names == ["article_id", "body_text"]


def test_a_publish_that_changes_no_text_reads_no_lake_file(tmp_path: Path) -> None:
    """Which article_texts parts changed is told by the build's current rows, not the lake."""
    warehouse, lake_file = tmp_path / "warehouse", tmp_path / "lake.parquet"
    bodies = ["First body.", "Second body."]
    publish_warehouse(built_database(tmp_path / "b1", bodies, lake_file), warehouse, "r1")
    [first] = (warehouse / "marts" / "article_texts").glob("*.parquet")
    build_db = built_database(tmp_path / "b2", bodies, lake_file)
    # The same current rows: the part is kept, and the lake's file (gone here) is not read.
    lake_file.rename(tmp_path / "moved.parquet")
    assert publish_warehouse(build_db, warehouse, "r2")["article_texts"] == 2
    [second] = (warehouse / "marts" / "article_texts").glob("*.parquet")
    assert (second.name, second.stat().st_ino) == (first.name, first.stat().st_ino)


def test_a_copied_warehouse_reads_its_own_files(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    build_db = built_database(tmp_path / "build", ["First body.", "Second body."])
    with duckdb.connect(str(build_db)) as connection:
        # dbt's staging views read the lake by its absolute path.
        connection.execute("create schema staging")
        lake_file = tmp_path / "build" / "articles.parquet"
        connection.execute(
            f"create view staging.stg_articles as select * from read_parquet('{lake_file}')"
        )
    publish_warehouse(build_db, warehouse, "r1")
    copy = tmp_path / "elsewhere" / "warehouse"
    shutil.copytree(warehouse, copy, symlinks=True)
    # The copy's text file changes; the original's stays: each must read its own.
    [copied_texts] = (copy / "marts" / "article_texts").glob("*.parquet")
    pq.write_table(pq.read_table(copied_texts).slice(0, 1), copied_texts)

    def count_texts(folder: Path) -> int:
        with duckdb.connect(str(folder / "newsloom.duckdb"), read_only=True) as connection:
            connection.execute("set file_search_path = ?", [str(folder)])
            return connection.execute("select count(*) from article_texts").fetchone()[0]

    assert (count_texts(warehouse), count_texts(copy)) == (2, 1)
    with duckdb.connect(str(copy / "newsloom.duckdb"), read_only=True) as connection:
        views = connection.execute(
            "select schema_name, sql from duckdb_views() where not internal"
        ).fetchall()
    assert [schema for schema, _sql in views] == ["main"]
    assert all(str(tmp_path) not in sql for _schema, sql in views)


def test_a_publish_deletes_the_database_it_replaced_and_the_old_releases(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    publish_warehouse(built_database(tmp_path / "b1", ["A body."]), warehouse, "r1")
    replaced = os.open(warehouse / "newsloom.duckdb", os.O_RDONLY)
    try:
        publish_warehouse(built_database(tmp_path / "b2", ["A body."]), warehouse, "r2")
        publish_warehouse(built_database(tmp_path / "b3", ["A body."]), warehouse, "r3")
        wait_for_clean_up()
        # No name is left on the first publish's file: its space is freed once it is closed.
        assert os.fstat(replaced).st_nlink == 0
    finally:
        os.close(replaced)
    assert not list((warehouse / RETIRED_DIR).iterdir())
    assert sorted(path.name for path in (warehouse / "releases").iterdir()) == ["r2", "r3"]
    with connect_warehouse(warehouse) as connection:
        assert connection.execute("select count(*) from fct_articles").fetchone() == (1,)


def test_the_next_publish_deletes_what_a_killed_run_left_to_delete(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    publish_warehouse(built_database(tmp_path / "b1", ["A body."]), warehouse, "r1")
    wait_for_clean_up()
    # A run killed after its swap, before its clean-up deleted the file it replaced.
    left = warehouse / RETIRED_DIR / "r0.duckdb"
    left.parent.mkdir(exist_ok=True)
    left.write_bytes(b"an old release's database")
    publish_warehouse(built_database(tmp_path / "b2", ["A body."]), warehouse, "r2")
    wait_for_clean_up()
    assert not left.exists()
