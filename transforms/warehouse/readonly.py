"""A sandboxed, read-only DuckDB connection to the published warehouse, for user SQL."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import duckdb

DATABASE_FILE = "newsloom.duckdb"
# Reading statements only: SELECT covers FROM-first, VALUES, DESCRIBE, SHOW, SUMMARIZE and the
# read-only PRAGMAs. COPY, EXPORT, ATTACH, INSTALL/LOAD, SET, CREATE are refused before DuckDB
# sees them: the marts folder must stay readable, and DuckDB's file permission is not per verb.
READ_STATEMENTS = frozenset({duckdb.StatementType.SELECT})
_EXPLAIN = re.compile(r"^\s*explain\s+(?:analyze\s+)?", re.IGNORECASE)


class QueryRefusedError(PermissionError):
    """The SQL does more than read the warehouse."""


def check_read_only_sql(sql: str) -> None:
    """Raise QueryRefusedError unless every statement only reads (EXPLAIN of a read included)."""
    for statement in duckdb.extract_statements(sql):
        kind = statement.type
        if kind == duckdb.StatementType.EXPLAIN:
            inner = _EXPLAIN.sub("", statement.query, count=1)
            kinds = [s.type for s in duckdb.extract_statements(inner)]
            if kinds and all(k in READ_STATEMENTS for k in kinds):
                continue
        elif kind in READ_STATEMENTS:
            continue
        name = getattr(kind, "name", str(kind))
        raise QueryRefusedError(
            f"query is read-only: {name} statements are refused "
            "(use SELECT, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN)"
        )


def connect_read_only(warehouse_dir: Path) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection that can read only the warehouse's own published files.

    External access is off (no other file, no network, no extension install or load), the
    published marts folder is the one directory allowed, and the configuration is locked so SQL
    cannot turn any of it back on.
    """
    path = Path(warehouse_dir) / DATABASE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}: run `newsloom run` first")
    marts = Path(warehouse_dir) / "marts"
    # The marts link and the release it points to: views name either, depending on the writer.
    allowed = {f"{marts.absolute()}/", f"{marts.resolve()}/"}
    # Views name their Parquet relative to the warehouse folder (relocatable), found through
    # file_search_path: DuckDB checks the name as written and the file it resolves to, so the
    # release folder is allowed in both spellings (a relative name alone reaches nothing).
    with contextlib.suppress(ValueError):
        allowed.add(f"{marts.resolve().relative_to(Path(warehouse_dir).resolve())}/")
    connection = duckdb.connect(
        str(path),
        read_only=True,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    try:
        # allowed_directories can only be set on a started database, and only before external
        # access goes off; the lock then refuses any SET that would widen it again.
        connection.execute("set allowed_directories = ?", [sorted(allowed)])
        # The published file names its Parquet relative to the warehouse folder (relocatable).
        connection.execute("set file_search_path = ?", [str(Path(warehouse_dir).resolve())])
        connection.execute("set enable_external_access = false")
        connection.execute("set lock_configuration = true")
    except BaseException:
        connection.close()
        raise
    return connection
