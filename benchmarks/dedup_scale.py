"""Time the dedup and story models on a synthetic lake of N articles, with peak memory.

Usage: python benchmarks/dedup_scale.py [--articles 10000 100000] [--workers 2] [--keep DIR]
For each N: generates articles over a year from a Zipf vocabulary and a pool of names (about a
third of them in syndicated groups: copies with trims and inserted paragraphs, or independent
write-ups of the same event), computes their real signatures (transforms/enrich/signatures.py) in
worker processes, writes them as a Parquet lake, then runs the whole dbt project (`dbt build`:
every model and data test) in a child process. Reports the build's wall time, the time of the
dedup/story models (from dbt's run_results.json), the child's peak RSS, and the pairs and
clusters found.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402

from transforms import lake  # noqa: E402
from transforms.enrich.signatures import compute_signatures  # noqa: E402
from transforms.enrich.wires import find_wire_agency  # noqa: E402
from transforms.extract.article import EXTRACTOR_VERSION  # noqa: E402
from transforms.extract.normalize import hash_content, make_article_id  # noqa: E402
from transforms.schemas import make_id  # noqa: E402

DEDUP_MODELS = (
    "int_article_signatures",
    "int_signature_bands",
    "int_near_duplicate_pairs",
    "int_duplicate_clusters",
    "int_story_pairs",
    "int_story_clusters",
    "dim_duplicate_clusters",
    "dim_stories",
    "article_versions",
)
SYLLABLES = [c + v for c in "bdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
START = datetime(2025, 1, 1, tzinfo=UTC)
PART_ROWS = 5000


def make_words(rng: random.Random, count: int, capitalised: bool) -> list[str]:
    """Return `count` distinct made-up words."""
    words: set[str] = set()
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))
        words.add(word.capitalize() if capitalised else word)
    return sorted(words)


class TextMaker:
    """Makes article paragraphs from a Zipf vocabulary with names and numbers mixed in."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.vocabulary = make_words(rng, 20000, capitalised=False)
        self.names = make_words(rng, 30000, capitalised=True)
        weights = [1 / (rank + 1) for rank in range(len(self.vocabulary))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def paragraph(self, rng: random.Random, names: list[str]) -> str:
        """Return one paragraph: 25-50 words, a few of them the event's names or a number."""
        words = rng.choices(self.vocabulary, cum_weights=self.cumulative, k=rng.randint(25, 50))
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randint(1, len(words)), rng.choice(names))
        if rng.random() < 0.4:
            words.insert(rng.randint(1, len(words)), str(rng.randint(2, 9999)))
        return "The " + " ".join(words) + "."


def make_articles(count: int, seed: int) -> list[dict]:
    """Return `count` synthetic article bodies with publishers and times (no signatures yet)."""
    rng = random.Random(seed)
    maker = TextMaker(seed)
    sources = [f"outlet{number:03d}.example" for number in range(200)]
    articles: list[dict] = []
    while len(articles) < count:
        names = rng.sample(maker.names, rng.randint(3, 6))
        published = START + timedelta(seconds=rng.randint(0, 365 * 86400))
        base = [maker.paragraph(rng, names) for _ in range(rng.randint(6, 12))]
        agency = rng.choice(["AP", "Reuters", "AFP"]) if rng.random() < 0.3 else None
        group = [base]
        if rng.random() < 0.15:
            for _ in range(rng.randint(1, 5)):
                if rng.random() < 0.75:
                    # A syndicated copy: trimmed, with a local paragraph or two inserted.
                    keep = base[: rng.randint(math.ceil(0.6 * len(base)), len(base))]
                    for _ in range(rng.randint(0, 2)):
                        extra = maker.paragraph(rng, rng.sample(maker.names, 2))
                        keep.insert(rng.randint(1, len(keep)), extra)
                    group.append(keep)
                else:
                    # Another outlet's own write-up of the same event.
                    group.append([maker.paragraph(rng, names) for _ in range(rng.randint(4, 8))])
        event = len(articles)
        for number, paragraphs in enumerate(group):
            body = list(paragraphs)
            if agency:
                body[0] = f"{names[0].upper()} ({agency}) — {body[0]}"
            articles.append(
                {
                    "source_id": rng.choice(sources),
                    "published_at": published + timedelta(minutes=rng.randint(0, 2000) * number),
                    "body_text": "\n".join(body),
                    "event": event,
                    # the base and its copies are duplicates; independent write-ups are not
                    "is_copy": paragraphs[0] == base[0],
                }
            )
    return articles[:count]


