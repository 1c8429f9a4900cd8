"""The `newsloom` command line: run, build, query, status, report."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from flows.terminal import interrupts_stop_the_run, log_to_terminal, start_local_api

DEFAULT_SOURCES = "sources.toml"
DEFAULT_OVERRIDES = "entity_overrides.toml"


class _Console(Console):
    """A rich console that leaves a closed pipe (`| head`) to main() rather than exiting 1."""

    def on_broken_pipe(self) -> None:
        """Raise BrokenPipeError, which main() answers with exit 0."""
        self.quiet = True
        raise BrokenPipeError


# Piped output (CI logs, files) is not cut at 80 columns.
console = _Console(width=None if sys.stdout.isatty() else 160)
err_console = _Console(stderr=True, width=None if sys.stderr.isatty() else 160)
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The command cannot run as given (exit 2): the message says what to do instead."""


def _prefect_defaults() -> None:
    """Quiet, local Prefect defaults (a user's own settings win); call before importing Prefect."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    # A first run creates Prefect's database; on a busy 2-core machine that can exceed the
    # temporary server's 20 s default, and the run would fail before any work.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _settings(args: argparse.Namespace) -> Any:
    """Return the Settings for these arguments."""
    from transforms.settings import Settings

    overrides: dict[str, Any] = {}
    if getattr(args, "warehouse", None):  # else NEWSLOOM_WAREHOUSE_DIR, else ./warehouse
        overrides["warehouse_dir"] = Path(args.warehouse)
    if getattr(args, "lake", None):
        overrides["lake_url"] = args.lake
    for name in ("workers", "batch_size"):
        if getattr(args, name, None):
            overrides[name] = getattr(args, name)
    if getattr(args, "sources", None):
        overrides["sources_path"] = Path(args.sources)
        if not overrides["sources_path"].is_file():
            raise FileNotFoundError(f"sources file not found: {args.sources}")
    elif Path(DEFAULT_SOURCES).is_file():
        overrides["sources_path"] = Path(DEFAULT_SOURCES)
    if getattr(args, "entity_overrides", None):
        overrides["entity_overrides_path"] = Path(args.entity_overrides)
        if not overrides["entity_overrides_path"].is_file():
            raise FileNotFoundError(f"entity overrides file not found: {args.entity_overrides}")
    elif Path(DEFAULT_OVERRIDES).is_file():
        overrides["entity_overrides_path"] = Path(DEFAULT_OVERRIDES)
    if getattr(args, "allow_private_hosts", False):
        overrides["fetch"] = {"allow_private_hosts": True}
    return Settings(**overrides)


def _print_counts(title: str, rows: list[tuple[str, Any]]) -> None:
    """Print a two-column table."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)


def _checked_inputs(inputs: list[str]) -> list[str]:
    """Return the inputs after saying which give nothing; raise UsageError if none gives any."""
    from transforms.capture.store import check_inputs

    usable, problems = check_inputs(inputs)
    if problems and not usable:
        named = "; ".join(f"{problem.locator}: {problem.detail}" for problem in problems)
        raise UsageError(f"nothing to run on ({named})")
    for problem in problems:
        # The run goes on with the others; a missing one is also recorded as a reject.
        err_console.print(f"[yellow]warning:[/] input skipped: {problem.locator}: {problem.detail}")
    return inputs


