"""Scale on real flow runs: per-document timeouts, a Dask cluster, and a lake on S3."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest_articles
from tests.conftest import SEEDS
from transforms import lake
from transforms.extract.article import EXTRACTOR_VERSION
from transforms.lake import RemoteLake
from transforms.settings import Settings
from transforms.warehouse.publish import connect_warehouse

FIXTURES = Path(__file__).parents[1] / "fixtures"
TIMEOUT_SECONDS = 2.0
COMPARED = {
    "fct_articles": "select * exclude (_run_id, first_fetched_at, last_fetched_at, _loaded_at) "
    "from fct_articles",
    "article_texts": "select * from article_texts",
    "rejects": "select stage, locator, reason, detail, capture_id from rejects",
}


def write_pathological_page(path: Path) -> Path:
    """Write a real page trafilatura needs 15 s+ for: one paragraph of 20,000 inline tags."""
    words = "the council voted on the budget proposal after a long debate about schools"
    inline = "".join(f"<b>{word}</b> <i>x</i> " for word in words.split() * 800)
    path.write_text(
        "<html><head><title>Council budget</title></head><body><article>"
        f"<h1>Council budget</h1><p>{inline}</p></article></body></html>"
    )
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copy(FIXTURES / "jsonld_article.html", folder)
    write_pathological_page(folder / "slow.html")
    return [str(folder)]


def settings_for(warehouse: Path, **overrides: object) -> Settings:
    return Settings(
        warehouse_dir=warehouse,
        workers=2,
        batch_size=2,
        document_timeout_seconds=TIMEOUT_SECONDS,
        **overrides,
    )


def snapshot(settings: Settings) -> dict[str, list[tuple]]:
    with connect_warehouse(settings.warehouse_dir) as con:
        return {
            name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in COMPARED.items()
        }


def slow_page_rejects(settings: Settings) -> list[tuple]:
    with connect_warehouse(settings.warehouse_dir) as con:
        return con.execute(
            "select stage, reason, capture_id is not null from rejects where locator like '%slow%'"
        ).fetchall()


def test_slow_page_is_cut_off_and_a_dask_run_on_an_s3_lake_matches_local(
    prefect_api: str, inputs: list[str], tmp_path: Path, s3_lake: RemoteLake
) -> None:
    local = settings_for(tmp_path / "local")
    summary = ingest_articles(inputs=inputs, settings=local)

    assert summary.rejects_by_reason == {"timeout": 1}
    assert summary.count_extracted == 3
    assert slow_page_rejects(local) == [("extract", "timeout", True)]
    lake_reject = duckdb.sql(
        f"select extractor_version from '{local.lake_dir}/rejects/*.parquet' "
        "where reason = 'timeout'"
    ).fetchall()
    assert lake_reject == [(EXTRACTOR_VERSION,)]

    # Beyond one machine: batch tasks on a Dask cluster of 2 workers, the lake in an object
    # store (a real S3 API on 127.0.0.1), so the workers share no disk with the flow.
    pytest.importorskip("prefect_dask")
    on_cluster = settings_for(
        tmp_path / "cluster",
        task_runner="dask",
        dask_workers=2,
        lake_url=s3_lake.url,
        lake_options=s3_lake.options,
    )
    cluster_summary = ingest_articles(inputs=inputs, settings=on_cluster)

    assert cluster_summary.count_extracted == 3
    assert cluster_summary.rejects_by_reason == {"timeout": 1}
    assert snapshot(on_cluster) == snapshot(local)
    assert not (tmp_path / "cluster" / "lake").exists()
    with lake.connect_lake(on_cluster.lake_dir) as connection:
        assert connection.execute("select count(*) from articles").fetchone() == (3,)


def test_runner_settings_fail_loudly_and_reach_the_cluster_address() -> None:
    from pydantic import ValidationError

    from flows.runners import batch_task_runner

    with pytest.raises(ValidationError, match="task_runner"):
        Settings(dask_address="tcp://scheduler:8786")
    pytest.importorskip("prefect_dask")
    runner = batch_task_runner(Settings(task_runner="dask", dask_address="tcp://scheduler:8786"))
    assert runner.address == "tcp://scheduler:8786"
