"""Flow fixtures: the capture tests' HTTP server, and one warehouse built from the seeds."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from flows.ingest import RunSummary, ingest_articles
from tests.capture.conftest import fast, make_site, reply  # noqa: F401
from tests.conftest import SEEDS
from transforms.progress import listening
from transforms.settings import Settings


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
    """Run the flow once over the two seeds, recording its progress; tests must not change it."""
    folder = tmp_path_factory.mktemp("seeds") / "warehouse"
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
