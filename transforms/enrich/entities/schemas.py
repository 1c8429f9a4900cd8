"""Pyarrow schemas of the entities layer: mentions, the name-key map, the entity dimension."""

from __future__ import annotations

import pyarrow as pa

ENTITY_TYPES = ("person", "organization", "location")
# Where a mention came from: the statistical model, the gazetteer, an ALL-CAPS dateline, a
# parenthesised acronym, or another occurrence of a name already found in the same article.
MENTION_SOURCES = ("model", "gazetteer", "dateline", "acronym", "propagated")

MENTION_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("entity_type", pa.string(), nullable=False),
        pa.field("mention_text", pa.string(), nullable=False),
        pa.field("start_char", pa.int32(), nullable=False),
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("local_name", pa.string(), nullable=False),
        pa.field("name_key", pa.string(), nullable=False),
        pa.field("is_in_title", pa.bool_(), nullable=False),
        pa.field("ner_label", pa.string(), nullable=False),
        pa.field("mention_source", pa.string(), nullable=False),
        # What the type rests on (transforms.enrich.entities.verify.TYPE_EVIDENCE); 'none': a
        # one-word person only other articles can confirm.
        pa.field("type_evidence", pa.string(), nullable=False),
    ]
)

ENTITY_MAP_SCHEMA = pa.schema(
    [
        pa.field("entity_type", pa.string(), nullable=False),
        pa.field("name_key", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
    ]
)

DIM_ENTITY_SCHEMA = pa.schema(
    [
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("entity_name", pa.string(), nullable=False),
        pa.field("entity_type", pa.string(), nullable=False),
        pa.field("aliases", pa.list_(pa.string()), nullable=False),
        pa.field("country_code", pa.string()),
        pa.field("iso_code", pa.string()),
        pa.field("latitude", pa.float64()),
        pa.field("longitude", pa.float64()),
        pa.field("geonames_id", pa.int64()),
    ]
)


def mentions_to_table(rows: list[dict]) -> pa.Table:
    """Return mention rows as a table of MENTION_SCHEMA (fails loudly on a wrong row)."""
    return pa.Table.from_pylist(rows, schema=MENTION_SCHEMA)
