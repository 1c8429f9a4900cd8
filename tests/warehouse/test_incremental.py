"""Incremental builds: a lake grown in steps, built after each, equals one full build of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from tests.warehouse.synthetic_lake import (
    NER_VERSION,
    Article,
    SyntheticLake,
    blend,
    day,
    signature,
)
from transforms import lake
from transforms.schemas import REJECT_SCHEMA
from transforms.settings import SQL_DIR
from transforms.warehouse.models import run_models
from transforms.warehouse.publish import LAKE_VIEW_ROWS

# Compared besides the marts: the clusters and pairs the marts are made of.
INTERMEDIATE = (
    "intermediate.int_near_duplicate_pairs",
    "intermediate.int_duplicate_clusters",
    "intermediate.int_story_pairs",
    "intermediate.int_story_clusters",
)
METADATA_COLUMNS = {"_loaded_at"}


def topic(name: str) -> list[int]:
    """Return a random topic signature."""
    return signature(name, 64)


def build(lake_dir: Path, database: Path, work: Path, full: bool) -> None:
    """Build the models: from nothing (full) or into the database's last build."""
    run_models(SQL_DIR, database, lake_dir, work, 2, NER_VERSION, "1GB", full_refresh=full)


def tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Return every mart (tables and views of main) and the compared intermediate tables."""
    marts = connection.execute(
        "select 'main.' || table_name from information_schema.tables "
        "where table_schema = 'main' order by 1"
    ).fetchall()
    return [row[0] for row in marts] + list(INTERMEDIATE)


def snapshot(database: Path) -> dict[str, list[tuple]]:
    """Return every compared table's rows, sorted, without metadata columns."""
    with duckdb.connect(str(database), read_only=True) as connection:
        result = {}
        for table in tables(connection):
            schema, name = table.split(".")
            columns = [
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if row[0] not in METADATA_COLUMNS
            ]
            rows = connection.execute(f"select {', '.join(columns)} from {table}").fetchall()
            result[table] = sorted(rows, key=repr)
        return result


def assert_same(incremental: Path, full: Path) -> None:
    """Assert two databases hold the same rows in every compared table."""
    got, expected = snapshot(incremental), snapshot(full)
    assert got.keys() == expected.keys()
    for table, rows in expected.items():
        missing = [row for row in rows if row not in got[table]]
        extra = [row for row in got[table] if row not in rows]
        assert not missing and not extra, f"{table}: missing {missing[:3]}, extra {extra[:3]}"


def query(database: Path, sql: str, *params: object) -> list[tuple]:
    """Return a query's rows from a built database."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def story_of(database: Path, article: Article) -> str:
    """Return the article's story_id."""
    return query(
        database, "select story_id from fct_articles where article_id = ?", article.article_id
    )[0][0]


def base_articles() -> dict[str, Article]:
    """Return step 0: two duplicate clusters, a topic story, two entity stories, loners."""
    s1 = signature("s1")
    s8 = signature("s8")
    t4, t6, tg = topic("t4"), topic("t6"), topic("tg")
    same_body = "An identical body, copied word for word by three outlets."
    articles = [
        Article("a01", "alpha", day("2025-03-01 10:00"), s1, topic("ta1"), body=same_body),
        Article("a02", "beta", day("2025-03-01 12:00"), blend(s1, signature("s2"), 120),
                topic("ta2")),
        Article("a03", "gamma", day("2025-03-02 09:00"), s1, topic("ta3"), body=same_body),
        Article("a04", "alpha", day("2025-03-05 08:00"), signature("s4"), t4, names=["n5"]),
        Article("a05", "beta", day("2025-03-06 08:00"), signature("s5"),
                blend(t4, topic("t5"), 40)),
        Article("a06", "gamma", day("2025-03-10 08:00"), signature("s6"), t6,
                names=["n1", "n2", "n3"]),
        Article("a07", "alpha", day("2025-03-11 08:00"), signature("s7"),
                blend(t6, topic("t7"), 12), names=["n1", "n2", "n3"]),
        Article("a08", "delta", day("2025-03-20 08:00"), s8, topic("ta8")),
        Article("a09", "beta", day("2025-03-21 08:00"), blend(s8, signature("s9"), 120),
                topic("ta9")),
        Article("a10", "delta", None, signature("s10"), topic("ta10")),
        Article("g01", "gamma", day("2025-03-15 08:00"), signature("sg1"), tg,
                names=["n7", "n8", "n9"]),
        Article("g02", "delta", day("2025-03-16 08:00"), signature("sg2"),
                blend(tg, topic("tg2"), 12), names=["n7", "n8", "n9"]),
        # a publisher under two names as often: the name first in alphabetical order
        Article("o01", "omega", None, signature("so1"), topic("to1"), source_name="Zulu Times"),
        Article("o02", "omega", None, signature("so2"), topic("to2"), source_name="Alpha Times"),
        Article("c01", "kappa", day("2025-03-31 08:00"), signature("sc1"), topic("tc1")),
    ]  # fmt: skip
    return {article.name: article for article in articles}


