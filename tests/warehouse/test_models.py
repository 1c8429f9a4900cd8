"""Running the models: the copy of the published database a build updates."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from transforms.settings import SQL_DIR
from transforms.warehouse import models


def test_copy_database_writes_the_copy_to_disk_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is the source's bytes, and a thread fsyncs it (the build's commits wait less)."""
    source, target = tmp_path / "published.duckdb", tmp_path / "build.duckdb"
    source.write_bytes(os.urandom(100_000))
    flushed: list[int] = []
    done = threading.Event()
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        flushed.append(os.fstat(descriptor).st_ino)
        done.set()

    monkeypatch.setattr(models.os, "fsync", fsync)
    models.copy_database(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert done.wait(10)
    assert flushed == [target.stat().st_ino]


@pytest.mark.parametrize(
    ("rows", "fails"),
    [
        ("select 1 as item_id union all select 2", False),
        ("select 1 as item_id union all select 1", True),
        ("select 1 as item_id union all select null", True),
    ],
)
def test_primary_key_test_fails_on_a_duplicate_or_null_key(
    tmp_path: Path, rows: str, fails: bool
) -> None:
    """The project's primary_key data test (unique and not null in one) fails as both would."""
    project = tmp_path / "sql"
    (project / "macros").mkdir(parents=True)
    (project / "models").mkdir()
    shutil.copy(SQL_DIR / "profiles.yml", project)
    shutil.copy(SQL_DIR / "macros" / "test_primary_key.sql", project / "macros")
    (project / "dbt_project.yml").write_text(
        "name: newsloom\nconfig-version: 2\nprofile: newsloom\n"
        "flags:\n  send_anonymous_usage_stats: false\n"
    )
    (project / "models" / "items.sql").write_text(rows)
    (project / "models" / "_items.yml").write_text(
        "version: 2\nmodels:\n  - name: items\n    columns:\n      - name: item_id\n"
        "        data_tests: [primary_key]\n"
    )
    build = [project, tmp_path / "items.duckdb", tmp_path / "lake", tmp_path / "dbt", 1]
    if fails:
        with pytest.raises(models.ModelBuildError, match="primary_key_items_item_id"):
            models.run_models(*build)
    else:
        results = models.run_models(*build)
        assert [(r.node_name, r.status) for r in results if r.resource_type == "test"] == [
            ("primary_key_items_item_id", "pass")
        ]
