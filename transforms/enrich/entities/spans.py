"""Mentions while an article is linked, and which characters they already take."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

TYPE_OF_LABEL = {"PERSON": "person", "ORG": "organization", "GPE": "location", "LOC": "location"}


@dataclass
class Mention:
    """One entity mention while an article is being linked (offsets into the body)."""

    start: int
    end: int
    label: str
    source: str
    local_name: str = ""
    evidence: str = ""

    @property
    def entity_type(self) -> str:
        """Return the newsloom entity type of the spaCy label."""
        return TYPE_OF_LABEL[self.label]


class Occupancy:
    """Which body characters already belong to a mention, or to a non-name entity (dates...)."""

    def __init__(self, size: int, others: list[tuple[int, int]]) -> None:
        """Start with no mentions and the given non-name entity spans."""
        self.taken = bytearray(size)
        self.others = sorted(others)
        self.other_starts = [start for start, _ in self.others]

    def is_free(self, start: int, end: int) -> bool:
        """Return True when [start, end) touches no mention and only fully contains other spans."""
        if any(self.taken[start:end]):
            return False
        index = max(bisect_left(self.other_starts, start) - 1, 0)
        for other_start, other_end in self.others[index:]:
            if other_start >= end:
                break
            if other_end <= start:
                continue
            if other_start < start or other_end > end or (other_start, other_end) == (start, end):
                return False
        return True

    def mark(self, start: int, end: int) -> None:
        """Mark [start, end) as part of a mention."""
        self.taken[start:end] = b"\x01" * (end - start)
