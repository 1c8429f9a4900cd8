"""The main flow: capture inputs, extract articles in batches, build and publish the warehouse."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NONE

from flows.build import build_warehouse
from flows.runners import batch_processes, batch_task_runner
from transforms import lake
from transforms.capture.sources import SourcesConfig
from transforms.capture.store import capture_inputs
from transforms.enrich.entities.model import stage_version
from transforms.enrich.ner import enrich_to_lake, stop_ner_workers
from transforms.extract.article import EXTRACTOR_VERSION, ExtractOptions
from transforms.extract.publisher import PathMapping
from transforms.extract.publisher_map import load_sources_config, path_mappings
from transforms.schemas import utc_now
from transforms.settings import SAMPLE_DIR, Settings
from transforms.warehouse.publish import warehouse_lock
from transforms.workers import extract_to_lake, stop_fork_server, stop_workers


@dataclass
class RunSummary:
    """What a run did: small, printable, returned by the flow."""

    run_id: str
    inputs: list[str]
    count_captured: int = 0
    count_unchanged: int = 0
    count_extracted: int = 0
    count_mentions: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    counts_published: dict[str, int] = field(default_factory=dict)

    @property
    def count_rejected(self) -> int:
        """Return the number of inputs rejected in this run."""
        return sum(self.rejects_by_reason.values())


def new_run_id() -> str:
    """Return a run id that sorts by start time."""
    return f"{utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def record_run(
    settings: Settings,
    summary: RunSummary,
    status: str,
    started_at: datetime,
    detail: str | None = None,
) -> None:
    """Write the run's record to the lake (one row per status change)."""
    row = {
        "run_id": summary.run_id,
        "run_status": status,
        "started_at": started_at,
        "ended_at": None if status == "running" else utc_now(),
        "inputs": summary.inputs,
        "count_captured": summary.count_captured,
        "count_extracted": summary.count_extracted,
        "count_rejected": summary.count_rejected,
        "count_skipped": summary.count_unchanged,
        "detail": detail,
    }
    lake.write_rows(settings.lake_dir, "runs", [row], f"{summary.run_id}-{status}")


@task(name="capture_inputs", cache_policy=NONE)
def capture_all_inputs(
    inputs: list[str], settings: Settings, run_id: str, sources: SourcesConfig | None
) -> tuple[int, int, dict[str, int]]:
    """Capture inputs and configured feeds; return (new, unchanged, rejects by reason)."""
    counts = capture_inputs(
        inputs,
        settings.lake_dir,
        settings.state_dir,
        run_id,
        batch_size=settings.batch_size,
        max_bytes=settings.max_document_bytes,
        fetch=settings.fetch,
        sources=sources,
    )
    get_run_logger().info(
        "capture: %d new, %d unchanged, %d rejected",
        counts.count_captured,
        counts.count_unchanged,
        counts.count_rejected,
    )
    return counts.count_captured, counts.count_unchanged, dict(counts.rejects_by_reason)


@task(name="plan_extract_batches", cache_policy=NONE)
def plan_extract_batches(settings: Settings) -> list[list[str]]:
    """Return the pending capture ids (no article at this extractor version) in batches."""
    pending = lake.pending_extract_ids(settings.lake_dir, EXTRACTOR_VERSION)
    size = settings.batch_size
    return [pending[start : start + size] for start in range(0, len(pending), size)]


@task(name="extract_articles_batch", cache_policy=NONE)
def extract_articles_batch(
    capture_ids: list[str],
    settings: Settings,
    run_id: str,
    number: int,
    mappings: tuple[PathMapping, ...],
) -> tuple[int, dict[str, int]]:
    """Extract one batch of captures in worker processes; return (articles, rejects by reason)."""
    options = ExtractOptions(
        min_article_words=settings.min_article_words,
        path_mappings=mappings,
    )
    count, rejects = extract_to_lake(
        settings.lake_dir,
        capture_ids,
        options,
        batch_processes(settings),
        f"{run_id}-x{number:05d}",
        run_id,
        timeout=settings.document_timeout_seconds,
    )
    get_run_logger().info(
        "extract batch %d: %d articles, %d rejected", number + 1, count, sum(rejects.values())
    )
    return count, dict(rejects)


@flow(name="extract_articles")
def extract_articles(
    settings: Settings, run_id: str, mappings: tuple[PathMapping, ...]
) -> tuple[int, dict[str, int]]:
    """Extract every pending capture, the batch tasks submitted to the configured task runner."""
    batches = plan_extract_batches(settings)
    get_run_logger().info(
        "extract: %d pending batches of up to %d on the %s runner",
        len(batches),
        settings.batch_size,
        settings.task_runner,
    )
    futures = extract_articles_batch.map(
        batches, unmapped(settings), unmapped(run_id), range(len(batches)), unmapped(mappings)
    )
    count, rejects = 0, Counter[str]()
    for future in futures:
        batch_count, batch_rejects = future.result()
        count += batch_count
        rejects.update(batch_rejects)
    # The pool is kept across batches, not across stages: the NER stage needs the memory.
    stop_workers()
    return count, dict(rejects)