def _print_run_summary(summary: Any, display: Any, settings: Any) -> None:
    """Print what the run did, stage by stage with wall times, then what it published."""
    from flows.console import format_seconds, stage_table

    total = sum(summary.stage_seconds.values())
    title = f"newsloom run {summary.run_id}: completed in {format_seconds(total)}"
    console.print(stage_table(summary.stage_seconds, display.counts, title))
    console.print(
        f"captured: {summary.count_captured:,} new, {summary.count_unchanged:,} unchanged"
    )
    if summary.rejects_by_reason:
        reasons = ", ".join(
            f"{reason} {n:,}" for reason, n in sorted(summary.rejects_by_reason.items())
        )
        console.print(
            f"[yellow]rejected: {summary.count_rejected:,}[/] ({reasons}): "
            '`newsloom query "select * from rejects"` says which and why'
        )
    if summary.skipped_by_suffix:
        kinds = ", ".join(
            f"{suffix} {n:,}"
            for suffix, n in sorted(summary.skipped_by_suffix.items(), key=lambda i: -i[1])
        )
        console.print(
            f"skipped: {sum(summary.skipped_by_suffix.values()):,} files newsloom does not read"
            f" ({kinds})"
        )
    if not summary.rebuilt:
        console.print("nothing new since the last publish: the warehouse was kept as it was")
    published = summary.counts_published
    console.print(
        f"published: {published.get('fct_articles', 0):,} articles, "
        f"{published.get('dim_sources', 0):,} sources, "
        f"{published.get('dim_entities', 0):,} entities, "
        f"{published.get('dim_stories', 0):,} stories in {settings.resolved().database_path}"
    )
    console.print("next: [bold]newsloom report[/] (an HTML report) or [bold]newsloom status[/]")


