"""Run every throughput and scale benchmark and write benchmarks/RESULTS.md.

Usage: python benchmarks/run_all.py [--sizes 1000 10000] [--sql-articles 1000000] [--quick]
  --quick: sizes 200, SQL on 20,000 articles, one extraction repeat (a smoke test, minutes).

1. extraction stage vs single-process trafilatura bare_extraction (benchmarks/extraction_speed)
2. per corpus size (benchmarks/corpus.py makes unique copies of ../shared/corpus/pages):
   a `newsloom run` (benchmarks/flow_run.py) in a child process with its process tree's peak
   memory sampled, per-stage timings from the Prefect API, trafilatura over the same pages,
   then an unchanged re-run, and the lake's part files
3. the SQL models on a synthetic lake (benchmarks/sql_build.py)
Work files go to --work (default: a folder under the system temp dir), never into the repo.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil
import trafilatura

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

import extraction_speed  # noqa: E402
from corpus import DEFAULT_PAGES, corpus_files, generate_corpus  # noqa: E402

from transforms.schemas import Capture  # noqa: E402

MIB = 2**20
ROLES = (
    # Extraction and NER pools share one forkserver: their workers are told apart by neither.
    ("forkserver", "worker processes (extraction, NER)"),
    ("uvicorn", "Prefect API server"),
)
PACKAGES = ("prefect", "duckdb", "trafilatura", "pyarrow", "dbt-core", "spacy", "pebble")


class TreeMemory:
    """Sample a process tree's memory (sum of RSS and of PSS) until stopped; keep the peaks."""

    def __init__(self, pid: int, interval: float = 0.5, every: float = 5.0) -> None:
        """Start sampling the tree rooted at pid; keep PSS by role every `every` seconds too."""
        self.root = psutil.Process(pid)
        self.interval = interval
        self.every = every
        self.peak_rss = self.peak_pss = 0
        self.peak_pss_by_role: dict[str, int] = {}
        # (seconds since start, {role: PSS bytes}): where in the run memory grows
        self.timeline: list[tuple[float, dict[str, int]]] = []
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _role(self, process: psutil.Process) -> str:
        """Name what a process in the tree is for, from its command line."""
        if process.pid == self.root.pid:
            return "flow process"
        command = " ".join(process.cmdline())
        for marker, role in ROLES:
            if marker in command:
                return role
        return "other"

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            by_role: dict[str, int] = {}
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    info = process.memory_full_info()
                    role = self._role(process)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
                by_role[role] = by_role.get(role, 0) + getattr(info, "pss", info.rss)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            elapsed = time.perf_counter() - self._started
            if not self.timeline or elapsed - self.timeline[-1][0] >= self.every:
                self.timeline.append((round(elapsed, 1), by_role))
            for role, value in by_role.items():
                self.peak_pss_by_role[role] = max(self.peak_pss_by_role.get(role, 0), value)
            self._stop.wait(self.interval)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def machine() -> dict[str, str]:
    """Return what the numbers were measured on."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            versions.append(f"{name} -")
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, {platform.system()}",
        "python": platform.python_version(),
        "versions": ", ".join(versions),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    }


def bench_extraction(repeats: int, copies: int, workers: int) -> dict:
    """Time the extraction stage and single-process trafilatura, interleaved; with CPU seconds."""
    pages = extraction_speed.load_pages(DEFAULT_PAGES, copies)
    captures = [
        Capture(locator=loc, source_kind="file", body=html).to_row("bench") for loc, html in pages
    ]
    extraction_speed.run_newsloom(captures[:50], workers, 250, 30.0)
    sides: dict[str, list[tuple[float, float]]] = {"trafilatura": [], "newsloom": []}
    for _ in range(repeats):
        # Each side returns (wall, CPU) seconds; newsloom's CPU includes its worker processes.
        sides["trafilatura"].append(extraction_speed.run_baseline(pages))
        sides["newsloom"].append(extraction_speed.run_newsloom(captures, workers, 250, 30.0))
    return {"pages": len(pages), "repeats": repeats, "workers": workers, "sides": sides}


def baseline_rate(files: list[Path], limit: int) -> tuple[int, float]:
    """Return (pages, seconds) of single-process trafilatura over the first `limit` files."""
    pages = [gzip.decompress(path.read_bytes()) for path in files[:limit]]
    started = time.perf_counter()
    for html in pages:
        trafilatura.bare_extraction(html, with_metadata=True)
    return len(pages), time.perf_counter() - started


def flow_run(warehouse: Path, inputs: list[str], prefect_home: Path) -> dict:
    """Run `newsloom run` in a child process; return its timings and peak memory."""
    env = {**os.environ, "PREFECT_HOME": str(prefect_home), "PREFECT_API_URL": ""}
    env.pop("PREFECT_API_URL")
    command = [sys.executable, str(BENCH / "flow_run.py"), str(warehouse), *inputs]
    log = warehouse.parent / f"{warehouse.name}-{time.time_ns()}.log"
    with open(log, "wb") as stderr:
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr)
        memory = TreeMemory(child.pid)
        output, _ = child.communicate()
        memory.stop()
    if child.returncode != 0:
        raise RuntimeError(f"flow run failed ({child.returncode}); see {log}")
    result = json.loads(output.decode().strip().splitlines()[-1])
    result.update(
        peak_tree_rss_mib=memory.peak_rss / MIB,
        peak_tree_pss_mib=memory.peak_pss / MIB,
        peak_pss_by_role_mib={role: value / MIB for role, value in memory.peak_pss_by_role.items()},
    )
    timeline = [
        {"s": seconds, **{role: round(value / MIB) for role, value in roles.items()}}
        for seconds, roles in memory.timeline
    ]
    log.with_suffix(".memory.json").write_text(json.dumps(timeline))
    return result


def lake_files(lake_dir: Path) -> dict[str, dict[str, float]]:
    """Return per lake table: part files and their median and largest size in MiB."""
    tables = {}
    for folder in sorted(path for path in lake_dir.iterdir() if path.is_dir()):
        sizes = [path.stat().st_size / MIB for path in folder.glob("*.parquet")]
        if sizes:
            tables[folder.name] = {
                "files": len(sizes),
                "median_mib": statistics.median(sizes),
                "max_mib": max(sizes),
            }
    return tables


def bench_size(size: int, work: Path, repeats: int, baseline_pages: int) -> dict:
    """Benchmark end to end on a corpus of `size` pages."""
    corpus = generate_corpus(work / f"corpus-{size}", size)
    files = corpus_files(corpus)
    prefect_home = work / "prefect"
    runs, reruns = [], []
    for repeat in range(repeats):
        warehouse = work / f"warehouse-{size}-{repeat}"
        shutil.rmtree(warehouse, ignore_errors=True)
        runs.append(flow_run(warehouse, [str(corpus)], prefect_home))
        reruns.append(flow_run(warehouse, [str(corpus)], prefect_home))
    pages, seconds = baseline_rate(files, baseline_pages)
    return {
        "size": size,
        "runs": runs,
        "reruns": reruns,
        "baseline_pages": pages,
        "baseline_s": seconds,
        "lake": lake_files(work / f"warehouse-{size}-{repeats - 1}" / "lake"),
    }


def bench_sql(articles: int, work: Path) -> dict:
    """Run benchmarks/sql_build.py on a synthetic lake of `articles` articles."""
    command = [sys.executable, str(BENCH / "sql_build.py"), "--articles", str(articles)]
    command += ["--keep", str(work / f"sql-{articles}")]
    output = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def spread(values: list[float], digits: int = 1) -> str:
    """Return 'median (min–max)' or the single value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    low, high = min(values), max(values)
    return f"{statistics.median(values):.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def stage_seconds(run: dict, *names: str) -> float | None:
    """Return the wall seconds of the first present stage name."""
    for name in names:
        if name in run["stages"]:
            return run["stages"][name]["span_s"]
    return None


