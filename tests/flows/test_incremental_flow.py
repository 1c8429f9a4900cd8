"""A run added to a warehouse builds incrementally and publishes what a full rebuild publishes."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from flows.build import build_warehouse
from flows.ingest import ingest_articles
from tests.conftest import SAMPLE
from transforms.settings import Settings

METADATA_COLUMNS = {"_loaded_at"}


def marts(warehouse: Path) -> dict[str, list[tuple]]:
    """Return every published mart's rows from its Parquet parts, sorted, without metadata."""
    result = {}
    for folder in sorted((warehouse / "marts").iterdir()):
        table = pq.read_table(folder)
        columns = [name for name in table.column_names if name not in METADATA_COLUMNS]
        rows = zip(*(table.column(name).to_pylist() for name in columns), strict=True)
        result[folder.name] = sorted(rows, key=repr)
    return result


def loaded_at(warehouse: Path, sql: str) -> list[tuple]:
    """Return a query's rows from the published database."""
    with duckdb.connect(str(warehouse / "newsloom.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_a_run_builds_incrementally_and_equals_a_full_rebuild(
    prefect_api: str, seeds_warehouse: Path, tmp_path: Path
) -> None:
    # The seeds' warehouse, then a run with the sample's pages: an incremental build.
    settings = Settings(warehouse_dir=tmp_path / "incremental", workers=1)
    shutil.copytree(seeds_warehouse, settings.warehouse_dir, symlinks=True)
    before = dict(
        loaded_at(settings.warehouse_dir, "select article_id, _loaded_at from fct_articles")
    )
    ingest_articles(inputs=[str(SAMPLE / "pages")], settings=settings)
    after = dict(
        loaded_at(settings.warehouse_dir, "select article_id, _loaded_at from fct_articles")
    )
    assert len(after) > len(before)
    # The seeds' articles were not rewritten: the build kept their rows.
    assert {article: after[article] for article in before} == before
    # The same lake rebuilt from nothing publishes the same marts.
    full = Settings(warehouse_dir=tmp_path / "full", workers=1)
    shutil.copytree(settings.warehouse_dir, full.warehouse_dir, symlinks=True)
    build_warehouse(settings=full, full_refresh=True)
    assert marts(settings.warehouse_dir) == marts(full.warehouse_dir)
    assert len(set(loaded_at(full.warehouse_dir, "select _loaded_at from fct_articles"))) == 1
