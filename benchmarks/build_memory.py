"""Time `newsloom build` on an existing warehouse and sample its process tree's peak memory.

Usage: python benchmarks/build_memory.py WAREHOUSE [--memory-limits 1GB 768MB 512MB] [--repeat 1]
For each DuckDB memory limit (NEWSLOOM_DUCKDB_MEMORY_LIMIT) the build runs in a child process
(Prefect's temporary server included, as in a run) and is sampled every 0.5 s, as
benchmarks/run_all.py samples whole runs. Use a warehouse a benchmark run left, e.g.
/tmp/newsloom-bench/warehouse-100000-0. Prints one JSON object per limit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from run_all import MIB, REPO, TreeMemory  # noqa: E402


def build_once(warehouse: Path, memory_limit: str) -> dict[str, float]:
    """Run one forced build; return wall seconds and the tree's peak PSS and RSS in MiB."""
    env = {**os.environ, "NEWSLOOM_DUCKDB_MEMORY_LIMIT": memory_limit}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "flows.cli", "build", "--warehouse", str(warehouse)]
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    memory = TreeMemory(child.pid)
    _, stderr = child.communicate()
    memory.stop()
    if child.returncode != 0:
        raise RuntimeError(f"build failed: {stderr.decode()[-2000:]}")
    return {
        "wall_s": time.perf_counter() - started,
        "peak_tree_pss_mib": memory.peak_pss / MIB,
        "peak_tree_rss_mib": memory.peak_rss / MIB,
        "flow_process_pss_mib": memory.peak_pss_by_role.get("flow process", 0) / MIB,
    }


def main() -> None:
    """Build under each memory limit; print JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--memory-limits", nargs="+", default=["1GB", "768MB", "512MB"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    for limit in args.memory_limits:
        runs = [build_once(args.warehouse, limit) for _ in range(args.repeat)]
        summary = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(json.dumps({"memory_limit": limit, "repeat": args.repeat, **summary}), flush=True)


if __name__ == "__main__":
    main()
