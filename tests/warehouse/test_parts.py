"""Mart part files: which a publish keeps from the last release, which it writes."""

from __future__ import annotations

import pytest

from transforms.warehouse.parts import Part, plan_parts

P = Part


@pytest.mark.parametrize(
    ("previous", "counts", "max_parts", "kept", "ranges"),
    [
        # first publish: one part for everything
        ([], {1: 5}, 12, [], [(1, 1)]),
        # new rows: the old part is kept, the new ones go to a new part
        ([P(1, 1, 5)], {1: 5, 2: 3}, 12, [P(1, 1, 5)], [(2, 2)]),
        # a row left the old part: rewritten, with the new rows next to it
        ([P(1, 1, 5)], {1: 4, 2: 3}, 12, [], [(1, 2)]),
        ([P(1, 1, 5), P(2, 2, 3)], {1: 5, 2: 2, 3: 1}, 12, [P(1, 1, 5)], [(2, 3)]),
        # every row of a part gone: the part is dropped
        ([P(1, 1, 5), P(2, 2, 3)], {2: 3, 3: 1}, 12, [P(2, 2, 3)], [(3, 3)]),
        # a rewritten part between kept ones stays in its own range
        ([P(1, 1, 5), P(2, 2, 3), P(3, 3, 4)], {1: 5, 2: 1, 3: 4}, 12, [P(1, 1, 5), P(3, 3, 4)],
         [(2, 2)]),
        # merged parts cover a range of builds; a later publish keeps them by that range
        ([P(1, 3, 6)], {1: 2, 2: 1, 3: 3, 4: 1}, 12, [P(1, 3, 6)], [(4, 4)]),
        # too many parts: the adjacent ones with the fewest rows are merged
        ([P(1, 1, 100), P(2, 2, 1), P(3, 3, 1)], {1: 100, 2: 1, 3: 1, 4: 1}, 2, [P(1, 1, 100)],
         [(2, 4)]),
        # nothing at all
        ([P(1, 1, 5)], {}, 12, [], []),
    ],
)  # fmt: skip
def test_plan_parts(
    previous: list[Part],
    counts: dict[int, int],
    max_parts: int,
    kept: list[Part],
    ranges: list[tuple[int, int]],
) -> None:
    assert plan_parts(previous, counts, max_parts) == (kept, ranges)


def test_every_row_is_in_one_kept_part_or_written_range() -> None:
    previous = [P(1, 2, 7), P(3, 3, 2), P(4, 6, 9), P(7, 7, 1)]
    counts = {1: 3, 2: 4, 3: 1, 4: 2, 5: 3, 6: 4, 7: 1, 8: 5, 9: 1}
    kept, ranges = plan_parts(previous, counts, max_parts=3)
    spans = sorted([(part.first, part.last) for part in kept] + ranges)
    assert len(spans) <= 3
    for value in counts:
        assert sum(first <= value <= last for first, last in spans) == 1
