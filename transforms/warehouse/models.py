"""Run the dbt SQL models (build = run + test) into a DuckDB file set aside for publishing."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transforms import lake
from transforms.extract.article import EXTRACTOR_VERSION
from transforms.progress import ProgressListener, progress

logger = logging.getLogger(__name__)


FAILED_STATUSES = ("error", "fail", "runtime error")
# An incremental build runs the data tests of the staging models and the marts (what analysts
# read), on the rows it wrote; the intermediate models' tests run in every full build. Each dbt
# test node costs about 25 ms of dbt's own Python whatever the rows tested (hence one
# column_rules node per model, not one node per column and rule), and the intermediate models
# have 33 of them.
INCREMENTAL_UNTESTED = "resource_type:test,path:models/intermediate"


class ModelBuildError(RuntimeError):
    """The models or their error-level tests failed; nothing was published."""


@dataclass(frozen=True)
class ModelResult:
    """One dbt node's outcome."""

    node_name: str
    resource_type: str
    status: str
    message: str | None
    seconds: float = 0.0


def copy_database(source: Path, target: Path) -> None:
    """Copy a DuckDB file for a build to update; its write to disk starts at once, aside."""
    shutil.copyfile(source, target)
    # The copy sits dirty in the page cache (a 2 GB file stays under the kernel's background
    # write-back threshold), and the build's first large commit fsyncs the file: it waited for
    # the whole copy to reach the disk (0.9 s at 1M articles). Flushed from a thread, the copy
    # is written while dbt starts and builds the first models.
    threading.Thread(target=_flush_file, args=(target,), daemon=True).start()


def _flush_file(path: Path) -> None:
    """Write a file's cached pages to disk (fsync); a file gone or unreadable is left alone."""
    with contextlib.suppress(OSError):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


class DatabaseCopy:
    """Copy a DuckDB file in a thread while dbt starts; dbt waits for it when it opens the file."""

    def __init__(self, source: Path, target: Path) -> None:
        """Start copying `source` to `target`."""
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._copy, args=(source, target), daemon=True)
        self._thread.start()

    def _copy(self, source: Path, target: Path) -> None:
        """Copy the file, keeping any error for the build to raise."""
        try:
            copy_database(source, target)
        except Exception as error:  # noqa: BLE001 - raised in the build's thread by wait()
            self.error = error

    def wait(self) -> None:
        """Wait for the copy to end; raise its error if it failed."""
        self._thread.join()
        if self.error is not None:
            raise self.error

    def __call__(self, event: Any) -> None:
        """Handle one dbt event: hold dbt's opening of a connection until the copy is done."""
        # dbt fires this, synchronously, just before dbt-duckdb opens the database file: a
        # failed copy then fails the build before dbt reads a file only partly written.
        if event.info.name == "NewConnectionOpening":
            self.wait()


def _close_dbt_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after an invocation."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    # dbt-duckdb reuses its open database for the next build with the same profile: that one
    # would write into the file this build published (moved, still open), not a new one.
    with contextlib.suppress(Exception):
        DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()


class DbtProgress:
    """Turn dbt's events into progress: the node count when it starts, then each node done."""

    def __init__(self, listener: ProgressListener) -> None:
        """Report to `listener`."""
        self.listener = listener

    def __call__(self, event: Any) -> None:
        """Handle one dbt event (dbt calls this for every event, whatever its log level)."""
        name = event.info.name
        if name == "ConcurrencyLine":
            self.listener.add_total("models", int(event.data.node_count))
        elif name == "NodeFinished":
            status = str(event.data.node_info.node_status).lower()
            self.listener.advance("models", rejected=int(status in FAILED_STATUSES))


