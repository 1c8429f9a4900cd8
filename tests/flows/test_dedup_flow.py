"""Duplicates, syndication, stories and versions through real flow runs on the sample pages."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest_articles
from tests.conftest import SAMPLE, SEEDS
from transforms.settings import Settings

PAGES = SAMPLE / "pages"
HARBOUR_WIRE = PAGES / "harbourtimes" / "world-iraq-security-cooperation.html"
VALLEY_WIRE = PAGES / "valleyledger" / "baghdad-us-military-ties.html"
FERRY = PAGES / "harbourtimes" / "ferry-operator-fined.html"
FERRY_V2 = PAGES / "harbourtimes" / "ferry-operator-fined.v2.html"
OTHERS = (
    PAGES / "northstarpost" / "baghdad-power-cuts.html",
    PAGES / "prairiesentinel" / "nairobi-climate-summit.html",
    PAGES / "eadispatch" / "nairobi-expressway-tolls.html",
)
CLUSTER_SQL = """
    select source_id, title, story_id, duplicate_cluster_id, duplicate_role,
        duplicate_of_article_id, wire_agency, article_id
    from fct_articles order by article_id
"""
# Undated articles' versions start at their capture time, which differs between runs.
VERSIONS_SQL = """
    select article_id, version_number, content_sha256, is_current,
        case when valid_from < timestamptz '2025-01-01' then valid_from end as stated_from
    from article_versions order by article_id, version_number
"""


def write_partner_copy(folder: Path) -> Path:
    """Write the Harbour Times wire page as re-posted later by a partner site (same body)."""
    folder.mkdir(parents=True, exist_ok=True)
    html = HARBOUR_WIRE.read_text(encoding="utf-8")
    html = html.replace(
        "harbour-times.example/2024/05/16/iraq-security-cooperation-bombings/",
        "partner-news.example/world/iraq-security/",
    ).replace("2024-05-16T09:30:00+01:00", "2024-05-16T15:00:00+01:00")
    path = folder / "partner-iraq-security.html"
    path.write_text(html, encoding="utf-8")
    return path


def corpus(folder: Path) -> list[str]:
    """Return the test corpus: the seeds, the wire pair, a partner re-post, ferry versions."""
    files = [*sorted(SEEDS.glob("*.txt")), HARBOUR_WIRE, VALLEY_WIRE, FERRY, FERRY_V2, *OTHERS]
    return [str(path) for path in [*files, write_partner_copy(folder)]]


def query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.database_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def one_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Run the whole corpus at once with two workers."""
    root = tmp_path_factory.mktemp("dedup")
    settings = Settings(warehouse_dir=root / "warehouse", workers=2, batch_size=3)
    ingest_articles(inputs=corpus(root / "inputs"), settings=settings)
    return settings


def test_wire_copies_cluster_with_the_first_publisher(one_run: Settings) -> None:
    rows = query(
        one_run,
        """
        select source_id, duplicate_role, is_duplicate, wire_agency, story_id = duplicate_cluster_id
        from fct_articles where duplicate_cluster_id is not null order by published_at
        """,
    )
    assert rows == [
        ("harbour-times.example", "original", False, "NWS", True),
        ("valleyledger.example", "copy", True, "NWS", True),
        ("partner-news.example", "copy", True, "NWS", True),
    ]
    clusters = query(
        one_run,
        """
        select first_source_id, wire_agency, is_syndicated, count_articles, count_sources,
            count_copies, count_exact_duplicates
        from dim_duplicate_clusters
        """,
    )
    assert clusters == [("harbour-times.example", "NWS", True, 3, 3, 2, 1)]
    stories = query(
        one_run,
        """
        select first_source_id, count_articles, count_sources, count_duplicates
        from dim_stories where count_articles > 1
        """,
    )
    assert stories == [("harbour-times.example", 3, 3, 2)]


def test_seeds_are_neither_duplicates_nor_one_story(one_run: Settings) -> None:
    seeds = query(
        one_run,
        """
        select story_id, is_duplicate, duplicate_cluster_id
        from fct_articles where locator like '%.txt'
        """,
    )
    assert len(seeds) == 2
    assert seeds[0][0] != seeds[1][0]
    assert all(not is_duplicate and cluster is None for _, is_duplicate, cluster in seeds)
    # Every other article of the corpus (other Baghdad and Nairobi stories) stands alone.
    singles = query(one_run, "select count(*) from dim_stories where count_articles = 1")
    assert singles == [(len(OTHERS) + 3,)]


def test_changed_page_is_a_new_version_of_one_article(one_run: Settings) -> None:
    versions = query(
        one_run,
        """
        select version_number, valid_from, valid_to, is_current, count_words
        from article_versions
        where article_id in (select article_id from fct_articles where title like 'Ferry%')
        order by version_number
        """,
    )
    assert [(v[0], v[3]) for v in versions] == [(1, False), (2, True)]
    assert versions[0][2] == versions[1][1]
    assert str(versions[1][1]).startswith("2024-03-15 10:05")
    current = query(
        one_run, "select count_words, is_duplicate from fct_articles where title like 'Ferry%'"
    )
    assert current == [(versions[1][4], False)]


def test_clusters_do_not_depend_on_order_split_or_workers(
    one_run: Settings, tmp_path: Path
) -> None:
    settings = Settings(warehouse_dir=tmp_path / "warehouse", workers=1, batch_size=2)
    inputs = list(reversed(corpus(tmp_path / "inputs")))
    # The later copies and the v2 page arrive in a first run, everything else in a second.
    late = [inputs[0], str(FERRY_V2), str(VALLEY_WIRE)]
    ingest_articles(inputs=late, settings=settings)
    ingest_articles(inputs=inputs, settings=settings)
    assert query(settings, CLUSTER_SQL) == query(one_run, CLUSTER_SQL)
    assert query(settings, VERSIONS_SQL) == query(one_run, VERSIONS_SQL)
