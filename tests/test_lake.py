"""The lake on an object store (a real S3 API on 127.0.0.1): writes, reads, compaction, errors."""

from __future__ import annotations

import json
import posixpath

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.test_lake_compaction import write_small_parts
from transforms import lake
from transforms.lake import RemoteLake


def rows(location: RemoteLake) -> list[tuple]:
    with lake.connect_lake(location) as connection:
        return connection.execute("select locator, reason from rejects order by all").fetchall()


def parts(location: RemoteLake) -> list[str]:
    fs, _root = lake.lake_fs(location)
    return sorted(posixpath.basename(path) for path in fs.ls(lake.table_dir(location, "rejects")))


def test_object_store_lake_is_written_and_read_through_duckdb(s3_lake: RemoteLake) -> None:
    assert not lake.lake_exists(s3_lake)
    lake.ensure_lake(s3_lake)
    assert lake.lake_exists(s3_lake)
    assert lake.is_remote(s3_lake)
    assert lake.lake_url(s3_lake) == s3_lake.url
    assert "secret" not in repr(s3_lake) and str(s3_lake) == s3_lake.url

    write_small_parts(s3_lake, 2)

    assert rows(s3_lake) == sorted(
        (f"page-{number}-{row}.html", "empty") for number in range(2) for row in range(3)
    )
    # Object PUTs are atomic: no temp files are written beside the parts.
    assert parts(s3_lake) == ["_empty.parquet", "run000-x.parquet", "run001-x.parquet"]
    with lake.connect_lake(s3_lake) as connection:
        assert connection.execute("select count(*) from articles").fetchone() == (0,)
    assert lake.pending_extract_ids(s3_lake, "v1") == []


def test_object_store_compaction_merges_and_a_killed_one_is_repaired(s3_lake: RemoteLake) -> None:
    write_small_parts(s3_lake, 20)
    before = rows(s3_lake)

    assert lake.compact_lake(s3_lake) == {"rejects": (20, 1)}
    assert rows(s3_lake) == before
    assert len(parts(s3_lake)) == 2

    # A compaction killed after writing the merged object, before dropping its inputs.
    write_small_parts(s3_lake, 3)
    expected = rows(s3_lake)
    fs, _root = lake.lake_fs(s3_lake)
    folder = lake.table_dir(s3_lake, "rejects")
    inputs = [posixpath.join(folder, f"run{number:03d}-x.parquet") for number in range(3)]
    merged = pa.concat_tables([pq.read_table(path, filesystem=fs) for path in inputs])
    pq.write_table(merged, posixpath.join(folder, "compact-killed.parquet"), filesystem=fs)
    plan = {"output": "compact-killed.parquet", "inputs": [posixpath.basename(p) for p in inputs]}
    fs.pipe_file(posixpath.join(folder, lake.COMPACTION_JOURNAL), json.dumps(plan).encode())
    assert len(rows(s3_lake)) == len(expected) + 9  # until repaired, 9 rows read twice

    lake.ensure_lake(s3_lake)

    assert rows(s3_lake) == expected
    assert not fs.exists(posixpath.join(folder, lake.COMPACTION_JOURNAL))


def test_unreachable_lake_fails_with_a_clear_error(s3_endpoint: str) -> None:
    options = {"endpoint_url": s3_endpoint, "key": "test", "secret": "test"}
    missing = RemoteLake("s3://no-such-bucket-newsloom/lake", options)

    with pytest.raises(lake.LakeUnavailableError, match="no-such-bucket-newsloom"):
        lake.ensure_lake(missing)
    assert fsspec.filesystem("s3", **options).exists("no-such-bucket-newsloom") is False
