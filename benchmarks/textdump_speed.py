"""Text-mode extraction per page vs trafilatura on the same pages' HTML, same run, one process.

Usage: python benchmarks/textdump_speed.py [--pages DIR] [--flattener NAME] [--repeats R]

The real-page corpus is flattened once (textdump_data.py; not timed). Then, over R interleaved
repeats, one process times:
- trafilatura: bare_extraction(html, with_metadata=True) on every page;
- text mode: transforms.extract.text.extract_text_document(dump) on every page's dump;
- and the whole extraction of one capture (extract_capture: decoding, extraction, language,
  publisher, signatures) for the HTML capture and for the text capture of each page.
Reports the median seconds per page of each and the ratios (trafilatura / text mode: above 1
means text mode is faster).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))

from textdump_data import DEFAULT_PAGES, FLATTENERS, load_page_dumps  # noqa: E402

from transforms.extract.article import ExtractOptions, extract_capture  # noqa: E402
from transforms.extract.text import extract_text_document, load_model  # noqa: E402
from transforms.schemas import Capture  # noqa: E402


def timed(function: Callable[[], object]) -> float:
    """Return the seconds one call takes."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--flattener", choices=list(FLATTENERS), default="html_text")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not args.pages.is_dir():
        sys.exit(f"page corpus not found at {args.pages} (pass --pages)")
    pages = [
        (name, html, dump)
        for name, flattener, html, dump in load_page_dumps(args.pages)
        if flattener == args.flattener
    ]
    options = ExtractOptions(min_article_words=1)
    html_captures = [
        Capture(locator=f"{name}.html", source_kind="file", body=html.encode()).to_row("bench")
        for name, html, _dump in pages
    ]
    text_captures = [
        Capture(
            locator=f"{name}.txt", source_kind="text", body=dump.encode(), content_type="text/plain"
        ).to_row("bench")
        for name, _html, dump in pages
    ]
    load_model()
    sides: dict[str, Callable[[], object]] = {
        "trafilatura bare_extraction (HTML)": lambda: [
            trafilatura.bare_extraction(html, with_metadata=True) for _n, html, _d in pages
        ],
        "text mode extract_text_document (dump)": lambda: [
            extract_text_document(dump) for _n, _h, dump in pages
        ],
        "extract_capture, HTML capture": lambda: [
            extract_capture(capture, options) for capture in html_captures
        ],
        "extract_capture, text capture": lambda: [
            extract_capture(capture, options) for capture in text_captures
        ],
    }
    for function in sides.values():  # warm-up: imports, caches, the model
        function()
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, function in sides.items():
            times[name].append(timed(function))
    medians = {name: statistics.median(values) for name, values in times.items()}
    names = list(sides)
    print(
        f"{len(pages)} pages ({args.flattener} dumps), {args.repeats} interleaved repeats, "
        f"python {platform.python_version()}, one process\n"
    )
    print("| side | median s (all pages) | ms per page |")
    print("|---|---:|---:|")
    for name in names:
        print(f"| {name} | {medians[name]:.2f} | {1000 * medians[name] / len(pages):.1f} |")
    print(
        f"\ntrafilatura / text mode: {medians[names[0]] / medians[names[1]]:.2f}x; "
        f"extract_capture HTML / text: {medians[names[2]] / medians[names[3]]:.2f}x"
    )


if __name__ == "__main__":
    main()
