"""Train the text-mode line models on WCXB dev dumps; write transforms/extract/data/textmode.json.

Usage: python benchmarks/train_textmode.py [--wcxb DIR] [--limit N] [--workers W] [--threads T]
                                           [--out FILE]

--workers: processes that flatten and featurise pages; --threads: LightGBM's threads (1 by default:
on a busy machine OpenMP threads spin against each other and training gets slower, not faster).

Every dev page is flattened by each flattener of textdump_data.py; each line is labelled body or
not against the page's gold `main_content`. Three LightGBM models are trained on all of it:
- lines: P(body) from a line's features and its neighbours' (transforms/extract/textlines.py);
- context: P(body) again, from the first model's probabilities around the line (stacking: its
  training inputs are out-of-fold predictions, folds by domain, so it learns from honest ones);
- title: P(headline) from the line's features and the body probabilities around it, the label
  being the line that reads as the gold title.
The file holds the models as LightGBM text (no pickle), the feature names, thresholds and what
they were trained on. Its digest is the model version in the extractor version, so a retrained
model re-extracts history. benchmarks/textdump_quality.py cross-validates the same procedure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))

from metadata_quality import DEFAULT_WCXB, load_gold, normalize_title  # noqa: E402
from textdump_data import FLATTENERS, domain_of, fold_of, label_lines, read_html  # noqa: E402

from transforms.extract.text import MODEL_FILE, MODEL_FORMAT, title_features  # noqa: E402
from transforms.extract.textlines import (  # noqa: E402
    context_features,
    document_language,
    feature_names,
    line_features,
    split_lines,
)

OUT = BENCHMARKS.parent / "transforms" / "extract" / "data" / MODEL_FILE
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_data_in_leaf": 50,
    "max_bin": 63,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "seed": 13,
    "deterministic": True,
    "verbose": -1,
}
ROUNDS = {"lines": 150, "context": 100, "title": 100}
BODY_THRESHOLD = 0.5
TITLE_THRESHOLD = 0.3


def title_label(line: str, gold_title: str | None) -> int:
    """Return 1 when a line reads as the gold headline (folded, or the headline plus a site)."""
    gold = normalize_title(gold_title)
    if not gold:
        return 0
    folded = normalize_title(line) or ""
    return int(folded == gold or (folded.startswith(gold) and len(folded) <= len(gold) + 40))


def dump_records(page: dict[str, Any], wcxb: Path) -> list[dict[str, Any]]:
    """Return one record per flattener of a page: lines, features and labels."""
    html = read_html(wcxb, page["file_id"])
    domain = domain_of(page["url"])
    records = []
    for name, flatten in FLATTENERS.items():
        lines = split_lines(flatten(html))
        texts = [line.text for line in lines]
        records.append(
            {
                **page,
                "domain": domain,
                "fold": fold_of(domain),
                "flattener": name,
                "lines": texts,
                "labels": np.array(label_lines(texts, page["body"]), dtype=np.int8),
                "title_labels": np.array([title_label(t, page["title"]) for t in texts]),
                "features": line_features(lines, document_language(lines)),
            }
        )
    return records


def load_records(wcxb: Path, limit: int | None, workers: int) -> list[dict[str, Any]]:
    """Return the records of every dev page and flattener (in worker processes)."""
    pages = load_gold(wcxb, limit)
    with ProcessPoolExecutor(workers) as pool:
        chunks = pool.map(dump_records, pages, [wcxb] * len(pages), chunksize=8)
        return [record for chunk in chunks for record in chunk if len(record["lines"])]


def fit(
    records: list[dict[str, Any]], matrix: Callable[[dict[str, Any]], np.ndarray], label: str,
    rounds: int, threads: int,
) -> lightgbm.Booster:  # fmt: skip
    """Return a booster trained on the records' matrices and labels."""
    data = lightgbm.Dataset(
        np.vstack([matrix(record) for record in records]),
        np.concatenate([record[label] for record in records]),
    )
    return lightgbm.train({**PARAMS, "num_threads": threads}, data, rounds)


def train_models(
    records: list[dict[str, Any]], threads: int, inner_folds: int = 2
) -> dict[str, lightgbm.Booster]:
    """Return the three boosters trained on records (stacking inputs out of fold, by domain)."""
    lines = fit(records, lambda r: r["features"], "labels", ROUNDS["lines"], threads)
    out_of_fold: dict[int, np.ndarray] = {}
    for inner in range(inner_folds):
        part = [r for r in records if r["fold"] % inner_folds != inner]
        model = fit(part, lambda r: r["features"], "labels", ROUNDS["lines"], threads)
        for record in records:
            if record["fold"] % inner_folds == inner:
                out_of_fold[id(record)] = model.predict(record["features"], num_threads=threads)
    context = fit(
        records,
        lambda r: context_features(out_of_fold[id(r)], r["features"]),
        "labels",
        ROUNDS["context"],
        threads,
    )
    # The headline model learns from the context model's in-sample probabilities: it needs where
    # the body is, and the context model is close to its labels there as it is on new dumps.
    body = {
        id(r): context.predict(context_features(out_of_fold[id(r)], r["features"])) for r in records
    }
    title = fit(
        records,
        lambda r: title_features(r["features"], body[id(r)]),
        "title_labels",
        ROUNDS["title"],
        threads,
    )
    return {"lines": lines, "context": context, "title": title}


def model_document(boosters: dict[str, lightgbm.Booster], trained_on: dict[str, Any]) -> str:
    """Return the model file's JSON text."""
    return json.dumps(
        {
            "format": MODEL_FORMAT,
            "features": feature_names(),
            "body_threshold": BODY_THRESHOLD,
            "title_threshold": TITLE_THRESHOLD,
            "trained_on": trained_on,
            "params": PARAMS,
            "rounds": ROUNDS,
            "boosters": {name: booster.model_to_string() for name, booster in boosters.items()},
        },
        indent=1,
    )


def main() -> None:
    """Train on every dev dump and write the model file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not (args.wcxb / "dev").is_dir():
        sys.exit(f"WCXB dev set not found at {args.wcxb} (pass --wcxb)")
    started = time.perf_counter()
    records = load_records(args.wcxb, args.limit, args.workers)
    boosters = train_models(records, args.threads)
    trained_on = {
        "dataset": "WCXB dev (CC-BY-4.0), flattened to text",
        "flatteners": list(FLATTENERS),
        "pages": len({r["file_id"] for r in records}),
        "dumps": len(records),
        "lines": int(sum(len(r["lines"]) for r in records)),
        "body_lines": int(sum(r["labels"].sum() for r in records)),
    }
    args.out.write_text(model_document(boosters, trained_on) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) from {trained_on['dumps']} "
        f"dumps, {trained_on['lines']} lines, in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
