"""The `newsloom` command line: run, build, query, status."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

DEFAULT_SOURCES = "sources.toml"
DEFAULT_OVERRIDES = "entity_overrides.toml"
# Piped output (CI logs, files) is not cut at 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


def _prefect_defaults() -> None:
    """Quiet, local Prefect defaults (a user's own settings win)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LOG_PRINTS", "false")
    # A first run creates Prefect's database; on a busy 2-core machine that can exceed the
    # temporary server's 20 s default, and the run would fail before any work.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def _settings(args: argparse.Namespace) -> Any:
    """Return the Settings for these arguments."""
    from transforms.settings import Settings

    overrides: dict[str, Any] = {"warehouse_dir": Path(args.warehouse)}
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


def cmd_run(args: argparse.Namespace) -> int:
    """Run the whole pipeline over the inputs (default: the bundled sample)."""
    from flows.ingest import ingest_articles

    settings = _settings(args)
    summary = ingest_articles(inputs=args.inputs or None, settings=settings)
    rows: list[tuple[str, Any]] = [
        ("run", summary.run_id),
        ("captured (new)", summary.count_captured),
        ("unchanged (skipped)", summary.count_unchanged),
        ("articles extracted", summary.count_extracted),
        ("rejected", summary.count_rejected),
    ]
    rows += [
        (f"  rejected: {reason}", n) for reason, n in sorted(summary.rejects_by_reason.items())
    ]
    rows += [(f"published {table}", n) for table, n in sorted(summary.counts_published.items())]
    _print_counts("newsloom run", rows)
    console.print(f"warehouse: {settings.resolved().database_path}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Rebuild, test and publish the models from the lake."""
    from flows.build import build_warehouse
    from transforms.warehouse.publish import warehouse_lock

    settings = _settings(args)
    with warehouse_lock(settings.warehouse_dir):
        counts = build_warehouse(settings=settings, full_refresh=args.full_refresh)
    _print_counts("newsloom build", [(f"published {t}", n) for t, n in sorted(counts.items())])
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
    ingest_articles.serve(
        name=args.name,
        cron=args.cron,
        interval=timedelta(seconds=args.interval) if args.interval else None,
        parameters={"inputs": args.inputs or None, "settings": settings.model_dump(mode="json")},
        limit=1,
        pause_on_shutdown=False,
    )
    return 0


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


def _open_read_only(warehouse: str) -> Any:
    """Return a read-only connection to the published warehouse."""
    import duckdb

    path = Path(warehouse) / "newsloom.duckdb"
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `newsloom run` first")
    return duckdb.connect(str(path), read_only=True)


def cmd_query(args: argparse.Namespace) -> int:
    """Run SQL against the published warehouse (read-only)."""
    with _open_read_only(args.warehouse) as connection:
        cursor = connection.execute(args.sql)
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


def cmd_status(args: argparse.Namespace) -> int:
    """Show the last runs, the published counts and the rejects by reason."""
    from transforms.lake import connect_lake, lake_exists

    settings = _settings(args)
    if not lake_exists(settings.lake_dir):
        err_console.print(f"no lake at {settings.lake_dir}: run `newsloom run` first")
        return 1
    with connect_lake(settings.lake_dir) as connection:
        runs = connection.execute(
            """
            select run_id, arg_max(run_status, coalesce(ended_at, started_at)), min(started_at),
                max(ended_at), max(count_captured), max(count_extracted), max(count_rejected),
                arg_max(detail, coalesce(ended_at, started_at))
            from runs group by run_id order by min(started_at) desc limit ?
            """,
            [args.limit],
        ).fetchall()
    table = Table(
        "run",
        "status",
        "started (UTC)",
        "ended (UTC)",
        "captured",
        "extracted",
        "rejected",
        "detail",
    )
    for run in runs:
        table.add_row(
            *(
                ("" if v is None else str(v)[:19] if i in (2, 3) else str(v))
                for i, v in enumerate(run)
            )
        )
    console.print(table)
    if not settings.database_path.exists():
        console.print("nothing published yet")
        return 0
    with _open_read_only(args.warehouse) as connection:
        counts = [
            (name, connection.execute(f"select count(*) from {name}").fetchone()[0])
            for name in ("fct_articles", "dim_sources", "article_texts", "rejects")
        ]
        reasons = connection.execute(
            "select stage, reason, count(*) from rejects group by all order by 3 desc, 1, 2"
        ).fetchall()
    _print_counts("published", counts)
    _print_counts("rejects by reason", [(f"{stage}: {reason}", n) for stage, reason, n in reasons])
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--entity-overrides",
        metavar="FILE",
        help="entity aliases/merges/blocks TOML (default: ./entity_overrides.toml if present)",
    )
    common.add_argument(
        "--warehouse",
        default="warehouse",
        metavar="DIR",
        help="warehouse folder (default: ./warehouse)",
    )
    common.add_argument(
        "--lake",
        metavar="URL",
        help="Parquet lake: a folder or an fsspec URL such as s3://bucket/prefix "
        "(default: <warehouse>/lake; storage options in NEWSLOOM_LAKE_OPTIONS as JSON)",
    )
    parser = argparse.ArgumentParser(
        prog="newsloom", description="News articles in, a clean star schema out (DuckDB + Parquet)."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", parents=[common], help="capture, extract, model and publish")
    run.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="files or folders, page/feed/sitemap URLs, URL-list files, WARC files "
        "(default: the sources file's feeds and sitemaps, else the bundled sample)",
    )
    run.add_argument("--workers", type=int, help="worker processes for extraction")
    run.add_argument("--batch-size", type=int, help="documents per batch task")
    run.add_argument(
        "--sources", metavar="FILE", help="sources config (default: ./sources.toml if present)"
    )
    run.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="allow fetching from private and loopback addresses (off: SSRF guard)",
    )
    run.set_defaults(handler=cmd_run)

    build = sub.add_parser(
        "build", parents=[common], help="rebuild, test and publish the models only"
    )
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every model from the whole lake (default: update the last published "
        "warehouse with what changed; a full rebuild happens by itself when the models change)",
    )
    build.set_defaults(handler=cmd_build)

    compact = sub.add_parser(
        "compact", parents=[common], help="merge the lake's small Parquet part files"
    )
    compact.set_defaults(handler=cmd_compact)

    query = sub.add_parser(
        "query", parents=[common], help="run SQL against the warehouse (read-only)"
    )
    query.add_argument("sql", help='e.g. "select count(*) from fct_articles"')
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.set_defaults(handler=cmd_query)

    serve = sub.add_parser(
        "serve", parents=[common], help="run on a schedule with Prefect until stopped"
    )
    serve.add_argument("inputs", nargs="*", metavar="INPUT", help="as for run")
    serve.add_argument("--cron", help='cron schedule, e.g. "*/15 * * * *"')
    serve.add_argument("--interval", type=float, metavar="SECONDS", help="run every N seconds")
    serve.add_argument("--name", default="newsloom", help="deployment name")
    serve.add_argument("--workers", type=int, help="worker processes for extraction")
    serve.add_argument("--batch-size", type=int, help="documents per batch task")
    serve.add_argument("--sources", metavar="FILE", help="sources config")
    serve.add_argument("--allow-private-hosts", action="store_true", help="as for run")
    serve.set_defaults(handler=cmd_serve)

    sources = sub.add_parser("sources", help="validate and list the sources config")
    sources.add_argument("file", nargs="?", default=DEFAULT_SOURCES, help="default: sources.toml")
    sources.set_defaults(handler=cmd_sources)

    status = sub.add_parser("status", parents=[common], help="last runs, counts, rejects by reason")
    status.add_argument("--limit", type=int, default=10, help="how many runs to show")
    status.set_defaults(handler=cmd_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = build_parser().parse_args(argv)
    _prefect_defaults()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        err_console.print("stopped")
        return 0 if args.command == "serve" else 130
    except Exception as error:  # noqa: BLE001 - the CLI's last word: a message and exit 1
        err_console.print(f"[bold red]error:[/] {type(error).__name__}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
