"""Time the SQL models (dbt build: every model and data test) on a synthetic lake of N articles.

Usage: python benchmarks/sql_build.py [--articles 1000000] [--memory-limit 3GB] [--keep DIR]
    [--repeat N] [--dbt-command build|run] [--generate-only] [--increment 10000]
    [--increment-dates uniform|recent] [--series 8]
Articles are the real pages' extracted rows (transforms.extract.article on ../shared/corpus/pages),
replicated with unique ids, URLs, titles, bodies, publishers (500) and dates (three years), and
random MinHash signatures of which 3% are near-duplicates of another article and 10% share a
topic signature (same story). Captures are written without bytes; mentions are left empty.
The build runs in a child process through transforms.warehouse.models.run_models into a fresh DuckDB
file, with DuckDB's memory_limit (settings.duckdb_memory_limit) as given; `--dbt-command run`
runs the models without their data tests. With --keep DIR an existing lake in DIR/lake is
reused (no regeneration; --articles is then only a label). --repeat N builds N times and
reports the median.
Each build is followed by a publish (marts to Parquet, transforms.warehouse.publish) into
DIR/warehouse:
the marts exist once both are done, so `marts_s` (the target's figure) is their sum.
Prints one JSON object: rows, lake bytes, generation, build, publish and marts seconds (medians;
marts for each run), the build process's CPU seconds (user + sys: steadier than wall seconds on a
shared machine), peak RSS of the builds, the summed model and data-test seconds and the
slowest nodes (from the last build's dbt results; every node's in DIR/nodes-<mode>.json).

With --increment K, the lake's N articles are built and published once from nothing (the last
publish; `base_full_s`), then K more articles (new part files, kept in DIR/increment) join the
lake, and each repeat times, back to back from that publish, a run's incremental build (copy of
its DuckDB file, dbt without --full-refresh, publish keeping unchanged Parquet parts: as
flows/build.py does) and a full rebuild (`newsloom build --full-refresh`: every model from the
whole lake, published into the same warehouse) of the same N + K articles; it reports both
medians, their ratio, and checks that both published the same row counts.
The increment's publication dates are drawn as the lake's (`--increment-dates uniform`, over the
three years) or as a real run's (`recent`: within the lake's last RECENT_DAYS days, except a
share OLDER_SHARE drawn over the three years); each kind is kept in its own folder
(DIR/increment, DIR/increment-recent), and the lake and its base build are the same for both.

With --series S (and --increment K), the same base publish then takes S runs in a row, each
adding K new articles (a new part file each, kept in DIR/series-<dates>/<run>) and building
incrementally on the last run's publish, as a scheduled pipeline does; then one full rebuild
of the final lake. It reports every run's seconds and DuckDB file size, so any cost that grows
run after run or comes now and then shows (DuckDB's checkpoint vacuum merging a table's row
groups: DIR/series-<dates>/storage-<run>.json has per table the rows, blocks, row groups and
blocks that run wrote), and checks that the last run published the full rebuild's row counts.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms import lake  # noqa: E402
from transforms.extract.article import (  # noqa: E402
    EXTRACTOR_VERSION,
    ExtractOptions,
    extract_capture,
)
from transforms.schemas import ARTICLE_SCHEMA, CAPTURE_SCHEMA, Capture, make_id  # noqa: E402

DEFAULT_PAGES = REPO.parent / "shared" / "corpus" / "pages"
PART_ROWS = 50_000
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 86400
SOURCES = 500
# A real run's articles: published within the lake's last few days, a few of them older (a
# crawl also finds pages published long ago).
RECENT_DAYS = 3
OLDER_SHARE = 0.02
INCREMENT_DATES = ("uniform", "recent")


def template_articles(pages_dir: Path) -> list[dict]:
    """Return the real article rows extracted from the page corpus."""
    rows = []
    for path in sorted(pages_dir.glob("*.html.gz")):
        capture = Capture(
            locator=path.name, source_kind="file", body=gzip.decompress(path.read_bytes())
        ).to_row("bench")
        result = extract_capture(capture, ExtractOptions())
        if isinstance(result, dict):
            rows.append(result)
    if not rows:
        raise SystemExit(f"no article pages in {pages_dir}: give --pages")
    return rows


def recent_seconds(count: int, rng: np.random.Generator) -> np.ndarray:
    """Return publication offsets (s) within the last RECENT_DAYS days, OLDER_SHARE any time."""
    seconds = rng.integers(SPAN_SECONDS - RECENT_DAYS * 86400, SPAN_SECONDS, size=count)
    older = rng.random(count) < OLDER_SHARE
    seconds[older] = rng.integers(0, SPAN_SECONDS, size=int(older.sum()))
    return seconds


def article_part(
    templates: list[dict],
    first: int,
    count: int,
    rng: np.random.Generator,
    dates: str = "uniform",
) -> pa.Table:
    """Return `count` synthetic article rows starting at number `first`, dated as `dates` says."""
    numbers = range(first, first + count)
    picks = [templates[number % len(templates)] for number in numbers]
    minhash = rng.integers(0, 2**62, size=(count, 128), dtype=np.int64)
    topic = rng.integers(0, 2**62, size=(count, 64), dtype=np.int64)
    near = np.flatnonzero(rng.random(count) < 0.03)
    near = near[near > 0]
    minhash[near, :120] = minhash[near - 1, :120]
    story = np.flatnonzero(rng.random(count) < 0.10)
    story = story[story > 0]
    topic[story, :56] = topic[story - 1, :56]
    seconds = rng.integers(0, SPAN_SECONDS, size=count)
    if dates == "recent":
        # drawn apart, so that every other value (ids, signatures) stays as a uniform increment's
        seconds = recent_seconds(count, np.random.default_rng([first, count]))
    source_numbers = rng.zipf(1.3, size=count) % SOURCES
    columns: dict[str, list] = {field.name: [] for field in ARTICLE_SCHEMA}
    for offset, (number, template) in enumerate(zip(numbers, picks, strict=True)):
        domain = f"outlet{source_numbers[offset]:03d}.example"
        body = f"{template['body_text']}\nSynthetic article {number}."
        published = START + timedelta(seconds=int(seconds[offset]))
        row = {
            **template,
            "article_id": make_id("article", str(number)),
            "capture_id": make_id("capture", str(number)),
            "locator": f"https://{domain}/news/{number}",
            "source_kind": "url",
            "url": f"https://{domain}/news/{number}",
            "canonical_url": f"https://{domain}/news/{number}",
            "canonical_url_source": "link",
            "source_id": domain,
            "source_domain": domain,
            "source_name": domain.split(".")[0].title(),
            "source_id_source": "url",
            "title": f"{template.get('title') or 'Untitled'} ({number})",
            "published_at": published,
            "published_at_source": "meta",
            # written in UTC, as extraction stores a date with its zone
            "published_at_local": published.replace(tzinfo=None),
            "published_utc_offset_minutes": 0,
            "published_date": published.date(),
            "body_text": body,
            "content_sha256": make_id("content", str(number)),
            "minhash": minhash[offset].tolist(),
            "topic_minhash": topic[offset].tolist(),
            "_run_id": "bench",
        }
        for name, values in columns.items():
            values.append(row.get(name))
    return pa.Table.from_pydict(columns, schema=ARTICLE_SCHEMA)


def capture_part(articles: pa.Table) -> pa.Table:
    """Return capture rows (no bytes) for the articles: the models only need them to exist."""
    count = articles.num_rows
    given = {
        "capture_id": articles["capture_id"],
        "locator": articles["locator"],
        "source_kind": articles["source_kind"],
        "fetched_at": articles["fetched_at"],
        "http_status": pa.array([200] * count, pa.int32()),
        "body": pa.array([b""] * count, pa.large_binary()),
        "body_sha256": articles["content_sha256"],
        "count_bytes": pa.array([0] * count, pa.int64()),
        "_run_id": articles["_run_id"],
    }
    return pa.table(
        {
            field.name: given.get(field.name, pa.nulls(count, field.type))
            for field in CAPTURE_SCHEMA
        },
        schema=CAPTURE_SCHEMA,
    )


def check_lake_version(lake_dir: Path) -> None:
    """Exit when a kept lake was written by another extractor version (the models skip it)."""
    import duckdb

    pattern = lake.sql_literal(str(lake_dir / "articles" / "*.parquet"))
    versions = duckdb.sql(f"select distinct extractor_version from read_parquet({pattern})")
    stale = sorted({row[0] for row in versions.fetchall()} - {EXTRACTOR_VERSION})
    if stale:
        # The staging models read only the current extractor version's rows: the marts of
        # such a lake are empty, and its timings mean nothing.
        raise SystemExit(
            f"{lake_dir} holds articles of extractor version {stale}, not {EXTRACTOR_VERSION}:"
            " remove it (or give another --keep) to generate it again"
        )


def write_lake(lake_dir: Path, count: int, pages_dir: Path, seed: int) -> float:
    """Write the synthetic lake; return the seconds it took."""
    started = time.perf_counter()
    lake.ensure_lake(lake_dir)
    templates = template_articles(pages_dir)
    rng = np.random.default_rng(seed)
    for first in range(0, count, PART_ROWS):
        articles = article_part(templates, first, min(PART_ROWS, count - first), rng)
        part = f"bench-{first // PART_ROWS:05d}"
        lake.write_table(lake_dir, "articles", articles, part)
        lake.write_table(lake_dir, "captures", capture_part(articles), part)
    return time.perf_counter() - started


BUILD_CHILD = """
import json, resource, shutil, sys, time
from pathlib import Path
from dbt.cli.main import dbtRunner
from transforms.enrich.entities.model import stage_version
from transforms.warehouse.models import run_models
from transforms.warehouse.publish import publish_warehouse
from transforms.settings import SQL_DIR
work, threads, limit, command = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
mode, warehouse = sys.argv[5], Path(sys.argv[6])
if command != "build":
    # run_models always builds; swap the dbt command for a models-only timing.
    invoke = dbtRunner.invoke
    dbtRunner.invoke = lambda self, args, **kwargs: invoke(self, [command, *args[1:]], **kwargs)
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, started_cpu = time.perf_counter(), cpu()
if mode == "full":
    shutil.rmtree(warehouse, ignore_errors=True)
