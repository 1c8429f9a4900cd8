"""Train the page-type model on the WCXB dev set; write extract/data/page_type_model.json.

Usage: pip install -e '.[train]'
       python benchmarks/train_page_type.py [--wcxb DIR] [--features-cache FILE] [--workers W]

Features come from the extraction code itself (transforms.extract.html.extract_html), so the
model sees what production sees. Labels: WCXB's 7 page types folded into article, listing
(listing, collection) and other (product, service, forum, documentation). The model is a
multinomial logistic regression (scikit-learn) over standardised features; its weights are
written as JSON and scored in plain Python at run time (transforms/extract/page_type.py).

Evaluation is out-of-fold, folds grouped by registered domain (no site in both train and test):
the regularisation and the article threshold are chosen on those out-of-fold probabilities (the
threshold is the highest one that keeps article recall at --min-recall), and the figures printed
(and stored in the model file) are out-of-fold ones, never the training fit. Pages extraction
rejects before classification (no text, under 50 words) count as predicted "other".
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_WCXB = REPO.parent / "shared" / "corpus" / "wcxb-dev"
MODEL_PATH = REPO / "transforms" / "extract" / "data" / "page_type_model.json"
FOLDED = {
    "article": "article",
    "listing": "listing",
    "collection": "listing",
    "product": "other",
    "service": "other",
    "forum": "other",
    "documentation": "other",
}
LABELS = ("article", "collection", "listing", "documentation", "forum", "product", "service")
MIN_WORDS = 50


def page_record(args: tuple[str, str, str | None, str]) -> dict[str, Any]:
    """Return one page's label, domain and features (None when extraction finds no article)."""
    html_path, file_id, url, label = args
    from transforms.extract.decoding import decode_body
    from transforms.extract.html import extract_html
    from transforms.extract.normalize import count_words, extract_source_domain

    decoded = decode_body(gzip.decompress(Path(html_path).read_bytes()), None)
    try:
        fields = extract_html(decoded.text, url)
    except Exception:  # noqa: BLE001 - a page extraction rejects is predicted "other"
        fields = {}
    features = fields.get("_page_features")
    if features is not None and count_words(fields.get("body_text", "")) < MIN_WORDS:
        features = None
    return {
        "file_id": file_id,
        "label": label,
        "domain": extract_source_domain(url) or file_id,
        "features": features,
    }


