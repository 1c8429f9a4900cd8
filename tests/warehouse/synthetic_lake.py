"""A small lake written row by row: articles with chosen signatures, mentions and entities.

Signatures are built to make exact copies, near-duplicates, story pairs and entity links on
purpose, so a test can grow a lake in steps and know what each step should change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from transforms import lake
from transforms.enrich.entities.schemas import DIM_ENTITY_SCHEMA, ENTITY_MAP_SCHEMA
from transforms.extract.article import EXTRACTOR_VERSION
from transforms.schemas import ARTICLE_SCHEMA, CAPTURE_SCHEMA, MENTION_LAKE_SCHEMA, make_id

NER_VERSION = "synthetic-ner"
MINHASH_VALUES = 128
TOPIC_VALUES = 64


def signature(name: str, values: int = MINHASH_VALUES) -> list[int]:
    """Return a random signature, the same for the same name."""
    seed = int(make_id("signature", name)[:12], 16)
    return np.random.default_rng(seed).integers(0, 2**62, size=values).tolist()


def blend(base: list[int], other: list[int], shared: int) -> list[int]:
    """Return a signature equal to `base` in its first `shared` values and to `other` after."""
    return base[:shared] + other[shared:]


def day(text: str) -> datetime:
    """Return a UTC datetime from 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@dataclass
class Article:
    """One capture's article row, with the entity names its body mentions."""

    name: str
    source: str
    published: datetime | None
    minhash: list[int]
    topic: list[int]
    body: str = ""
    capture: str = ""
    modified: datetime | None = None
    fetched: datetime = field(default_factory=lambda: day("2025-05-01 00:00"))
    names: list[str] = field(default_factory=list)
    source_name: str | None = None

    @property
    def article_id(self) -> str:
        """Return the article's id (its URL's)."""
        return make_id("article", self.name)

    @property
    def capture_id(self) -> str:
        """Return the capture's id."""
        return make_id("capture", self.name, self.capture)

    def row(self, run_id: str) -> dict[str, Any]:
        """Return the lake row."""
        body = self.body or f"The body of {self.name}."
        url = f"https://{self.source}.example/news/{self.name}"
        return {
            "article_id": self.article_id,
            "capture_id": self.capture_id,
            "locator": url,
            "source_kind": "url",
            "url": url,
            "canonical_url": url,
            "canonical_url_source": "link",
            "source_id": f"{self.source}.example",
            "source_domain": f"{self.source}.example",
            "source_name": self.source_name or self.source.title(),
            "source_id_source": "url",
            "title": f"Title of {self.name}",
            "title_source": "meta",
            "authors": ["A. Writer"],
            "authors_source": "meta",
            "published_at": self.published,
            "published_at_source": "meta" if self.published else None,
            # written in UTC, as extraction stores a date with its zone
            "published_at_local": self.published.replace(tzinfo=None) if self.published else None,
            "published_utc_offset_minutes": 0 if self.published else None,
            "published_date": self.published.date() if self.published else None,
            "language": "en",
            "language_source": "detected",
            "body_text": body,
            "count_words": len(body.split()),
            "content_sha256": make_id("content", body),
            "modified_at": self.modified,
            "minhash": self.minhash,
            "count_shingles": 400,
            "topic_minhash": self.topic,
            "count_topic_terms": 20,
            "extraction_method": "trafilatura",
            "extractor_version": EXTRACTOR_VERSION,
            "fetched_at": self.fetched,
            "extracted_at": self.fetched + timedelta(minutes=1),
            "_run_id": run_id,
        }


class SyntheticLake:
    """Write articles, their captures and mentions, and resolved entities into a lake."""

    def __init__(self, lake_dir: Path) -> None:
        self.lake_dir = lake_dir
        lake.ensure_lake(lake_dir)

    def add(self, run_id: str, articles: list[Article]) -> None:
        """Write the articles, their captures and their mentions as one run's part files."""
        rows = [article.row(run_id) for article in articles]
        lake.write_table(
            self.lake_dir, "articles", pa.Table.from_pylist(rows, ARTICLE_SCHEMA), run_id
        )
        captures = [
            {
                "capture_id": row["capture_id"],
                "locator": row["locator"],
                "source_kind": "url",
                "fetched_at": row["fetched_at"],
                "http_status": 200,
                "body": b"",
                "body_sha256": row["content_sha256"],
                "count_bytes": 0,
                "_run_id": run_id,
            }
            for row in rows
        ]
        lake.write_table(
            self.lake_dir, "captures", pa.Table.from_pylist(captures, CAPTURE_SCHEMA), run_id
        )
        self.mention(run_id, articles)

    def mention(self, run_id: str, articles: list[Article]) -> None:
        """Write the articles' mentions (the names they list) as one run's part file."""
        mentions = [
            {
                "capture_id": article.capture_id,
                "article_id": article.article_id,
                "entity_type": "person",
                "mention_text": name.title(),
                "start_char": 10 * position,
                "end_char": 10 * position + len(name),
                "local_name": name.title(),
                "name_key": name,
                "is_in_title": False,
                "ner_label": "PERSON",
                "mention_source": "model",
                "type_evidence": "name",
                "ner_version": NER_VERSION,
                "_run_id": run_id,
            }
            for article in articles
            for position, name in enumerate(article.names)
        ]
        if mentions:
            table = pa.Table.from_pylist(mentions, MENTION_LAKE_SCHEMA)
            lake.write_table(self.lake_dir, "mentions", table, f"{run_id}-mentions")

    def resolve(self, entity_of_name: dict[str, str]) -> None:
        """Replace the derived entity tables: each name resolves to the entity named."""
        entity_map = [
            {"entity_type": "person", "name_key": name, "entity_id": make_id("entity", entity)}
            for name, entity in sorted(entity_of_name.items())
        ]
        entities = [
            {
                "entity_id": make_id("entity", entity),
                "entity_name": entity.title(),
                "entity_type": "person",
                "aliases": sorted(name for name, of in entity_of_name.items() if of == entity),
            }
            for entity in sorted(set(entity_of_name.values()))
        ]
        tables = {
            "entity_map": pa.Table.from_pylist(entity_map, ENTITY_MAP_SCHEMA),
            "entities": pa.Table.from_pylist(entities, DIM_ENTITY_SCHEMA),
        }
        for table, data in tables.items():
            lake.write_derived(self.lake_dir, table, data)