# As flows/build.py: an incremental build updates a copy of the last published database
# (copied while dbt starts: build_s counts it).
results = run_models(
    SQL_DIR, work / "bench.duckdb", work / "lake", work, threads, stage_version(), limit,
    full_refresh=mode != "incremental",
    copy_from=warehouse / "newsloom.duckdb" if mode == "incremental" else None,
)
built, built_cpu = time.perf_counter(), cpu()
counts = publish_warehouse(
    work / "bench.duckdb", warehouse, f"bench-{time.time_ns()}", work / "lake", limit
)
published, published_cpu = time.perf_counter(), cpu()
print(json.dumps({
    "build_s": built - started, "publish_s": published - built,
    "build_cpu_s": built_cpu - started_cpu, "publish_cpu_s": published_cpu - built_cpu,
    "counts": counts,
    "nodes": [[r.resource_type, r.node_name, r.seconds] for r in results],
}))
"""


def build_models(
    work: Path,
    threads: int,
    memory_limit: str,
    command: str = "build",
    mode: str = "full",
    warehouse: Path | None = None,
) -> dict:
    """Build (dbt) then publish in a child process; return seconds of each and peak RSS MiB.

    mode "full" builds from nothing and publishes into a new warehouse; "refresh" builds from
    nothing and publishes into the warehouse (`newsloom build --full-refresh`); "incremental"
    updates a copy of the warehouse's published database and publishes into it.
    """
    for stale in (work / "bench.duckdb", work / "bench.duckdb.wal"):
        stale.unlink(missing_ok=True)
    warehouse = warehouse or work / "warehouse"
    child = subprocess.run(
        [sys.executable, "-c", BUILD_CHILD, str(work), str(threads), memory_limit, command, mode,
         str(warehouse)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )  # fmt: skip
    if child.returncode:
        raise SystemExit(f"{mode} build failed:\n{child.stdout[-3000:]}\n{child.stderr[-3000:]}")
    timings = json.loads(child.stdout.strip().splitlines()[-1])
    # Every node's seconds of the last build of each mode, for a per-node comparison.
    (work / f"nodes-{mode}.json").write_text(json.dumps(timings["nodes"], indent=0))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        **timings,
        "marts_s": timings["build_s"] + timings["publish_s"],
        "marts_cpu_s": timings["build_cpu_s"] + timings["publish_cpu_s"],
        "peak": peak / 1024,
    }


INCREMENT_PREFIX = "increment-"
# CPU seconds (user + sys) of the build process: steadier than wall time on a shared machine.
CPU_KEYS = ("build_cpu_s", "publish_cpu_s", "marts_cpu_s")


def increment_folder(work: Path, dates: str = "uniform") -> Path:
    """Return the folder of the increment whose publication dates are drawn as `dates` says."""
    return work / ("increment" if dates == "uniform" else f"increment-{dates}")


def write_increment(
    work: Path,
    first: int,
    count: int,
    pages_dir: Path,
    seed: int,
    dates: str = "uniform",
    folder: Path | None = None,
) -> None:
    """Write `count` more articles (numbers from `first`) as part files in the increment folder."""
    folder = folder or increment_folder(work, dates)
    if (folder / "articles").is_dir():
        return
    templates = template_articles(pages_dir)
    rng = np.random.default_rng(seed + 1)
    articles = article_part(templates, first, count, rng, dates)
    part = f"{INCREMENT_PREFIX}{first}"
    for table, data in (("articles", articles), ("captures", capture_part(articles))):
        (folder / table).mkdir(parents=True, exist_ok=True)
        pq.write_table(data, folder / table / f"{part}.parquet", compression="zstd")


def set_increment(
    work: Path, present: bool, dates: str = "uniform", folders: list[Path] | None = None
) -> None:
    """Put the increment's part files into the lake (links), or take any increment's out.

    folders, if given, are the increments to put in (a series' runs so far).
    """
    for table in ("articles", "captures"):
        for path in (work / "lake" / table).glob(f"{INCREMENT_PREFIX}*.parquet"):
            path.unlink()
        if present:
            for folder in folders or [increment_folder(work, dates)]:
                for path in (folder / table).glob("*.parquet"):
                    os.link(path, work / "lake" / table / path.name)


def build_base(args: argparse.Namespace, work: Path) -> tuple[Path, dict]:
    """Build and publish the lake without any increment from nothing (DIR/base-warehouse)."""
    set_increment(work, present=False)
    base = work / "base-warehouse"
    shutil.rmtree(base, ignore_errors=True)
    return base, build_models(work, args.threads, args.memory_limit, warehouse=base)


def database_mib(warehouse: Path) -> float:
    """Return the size of a warehouse's DuckDB file in MiB."""
    return (warehouse / "newsloom.duckdb").stat().st_size / 2**20


def storage_summary(
    database: Path, before: dict[str, set[int]] | None = None
) -> tuple[dict[str, list[int]], dict[str, set[int]]]:
    """Per table of a DuckDB file: [rows, storage blocks, row groups, blocks not in before].

    Also the file's blocks (total, used, free) and each table's set of block ids (the next
    run's `before`): a table's blocks that were not its blocks before were written by the
    run's checkpoint (DuckDB frees a rewritten block only after the checkpoint).
    """
    import duckdb

    before = before or {}
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select schema_name || '.' || table_name, estimated_size from duckdb_tables()"
        ).fetchall()
        summary, block_sets = {}, {}
        for name, rows in tables:
            blocks, groups = con.execute(
                "select list(distinct block_id) filter (where block_id >= 0),"
                f" count(distinct row_group_id) from pragma_storage_info('{name}')"
            ).fetchone()
            block_sets[name] = set(blocks or [])
            written = len(block_sets[name] - before.get(name, set()))
            summary[name] = [rows, len(block_sets[name]), groups, written]
        # The file's blocks: in use, and free (left by rewritten data, for later writes).
        total, used, free = con.execute(
            "select total_blocks, used_blocks, free_blocks from pragma_database_size()"
        ).fetchone()
        summary["file blocks (total, used, free)"] = [total, used, free]
    return summary, block_sets