def _enrich(article: dict) -> dict:
    """Return the lake row of one synthetic article, with its real signatures."""
    body = article["body_text"]
    signatures = compute_signatures(body)
    content_sha256 = hash_content(body)
    url = f"https://{article['source_id']}/{content_sha256[:16]}"
    fetched = article["published_at"] + timedelta(hours=1)
    return {
        "article_id": make_article_id(url, content_sha256),
        "capture_id": make_id(url, content_sha256),
        "locator": url,
        "source_kind": "url",
        "url": url,
        "canonical_url": url,
        "canonical_url_source": "link",
        "source_id": article["source_id"],
        "source_domain": article["source_id"],
        "source_name": article["source_id"],
        "source_id_source": "url",
        "title": body[:60],
        "title_source": "meta",
        "authors": [],
        "published_at": article["published_at"],
        "published_at_source": "jsonld",
        "body_text": body,
        "count_words": len(body.split()),
        "content_sha256": content_sha256,
        "wire_agency": find_wire_agency(body),
        "minhash": signatures.minhash,
        "count_shingles": signatures.count_shingles,
        "topic_minhash": signatures.topic_minhash,
        "count_topic_terms": signatures.count_topic_terms,
        "extraction_method": "trafilatura",
        "extractor_version": EXTRACTOR_VERSION,
        "fetched_at": fetched,
        "extracted_at": fetched,
        "_run_id": "scale",
    }


def _capture(article: dict) -> dict:
    """Return a capture row (without bytes) for a synthetic article."""
    return {
        "capture_id": article["capture_id"],
        "locator": article["locator"],
        "source_kind": "url",
        "fetched_at": article["fetched_at"],
        "http_status": 200,
        "body": b"",
        "body_sha256": article["content_sha256"],
        "count_bytes": 0,
        "_run_id": "scale",
    }


def write_lake(
    lake_dir: Path, count: int, workers: int, seed: int
) -> tuple[float, dict[str, tuple[int, bool]]]:
    """Write the synthetic lake; return (signature seconds, article_id -> (event, is_copy))."""
    lake.ensure_lake(lake_dir)
    articles = make_articles(count, seed)
    truth = {}
    for article in articles:
        content_sha256 = hash_content(article["body_text"])
        url = f"https://{article['source_id']}/{content_sha256[:16]}"
        truth[make_article_id(url, content_sha256)] = (article["event"], article["is_copy"])
    started = time.perf_counter()
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers) as pool:
        for start in range(0, len(articles), PART_ROWS):
            rows = pool.map(_enrich, articles[start : start + PART_ROWS], chunksize=200)
            part = f"scale-{start // PART_ROWS:05d}"
            lake.write_rows(lake_dir, "articles", rows, part)
            # Captures without their bytes: the models only need them to exist.
            lake.write_rows(lake_dir, "captures", (_capture(row) for row in rows), part)
    return time.perf_counter() - started, truth


BUILD_CHILD = """
import sys, json
from pathlib import Path
from transforms.warehouse.models import run_models
from transforms.settings import SQL_DIR
work = Path(sys.argv[1])
run_models(
    SQL_DIR, work / "scale.duckdb", work / "lake", work, threads=int(sys.argv[2]),
    write_artifacts=True,
)
"""


