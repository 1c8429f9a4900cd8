"""A lake written before a column was added still reads, with the new column null."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from transforms import lake
from transforms.schemas import ARTICLE_SCHEMA


def test_a_lake_from_older_code_gains_the_new_columns(tmp_path: Path) -> None:
    lake.ensure_lake(tmp_path)
    older = pa.schema([field for field in ARTICLE_SCHEMA if field.name != "source_platform"])
    pq.write_table(older.empty_table(), tmp_path / "articles" / lake.EMPTY_PART)

    lake.ensure_lake(tmp_path)

    with lake.connect_lake(tmp_path) as connection:
        assert connection.execute("select count(source_platform) from articles").fetchall() == [
            (0,)
        ]
