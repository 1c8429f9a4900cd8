"""Running the models: the copy of the published database a build updates, data tests."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
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


def project_with_macro(tmp_path: Path, macro: str) -> Path:
    """Write an empty dbt project with the project's profile and one of its test macros."""
    project = tmp_path / "sql"
    (project / "macros").mkdir(parents=True)
    (project / "models").mkdir()
    shutil.copy(SQL_DIR / "profiles.yml", project)
    shutil.copy(SQL_DIR / "macros" / macro, project / "macros")
    (project / "dbt_project.yml").write_text(
        "name: newsloom\nconfig-version: 2\nprofile: newsloom\n"
        "flags:\n  send_anonymous_usage_stats: false\n"
    )
    return project


def items_project(tmp_path: Path, rows: str) -> Path:
    """Write a one-model dbt project (items, with the project's primary_key test on item_id)."""
    project = project_with_macro(tmp_path, "test_primary_key.sql")
    (project / "models" / "items.sql").write_text(rows)
    (project / "models" / "_items.yml").write_text(
        "version: 2\nmodels:\n  - name: items\n    columns:\n      - name: item_id\n"
        "        data_tests: [primary_key]\n"
    )
    return project


def test_build_copies_the_database_while_dbt_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With copy_from, dbt starts during the copy and opens the database once it is complete."""
    project = items_project(tmp_path, "select 1 as item_id")
    published, build_db = tmp_path / "published.duckdb", tmp_path / "build.duckdb"
    with duckdb.connect(str(published)) as connection:
        connection.execute("create table kept as select 42 as answer")
    dbt_started, dbt_started_first = threading.Event(), []
    real_progress, real_copy = models.DbtProgress.__call__, models.copy_database

    def progress(self: models.DbtProgress, event: Any) -> None:
        if event.info.name == "ConcurrencyLine":
            dbt_started.set()
        real_progress(self, event)

    def copy(source: Path, target: Path) -> None:
        # A slow copy, as a large file's: it ends after dbt has parsed the project and is about
        # to connect (waited for at most 20 s).
        dbt_started_first.append(dbt_started.wait(20))
        time.sleep(0.5)
        real_copy(source, target)

    monkeypatch.setattr(models.DbtProgress, "__call__", progress)
    monkeypatch.setattr(models, "copy_database", copy)
    build = [project, build_db, tmp_path / "lake", tmp_path / "dbt", 1]
    results = models.run_models(*build, copy_from=published)
    assert dbt_started_first == [True]
    assert {r.node_name: r.status for r in results} == {
        "items": "success",
        "primary_key_items_item_id": "pass",
    }
    with duckdb.connect(str(build_db), read_only=True) as connection:
        assert connection.execute("select answer from kept").fetchall() == [(42,)]
        assert connection.execute("select item_id from items").fetchall() == [(1,)]


def test_build_fails_on_a_failed_copy_before_dbt_opens_the_database(tmp_path: Path) -> None:
    """A copy that fails fails the build with its error; dbt never opened (created) the file."""
    project = items_project(tmp_path, "select 1 as item_id")
    build_db = tmp_path / "build.duckdb"
    build = [project, build_db, tmp_path / "lake", tmp_path / "dbt", 1]
    with pytest.raises(FileNotFoundError):
        models.run_models(*build, copy_from=tmp_path / "missing.duckdb")
    assert not build_db.exists()


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
    project = items_project(tmp_path, rows)
    build = [project, tmp_path / "items.duckdb", tmp_path / "lake", tmp_path / "dbt", 1]
    if fails:
        with pytest.raises(models.ModelBuildError, match="primary_key_items_item_id"):
            models.run_models(*build)
    else:
        results = models.run_models(*build)
        assert [(r.node_name, r.status) for r in results if r.resource_type == "test"] == [
            ("primary_key_items_item_id", "pass")
        ]


def build_rules_project(tmp_path: Path, parents: str, rules_yml: str, items: str) -> list:
    """A dbt project of items (and their parents) tested by one column_rules test."""
    project = project_with_macro(tmp_path, "test_column_rules.sql")
    (project / "models" / "items.sql").write_text(items)
    (project / "models" / "parents.sql").write_text(parents)
    (project / "models" / "_items.yml").write_text(
        "version: 2\nmodels:\n  - name: items\n    data_tests:\n      - column_rules:\n"
        "          name: column_rules_items\n          arguments:\n" + rules_yml
    )
    return [project, tmp_path / "items.duckdb", tmp_path / "lake", tmp_path / "dbt", 1]


ITEMS = (
    "select * from (values (1, 'a', 1, 10), (2, 'it''s', 2, null), (3, null, null, 20))"
    " as items (item_id, kind, level, parent_id)"
)
PARENT_ID = "            relationships:\n              parent_id: {to: parents, field: parent_id}\n"
PARENTS = "select 10 as parent_id union all select 20 union all select 30"


RULE_CASES = [
    (PARENTS, "            not_null: [item_id, parent_id]\n", "null: parent_id (1 row)"),
    (PARENTS, "            not_null: [kind, level]\n", "null: kind (1 row), level (1 row)"),
    (PARENTS, "            not_null: [item_id]\n", None),
    # strings are quoted (and escaped), numbers are not; nulls pass
    (PARENTS, '            accepted_values:\n              kind: [a, "it\'s"]\n', None),
    (
        PARENTS,
        "            accepted_values:\n              kind: [a]\n              level: [1, 3]\n",
        "not an accepted value: kind (1 row), level (1 row)",
    ),
    (PARENTS, PARENT_ID, None),
    ("select 10 as parent_id", PARENT_ID, "no parent row: parent_id (1 row)"),
    (
        "select 30 as parent_id",
        "            not_null: [item_id, level]\n"
        "            accepted_values:\n              level: [1, 2]\n"
        + PARENT_ID
        + "              item_id: {to: parents, field: parent_id}\n",
        "no parent row: item_id (3 rows), parent_id (2 rows); null: level (1 row)",
    ),
]
PAIRS = (
    "select * from (values (1, 'a', 1, 10), (2, 'a', 2, 20), (3, 'b', 1, 20))"
    " as items (item_id, kind, level, parent_id)"
)
KEY_CASES = [
    (PARENTS, "            key: item_id\n", None, ITEMS),
    (PARENTS, "            key: [item_id, kind]\n", "null key: kind (1 row)", ITEMS),
    (
        PARENTS,
        "            key: parent_id\n            not_null: [kind]\n",
        "null: kind (1 row); null key: parent_id (1 row)",
        ITEMS,
    ),
    # the rows whose key another row has (two of 20, two of 30); a null key is its own rule
    (
        PARENTS,
        "            key: parent_id\n",
        "duplicate key: parent_id (4 rows); null key: parent_id (2 rows)",
        ITEMS + " union all select 4, 'b', 3, 30 union all select 5, 'c', 4, 30"
        " union all select 6, 'd', 5, 20 union all select 7, 'e', 6, null",
    ),
    (PARENTS, "            key: [kind, parent_id]\n", None, PAIRS),
    (
        PARENTS,
        "            key: [kind, parent_id]\n",
        "duplicate key: kind, parent_id (2 rows)",
        PAIRS + " union all select 4, 'a', 3, 20",
    ),
]


@pytest.mark.parametrize(
    ("parents", "rules_yml", "error", "items"),
    [(*case, ITEMS) for case in RULE_CASES] + KEY_CASES,
)
def test_column_rules_test_fails_naming_the_model_rules_and_columns(
    tmp_path: Path, parents: str, rules_yml: str, error: str | None, items: str
) -> None:
    """One column_rules node checks each rule; a violation's error names model, rule, columns."""
    build = build_rules_project(tmp_path, parents, rules_yml, items)
    if error is None:
        results = models.run_models(*build)
        assert [(r.node_name, r.status) for r in results if r.resource_type == "test"] == [
            ("column_rules_items", "pass")
        ]
        return
    with pytest.raises(models.ModelBuildError) as raised:
        models.run_models(*build)
    message = str(raised.value)
    assert message.startswith("column_rules_items: error"), message
    assert message.endswith(f"Invalid Input Error: items: {error}"), message


def test_build_runs_with_the_memory_limit_and_settings_given(tmp_path: Path) -> None:
    """The DuckDB memory limit run_models is given, and the profile's settings, hold in a build."""
    project = project_with_macro(tmp_path, "test_primary_key.sql")
    (project / "models" / "build_settings.sql").write_text(
        "{{ config(materialized='table') }}"
        " select current_setting('memory_limit') as memory_limit,"
        " current_setting('preserve_insertion_order') as preserve_insertion_order,"
        " current_setting('checkpoint_threshold') as checkpoint_threshold"
    )
    build_db = tmp_path / "build.duckdb"
    models.run_models(project, build_db, tmp_path / "lake", tmp_path / "dbt", 2, "", "300MB")
    with duckdb.connect(str(build_db), read_only=True) as connection:
        settings = connection.execute("select * from build_settings").fetchone()
    # DuckDB shows 300MB in binary units; 4GB likewise.
    assert settings == ("286.1 MiB", False, "3.7 GiB")
