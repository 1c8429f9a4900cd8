"""Cross-article entity resolution: name keys -> entity ids, and the entity dimension."""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from transforms.enrich.entities import geo
from transforms.enrich.entities.aliases import (
    AliasEntry,
    Overrides,
    alias_keys,
    country_qualifier,
    load_curated_aliases,
    load_overrides,
    resolution_key,
)
from transforms.enrich.entities.matching import Clusters, match_organizations, match_people
from transforms.enrich.entities.names import name_key
from transforms.enrich.entities.schemas import DIM_ENTITY_SCHEMA, ENTITY_MAP_SCHEMA
from transforms.enrich.entities.verify import UNCONFIRMED_EVIDENCE
from transforms.schemas import make_id

logger = logging.getLogger(__name__)

MAX_ALIASES = 50
# Cross-article type vote: a name seen as another type this many times more often is that type
# ("Twitter" tagged a person in a few articles and an organisation in many).
TYPE_VOTE_RATIO = 3.0
# An unconfirmed name joins the type other articles confirm when they confirm it at least once
# for every UNCONFIRMED_VOTE_SHARE of its own mentions.
UNCONFIRMED_VOTE_SHARE = 4
# Evidence too weak to hold a type against a vote: the model alone, a plausible name, nothing.
WEAK_EVIDENCE = frozenset({"model", "name", "none"})
_MINISTRY_COUNTRY = re.compile(r"^([a-z]{2}) (?:ministry|department) of ")


@dataclass
class Node:
    """One distinct (entity_type, name_key) with the names and counts behind it.

    entity_type starts as the mentions' type and may change by the cross-article vote;
    mention_type stays the mentions' type (the entity map's join key).
    """

    entity_type: str
    name_key: str
    rkey: str
    geo_key: str | None
    count: int = 0
    names: Counter = field(default_factory=Counter)
    texts: Counter = field(default_factory=Counter)
    evidence: Counter = field(default_factory=Counter)
    mention_type: str = ""

    def __post_init__(self) -> None:
        """Remember the mentions' type."""
        self.mention_type = self.mention_type or self.entity_type

    @property
    def is_confirmed(self) -> bool:
        """Return True when some mention has evidence for the type beyond nothing at all."""
        return any(evidence not in UNCONFIRMED_EVIDENCE for evidence in self.evidence)

    @property
    def is_weak(self) -> bool:
        """Return True when no mention has more than the model's word for the type."""
        return all(evidence in WEAK_EVIDENCE for evidence in self.evidence)


def _split_geo(key: str) -> tuple[str, str | None]:
    """Split 'baghdad|geonames:98182' into its folded name and geo key."""
    base, sep, suffix = key.rpartition("|")
    if sep and suffix.startswith(("geonames:", "iso:")):
        return base, suffix
    return key, None


def _rkey_of_name(entity_type: str, name: str) -> str:
    """Return the resolution key of a display name from an alias table or overrides file."""
    if "|" in name:
        base, geo_key = _split_geo(name)
        return f"geo:{geo_key}" if geo_key else base
    if entity_type == "location":
        place = geo.choose_place(name)
        if place is not None:
            return f"geo:{place.geo_key}"
    return resolution_key(entity_type, name_key(entity_type, name))


def _build_nodes(mentions: pa.Table) -> list[Node]:
    """Aggregate mentions into one node per (entity_type, name_key), sorted."""
    keys = ["entity_type", "name_key", "local_name", "mention_text"]
    if "type_evidence" in mentions.column_names:
        keys.append("type_evidence")
    if "count_mentions" in mentions.column_names:
        # Already aggregated (by DuckDB over the lake): sum the counts.
        grouped = (
            mentions.select([*keys, "count_mentions"])
            .group_by(keys)
            .aggregate([("count_mentions", "sum")])
        )
        grouped = grouped.rename_columns(
            ["count_all" if n == "count_mentions_sum" else n for n in grouped.column_names]
        )
    else:
        grouped = mentions.select(keys).group_by(keys).aggregate([([], "count_all")])
    nodes: dict[tuple[str, str], Node] = {}
    for row in grouped.to_pylist():
        entity_type, key = row["entity_type"], row["name_key"]
        node = nodes.get((entity_type, key))
        if node is None:
            base, geo_key = _split_geo(key)
            rkey = f"geo:{geo_key}" if geo_key else resolution_key(entity_type, base)
            node = nodes[(entity_type, key)] = Node(entity_type, key, rkey, geo_key)
        node.count += row["count_all"]
        node.names[row["local_name"]] += row["count_all"]
        node.texts[row["mention_text"]] += row["count_all"]
        # Mentions written before type verification count as the model's word.
        node.evidence[row.get("type_evidence") or "model"] += row["count_all"]
    return [nodes[pair] for pair in sorted(nodes)]


