"""Serve a flow on a schedule until stopped, and stop within a bounded time when asked.

Prefect's `Flow.serve` stops on Ctrl-C by cancelling its event loop's main task; a cancellation
that lands while Prefect's own code shields or absorbs it is lost, and the runner then goes on
starting scheduled runs (seen under load in this project's suite: minutes of runs after
SIGINT). Here the stop is ours: the first SIGINT or SIGTERM stops new runs, lets the run in
progress finish for up to `stop_timeout` seconds, then cancels it through the runner (its
process stopped, its state Cancelled; the lake keeps no half-written part, so the next run
redoes its inputs); a second signal cancels at once.

Runs that came due while nothing served the deployment (the server keeps scheduling them) are
not run one after another on start: each run takes every new input, so the newest of them
catches up and the older ones are cancelled as superseded.
"""

from __future__ import annotations

import asyncio
import datetime
import multiprocessing
import signal
from typing import Any
from uuid import UUID

from prefect import Flow
from prefect.logging import get_logger

logger = get_logger("newsloom.serve")

# Runner.start needs this long at most to return once its runs are cancelled; past it, the
# runner is stuck and the serve process stops its run processes itself.
RUNNER_EXIT_SECONDS = 30.0
POLL_SECONDS = 0.5
# Overdue runs are read this many at a time (the API's most).
MISSED_RUNS_PAGE = 200


async def serve_flow(
    flow: Flow[..., Any],
    *,
    name: str,
    parameters: dict[str, Any],
    cron: str | None = None,
    interval: datetime.timedelta | None = None,
    stop_timeout: float = 60.0,
) -> int:
    """Serve `flow` one run at a time until SIGINT/SIGTERM; return the exit code."""
    from prefect.runner import Runner

    runner = Runner(name=name, limit=1, pause_on_shutdown=False, webserver=False)
    deployment_id = await runner.aadd_flow(
        flow, name=name, cron=cron, interval=interval, parameters=parameters
    )
    try:
        await skip_missed_runs(deployment_id)
    except Exception as error:  # noqa: BLE001 - housekeeping: serving goes on without it
        logger.warning("could not skip missed scheduled runs: %s", error)
    stop_asked = asyncio.Event()
    cancel_asked = asyncio.Event()

    def on_signal(signum: int) -> None:
        """First signal: stop taking runs; second: cancel the run in progress now."""
        which = signal.Signals(signum).name
        if not stop_asked.is_set():
            logger.warning(
                "%s: no new runs; the run in progress (if any) has %.0f s to finish, "
                "then it is cancelled (%s again cancels it now)",
                which,
                stop_timeout,
                which,
            )
            stop_asked.set()
        else:
            logger.warning("%s again: cancelling the run in progress", which)
            cancel_asked.set()

    served = asyncio.create_task(runner.start(webserver=False))
    # Runner.start installs its own SIGTERM handler (stop and sys.exit) before its first await;
    # ours replace it once that has happened.
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        await _first(served, stop_asked.wait())
        if served.done():
            served.result()  # the runner stopped by itself: its error, if any, is the answer
            return 0
        _stop_polling(runner)
        finished = await _until_idle(runner, stop_timeout, cancel_asked)
        if not finished:
            logger.warning("cancelling the run in progress; the next run redoes its inputs")
        await runner.astop()  # cancels runs still in flight and ends runner.start
        try:
            await asyncio.wait_for(served, RUNNER_EXIT_SECONDS)
        except TimeoutError:
            logger.error(
                "the runner did not stop within %.0f s; stopping its run processes",
                RUNNER_EXIT_SECONDS,
            )
            _terminate_children()
            return 1
        except asyncio.CancelledError:
            pass
        logger.warning("stopped")
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def skip_missed_runs(deployment_id: UUID) -> int:
    """Cancel the deployment's overdue scheduled runs but the newest; return how many."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterNextScheduledStartTime,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.states import Cancelled

    async with get_client() as client:
        overdue: list[Any] = []
        while True:
            # Oldest first, a page at a time (the API's most), all read before any is cancelled.
            page = await client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                    ),
                    next_scheduled_start_time=FlowRunFilterNextScheduledStartTime(
                        before_=datetime.datetime.now(datetime.UTC)
                    ),
                ),
                sort=FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC,
                limit=MISSED_RUNS_PAGE,
                offset=len(overdue),
            )
            overdue += page
            if len(page) < MISSED_RUNS_PAGE:
                break
        superseded = overdue[:-1]
        for run in superseded:
            await client.set_flow_run_state(
                run.id,
                Cancelled(message="missed while not served; superseded by a later run"),
                force=True,
            )
    if superseded:
        logger.warning(
            "%d missed scheduled run(s) cancelled as superseded: the newest overdue run (%s) "
            "takes every new input",
            len(superseded),
            overdue[-1].name,
        )
    return len(superseded)


async def _first(task: asyncio.Task[Any], waiting: Any) -> None:
    """Return when `task` ends or the awaitable `waiting` does."""
    waiter = asyncio.ensure_future(waiting)
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


def _stop_polling(runner: Any) -> None:
    """Stop the runner submitting scheduled runs, as Runner.astop does first."""
    # Prefect 3.8's runner has no public call that stops polling but lets runs in flight go on;
    # the poller's flag is what its own stop sets (prefect is pinned below 3.9).
    runner.stopping = True
    poller = getattr(runner, "_scheduled_run_poller", None)
    if poller is not None:
        poller.stopping = True


async def _until_idle(runner: Any, timeout: float, cancel_asked: asyncio.Event) -> bool:
    """Wait until no run is in flight (True), or the timeout or a second signal (False)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not runner.has_slots_available():
        if cancel_asked.is_set() or asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(POLL_SECONDS)
    return True


def _terminate_children() -> None:
    """Stop this process's run processes (multiprocessing joins them at exit otherwise)."""
    for child in multiprocessing.active_children():
        child.terminate()
        child.join(5)
        if child.is_alive():
            child.kill()
