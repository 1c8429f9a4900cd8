"""Entities fixtures: the NER pipeline (loaded once), the two seed articles and their mentions."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from transforms.enrich.entities.mentions import find_mentions_batch
from transforms.enrich.entities.model import load_ner
from transforms.enrich.entities.resolve import resolve_entities
from transforms.enrich.entities.schemas import mentions_to_table

SEEDS = Path(__file__).resolve().parents[3] / "sample" / "seeds"
SEED_000 = SEEDS / "000_3a518643be283ca3.txt"
SEED_003 = SEEDS / "003_553c9cd52b557dc4.txt"


def seed_000() -> tuple[str, None, str]:
    """Return the 000 seed as (article_id, title, body): no title, body up to the last sentence."""
    text = SEED_000.read_text(encoding="utf-8")
    end = text.index("since the start of April.") + len("since the start of April.")
    return "seed-000", None, text[:end]


def seed_003() -> tuple[str, str, str]:
    """Return the 003 seed: first line is the title; byline and 'A+ A-' dropped; cut at comments."""
    title, rest = SEED_003.read_text(encoding="utf-8").split("\n", 1)
    rest = rest[: rest.index("Rudaw moderates")]
    body = rest[rest.index("ERBIL") :]
    return "seed-003", title.strip(), body


@pytest.fixture(scope="session")
def nlp():
    """Return the NER pipeline, loaded once per session."""
    return load_ner()


@pytest.fixture(scope="session")
def seed_articles() -> list[tuple[str, str | None, str]]:
    """Return both seeds as (article_id, title, body_text)."""
    return [seed_000(), seed_003()]


@pytest.fixture(scope="session")
def seed_mentions(nlp, seed_articles) -> list[dict]:
    """Return the mention rows of both seeds."""
    return find_mentions_batch(nlp, seed_articles)


@pytest.fixture(scope="session")
def seed_resolution(seed_mentions) -> tuple[pa.Table, pa.Table]:
    """Return (entity_map, dim_entities) of both seeds."""
    return resolve_entities(mentions_to_table(seed_mentions), None)
