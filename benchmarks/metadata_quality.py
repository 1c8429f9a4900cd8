"""Metadata quality on the WCXB dev set: newsloom beside plain trafilatura, same pages, same run.

Usage: python benchmarks/metadata_quality.py [--wcxb DIR] [--baseline-ref REF] [--details FILE]
                                             [--limit N] [--workers W] [--split even|odd]

Scores, on the dev set's article pages (gold page type `article`):
- title: normalised exact match (NFKC, case-folded, quotes/dashes unified, whitespace collapsed,
  trailing punctuation dropped);
- author: the same set of name words (lower-case `\\w+` words of every credited name, without
  connectors such as "and"/"by" and without degrees/honorifics such as "PhD", "Dr");
- date: the publisher's local publication day (gold `YYYY-MM` compares the month);
- body: word-level F1 on lower-case `\\w+` tokens (WCXB's own metric), averaged over pages;
and on every page, page type: article vs not (accuracy, precision and recall of "article").
A field is right when the value matches, or when gold and prediction are both absent; the table
also gives how often a value was emitted and how often an emitted value was right (precision):
an analyst is better served by an absent value than a wrong one.

newsloom's prediction for a page is the row `transforms.extract.article.extract_capture` returns
(a reject means "not an article", no fields). Its local day is `published_date` when the code has
it, else the UTC day of `published_at`; its page type is `page_type` when present, else "article"
for any row. trafilatura's is `bare_extraction(with_metadata=True)`: title, author, date, text,
and page type from its `pagetype` (og:type) field.

Publishers are not in WCXB's gold: benchmarks/data/publishers_dev.csv holds the source_id and
source_name (accepted spellings separated by "|") judged by hand for two samples of dev
articles: "tuned" (every 12th article page, plus the news and platform-hosted ones; looked at
while writing the rules) and "held_out" (every 24th from the 7th, judged afterwards); the table
gives how many newsloom gets right, and trafilatura's `sitename` beside it.

Rules are developed on the even file ids and checked on the odd ones (held out): the table ends
with the title, author and date figures of each half; --split even|odd scores one half only.

--baseline-ref REF also scores newsloom at another git ref (e.g. main) in the same run, from a
temporary worktree: the before/after comparison. --details writes one JSON line per page with the
gold and every system's values, for error analysis.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("NEWSLOOM_BENCH_CODE", REPO))
sys.path.insert(0, str(CODE))

# The shared corpus sits beside the repository: ../shared from a clone, ../../shared from a
# worktree under wt/ (the first that exists).
DEFAULT_WCXB = next(
    (
        folder / "shared" / "corpus" / "wcxb-dev"
        for folder in (REPO.parent, REPO.parent.parent)
        if (folder / "shared" / "corpus" / "wcxb-dev").is_dir()
    ),
    REPO.parent / "shared" / "corpus" / "wcxb-dev",
)
PUBLISHER_LABELS = Path(__file__).resolve().parent / "data" / "publishers_dev.csv"
# "tuned": the pages looked at while writing the publisher rules; "held_out": judged after.
PUBLISHER_SPLITS = ("tuned", "held_out")
WORD_RE = re.compile(r"\w+", re.UNICODE)
QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "\u00a0": " ",
    }
)
# Words that are not names: connectors and honorifics, then post-nominal letters (degrees,
# licences, certifications, board fellowships; the dev gold writes them after the name, "Jane Doe,
# MS, RD", bylines and metadata mostly do not). Dotted spellings ("Ph.D.") are read undotted.
AUTHOR_CONNECTORS = {"and", "by", "und", "et", "y", "e", "with", "von", "par", "por"}
AUTHOR_HONORIFICS = {"dr", "mr", "mrs", "ms", "prof", "jr", "sr", "ii", "iii"}
AUTHOR_CREDENTIALS = {
    "phd", "md", "dvm", "vmd", "dds", "dmd", "pharmd", "psyd", "edd", "jd", "llm", "mba", "mph",
    "msn", "bsn", "msc", "bsc", "ma", "ba", "bs", "mfa", "dnp",
    "rd", "rdn", "ld", "ldn", "cdces", "cssd", "rn", "np", "aprn", "fnp", "lcsw", "lpc", "lmft",
    "ibclc", "cpt", "cscs", "ryt",
    "cpa", "cfa", "cfp", "chfc", "clu", "cepf", "cpp", "psp", "cissp", "pmp", "esq",
    "fand", "facp", "facs", "faan", "faap", "faclm", "facog", "dabom", "dacvb", "foma", "lvt",
    "vts", "cvt", "rvt",
}  # fmt: skip
AUTHOR_NOISE = AUTHOR_CONNECTORS | AUTHOR_HONORIFICS | AUTHOR_CREDENTIALS
# "Ph.D." and "M.D." as one word each.
DOTTED_ABBREVIATION_RE = re.compile(r"\b(?:[A-Za-z]{1,2}\.){2,}")
FIELDS = ("title", "author", "date", "page_type")
CONFIDENCES = ("high", "medium", "low")


def normalize_title(value: str | None) -> str | None:
    """Return a title folded for comparison, or None when empty."""
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).translate(QUOTES).casefold()
    text = " ".join(text.split()).strip(" .:;,!?-|")
    return text or None


def author_words(value: str | list[str] | None) -> frozenset[str] | None:
    """Return the set of name words credited, or None when no one is credited."""
    if not value:
        return None
    names = [value] if isinstance(value, str) else value
    words = {
        word
        for name in names
        for word in WORD_RE.findall(
            DOTTED_ABBREVIATION_RE.sub(
                lambda match: match.group().replace(".", ""), unicodedata.normalize("NFKC", name)
            ).casefold()
        )
        # Numbers are no part of a name ("E-RYT 200", "10+ Years").
        if word not in AUTHOR_NOISE and not word.isdigit()
    }
    return frozenset(words) or None


def gold_day(value: str | None) -> str | None:
    """Return the gold publication day ('YYYY-MM-DD' or 'YYYY-MM'), or None."""
    return value.strip() if value and value.strip() else None


def day_matches(gold: str | None, predicted: str | None) -> bool:
    """Return True when the predicted day matches gold (a gold month compares the month)."""
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return predicted[: len(gold)] == gold


def word_f1(gold: str | None, predicted: str | None) -> float:
    """Return WCXB's word-level F1 of two texts (bags of lower-case \\w+ tokens)."""
    gold_counts = Counter(WORD_RE.findall((gold or "").lower()))
    predicted_counts = Counter(WORD_RE.findall((predicted or "").lower()))
    if not gold_counts and not predicted_counts:
        return 1.0
    common = sum((gold_counts & predicted_counts).values())
    if not common:
        return 0.0
    precision = common / sum(predicted_counts.values())
    recall = common / sum(gold_counts.values())
    return 2 * precision * recall / (precision + recall)


