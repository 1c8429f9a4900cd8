"""Enrich stage: entity mentions for batches of articles, in worker processes, into the lake."""

from __future__ import annotations

import atexit
import functools
import logging
import multiprocessing
import threading
from collections import Counter
from collections.abc import Collection
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyarrow as pa
from pebble import ProcessExpired, ProcessPool

from transforms import lake
from transforms.enrich.entities.model import DEFAULT_NER_LANGUAGES
from transforms.enrich.entities.resolve import resolve_entities
from transforms.enrich.entities.worker import ArticleMentions, mentions_chunk, worker_nlp
from transforms.progress import ProgressListener, progress
from transforms.schemas import Reject, utc_now
from transforms.workers import (
    FORKSERVER_PRELOAD,
    check_stop,
    ignore_interrupts,
    tracking_in_flight,
)

logger = logging.getLogger(__name__)

# Chunks a NER worker handles before it is replaced (Settings.ner_max_tasks_per_worker): spaCy's
# string store grows with every new word and is never freed; a fresh worker costs one model load
# (the place index comes built, shared, from the fork server: transforms.enrich.entities.preload).
DEFAULT_MAX_TASKS_PER_WORKER = 200
# Articles per progress report when NER runs in this process (no pool).
IN_PROCESS_CHUNK = 16
_POOL_LOCK = threading.Lock()
_POOLS: list[ProcessPool] = []


def _start_ner_worker(model_name: str) -> None:
    """Initialise a NER worker: Ctrl-C is the parent's to handle, then load the model."""
    ignore_interrupts()
    worker_nlp(model_name)


def _ner_pool(workers: int, model_name: str, max_tasks: int) -> ProcessPool:
    """Return this process's pool of NER workers (batch tasks in several threads share it)."""
    with _POOL_LOCK:
        return _new_ner_pool(workers, model_name, max_tasks)


@functools.cache
def _new_ner_pool(workers: int, model_name: str, max_tasks: int) -> ProcessPool:
    """Start a pool of NER workers, each loading the model once and replaced after max_tasks."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    pool = ProcessPool(
        max_workers=workers,
        max_tasks=max_tasks,
        initializer=_start_ner_worker,
        initargs=(model_name,),
        context=context,
    )
    atexit.register(pool.stop)
    _POOLS.append(pool)
    return pool


def stop_ner_workers() -> None:
    """Stop this process's NER workers (started again on next use), freeing their memory."""
    with _POOL_LOCK:
        for pool in _POOLS:
            pool.stop()
            pool.join()
        _POOLS.clear()
        _new_ner_pool.cache_clear()