def run_models(
    sql_dir: Path,
    database_path: Path,
    lake_dir: lake.LakeLocation,
    work_dir: Path,
    threads: int,
    ner_version: str = "",
    memory_limit: str | None = None,
    full_refresh: bool = True,
    show_logs: bool = False,
    write_artifacts: bool = False,
    copy_from: Path | None = None,
) -> list[ModelResult]:
    """Run `dbt build` into database_path; raise ModelBuildError when any model or test errors.

    With full_refresh=False, database_path must hold the last build of the same models: the
    incremental models then recompute only what the lake's new part files change, and the
    intermediate models' data tests are left to full builds.
    dbt's parsed project, run results and logs go to work_dir; kept between builds, it lets dbt
    re-parse only the files that changed. dbt's console lines, and its debug log file, are
    written only with show_logs (errors and warnings always are); each finished node is
    reported to the progress listener. dbt's JSON artifacts (manifest.json, run_results.json:
    about a second per build at this project's size) are written only with write_artifacts;
    the results returned carry each node's seconds.
    With copy_from, database_path is first a copy of that DuckDB file (an incremental build
    updates a copy of the last publish): the copy runs while dbt is imported and starts up
    (about a second of Python), and dbt waits for it only when it opens the database.
    """
    os.environ["NEWSLOOM_DBT_DATABASE"] = str(database_path)
    if memory_limit:
        # Read by the dbt profile: DuckDB spills to disk past it instead of growing with the lake.
        os.environ["NEWSLOOM_DUCKDB_MEMORY_LIMIT"] = memory_limit
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # Read by the dbt profile: an object-store lake is read through its fsspec filesystem
    # with its storage options, not through DuckDB's httpfs extension (a download).
    filesystems = []
    if isinstance(lake_dir, lake.RemoteLake) and lake.is_remote(lake_dir):
        filesystems = [{"fs": lake.lake_protocol(lake_dir), **lake_dir.storage_options()}]
    # A Python literal: the profile's `as_native` filter reads it with ast.literal_eval.
    os.environ["NEWSLOOM_DBT_FILESYSTEMS"] = repr(filesystems)
    dbt_vars = {
        "lake_dir": lake.lake_url(lake_dir),
        "extractor_version": EXTRACTOR_VERSION,
        "ner_version": ner_version,
    }
    args = [
        "build",
        "--project-dir",
        str(sql_dir),
        "--profiles-dir",
        str(sql_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
        "--vars",
        json.dumps(dbt_vars),
        "--threads",
        str(threads),
        "--partial-parse",
        *(() if show_logs else ("--quiet",)),
        # dbt's file log at debug level is a line per SQL statement and node step: about 5% of
        # an incremental build's CPU at 1M articles. Kept for show_logs; warnings otherwise.
        "--log-level-file",
        "debug" if show_logs else "warn",
        *(() if write_artifacts else ("--no-write-json",)),
        "--no-use-colors",
    ]
    if full_refresh:
        args.append("--full-refresh")
    else:
        args += ["--exclude", INCREMENTAL_UNTESTED]
    callbacks: list[Any] = [DbtProgress(progress())]
    copy = DatabaseCopy(copy_from, database_path) if copy_from is not None else None
    if copy is not None:
        callbacks.insert(0, copy)
    try:
        # Imported while the copy runs: about a second of Python.
        from dbt.cli.main import dbtRunner

        outcome = dbtRunner(callbacks=callbacks).invoke(args)
    finally:
        _close_dbt_database()
        if copy is not None:
            # Never return (nor let the caller remove the build's folder) while the copy runs.
            copy.wait()
    if isinstance(outcome.exception, KeyboardInterrupt):
        # dbt returns a Ctrl-C as a failed result: it is a stop, not a broken model.
        raise outcome.exception
    results = (
        [
            ModelResult(
                r.node.name,
                str(r.node.resource_type),
                str(r.status),
                r.message,
                float(r.execution_time or 0.0),
            )
            for r in (outcome.result or [])
        ]
        if outcome.result is not None and hasattr(outcome.result, "__iter__")
        else []
    )
    failed = [r for r in results if r.status in FAILED_STATUSES]
    if not outcome.success or failed:
        detail = "; ".join(
            f"{r.node_name}: {r.status} {r.message or ''}".strip() for r in failed[:10]
        )
        raise ModelBuildError(detail or f"dbt build failed: {outcome.exception}")
    logger.info("dbt build: %d nodes passed", len(results))
    return results