def run_series(args: argparse.Namespace, work: Path) -> dict:
    """Time a series of incremental runs, each on the last one's publish, then a full rebuild."""
    series_dir = work / f"series-{args.increment_dates}"
    folders = [series_dir / str(run) for run in range(args.series)]
    for run, folder in enumerate(folders):
        # Article numbers and random streams of their own: no run repeats another's articles.
        first = args.articles + run * args.increment
        write_increment(
            work, first, args.increment, args.pages, args.seed + 100 + run,
            args.increment_dates, folder,
        )  # fmt: skip
        check_lake_version(folder)
    base, base_run = build_base(args, work)
    base_storage, block_sets = storage_summary(base / "newsloom.duckdb")
    (series_dir / "storage-base.json").write_text(json.dumps(base_storage, indent=0))
    warehouse = work / "series-warehouse"
    shutil.rmtree(warehouse, ignore_errors=True)
    shutil.copytree(base, warehouse, symlinks=True, copy_function=os.link)
    runs = []
    try:
        for run in range(args.series):
            set_increment(work, present=True, folders=folders[: run + 1])
            timings = build_models(
                work, args.threads, args.memory_limit, mode="incremental", warehouse=warehouse
            )
            timings["database_mib"] = database_mib(warehouse)
            timings["storage"], block_sets = storage_summary(
                warehouse / "newsloom.duckdb", block_sets
            )
            (series_dir / f"storage-{run}.json").write_text(
                json.dumps(timings["storage"], indent=0)
            )
            runs.append(timings)
            # Every node's seconds of each run, to see which grow run after run.
            shutil.copyfile(work / "nodes-incremental.json", series_dir / f"nodes-{run}.json")
        # The full rebuild of the final lake publishes into a copy of the last run's warehouse.
        full_copy = work / "series-refresh-warehouse"
        shutil.rmtree(full_copy, ignore_errors=True)
        shutil.copytree(warehouse, full_copy, symlinks=True, copy_function=os.link)
        full = build_models(
            work, args.threads, args.memory_limit, mode="refresh", warehouse=full_copy
        )
        full["database_mib"] = database_mib(full_copy)
    finally:
        set_increment(work, present=False)
    incremental_s = statistics.median(run["marts_s"] for run in runs)
    half = max(1, len(runs) // 2)
    return {
        "articles": args.articles,
        "increment": args.increment,
        "increment_dates": args.increment_dates,
        "series": args.series,
        "memory_limit": args.memory_limit,
        "threads": args.threads,
        "base_full_s": base_run["marts_s"],
        "base_database_mib": database_mib(base),
        "runs": [
            {
                key: run[key]
                for key in ("build_s", "publish_s", "marts_s", *CPU_KEYS, "database_mib", "storage")
            }
            for run in runs
        ],
        "incremental_s": incremental_s,
        # The later half's median over the earlier half's: above 1, a run costs more the more
        # runs came before it.
        "later_over_earlier": statistics.median(run["marts_s"] for run in runs[-half:])
        / statistics.median(run["marts_s"] for run in runs[:half]),
        "later_over_earlier_cpu": statistics.median(run["marts_cpu_s"] for run in runs[-half:])
        / statistics.median(run["marts_cpu_s"] for run in runs[:half]),
        "full_s": full["marts_s"],
        "full_cpu_s": full["marts_cpu_s"],
        "full_database_mib": full["database_mib"],
        "incremental_over_full": incremental_s / full["marts_s"],
        "same_published_counts": runs[-1]["counts"] == full["counts"],
        "counts": full["counts"],
        "peak_rss_mib": max(run["peak"] for run in [*runs, full]),
    }


def compare_increment(args: argparse.Namespace, work: Path) -> dict:
    """Time incremental builds of the increment against full rebuilds, in one run."""
    write_increment(
        work, args.articles, args.increment, args.pages, args.seed, args.increment_dates
    )
    check_lake_version(increment_folder(work, args.increment_dates))
    base, base_run = build_base(args, work)
    base_mib = database_mib(base)
    set_increment(work, present=True, dates=args.increment_dates)
    incremental_runs, full_runs = [], []
    for _ in range(args.repeat):
        runs = {}
        for mode in ("incremental", "refresh"):
            # Each run starts from the base's publish: a hard-linked copy (a publish never
            # writes a published file in place, so the base stays as it was).
            copy = work / f"{mode}-warehouse"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(base, copy, symlinks=True, copy_function=os.link)
            runs[mode] = build_models(
                work, args.threads, args.memory_limit, mode=mode, warehouse=copy
            )
        incremental_runs.append(runs["incremental"])
        full_runs.append(runs["refresh"])
    set_increment(work, present=False)
    same_counts = all(
        run["counts"] == full["counts"]
        for run, full in zip(incremental_runs, full_runs, strict=True)
    )
    incremental_s = statistics.median(run["marts_s"] for run in incremental_runs)
    full_s = statistics.median(run["marts_s"] for run in full_runs)
    return {
        "articles": args.articles,
        "increment": args.increment,
        "increment_dates": args.increment_dates,
        "memory_limit": args.memory_limit,
        "threads": args.threads,
        "base_full_s": base_run["marts_s"],
        "database_mib": base_mib,
        "incremental_s": incremental_s,
        "full_s": full_s,
        "incremental_over_full": incremental_s / full_s,
        "incremental_cpu_s": statistics.median(run["marts_cpu_s"] for run in incremental_runs),
        "full_cpu_s": statistics.median(run["marts_cpu_s"] for run in full_runs),
        "incremental_runs": [
            {key: run[key] for key in ("build_s", "publish_s", "marts_s", *CPU_KEYS)}
            for run in incremental_runs
        ],
        "full_runs": [
            {key: run[key] for key in ("build_s", "publish_s", "marts_s", *CPU_KEYS)}
            for run in full_runs
        ],
        "same_published_counts": same_counts,
        "counts": full_runs[-1]["counts"],
        "slowest_incremental_nodes_s": model_seconds(incremental_runs[-1]),
        "slowest_full_nodes_s": model_seconds(full_runs[-1]),
        "peak_rss_mib": max(run["peak"] for run in incremental_runs + full_runs),
    }


def model_seconds(run: dict, top: int = 12) -> dict[str, float]:
    """Return the slowest nodes' execution seconds in a build's results."""
    slowest = sorted(run["nodes"], key=lambda node: -node[2])[:top]
    return {name: seconds for _kind, name, seconds in slowest}


def kind_seconds(run: dict) -> dict[str, float]:
    """Return the summed execution seconds per node kind (model, test) of a build's results."""
    sums: dict[str, float] = {}
    for kind, _name, seconds in run["nodes"]:
        sums[kind] = sums.get(kind, 0.0) + seconds
    return sums


def main() -> None:
    """Write the lake, build the models, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GB", help="the build's DuckDB cap")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--keep", type=Path, help="work folder to keep; its lake is reused (default: a temp dir)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="builds to run (median reported)")
    parser.add_argument(
        "--dbt-command", default="build", choices=["build", "run"], help="run: models only"
    )
    parser.add_argument("--generate-only", action="store_true", help="write the lake, no build")
    parser.add_argument(
        "--increment",
        type=int,
        default=0,
        help="articles a run adds: time its incremental build against a full rebuild",
    )
    parser.add_argument(
        "--increment-dates",
        default="uniform",
        choices=INCREMENT_DATES,
        help="the increment's publication dates: as the lake's, or a real run's (recent)",
    )
    parser.add_argument(
        "--series",
        type=int,
        default=0,
        help="with --increment: this many runs in a row, each on the last one's publish",
    )
    args = parser.parse_args()
    if args.series and not args.increment:
        parser.error("--series needs --increment (the articles each run adds)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsloom-sql-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        if not (work / "lake" / "articles").is_dir():
            generate_s = write_lake(work / "lake", args.articles, args.pages, args.seed)
        else:
            generate_s = 0.0
            # A kept lake from older code gains the columns and derived tables added since, as
            # `newsloom build` does before building.
            lake.ensure_lake(work / "lake")
            check_lake_version(work / "lake")
        lake_bytes = sum(path.stat().st_size for path in (work / "lake").rglob("*.parquet"))
        if args.series:
            print(json.dumps(run_series(args, work)))
            return
        if args.increment:
            print(json.dumps(compare_increment(args, work)))
            return
        if args.generate_only:
            print(
                json.dumps(
                    {
                        "articles": args.articles,
                        "lake_mib": lake_bytes / 2**20,
                        "generate_s": generate_s,
                    }
                )
            )
            return
        runs = [
            build_models(work, args.threads, args.memory_limit, args.dbt_command)
            for _ in range(args.repeat)
        ]
        print(
            json.dumps(
                {
                    "articles": args.articles,
                    "lake_mib": lake_bytes / 2**20,
                    "generate_s": generate_s,
                    "dbt_command": args.dbt_command,
                    "marts_s": statistics.median(run["marts_s"] for run in runs),
                    "build_s": statistics.median(run["build_s"] for run in runs),
                    "publish_s": statistics.median(run["publish_s"] for run in runs),
                    "marts_runs_s": [run["marts_s"] for run in runs],
                    "marts_cpu_s": statistics.median(run["marts_cpu_s"] for run in runs),
                    "build_cpu_s": statistics.median(run["build_cpu_s"] for run in runs),
                    "marts_cpu_runs_s": [run["marts_cpu_s"] for run in runs],
                    "peak_rss_mib": max(run["peak"] for run in runs),
                    "memory_limit": args.memory_limit,
                    "threads": args.threads,
                    "node_seconds_sum": kind_seconds(runs[-1]),
                    "slowest_nodes_s": model_seconds(runs[-1]),
                }
            )
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