def in_split(file_id: str, split: str | None) -> bool:
    """Return True when a page belongs to a half of the dev set ('even' or 'odd' file ids)."""
    if split is None:
        return True
    return int(file_id) % 2 == (0 if split == "even" else 1)


def load_gold(wcxb: Path, limit: int | None, split: str | None = None) -> list[dict[str, Any]]:
    """Return the dev set's pages: id, url, page type and gold fields."""
    pages = []
    paths = sorted((wcxb / "dev" / "ground-truth").glob("*.json"))
    for path in [path for path in paths if in_split(path.stem, split)][:limit]:
        record = json.loads(path.read_text(encoding="utf-8"))
        gold = record.get("ground_truth") or {}
        pages.append(
            {
                "file_id": record.get("file_id") or path.stem,
                "url": record.get("url"),
                "page_type": record["_internal"]["page_type"]["primary"],
                "title": gold.get("title"),
                "author": gold.get("author"),
                "date": gold_day(gold.get("publish_date")),
                "body": gold.get("main_content"),
            }
        )
    return pages


def gold_day_on_page(html: str, day: str | None) -> bool | None:
    """Return whether the page writes its gold publication day anywhere (None without one).

    ISO and compact forms anywhere in the markup (attributes, scripts), and dates written in
    words or numbers in the text (either day/month order): a day written nowhere is no
    extractor's to find.
    """
    if not day or len(day) != 10:
        return None
    if day in html or day.replace("-", "/") in html or day.replace("-", "") in html:
        return True
    from transforms.extract.datecues import find_dates_in_text

    text = re.sub(r"<[^>]+>", " ", html)
    return any(
        found.isoformat() == day
        for month_first in (True, False)
        for _offset, found, _ambiguous in find_dates_in_text(text, month_first)
    )


