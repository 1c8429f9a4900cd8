"""Run async capture behind a plain iterator, and schedule jobs so one host never stalls others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

log = logging.getLogger(__name__)

Emit = Callable[[Any], Awaitable[None]]
Job = Callable[[], Awaitable[None]]

_DONE = object()


class HostScheduler:
    """Per-host job queues, each drained by at most `per_host` workers in a task group."""

    def __init__(
        self, group: asyncio.TaskGroup, per_host: int, on_error: Callable[[str, Exception], Any]
    ) -> None:
        self._group = group
        self._per_host = per_host
        self._on_error = on_error
        self._queues: defaultdict[str, deque[tuple[str, Job]]] = defaultdict(deque)
        self._workers: defaultdict[str, int] = defaultdict(int)

    def submit(self, host: str, locator: str, job: Job) -> None:
        """Queue a job for a host, starting a worker if the host has a free one."""
        self._queues[host].append((locator, job))
        if self._workers[host] < self._per_host:
            self._workers[host] += 1
            self._group.create_task(self._work(host))

    async def _work(self, host: str) -> None:
        """Run this host's jobs one after another until its queue is empty."""
        jobs = self._queues[host]
        try:
            while jobs:
                locator, job = jobs.popleft()
                try:
                    await job()
                except Exception as exc:  # one broken document must not end the run
                    log.exception("capture of %s failed", locator)
                    await self._on_error(locator, exc)
        finally:
            self._workers[host] -= 1


def iterate(produce: Callable[[Emit], Awaitable[None]], buffer: int = 64) -> Iterator[Any]:
    """Run `produce(emit)` on an event loop in a thread, yielding what it emits as it comes."""
    items: queue.Queue[Any] = queue.Queue(maxsize=buffer)
    loop = asyncio.new_event_loop()
    main: list[asyncio.Task[None]] = []
    failure: list[BaseException] = []

    async def emit(item: Any) -> None:
        while True:
            try:
                items.put_nowait(item)
                return
            except queue.Full:
                await asyncio.sleep(0.005)

    async def run() -> None:
        main.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await produce(emit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - re-raised in the consuming thread
            failure.append(exc)
        await emit(_DONE)

    def drive() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(run())

    thread = threading.Thread(target=drive, name="capture-loop", daemon=True)
    thread.start()
    finished = False
    try:
        while True:
            item = items.get()
            if item is _DONE:
                finished = True
                break
            yield item
    finally:
        if not finished:
            while not main:
                threading.Event().wait(0.001)
            loop.call_soon_threadsafe(main[0].cancel)
            while thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    items.get(timeout=0.05)
        thread.join()
        loop.close()
    if failure:
        raise failure[0]
