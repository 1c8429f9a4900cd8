"""Running the models: the copy of the published database a build updates."""

from __future__ import annotations

import os
import re
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


RULE_MACROS = (
    "rule_violations.sql",
    "test_not_null_columns.sql",
    "test_accepted_values_columns.sql",
    "test_relationships_columns.sql",
)


def build_rule_project(tmp_path: Path, models_sql: dict[str, str], tests_yml: str) -> list:
    """A dbt project of the given models and one model's data tests, with the rule macros."""
    project = tmp_path / "sql"
    (project / "macros").mkdir(parents=True)
    (project / "models").mkdir()
    shutil.copy(SQL_DIR / "profiles.yml", project)
    for macro in RULE_MACROS:
        shutil.copy(SQL_DIR / "macros" / macro, project / "macros")
    (project / "dbt_project.yml").write_text(
        "name: newsloom\nconfig-version: 2\nprofile: newsloom\n"
        "flags:\n  send_anonymous_usage_stats: false\n"
    )
    for name, sql in models_sql.items():
        (project / "models" / f"{name}.sql").write_text(sql)
    (project / "models" / "_items.yml").write_text(
        "version: 2\nmodels:\n  - name: items\n    data_tests:\n" + tests_yml
    )
    return [project, tmp_path / "items.duckdb", tmp_path / "lake", tmp_path / "dbt", 1]


def assert_rule_result(build: list, node_name: str, error: str | None) -> None:
    """The build passes the test node, or fails with a message ending in `error` (a regex)."""
    if error is None:
        results = models.run_models(*build)
        assert [(r.node_name, r.status) for r in results if r.resource_type == "test"] == [
            (node_name, "pass")
        ]
        return
    with pytest.raises(models.ModelBuildError) as raised:
        models.run_models(*build)
    message = str(raised.value)
    assert message.startswith(f"{node_name}: error"), message
    assert re.search(f"Invalid Input Error: {error}$", message), message


ITEMS = (
    "select * from (values (1, 'a', 1, 10), (2, 'b', 2, null), (3, null, null, 20))"
    " as items (item_id, kind, level, parent_id)"
)


@pytest.mark.parametrize(
    ("items", "error"),
    [
        (ITEMS.replace("(3, null, null, 20)", "(3, 'a', 1, 20)"), None),
        (ITEMS, r"items: null: kind \(1 row\), level \(1 row\)"),
    ],
)
def test_not_null_columns_test_fails_naming_each_column_with_nulls(
    tmp_path: Path, items: str, error: str | None
) -> None:
    """One not_null_columns node checks every listed column and names the ones holding nulls."""
    tests_yml = (
        "      - not_null_columns:\n          name: not_null_items\n"
        "          arguments:\n            columns: [item_id, kind, level]\n"
    )
    build = build_rule_project(tmp_path, {"items": items}, tests_yml)
    assert_rule_result(build, "not_null_items", error)


@pytest.mark.parametrize(
    ("items", "error"),
    [
        (ITEMS.replace("'b'", "'it''s'"), None),
        (ITEMS.replace("'b'", "'c'"), r"items: not an accepted value: kind \(1 row\)"),
        (ITEMS.replace("'b', 2", "'it''s', 3"), r"items: not an accepted value: level \(1 row\)"),
    ],
)
def test_accepted_values_columns_test_fails_naming_each_column_off_its_list(
    tmp_path: Path, items: str, error: str | None
) -> None:
    """Strings are quoted, numbers are not, nulls pass; a value off its list names its column."""
    tests_yml = (
        "      - accepted_values_columns:\n          name: accepted_values_items\n"
        "          arguments:\n            columns:\n"
        '              kind: [a, "it\'s"]\n              level: [1, 2]\n'
    )
    build = build_rule_project(tmp_path, {"items": items}, tests_yml)
    assert_rule_result(build, "accepted_values_items", error)


@pytest.mark.parametrize(
    ("parents", "error"),
    [
        ("select 10 as parent_id union all select 20 union all select 30", None),
        ("select 10 as parent_id", r"items: no parent row: parent_id \(1 row\)"),
        ("select 30 as parent_id", r"items: no parent row: parent_id \(2 rows\)"),
    ],
)
def test_relationships_columns_test_fails_naming_each_column_without_parent(
    tmp_path: Path, parents: str, error: str | None
) -> None:
    """A key its parent lacks fails the build naming the column; null keys pass."""
    tests_yml = (
        "      - relationships_columns:\n          name: relationships_items\n"
        "          arguments:\n            columns:\n"
        "              parent_id: {to: parents, field: parent_id}\n"
    )
    build = build_rule_project(tmp_path, {"items": ITEMS, "parents": parents}, tests_yml)
    assert_rule_result(build, "relationships_items", error)
