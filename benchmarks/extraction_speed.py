"""Extraction stage vs single-process trafilatura bare_extraction over the same pages, same run.

Usage: python benchmarks/extraction_speed.py [--pages DIR] [--copies N] [--repeats R] [--workers W]
Reports the median seconds of each side over R interleaved repeats and the ratio (speed-up),
and each side's CPU seconds per page (newsloom's: this process, the fork server and the worker
processes together) with their ratio: on a shared machine the wall clock follows the load, the
CPU per page does not, and on W idle cores the wall speed-up is about W / that ratio.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import psutil
import trafilatura

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms.extract.article import ExtractOptions  # noqa: E402
from transforms.schemas import Capture  # noqa: E402
from transforms.workers import extract_batch  # noqa: E402


def load_pages(folder: Path, copies: int) -> list[tuple[str, bytes]]:
    """Return (locator, html bytes) pairs: each page `copies` times, each copy unique bytes."""
    pages = []
    for path in sorted(folder.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes())
        for copy in range(copies):
            pages.append((f"{path.stem}-{copy}.html", html + f"<!-- copy {copy} -->".encode()))
    return pages


def tree_cpu() -> float:
    """Return the CPU seconds of this process and its live descendants (fork server, workers)."""
    total = 0.0
    for process in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def run_baseline(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    """Time plain single-process trafilatura with metadata over all pages: (wall, CPU) s."""
    start, cpu = time.perf_counter(), time.process_time()
    for _locator, html in pages:
        trafilatura.bare_extraction(html, with_metadata=True)
    return time.perf_counter() - start, time.process_time() - cpu


def run_newsloom(
    captures: list[dict], workers: int, batch_size: int, timeout: float
) -> tuple[float, float]:
    """Time newsloom's extraction stage (batches, worker processes, cleaning): (wall, CPU) s."""
    options = ExtractOptions()
    # The pool's workers live on between batches and runs: their CPU is read before and after.
    start, cpu = time.perf_counter(), tree_cpu()
    for first in range(0, len(captures), batch_size):
        extract_batch(captures[first : first + batch_size], options, workers, timeout)
    return time.perf_counter() - start, tree_cpu() - cpu


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=REPO.parent / "shared" / "corpus" / "pages")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--timeout", type=float, default=30.0, help="per-document timeout, s")
    args = parser.parse_args()
    if not args.pages.is_dir():
        sys.exit(f"page corpus not found at {args.pages}: pass --pages DIR")
    pages = load_pages(args.pages, args.copies)
    captures = [
        Capture(locator=loc, source_kind="file", body=html).to_row("bench") for loc, html in pages
    ]
    baseline, newsloom, baseline_cpu, newsloom_cpu = [], [], [], []
    # Warm the forkserver and imports first.
    run_newsloom(captures[:50], args.workers, args.batch_size, args.timeout)
    load = os.getloadavg()
    for _ in range(args.repeats):
        wall, cpu = run_baseline(pages)
        baseline.append(wall)
        baseline_cpu.append(cpu)
        wall, cpu = run_newsloom(captures, args.workers, args.batch_size, args.timeout)
        newsloom.append(wall)
        newsloom_cpu.append(cpu)
    base_median, ours_median = statistics.median(baseline), statistics.median(newsloom)
    base_cpu, ours_cpu = statistics.median(baseline_cpu), statistics.median(newsloom_cpu)
    print(
        f"# extraction benchmark ({platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, trafilatura {trafilatura.__version__})"
    )
    print(
        f"pages: {len(pages)} ({args.copies} copies of {len(pages) // args.copies}), "
        f"repeats: {args.repeats}, workers: {args.workers}, batch size: {args.batch_size}"
    )
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("| side | median s | min–max s | pages/s | CPU ms per page (median) |")
    print("|---|---|---|---|---|")
    for name, times, cpu in (
        ("trafilatura bare_extraction, 1 process", baseline, base_cpu),
        ("newsloom extract stage", newsloom, ours_cpu),
    ):
        median = statistics.median(times)
        spread = f"{min(times):.2f}–{max(times):.2f}"
        per_page = 1000 * cpu / len(pages)
        print(f"| {name} | {median:.2f} | {spread} | {len(pages) / median:.1f} | {per_page:.1f} |")
    print(f"\nspeed-up (baseline median / newsloom median): {base_median / ours_median:.2f}x")
    print(f"CPU per page, newsloom / trafilatura: {ours_cpu / base_cpu:.3f}")


if __name__ == "__main__":
    main()
