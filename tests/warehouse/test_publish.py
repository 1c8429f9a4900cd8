"""Publishing: marts to Parquet, article text streamed from its view, all or nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.warehouse.publish import PublishCheckError, publish_warehouse


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
    with duckdb.connect(str(warehouse / "newsloom.duckdb"), read_only=True) as connection:
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
