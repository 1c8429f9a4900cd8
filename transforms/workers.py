"""Run CPU-heavy extraction over a batch in worker processes."""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import multiprocessing
import multiprocessing.forkserver
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pebble import ProcessExpired, ProcessPool

from transforms import lake
from transforms.extract.article import ExtractOptions, extract_capture
from transforms.extract.normalize import detect_language
from transforms.progress import ProgressListener, progress
from transforms.schemas import Capture, Reject

logger = logging.getLogger(__name__)

# Workers fork from a server that has already imported the extractors and the entity code and
# built the place index: cheap to start, their read-only memory shared, and safe beside the
# threads Prefect runs (a plain fork of a threaded process is not). The extraction and NER pools
# share the one fork server a process has, so both name the same list. datasketch and spaCy load
# there, not in the flow process (transforms.enrich.signatures and the entity modules import them
# lazily).
FORKSERVER_PRELOAD = [
    "transforms.extract.article",
    "transforms.extract.text",
    "datasketch",
    "transforms.enrich.entities.preload",
]


def _extract_one(capture: dict[str, Any], options: ExtractOptions) -> dict[str, Any] | Reject:
    """Extract one capture, turning any unexpected error into a reject (a batch never dies)."""
    try:
        return extract_capture(capture, options)
    except Exception as error:
        logger.exception("extraction crashed on %s", capture.get("locator"))
        return Reject(
            stage="extract",
            locator=capture["locator"],
            reason="extractor_error",
            detail=f"{type(error).__name__}: {error}",
            capture_id=capture["capture_id"],
            extractor_version=options.extractor_version,
        )


def _extract_chunk(
    captures: list[dict[str, Any]], options: ExtractOptions
) -> list[dict[str, Any] | Reject]:
    """Extract captures one after another in this process (stopping when the run stops)."""
    results = []
    for capture in captures:
        check_stop()
        results.append(_extract_one(capture, options))
    return results


def ignore_interrupts() -> None:
    """Leave Ctrl-C to the parent process, which stops the workers itself."""
    # The terminal sends SIGINT to the whole process group: a worker dying of it mid-document
    # would turn that document into a `worker_died` reject.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


WARM_UP_PAGE = (
    b"<html><head><title>Warm-up</title><meta name='date' content='2024-01-02'></head>"
    b"<body><article><p>By A. Writer. Published 2 January 2024.</p>"
    b"<p>The worker reads one small page before its first document.</p></article></body></html>"
)


def _warm_worker() -> None:
    """Load lazily built models once per worker, not once per document.

    A fresh worker's first extraction loads date and language data (0.5 s idle, seconds on a
    busy machine): inside a document's timeout that would reject a page that is not slow.
    """
    ignore_interrupts()
    detect_language("warm up the language identifier with a short sentence")
    warm_up = Capture(locator="warm-up.html", source_kind="file", body=WARM_UP_PAGE)
    extract_capture({**warm_up.to_row("warm-up"), "content_type": "text/html"}, ExtractOptions())


_POOL_LOCK = threading.Lock()
_POOLS: list[ProcessPool] = []
# Documents (and NER chunks) scheduled on a pool and not yet collected, and whether this process
# is stopping (Ctrl-C): stopping cancels them, a batch with a cancelled document raises before it
# writes anything, and the next run redoes that batch.
_IN_FLIGHT_LOCK = threading.Lock()
_IN_FLIGHT: set[Future] = set()
_STOPPING = threading.Event()


class StopRequested(Exception):
    """Raised in a batch when its process is stopping: nothing of the batch is written."""


@contextlib.contextmanager
def tracking_in_flight(futures: list[Future]) -> Iterator[list[Future]]:
    """Register scheduled futures as in flight until the block ends."""
    with _IN_FLIGHT_LOCK:
        _IN_FLIGHT.update(futures)
    try:
        yield futures
    finally:
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT.difference_update(futures)


def request_stop() -> int:
    """Stop this process's batches: cancel what is in flight; return how many were cancelled."""
    _STOPPING.set()
    with _IN_FLIGHT_LOCK:
        futures = list(_IN_FLIGHT)
    # pebble stops the worker of a running task it cancels, and starts a fresh one.
    return sum(future.cancel() for future in futures)


def clear_stop() -> None:
    """Let batches run again (a new run in this process)."""
    _STOPPING.clear()


def check_stop() -> None:
    """Raise StopRequested when this process is stopping (work done in-process checks this)."""
    if _STOPPING.is_set():
        raise StopRequested("the run is stopping")


def _process_pool(workers: int) -> ProcessPool:
    """Return this process's pool of extraction workers, created on first use."""
    # Batch tasks may run in several threads at once: they share one pool.
    with _POOL_LOCK:
        return _new_process_pool(workers)


