"""Build flow: run and test the SQL models aside, then publish atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from transforms import lake
from transforms.enrich import resolve_to_lake
from transforms.entities.model import stage_version
from transforms.extract import EXTRACTOR_VERSION
from transforms.models import run_models
from transforms.publish import publish_warehouse
from transforms.schemas import utc_now
from transforms.settings import Settings


@task(name="run_sql_models", cache_policy=NONE)
def run_sql_models(settings: Settings, build_dir: Path) -> Path:
    """Build and test every model into a fresh DuckDB file under build_dir."""
    build_db = build_dir / "newsloom.duckdb"
    results = run_models(
        settings.sql_dir,
        build_db,
        settings.lake_dir,
        build_dir,
        settings.dbt_threads,
        stage_version(settings.ner_model),
        settings.duckdb_memory_limit,
    )
    get_run_logger().info("models: %d nodes built and tested", len(results))
    return build_db


@task(name="resolve_entities", cache_policy=NONE)
def resolve_entity_table(settings: Settings, release_id: str) -> int:
    """Resolve every current mention name into entities (overrides applied); return entities."""
    names, entities = resolve_to_lake(
        settings.lake_dir,
        EXTRACTOR_VERSION,
        stage_version(settings.ner_model),
        settings.entity_overrides_path,
        release_id,
    )
    get_run_logger().info("entities: %d names resolved into %d entities", names, entities)
    return entities


@task(name="publish_marts", cache_policy=NONE)
def publish_marts(settings: Settings, build_db: Path, release_id: str) -> dict[str, int]:
    """Publish marts as Parquet and swap in the new DuckDB file."""
    counts = publish_warehouse(build_db, settings.warehouse_dir, release_id)
    get_run_logger().info("published: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


@flow(name="build_warehouse")
def build_warehouse(
    settings: Settings | None = None, release_id: str | None = None
) -> dict[str, int]:
    """Run the SQL models over the lake, test them, and publish only if every test passes."""
    settings = (settings or Settings()).resolved()
    release_id = release_id or f"{utc_now():%Y%m%dT%H%M%S}-build"
    lake.ensure_lake(settings.lake_dir)
    # Runs hold the warehouse lock: anything under .build/ is left by a killed run.
    shutil.rmtree(settings.warehouse_dir / ".build", ignore_errors=True)
    build_dir = settings.warehouse_dir / ".build" / release_id
    build_dir.mkdir(parents=True)
    try:
        resolve_entity_table(settings, release_id)
        build_db = run_sql_models(settings, build_dir)
        return publish_marts(settings, build_db, release_id)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
