"""Time the SQL models (dbt build: every model and data test) on a synthetic lake of N articles.

Usage: python benchmarks/sql_build.py [--articles 1000000] [--memory-limit 3GB] [--keep DIR]
    [--repeat N] [--dbt-command build|run] [--generate-only]
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
marts for each run), peak RSS of the builds, the summed model and data-test seconds and the
slowest nodes (from dbt's run_results.json of the last build).
"""

from __future__ import annotations

import argparse
import gzip
import json
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms import lake  # noqa: E402
from transforms.extract.article import ExtractOptions, extract_capture  # noqa: E402
from transforms.schemas import ARTICLE_SCHEMA, CAPTURE_SCHEMA, Capture, make_id  # noqa: E402

DEFAULT_PAGES = REPO.parent / "shared" / "corpus" / "pages"
PART_ROWS = 50_000
START = datetime(2023, 1, 1, tzinfo=UTC)
SOURCES = 500


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
    return rows


def article_part(
    templates: list[dict], first: int, count: int, rng: np.random.Generator
) -> pa.Table:
    """Return `count` synthetic article rows starting at number `first`."""
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
    seconds = rng.integers(0, 3 * 365 * 86400, size=count)
    source_numbers = rng.zipf(1.3, size=count) % SOURCES
    columns: dict[str, list] = {field.name: [] for field in ARTICLE_SCHEMA}
    for offset, (number, template) in enumerate(zip(numbers, picks, strict=True)):
        domain = f"outlet{source_numbers[offset]:03d}.example"
        body = f"{template['body_text']}\nSynthetic article {number}."
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
            "published_at": START + timedelta(seconds=int(seconds[offset])),
            "published_at_source": "meta",
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
import json, shutil, sys, time
from pathlib import Path
from dbt.cli.main import dbtRunner
from transforms.enrich.entities.model import stage_version
from transforms.warehouse.models import run_models
from transforms.warehouse.publish import publish_warehouse
from transforms.settings import SQL_DIR
work, threads, limit, command = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
if command != "build":
    # run_models always builds; swap the dbt command for a models-only timing.
    invoke = dbtRunner.invoke
    dbtRunner.invoke = lambda self, args, **kwargs: invoke(self, [command, *args[1:]], **kwargs)
started = time.perf_counter()
run_models(SQL_DIR, work / "bench.duckdb", work / "lake", work, threads, stage_version(), limit)
built = time.perf_counter()
shutil.rmtree(work / "warehouse", ignore_errors=True)
publish_warehouse(work / "bench.duckdb", work / "warehouse", "bench", work / "lake", limit)
published = time.perf_counter()
print(json.dumps({"build_s": built - started, "publish_s": published - built}))
"""


def build_models(
    work: Path, threads: int, memory_limit: str, command: str = "build"
) -> dict[str, float]:
    """Build (dbt) then publish in a child process; return seconds of each and peak RSS MiB."""
    for stale in (work / "bench.duckdb", work / "bench.duckdb.wal"):
        stale.unlink(missing_ok=True)
    child = subprocess.run(
        [sys.executable, "-c", BUILD_CHILD, str(work), str(threads), memory_limit, command],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    timings = json.loads(child.stdout.strip().splitlines()[-1])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {**timings, "marts_s": timings["build_s"] + timings["publish_s"], "peak": peak / 1024}


def run_results(work: Path) -> list[dict]:
    """Return the node results of dbt's run_results.json."""
    return json.loads((work / "target" / "run_results.json").read_text())["results"]


def model_seconds(work: Path, top: int = 8) -> dict[str, float]:
    """Return the slowest nodes' execution times from dbt's run_results.json."""
    slowest = sorted(run_results(work), key=lambda result: -result["execution_time"])[:top]
    return {result["unique_id"].split(".", 1)[1]: result["execution_time"] for result in slowest}


def kind_seconds(work: Path) -> dict[str, float]:
    """Return the summed execution seconds per node kind (model, test) from run_results.json."""
    sums: dict[str, float] = {}
    for result in run_results(work):
        kind = result["unique_id"].split(".", 1)[0]
        sums[kind] = sums.get(kind, 0.0) + result["execution_time"]
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
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsloom-sql-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        if not (work / "lake" / "articles").is_dir():
            generate_s = write_lake(work / "lake", args.articles, args.pages, args.seed)
        else:
            generate_s = 0.0
        lake_bytes = sum(path.stat().st_size for path in (work / "lake").rglob("*.parquet"))
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
                    "peak_rss_mib": max(run["peak"] for run in runs),
                    "memory_limit": args.memory_limit,
                    "threads": args.threads,
                    "node_seconds_sum": kind_seconds(work),
                    "slowest_nodes_s": model_seconds(work),
                }
            )
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