def find_batch_mentions(
    articles: list[dict[str, Any]],
    model_name: str,
    workers: int,
    *,
    languages: Collection[str] = DEFAULT_NER_LANGUAGES,
    max_tasks_per_worker: int = DEFAULT_MAX_TASKS_PER_WORKER,
) -> list[ArticleMentions]:
    """Return each article's mentions (NER in `workers` processes), in the articles' order.

    Articles whose language is not in `languages` (all run when it is empty) are skipped: no
    mentions, and their language in `skipped_language`. Workers are replaced after
    `max_tasks_per_worker` chunks (0: never).
    """
    languages = tuple(sorted(languages))
    listener = progress()
    if workers <= 1 or len(articles) < 8:
        results = []
        for start in range(0, len(articles), IN_PROCESS_CHUNK):
            check_stop()
            chunk = articles[start : start + IN_PROCESS_CHUNK]
            results += mentions_chunk(chunk, model_name, languages)
            listener.advance("ner", len(chunk))
    else:
        size = max(1, len(articles) // (workers * 4))
        chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
        try:
            pool = _ner_pool(workers, model_name, max_tasks_per_worker)
            futures = []
            for chunk in chunks:
                future = pool.schedule(mentions_chunk, args=(chunk, model_name, languages))
                # A chunk whose worker died is redone in-process: counted once, here.
                future.add_done_callback(functools.partial(_report_chunk, listener, len(chunk)))
                futures.append(future)
            with tracking_in_flight(futures):
                results = [
                    result
                    for future, chunk in zip(futures, chunks, strict=True)
                    for result in _chunk_result(future, chunk, model_name, languages)
                ]
        except (BrokenProcessPool, RuntimeError):
            logger.warning("the NER worker pool broke; finding this batch's mentions in-process")
            _new_ner_pool.cache_clear()
            results = mentions_chunk(articles, model_name, languages)
    check_stop()
    skipped = Counter(r.skipped_language for r in results if r.skipped_language)
    if skipped:
        logger.info(
            "NER skipped %d of %d articles not in %s: %s",
            sum(skipped.values()), len(results), ", ".join(languages), dict(skipped.most_common()),
        )  # fmt: skip
    return results


def _report_chunk(listener: ProgressListener, count: int, _future: Any) -> None:
    """Tell the listener a chunk of articles finished (in the pool's thread: kept cheap)."""
    listener.advance("ner", count)


def _chunk_result(
    future: Any, chunk: list[dict[str, Any]], model_name: str, languages: tuple[str, ...]
) -> list[ArticleMentions]:
    """Return a chunk's results; a chunk whose worker died is redone in this process."""
    try:
        return future.result()
    except ProcessExpired as error:
        logger.warning(
            "a NER worker died (%s); redoing its %d articles in-process", error, len(chunk)
        )
        return mentions_chunk(chunk, model_name, languages)


def enrich_to_lake(
    lake_dir: Path,
    capture_ids: list[str],
    *,
    extractor_version: str,
    ner_version: str,
    model_name: str,
    workers: int,
    part: str,
    run_id: str,
    languages: Collection[str] = DEFAULT_NER_LANGUAGES,
    max_tasks_per_worker: int = DEFAULT_MAX_TASKS_PER_WORKER,
) -> tuple[int, int]:
    """Find mentions for one batch and write them, then the batch's done-markers; return counts.

    Articles NER skips for their language get a marker with no mentions: ner_version names the
    languages NER ran on (stage_version), and the skips are logged per batch.
    """
    articles = lake.read_article_texts(lake_dir, capture_ids, extractor_version)
    results = find_batch_mentions(
        articles,
        model_name,
        workers,
        languages=languages,
        max_tasks_per_worker=max_tasks_per_worker,
    )
    extra = {"ner_version": ner_version, "_run_id": run_id}
    mentions = [
        {**mention, "capture_id": capture_id, **extra}
        for capture_id, _article_id, found, _skipped in results
        for mention in found
    ]
    now = utc_now()
    markers = [
        {
            "capture_id": capture_id,
            "article_id": article_id,
            "count_mentions": len(found),
            "enriched_at": now,
            "skipped_language": skipped,
            **extra,
        }
        for capture_id, article_id, found, skipped in results
    ]
    # Mentions before markers: a run killed between them redoes the batch (staging keeps the
    # latest run's mentions per capture, so nothing counts twice).
    lake.write_rows(lake_dir, "mentions", mentions, part)
    lake.write_rows(lake_dir, "enrichments", markers, part)
    return len(markers), len(mentions)


def resolve_to_lake(
    lake_dir: Path,
    extractor_version: str,
    ner_version: str,
    overrides_path: Path | None,
    run_id: str,
) -> tuple[int, int]:
    """Resolve all current mention names into entities; replace the derived tables."""
    names: pa.Table = lake.read_mention_names(lake_dir, extractor_version, ner_version)
    try:
        entity_map, entities = resolve_entities(names, overrides_path)
    except (ValueError, OSError) as error:
        # A broken overrides file is quarantined; entities resolve without it.
        logger.warning("entity overrides ignored: %s", error)
        reject = Reject("model", str(overrides_path), "invalid_config", str(error))
        lake.write_rows(lake_dir, "rejects", [reject.to_row(run_id)], f"{run_id}-overrides")
        entity_map, entities = resolve_entities(names, None)
    lake.write_derived(lake_dir, "entity_map", entity_map)
    lake.write_derived(lake_dir, "entities", entities)
    logger.info("resolved %d names into %d entities", entity_map.num_rows, entities.num_rows)
    return entity_map.num_rows, entities.num_rows