def load_records(wcxb: Path, cache: Path | None, workers: int) -> list[dict[str, Any]]:
    """Return every dev page's record, from the cache when it is there."""
    if cache and cache.exists():
        return json.loads(cache.read_text())
    jobs = []
    for path in sorted((wcxb / "dev" / "ground-truth").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        file_id = record.get("file_id") or path.stem
        html = wcxb / "dev" / "html" / f"{file_id}.html.gz"
        label = record["_internal"]["page_type"]["primary"]
        jobs.append((str(html), file_id, record.get("url"), label))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        records = list(pool.map(page_record, jobs, chunksize=8))
    if cache:
        cache.write_text(json.dumps(records))
    return records


def out_of_fold(records: list[dict[str, Any]], names: list[str], c: float, folds: int) -> Any:
    """Return out-of-fold class probabilities (rows of the classified pages), by domain folds."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.array([[r["features"][n] for n in names] for r in records])
    y = np.array([FOLDED[r["label"]] for r in records])
    groups = [r["domain"] for r in records]
    probabilities = np.zeros((len(records), 3))
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
        model.fit(x[train], y[train])
        order = [list(model.classes_).index(label) for label in ("article", "listing", "other")]
        probabilities[test] = model.predict_proba(x[test])[:, order]
    return probabilities


def predict(probabilities: Any, threshold: float) -> list[str]:
    """Return the page types for class probabilities (article, listing, other) and a threshold."""
    return [
        "article" if row[0] >= threshold else ("listing" if row[1] >= row[2] else "other")
        for row in probabilities
    ]


def evaluate(records: list[dict[str, Any]], predicted: dict[str, str]) -> dict[str, Any]:
    """Return binary article figures and the 7-label confusion matrix over every dev page."""
    pairs = [(r["label"], predicted.get(r["file_id"], "other")) for r in records]
    gold = [label == "article" for label, _ in pairs]
    guess = [page_type == "article" for _, page_type in pairs]
    true_positive = sum(g and p for g, p in zip(gold, guess, strict=True))
    matrix = Counter(pairs)
    return {
        "accuracy": sum(g == p for g, p in zip(gold, guess, strict=True)) / len(pairs),
        "article_precision": true_positive / max(1, sum(guess)),
        "article_recall": true_positive / max(1, sum(gold)),
        "confusion": {
            label: {t: matrix[(label, t)] for t in ("article", "listing", "other")}
            for label in LABELS
        },
    }


def choose_threshold(
    records: list[dict[str, Any]], probabilities: Any, min_recall: float, all_records: list
) -> float:
    """Return the threshold with the best accuracy among those keeping article recall."""
    best = (0.0, 0.5)
    for step in range(5, 96):
        threshold = step / 100
        labels = predict(probabilities, threshold)
        figures = evaluate(
            all_records, {r["file_id"]: t for r, t in zip(records, labels, strict=True)}
        )
        if figures["article_recall"] >= min_recall and figures["accuracy"] > best[0]:
            best = (figures["accuracy"], threshold)
    return best[1]


def main() -> None:
    """Train, evaluate out-of-fold, and write the model file."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--features-cache", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--min-recall", type=float, default=0.95)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    import numpy as np
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    all_records = load_records(args.wcxb, args.features_cache, args.workers)
    records = [r for r in all_records if r["features"] is not None]
    names = sorted(records[0]["features"])
    results = {}
    for c in (0.03, 0.1, 0.3, 1.0):
        probabilities = out_of_fold(records, names, c, args.folds)
        threshold = choose_threshold(records, probabilities, args.min_recall, all_records)
        labels = predict(probabilities, threshold)
        figures = evaluate(
            all_records, {r["file_id"]: t for r, t in zip(records, labels, strict=True)}
        )
        results[c] = (figures, threshold)
        print(f"C={c}: threshold {threshold:.2f}, out-of-fold {json.dumps(figures)[:160]}")
    c, (figures, threshold) = max(results.items(), key=lambda item: item[1][0]["accuracy"])
    x = np.array([[r["features"][n] for n in names] for r in records])
    y = np.array([FOLDED[r["label"]] for r in records])
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)
    output = {
        "version": datetime.now(UTC).strftime("%Y%m%d"),
        "trained_on": f"WCXB dev, {len(all_records)} pages ({len(records)} classified)",
        "trainer": f"scikit-learn {sklearn.__version__} LogisticRegression(C={c})",
        "classes": [str(label) for label in model.classes_],
        "features": names,
        "means": [round(float(v), 6) for v in scaler.mean_],
        "scales": [round(float(v), 6) if v > 0 else 1.0 for v in scaler.scale_],
        "weights": [[round(float(w), 6) for w in row] for row in model.coef_],
        "intercepts": [round(float(v), 6) for v in model.intercept_],
        "article_threshold": threshold,
        "out_of_fold": figures,
    }
    args.output.write_text(json.dumps(output, indent=1) + "\n")
    print(f"\nchosen C={c}, article threshold {threshold:.2f}; out-of-fold, folds by domain:")
    print(
        f"accuracy {figures['accuracy']:.3f}, article precision "
        f"{figures['article_precision']:.3f}, recall {figures['article_recall']:.3f}"
    )
    print("| gold \\ predicted | article | listing | other |\n|---|---|---|---|")
    for label, row in figures["confusion"].items():
        print(f"| {label} | {row['article']} | {row['listing']} | {row['other']} |")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