def _as_day(value: Any) -> str | None:
    """Return 'YYYY-MM-DD' from a date, datetime or ISO string."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    text = str(value).strip()
    return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else None


def predict_newsloom(html: bytes, url: str | None) -> dict[str, Any]:
    """Return newsloom's predictions for one page (the extraction stage's row, or a reject)."""
    try:
        from transforms.extract.article import ExtractOptions, extract_capture
    except ImportError:  # code from before the stage layout
        from transforms.extract import ExtractOptions, extract_capture
    from transforms.schemas import Capture

    capture = Capture(locator=url or "file.html", source_kind="url" if url else "file", body=html)
    # Dates of every confidence are read, then the default threshold applied here: the table
    # shows how right each confidence level is, the ones withheld by default included.
    default = ExtractOptions()
    threshold = getattr(default, "min_date_confidence", None)
    options = replace(default, min_date_confidence="low") if threshold else default
    row = extract_capture(capture.to_row("bench"), options)
    if not isinstance(row, dict):
        return {"page_type": getattr(row, "reason", "reject"), "is_article": False}
    authors = list(row.get("authors") or []) + list(row.get("author_organizations") or [])
    published_day = _as_day(row.get("published_date")) or _as_day(row.get("published_at"))
    confidence = row.get("published_at_confidence")
    withheld = (
        threshold is not None
        and confidence in CONFIDENCES
        and CONFIDENCES.index(confidence) > CONFIDENCES.index(threshold)
    )
    page_type = row.get("page_type") or "article"
    return {
        "title": row.get("title"),
        "author": authors,
        "date": None if withheld else published_day,
        "date_any_confidence": published_day,
        "date_confidence": confidence,
        "date_source": row.get("published_at_source"),
        "modified_date": _as_day(row.get("modified_date")) or _as_day(row.get("modified_at")),
        "body": row.get("body_text"),
        "page_type": page_type,
        "is_article": page_type == "article",
        "source_id": row.get("source_id"),
        "source_name": row.get("source_name"),
    }


def predict_trafilatura(html: bytes, url: str | None) -> dict[str, Any]:
    """Return plain trafilatura's predictions for one page."""
    import trafilatura

    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if document is None:
        return {"page_type": None, "is_article": False}
    authors = [name.strip() for name in (document.author or "").split(";") if name.strip()]
    return {
        "title": document.title,
        "author": authors,
        "date": _as_day(document.date),
        "body": document.text,
        "page_type": document.pagetype,
        "is_article": (document.pagetype or "").lower()
        in ("article", "newsarticle", "blogposting"),
        "source_name": document.sitename,
    }


PREDICTORS = {"newsloom": predict_newsloom, "trafilatura": predict_trafilatura}


def _predict_page(args: tuple[str, str, str | None]) -> tuple[str, dict[str, Any], float]:
    """Return one system's predictions for one page (run in a worker process)."""
    system, html_path, url = args
    html = gzip.decompress(Path(html_path).read_bytes())
    start = time.perf_counter()
    try:
        predicted = PREDICTORS[system](html, url)
    except Exception as error:  # noqa: BLE001 - a benchmark records a crash as a failed page
        predicted = {"page_type": f"crash: {type(error).__name__}", "is_article": False}
    return system, predicted, time.perf_counter() - start


def predict_all(
    pages: list[dict[str, Any]], wcxb: Path, systems: list[str], workers: int
) -> dict[str, list[dict[str, Any]]]:
    """Return every system's predictions for every page, in page order."""
    jobs = [
        (system, str(wcxb / "dev" / "html" / f"{page['file_id']}.html.gz"), page["url"])
        for system in systems
        for page in pages
    ]
    results: dict[str, list[dict[str, Any]]] = {system: [] for system in systems}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for system, predicted, seconds in pool.map(_predict_page, jobs, chunksize=8):
            results[system].append({**predicted, "_seconds": seconds})
    return results