def build_models(work: Path, threads: int) -> tuple[float, float]:
    """Run dbt build in a child process; return (wall seconds, the child's peak RSS in MiB)."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [sys.executable, "-c", BUILD_CHILD, str(work), str(threads)], cwd=REPO, check=True
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest child so far: only meaningful when it grew (runs go smallest first).
    return time.perf_counter() - started, max(peak, before) / 1024


def model_seconds(work: Path) -> dict[str, float]:
    """Return each model's execution time from dbt's run_results.json."""
    results = json.loads((work / "target" / "run_results.json").read_text())
    return {
        result["unique_id"].split(".")[-1]: result["execution_time"]
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    }


def pairs_of(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Return the unordered pairs within each group."""
    return {
        (first, second)
        for members in groups.values()
        for first in members
        for second in members
        if first < second
    }


def pair_quality(database: Path, truth: dict[str, tuple[int, bool]]) -> str:
    """Return duplicate and story pair precision/recall against the generator's groups."""
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(
            "select article_id, duplicate_cluster_id, story_id from fct_articles"
        ).fetchall()
    found_dup: dict[str, list[str]] = {}
    found_story: dict[str, list[str]] = {}
    true_dup: dict[str, list[str]] = {}
    true_story: dict[str, list[str]] = {}
    for article_id, cluster_id, story_id in rows:
        event, is_copy = truth[article_id]
        if cluster_id:
            found_dup.setdefault(cluster_id, []).append(article_id)
        found_story.setdefault(story_id, []).append(article_id)
        if is_copy:
            true_dup.setdefault(str(event), []).append(article_id)
        true_story.setdefault(str(event), []).append(article_id)
    scores = []
    for name, found, true in (
        ("dup", pairs_of(found_dup), pairs_of(true_dup)),
        ("story", pairs_of(found_story), pairs_of(true_story)),
    ):
        hits = len(found & true)
        scores.append(f"{name} P {hits / max(1, len(found)):.3f} R {hits / max(1, len(true)):.3f}")
    return ", ".join(scores)


def summarise(database: Path) -> dict[str, int]:
    """Return counts of what the dedup models found."""
    with duckdb.connect(str(database), read_only=True) as connection:
        return {
            name: connection.execute(sql).fetchone()[0]
            for name, sql in {
                "articles": "select count(*) from fct_articles",
                "near-duplicate pairs": (
                    "select count(*) from intermediate.int_near_duplicate_pairs"
                ),
                "duplicate clusters": "select count(*) from dim_duplicate_clusters",
                "duplicates": "select count(*) from fct_articles where is_duplicate",
                "story pairs": "select count(*) from intermediate.int_story_pairs",
                "stories of 2+": "select count(*) from dim_stories where count_articles > 1",
            }.items()
        }


def main() -> None:
    """Run the benchmark for each size and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="dbt/DuckDB threads")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the lakes and warehouses here")
    args = parser.parse_args()
    print(f"# dedup scale ({multiprocessing.cpu_count()} cores, {args.threads} dbt threads)\n")
    print(
        "| articles | signatures s | dbt build s | dedup+story models s | peak RSS MiB "
        "| near-dup pairs | dup clusters | duplicates | story pairs | stories 2+ |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for count in sorted(args.articles):
        with tempfile.TemporaryDirectory(prefix="newsloom-scale-", dir=args.keep) as temp:
            work = Path(temp)
            signature_seconds, truth = write_lake(work / "lake", count, args.workers, args.seed)
            build_seconds, peak_mib = build_models(work, args.threads)
            seconds = model_seconds(work)
            dedup_seconds = sum(seconds.get(name, 0.0) for name in DEDUP_MODELS)
            found = summarise(work / "scale.duckdb")
            print(
                f"| {found['articles']} | {signature_seconds:.1f} | {build_seconds:.1f} "
                f"| {dedup_seconds:.1f} | {peak_mib:.0f} | {found['near-duplicate pairs']} "
                f"| {found['duplicate clusters']} | {found['duplicates']} "
                f"| {found['story pairs']} | {found['stories of 2+']} |",
                flush=True,
            )
            detail = ", ".join(f"{name} {seconds.get(name, 0):.1f}" for name in DEDUP_MODELS)
            quality = pair_quality(work / "scale.duckdb", truth)
            print(f"<!-- {count}: {quality}; {detail} -->", flush=True)


if __name__ == "__main__":
    main()
