"""Compaction of small lake part files: fewer files, the same rows, safe against a kill."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms import lake
from transforms.schemas import Reject


def write_small_parts(lake_dir: lake.LakeLocation, count: int) -> None:
    lake.ensure_lake(lake_dir)
    for number in range(count):
        rows = [
            Reject(stage="extract", locator=f"page-{number}-{row}.html", reason="empty").to_row(
                f"run{number}"
            )
            for row in range(3)
        ]
        lake.write_rows(lake_dir, "rejects", rows, f"run{number:03d}-x")


def rows(lake_dir: Path) -> list[tuple]:
    with lake.connect_lake(lake_dir) as connection:
        return connection.execute("select * from rejects order by all").fetchall()


def parts(lake_dir: Path) -> list[str]:
    return sorted(path.name for path in (lake_dir / "rejects").glob("*.parquet"))


def test_compaction_merges_small_parts_and_keeps_every_row(tmp_path: Path) -> None:
    write_small_parts(tmp_path, 20)
    before = rows(tmp_path)

    assert lake.compact_lake(tmp_path) == {"rejects": (20, 1)}
    assert rows(tmp_path) == before
    assert len(parts(tmp_path)) == 2  # the merged file and the empty typed seed
    # Below the threshold nothing is rewritten.
    write_small_parts(tmp_path / "few", 3)
    assert lake.compact_lake(tmp_path / "few") == {}
    assert len(parts(tmp_path / "few")) == 4


@pytest.mark.parametrize("killed_after", ["journal", "rename"])
def test_compaction_killed_midway_is_repaired_by_the_next_run(
    tmp_path: Path, killed_after: str
) -> None:
    write_small_parts(tmp_path, 20)
    before = rows(tmp_path)
    inputs = [tmp_path / "rejects" / name for name in parts(tmp_path) if name != lake.EMPTY_PART]
    # Replay _merge_parts' steps up to the kill: the merged file written aside, the journal...
    merged = tmp_path / "rejects" / "compact-killed.parquet"
    temp = merged.with_name(f".{merged.name}.tmp")
    pq.write_table(pa.concat_tables([pq.read_table(path) for path in inputs]), temp)
    journal = {"output": merged.name, "inputs": [path.name for path in inputs]}
    (tmp_path / "rejects" / lake.COMPACTION_JOURNAL).write_text(json.dumps(journal))
    if killed_after == "rename":
        # ...and renamed into place: until repaired, a reader would see each row twice.
        shutil.move(temp, merged)
        assert len(rows(tmp_path)) == 2 * len(before)

    lake.ensure_lake(tmp_path)

    assert rows(tmp_path) == before
    assert not (tmp_path / "rejects" / lake.COMPACTION_JOURNAL).exists()
    assert not list((tmp_path / "rejects").glob("*.tmp"))
