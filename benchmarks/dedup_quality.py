"""Duplicate, syndication and story quality on the labelled set in benchmarks/data/dedup_set.jsonl.

Usage: python benchmarks/dedup_quality.py [--set FILE] [--seed N] [--misses]
Renders every labelled record as a publisher's HTML page, runs the real extraction (signatures,
wire credits) and the real dbt models into a temporary warehouse, then reports pair precision
and recall over distinct articles:
- duplicate pairs: same event and neither page an independent write-up (exact re-posts,
  syndicated copies with other credits, headlines, boilerplate, trims, inserted paragraphs,
  merged paragraphs, US spellings; the first publisher's updates at new URLs);
- story pairs: same event, including independent write-ups in different words.
Also: first publisher, roles, wire-agency credits, versions at one URL, and same-topic pairs
(two earthquakes two days apart, two rate decisions on one day, ...) wrongly joined.
--seed regenerates the set with other syndication edits (the texts stay the same).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import duckdb  # noqa: E402
from make_dedup_set import OUTPUT, build_set, render_page  # noqa: E402

from transforms import lake  # noqa: E402
from transforms.enrich.entities.model import stage_version  # noqa: E402
from transforms.enrich.ner import enrich_to_lake, resolve_to_lake  # noqa: E402
from transforms.extract.article import EXTRACTOR_VERSION, ExtractOptions, extract_capture  # noqa: E402
from transforms.schemas import Capture  # noqa: E402
from transforms.settings import SQL_DIR, Settings  # noqa: E402
from transforms.warehouse.models import run_models  # noqa: E402

DUPLICATE_KINDS = {"first", "copy", "exact", "update", "version"}


def build_warehouse(pages: list[dict], work: Path, entities: bool) -> tuple[Path, dict[str, str]]:
    """Extract the pages into a lake under work/, build the models; return (db, doc -> article)."""
    lake_dir = work / "lake"
    lake.ensure_lake(lake_dir)
    captures, articles, article_ids = [], [], {}
    for page in pages:
        stated = datetime.fromisoformat(page["modified_at"] or page["published_at"])
        capture = Capture(
            locator=f"/bench/{page['doc_id']}.html",
            source_kind="file",
            body=render_page(page).encode("utf-8"),
            fetched_at=stated + timedelta(hours=2),
        )
        captures.append(capture.to_row("bench"))
        article = extract_capture(captures[-1], ExtractOptions())
        if not isinstance(article, dict):
            raise RuntimeError(f"{page['doc_id']} was rejected: {article.reason} {article.detail}")
        articles.append({**article, "_run_id": "bench"})
        article_ids[page["doc_id"]] = article["article_id"]
    lake.write_rows(lake_dir, "captures", captures, "bench")
    lake.write_rows(lake_dir, "articles", articles, "bench")
    ner_version = ""
    if entities:
        # Entity mentions and resolution as the flow's enrich and build stages do them.
        models = Settings().ner_models
        ner_version = stage_version(models)
        options = {"extractor_version": EXTRACTOR_VERSION, "ner_version": ner_version}
        capture_ids = [capture["capture_id"] for capture in captures]
        enrich_to_lake(
            lake_dir,
            capture_ids,
            **options,
            models=models,
            workers=2,
            part="bench",
            run_id="bench",
        )
        resolve_to_lake(lake_dir, EXTRACTOR_VERSION, ner_version, None, "bench")
    database = work / "bench.duckdb"
    run_models(SQL_DIR, database, lake_dir, work, threads=2, ner_version=ner_version)
    return database, article_ids


def pair_scores(truth: set[frozenset], predicted: set[frozenset]) -> tuple[int, int, int]:
    """Return (true positives, false positives, false negatives)."""
    return len(truth & predicted), len(predicted - truth), len(truth - predicted)


def ratio(numerator: int, denominator: int) -> str:
    """Return a formatted ratio, or n/a."""
    return f"{numerator / denominator:.3f}" if denominator else "n/a"


def evaluate(
    pages: list[dict], database: Path, article_ids: dict[str, str], show_misses: bool
) -> None:
    """Print the quality report for one built warehouse."""
    with duckdb.connect(str(database)) as connection:
        rows = connection.execute(
            """
            select locator, article_id, source_id, duplicate_cluster_id, duplicate_role,
                story_id, wire_agency
            from fct_articles
            """
        ).fetchall()
        versions = dict(
            connection.execute(
                "select article_id, count(*) from article_versions group by article_id"
            ).fetchall()
        )
    by_article = {row[1]: row for row in rows}
    article_of = {page["doc_id"]: by_article[article_ids[page["doc_id"]]] for page in pages}
    # One label per article: a corrected version shares its base page's article.
    labels: dict[str, dict] = {}
    for page in pages:
        labels.setdefault(article_of[page["doc_id"]][1], page)
    rows_by_article = {row[1]: row for row in rows if row[1] in labels}
    truth_dup, truth_story, same_topic = set(), set(), set()
    predicted_dup, predicted_story = set(), set()
    pair_kind: dict[frozenset, str] = {}
    for first, second in itertools.combinations(sorted(labels), 2):
        pair = frozenset((first, second))
        page_a, page_b = labels[first], labels[second]
        row_a, row_b = rows_by_article[first], rows_by_article[second]
        if page_a["event_id"] == page_b["event_id"]:
            truth_story.add(pair)
            kinds = {page_a["kind"], page_b["kind"]}
            if kinds <= DUPLICATE_KINDS:
                truth_dup.add(pair)
                pair_kind[pair] = (
                    "update" if "update" in kinds else "copy" if "copy" in kinds else "exact"
                )
        elif page_a["topic"] == page_b["topic"]:
            same_topic.add(pair)
        if row_a[3] is not None and row_a[3] == row_b[3]:
            predicted_dup.add(pair)
        if row_a[5] == row_b[5]:
            predicted_story.add(pair)

    print(
        f"{len(pages)} pages, {len(labels)} distinct articles, {len(truth_dup)} duplicate "
        f"pairs, {len(truth_story)} same-story pairs, {len(same_topic)} same-topic "
        "different-event pairs\n"
    )
    print("| pairs | truth | predicted | TP | precision | recall |")
    print("|---|---|---|---|---|---|")
    for name, truth, predicted in (
        ("duplicate (all)", truth_dup, predicted_dup),
        ("same story", truth_story, predicted_story),
    ):
        tp, fp, fn = pair_scores(truth, predicted)
        print(
            f"| {name} | {len(truth)} | {len(predicted)} | {tp} | {ratio(tp, tp + fp)} "
            f"| {ratio(tp, tp + fn)} |"
        )
    for kind in ("copy", "exact", "update"):
        truth = {pair for pair in truth_dup if pair_kind[pair] == kind}
        tp = len(truth & predicted_dup)
        print(f"| duplicate: {kind} pairs | {len(truth)} | | {tp} | | {ratio(tp, len(truth))} |")
    wrong_topic_dup = len(same_topic & predicted_dup)
    wrong_topic_story = len(same_topic & predicted_story)
    print(
        f"\nsame-topic different-event pairs joined: {wrong_topic_dup} as duplicates, "
        f"{wrong_topic_story} as one story (of {len(same_topic)})"
    )

    events = sorted({page["event_id"] for page in pages})
    first_ok = 0
    for event in events:
        first_page = next(p for p in pages if p["event_id"] == event and p["kind"] == "first")
        row = article_of[first_page["doc_id"]]
        cluster_ok = row[3] == row[1] and row[4] == "original"
        first_ok += cluster_ok and row[5] == row[1]
    roles = Counter()
    for article_id, page in labels.items():
        expected = {"first": "original", "copy": "copy", "exact": "copy", "update": "update"}
        expected_role = expected.get(page["kind"])
        roles[(page["kind"], rows_by_article[article_id][4] == expected_role)] += 1
    print(f"first publisher (cluster and story named by the first page): {first_ok}/{len(events)}")
    print(
        "roles right: "
        + ", ".join(
            f"{kind} {roles[(kind, True)]}/{roles[(kind, True)] + roles[(kind, False)]}"
            for kind in ("first", "copy", "exact", "update", "independent")
        )
    )
    credited = [p for p in pages if p["expected_agency"]]
    agency_ok = sum(article_of[p["doc_id"]][6] == p["expected_agency"] for p in credited)
    uncredited = [p for p in pages if not p["expected_agency"] and p["kind"] != "version"]
    agency_fp = sum(article_of[p["doc_id"]][6] is not None for p in uncredited)
    print(
        f"wire_agency: {agency_ok}/{len(credited)} credited pages right, "
        f"{agency_fp}/{len(uncredited)} uncredited pages given one"
    )
    version_pages = [p for p in pages if p["kind"] == "version"]
    versions_ok = sum(versions.get(article_of[p["doc_id"]][1]) == 2 for p in version_pages)
    print(
        f"versions: {versions_ok}/{len(version_pages)} corrected pages are version 2 of an article"
    )
    if show_misses:
        for pair in sorted(truth_dup - predicted_dup, key=sorted):
            print("  missed duplicate:", *(labels[a]["doc_id"] for a in sorted(pair)))
        for pair in sorted(predicted_dup - truth_dup, key=sorted):
            print("  wrong duplicate:", *(labels[a]["doc_id"] for a in sorted(pair)))
        for pair in sorted(truth_story - predicted_story, key=sorted):
            print("  missed story:", *(labels[a]["doc_id"] for a in sorted(pair)))
        for pair in sorted(predicted_story - truth_story, key=sorted):
            print("  wrong story:", *(labels[a]["doc_id"] for a in sorted(pair)))


def main() -> None:
    """Build the labelled set into a temporary warehouse and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", type=Path, default=OUTPUT, help="labelled set (JSON lines)")
    parser.add_argument("--seed", type=int, help="regenerate the set with this seed instead")
    parser.add_argument("--misses", action="store_true", help="list every wrong pair")
    parser.add_argument(
        "--no-entities", action="store_true", help="skip NER: stories from text similarity only"
    )
    args = parser.parse_args()
    if args.seed is not None:
        pages = build_set(args.seed)
    else:
        pages = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsloom-dedup-") as work:
        database, article_ids = build_warehouse(pages, Path(work), not args.no_entities)
        source = args.seed if args.seed is not None else args.set.name
        mode = "text only" if args.no_entities else "text and entities"
        print(f"# dedup quality ({source}; stories from {mode})\n")
        evaluate(pages, database, article_ids, args.misses)
    print(f"\n(extract + models: {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
