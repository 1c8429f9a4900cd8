"""Shared fixtures: repo paths, the seeds, and a Prefect test harness for flow runs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flows.ingest import RunSummary, ingest_articles
from transforms.lake import RemoteLake
from transforms.progress import listening
from transforms.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
SEEDS = SAMPLE / "seeds"
CORPUS = REPO.parent / "shared" / "corpus" / "pages"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

# Test files whose tests share a session fixture that costs a flow run (or a model load). Under
# pytest-xdist a group runs on one worker, so its fixtures are built once; any other file is a
# group of its own, which keeps a module-scoped run (the dedup corpus, the standing server) to one
# too. The report tests read both runs: the sample's and the seeds' tests are one group.
SHARED_FIXTURE_FILES = {
    "runs": (
        "tests/flows/test_interrupt.py",
        "tests/flows/test_kill_rerun.py",
        "tests/report/test_report.py",
        "tests/flows/test_cli.py",
        "tests/flows/test_ingest.py",
        "tests/flows/test_progress.py",
        "tests/flows/test_readme.py",
    ),
    "nlp": ("tests/enrich/entities/",),  # a folder: every file in it (its conftest loads nlp)
}
FIXTURE_GROUPS = {"sample_run": "runs", "seeds_run": "runs", "nlp": "nlp"}
FILE_GROUPS = {path: group for group, paths in SHARED_FIXTURE_FILES.items() for path in paths}


def work_unit(nodeid: str) -> str:
    """Return the xdist work unit of a test: its file, or the shared-fixture group of its file."""
    path = nodeid.split("::", 1)[0]
    folder = path.rsplit("/", 1)[0] + "/"
    return FILE_GROUPS.get(path) or FILE_GROUPS.get(folder) or path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Schedule `--dist loadfile` by work_unit: files sharing a session run go to one worker."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        """xdist's loadfile, with the files of one shared-fixture group as one unit."""

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return SharedFixtureScheduling(config, log)


def schedule_rank(item: pytest.Item) -> int:
    """Return when a test's group should start under xdist: the longest chains of work first."""
    if "sample_run" in item.fixturenames:
        return 0  # a run, then interrupted and killed runs compared with it: the longest group
    if "prefect_api" in item.fixturenames:
        return 1  # flow runs: tens of seconds each
    return 2  # unit tests fill in the end


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker: order the groups longest first, and check the shared-fixture table."""
    if not hasattr(config, "workerinput"):
        return  # one process (-n 0): collection order as written
    for item in items:
        for fixture, group in FIXTURE_GROUPS.items():
            if fixture in item.fixturenames and work_unit(item.nodeid) != group:
                item.warn(
                    pytest.PytestWarning(
                        f"{item.nodeid} uses {fixture} but its file is not in "
                        f"SHARED_FIXTURE_FILES['{group}'] (tests/conftest.py): under xdist the "
                        "fixture may be built again on another worker"
                    )
                )
    # xdist starts a group where its first test stands in the collection. Every worker must
    # collect the same order: a stable sort of the same items.
    items.sort(key=schedule_rank)


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """Run one temporary Prefect server for the session; yield its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


def start_cli_run(
    warehouse: Path, inputs: list[str], api_url: str | None, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start `newsloom run` in a process of its own (its own process group, like a shell job)."""
    env = {**os.environ, **(env or {})}
    if api_url:
        env["PREFECT_API_URL"] = api_url
    command = [sys.executable, "-m", "flows.cli", "run", "--warehouse", str(warehouse)]
    command += ["--batch-size", "4", "--workers", "1", *inputs]
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@dataclass(frozen=True)
class SampleRun:
    """One clean CLI run over the bundled sample plus every kind of bad input."""

    warehouse: Path
    inputs: list[str]
    expected_rejects: dict[str, str]


@pytest.fixture(scope="session")
def sample_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    """Return a warehouse built by one `newsloom run` on the sample and bad inputs; read only."""
    from tests.flows.test_ingest import make_bad_inputs

    folder = tmp_path_factory.mktemp("sample")
    expected = make_bad_inputs(folder / "bad")
    (folder / "bad" / "huge.html").unlink()  # 50 MB: the ingest tests cover it
    del expected["huge.html"]
    inputs = [str(SAMPLE), str(folder / "bad")]
    process = start_cli_run(folder / "warehouse", inputs, prefect_api)
    assert process.wait(timeout=300) == 0, process.stderr.read().decode()[-3000:]
    return SampleRun(folder / "warehouse", inputs, expected)


@dataclass
class RecordingListener:
    """A progress listener that keeps every event, with the thread that sent it."""

    events: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, kind: str, stage: str, a: int = 0, b: int = 0) -> None:
        with self.lock:
            self.events.append((kind, stage, a, b, threading.current_thread().name))

    def stage_started(self, stage: str, total: int | None) -> None:
        self._record("started", stage, total or 0)

    def add_total(self, stage: str, count: int) -> None:
        self._record("total", stage, count)

    def advance(self, stage: str, done: int = 1, rejected: int = 0) -> None:
        self._record("advance", stage, done, rejected)

    def reach(self, stage: str, done: int) -> None:
        self._record("reach", stage, done)

    def stage_finished(self, stage: str, seconds: float) -> None:
        self._record("finished", stage)

    def of(self, kind: str, stage: str) -> list[tuple[str, str, int, int, str]]:
        return [event for event in self.events if event[:2] == (kind, stage)]


@dataclass
class SeedsRun:
    """The seeds run shared by the flow tests: its warehouse, summary and progress events."""

    warehouse: Path
    summary: RunSummary
    progress: RecordingListener


@pytest.fixture(scope="session")
def seeds_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> SeedsRun:
    """Run the flow once over the two seeds, recording its progress; tests must not change it.

    Its folder name holds a quote and a space: every path the run puts into SQL must survive it.
    """
    folder = tmp_path_factory.mktemp("seeds") / "o'brien's warehouse"
    recorder = RecordingListener()
    with listening(recorder):
        summary = ingest_articles(
            inputs=[str(SEEDS)], settings=Settings(warehouse_dir=folder, workers=1)
        )
    return SeedsRun(folder, summary, recorder)


@pytest.fixture(scope="session")
def seeds_warehouse(seeds_run: SeedsRun) -> Path:
    """Return a warehouse built by one run over the two seeds; tests must not change it."""
    return seeds_run.warehouse


@pytest.fixture
def corpus_dir() -> Path:
    """Return the shared real-page corpus, or skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-page corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Run a real S3 API (moto's server) on 127.0.0.1 for the session; yield its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_lake(s3_endpoint: str) -> RemoteLake:
    """Return an object-store lake in a new bucket on the test S3 server."""
    import fsspec

    from transforms.lake import RemoteLake

    options = {"endpoint_url": s3_endpoint, "key": "test", "secret": "test"}
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    fsspec.filesystem("s3", **options).mkdir(bucket)
    return RemoteLake(f"s3://{bucket}/newsloom/lake", options)
