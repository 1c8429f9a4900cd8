"""The query connection: reads the published warehouse, nothing else on disk or the network."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.warehouse.test_publish import built_database
from transforms.warehouse.publish import publish_warehouse
from transforms.warehouse.readonly import (
    QueryRefusedError,
    check_read_only_sql,
    connect_read_only,
)


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Return a published warehouse whose folder name holds a quote (paths must be bound)."""
    folder = tmp_path / "o'brien's warehouse"
    publish_warehouse(built_database(tmp_path / "build", ["A body.", "B body."]), folder, "r1")
    (tmp_path / "build" / "articles.parquet").unlink()
    return folder


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "from fct_articles",
        "describe fct_articles",
        "show tables",
        "summarize fct_articles",
        "pragma show_tables",
        "explain select * from fct_articles",
        "explain analyze select 1",
        "with a as (select 1 as x) select * from a",
        "select 1; select 2",
    ],
)
def test_reading_sql_is_accepted(sql: str) -> None:
    check_read_only_sql(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "copy fct_articles to 'x.csv'",
        "export database 'x'",
        "attach 'x.duckdb' as x",
        "detach x",
        "install httpfs",
        "load httpfs",
        "set threads = 1",
        "reset threads",
        "use x",
        "create temp table t as select 1",
        "pivot fct_articles on article_id",
        "delete from fct_articles",
        "checkpoint",
        "call pragma_version()",
        "select 1; copy fct_articles to 'x.csv'",
        "explain analyze copy fct_articles to 'x.csv'",
    ],
)
def test_anything_but_reading_is_refused(sql: str) -> None:
    with pytest.raises(QueryRefusedError, match="read-only"):
        check_read_only_sql(sql)


def test_connection_reads_its_marts_and_nothing_else(warehouse: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n")
    with connect_read_only(warehouse) as connection:
        # article_texts is a view over the release's Parquet file: it must stay readable.
        rows = connection.execute("select body_text from article_texts order by 1").fetchall()
        assert rows == [("A body.",), ("B body.",)]
        assert connection.execute("select count(*) from fct_articles").fetchone() == (2,)
        refused = [
            f"select * from read_text('{secret}')",
            f"copy (select 1 as x) to '{tmp_path / 'out.csv'}'",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
            "install httpfs from 'http://127.0.0.1:9/'",
            "load httpfs",
            "set enable_external_access = true",
            "set allowed_directories = ['/']",
            "set lock_configuration = false",
        ]
        for sql in refused:
            with pytest.raises(duckdb.Error):
                connection.execute(sql)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "build",
        "o'brien's warehouse",
        "secret.txt",
    ]


def test_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="newsloom run"):
        connect_read_only(tmp_path / "nowhere")
