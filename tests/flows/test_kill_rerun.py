"""A run killed with SIGKILL at any point, then re-run, equals one clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import REPO, SAMPLE
from tests.flows.test_ingest import make_bad_inputs

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


def start_run(warehouse: Path, inputs: list[str], api_url: str) -> subprocess.Popen:
    env = {**os.environ, "PREFECT_API_URL": api_url}
    command = [sys.executable, "-m", "flows.cli", "run", "--warehouse", str(warehouse)]
    command += ["--batch-size", "4", "--workers", "1", *inputs]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse / "newsloom.duckdb"), read_only=True) as con:
        return {
            name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in COMPARED.items()
        }


def test_killed_runs_then_rerun_equal_one_clean_run(prefect_api: str, tmp_path: Path) -> None:
    make_bad_inputs_small = tmp_path / "bad"
    expected_rejects = make_bad_inputs(make_bad_inputs_small)
    (make_bad_inputs_small / "huge.html").unlink()
    inputs = [str(SAMPLE), str(make_bad_inputs_small)]

    clean = start_run(tmp_path / "clean", inputs, prefect_api)
    assert clean.wait(timeout=300) == 0, clean.stderr.read().decode()[-3000:]

    killed = tmp_path / "killed"
    outcomes = []
    for delay in KILL_AFTER_SECONDS:
        process = start_run(killed, inputs, prefect_api)
        time.sleep(delay)
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        outcomes.append("finished" if finished else "killed")
    assert "killed" in outcomes
    final = start_run(killed, inputs, prefect_api)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode()[-3000:]

    expected, got = snapshot(tmp_path / "clean"), snapshot(killed)
    assert len(expected["fct_articles"]) >= 20
    rejected_names = {Path(row[1]).name for row in expected["rejects"]}
    assert rejected_names >= set(expected_rejects) - {"huge.html"}
    for name in COMPARED:
        assert got[name] == expected[name], name
    with duckdb.connect() as con:
        lake = killed / "lake"
        captures = con.execute(
            "select count(*), count(distinct capture_id) "
            f"from read_parquet('{lake}/captures/*.parquet')"
        ).fetchone()
        assert captures[0] == captures[1], "a capture was stored twice"
