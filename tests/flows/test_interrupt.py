"""Ctrl-C (SIGINT to the whole job, as a terminal sends it) or SIGTERM stops a run cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SampleRun, start_cli_run
from tests.flows.test_kill_rerun import COMPARED, assert_no_capture_twice, snapshot


def article_parts(warehouse: Path) -> set[str]:
    """Return the article part files a run has written (not the empty typed part nor .tmp)."""
    articles = warehouse / "lake" / "articles"
    if not articles.is_dir():
        return set()
    return {
        p.name
        for p in articles.iterdir()
        if p.suffix == ".parquet" and not p.name.startswith(("_", "."))
    }


def wait_for_articles(
    warehouse: Path, process: subprocess.Popen, timeout: float, before: frozenset[str] = frozenset()
) -> None:
    """Wait until the run has written an article part not in `before` (it is mid-run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if article_parts(warehouse) - before:
            return
        assert process.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.2)
    pytest.fail("the run wrote no articles in time")


def run_statuses(warehouse: Path) -> list[tuple[str, str]]:
    with duckdb.connect() as con:
        return con.execute(
            "select run_id, run_status from read_parquet(?, union_by_name = true) "
            "where run_status <> 'running' order by ended_at",
            [f"{warehouse}/lake/runs/*.parquet"],
        ).fetchall()


def assert_stopped_cleanly(process: subprocess.Popen) -> None:
    """Assert the run exits 130 within 90 s, quietly: "stopped", no traceback."""
    try:
        code = process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    err = process.stderr.read().decode()
    assert code == 130, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert "stopped" in err


def test_interrupted_runs_stop_cleanly_and_the_next_resumes(
    prefect_api: str, sample_run: SampleRun, tmp_path: Path
) -> None:
    # One warehouse, three runs (a full run costs tens of seconds): stopped by Ctrl-C, resumed
    # and stopped by SIGTERM, resumed to the end, which must equal one clean run.
    warehouse = tmp_path / "warehouse"
    # Ctrl-C, SIGINT to the whole job as a terminal sends it: the run starts its own temporary
    # Prefect server, as `newsloom run` does at a terminal (the server gets the SIGINT as well).
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home")}
    process = start_cli_run(warehouse, sample_run.inputs, None, env)
    wait_for_articles(warehouse, process, timeout=180)
    os.killpg(process.pid, signal.SIGINT)
    assert_stopped_cleanly(process)
    assert [status for _run, status in run_statuses(warehouse)] == ["cancelled"]

    # SIGTERM to the run's process alone, once the next run has resumed and written more.
    written = frozenset(article_parts(warehouse))
    process = start_cli_run(warehouse, sample_run.inputs, prefect_api)
    wait_for_articles(warehouse, process, timeout=180, before=written)
    process.send_signal(signal.SIGTERM)
    assert_stopped_cleanly(process)
    assert [status for _run, status in run_statuses(warehouse)] == ["cancelled", "cancelled"]

    again = start_cli_run(warehouse, sample_run.inputs, prefect_api)
    assert again.wait(timeout=300) == 0, again.stderr.read().decode()[-3000:]
    statuses = [status for _run, status in run_statuses(warehouse)]
    assert statuses == ["cancelled", "cancelled", "completed"]
    expected, got = snapshot(sample_run.warehouse), snapshot(warehouse)
    for name in COMPARED:
        assert got[name] == expected[name], name
    assert_no_capture_twice(warehouse)
