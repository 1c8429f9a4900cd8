"""Run `newsloom run` in this process, then print its timings per stage from the Prefect API.

Usage: python benchmarks/flow_run.py WAREHOUSE INPUT... [-- newsloom run options]
Prints one JSON object: wall seconds, the time spent inside no task (Prefect's fixed cost:
server start, flow and task run bookkeeping), and per task name the count, summed and
wall-clock (first start to last end) seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

STARTED = time.perf_counter()
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


async def read_runs(since: datetime) -> tuple[list, dict[str, float]]:
    """Return the task runs started after `since`, and {flow name: seconds} of its flow runs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterStartTime,
        TaskRunFilter,
        TaskRunFilterStartTime,
    )
    from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort

    task_runs = []
    async with get_client() as client:
        while True:
            page = await client.read_task_runs(
                task_run_filter=TaskRunFilter(start_time=TaskRunFilterStartTime(after_=since)),
                sort=TaskRunSort.EXPECTED_START_TIME_ASC,
                offset=len(task_runs),
                limit=200,
            )
            task_runs += page
            if len(page) < 200:
                break
        flow_runs = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)),
            sort=FlowRunSort.START_TIME_ASC,
            limit=200,
        )
        flows = {run.flow_id: (await client.read_flow(run.flow_id)).name for run in flow_runs}
    return task_runs, {flows[run.flow_id]: run.total_run_time.total_seconds() for run in flow_runs}


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Return the length of the union of (start, end) intervals."""
    total, current_end = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= current_end:
            continue
        total += end - max(start, current_end)
        current_end = end
    return total


def main() -> None:
    """Run the CLI, then print the timings as JSON."""
    from flows.cli import main as newsloom

    args = sys.argv[1:]
    warehouse, rest = args[0], args[1:]
    since = datetime.now(UTC)
    began = time.perf_counter()
    code = newsloom(["run", "--warehouse", warehouse, *rest])
    wall = time.perf_counter() - began
    task_runs, flow_runs = asyncio.run(read_runs(since))
    stages: dict[str, dict[str, float]] = {}
    intervals = []
    for run in task_runs:
        if run.start_time is None or run.end_time is None:
            continue
        name = run.task_key.rsplit("-", 1)[0] if run.task_key else run.name
        start, end = run.start_time.timestamp(), run.end_time.timestamp()
        intervals.append((start, end))
        stage = stages.setdefault(name, {"count": 0, "sum_s": 0.0, "first": start, "last": end})
        stage["count"] += 1
        stage["sum_s"] += end - start
        stage["first"], stage["last"] = min(stage["first"], start), max(stage["last"], end)
    for stage in stages.values():
        stage["span_s"] = stage.pop("last") - stage.pop("first")
    print(
        json.dumps(
            {
                "exit_code": code,
                "wall_s": wall,
                "process_s": time.perf_counter() - STARTED,
                "inside_tasks_s": union_seconds(intervals),
                "outside_tasks_s": wall - union_seconds(intervals),
                "stages": stages,
                "flow_runs": flow_runs,
            }
        )
    )


if __name__ == "__main__":
    main()
