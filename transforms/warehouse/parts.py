"""Which Parquet part files of a mart a publish keeps from the last release, and which it writes.

A mart with a `_loaded_at` column (when a build last changed the row) is published as part
files, each holding every row whose `_loaded_at` falls in its range. Builds only ever write rows
with their own, newest `_loaded_at`, so a part still holds exactly the rows of its range when the
table has as many rows in that range as the part has: it is kept (hard-linked into the new
release). Rows that left a part's range make it rewritten; new rows go to a new part.

A Parquet-only mart (article text, a view of lake rows) has a part per lake file, named by the
file and a fingerprint of the rows it shows from it: the same name, the same rows.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

PART_NAME = re.compile(r"^part-(\d+)-(\d+)\.parquet$")
# Merging adjacent small parts keeps a mart that many builds have added to readable in few files.
MAX_PARTS = 12


@dataclass(frozen=True)
class Part:
    """A part file's range of `_loaded_at` (microseconds since the epoch) and its row count."""

    first: int
    last: int
    rows: int

    @property
    def name(self) -> str:
        """Return the part's file name."""
        return f"part-{self.first}-{self.last}.parquet"


def read_parts(folder: Path) -> list[Part]:
    """Return the parts in a published mart folder (none if it is missing)."""
    parts = []
    for path in sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []:
        match = PART_NAME.match(path.name)
        if match:
            rows = pq.ParquetFile(path).metadata.num_rows
            parts.append(Part(int(match[1]), int(match[2]), rows))
    return parts


def plan_parts(
    previous: list[Part], counts: dict[int, int], max_parts: int = MAX_PARTS
) -> tuple[list[Part], list[tuple[int, int]]]:
    """Return the previous parts to keep and the `_loaded_at` ranges to write as new parts.

    counts: the table's rows by `_loaded_at`. Together, the kept parts and the written ranges
    hold every row once.
    """
    values = sorted(value for value, count in counts.items() if count)

    def rows_in(first: int, last: int) -> int:
        return sum(counts[value] for value in values if first <= value <= last)

    kept = [
        part
        for part in sorted(previous, key=lambda part: part.first)
        if part.rows and rows_in(part.first, part.last) == part.rows
    ]
    # In time order: kept parts, and runs of the values no kept part covers, each a new part.
    segments: list[tuple[int, int, int, Part | None]] = [
        (part.first, part.last, part.rows, part) for part in kept
    ]
    uncovered = [value for value in values if not any(p.first <= value <= p.last for p in kept)]
    for value in uncovered:
        segments.append((value, value, counts[value], None))
    segments.sort(key=lambda segment: segment[0])
    merged: list[tuple[int, int, int, Part | None]] = []
    for segment in segments:
        if merged and merged[-1][3] is None and segment[3] is None:
            first, _last, rows, _part = merged[-1]
            merged[-1] = (first, segment[1], rows + segment[2], None)
        else:
            merged.append(segment)
    # Too many parts: merge the adjacent pair with the fewest rows (rewriting them) until not.
    while len(merged) > max_parts:
        pair = min(range(len(merged) - 1), key=lambda i: merged[i][2] + merged[i + 1][2])
        left, right = merged[pair], merged[pair + 1]
        merged[pair : pair + 2] = [(left[0], right[1], left[2] + right[2], None)]
    kept = [segment[3] for segment in merged if segment[3] is not None]
    ranges = [(segment[0], segment[1]) for segment in merged if segment[3] is None]
    return kept, ranges


def lake_part_name(lake_file: str, rows: int, fingerprint: int) -> str:
    """Return the part name for the rows a Parquet-only mart shows from one lake file."""
    name = hashlib.sha256(posixpath.basename(lake_file).encode()).hexdigest()[:16]
    return f"lake-{name}-{rows}-{fingerprint & (2**64 - 1):016x}.parquet"