def score(pages: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Return per-field accuracy, emitted share and precision, body F1 and page-type figures."""
    articles = [
        (g, p) for g, p in zip(pages, predictions, strict=True) if g["page_type"] == "article"
    ]
    figures: dict[str, Any] = {"articles": len(articles), "pages": len(pages)}
    checks = {
        "title": lambda g, p: normalize_title(g["title"]) == normalize_title(p.get("title")),
        "author": lambda g, p: author_words(g["author"]) == author_words(p.get("author")),
        "date": lambda g, p: day_matches(g["date"], p.get("date")),
    }
    present = {
        "title": lambda p: normalize_title(p.get("title")) is not None,
        "author": lambda p: author_words(p.get("author")) is not None,
        "date": lambda p: p.get("date") is not None,
    }
    gold_present = {
        "title": lambda g: normalize_title(g["title"]) is not None,
        "author": lambda g: author_words(g["author"]) is not None,
        "date": lambda g: g["date"] is not None,
    }
    for field, check in checks.items():
        right = [check(g, p) for g, p in articles]
        emitted = [present[field](p) for _g, p in articles]
        has_gold = [gold_present[field](g) for g, _p in articles]
        right_emitted = [r for r, e in zip(right, emitted, strict=True) if e]
        outcomes = list(zip(right, emitted, has_gold, strict=True))
        figures[field] = {
            "accuracy": sum(right) / len(articles) if articles else 0.0,
            "emitted": sum(emitted) / len(articles) if articles else 0.0,
            "precision": sum(right_emitted) / len(right_emitted) if right_emitted else 0.0,
            # Where accuracy is lost, in pages: a wrong value, none where gold has one, one where
            # gold has none.
            "wrong": sum(not r and e and h for r, e, h in outcomes),
            "withheld": sum(not e and h for _r, e, h in outcomes),
            "unwanted": sum(e and not h for _r, e, h in outcomes),
        }
    # The gold's publication day is often the update a page shows (its only visible date):
    # the misses whose gold day is the system's modification day.
    figures["date"]["gold_not_on_page"] = sum(
        not day_matches(g["date"], p.get("date")) and g.get("date_on_page") is False
        for g, p in articles
    )
    figures["date"]["gold_is_modified"] = sum(
        not day_matches(g["date"], p.get("date")) and day_matches(g["date"], p.get("modified_date"))
        for g, p in articles
        if g["date"] and p.get("modified_date")
    )
    # How right each confidence level is (the default threshold withholds the lower ones).
    figures["date"]["by_confidence"] = {}
    for level in CONFIDENCES:
        chosen = [
            (g, p)
            for g, p in articles
            if p.get("date_any_confidence") and p.get("date_confidence") == level
        ]
        figures["date"]["by_confidence"][level] = {
            "pages": len(chosen),
            "right": sum(day_matches(g["date"], p["date_any_confidence"]) for g, p in chosen),
        }
    gold_article = [g["page_type"] == "article" for g in pages]
    predicted_article = [bool(p.get("is_article")) for p in predictions]
    pairs = list(zip(gold_article, predicted_article, strict=True))
    true_positive = sum(g and p for g, p in pairs)
    figures["page_type"] = {
        "accuracy": sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0,
        "precision": true_positive / max(1, sum(predicted_article)),
        "recall": true_positive / max(1, sum(gold_article)),
    }
    figures["body_f1"] = statistics.fmean(word_f1(g["body"], p.get("body")) for g, p in articles)
    figures["overall"] = statistics.fmean(figures[field]["accuracy"] for field in FIELDS)
    figures["median_ms_per_page"] = 1000 * statistics.median(p["_seconds"] for p in predictions)
    return figures


def load_publisher_labels(path: Path = PUBLISHER_LABELS) -> dict[str, dict[str, Any]]:
    """Return the hand-judged publishers by file id: source_id, accepted names, split."""
    with path.open(encoding="utf-8") as handle:
        return {
            row["file_id"]: {
                "source_id": row["source_id"],
                "source_names": {
                    normalize_title(name) for name in row["source_name"].split("|") if name
                },
                "split": row["split"],
            }
            for row in csv.DictReader(handle)
        }


def score_publishers(
    pages: list[dict[str, Any]],
    predictions: list[dict[str, Any]],
    labels: dict[str, dict[str, Any]],
) -> dict[str, dict[str, Any]]:
    """Return source_id and source_name accuracy on the hand-judged pages, by split."""
    judged = [
        (labels[g["file_id"]], p)
        for g, p in zip(pages, predictions, strict=True)
        if g["file_id"] in labels
    ]
    figures = {}
    for split in PUBLISHER_SPLITS:
        split_pages = [(label, p) for label, p in judged if label["split"] == split]
        ids = [p.get("source_id") == label["source_id"] for label, p in split_pages]
        named = [(label, p) for label, p in split_pages if label["source_names"]]
        names = [
            normalize_title(p.get("source_name")) in label["source_names"] for label, p in named
        ]
        figures[split] = {
            "judged": len(split_pages),
            "id_accuracy": sum(ids) / len(ids) if ids else 0.0,
            "has_ids": any(p.get("source_id") for _label, p in split_pages),
            "named": len(named),
            "name_accuracy": sum(names) / len(names) if names else 0.0,
        }
    return figures


def predict_at_ref(
    ref: str, wcxb: Path, limit: int | None, workers: int, split: str | None
) -> list[dict[str, Any]]:
    """Return newsloom's predictions by the code at a git ref (a temporary worktree)."""
    with tempfile.TemporaryDirectory(prefix="newsloom-ref-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            output = Path(folder) / "predictions.json"
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--wcxb",
                str(wcxb),
                "--workers",
                str(workers),
                "--systems",
                "newsloom",
                "--predictions-out",
                str(output),
            ]
            if limit:
                command += ["--limit", str(limit)]
            if split:
                command += ["--split", split]
            env = {**os.environ, "NEWSLOOM_BENCH_CODE": str(tree), "PYTHONPATH": str(tree)}
            subprocess.run(command, check=True, env=env)
            return json.loads(output.read_text())["newsloom"]
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )


def render(figures: dict[str, dict[str, Any]]) -> str:
    """Return a Markdown table of every system's figures."""
    systems = list(figures)
    lines = [
        "| figure | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]

    def row(label: str, values: list[float], fmt: str = "{:.3f}") -> None:
        lines.append(f"| {label} | " + " | ".join(fmt.format(v) for v in values) + " |")

    for field in ("title", "author", "date"):
        row(f"{field} accuracy", [figures[s][field]["accuracy"] for s in systems])
        row(f"{field} emitted", [figures[s][field]["emitted"] for s in systems])
        row(f"{field} precision when emitted", [figures[s][field]["precision"] for s in systems])
        lines.append(
            f"| {field} misses: wrong / withheld / emitted where gold has none (pages) | "
            + " | ".join(
                f"{figures[s][field]['wrong']} / {figures[s][field]['withheld']} / "
                f"{figures[s][field]['unwanted']}"
                for s in systems
            )
            + " |"
        )
    row(
        "date misses whose gold day the page writes nowhere (pages)",
        [figures[s]["date"]["gold_not_on_page"] for s in systems],
        "{:d}",
    )
    row(
        "date misses whose gold day is the system's modified day (pages)",
        [figures[s]["date"]["gold_is_modified"] for s in systems],
        "{:d}",
    )
    for level in CONFIDENCES:
        lines.append(
            f"| dates of {level} confidence: right / chosen (pages, withheld ones included) | "
            + " | ".join(
                "{right} / {pages}".format(**figures[s]["date"]["by_confidence"][level])
                if figures[s]["date"]["by_confidence"][level]["pages"]
                else "–"
                for s in systems
            )
            + " |"
        )
    row(
        "page type accuracy (article vs not)",
        [figures[s]["page_type"]["accuracy"] for s in systems],
    )
    row("page type precision (article)", [figures[s]["page_type"]["precision"] for s in systems])
    row("page type recall (article)", [figures[s]["page_type"]["recall"] for s in systems])
    row("body word F1 (articles)", [figures[s]["body_f1"] for s in systems])
    row("overall (mean of 4 accuracies)", [figures[s]["overall"] for s in systems])
    if all("publishers" in figures[s] for s in systems):
        for split in PUBLISHER_SPLITS:
            judged = figures[systems[0]]["publishers"][split]
            lines.append(
                f"| publisher id, {split} ({judged['judged']} judged pages) | "
                + " | ".join(
                    f"{figures[s]['publishers'][split]['id_accuracy']:.3f}"
                    if figures[s]["publishers"][split]["has_ids"]
                    else "–"
                    for s in systems
                )
                + " |"
            )
            row(
                f"publisher name, {split} ({judged['named']} judged pages)",
                [figures[s]["publishers"][split]["name_accuracy"] for s in systems],
            )
    row("median ms per page", [figures[s]["median_ms_per_page"] for s in systems], "{:.0f}")
    return "\n".join(lines)


def render_halves(halves: dict[str, dict[str, dict[str, Any]]]) -> str:
    """Return a Markdown table of the title, author and date figures of each half."""
    systems = list(next(iter(halves.values())))
    lines = [
        "| half: figure | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for half, figures in halves.items():
        articles = figures[systems[0]]["articles"]
        for field in ("title", "author", "date"):
            for measure in ("accuracy", "precision"):
                label = f"{half} ({articles} articles): {field} {measure}"
                values = " | ".join(f"{figures[s][field][measure]:.3f}" for s in systems)
                lines.append(f"| {label} | {values} |")
    return "\n".join(lines)


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--systems", nargs="+", default=["newsloom", "trafilatura"])
    parser.add_argument("--baseline-ref", help="also score newsloom at this git ref")
    parser.add_argument("--details", type=Path, help="write per-page gold and predictions here")
    parser.add_argument(
        "--split", choices=("even", "odd"), help="score one half: even (tuned) or odd (held out)"
    )
    parser.add_argument("--predictions-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not (args.wcxb / "dev" / "ground-truth").is_dir():
        sys.exit(f"WCXB dev set not found at {args.wcxb} (see ../shared/corpus/wcxb-dev/README.md)")
    pages = load_gold(args.wcxb, args.limit, args.split)
    predictions = predict_all(pages, args.wcxb, args.systems, args.workers)
    if args.predictions_out:
        args.predictions_out.write_text(json.dumps(predictions, default=str))
        return
    for page in pages:
        if page["page_type"] == "article" and page["date"]:
            html_path = args.wcxb / "dev" / "html" / f"{page['file_id']}.html.gz"
            html = gzip.decompress(html_path.read_bytes()).decode("utf-8", "replace")
            page["date_on_page"] = gold_day_on_page(html, page["date"])
    if args.baseline_ref:
        predictions[f"newsloom@{args.baseline_ref}"] = predict_at_ref(
            args.baseline_ref, args.wcxb, args.limit, args.workers, args.split
        )
    figures = {system: score(pages, predicted) for system, predicted in predictions.items()}
    labels = load_publisher_labels()
    for system, predicted in predictions.items():
        figures[system]["publishers"] = score_publishers(pages, predicted, labels)
    if args.details:
        with args.details.open("w", encoding="utf-8") as out:
            for index, page in enumerate(pages):
                record = {"gold": {k: v for k, v in page.items() if k != "body"}}
                for system, predicted in predictions.items():
                    record[system] = {k: v for k, v in predicted[index].items() if k != "body"}
                    record[system]["body_f1"] = round(
                        word_f1(page["body"], predicted[index].get("body")), 3
                    )
                out.write(json.dumps(record, default=str, ensure_ascii=False) + "\n")
    print(f"WCXB dev: {len(pages)} pages, {figures[args.systems[0]]['articles']} articles\n")
    print(render(figures))
    if args.split is None:
        halves = {}
        for half in ("even", "odd"):
            chosen = [i for i, page in enumerate(pages) if in_split(page["file_id"], half)]
            halves[half] = {
                system: score([pages[i] for i in chosen], [predicted[i] for i in chosen])
                for system, predicted in predictions.items()
            }
        print("\nBy half (rules developed on even file ids; odd ones held out):\n")
        print(render_halves(halves))


if __name__ == "__main__":
    main()
