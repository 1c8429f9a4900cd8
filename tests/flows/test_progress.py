"""Progress: every stage reports as it goes (inside batches too), and a run records its times."""

from __future__ import annotations

import threading

import duckdb
import pytest
from rich.console import Console

from flows.console import RunDisplay, format_seconds, stage_table
from tests.conftest import SeedsRun

STAGES = ["capture", "extract", "ner", "entities", "models", "publish"]


def test_every_stage_reports_start_progress_and_end(seeds_run: SeedsRun) -> None:
    events = seeds_run.progress
    for stage in STAGES:
        assert len(events.of("started", stage)) == 1, stage
        assert len(events.of("finished", stage)) == 1, stage
        assert sum(event[2] for event in events.of("advance", stage)) > 0, stage


def test_extraction_reports_each_document_from_the_pool(seeds_run: SeedsRun) -> None:
    advances = seeds_run.progress.of("advance", "extract")
    # One event per document as it finishes (two seeds), sent by the pool's thread rather than
    # at the end of the batch by the flow.
    assert [event[2] for event in advances] == [1, 1]
    assert all(event[4] != "MainThread" for event in advances)
    assert sum(event[2] for event in seeds_run.progress.of("total", "extract")) == 2


def test_models_and_publish_report_nodes_and_marts(seeds_run: SeedsRun) -> None:
    events = seeds_run.progress
    nodes = sum(event[2] for event in events.of("total", "models"))
    assert nodes > 50  # every model and data test
    assert sum(event[2] for event in events.of("advance", "models")) == nodes
    assert sum(event[3] for event in events.of("advance", "models")) == 0  # none failed
    marts = len(seeds_run.summary.counts_published)
    assert sum(event[2] for event in events.of("advance", "publish")) == marts


def test_run_records_each_stage_time(seeds_run: SeedsRun) -> None:
    summary = seeds_run.summary
    assert list(summary.stage_seconds) == STAGES
    assert all(seconds > 0 for seconds in summary.stage_seconds.values())
    lake = seeds_run.warehouse / "lake"
    with duckdb.connect() as con:
        recorded = con.execute(
            "select stage_seconds from read_parquet(?, union_by_name = true) "
            "where run_id = ? and run_status = 'completed'",
            [f"{lake}/runs/*.parquet", summary.run_id],
        ).fetchone()[0]
    assert recorded == pytest.approx(summary.stage_seconds)


def test_display_counts_events_from_many_threads() -> None:
    console = Console(record=True, width=120, force_terminal=False)
    display = RunDisplay(console, live=False)
    display.stage_started("extract", None)
    display.add_total("extract", 400)

    def work() -> None:
        for number in range(100):
            display.advance("extract", rejected=int(number % 10 == 0))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    display.reach("extract", 350)  # a batch report behind the documents' own: no change
    display.stage_finished("extract", 2.0)
    count = display.counts["extract"]
    assert (count.done, count.rejected, count.total, count.seconds) == (400, 40, 400, 2.0)
    console.print(stage_table({"extract": 2.0}, display.counts, "run"))
    text = console.export_text()
    assert "400 docs" in text
    assert "200.0 docs/s" in text


def test_batch_reports_move_a_stage_on_when_documents_cannot() -> None:
    display = RunDisplay(Console(record=True), live=False)
    display.stage_started("ner", 10)
    display.reach("ner", 6)  # batch tasks on a cluster report whole batches only
    assert display.counts["ner"].done == 6


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.04, "0.0 s"), (3.21, "3.2 s"), (42.4, "42 s"), (185, "3 min 05 s"), (7300, "2 h 01 min")],
)
def test_format_seconds(seconds: float, shown: str) -> None:
    assert format_seconds(seconds) == shown
