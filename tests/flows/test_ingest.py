from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from flows.build import build_warehouse
from flows.ingest import ingest_articles
from tests.conftest import SEEDS
from transforms.settings import Settings
from transforms.warehouse.publish import connect_warehouse

FIXTURES = Path(__file__).parents[1] / "fixtures"


def make_bad_inputs(folder: Path) -> dict[str, str]:
    """Write every kind of bad input; return {file name: expected reject reason}."""
    folder.mkdir(parents=True)
    (folder / "empty.html").write_bytes(b"")
    (folder / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    (folder / "invalid-utf8.html").write_bytes(
        b'<html><meta charset="utf-8"><body><p>' + b"\xc3\x28\xa0\xa1\xe2\x28\xa1" * 400 + b"</p>"
    )
    (folder / "truncated.html.gz").write_bytes(gzip.compress(b"<p>" + b"words " * 4000)[:-30])
    with open(folder / "huge.html", "wb") as handle:
        handle.write(b"<html><body><p>")
        handle.write(b"lorem ipsum " * (50 * 1024 * 1024 // 12))
    shutil.copy(FIXTURES / "section_index.html", folder / "no-article.html")
    (folder / "unreadable.html").symlink_to(folder / "gone")
    return {
        "empty.html": "empty",
        "binary.html": "binary_content",
        "invalid-utf8.html": "invalid_encoding",
        "truncated.html.gz": "corrupt_gzip",
        "huge.html": "too_large",
        "no-article.html": "no_article_text",
        "unreadable.html": "unreadable",
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse_dir=tmp_path / "warehouse", workers=2, batch_size=3)


def table(settings: Settings, sql: str) -> list[tuple]:
    with connect_warehouse(settings.warehouse_dir) as con:
        return con.execute(sql).fetchall()


def test_run_builds_marts_and_quarantines_bad_input(
    prefect_api: str, settings: Settings, tmp_path: Path
) -> None:
    expected = make_bad_inputs(tmp_path / "bad")
    blog = Path(__file__).parents[1] / "extract" / "pages" / "platform_blog_canonical.html"
    inputs = [
        str(SEEDS),
        str(FIXTURES / "jsonld_article.html"),
        str(FIXTURES / "listing_page.html"),
        str(blog),
        str(tmp_path / "bad"),
    ]
    summary = ingest_articles(inputs=inputs, settings=settings)

    assert summary.count_extracted == 5  # four articles and a listing page
    assert summary.count_rejected == len(expected)
    articles = table(
        settings, "select source_id, source_id_source, locator from fct_articles order by 1"
    )
    assert [(a[0], a[1]) for a in articles] == [
        ("gulfnews.com", "copyright"),
        ("harbour-times.example", "canonical"),
        ("harbourwalks.wordpress.com", "canonical"),
        ("rudaw.net", "comment_policy"),
    ]
    # Issue 12's columns reach the marts: a blog on a platform is its own source.
    assert table(
        settings,
        "select title, title_raw, authors, author_organizations, wire_agency, source_platform"
        " from fct_articles where source_id = 'harbourwalks.wordpress.com'",
    ) == [
        (
            "Low water at the north landing",
            "Low water at the north landing – Harbour Walks",
            ["Rina Holm"],
            ["Associated Press"],
            "AP",
            "wordpress",
        )
    ]
    assert table(
        settings,
        "select source_name, source_platform from dim_sources"
        " where source_id = 'harbourwalks.wordpress.com'",
    ) == [("Harbour Walks", "wordpress")]
    assert all(Path(a[2]).is_absolute() for a in articles)
    # The listing page is in the pages mart with its type, and in no article table.
    pages = table(settings, "select page_type, is_article, locator from pages order by 1, 3")
    assert [(p[0], p[1], Path(p[2]).name) for p in pages if not p[1]] == [
        ("listing", False, "listing_page.html")
    ]
    assert len(pages) == 5
    # The publisher's local time and offset are kept beside the UTC instant (08:30+01:00).
    dates = table(
        settings,
        "select published_at_local, published_utc_offset_minutes, published_date,"
        " published_at_confidence from fct_articles where source_id = 'harbour-times.example'",
    )
    assert [tuple(str(value) for value in row) for row in dates] == [
        ("2024-03-05 08:30:00", "60", "2024-03-05", "high")
    ]
    rejects = dict(table(settings, "select locator, reason from rejects"))
    assert {Path(k).name: v for k, v in rejects.items()} == expected
    assert all(
        stage in ("capture", "extract") for (stage,) in table(settings, "select stage from rejects")
    )
    # Marts are Parquet too (a folder of part files each), readable without DuckDB; text lives
    # only there.
    marts = settings.warehouse_dir / "marts"
    assert {p.name for p in marts.iterdir() if any(p.glob("*.parquet"))} >= {
        "fct_articles",
        "dim_sources",
        "dim_dates",
        "article_texts",
        "rejects",
    }
    assert pq.read_table(marts / "fct_articles").num_rows == 4
    texts = pq.read_table(marts / "article_texts").to_pylist()
    assert any(t["body_text"].startswith("Baghdad: Iraq is open") for t in texts)
    assert table(settings, "select count(*) from article_texts") == [(4,)]
    sources = table(settings, "select source_id, count_articles from dim_sources order by 1")
    assert sources == [
        ("gulfnews.com", 1),
        ("harbour-times.example", 1),
        ("harbourwalks.wordpress.com", 1),
        ("rudaw.net", 1),
    ]
    # Worker pools and the fork server they start from (spaCy, the place index) are gone.
    children = [" ".join(child.cmdline()) for child in psutil.Process().children(recursive=True)]
    assert not [command for command in children if "forkserver" in command]


def published_marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Return every published mart's rows from its Parquet parts, sorted, without _loaded_at."""
    marts = {}
    for folder in sorted((warehouse / "marts").iterdir()):
        data = pq.read_table(folder)
        columns = [name for name in data.column_names if name != "_loaded_at"]
        rows = zip(*(data.column(name).to_pylist() for name in columns), strict=True)
        marts[folder.name] = sorted(rows, key=repr)
    return marts


def test_rerun_adds_nothing_and_skips_work(
    prefect_api: str, settings: Settings, tmp_path: Path
) -> None:
    first = ingest_articles(inputs=[str(SEEDS), str(FIXTURES)], settings=settings)
    before = table(settings, "select * exclude (_run_id) from fct_articles order by article_id")
    published = (settings.database_path.stat().st_ino, os.readlink(settings.marts_dir))
    second = ingest_articles(inputs=[str(SEEDS), str(FIXTURES)], settings=settings)
    # 2 seeds and 4 fixture pages: an article, a listing and a product page (in pages), and a
    # section index too short to be anything (a reject)
    assert first.count_captured == 6
    assert (second.count_captured, second.count_extracted, second.count_unchanged) == (0, 0, 6)
    assert (
        table(settings, "select * exclude (_run_id) from fct_articles order by article_id")
        == before
    )
    assert table(settings, "select count(*), sum(count_occurrences) from rejects") == [(1, 1)]
    # Nothing new in the lake: the published warehouse is kept as it is, not rebuilt.
    assert (settings.database_path.stat().st_ino, os.readlink(settings.marts_dir)) == published
    assert second.counts_published == first.counts_published

    # One new page: the lake changed, so the run builds and publishes again, incrementally.
    more = tmp_path / "more"
    more.mkdir()
    shutil.copy(FIXTURES / "jsonld_article.html", more / "copy-of-jsonld.html")
    loaded = (
        "select article_id, _loaded_at from fct_articles "
        "where source_id = 'gulfnews.com' order by 1"
    )
    kept = table(settings, loaded)
    third = ingest_articles(inputs=[str(more)], settings=settings)
    assert third.count_captured == 1
    assert (settings.database_path.stat().st_ino, os.readlink(settings.marts_dir)) != published
    # The articles the new page has nothing to do with kept their rows as they were.
    assert table(settings, loaded) == kept
    # The same lake rebuilt from nothing publishes the same marts, row for row.
    full = settings.model_copy(update={"warehouse_dir": tmp_path / "full"})
    shutil.copytree(settings.warehouse_dir, full.warehouse_dir, symlinks=True)
    build_warehouse(settings=full, full_refresh=True)
    assert published_marts(full.warehouse_dir) == published_marts(settings.warehouse_dir)


@pytest.mark.parametrize(
    ("broken_rows", "failure"),
    [
        # a model change that duplicates keys: the key rule (unique and not null)
        (
            "select * from final union all select * from final",
            r"column_rules_fct_articles: error(.|\n)*fct_articles: duplicate key: article_id",
        ),
        # a column rule: the error names the model, the rule and the column
        (
            "select * replace (cast(null as varchar) as locator) from final",
            r"column_rules_fct_articles: error(.|\n)*fct_articles: null: locator \(\d+ rows?\)",
        ),
    ],
)
def test_failing_data_test_keeps_last_good_warehouse(
    prefect_api: str, seeds_warehouse: Path, tmp_path: Path, broken_rows: str, failure: str
) -> None:
    # A copy of the seeds' warehouse (its marts link is relative and stays inside the copy).
    settings = Settings(warehouse_dir=tmp_path / "warehouse", workers=1)
    shutil.copytree(seeds_warehouse, settings.warehouse_dir, symlinks=True)
    good = table(settings, "select article_id from fct_articles order by 1")
    broken_sql = tmp_path / "sql"
    shutil.copytree(settings.sql_dir, broken_sql)
    model = broken_sql / "models" / "marts" / "fct_articles.sql"
    # A model change that breaks a data test must stop publishing.
    model.write_text(
        model.read_text().replace(
            "{{ with_scope('final', ref('int_stories_changed'), 'article_id') }}", broken_rows
        )
    )
    with pytest.raises(Exception, match=failure):
        build_warehouse(settings=settings.model_copy(update={"sql_dir": broken_sql}))
    assert table(settings, "select article_id from fct_articles order by 1") == good
    assert pq.read_table(settings.warehouse_dir / "marts" / "fct_articles").num_rows == len(good)
