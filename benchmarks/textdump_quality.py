"""Text-mode body quality on WCXB dev dumps, cross-validated by domain, beside the baselines.

Usage: python benchmarks/textdump_quality.py [--wcxb DIR] [--pages DIR] [--limit N] [--workers W]
                                             [--threads T] [--json FILE]

Each dev page is flattened to text by each flattener (textdump_data.py) and its lines labelled
against the gold `main_content`. The text-mode models are trained (benchmarks/train_textmode.py's
procedure) on four domain folds and applied, through the real extractor
(transforms.extract.text.extract_text_document), to the fifth: no domain is in both. Beside it, in
the same run and on the same dumps:
- keep-all: every line of the dump;
- jusText on the lines: each line a paragraph, the dump's language's stop-word list;
- old cleaner: the rule cleaner text mode used before (textclean.clean_text_document);
- trafilatura on the page's HTML (not a text-mode system: the reference the HTML path gets).
Body: WCXB's word-level F1 on lower-case \\w+ tokens, averaged over pages, for articles (gold page
type `article`) and all pages, per flattener and over all. Title, author and date (articles):
share right, as in metadata_quality.py (absent and absent is right). --pages: on the real-page
corpus (no gold), agreement of each text-mode body with trafilatura's body of the same HTML.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import justext
import trafilatura

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))

from metadata_quality import (  # noqa: E402
    DEFAULT_WCXB,
    author_words,
    day_matches,
    normalize_title,
    word_f1,
)
from textdump_data import FLATTENERS, read_html  # noqa: E402
from train_textmode import BODY_THRESHOLD, TITLE_THRESHOLD, load_records, train_models  # noqa: E402

from transforms.extract.text import TextModel, extract_text_document  # noqa: E402
from transforms.extract.textclean import clean_text_document  # noqa: E402
from transforms.extract.textlines import document_language, split_lines, stopwords  # noqa: E402

FOLDS = 5
SYSTEMS = ("keep_all", "justext_lines", "old_cleaner", "text_model", "trafilatura_html")


def justext_lines(dump: str) -> str:
    """Return jusText's verdict on a dump's lines, each line one paragraph."""
    lines = split_lines(dump)
    if not lines:
        return ""
    stoplist = stopwords(document_language(lines)) or stopwords("en")
    html = "<html><body>" + "".join(f"<p>{_escape(line.text)}</p>" for line in lines) + "</body>"
    paragraphs = justext.justext(html, stoplist)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _escape(text: str) -> str:
    """Return text escaped for HTML."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fold_model(boosters: dict[str, Any]) -> TextModel:
    """Return a TextModel of one fold's boosters with the training thresholds."""
    return TextModel(
        version="cv",
        lines=boosters["lines"],
        context=boosters["context"],
        title=boosters["title"],
        body_threshold=BODY_THRESHOLD,
        title_threshold=TITLE_THRESHOLD,
    )


