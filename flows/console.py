"""What a person at a terminal sees of a run: one progress line per stage, then a summary."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

# The stages in the order a run goes through them, with what the display calls them.
STAGE_LABELS = {
    "capture": "capture",
    "extract": "extract",
    "ner": "entities (NER)",
    "entities": "resolve entities",
    "models": "models and tests",
    "publish": "publish",
}
STAGE_UNITS = {"models": "nodes", "publish": "marts", "entities": "steps"}


def stage_order(stage: str) -> int:
    """Return a stage's place in a run (unknown stages last)."""
    return list(STAGE_LABELS).index(stage) if stage in STAGE_LABELS else len(STAGE_LABELS)


@dataclass
class StageCount:
    """What one stage did, as the display saw it."""

    done: int = 0
    rejected: int = 0
    total: int | None = None
    seconds: float | None = None


class RateColumn(ProgressColumn):
    """Documents per second: recent while running, the stage's average once finished."""

    def render(self, task: Task) -> Text:
        """Return the rate of one task."""
        if task.finished:
            elapsed = task.finished_time or 0.0
            rate = task.completed / elapsed if elapsed > 0 else None
        else:
            rate = task.speed
        unit = task.fields.get("unit", "docs")
        if rate is None or unit == "steps":
            return Text("", style="progress.data.speed")
        return Text(f"{rate:,.1f} {unit}/s", style="progress.data.speed")


class EtaColumn(ProgressColumn):
    """Time left while the stage runs and its total is known; nothing once finished."""

    def render(self, task: Task) -> Text:
        """Return the estimate of one task."""
        remaining = task.time_remaining
        if task.finished or remaining is None:
            return Text("")
        minutes, seconds = divmod(int(remaining), 60)
        return Text(f"ETA {minutes}:{seconds:02d}", style="progress.remaining")


class RejectsColumn(ProgressColumn):
    """The stage's rejects so far (failed nodes for the models), shown only when there are any."""

    def render(self, task: Task) -> Text:
        """Return the rejects of one task."""
        rejected = task.fields.get("rejected", 0)
        label = "failed" if task.fields.get("unit") == "nodes" else "rejected"
        return Text(f"{rejected:,} {label}" if rejected else "", style="yellow")


class RunDisplay:
    """A progress listener that draws one rich progress line per stage (thread-safe)."""

    def __init__(self, console: Console, live: bool = True) -> None:
        """Draw on `console`; with live=False only count (for -v, where logs are shown)."""
        self.console = console
        self.live = live
        self.counts: dict[str, StageCount] = {}
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self.progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("[bold]{task.description:<17}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            RateColumn(),
            RejectsColumn(),
            TimeElapsedColumn(),
            EtaColumn(),
            console=console,
            disable=not live,
        )

    def _task(self, stage: str) -> TaskID:
        """Return the stage's progress line, added on first use."""
        with self._lock:
            if stage not in self._tasks:
                self.counts[stage] = StageCount()
                self._tasks[stage] = self.progress.add_task(
                    STAGE_LABELS.get(stage, stage),
                    total=None,
                    unit=STAGE_UNITS.get(stage, "docs"),
                    rejected=0,
                )
            return self._tasks[stage]

    def stage_started(self, stage: str, total: int | None) -> None:
        """Add the stage's line (its total if known)."""
        task = self._task(stage)
        if total is not None:
            self.counts[stage].total = total
            self.progress.update(task, total=total)

    def add_total(self, stage: str, count: int) -> None:
        """Grow the stage's total."""
        task = self._task(stage)
        with self._lock:
            count_total = (self.counts[stage].total or 0) + count
            self.counts[stage].total = count_total
        self.progress.update(task, total=count_total)

    def advance(self, stage: str, done: int = 1, rejected: int = 0) -> None:
        """Count finished documents."""
        task = self._task(stage)
        with self._lock:
            count = self.counts[stage]
            count.done += done
            count.rejected += rejected
            completed, rejects = count.done, count.rejected
        self.progress.update(task, completed=completed, rejected=rejects)

    def reach(self, stage: str, done: int) -> None:
        """Count at least `done` finished documents (batch reports from a cluster)."""
        task = self._task(stage)
        with self._lock:
            count = self.counts[stage]
            count.done = max(count.done, done)
            completed = count.done
        self.progress.update(task, completed=completed)

    def stage_finished(self, stage: str, seconds: float) -> None:
        """Close the stage's line: full bar, its wall time."""
        task = self._task(stage)
        with self._lock:
            count = self.counts[stage]
            count.seconds = seconds
            count.total = count.done
        self.progress.update(task, total=count.done, completed=count.done)
        self.progress.stop_task(task)

    @contextlib.contextmanager
    def showing(self) -> Iterator[RunDisplay]:
        """Draw the progress lines for the length of the block (log lines print above them)."""
        with self.progress:
            yield self


def format_seconds(seconds: float) -> str:
    """Return a duration as people read it: 0.4 s, 12 s, 3 min 05 s."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def stage_table(
    stage_seconds: dict[str, float], counts: dict[str, StageCount], title: str
) -> Table:
    """Return the table of stages: what each did and its wall time."""
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("stage", style="bold")
    table.add_column("done", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("time", justify="right")
    table.add_column("rate", justify="right")
    for stage, seconds in stage_seconds.items():
        count = counts.get(stage, StageCount())
        unit = STAGE_UNITS.get(stage, "docs")
        rate = (
            f"{count.done / seconds:,.1f} {unit}/s"
            if seconds > 0 and count.done and unit != "steps"
            else ""
        )
        table.add_row(
            STAGE_LABELS.get(stage, stage),
            f"{count.done:,} {unit}",
            f"{count.rejected:,}" if count.rejected else "",
            format_seconds(seconds),
            rate,
        )
    return table
