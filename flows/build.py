"""Build flow: run and test the SQL models aside, then publish atomically."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from transforms import lake
from transforms.enrich.entities.model import settings_stage_version
from transforms.enrich.ner import resolve_to_lake
from transforms.extract.article import EXTRACTOR_VERSION
from transforms.progress import timed_stage
from transforms.schemas import LAKE_TABLES, utc_now
from transforms.settings import Settings
from transforms.warehouse.models import run_models
from transforms.warehouse.publish import (
    clear_build_stamp,
    publish_warehouse,
    read_build_stamp,
    write_build_stamp,
)


def dbt_state_dir(settings: Settings) -> Path:
    """Return where dbt keeps its parsed project for this warehouse and SQL folder."""
    # Kept between builds so dbt re-parses only what changed (partial parsing); one per SQL
    # folder, so a build from other models never reuses this folder's parse.
    key = hashlib.sha256(str(settings.sql_dir.resolve()).encode()).hexdigest()[:12]
    return settings.warehouse_dir / ".dbt" / key


@task(name="run_sql_models", cache_policy=NONE)
def run_sql_models(settings: Settings, build_dir: Path, incremental: bool) -> Path:
    """Build and test every model into build_dir: from nothing, or into a copy of the last."""
    # The same path every build: dbt's partial parse is discarded when the database path changes.
    build_db = build_dir / "newsloom.duckdb"
    logger = get_run_logger()
    if incremental:
        logger.info("models: incremental build from the last published warehouse")
    results = run_models(
        settings.sql_dir,
        build_db,
        settings.lake_dir,
        dbt_state_dir(settings),
        settings.dbt_threads,
        settings_stage_version(settings),
        settings.duckdb_memory_limit,
        full_refresh=not incremental,
        show_logs=settings.show_dbt_logs,
        # Unchanged rows are kept from the last publish: the models update a copy of it.
        copy_from=settings.database_path if incremental else None,
    )
    logger.info("models: %d nodes built and tested", len(results))
    return build_db


@task(name="resolve_entities", cache_policy=NONE)
def resolve_entity_table(settings: Settings, release_id: str) -> int:
    """Resolve every current mention name into entities (overrides applied); return entities."""
    names, entities = resolve_to_lake(
        settings.lake_dir,
        EXTRACTOR_VERSION,
        settings_stage_version(settings),
        settings.entity_overrides_path,
        release_id,
    )
    get_run_logger().info("entities: %d names resolved into %d entities", names, entities)
    return entities


@task(name="publish_marts", cache_policy=NONE)
def publish_marts(settings: Settings, build_db: Path, release_id: str) -> dict[str, int]:
    """Publish marts as Parquet and swap in the new DuckDB file."""
    counts = publish_warehouse(
        build_db,
        settings.warehouse_dir,
        release_id,
        settings.lake_dir,
        settings.duckdb_memory_limit,
    )
    get_run_logger().info("published: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


# The runs table is bookkeeping no model reads: a run that changed nothing else adds a row to it.
BUILD_TABLES = tuple(table for table in LAKE_TABLES if table != "runs")
SQL_SKIP = {"target", "logs", "dbt_packages", ".user.yml"}


def models_digest(settings: Settings) -> str:
    """Return a digest of how a build turns the lake into marts: SQL, vars, overrides, versions.

    A build may start from the last published warehouse only if this is unchanged.
    """
    digest = hashlib.sha256()
    for path in sorted(settings.sql_dir.rglob("*")):
        relative = path.relative_to(settings.sql_dir)
        if path.is_file() and not SQL_SKIP.intersection(relative.parts):
            digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    overrides = settings.entity_overrides_path
    digest.update(overrides.read_bytes() if overrides and overrides.is_file() else b"-")
    # dim_dates runs to the end of next year: a new year is a new build.
    versions = (
        EXTRACTOR_VERSION,
        settings_stage_version(settings),
        date.today().year,
    )
    digest.update(repr(versions).encode())
    return digest.hexdigest()


def build_inputs_digest(settings: Settings, models: str | None = None) -> str:
    """Return a digest of everything a build reads: lake parts, the models' digest, the year."""
    digest = hashlib.sha256()
    digest.update(lake.lake_fingerprint(settings.lake_dir, BUILD_TABLES).encode())
    digest.update((models or models_digest(settings)).encode())
    # dim_dates runs to the end of next year: a new year is a new build.
    digest.update(str(date.today().year).encode())
    return digest.hexdigest()


@dataclass
class BuildResult:
    """What a build did: the published row counts and each stage's wall seconds."""

    counts: dict[str, int]
    stage_seconds: dict[str, float] = field(default_factory=dict)
    rebuilt: bool = True


@flow(name="build_warehouse")
def build_warehouse(
    settings: Settings | None = None,
    release_id: str | None = None,
    force: bool = True,
    full_refresh: bool = False,
) -> BuildResult:
    """Run the SQL models over the lake, test them, and publish only if every test passes.

    With force=False, a lake and models unchanged since the last publish are not rebuilt. The
    build is incremental (it updates a copy of the last published warehouse) unless
    full_refresh is set, nothing was published yet, or the models changed since.
    """
    settings = (settings or Settings()).resolved()
    release_id = release_id or f"{utc_now():%Y%m%dT%H%M%S}-build"
    lake.ensure_lake(settings.lake_dir)
    models = models_digest(settings)
    inputs_digest = build_inputs_digest(settings, models)
    stamp = read_build_stamp(settings.warehouse_dir)
    if not force and stamp is not None and stamp.get("inputs_digest") == inputs_digest:
        get_run_logger().info("lake and models unchanged since the last publish: build skipped")
        return BuildResult(dict(stamp.get("counts", {})), rebuilt=False)
    incremental = not full_refresh and stamp is not None and stamp.get("models_digest") == models
    # Runs hold the warehouse lock: anything under .build/ is left by a killed run.
    shutil.rmtree(settings.warehouse_dir / ".build", ignore_errors=True)
    build_dir = settings.warehouse_dir / ".build"
    build_dir.mkdir(parents=True)
    timings: dict[str, float] = {}
    try:
        clear_build_stamp(settings.warehouse_dir)
        with timed_stage("entities", timings, total=1) as listener:
            resolve_entity_table(settings, release_id)
            listener.advance("entities")
        with timed_stage("models", timings):
            build_db = run_sql_models(settings, build_dir, incremental)
        with timed_stage("publish", timings):
            counts = publish_marts(settings, build_db, release_id)
        write_build_stamp(settings.warehouse_dir, inputs_digest, counts, models)
        return BuildResult(counts, timings)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
