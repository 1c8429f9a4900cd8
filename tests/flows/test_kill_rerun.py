"""A run killed with SIGKILL at any point, then re-run, equals one clean run."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import duckdb

from tests.conftest import SampleRun, start_cli_run
from transforms.warehouse.publish import connect_warehouse

# Into capture/extraction, NER and the build of a run on this sample (the kills add up).
KILL_AFTER_SECONDS = (3.0, 6.0, 9.0)
COMPARED = {
    "fct_articles": (
        "select * exclude (_run_id, first_fetched_at, last_fetched_at, _loaded_at) "
        "from fct_articles"
    ),
    "article_texts": "select * from article_texts",
    "dim_sources": "select * exclude (first_fetched_at, _loaded_at) from dim_sources",
    "rejects": "select stage, locator, reason, capture_id from rejects",
}


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with connect_warehouse(warehouse) as con:
        return {
            name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in COMPARED.items()
        }


def test_killed_runs_then_rerun_equal_one_clean_run(
    prefect_api: str, sample_run: SampleRun, tmp_path: Path
) -> None:
    killed = tmp_path / "killed"
    outcomes = []
    for delay in KILL_AFTER_SECONDS:
        process = start_cli_run(killed, sample_run.inputs, prefect_api)
        time.sleep(delay)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append("finished" if finished else "killed")
    assert "killed" in outcomes
    final = start_cli_run(killed, sample_run.inputs, prefect_api)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode()[-3000:]

    expected, got = snapshot(sample_run.warehouse), snapshot(killed)
    assert len(expected["fct_articles"]) >= 20
    rejected_names = {Path(row[1]).name for row in expected["rejects"]}
    assert rejected_names >= set(sample_run.expected_rejects)
    for name in COMPARED:
        assert got[name] == expected[name], name
    assert_no_capture_twice(killed)


def assert_no_capture_twice(warehouse: Path) -> None:
    with duckdb.connect() as con:
        lake = warehouse / "lake"
        captures = con.execute(
            "select count(*), count(distinct capture_id) "
            f"from read_parquet('{lake}/captures/*.parquet')"
        ).fetchone()
        assert captures[0] == captures[1], "a capture was stored twice"