def cmd_run(args: argparse.Namespace) -> int:
    """Run the whole pipeline over the inputs (default: the bundled sample)."""
    from flows.console import RunDisplay, stage_table
    from transforms.progress import listening

    settings = _settings(args)
    inputs = _checked_inputs(args.inputs) if args.inputs else None
    start_local_api()
    from flows.ingest import ingest_articles

    display = RunDisplay(err_console, live=not args.verbose)
    try:
        with interrupts_stop_the_run(), listening(display), display.showing():
            summary = ingest_articles(inputs=inputs, settings=settings)
    except KeyboardInterrupt:
        done = {s: c.seconds for s, c in display.counts.items() if c.seconds is not None}
        console.print(stage_table(done, display.counts, "stopped: stages finished before"))
        err_console.print(
            "[yellow]stopped:[/] the run is recorded as cancelled; what it finished is kept. "
            "Run the same command again to go on from there."
        )
        return EXIT_INTERRUPTED
    _print_run_summary(summary, display, settings)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Rebuild, test and publish the models from the lake."""
    from flows.console import RunDisplay, format_seconds, stage_table
    from transforms import lake
    from transforms.progress import listening
    from transforms.warehouse.publish import warehouse_lock

    settings = _settings(args)
    if not lake.lake_exists(settings.lake_dir):
        raise UsageError(f"no lake at {settings.lake_dir}: run `newsloom run` first")
    start_local_api()
    from flows.build import build_warehouse

    display = RunDisplay(err_console, live=not args.verbose)
    with (
        warehouse_lock(settings.warehouse_dir),
        interrupts_stop_the_run(),
        listening(display),
        display.showing(),
    ):
        built = build_warehouse(settings=settings, full_refresh=args.full_refresh)
    total = format_seconds(sum(built.stage_seconds.values()))
    console.print(stage_table(built.stage_seconds, display.counts, f"newsloom build: {total}"))
    _print_counts("published", [(t, f"{n:,}") for t, n in sorted(built.counts.items())])
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    """Merge the lake's small Parquet part files (kill-safe; the marts are unchanged)."""
    from transforms import lake
    from transforms.warehouse.publish import warehouse_lock

    settings = _settings(args).resolved()
    if not lake.lake_exists(settings.lake_dir):
        err_console.print(f"no lake at {settings.lake_dir}: run `newsloom run` first")
        return 1
    with warehouse_lock(settings.warehouse_dir):
        lake.ensure_lake(settings.lake_dir)
        merged = lake.compact_lake(settings.lake_dir, min_parts=2)
    rows = [
        (table, f"{files_in} files -> {files_out}")
        for table, (files_in, files_out) in merged.items()
    ]
    _print_counts("newsloom compact", rows or [("nothing to compact", "")])
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the ingest flow on a schedule until interrupted (one run at a time)."""
    from datetime import timedelta

    from flows.ingest import ingest_articles
    from flows.serving import serve_flow

    if not args.cron and not args.interval:
        raise ValueError("give a schedule: --cron EXPR or --interval SECONDS")
    if not os.environ.get("PREFECT_API_URL"):
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            raise RuntimeError(
                "serve needs a standing Prefect server (the temporary one has no scheduler): "
                "run `prefect server start`, then set "
                "PREFECT_API_URL=http://127.0.0.1:4200/api"
            )
    settings = _settings(args).resolved()
    parameters = {"inputs": args.inputs or None, "settings": settings.model_dump(mode="json")}
    return asyncio.run(
        serve_flow(
            ingest_articles,
            name=args.name,
            cron=args.cron,
            interval=timedelta(seconds=args.interval) if args.interval else None,
            parameters=parameters,
            stop_timeout=args.stop_timeout,
        )
    )


def cmd_sources(args: argparse.Namespace) -> int:
    """Validate the sources config and list its publishers."""
    from transforms.capture.sources import load_sources

    config = load_sources(Path(args.file))
    table = Table("id", "domain", "name", "feeds", "sitemaps", "url patterns", "paths")
    for publisher in config.publishers:
        table.add_row(
            publisher.id,
            publisher.domain or "",
            publisher.name or "",
            "\n".join(publisher.feeds),
            "\n".join(publisher.sitemaps),
            "\n".join(publisher.url_patterns),
            "\n".join(publisher.paths),
        )
    console.print(table)
    console.print(f"{args.file}: {len(config.publishers)} publisher(s), valid")
    return 0


def _open_read_only(warehouse: str | None) -> Any:
    """Return a sandboxed read-only connection to the published warehouse."""
    from transforms.settings import Settings
    from transforms.warehouse.readonly import connect_read_only

    return connect_read_only(Path(warehouse) if warehouse else Settings().warehouse_dir)


def cmd_query(args: argparse.Namespace) -> int:
    """Run SQL against the published warehouse (read-only)."""
    from transforms.warehouse.readonly import check_read_only_sql

    example = 'e.g. newsloom query "select count(*) from fct_articles"'
    if not args.sql.strip():
        raise UsageError(f"empty query: give SQL, {example}")
    check_read_only_sql(args.sql)
    with _open_read_only(args.warehouse) as connection:
        cursor = connection.execute(args.sql)
        if cursor is None:  # only comments
            raise UsageError(f"no SQL statement in the query: {example}")
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if columns else []
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        sys.stdout.write(
            json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str)
        )
        sys.stdout.write("\n")
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if value is None else str(value) for value in row))
        console.print(table)
        console.print(f"{len(rows)} row(s)")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write one self-contained HTML report of the published warehouse."""
    from transforms.report import write_report

    with _open_read_only(args.warehouse) as connection:
        out = write_report(connection, Path(args.out))
    console.print(f"report: {out} ({out.stat().st_size / 1e6:.1f} MB; opens offline in a browser)")
    return 0


def _when(moment: Any, now: Any) -> str:
    """Return a UTC moment and how long before `now` it was, as people read it."""
    from flows.console import format_seconds

    if moment is None:
        return "none"
    return f"{moment:%Y-%m-%d %H:%M} UTC ({format_seconds((now - moment).total_seconds())} ago)"


