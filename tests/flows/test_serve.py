"""`newsloom serve` runs the flow on schedule against a standing server and stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SEEDS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def standing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `prefect server start` (with its scheduler) on 127.0.0.1; yield its API URL."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
    }
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("prefect server did not start in 120 s")
    yield api
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def completed_runs(warehouse: Path) -> int:
    runs = warehouse / "lake" / "runs"
    if not any(runs.glob("*-completed.parquet")):
        return 0
    with duckdb.connect() as con:
        return con.execute(
            f"select count(*) from read_parquet('{runs}/*.parquet') where run_status = 'completed'"
        ).fetchone()[0]


def test_serve_runs_on_schedule_and_stops_cleanly(standing_server: str, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    env = {**os.environ, "PREFECT_API_URL": standing_server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    command = [sys.executable, "-m", "flows.cli", "serve", "--interval", "5", "--name", "test"]
    command += ["--warehouse", str(warehouse), "--workers", "1", str(SEEDS)]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 150
        while completed_runs(warehouse) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read().decode()[-3000:]
            time.sleep(1)
        assert completed_runs(warehouse) >= 2
    finally:
        process.send_signal(signal.SIGINT)
        # A run in progress may finish first: up to --stop-timeout (60 s), then it is cancelled.
        output = process.communicate(timeout=120)[0].decode()
    assert process.returncode == 0, output[-3000:]
    with duckdb.connect(str(warehouse / "newsloom.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from fct_articles").fetchone()[0] == 2


class StallingHandler(socketserver.BaseRequestHandler):
    """Answer any request with a page whose body arrives one byte a second, never ending."""

    def handle(self) -> None:
        self.server.requested.set()  # type: ignore[attr-defined]
        self.request.recv(65536)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n"
        try:
            self.request.sendall(head)
            while not self.server.closing.is_set():  # type: ignore[attr-defined]
                self.request.sendall(b" ")
                time.sleep(1)
        except OSError:
            return


@pytest.fixture
def stalling_page() -> Iterator[tuple[str, threading.Event]]:
    """Yield the URL of a page on 127.0.0.1 that never finishes loading, and its request event."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), StallingHandler)
    server.daemon_threads = True
    server.requested = threading.Event()  # type: ignore[attr-defined]
    server.closing = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/story.html", server.requested
    server.closing.set()  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


def api_post(api: str, path: str, body: dict) -> object:
    """POST JSON to the Prefect API; return the decoded answer."""
    request = urllib.request.Request(
        f"{api}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def flow_run_states(api: str, deployment_name: str) -> list[str]:
    """Return the state types of the flow runs of the named deployment."""
    body = {"deployments": {"name": {"any_": [deployment_name]}}}
    runs = api_post(api, "/flow_runs/filter", body)
    return [run["state_type"] for run in runs]


def test_serve_cancels_a_stuck_run_once_the_stop_timeout_passes(
    standing_server: str, tmp_path: Path, stalling_page: tuple[str, threading.Event]
) -> None:
    url, requested = stalling_page
    env = {**os.environ, "PREFECT_API_URL": standing_server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    command = [sys.executable, "-m", "flows.cli", "serve", "--interval", "5", "--name", "stuck"]
    command += ["--stop-timeout", "3", "--allow-private-hosts", "--workers", "1"]
    command += ["--warehouse", str(tmp_path / "warehouse"), url]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        # A scheduled run is now fetching a page that would keep it busy for minutes.
        assert requested.wait(150), "no scheduled run fetched the page"
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output = process.communicate(timeout=45)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode()
            pytest.fail(f"serve still running 45 s after SIGINT:\n{output[-3000:]}")
    assert process.returncode == 0, output[-3000:]
    assert "cancelling the run in progress" in output
    states = flow_run_states(standing_server, "stuck")
    assert "CANCELLED" in states, states
    assert "RUNNING" not in states and "PENDING" not in states, states


def test_serve_runs_missed_schedules_once_not_one_after_another(
    standing_server: str, tmp_path: Path
) -> None:
    # Three runs came due while nothing served the deployment (a stopped `serve`).
    flow = api_post(standing_server, "/flows/", {"name": "ingest_articles"})
    deployment = api_post(
        standing_server, "/deployments/", {"name": "catchup", "flow_id": flow["id"]}
    )
    now = datetime.now(UTC)
    for minutes in (45, 30, 15):
        due = (now - timedelta(minutes=minutes)).isoformat()
        api_post(
            standing_server,
            f"/deployments/{deployment['id']}/create_flow_run",
            {"state": {"type": "SCHEDULED", "state_details": {"scheduled_time": due}}},
        )
    env = {**os.environ, "PREFECT_API_URL": standing_server, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    # A yearly schedule: no new run comes due during the test.
    command = [sys.executable, "-m", "flows.cli", "serve", "--cron", "0 0 1 1 *"]
    command += ["--name", "catchup", "--workers", "1"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 150
        states = flow_run_states(standing_server, "catchup")
        # Until the three overdue runs have ended (the yearly schedule's next run stays due).
        while time.monotonic() < deadline and (
            states.count("COMPLETED") + states.count("CANCELLED") < 3
            or {"PENDING", "RUNNING"} & set(states)
        ):
            assert process.poll() is None, process.stdout.read().decode()[-3000:]
            time.sleep(1)
            states = flow_run_states(standing_server, "catchup")
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=120)[0].decode()
    ended = sorted(state for state in states if state != "SCHEDULED")
    assert ended == ["CANCELLED", "CANCELLED", "COMPLETED"], (states, output[-3000:])
    assert "2 missed scheduled run(s) cancelled as superseded" in output
    assert completed_runs(tmp_path / "warehouse") == 1


def test_serve_without_a_standing_server_explains(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "serve", "--interval", "60"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "prefect server start" in result.stdout + result.stderr
