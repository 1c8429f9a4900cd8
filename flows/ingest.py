"""The main flow: capture inputs, extract articles in batches, build and publish the warehouse."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NONE
from prefect.exceptions import TerminationSignal

from flows.build import build_warehouse
from flows.runners import batch_processes, batch_task_runner
from transforms import lake
from transforms.capture.sources import SourcesConfig
from transforms.capture.store import CaptureCounts, capture_inputs
from transforms.enrich.entities.model import settings_stage_version
from transforms.enrich.ner import enrich_to_lake, stop_ner_workers
from transforms.extract.article import EXTRACTOR_VERSION, ExtractOptions
from transforms.extract.publisher import PathMapping
from transforms.extract.publisher_map import load_sources_config, path_mappings
from transforms.extract.textrepeat import shared_lines_in_lake
from transforms.progress import progress, timed_stage
from transforms.schemas import safe_text, utc_now
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
    # Files in input folders newsloom does not read, by suffix.
    skipped_by_suffix: dict[str, int] = field(default_factory=dict)
    # Wall seconds by stage, in the order they ran.
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # False when the lake and models were unchanged: the published warehouse was kept.
    rebuilt: bool = True

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
        "inputs": [safe_text(arg) for arg in summary.inputs],
        "count_captured": summary.count_captured,
        "count_extracted": summary.count_extracted,
        "count_rejected": summary.count_rejected,
        "count_skipped": summary.count_unchanged,
        "detail": detail,
        "stage_seconds": summary.stage_seconds or None,
    }
    lake.write_rows(settings.lake_dir, "runs", [row], f"{summary.run_id}-{status}")


@task(name="capture_inputs", cache_policy=NONE)
def capture_all_inputs(
    inputs: list[str], settings: Settings, run_id: str, sources: SourcesConfig | None
) -> CaptureCounts:
    """Capture inputs and configured feeds; return what was captured, unchanged and rejected."""
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
        "capture: %d new, %d unchanged, %d rejected, %d files of other types skipped",
        counts.count_captured,
        counts.count_unchanged,
        counts.count_rejected,
        counts.skipped_by_suffix.total(),
    )
    return counts


@task(name="plan_extract_batches", cache_policy=NONE)
def plan_extract_batches(
    settings: Settings, mappings: tuple[PathMapping, ...]
) -> tuple[list[list[str]], dict[str, frozenset[int]]]:
    """Return the pending capture ids in batches, and the text dumps' lines shared by their source.

    Pending: no article at this extractor version (documents that timed out are retried up to
    max_document_attempts). The shared lines are found here, once, over every text capture of
    each source in the lake (capture is done by now), so batch boundaries cannot change a body.
    """
    pending = lake.pending_extract_ids(
        settings.lake_dir, EXTRACTOR_VERSION, settings.max_document_attempts
    )
    shared = shared_lines_in_lake(settings.lake_dir, pending, mappings)
    size = settings.batch_size
    return [pending[start : start + size] for start in range(0, len(pending), size)], shared


@task(name="extract_articles_batch", cache_policy=NONE)
def extract_articles_batch(
    capture_ids: list[str],
    settings: Settings,
    run_id: str,
    number: int,
    mappings: tuple[PathMapping, ...],
    shared_lines: dict[str, frozenset[int]],
) -> tuple[int, dict[str, int]]:
    """Extract one batch of captures in worker processes; return (articles, rejects by reason)."""
    options = ExtractOptions(
        min_article_words=settings.min_article_words,
        path_mappings=mappings,
        non_articles=settings.non_articles,
        min_date_confidence=settings.min_date_confidence,
    )
    count, rejects = extract_to_lake(
        settings.lake_dir,
        capture_ids,
        options,
        batch_processes(settings),
        f"{run_id}-x{number:05d}",
        run_id,
        timeout=settings.document_timeout_seconds,
        shared_lines=shared_lines,
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
    batches, shared = plan_extract_batches(settings, mappings)
    get_run_logger().info(
        "extract: %d pending batches of up to %d on the %s runner",
        len(batches),
        settings.batch_size,
        settings.task_runner,
    )
    listener = progress()
    listener.add_total("extract", sum(len(batch) for batch in batches))
    futures = extract_articles_batch.map(
        batches,
        unmapped(settings),
        unmapped(run_id),
        range(len(batches)),
        unmapped(mappings),
        [{i: shared[i] for i in batch if i in shared} for batch in batches],
    )
    count, rejects, done = 0, Counter[str](), 0
    for future, batch in zip(futures, batches, strict=True):
        batch_count, batch_rejects = future.result()
        count += batch_count
        rejects.update(batch_rejects)
        # Batch-level progress too: batch tasks on a cluster cannot report from inside.
        done += len(batch)
        listener.reach("extract", done)
    # The pool is kept across batches, not across stages: the NER stage needs the memory.
    stop_workers()
    return count, dict(rejects)


@task(name="plan_enrich_batches", cache_policy=NONE)
def plan_enrich_batches(settings: Settings) -> list[list[str]]:
    """Return capture ids of current articles without mentions at this NER version, in batches."""
    pending = lake.pending_enrich_ids(
        settings.lake_dir,
        EXTRACTOR_VERSION,
        settings_stage_version(settings),
        settings.max_document_attempts,
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
        ner_version=settings_stage_version(settings),
        models=settings.ner_models,
        workers=settings.ner_workers or batch_processes(settings),
        part=f"{run_id}-e{number:05d}",
        run_id=run_id,
        max_tasks_per_worker=settings.ner_max_tasks_per_worker,
        timeout=settings.ner_timeout_seconds,
        max_chars=settings.ner_max_chars,
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
    listener = progress()
    listener.add_total("ner", sum(len(batch) for batch in batches))
    futures = enrich_articles_batch.map(
        batches, unmapped(settings), unmapped(run_id), range(len(batches))
    )
    mentions, done = 0, 0
    for future, batch in zip(futures, batches, strict=True):
        mentions += future.result()
        done += len(batch)
        listener.reach("ner", done)
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
    timings = summary.stage_seconds
    try:
        with timed_stage("capture", timings):
            captured = capture_all_inputs(
                summary.inputs, settings, summary.run_id, config if poll_sources else None
            )
        summary.count_captured, summary.count_unchanged = (
            captured.count_captured,
            captured.count_unchanged,
        )
        summary.skipped_by_suffix = dict(captured.skipped_by_suffix)
        rejects.update(captured.rejects_by_reason)
        extract_stage = extract_articles.with_options(task_runner=batch_task_runner(settings))
        with timed_stage("extract", timings):
            summary.count_extracted, extract_rejects = extract_stage(
                settings, summary.run_id, path_mappings(config)
            )
        rejects.update(extract_rejects)
        enrich_stage = enrich_articles.with_options(task_runner=batch_task_runner(settings))
        with timed_stage("ner", timings):
            summary.count_mentions = enrich_stage(settings, summary.run_id)
        summary.rejects_by_reason = dict(rejects)
        compact_lake_parts(settings)
        # An unchanged lake (nothing new captured, extracted or rejected) is not rebuilt.
        built = build_warehouse(settings, summary.run_id, force=False)
        summary.counts_published, summary.rebuilt = built.counts, built.rebuilt
        timings.update(built.stage_seconds)
    except BaseException as error:
        summary.rejects_by_reason = dict(rejects)
        # Ctrl-C, or SIGTERM (Prefect's TerminationSignal during a flow): a stop, not a failure.
        stopped = isinstance(error, KeyboardInterrupt | TerminationSignal)
        status = "cancelled" if stopped else "failed"
        record_run(settings, summary, status, started_at, f"{type(error).__name__}: {error}")
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