def cmd_status(args: argparse.Namespace) -> int:
    """Show the last runs with their stage times, and the warehouse's freshness and counts."""
    from datetime import UTC, datetime

    from flows.console import format_seconds, stage_order
    from transforms.lake import connect_lake, lake_exists

    settings = _settings(args)
    if not lake_exists(settings.lake_dir):
        err_console.print(f"no lake at {settings.lake_dir}: run `newsloom run` first")
        return 1
    with connect_lake(settings.lake_dir) as connection:
        columns = {row[0] for row in connection.execute("describe runs").fetchall()}
        # Runs recorded before stage times existed have no such column.
        stages = "stage_seconds" if "stage_seconds" in columns else "null"
        runs = connection.execute(
            f"""
            select run_id, arg_max(run_status, coalesce(ended_at, started_at)), min(started_at),
                max(ended_at), max(count_captured), max(count_extracted), max(count_rejected),
                arg_max({stages}, coalesce(ended_at, started_at)),
                arg_max(detail, coalesce(ended_at, started_at))
            from runs group by run_id order by min(started_at) desc limit ?
            """,
            [args.limit],
        ).fetchall()
    table = Table(
        "run", "status", "started (UTC)", "took", "captured", "extracted", "rejected",
        "stage times", "detail", title="last runs", title_justify="left",
    )  # fmt: skip
    for run_id, status, started, ended, captured, extracted, rejected, times, detail in runs:
        times = times or {}
        stage_times = ", ".join(
            f"{stage} {format_seconds(seconds)}"
            for stage, seconds in sorted(times.items(), key=lambda item: stage_order(item[0]))
        )
        style = {"completed": "green", "failed": "red", "cancelled": "yellow"}.get(status, "")
        table.add_row(
            run_id,
            f"[{style}]{status}[/]" if style else status,
            f"{started:%Y-%m-%d %H:%M:%S}",
            format_seconds((ended - started).total_seconds()) if ended else "",
            *("" if n is None else f"{n:,}" for n in (captured, extracted, rejected)),
            stage_times,
            detail or "",
        )
    console.print(table)
    if not settings.database_path.exists():
        console.print("nothing published yet")
        return 0
    now = datetime.now(UTC)
    published_at = datetime.fromtimestamp(settings.database_path.stat().st_mtime, UTC)
    with _open_read_only(args.warehouse) as connection:
        counts = [
            (name, f"{connection.execute(f'select count(*) from {name}').fetchone()[0]:,}")
            for name in ("fct_articles", "dim_sources", "dim_entities", "article_texts", "rejects")
        ]
        newest_article, newest_fetch = connection.execute(
            "select max(published_at), max(last_fetched_at) from fct_articles"
        ).fetchone()
        reasons = connection.execute(
            "select stage, reason, count(*) from rejects group by all order by 3 desc, 1, 2"
        ).fetchall()
    _print_counts(
        "freshness",
        [
            ("warehouse published", _when(published_at, now)),
            ("newest article published", _when(newest_article, now)),
            ("newest capture", _when(newest_fetch, now)),
        ],
    )
    _print_counts("published", counts)
    _print_counts("rejects by reason", [(f"{stage}: {reason}", n) for stage, reason, n in reasons])
    return 0


