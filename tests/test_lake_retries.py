"""Documents cut off by a timeout or a dead worker are retried on later runs, a bounded number."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.enrich.test_ner import lake_article
from transforms import lake
from transforms.schemas import Capture, Reject


@pytest.fixture
def lake_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lake"
    lake.ensure_lake(folder)
    return folder


def add_captures(lake_dir: Path, names: list[str]) -> dict[str, str]:
    captures = [
        Capture(locator=f"/in/{name}.html", source_kind="file", body=name.encode())
        for name in names
    ]
    lake.write_rows(lake_dir, "captures", [c.to_row("r0") for c in captures], "r0")
    return {name: c.capture_id for name, c in zip(names, captures, strict=True)}


def reject(lake_dir: Path, stage: str, name: str, capture_id: str, reason: str, run: str,
           version: str) -> None:  # fmt: skip
    row = Reject(stage, f"/in/{name}.html", reason, None, capture_id, version).to_row(run)
    lake.write_rows(lake_dir, "rejects", [row], f"{run}-{name}-{reason}")


def test_timeouts_and_dead_workers_are_retried_up_to_the_limit(lake_dir: Path) -> None:
    ids = add_captures(lake_dir, ["slow", "crash", "short", "fresh", "old"])
    reject(lake_dir, "extract", "slow", ids["slow"], "timeout", "r1", "v2")
    reject(lake_dir, "extract", "crash", ids["crash"], "worker_died", "r1", "v2")
    reject(lake_dir, "extract", "short", ids["short"], "too_short", "r1", "v2")
    # Failures at an older extractor version do not count against this one.
    reject(lake_dir, "extract", "old", ids["old"], "timeout", "r0", "v1")
    reject(lake_dir, "extract", "old", ids["old"], "timeout", "r1", "v1")

    pending = lake.pending_extract_ids(lake_dir, "v2", max_attempts=2)
    assert pending == sorted(ids[name] for name in ("slow", "crash", "fresh", "old"))

    reject(lake_dir, "extract", "slow", ids["slow"], "timeout", "r2", "v2")
    pending = lake.pending_extract_ids(lake_dir, "v2", max_attempts=2)
    assert pending == sorted(ids[name] for name in ("crash", "fresh", "old"))
    # One attempt only: nothing is retried.
    pending = lake.pending_extract_ids(lake_dir, "v2", max_attempts=1)
    assert pending == sorted(ids[name] for name in ("fresh", "old"))


def test_ner_timeouts_are_retried_up_to_the_limit_at_their_ner_version(lake_dir: Path) -> None:
    articles = [lake_article(name, "Some body text.") for name in ("slow", "done", "fresh")]
    lake.write_rows(lake_dir, "articles", articles, "r0")
    marker = {
        "capture_id": "done",
        "article_id": "article-done",
        "ner_version": "n1",
        "count_mentions": 0,
        "enriched_at": articles[0]["fetched_at"],
        "_run_id": "r1",
    }
    lake.write_rows(lake_dir, "enrichments", [marker], "r1")
    reject(lake_dir, "enrich", "slow", "slow", "timeout", "r1", "n1")
    reject(lake_dir, "enrich", "slow", "slow", "ner_truncated", "r1", "n1")
    assert lake.pending_enrich_ids(lake_dir, "v1", "n1", max_attempts=2) == ["fresh", "slow"]
    reject(lake_dir, "enrich", "slow", "slow", "worker_died", "r2", "n1")
    assert lake.pending_enrich_ids(lake_dir, "v1", "n1", max_attempts=2) == ["fresh"]
    # A new NER version starts the count again.
    assert lake.pending_enrich_ids(lake_dir, "v1", "n2", max_attempts=2) == [
        "done",
        "fresh",
        "slow",
    ]
