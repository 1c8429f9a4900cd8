"""Fuzzy matching of names inside blocks, over a union-find that honours kept-apart names."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from rapidfuzz import fuzz, process

from transforms.enrich.entities.names import consonant_skeleton, is_initial, person_parts

logger = logging.getLogger(__name__)

LAST_NAME_CUTOFF = 88
FIRST_NAME_CUTOFF = 85
ORG_CUTOFF = 92
ORG_MIN_CHARS = 8
MAX_BLOCK = 2000


class NamedNode(Protocol):
    """What matching needs of a node: its type and resolution key."""

    entity_type: str
    rkey: str


class Clusters:
    """Union-find over node numbers; nodes tagged apart by a [[block]] never join."""

    def __init__(self, size: int) -> None:
        """Start with every node alone."""
        self.parent = list(range(size))
        self.tags: dict[int, dict[int, set[int]]] = {}

    def find(self, node: int) -> int:
        """Return the root of a node's cluster."""
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def tag(self, node: int, block: int, position: int) -> None:
        """Mark a node as name number 'position' of block entry 'block'."""
        self.tags.setdefault(self.find(node), {}).setdefault(block, set()).add(position)

    def union(self, first: int, second: int) -> bool:
        """Join two clusters unless a block keeps them apart; return whether they are joined."""
        a, b = self.find(first), self.find(second)
        if a == b:
            return True
        tags_a, tags_b = self.tags.get(a, {}), self.tags.get(b, {})
        for block in tags_a.keys() & tags_b.keys():
            if len(tags_a[block] | tags_b[block]) > 1:
                return False
        if a > b:
            a, b = b, a
        self.parent[b] = a
        if tags_b:
            merged = self.tags.setdefault(a, {})
            for block, positions in self.tags.pop(b).items():
                merged.setdefault(block, set()).update(positions)
        return True


def _pairs(names: Sequence[str], cutoff: int) -> np.ndarray:
    """Return a boolean matrix: pairs of names at least 'cutoff' similar (rapidfuzz ratio)."""
    scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8)
    return scores > 0


def _middles_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Return True unless both names have middle names that disagree ('Mark A.' vs 'Mark B.')."""
    return all(x[0] == y[0] for x, y in zip(a, b, strict=False))


def match_people(
    nodes: Sequence[NamedNode], clusters: Clusters, lone: frozenset[int] = frozenset()
) -> None:
    """Join person name variants: fuzzy full names in blocks, then initials and surnames alone.

    Nodes in `lone` (a bare surname with no person evidence in any article) join no full name:
    "Watson" in one article is not the "Katrina Watson" of another.
    """
    parts = {
        n: person_parts(node.rkey) for n, node in enumerate(nodes) if node.entity_type == "person"
    }
    full = {n: p for n, p in parts.items() if p[0] and not is_initial(p[0])}
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, (first, _, last) in sorted(full.items()):
        blocks[(first[0], consonant_skeleton(last, 3))].append(n)
    for members in blocks.values():
        if len(members) > MAX_BLOCK:
            by_last: dict[str, list[int]] = defaultdict(list)
            for n in members:
                by_last[full[n][2]].append(n)
            groups = list(by_last.values())
        else:
            groups = [members]
        for group in groups:
            if len(group) < 2:
                continue
            lasts = _pairs([full[n][2] for n in group], LAST_NAME_CUTOFF)
            firsts = _pairs([full[n][0] for n in group], FIRST_NAME_CUTOFF)
            for i, j in zip(*np.nonzero(np.triu(lasts & firsts, k=1)), strict=True):
                a, b = group[i], group[j]
                if _middles_agree(full[a][1], full[b][1]):
                    clusters.union(a, b)
    full_by_last: dict[str, list[int]] = defaultdict(list)
    for n, (_, _, last) in full.items():
        full_by_last[last].append(n)
    for n, (first, middles, last) in sorted(parts.items()):
        if n in full or n in lone:
            continue
        roots = {
            clusters.find(m)
            for m in full_by_last.get(last, [])
            if full[m][0].startswith(first) and _middles_agree(full[m][1], middles)
        }
        if len(roots) == 1:
            clusters.union(next(iter(roots)), n)


def match_organizations(nodes: Sequence[NamedNode], clusters: Clusters) -> None:
    """Join organisation spelling variants ('Goldman Sachs' / 'Goldman Sachs') inside blocks."""
    blocks: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for n, node in enumerate(nodes):
        key = node.rkey
        if node.entity_type == "organization" and len(key) >= ORG_MIN_CHARS:
            digits = "".join(char for char in key if char.isdigit())
            blocks[(consonant_skeleton(key, 5), len(key.split()), digits)].append(n)
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) > MAX_BLOCK:
            logger.debug("organisation block of %d names left to exact matching", len(members))
            continue
        similar = _pairs([nodes[n].rkey for n in members], ORG_CUTOFF)
        for i, j in zip(*np.nonzero(np.triu(similar, k=1)), strict=True):
            clusters.union(members[i], members[j])