def _version() -> str:
    """Return newsloom's installed version."""
    try:
        return version("newsloom")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser; each command lists only the options it uses."""
    warehouse = argparse.ArgumentParser(add_help=False)
    warehouse.add_argument(
        "--warehouse",
        metavar="DIR",
        help="warehouse folder (default: $NEWSLOOM_WAREHOUSE_DIR, else ./warehouse)",
    )
    lake = argparse.ArgumentParser(add_help=False)
    lake.add_argument(
        "--lake",
        metavar="URL",
        help="Parquet lake: a folder or an fsspec URL such as s3://bucket/prefix "
        "(default: <warehouse>/lake; storage options in NEWSLOOM_LAKE_OPTIONS as JSON)",
    )
    overrides = argparse.ArgumentParser(add_help=False)
    overrides.add_argument(
        "--entity-overrides",
        metavar="FILE",
        help="entity aliases/merges/blocks TOML (default: ./entity_overrides.toml if present)",
    )
    verbose = argparse.ArgumentParser(add_help=False)
    verbose.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show Prefect's and dbt's logs instead of the progress display",
    )
    running = argparse.ArgumentParser(add_help=False)
    running.add_argument("--workers", type=int, help="worker processes for extraction")
    running.add_argument("--batch-size", type=int, help="documents per batch task")
    running.add_argument(
        "--sources", metavar="FILE", help="sources config (default: ./sources.toml if present)"
    )
    running.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="allow fetching from private and loopback addresses (off: SSRF guard)",
    )
    parser = argparse.ArgumentParser(
        prog="newsloom", description="News articles in, a clean star schema out (DuckDB + Parquet)."
    )
    parser.add_argument("--version", action="version", version=f"newsloom {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        parents=[warehouse, lake, overrides, running, verbose],
        help="capture, extract, model and publish",
    )
    run.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="files or folders, page/feed/sitemap URLs, URL-list files, WARC files "
        "(default: the sources file's feeds and sitemaps, else the bundled sample)",
    )
    run.set_defaults(handler=cmd_run)

    build = sub.add_parser(
        "build",
        parents=[warehouse, lake, overrides, verbose],
        help="rebuild, test and publish the models only",
    )
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every model from the whole lake (default: update the last published "
        "warehouse with what changed; a full rebuild happens by itself when the models change)",
    )
    build.set_defaults(handler=cmd_build)

    compact = sub.add_parser(
        "compact", parents=[warehouse, lake], help="merge the lake's small Parquet part files"
    )
    compact.set_defaults(handler=cmd_compact)

    query = sub.add_parser(
        "query", parents=[warehouse], help="run SQL against the warehouse (read-only)"
    )
    query.add_argument("sql", help='e.g. "select count(*) from fct_articles"')
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.set_defaults(handler=cmd_query)

    report = sub.add_parser(
        "report", parents=[warehouse], help="write an HTML report of the published warehouse"
    )
    report.add_argument(
        "--out",
        default="report.html",
        metavar="FILE",
        help="where to write it (default: ./report.html); one file, opens offline",
    )
    report.set_defaults(handler=cmd_report)

    serve = sub.add_parser(
        "serve",
        parents=[warehouse, lake, overrides, running],
        help="run on a schedule with Prefect until stopped",
    )
    serve.add_argument("inputs", nargs="*", metavar="INPUT", help="as for run")
    serve.add_argument("--cron", help='cron schedule, e.g. "*/15 * * * *"')
    serve.add_argument("--interval", type=float, metavar="SECONDS", help="run every N seconds")
    serve.add_argument("--name", default="newsloom", help="deployment name")
    serve.add_argument(
        "--stop-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="on Ctrl-C or SIGTERM, how long the run in progress may go on before it is "
        "cancelled (default 60; a second Ctrl-C cancels at once)",
    )
    serve.set_defaults(handler=cmd_serve)

    sources = sub.add_parser("sources", help="validate and list the sources config")
    sources.add_argument("file", nargs="?", default=DEFAULT_SOURCES, help="default: sources.toml")
    sources.set_defaults(handler=cmd_sources)

    status = sub.add_parser(
        "status",
        parents=[warehouse, lake],
        help="last runs and their stage times, freshness, counts, rejects by reason",
    )
    status.add_argument("--limit", type=int, default=10, help="how many runs to show")
    status.set_defaults(handler=cmd_status)
    return parser


def _quiet_broken_pipe() -> None:
    """Send what is left of our output nowhere: the reader (`| head`) has gone."""
    # Python flushes stdout once more at exit; that flush must not fail as well.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    # Scheduled runs keep every log line on the console; elsewhere, logs only with -v.
    _prefect_defaults()
    log_to_terminal(err_console, verbose=getattr(args, "verbose", False) or args.command == "serve")
    try:
        return args.handler(args)
    except BrokenPipeError:
        # A reader that stops early (`newsloom query ... | head`) is no failure.
        _quiet_broken_pipe()
        return 0
    except UsageError as error:
        err_console.print(f"[bold red]error:[/] {error}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err_console.print("stopped")
        return 0 if args.command == "serve" else EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the CLI's last word: a message and exit 1
        err_console.print(f"[bold red]error:[/] {type(error).__name__}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
