"""Enrich stage: entity mentions for batches of articles, in worker processes, into the lake."""

from __future__ import annotations

import atexit
import functools
import logging
import multiprocessing
import threading
from collections import Counter
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyarrow as pa
from pebble import ProcessExpired, ProcessPool

from transforms import lake
from transforms.enrich.entities.model import DEFAULT_NER_MODELS
from transforms.enrich.entities.resolve import resolve_entities
from transforms.enrich.entities.worker import (
    ArticleMentions,
    ModelTable,
    load_worker_models,
    mentions_chunk,
    model_table,
)
from transforms.schemas import Reject, utc_now
from transforms.workers import FORKSERVER_PRELOAD

logger = logging.getLogger(__name__)

# Chunks a NER worker handles before it is replaced (Settings.ner_max_tasks_per_worker): spaCy's
# string store grows with every new word and is never freed; a fresh worker costs one model load
# (the place index comes built, shared, from the fork server: transforms.enrich.entities.preload).
DEFAULT_MAX_TASKS_PER_WORKER = 200
_POOL_LOCK = threading.Lock()
_POOLS: list[ProcessPool] = []


def _ner_pool(workers: int, models: ModelTable, max_tasks: int) -> ProcessPool:
    """Return this process's pool of NER workers (batch tasks in several threads share it)."""
    with _POOL_LOCK:
        return _new_ner_pool(workers, models, max_tasks)


@functools.cache
def _new_ner_pool(workers: int, models: ModelTable, max_tasks: int) -> ProcessPool:
    """Start a pool of NER workers, each loading a model once and replaced after max_tasks."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    pool = ProcessPool(
        max_workers=workers,
        max_tasks=max_tasks,
        initializer=load_worker_models,
        initargs=(models,),
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
    models: Mapping[str, str] | ModelTable,
    workers: int,
    *,
    max_tasks_per_worker: int = DEFAULT_MAX_TASKS_PER_WORKER,
) -> list[ArticleMentions]:
    """Return each article's mentions (NER in `workers` processes), in the articles' order.

    Each article is read by the model of its language (transforms.enrich.entities.language);
    articles confidently in a language without a model are skipped: no mentions, and their
    language in `skipped_language`. Workers are replaced after `max_tasks_per_worker` chunks
    (0: never).
    """
    table = model_table(models)
    if workers <= 1 or len(articles) < 8:
        results = mentions_chunk(articles, table)
    else:
        size = max(1, len(articles) // (workers * 4))
        chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
        try:
            pool = _ner_pool(workers, table, max_tasks_per_worker)
            futures = [pool.schedule(mentions_chunk, args=(chunk, table)) for chunk in chunks]
            results = [
                result
                for future, chunk in zip(futures, chunks, strict=True)
                for result in _chunk_result(future, chunk, table)
            ]
        except (BrokenProcessPool, RuntimeError):
            logger.warning("the NER worker pool broke; finding this batch's mentions in-process")
            _new_ner_pool.cache_clear()
            results = mentions_chunk(articles, table)
    skipped = Counter(r.skipped_language for r in results if r.skipped_language)
    if skipped:
        logger.info(
            "NER skipped %d of %d articles in languages without a model (%s): %s",
            sum(skipped.values()), len(results), ", ".join(lang for lang, _ in table),
            dict(skipped.most_common()),
        )  # fmt: skip
    return results


def _chunk_result(
    future: Any, chunk: list[dict[str, Any]], table: ModelTable
) -> list[ArticleMentions]:
    """Return a chunk's results; a chunk whose worker died is redone in this process."""
    try:
        return future.result()
    except ProcessExpired as error:
        logger.warning(
            "a NER worker died (%s); redoing its %d articles in-process", error, len(chunk)
        )
        return mentions_chunk(chunk, table)


def enrich_to_lake(
    lake_dir: Path,
    capture_ids: list[str],
    *,
    extractor_version: str,
    ner_version: str,
    models: Mapping[str, str] = DEFAULT_NER_MODELS,
    workers: int,
    part: str,
    run_id: str,
    max_tasks_per_worker: int = DEFAULT_MAX_TASKS_PER_WORKER,
) -> tuple[int, int]:
    """Find mentions for one batch and write them, then the batch's done-markers; return counts.

    Every marker records the language the gate decided, its confidence and the model that ran;
    articles NER skipped have no model and their language in skipped_language.
    """
    articles = lake.read_article_texts(lake_dir, capture_ids, extractor_version)
    results = find_batch_mentions(
        articles, models, workers, max_tasks_per_worker=max_tasks_per_worker
    )
    extra = {"ner_version": ner_version, "_run_id": run_id}
    mentions = [
        {**mention, "capture_id": result.capture_id, **extra}
        for result in results
        for mention in result.mentions
    ]
    now = utc_now()
    markers = [
        {
            "capture_id": result.capture_id,
            "article_id": result.article_id,
            "count_mentions": len(result.mentions),
            "enriched_at": now,
            "skipped_language": result.skipped_language,
            "ner_language": result.language,
            "language_confidence": result.confidence,
            "ner_model": result.model,
            **extra,
        }
        for result in results
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
