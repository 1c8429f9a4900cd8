"""Progress of a run's stages, from the code doing the work to whoever shows it.

The stages report documents done (and rejected) as they finish, even inside a batch; a display
(the CLI's) subscribes for the length of a run. Nothing is shown or sent when no one listens:
the default listener does nothing, so the flows and transforms report unconditionally and a
scheduled run (Prefect's logs and UI) is unchanged.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Protocol


class ProgressListener(Protocol):
    """Receives stage events; called from several threads at once (must be thread-safe)."""

    def stage_started(self, stage: str, total: int | None) -> None:
        """Record that a stage began, with `total` documents (or steps) if known."""

    def add_total(self, stage: str, count: int) -> None:
        """Add `count` documents to a stage's total (found as it goes, e.g. folder by folder)."""

    def advance(self, stage: str, done: int = 1, rejected: int = 0) -> None:
        """Record `done` more documents finished, `rejected` of them as rejects."""

    def reach(self, stage: str, done: int) -> None:
        """Record that at least `done` documents are finished (batch-level reports)."""

    def stage_finished(self, stage: str, seconds: float) -> None:
        """Record that a stage ended after `seconds` of wall time."""


class NoProgress:
    """The listener when nobody listens: every event is dropped."""

    def stage_started(self, stage: str, total: int | None) -> None:
        """Drop the event."""

    def add_total(self, stage: str, count: int) -> None:
        """Drop the event."""

    def advance(self, stage: str, done: int = 1, rejected: int = 0) -> None:
        """Drop the event."""

    def reach(self, stage: str, done: int) -> None:
        """Drop the event."""

    def stage_finished(self, stage: str, seconds: float) -> None:
        """Drop the event."""


# A context variable, not a module global: Prefect copies the context into the threads that run
# task runs, so batch tasks see the listener of the run that submitted them (and only that one).
_LISTENER: ContextVar[ProgressListener | None] = ContextVar("newsloom_progress", default=None)


def progress() -> ProgressListener:
    """Return the listener of the current run (one that drops everything when none is set)."""
    return _LISTENER.get() or NoProgress()


@contextlib.contextmanager
def listening(listener: ProgressListener) -> Iterator[ProgressListener]:
    """Send the progress of runs started in this context to `listener`."""
    token = _LISTENER.set(listener)
    try:
        yield listener
    finally:
        _LISTENER.reset(token)


@contextlib.contextmanager
def timed_stage(
    stage: str, timings: dict[str, float], total: int | None = None
) -> Iterator[ProgressListener]:
    """Time a stage into `timings[stage]` (wall seconds) and tell the listener it ran."""
    listener = progress()
    listener.stage_started(stage, total)
    started = time.monotonic()
    try:
        yield listener
    finally:
        seconds = time.monotonic() - started
        timings[stage] = timings.get(stage, 0.0) + seconds
        listener.stage_finished(stage, seconds)