def _vote_types(nodes: list[Node]) -> None:
    """Give weakly typed names the type other articles agree on ('Twitter' is an organisation).

    Names are compared without their place ('phoenix' in any type). The type with the most
    confirmed mentions wins; a node of another type moves to it when it has no evidence at all,
    or only the model's word against a clear majority (TYPE_VOTE_RATIO).
    """
    by_base: dict[str, list[Node]] = defaultdict(list)
    for node in nodes:
        by_base[_split_geo(node.name_key)[0]].append(node)
    for base, group in by_base.items():
        types = {node.entity_type for node in group}
        if len(types) < 2:
            continue
        confirmed: Counter = Counter()
        total: Counter = Counter()
        for node in group:
            total[node.entity_type] += node.count
            confirmed[node.entity_type] += sum(
                count
                for evidence, count in node.evidence.items()
                if evidence not in UNCONFIRMED_EVIDENCE
            )
        winner = max(sorted(types), key=lambda t: (confirmed[t], total[t]))
        if not confirmed[winner]:
            continue
        places = Counter(
            {n.geo_key: n.count for n in group if n.entity_type == winner and n.geo_key}
        )
        for node in group:
            if node.entity_type == winner:
                continue
            if node.is_confirmed:
                outvoted = total[winner] >= TYPE_VOTE_RATIO * total[node.entity_type]
                if not (node.is_weak and outvoted):
                    continue
            elif confirmed[winner] * UNCONFIRMED_VOTE_SHARE < node.count:
                continue  # a few organisation tags do not make 50 unconfirmed "Pro"s one
            node.entity_type = winner
            node.geo_key = places.most_common(1)[0][0] if places else None
            node.rkey = f"geo:{node.geo_key}" if node.geo_key else resolution_key(winner, base)


def _alias_table(overrides: Overrides) -> tuple[list[AliasEntry], dict[tuple[str, str], int]]:
    """Return alias entries and (entity_type, resolution key) -> entry index; overrides win."""
    entries = list(load_curated_aliases())
    index: dict[tuple[str, str], int] = {}
    for number, entry in enumerate(entries):
        for key in alias_keys(entry):
            index.setdefault((entry.entity_type, key), number)
    for entry in overrides.aliases:
        name_rkey = _rkey_of_name(entry.entity_type, entry.name)
        number = index.get((entry.entity_type, name_rkey))
        if number is None:
            entries.append(entry)
            number = len(entries) - 1
        index[(entry.entity_type, name_rkey)] = number
        for alias in entry.aliases:
            index[(entry.entity_type, _rkey_of_name(entry.entity_type, alias))] = number
    return entries, index


def _apply_overrides(
    nodes: list[Node],
    by_rkey: dict[tuple[str, str], list[int]],
    clusters: Clusters,
    overrides: Overrides,
) -> dict[int, str]:
    """Tag kept-apart names, force merges; return node -> display name chosen by a merge."""
    for number, (entity_type, names) in enumerate(overrides.blocks):
        for position, name in enumerate(names):
            for node in by_rkey.get((entity_type, _rkey_of_name(entity_type, name)), []):
                clusters.tag(node, number, position)
    display: dict[int, str] = {}
    for entity_type, names, chosen in overrides.merges:
        matched = [
            node
            for name in names
            for node in by_rkey.get((entity_type, _rkey_of_name(entity_type, name)), [])
        ]
        if not matched:
            logger.info("override merge %s matched no mentions", names)
            continue
        for node in matched[1:]:
            if not clusters.union(matched[0], node):
                raise ValueError(f"override merge {names} contradicts a [[block]] entry")
        for node in matched:
            display[node] = chosen or names[0]
    return display


def _learn_acronyms(nodes: list[Node], clusters: Clusters) -> None:
    """Join a bare acronym ('IAEA') to the long name it stood for in other articles."""
    meanings: dict[tuple[str, str], set[int]] = defaultdict(set)
    for number, node in enumerate(nodes):
        if node.entity_type != "organization":
            continue
        for text in node.texts:
            key = name_key(node.entity_type, text)
            if text.isupper() and 2 <= len(text) <= 10 and " " not in text and key != node.name_key:
                meanings[(node.entity_type, key)].add(number)
    for number, node in enumerate(nodes):
        long_forms = meanings.get((node.entity_type, node.name_key))
        if long_forms and len({clusters.find(other) for other in long_forms}) == 1:
            clusters.union(min(long_forms), number)


