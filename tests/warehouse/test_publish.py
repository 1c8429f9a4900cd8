"""Publishing: marts to Parquet, article text streamed from its view, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.warehouse.publish import (
    PublishCheckError,
    connect_warehouse,
    publish_warehouse,
)


def built_database(folder: Path, bodies: list[str | None]) -> Path:
    """Write a build like dbt's: a mart table, and article_texts as a view over lake Parquet."""
    folder.mkdir(parents=True)
    lake_file = folder / "articles.parquet"
    ids = [f"a{n}" for n in range(len(bodies))]
    pq.write_table(
        pa.table({"article_id": ids, "body_text": pa.array(bodies, pa.string())}),
        lake_file,
        row_group_size=250,  # as the lake's batches write them
    )
    database = folder / "newsloom.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table fct_articles as select unnest(?) as article_id", [ids])
        connection.execute(
            f"create view article_texts as select * from read_parquet('{lake_file}')"
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
    published = pq.read_table(warehouse / "marts" / "article_texts.parquet")
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
    metadata = pq.ParquetFile(tmp_path / "warehouse" / "marts" / "article_texts.parquet").metadata
    assert metadata.num_row_groups > 1


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
    copied_texts = copy / "marts" / "article_texts.parquet"
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
