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
from typing import Any, NamedTuple

import pyarrow as pa
from pebble import ProcessExpired, ProcessPool

from transforms import lake
from transforms.enrich.entities.mentions import split_text
from transforms.enrich.entities.model import DEFAULT_NER_MODELS
from transforms.enrich.entities.resolve import resolve_entities
from transforms.enrich.entities.worker import (
    ArticleMentions,
    ModelTable,
    mentions_chunk,
    model_table,
    start_worker,
)
from transforms.progress import ProgressListener, progress
from transforms.schemas import REJECT_SCHEMA, Reject, utc_now
from transforms.workers import (
    FORKSERVER_PRELOAD,
    can_start_processes,
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


def _start_ner_worker(models: ModelTable) -> None:
    """Initialise a NER worker: Ctrl-C is the parent's to handle, then load the model."""
    ignore_interrupts()
    start_worker(models)


def _ner_pool(workers: int, models: ModelTable, max_tasks: int) -> ProcessPool:
    """Return this process's pool of NER workers (batch tasks in several threads share it)."""
    with _POOL_LOCK:
        return _new_ner_pool(workers, models, max_tasks)


@functools.cache
def _new_ner_pool(workers: int, models: ModelTable, max_tasks: int) -> ProcessPool:
    """Start a pool of NER workers, each loading the model once and replaced after max_tasks."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    pool = ProcessPool(
        max_workers=workers,
        max_tasks=max_tasks,
        initializer=_start_ner_worker,
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


class NerFailure(NamedTuple):
    """An article NER could not finish: its worker ran over the time limit or died."""

    capture_id: str
    article_id: str
    reason: str
    detail: str


NerResult = ArticleMentions | NerFailure


def find_batch_mentions(
    articles: list[dict[str, Any]],
    models: Mapping[str, str] | ModelTable,
    workers: int,
    *,
    max_tasks_per_worker: int = DEFAULT_MAX_TASKS_PER_WORKER,
    timeout: float | None = None,
) -> list[NerResult]:
    """Return each article's mentions (NER in `workers` processes), in the articles' order.

    Each article is read by the model of its language (transforms.enrich.entities.language);
    articles confidently in a language without a model are skipped: no mentions, and their
    language in `skipped_language`. Workers are replaced after
    `max_tasks_per_worker` chunks (0: never). With a `timeout` (seconds per article), NER always
    runs in worker processes: a chunk gets its articles' time together, and a chunk over it (or
    whose worker died) is redone one article per task, each over its own limit a NerFailure.
    """
    table = model_table(models)
    listener = progress()
    bounded = timeout is not None and can_start_processes()
    results: list[NerResult]
    if not bounded and (workers <= 1 or len(articles) < 8):
        results = []
        for start in range(0, len(articles), IN_PROCESS_CHUNK):
            check_stop()
            chunk = articles[start : start + IN_PROCESS_CHUNK]
            results += mentions_chunk(chunk, table)
            listener.advance("ner", len(chunk))
    else:
        size = max(1, len(articles) // (max(1, workers) * 4))
        chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
        try:
            pool = _ner_pool(max(1, workers), table, max_tasks_per_worker)
            futures = []
            for chunk in chunks:
                future = pool.schedule(
                    mentions_chunk,
                    args=(chunk, table),
                    timeout=timeout * len(chunk) if timeout else None,
                )
                # A chunk redone (over time, or its worker died) is counted once, here.
                future.add_done_callback(functools.partial(_report_chunk, listener, len(chunk)))
                futures.append(future)
            with tracking_in_flight(futures):
                results = [
                    result
                    for future, chunk in zip(futures, chunks, strict=True)
                    for result in _chunk_result(pool, future, chunk, table, timeout)
                ]
        except (BrokenProcessPool, RuntimeError):
            logger.warning("the NER worker pool broke; finding this batch's mentions in-process")
            _new_ner_pool.cache_clear()
            results = list(mentions_chunk(articles, table))
    check_stop()
    skipped = Counter(
        r.skipped_language for r in results if isinstance(r, ArticleMentions) and r.skipped_language
    )
    if skipped:
        logger.info(
            "NER skipped %d of %d articles in languages without a model (%s): %s",
            sum(skipped.values()), len(results), ", ".join(lang for lang, _ in table),
            dict(skipped.most_common()),
        )  # fmt: skip
    return results


def _report_chunk(listener: ProgressListener, count: int, _future: Any) -> None:
    """Tell the listener a chunk of articles finished (in the pool's thread: kept cheap)."""
    listener.advance("ner", count)


def _chunk_result(
    pool: ProcessPool,
    future: Any,
    chunk: list[dict[str, Any]],
    table: ModelTable,
    timeout: float | None,
) -> list[NerResult]:
    """Return a chunk's results; a chunk over its time or whose worker died is redone."""
    try:
        return list(future.result())
    except (TimeoutError, ProcessExpired) as error:
        what = "ran over its time" if isinstance(error, TimeoutError) else f"died ({error})"
        if timeout is None:
            logger.warning("a NER worker %s; redoing its %d articles in-process", what, len(chunk))
            return list(mentions_chunk(chunk, table))
        logger.warning("a NER worker %s; redoing its %d articles one by one", what, len(chunk))
    # One task per article: the one at fault is cut off alone, the others are found again.
    singles = [
        pool.schedule(mentions_chunk, args=([article], table), timeout=timeout) for article in chunk
    ]
    results: list[NerResult] = []
    for single, article in zip(singles, chunk, strict=True):
        try:
            results.extend(single.result())
        except TimeoutError:
            detail = f"NER ran over {timeout:g} s; its worker was replaced"
            results.append(_failure(article, "timeout", detail))
        except ProcessExpired as error:
            results.append(_failure(article, "worker_died", f"the NER worker died: {error}"))
    return results


def _failure(article: dict[str, Any], reason: str, detail: str) -> NerFailure:
    """Return the failure of one article, logged."""
    logger.warning("NER %s on %s", reason, article.get("locator") or article["capture_id"])
    return NerFailure(article["capture_id"], article["article_id"], reason, detail)


def bound_text(text: str, max_chars: int) -> str:
    """Return the text, or its start of at most max_chars, cut at a paragraph or sentence end."""
    return text if len(text) <= max_chars else split_text(text, max_chars)[0][1]


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
    timeout: float | None = None,
    max_chars: int | None = None,
) -> tuple[int, int]:
    """Find mentions for one batch and write them, then the batch's done-markers; return counts.

    Every marker records the language the gate decided, its confidence and the model that ran;
    articles NER skipped have no model and their language in skipped_language. NER reads at most
    `max_chars` of a body (a reject ner_truncated says so) and `timeout` seconds per article
    (a reject timeout, and no marker: a later run tries again).
    """
    articles = lake.read_article_texts(lake_dir, capture_ids, extractor_version)
    rejects: list[Reject] = []
    if max_chars is not None:
        for article in articles:
            body = article["body_text"] or ""
            kept = bound_text(body, max_chars)
            if len(kept) < len(body):
                article["body_text"] = kept
                detail = f"entities found in the first {len(kept)} of {len(body)} characters"
                rejects.append(_reject(article, "ner_truncated", detail, ner_version))
    results = find_batch_mentions(
        articles,
        models,
        workers,
        max_tasks_per_worker=max_tasks_per_worker,
        timeout=timeout,
    )
    by_capture = {article["capture_id"]: article for article in articles}
    failures = [r for r in results if isinstance(r, NerFailure)]
    rejects += [
        _reject(by_capture[f.capture_id], f.reason, f.detail, ner_version) for f in failures
    ]
    done = [r for r in results if isinstance(r, ArticleMentions)]
    extra = {"ner_version": ner_version, "_run_id": run_id}
    mentions = [
        {**mention, "capture_id": result.capture_id, **extra}
        for result in done
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
        for result in done
    ]
    # Mentions before markers: a run killed between them redoes the batch (staging keeps the
    # latest run's mentions per capture, so nothing counts twice). Rejects first of all.
    lake.write_rows(lake_dir, "rejects", [r.to_row(run_id) for r in rejects], part)
    lake.write_rows(lake_dir, "mentions", mentions, part)
    lake.write_rows(lake_dir, "enrichments", markers, part)
    return len(markers), len(mentions)