def _is_abbreviation(name: str) -> bool:
    """Return True for a short all-capitals name ('AZ', 'NYC', 'U.S.')."""
    letters = name.replace(".", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 3


def _entity_row(
    members: list[Node], anchor: AliasEntry | None, display: str | None
) -> tuple[str, dict]:
    """Return the canonical key and dim_entities row (without id) of one cluster."""
    entity_type = members[0].entity_type
    names: Counter = Counter()
    for node in members:
        names.update(node.names)
        names.update(node.texts)
    local = Counter()
    for node in members:
        local.update(node.names)
    most_local = sorted(local.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))[0][0]
    geo_counts = Counter({node.geo_key: node.count for node in members if node.geo_key})
    place = None
    if geo_counts:
        best_key = sorted(geo_counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
        place = geo.place_by_code(best_key)
    if display:
        entity_name = display
    elif anchor is not None:
        entity_name = anchor.name
    elif place is not None and (place.kind == "country" or _is_abbreviation(most_local)):
        entity_name = place.name  # "Arizona", not the "AZ" of addresses
    else:
        entity_name = most_local
    if place is not None:
        canonical = place.geo_key  # one id per place, whatever the spelling
    elif entity_type == "location":
        canonical = name_key(entity_type, entity_name)
    else:
        canonical = _rkey_of_name(entity_type, entity_name)
    country = place.country_code if place else (anchor.country if anchor else None)
    if entity_type == "organization" and country is None:
        match = _MINISTRY_COUNTRY.match(members[0].rkey)
        key = name_key(entity_type, entity_name)
        country = match.group(1).upper() if match else country_qualifier(key)
    seen = {entity_name}
    aliases = []
    for text, _ in sorted(names.items(), key=lambda item: (-item[1], item[0])):
        text = " ".join(text.split())
        if text not in seen and len(aliases) < MAX_ALIASES:
            seen.add(text)
            aliases.append(text)
    return canonical, {
        "entity_name": entity_name,
        "entity_type": entity_type,
        "aliases": aliases,
        "country_code": country,
        "iso_code": place.iso_code if place else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "geonames_id": place.geonames_id if place else None,
    }


def resolve_entities(
    mentions: pa.Table, overrides_path: Path | None = None
) -> tuple[pa.Table, pa.Table]:
    """Return (entity_map, dim_entities) for all mentions; same input, same ids, any row order."""
    overrides = load_overrides(overrides_path)
    nodes = _build_nodes(mentions)
    _vote_types(nodes)
    clusters = Clusters(len(nodes))
    by_rkey: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number, node in enumerate(nodes):
        by_rkey[(node.entity_type, node.rkey)].append(number)
    display = _apply_overrides(nodes, by_rkey, clusters, overrides)
    for members in by_rkey.values():
        for node in members[1:]:
            clusters.union(members[0], node)
    entries, alias_index = _alias_table(overrides)
    anchored: dict[int, list[int]] = defaultdict(list)
    for number, node in enumerate(nodes):
        entry = alias_index.get((node.entity_type, node.rkey))
        if entry is not None:
            anchored[entry].append(number)
    for members in anchored.values():
        for node in members[1:]:
            clusters.union(members[0], node)
    _learn_acronyms(nodes, clusters)
    match_people(
        nodes, clusters, frozenset(n for n, node in enumerate(nodes) if not node.is_confirmed)
    )
    match_organizations(nodes, clusters)
    anchor_of = {node: entry for entry, members in anchored.items() for node in members}

    groups: dict[int, list[int]] = defaultdict(list)
    for number in range(len(nodes)):
        groups[clusters.find(number)].append(number)
    used: set[tuple[str, str]] = set()
    map_rows, dim_rows = [], []
    unconfirmed = 0
    for members in sorted(groups.values()):
        if not any(nodes[m].is_confirmed for m in members):
            # No article gives these names evidence for their type (a lone "Drop" as a person).
            unconfirmed += len(members)
            continue
        found = sorted({anchor_of[m] for m in members if m in anchor_of})
        anchor = entries[found[0]] if found else None
        chosen = sorted({display[m] for m in members if m in display})
        canonical, row = _entity_row(
            [nodes[m] for m in members], anchor, chosen[0] if chosen else None
        )
        entity_type = row["entity_type"]
        if (entity_type, canonical) in used:
            canonical = f"{canonical}#{nodes[members[0]].name_key}"
        used.add((entity_type, canonical))
        entity_id = make_id(entity_type, canonical)
        dim_rows.append({"entity_id": entity_id, **row})
        map_rows.extend(
            {
                "entity_type": nodes[m].mention_type,
                "name_key": nodes[m].name_key,
                "entity_id": entity_id,
            }
            for m in members
        )
    logger.info(
        "resolved %d name keys into %d entities; %d names left out, unconfirmed",
        len(map_rows), len(dim_rows), unconfirmed,
    )  # fmt: skip
    map_rows.sort(key=lambda row: (row["entity_type"], row["name_key"]))
    dim_rows.sort(key=lambda row: row["entity_id"])
    return (
        pa.Table.from_pylist(map_rows, schema=ENTITY_MAP_SCHEMA),
        pa.Table.from_pylist(dim_rows, schema=DIM_ENTITY_SCHEMA),
    )
