"""A lake written by an older version keeps working after columns are added to a table."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from transforms import lake
from transforms.schemas import ARTICLE_SCHEMA


def test_lake_from_before_a_column_was_added_is_queried_by_the_new_column(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    lake.ensure_lake(lake_dir)
    # The older lake: its articles table has only the empty part, without page_type.
    empty = Path(lake.table_dir(lake_dir, "articles")) / lake.EMPTY_PART
    older = ARTICLE_SCHEMA.remove(ARTICLE_SCHEMA.get_field_index("page_type"))
    pq.write_table(older.empty_table(), empty)

    lake.ensure_lake(lake_dir)

    assert pq.read_schema(empty).equals(ARTICLE_SCHEMA)
    assert lake.pending_enrich_ids(lake_dir, "rules3", "ner1") == []