def predict_fold(
    records: list[dict[str, Any]], fold: int, threads: int, dumps: dict[tuple[str, str], str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Train on the other folds; return the extractor's output on this fold's dumps."""
    model = fold_model(train_models([r for r in records if r["fold"] != fold], threads))
    outputs = {}
    for record in records:
        if record["fold"] != fold:
            continue
        key = (record["file_id"], record["flattener"])
        article = extract_text_document(dumps[key], model=model)
        outputs[key] = {
            "body": article.body_text,
            "title": article.title,
            "authors": article.authors,
            "date": article.published_at.date().isoformat() if article.published_at else None,
        }
    return outputs


_FOLD_INPUTS: dict[str, Any] = {}


def _predict_fold_forked(fold: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Run predict_fold in a forked worker on the records the parent set aside."""
    inputs = _FOLD_INPUTS
    return predict_fold(inputs["records"], fold, inputs["threads"], inputs["dumps"])


def baselines(args: tuple[str, str, Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """Return keep-all, jusText-on-lines, old-cleaner and trafilatura outputs for one page."""
    file_id, _url, wcxb = args
    html = read_html(wcxb, file_id)
    outputs: dict[tuple[str, str], dict[str, Any]] = {}
    document = trafilatura.bare_extraction(html, with_metadata=True)
    outputs[file_id, "trafilatura_html"] = {
        "body": document.text if document else "",
        "title": document.title if document else None,
        "authors": [document.author] if document and document.author else [],
        "date": document.date if document else None,
    }
    for name, flatten in FLATTENERS.items():
        dump = flatten(html)
        outputs[file_id, name] = {"dump": dump}
        old = clean_text_document(dump)
        outputs[file_id, f"{name}:old_cleaner"] = {
            "body": old.body_text,
            "title": old.title,
            "authors": old.authors,
            "date": None,
        }
        outputs[file_id, f"{name}:justext_lines"] = {"body": justext_lines(dump)}
        outputs[file_id, f"{name}:keep_all"] = {"body": dump}
    return outputs


def field_right(system: dict[str, Any], page: dict[str, Any], name: str) -> bool:
    """Return True when a system's title, author or date matches gold (or both are absent)."""
    if name == "title":
        return normalize_title(system.get("title")) == normalize_title(page["title"])
    if name == "author":
        return author_words(system.get("authors")) == author_words(page["author"])
    return day_matches(page["date"], (system.get("date") or None) and str(system["date"])[:10])


def score(
    pages: list[dict[str, Any]], outputs: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, Any]:
    """Return body F1 (articles, all) per system and flattener, and field accuracy."""
    table: dict[str, dict[str, Any]] = {}
    for system in SYSTEMS:
        flatteners = ["html"] if system == "trafilatura_html" else list(FLATTENERS)
        for flattener in [*flatteners, "all"] if system != "trafilatura_html" else flatteners:
            rows = []
            for page in pages:
                for name in flatteners if flattener == "all" else [flattener]:
                    key = (
                        (page["file_id"], system)
                        if system == "trafilatura_html"
                        else (page["file_id"], f"{name}:{system}")
                    )
                    if key in outputs:
                        rows.append((page, outputs[key]))
            if not rows:
                continue
            articles = [(p, o) for p, o in rows if p["page_type"] == "article"]
            entry = {
                "pages": len(rows),
                "body_f1_articles": statistics.fmean(
                    word_f1(p["body"], o["body"]) for p, o in articles
                ),
                "body_f1_all": statistics.fmean(word_f1(p["body"], o["body"]) for p, o in rows),
            }
            if "title" in rows[0][1]:
                for name in ("title", "author", "date"):
                    entry[f"{name}_right_articles"] = statistics.fmean(
                        field_right(o, p, name) for p, o in articles
                    )
            table[f"{system}/{flattener}"] = entry
    return table


def page_agreement(pages_dir: Path) -> dict[str, float]:
    """Return mean word-F1 of text-mode (and keep-all) bodies against trafilatura on each page."""
    agreement: dict[str, list[float]] = {}
    for path in sorted(pages_dir.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        document = trafilatura.bare_extraction(html)
        reference = document.text if document else ""
        for name, flatten in FLATTENERS.items():
            dump = flatten(html)
            agreement.setdefault(f"text_model/{name}", []).append(
                word_f1(reference, extract_text_document(dump).body_text)
            )
            agreement.setdefault(f"keep_all/{name}", []).append(word_f1(reference, dump))
    return {key: statistics.fmean(values) for key, values in agreement.items()}


def render(table: dict[str, Any], seconds: float) -> str:
    """Return the scores as a Markdown table."""
    lines = [
        f"Text-mode quality, WCXB dev, {FOLDS}-fold cross-validation by domain ({seconds:.0f} s)",
        "",
        "| system / flattener | dumps | body F1 articles | body F1 all | title | author | date |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, entry in table.items():
        fields = [
            f"{entry[f'{name}_right_articles']:.3f}" if f"{name}_right_articles" in entry else ""
            for name in ("title", "author", "date")
        ]
        lines.append(
            f"| {key} | {entry['pages']} | {entry['body_f1_articles']:.3f} "
            f"| {entry['body_f1_all']:.3f} | " + " | ".join(fields) + " |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the cross-validation and the baselines; print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--pages", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.wcxb / "dev").is_dir():
        sys.exit(f"WCXB dev set not found at {args.wcxb} (pass --wcxb)")
    started = time.perf_counter()
    records = load_records(args.wcxb, args.limit, args.workers)
    pages = list({r["file_id"]: r for r in records}.values())
    outputs: dict[tuple[str, str], dict[str, Any]] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for result in pool.map(baselines, [(p["file_id"], p["url"], args.wcxb) for p in pages]):
            outputs.update(result)
    dumps = {
        (file_id, name): output["dump"]
        for (file_id, name), output in outputs.items()
        if "dump" in output
    }
    # Folds train in parallel worker processes, forked: they share the records without copies.
    _FOLD_INPUTS.update(records=records, dumps=dumps, threads=args.threads)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
        for fold, predicted in enumerate(pool.map(_predict_fold_forked, range(FOLDS))):
            for (file_id, name), output in predicted.items():
                outputs[file_id, f"{name}:text_model"] = output
            print(
                f"fold {fold + 1}/{FOLDS} in at {time.perf_counter() - started:.0f} s", flush=True
            )
    table = score(pages, outputs)
    print(render(table, time.perf_counter() - started))
    if args.pages:
        print("\nAgreement with trafilatura on the real-page corpus (word F1, no gold):")
        for key, value in page_agreement(args.pages).items():
            print(f"- {key}: {value:.3f}")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
