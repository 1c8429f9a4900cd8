"""Run CPU-heavy extraction over a batch in worker processes."""

from __future__ import annotations

import atexit
import functools
import logging
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from transforms import lake
from transforms.extract import ExtractOptions, extract_capture
from transforms.normalize import detect_language
from transforms.schemas import Reject

logger = logging.getLogger(__name__)

# Workers fork from a server that has already imported the extractors: cheap to start,
# and safe beside the threads Prefect runs (a plain fork of a threaded process is not).
_PRELOAD = ["transforms.extract"]


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
    """Extract a chunk of captures inside one worker."""
    return [_extract_one(capture, options) for capture in captures]


def _warm_worker() -> None:
    """Load lazily built models once per worker, not once per document."""
    detect_language("warm up the language identifier with a short sentence")


@functools.cache
def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Return this process's pool of extraction workers, created on first use."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_worker)
    atexit.register(pool.shutdown, cancel_futures=True)
    return pool


def extract_batch(
    captures: list[dict[str, Any]], options: ExtractOptions, workers: int
) -> tuple[list[dict[str, Any]], list[Reject]]:
    """Extract a batch of captures with `workers` processes; return (articles, rejects)."""
    if workers <= 1 or len(captures) < 4:
        results = _extract_chunk(captures, options)
    else:
        # Small chunks keep both cores busy when a few pages are slow.
        size = max(1, len(captures) // (workers * 8))
        chunks = [captures[i : i + size] for i in range(0, len(captures), size)]
        try:
            mapped = _process_pool(workers).map(_extract_chunk, chunks, [options] * len(chunks))
            results = [result for chunk_results in mapped for result in chunk_results]
        except BrokenProcessPool:
            # A worker died (out of memory, killed): start a fresh pool next time, redo here.
            logger.warning("a worker process died; extracting this batch in-process")
            _process_pool.cache_clear()
            results = _extract_chunk(captures, options)
    articles = [result for result in results if isinstance(result, dict)]
    rejects = [result for result in results if isinstance(result, Reject)]
    return articles, rejects


def extract_to_lake(
    lake_dir: Path,
    capture_ids: list[str],
    options: ExtractOptions,
    workers: int,
    part: str,
    run_id: str,
) -> tuple[int, Counter[str]]:
    """Extract one batch of stored captures and write its articles and rejects to the lake."""
    captures = lake.read_captures(lake_dir, capture_ids)
    articles, rejects = extract_batch(captures, options, workers)
    for article in articles:
        article["_run_id"] = run_id
    # Rejects first: a run killed between the two writes redoes only the articles.
    lake.write_rows(lake_dir, "rejects", (r.to_row(run_id) for r in rejects), part)
    lake.write_rows(lake_dir, "articles", articles, part)
    return len(articles), Counter(r.reason for r in rejects)