def _reject(article: dict[str, Any], reason: str, detail: str, ner_version: str) -> Reject:
    """Return an enrich-stage reject of an article (the NER stage version in extractor_version)."""
    return Reject(
        stage="enrich",
        locator=article["locator"],
        reason=reason,
        detail=detail,
        capture_id=article["capture_id"],
        extractor_version=ner_version,
    )


def resolve_to_lake(
    lake_dir: Path,
    extractor_version: str,
    ner_version: str,
    overrides_path: Path | None,
    run_id: str,
) -> tuple[int, int]:
    """Resolve all current mention names into entities; replace the derived tables."""
    names: pa.Table = lake.read_mention_names(lake_dir, extractor_version, ner_version)
    rejects: list[dict[str, Any]] = []
    try:
        entity_map, entities = resolve_entities(names, overrides_path)
    except (ValueError, OSError) as error:
        # A broken overrides file is quarantined, like sources.toml; entities resolve without it.
        logger.warning("entity overrides ignored: %s", error)
        reject = Reject("model", str(overrides_path), "invalid_config", str(error))
        rejects.append(reject.to_row(run_id))
        entity_map, entities = resolve_entities(names, None)
    # Rewritten every build: the reject lasts as long as the file is broken.
    lake.write_derived(lake_dir, "config_rejects", pa.Table.from_pylist(rejects, REJECT_SCHEMA))
    lake.write_derived(lake_dir, "entity_map", entity_map)
    lake.write_derived(lake_dir, "entities", entities)
    logger.info("resolved %d names into %d entities", entity_map.num_rows, entities.num_rows)
    return entity_map.num_rows, entities.num_rows