ENTITIES = {f"n{number}": f"entity {number}" for number in range(1, 10)}


def step_1(base: dict[str, Article]) -> list[Article]:
    """Return step 1: an earlier copy, a bridge between clusters, a new version, a new story."""
    a02, a08 = base["a02"], base["a08"]
    return [
        # published before a01, with its body: the cluster's new original
        Article("b01", "epsilon", day("2025-02-28 10:00"), base["a01"].minhash, topic("tb1"),
                body=base["a01"].body),
        # half a02's signature, half a08's: merges their clusters
        Article("b02", "alpha", day("2025-03-20 18:00"),
                a02.minhash[:64] + a08.minhash[64:], topic("tb2")),
        # a05's new version: other words, no longer a04's story
        Article("a05", "beta", day("2025-03-06 08:00"), signature("s5b"), topic("t5b"),
                body="A rewritten body.", capture="v2", modified=day("2025-03-07 08:00"),
                fetched=day("2025-05-02 00:00")),
        # a06's story by its words
        Article("b03", "zeta", day("2025-03-11 12:00"), signature("sb3"),
                blend(base["a06"].topic, topic("tb3"), 40), names=["n1"]),
    ]  # fmt: skip


def step_2(base: dict[str, Article]) -> list[Article]:
    """Return step 2: entity 9 in 51 articles (too common to link g01, g02), a publisher move."""
    common = [
        Article(f"h{number:02d}", "eta", day("2025-04-01 08:00"), signature(f"sh{number}"),
                topic(f"th{number}"), names=["n9"])
        for number in range(49)
    ]  # fmt: skip
    a04 = base["a04"]
    moved = Article("a04", "theta", a04.published, a04.minhash, a04.topic, capture="v2",
                    modified=day("2025-03-08 08:00"), fetched=day("2025-05-03 00:00"),
                    names=a04.names)  # fmt: skip
    return [*common, moved]