@task(name="plan_enrich_batches", cache_policy=NONE)
def plan_enrich_batches(settings: Settings) -> list[list[str]]:
    """Return capture ids of current articles without mentions at this NER version, in batches."""
    pending = lake.pending_enrich_ids(
        settings.lake_dir,
        EXTRACTOR_VERSION,
        stage_version(settings.ner_models),
    )
    size = settings.batch_size
    return [pending[start : start + size] for start in range(0, len(pending), size)]


@task(name="enrich_articles_batch", cache_policy=NONE)
def enrich_articles_batch(
    capture_ids: list[str], settings: Settings, run_id: str, number: int
) -> int:
    """Find entity mentions for one batch of articles in worker processes; return mentions."""
    articles, mentions = enrich_to_lake(
        settings.lake_dir,
        capture_ids,
        extractor_version=EXTRACTOR_VERSION,
        ner_version=stage_version(settings.ner_models),
        models=settings.ner_models,
        workers=settings.ner_workers or batch_processes(settings),
        part=f"{run_id}-e{number:05d}",
        run_id=run_id,
        max_tasks_per_worker=settings.ner_max_tasks_per_worker,
    )
    get_run_logger().info(
        "enrich batch %d: %d articles, %d mentions", number + 1, articles, mentions
    )
    return mentions


@flow(name="enrich_articles")
def enrich_articles(settings: Settings, run_id: str) -> int:
    """Find mentions for every pending article, the batch tasks on the configured task runner."""
    batches = plan_enrich_batches(settings)
    get_run_logger().info(
        "enrich: %d pending batches on the %s runner", len(batches), settings.task_runner
    )
    futures = enrich_articles_batch.map(
        batches, unmapped(settings), unmapped(run_id), range(len(batches))
    )
    mentions = sum(future.result() for future in futures)
    # The NER workers and their fork server hold the model and the place index: free them
    # before the SQL build needs the memory.
    stop_ner_workers()
    stop_fork_server()
    return mentions


@task(name="compact_lake", cache_policy=NONE)
def compact_lake_parts(settings: Settings) -> int:
    """Merge small lake part files (many small runs leave many); return files merged."""
    merged = lake.compact_lake(settings.lake_dir)
    if merged:
        get_run_logger().info(
            "compacted: %s", ", ".join(f"{t} {a}->{b}" for t, (a, b) in merged.items())
        )
    return sum(files_in for files_in, _ in merged.values())


def default_inputs() -> list[str]:
    """Return the bundled sample corpus."""
    return [str(SAMPLE_DIR / "seeds"), str(SAMPLE_DIR / "pages")]


@flow(name="ingest_articles")
def ingest_articles(
    inputs: list[str] | None = None, settings: Settings | None = None
) -> RunSummary:
    """Capture inputs, extract articles, then build, test and publish the warehouse."""
    settings = (settings or Settings()).resolved()
    # One run at a time per warehouse, whoever starts it (CLI, schedule, deployment).
    with warehouse_lock(settings.warehouse_dir):
        return _ingest(inputs, settings)


def _ingest(inputs: list[str] | None, settings: Settings) -> RunSummary:
    """Run the stages of ingest_articles under the warehouse lock."""
    logger = get_run_logger()
    # No inputs: poll the configured sources, or (with none) run on the bundled sample.
    poll_sources = not inputs and settings.sources_path is not None
    chosen = list(inputs or ([] if poll_sources else default_inputs()))
    summary = RunSummary(run_id=new_run_id(), inputs=chosen)
    started_at = utc_now()
    lake.ensure_lake(settings.lake_dir)
    record_run(settings, summary, "running", started_at)
    rejects: Counter[str] = Counter()
    config, config_reject = load_sources_config(settings.sources_path)
    if config_reject is not None:
        # A broken config is quarantined like any bad input; the run goes on without it.
        logger.warning("sources config ignored: %s", config_reject.detail)
        lake.write_rows(
            settings.lake_dir, "rejects", [config_reject.to_row(summary.run_id)], summary.run_id
        )
        rejects[config_reject.reason] += 1
    try:
        captured, unchanged, capture_rejects = capture_all_inputs(
            summary.inputs, settings, summary.run_id, config if poll_sources else None
        )
        summary.count_captured, summary.count_unchanged = captured, unchanged
        rejects.update(capture_rejects)
        extract_stage = extract_articles.with_options(task_runner=batch_task_runner(settings))
        summary.count_extracted, extract_rejects = extract_stage(
            settings, summary.run_id, path_mappings(config)
        )
        rejects.update(extract_rejects)
        enrich_stage = enrich_articles.with_options(task_runner=batch_task_runner(settings))
        summary.count_mentions = enrich_stage(settings, summary.run_id)
        summary.rejects_by_reason = dict(rejects)
        compact_lake_parts(settings)
        # An unchanged lake (nothing new captured, extracted or rejected) is not rebuilt.
        summary.counts_published = build_warehouse(settings, summary.run_id, force=False)
    except BaseException as error:
        summary.rejects_by_reason = dict(rejects)
        record_run(settings, summary, "failed", started_at, f"{type(error).__name__}: {error}")
        raise
    record_run(settings, summary, "completed", started_at)
    logger.info(
        "run %s: %d captured, %d extracted, %d rejected",
        summary.run_id,
        summary.count_captured,
        summary.count_extracted,
        summary.count_rejected,
    )
    return summary
