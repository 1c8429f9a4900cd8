"""Enrich stage: entity mentions for batches of articles, in worker processes, into the lake."""

from __future__ import annotations

import atexit
import functools
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyarrow as pa

from transforms import lake
from transforms.entities.mentions import find_mentions_batch
from transforms.entities.model import load_ner
from transforms.entities.resolve import resolve_entities
from transforms.schemas import Reject, utc_now

logger = logging.getLogger(__name__)

_PRELOAD = ["transforms.enrich"]


@functools.cache
def _worker_nlp(model_name: str) -> Any:
    """Return this process's NER pipeline, loaded once."""
    return load_ner(model_name)


def _mentions_chunk(
    articles: list[dict[str, Any]], model_name: str
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Return (capture_id, article_id, mentions) for a chunk of articles, inside one worker."""
    nlp = _worker_nlp(model_name)
    # Keyed by capture: two versions of one article in a batch each keep their own mentions.
    docs = [(a["capture_id"], a["title"], a["body_text"]) for a in articles]
    rows = find_mentions_batch(nlp, docs)
    by_capture: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_capture.setdefault(row["article_id"], []).append(row)
    return [
        (
            a["capture_id"],
            a["article_id"],
            [{**row, "article_id": a["article_id"]} for row in by_capture.get(a["capture_id"], [])],
        )
        for a in articles
    ]


@functools.cache
def _ner_pool(workers: int, model_name: str) -> ProcessPoolExecutor:
    """Return this process's pool of NER workers, each loading the model once."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_worker_nlp, initargs=(model_name,)
    )
    atexit.register(pool.shutdown, cancel_futures=True)
    return pool


def find_batch_mentions(
    articles: list[dict[str, Any]], model_name: str, workers: int
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Return (capture_id, article_id, mentions) per article, using `workers` processes."""
    if workers <= 1 or len(articles) < 8:
        return _mentions_chunk(articles, model_name)
    size = max(1, len(articles) // (workers * 4))
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)]
    try:
        mapped = _ner_pool(workers, model_name).map(
            _mentions_chunk, chunks, [model_name] * len(chunks)
        )
        return [result for chunk in mapped for result in chunk]
    except BrokenProcessPool:
        logger.warning("a NER worker died; finding this batch's mentions in-process")
        _ner_pool.cache_clear()
        return _mentions_chunk(articles, model_name)


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
) -> tuple[int, int]:
    """Find mentions for one batch and write them, then the batch's done-markers; return counts."""
    articles = lake.read_article_texts(lake_dir, capture_ids, extractor_version)
    results = find_batch_mentions(articles, model_name, workers)
    extra = {"ner_version": ner_version, "_run_id": run_id}
    mentions = [
        {**mention, "capture_id": capture_id, **extra}
        for capture_id, _article_id, found in results
        for mention in found
    ]
    now = utc_now()
    markers = [
        {
            "capture_id": capture_id,
            "article_id": article_id,
            "count_mentions": len(found),
            "enriched_at": now,
            **extra,
        }
        for capture_id, article_id, found in results
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