@functools.cache
def _new_process_pool(workers: int) -> ProcessPool:
    """Start a pool of `workers` extraction processes (cached: one per size and process)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    # pebble, unlike concurrent.futures, can stop one worker whose task runs over its timeout
    # and start a fresh one in its place, leaving the rest of the pool and the batch alone.
    pool = ProcessPool(max_workers=workers, initializer=_warm_worker, context=context)
    atexit.register(pool.stop)
    _POOLS.append(pool)
    return pool


def stop_workers() -> None:
    """Stop this process's extraction workers (started again on next use), freeing their memory."""
    with _POOL_LOCK:
        for pool in _POOLS:
            pool.stop()
            pool.join()
        _POOLS.clear()
        _new_process_pool.cache_clear()


def stop_fork_server() -> None:
    """Stop the fork server the worker pools start from (it holds spaCy and the place index)."""
    # Call it once every pool is stopped (the next pool starts a fresh server). CPython has no
    # public call for this: ForkServer._stop has been there since 3.8 (its own tests use it).
    stop = getattr(multiprocessing.forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()


def can_start_processes() -> bool:
    """Return False inside a daemonic process (e.g. a default Dask worker): no children there."""
    return not multiprocessing.current_process().daemon


def _collect(
    future: Future, capture: dict[str, Any], options: ExtractOptions, timeout: float | None
) -> dict[str, Any] | Reject:
    """Return one document's outcome, turning a timeout or a dead worker into a reject."""
    try:
        return future.result()
    except TimeoutError:
        reason, detail = "timeout", f"extraction ran over {timeout:g} s; its worker was replaced"
    except ProcessExpired as error:
        reason, detail = "worker_died", f"the worker process died: {error}"
    logger.warning("extract %s on %s", reason, capture["locator"])
    return Reject(
        stage="extract",
        locator=capture["locator"],
        reason=reason,
        detail=detail,
        capture_id=capture["capture_id"],
        extractor_version=options.extractor_version,
    )


def _report_done(listener: ProgressListener, future: Future) -> None:
    """Tell the listener one document finished (called in the pool's thread, so kept cheap)."""
    if future.cancelled():
        return
    rejected = future.exception() is not None or isinstance(future.result(), Reject)
    listener.advance("extract", rejected=int(rejected))


def _report_chunk(results: list[dict[str, Any] | Reject]) -> None:
    """Tell the listener a chunk of documents finished in this process."""
    progress().advance(
        "extract", len(results), sum(isinstance(result, Reject) for result in results)
    )


def extract_batch(
    captures: list[dict[str, Any]],
    options: ExtractOptions,
    workers: int,
    timeout: float | None = None,
) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Extract a batch with `workers` processes, each document cut off after `timeout` seconds."""
    if not captures:
        return [], []
    if not can_start_processes():
        logger.warning("no worker processes here (daemonic process): no per-document timeout")
        results = _extract_chunk(captures, options)
        _report_chunk(results)
    else:
        # One task per document, so a timeout stops that document only.
        listener = progress()
        try:
            pool = _process_pool(workers)
            futures = []
            for capture in captures:
                future = pool.schedule(_extract_one, args=(capture, options), timeout=timeout)
                future.add_done_callback(functools.partial(_report_done, listener))
                futures.append(future)
            with tracking_in_flight(futures):
                results = [
                    _collect(future, capture, options, timeout)
                    for future, capture in zip(futures, captures, strict=True)
                ]
        except (BrokenProcessPool, RuntimeError):
            # The pool itself broke (workers cannot start): a fresh pool next time, redo here.
            logger.warning("the worker pool broke; extracting this batch in-process")
            _new_process_pool.cache_clear()
            results = _extract_chunk(captures, options)
            _report_chunk(results)
    # A document cancelled by a stop became no reject: the whole batch is left for the next run.
    check_stop()
    articles = [result for result in results if isinstance(result, dict)]
    rejects = [result for result in results if isinstance(result, Reject)]
    return articles, rejects


def extract_to_lake(
    lake_dir: lake.LakeLocation,
    capture_ids: list[str],
    options: ExtractOptions,
    workers: int,
    part: str,
    run_id: str,
    timeout: float | None = None,
    shared_lines: dict[str, frozenset[int]] | None = None,
) -> tuple[int, Counter[str]]:
    """Extract one batch of stored captures and write its articles and rejects to the lake."""
    captures = lake.read_captures(lake_dir, capture_ids)
    for capture in captures:
        # Text dumps' lines that their source repeats elsewhere (textrepeat.py): never body.
        capture["shared_line_keys"] = (shared_lines or {}).get(capture["capture_id"], frozenset())
    articles, rejects = extract_batch(captures, options, workers, timeout)
    for article in articles:
        article["_run_id"] = run_id
    # Rejects first: a run killed between the two writes redoes only the articles.
    lake.write_rows(lake_dir, "rejects", (r.to_row(run_id) for r in rejects), part)
    lake.write_rows(lake_dir, "articles", articles, part)
    return len(articles), Counter(r.reason for r in rejects)
