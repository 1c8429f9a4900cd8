"""Ctrl-C (SIGINT to the whole job, as a terminal sends it) or SIGTERM stops a run cleanly."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SampleRun, start_cli_run
from tests.flows.test_kill_rerun import COMPARED, assert_no_capture_twice, snapshot


def wait_for_articles(warehouse: Path, process: object, timeout: float) -> None:
    """Wait until the run has written extracted articles to its lake (it is mid-run)."""
    deadline = time.monotonic() + timeout
    articles = warehouse / "lake" / "articles"
    while time.monotonic() < deadline:
        # A written part: not the empty typed part (_empty) nor a part being written (.*.tmp).
        if articles.is_dir() and any(
            p.suffix == ".parquet" and not p.name.startswith(("_", ".")) for p in articles.iterdir()
        ):
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


@pytest.mark.parametrize(
    ("sig", "to_group", "own_server"),
    [(signal.SIGINT, True, True), (signal.SIGTERM, False, False)],
    ids=["ctrl-c-to-the-job", "sigterm"],
)
def test_interrupted_run_stops_cleanly_and_the_next_resumes(
    sig: signal.Signals,
    to_group: bool,
    own_server: bool,
    prefect_api: str,
    sample_run: SampleRun,
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse"
    # Ctrl-C case: the run starts its own temporary Prefect server, as `newsloom run` does at a
    # terminal (the server gets the SIGINT as well).
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home")} if own_server else None
    process = start_cli_run(warehouse, sample_run.inputs, None if own_server else prefect_api, env)
    wait_for_articles(warehouse, process, timeout=180)
    if to_group:
        os.killpg(process.pid, sig)
    else:
        process.send_signal(sig)
    try:
        code = process.wait(timeout=90)
    except Exception:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    err = process.stderr.read().decode()
    assert code == 130, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert "stopped" in err
    assert [status for _run, status in run_statuses(warehouse)] == ["cancelled"]

    again = start_cli_run(warehouse, sample_run.inputs, prefect_api)
    assert again.wait(timeout=300) == 0, again.stderr.read().decode()[-3000:]
    assert [status for _run, status in run_statuses(warehouse)] == ["cancelled", "completed"]
    expected, got = snapshot(sample_run.warehouse), snapshot(warehouse)
    for name in COMPARED:
        assert got[name] == expected[name], name
    assert_no_capture_twice(warehouse)
