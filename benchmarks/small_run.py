"""A small run's fixed cost: `newsloom run` on the bundled sample, here and at a git ref, in turns.

Usage: python benchmarks/small_run.py [--baseline-ref REF] [--repeats N]

Each repeat runs, for this checkout and (with --baseline-ref) the code at REF from a temporary
worktree, one after the other: a first run into a new warehouse (the whole sample: capture,
extraction, NER, models, publish) and an unchanged re-run of it (nothing new: the fixed cost of
starting Python, Prefect's temporary server and the flow). Prints the median wall seconds of each
and the ratio to the baseline, measured in the same session (the machine is shared: compare
ratios, not seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed_run(tree: Path, warehouse: Path) -> float:
    """Return the wall seconds of `newsloom run` (the code in `tree`) into `warehouse`."""
    env = {**os.environ, "NEWSLOOM_WAREHOUSE_DIR": str(warehouse)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flows.cli", "run"],
        cwd=tree,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    """Time first runs and unchanged re-runs, in turns, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-ref", help="also time the code at this git ref")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsloom-small-run-") as work:
        trees = {"this checkout": REPO}
        if args.baseline_ref:
            baseline = Path(work) / "baseline"
            subprocess.run(
                [
                    "git",
                    "-C",
                    str(REPO),
                    "worktree",
                    "add",
                    "--detach",
                    str(baseline),
                    args.baseline_ref,
                ],
                check=True,
                capture_output=True,
            )
            trees[f"at {args.baseline_ref}"] = baseline
        times: dict[tuple[str, str], list[float]] = {}
        try:
            for repeat in range(args.repeats):
                for name, tree in trees.items():
                    warehouse = Path(work) / f"warehouse-{repeat}-{len(times)}"
                    first = timed_run(tree, warehouse)
                    again = timed_run(tree, warehouse)
                    times.setdefault((name, "first run"), []).append(first)
                    times.setdefault((name, "unchanged re-run"), []).append(again)
                    print(f"repeat {repeat + 1} {name}: {first:.1f} s, re-run {again:.1f} s")
        finally:
            if args.baseline_ref:
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(baseline)],
                    check=False,
                    capture_output=True,
                )
    names = list(trees)
    print(f"\n| run | {' | '.join(names)} | ratio |")
    print(f"|---|{'---|' * len(names)}---|")
    for kind in ("first run", "unchanged re-run"):
        medians = [statistics.median(times[(name, kind)]) for name in names]
        ratio = f"{medians[0] / medians[-1]:.2f}" if len(names) > 1 else ""
        print(f"| {kind} | {' | '.join(f'{m:.1f} s' for m in medians)} | {ratio} |")


if __name__ == "__main__":
    main()