def report(results: dict) -> str:
    """Return RESULTS.md."""
    info = results["machine"]
    lines = [
        "# newsloom benchmark results",
        "",
        f"Written by `python benchmarks/run_all.py` ({' '.join(results['argv']) or 'defaults'}).",
        "",
        f"- machine: {info['machine']}; load average at start {results['load_start']}, "
        f"at end {results['load_end']} (the machine may be shared: compare ratios within a run)",
        f"- Python {info['python']}; {info['versions']}",
        f"- commit {info['commit']}, {info['date']}",
        "",
    ]
    extraction = results.get("extraction")
    if extraction:
        base = extraction["sides"]["trafilatura"]
        ours = extraction["sides"]["newsloom"]
        base_wall = statistics.median(w for w, _ in base)
        ours_wall = statistics.median(w for w, _ in ours)
        base_cpu = statistics.median(c for _, c in base)
        ours_cpu = statistics.median(c for _, c in ours)
        lines += [
            "## 1. Extraction stage vs single-process trafilatura",
            "",
            f"{extraction['pages']} pages (copies of the 110 real pages), "
            f"{extraction['repeats']} interleaved repeats, {extraction['workers']} workers.",
            "",
            "| side | wall s, median (min–max) | CPU s (all processes) | pages/s |",
            "|---|---|---|---|",
            f"| trafilatura `bare_extraction`, 1 process | {spread([w for w, _ in base], 2)} | "
            f"{base_cpu:.2f} | {extraction['pages'] / base_wall:.1f} |",
            f"| newsloom extract stage (`extract_batch`) | {spread([w for w, _ in ours], 2)} | "
            f"{ours_cpu:.2f} | {extraction['pages'] / ours_wall:.1f} |",
            "",
            f"- measured speed-up: **{base_wall / ours_wall:.2f}x** (target >= 1.7x)",
            f"- CPU per page, newsloom / trafilatura: {ours_cpu / base_cpu:.2f}; the speed-up "
            f"{extraction['workers']} idle cores allow at that cost: "
            f"{extraction['workers'] * base_cpu / ours_cpu:.2f}x",
            "",
        ]
    sizes = results.get("sizes", [])
    if sizes:
        lines += [
            "## 2. End to end: `newsloom run` on generated corpora",
            "",
            "Pages are unique copies of the real pages (own canonical URL, a new sentence per "
            "paragraph). trafilatura's rate is single-process `bare_extraction` over the first "
            "pages of the same corpus, in the same run.",
            "",
            "| documents | run wall s | docs/s | trafilatura pages/s | run / trafilatura | "
            "unchanged re-run s | re-run / run | peak tree PSS MiB | peak tree RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for entry in sizes:
            walls = [run["wall_s"] for run in entry["runs"]]
            rerun_walls = [run["wall_s"] for run in entry["reruns"]]
            rate = entry["size"] / statistics.median(walls)
            base_rate = entry["baseline_pages"] / entry["baseline_s"]
            lines.append(
                f"| {entry['size']:,} | {spread(walls)} | {rate:.1f} | {base_rate:.1f} | "
                f"{rate / base_rate:.2f}x | {spread(rerun_walls)} | "
                f"{statistics.median(rerun_walls) / statistics.median(walls):.1%} | "
                f"{max(r['peak_tree_pss_mib'] for r in entry['runs']):.0f} | "
                f"{max(r['peak_tree_rss_mib'] for r in entry['runs']):.0f} |"
            )
        lines += ["", "Peak PSS by process role (MiB, first run; peaks need not coincide):", ""]
        for entry in sizes:
            roles = entry["runs"][0]["peak_pss_by_role_mib"]
            lines.append(
                f"- {entry['size']:,} documents: "
                + ", ".join(f"{role} {value:.0f}" for role, value in sorted(roles.items()))
            )
        lines += ["", "### Per stage (first run; wall seconds from the Prefect API)", ""]
        names = []
        for entry in sizes:
            for name in entry["runs"][0]["stages"]:
                if name not in names:
                    names.append(name)
        lines.append("| stage (task) | " + " | ".join(f"{e['size']:,} docs" for e in sizes) + " |")
        lines.append("|---|" + "---|" * len(sizes))
        for name in names:
            cells = []
            for entry in sizes:
                stage = entry["runs"][0]["stages"].get(name)
                cells.append(f"{stage['span_s']:.1f} ({stage['count']} runs)" if stage else "-")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        cells = []
        for entry in sizes:
            run = entry["runs"][0]
            cells.append(
                f"{run['outside_tasks_s']:.1f} ({run['outside_tasks_s'] / run['wall_s']:.1%})"
            )
        lines.append("| outside any task (Prefect fixed cost) | " + " | ".join(cells) + " |")
        lines += [
            "",
            "`extract_articles` and `build_warehouse` are subflows: their rows include the "
            "tasks under them.",
            "",
            "### Lake part files after the runs",
            "",
            "| documents | table | files | median MiB | largest MiB |",
            "|---|---|---|---|---|",
        ]
        for entry in sizes:
            for table, stats in entry["lake"].items():
                lines.append(
                    f"| {entry['size']:,} | {table} | {stats['files']} | "
                    f"{stats['median_mib']:.2f} | {stats['max_mib']:.2f} |"
                )
        lines.append("")
    sql = results.get("sql")
    if sql:
        lines += [
            "## 3. SQL models on a synthetic lake",
            "",
            f"{sql['articles']:,} articles ({sql['lake_mib']:.0f} MiB of Parquet), `dbt build` "
            f"(every model and data test) through `transforms.warehouse.models.run_models`, "
            f"then the "
            f"publish (every mart to Parquet), DuckDB memory_limit {sql['memory_limit']}: "
            f"**{sql['marts_s']:.1f} s** to published marts (target <= 60 s): build "
            f"{sql['build_s']:.1f} s, publish {sql['publish_s']:.1f} s; "
            f"peak RSS {sql['peak_rss_mib']:.0f} MiB.",
            "",
            "| slowest nodes | s |",
            "|---|---|",
            *(f"| {name} | {seconds:.1f} |" for name, seconds in sql["slowest_nodes_s"].items()),
            "",
        ]
    lines += results.get("notes", [])
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the suite and write RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=1, help="end-to-end runs per size")
    parser.add_argument("--baseline-pages", type=int, default=2000)
    parser.add_argument("--extraction-repeats", type=int, default=3)
    parser.add_argument("--sql-articles", type=int, default=1_000_000, help="0: skip")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newsloom-bench")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite RESULTS.md from WORK/results.json"
    )
    args = parser.parse_args()
    if args.report_only:
        args.output.write_text(report(json.loads((args.work / "results.json").read_text())))
        return
    if args.quick:
        args.sizes, args.sql_articles, args.extraction_repeats = [200], 20_000, 1
    if not DEFAULT_PAGES.is_dir():
        sys.exit(f"page corpus not found at {DEFAULT_PAGES}")
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "argv": sys.argv[1:],
        "machine": machine(),
        "load_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    print("extraction stage ...", flush=True)
    results["extraction"] = bench_extraction(args.extraction_repeats, 3, os.cpu_count() or 1)
    results["sizes"] = []
    for size in args.sizes:
        print(f"end to end, {size} documents ...", flush=True)
        results["sizes"].append(bench_size(size, args.work, args.repeats, args.baseline_pages))
    if args.sql_articles:
        print(f"SQL models, {args.sql_articles} articles ...", flush=True)
        results["sql"] = bench_sql(args.sql_articles, args.work)
    results["load_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    (args.work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    args.output.write_text(report(results))
    print(f"wrote {args.output} (raw numbers: {args.work / 'results.json'})")


if __name__ == "__main__":
    main()