def step_4(base: dict[str, Article]) -> list[Article]:
    """Return step 4: a run's articles, recent (April 4-6) but for two of March.

    Each new article's story partner is stored, published exactly the story window before or
    after it: at an edge of the days a lookup by day would read (a recent run's, then older).
    """
    return [
        # the recent run's first day: its partner, three days before
        Article("r01", "zeta", day("2025-04-04 08:00"), signature("sr1"),
                blend(topic("th5"), topic("tr1"), 40)),
        Article("r02", "eta", day("2025-04-06 08:00"), signature("sr2"), topic("tr2")),
        # the oldest new article: its partner a04, three days before
        Article("x01", "theta", day("2025-03-08 08:00"), signature("sx1"),
                blend(base["a04"].topic, topic("tx1"), 40)),
        # a week before the recent run: its partner c01, three days after
        Article("x02", "iota", day("2025-03-28 08:00"), signature("sx2"),
                blend(base["c01"].topic, topic("tx2"), 40)),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Grow a lake in steps, building incrementally after each and fully after steps 1, 3 and 4.

    As newsloom does, each incremental build updates a copy of the last build's database.
    """
    root = tmp_path_factory.mktemp("incremental")
    lake_dir = root / "lake"
    synthetic = SyntheticLake(lake_dir)
    paths: dict[str, Path] = {}

    def build_step(name: str, previous: str | None) -> None:
        paths[name] = root / f"{name}.duckdb"
        if previous:
            shutil.copyfile(paths[previous], paths[name])
        build(lake_dir, paths[name], root / "dbt-chain", full=previous is None)

    def build_full(name: str) -> None:
        paths[name] = root / f"{name}.duckdb"
        build(lake_dir, paths[name], root / "dbt-full", full=True)

    base = base_articles()
    synthetic.add("r0", list(base.values()))
    synthetic.resolve(ENTITIES)
    build_step("step0", None)

    synthetic.add("r1", step_1(base))
    # a name resolved to another entity: entity 3 merged into entity 1
    synthetic.resolve({**ENTITIES, "n3": "entity 1"})
    reject = {"stage": "extract", "locator": "https://alpha.example/broken", "reason": "empty",
              "rejected_at": day("2025-05-02 00:00"), "_run_id": "r1"}  # fmt: skip
    lake.write_table(lake_dir, "rejects", pa.Table.from_pylist([reject], REJECT_SCHEMA), "r1")
    build_step("step1", "step0")
    build_full("step1_full")

    # compaction moves step 0 and 1's rows into new files (new row locators)
    assert lake.compact_lake(lake_dir, min_parts=2)
    synthetic.add("r2", step_2(base))
    # a09's mentions arrive a run later than its article
    a09 = base["a09"]
    a09.names = ["n6"]
    synthetic.mention("r2-late", [a09])
    synthetic.resolve({**ENTITIES, "n3": "entity 1"})
    build_step("step2", "step1")
    # nothing new: the build changes nothing
    build_step("step3", "step2")
    build_full("step3_full")

    synthetic.add("r4", step_4(base))
    build_step("step4", "step3")
    build_full("step4_full")
    return paths


def test_each_step_changes_what_it_should(grown: dict[str, Path]) -> None:
    base = base_articles()
    step0, step1, step3 = grown["step0"], grown["step1"], grown["step3"]
    b01 = Article("b01", "epsilon", None, [], [])
    # step 0: a01, a02, a03 one cluster; a04 + a05 and a06 + a07 (entities) and g01 + g02 stories
    assert story_of(step0, base["a04"]) == story_of(step0, base["a05"])
    assert story_of(step0, base["a06"]) == story_of(step0, base["a07"])
    assert story_of(step0, base["g01"]) == story_of(step0, base["g02"])
    names = dict(query(step0, "select source_id, source_name from dim_sources"))
    assert names["omega.example"] == "Alpha Times"
    # step 1: b01 is the original of a01's cluster, which b02 merged with a08's
    roles = dict(
        query(
            step1,
            "select article_id, duplicate_role || ':' || duplicate_cluster_id from fct_articles",
        )
    )
    assert roles[base["a01"].article_id] == f"copy:{b01.article_id}"
    assert roles[base["a08"].article_id] == f"copy:{b01.article_id}"
    assert story_of(step1, base["a04"]) != story_of(step1, base["a05"])
    assert story_of(step1, base["a06"]) != story_of(step1, base["a07"])
    assert story_of(step1, base["g01"]) == story_of(step1, base["g02"])
    # step 2: entity 9 is too common to link g01 and g02; a04 moved to theta
    assert story_of(step3, base["g01"]) != story_of(step3, base["g02"])
    sources = dict(query(step3, "select source_id, count_articles from dim_sources"))
    assert sources["theta.example"] == 1
    assert sources["alpha.example"] == 3  # a01, a07, b02
    mentioned = query(
        step3,
        "select count(*) from fct_entity_mentions where article_id = ?",
        base["a09"].article_id,
    )
    assert mentioned == [(1,)]


def test_incremental_builds_keep_unchanged_rows(grown: dict[str, Path]) -> None:
    # a10 (no date, no duplicate, no story) was written by the first build only
    a10 = base_articles()["a10"].article_id
    first = query(grown["step0"], "select max(_loaded_at) from fct_articles")[0][0]
    kept = query(grown["step1"], "select _loaded_at from fct_articles where article_id = ?", a10)
    assert kept == [(first,)]
    changed = query(grown["step1"], "select count(distinct _loaded_at) from fct_articles")
    assert changed == [(2,)]


def test_recent_runs_find_stories_at_the_window_edges(grown: dict[str, Path]) -> None:
    """An incremental build of a recent run with older articles finds every story partner."""
    step4 = grown["step4"]
    new = {article.name: article for article in step_4(base_articles())}
    stored = {**base_articles(), "h05": Article("h05", "eta", None, [], [])}
    pairs = (("r01", "h05"), ("x01", "a04"), ("x02", "c01"))
    lost = [
        name
        for name, partner in pairs
        if story_of(step4, new[name]) != story_of(step4, stored[partner])
    ]
    assert not lost
    # r02 shares no band with anyone: a story of its own
    assert story_of(step4, new["r02"]) != story_of(step4, new["r01"])


@pytest.mark.parametrize(
    ("incremental", "full"),
    [("step1", "step1_full"), ("step3", "step3_full"), ("step4", "step4_full")],
)
def test_incremental_builds_equal_a_full_build(
    grown: dict[str, Path], incremental: str, full: str
) -> None:
    assert_same(grown[incremental], grown[full])


@pytest.mark.parametrize("name", ["step3", "step3_full"])
def test_article_texts_shows_each_current_row_once(grown: dict[str, Path], name: str) -> None:
    """The publish tells changed article_texts parts from its current rows (LAKE_VIEW_ROWS)."""
    fingerprint = "select lake_file, lake_row, article_id, content_sha256 from {} order by all"
    shown = query(grown[name], fingerprint.format("main.article_texts"))
    assert shown
    assert shown == query(grown[name], fingerprint.format(LAKE_VIEW_ROWS["article_texts"]))


def test_quiet_builds_keep_no_debug_log(grown: dict[str, Path]) -> None:
    """Without show_logs, dbt's log file holds no debug lines (a line per SQL statement)."""
    log = grown["step0"].parent / "dbt-chain" / "logs" / "dbt.log"
    lines = log.read_text().splitlines() if log.exists() else []
    assert not [line for line in lines if "[debug]" in line]
