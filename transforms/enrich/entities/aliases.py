"""Alias tables: the shipped curated table, the user overrides file, and the ministry rule.

The overrides file is TOML, read at every resolution (so it re-keys all past mentions)::

    [[alias]]                      # more names for one entity (joins a curated entry if any)
    entity_type = "person"
    name = "Mark A. Milley"
    aliases = ["General Milley"]

    [[merge]]                      # force these into one entity, shown under `name`
    entity_type = "organization"
    names = ["Al Qaida", "Islamic State"]
    name = "Jihadist groups"       # optional; default the first of names

    [[block]]                      # never put these in the same entity
    entity_type = "person"
    names = ["Mark A. Milley", "Milley"]

Names are matched like mentions (folded; places by their chosen place, or 'name|geonames:<id>').
Unknown tables or fields raise ValueError.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from transforms.enrich.entities.geo import demonym_country, find_places
from transforms.enrich.entities.names import DATA_DIR, name_key
from transforms.enrich.entities.schemas import ENTITY_TYPES

_MINISTRY_OF = re.compile(
    r"^(?:(?P<before>.+?) )?(?P<head>ministry|department) of (?:the )?(?P<topic>.+?)"
    r"(?: of (?:the )?(?P<after>.+))?$"
)
_TOPIC_MINISTRY = re.compile(r"^(?P<words>.+) (?P<head>ministry|department)$")
_TOPIC_SYNONYMS = {"foreign": "foreign affairs", "home": "home affairs"}


@dataclass(frozen=True)
class AliasEntry:
    """One entity with its canonical name and the other names it goes by."""

    entity_type: str
    name: str
    aliases: tuple[str, ...] = ()
    resolve_only: tuple[str, ...] = ()
    country: str | None = None
    # False for names that are common words too ("Apple"): they relabel the model's spans only.
    on_sight: bool = True


@dataclass(frozen=True)
class Overrides:
    """User decisions applied at resolution time: extra aliases, forced merges, kept-apart names."""

    aliases: tuple[AliasEntry, ...] = ()
    merges: tuple[tuple[str, tuple[str, ...], str | None], ...] = ()
    blocks: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _check_type(entity_type: object, where: str) -> str:
    """Return a valid entity type or raise with the place it came from."""
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"{where}: entity_type must be one of {ENTITY_TYPES}, got {entity_type!r}")
    return str(entity_type)


def _check_keys(entry: dict, allowed: set[str], where: str) -> None:
    """Refuse unknown fields: a typo in an overrides file must not pass silently."""
    unknown = set(entry) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; allowed {sorted(allowed)}")


@cache
def load_curated_aliases() -> tuple[AliasEntry, ...]:
    """Return the shipped curated alias table (organisations and a few people)."""
    data = tomllib.loads((DATA_DIR / "aliases.toml").read_text(encoding="utf-8"))
    entries = []
    for entity_type, rows in data.items():
        for row in rows:
            entries.append(
                AliasEntry(
                    _check_type(entity_type, "aliases.toml"),
                    row["name"],
                    tuple(row.get("aliases", ())),
                    tuple(row.get("resolve_only", ())),
                    row.get("country"),
                    bool(row.get("on_sight", True)),
                )
            )
    return tuple(entries)


def load_overrides(path: Path | None) -> Overrides:
    """Read a user overrides TOML file ([[alias]], [[merge]], [[block]]); None: no overrides."""
    if path is None:
        return Overrides()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    unknown = set(data) - {"alias", "merge", "block"}
    if unknown:
        raise ValueError(f"{path}: unknown table(s) {sorted(unknown)}; use alias, merge, block")
    aliases, merges, blocks = [], [], []
    for number, entry in enumerate(data.get("alias", []), 1):
        where = f"{path} [[alias]] #{number}"
        _check_keys(entry, {"entity_type", "name", "aliases"}, where)
        entity_type = _check_type(entry.get("entity_type"), where)
        aliases.append(AliasEntry(entity_type, entry["name"], tuple(entry.get("aliases", ()))))
    for number, entry in enumerate(data.get("merge", []), 1):
        where = f"{path} [[merge]] #{number}"
        _check_keys(entry, {"entity_type", "names", "name"}, where)
        entity_type = _check_type(entry.get("entity_type"), where)
        names = tuple(entry.get("names", ()))
        if len(names) < 2:
            raise ValueError(f"{where}: a merge needs at least two names")
        merges.append((entity_type, names, entry.get("name")))
    for number, entry in enumerate(data.get("block", []), 1):
        where = f"{path} [[block]] #{number}"
        _check_keys(entry, {"entity_type", "names"}, where)
        entity_type = _check_type(entry.get("entity_type"), where)
        names = tuple(entry.get("names", ()))
        if len(names) < 2:
            raise ValueError(f"{where}: a block keeps at least two names apart")
        blocks.append((entity_type, names))
    return Overrides(tuple(aliases), tuple(merges), tuple(blocks))


def _country_of(words: str) -> str | None:
    """Return the ISO code a qualifier names ('iraqi', 'iraq', 'iraqs', 'us'), else None."""
    for candidate in (words, words[:-1] if words.endswith("s") else ""):
        if not candidate:
            continue
        code = demonym_country(candidate)
        if code:
            return code
        found = find_places(candidate)
        # Only a name that is nothing but a country: 'Georgia' may be the US state.
        if found and all(c.place.kind == "country" for c in found if not c.is_alternate):
            countries = {c.place.country_code for c in found if c.place.kind == "country"}
            if len(countries) == 1:
                return countries.pop()
    return None


def _split_qualifier(words: str) -> tuple[str | None, str]:
    """Split leading country words off a phrase: 'iraqi defense' -> ('IQ', 'defense')."""
    tokens = words.split()
    for size in range(min(3, len(tokens) - 1), 0, -1):
        code = _country_of(" ".join(tokens[:size]))
        if code:
            return code, " ".join(tokens[size:])
    return None, words


def country_qualifier(key: str) -> str | None:
    """Return the country a folded organisation name starts with ('iraqi army' -> 'IQ')."""
    return _split_qualifier(key)[0] if len(key.split()) > 1 else None


@cache
def canonical_org_key(key: str) -> str:
    """Fold ministry spellings: 'iraqi defense ministry' = 'ministry of defense of iraq'."""
    country: str | None = None
    match = _MINISTRY_OF.match(key)
    if match:
        head, topic = match["head"], match["topic"]
        before, after = match["before"], match["after"]
        if before:
            country = _country_of(before)
            if country is None:
                return key
        if after:
            country_after = _country_of(after)
            if country_after is None or (country and country != country_after):
                return key
            country = country_after
    else:
        match = _TOPIC_MINISTRY.match(key)
        if not match:
            return key
        head = match["head"]
        country, topic = _split_qualifier(match["words"])
    if not topic or len(topic.split()) > 4:
        return key
    topic = _TOPIC_SYNONYMS.get(topic, topic)
    prefix = f"{country.lower()} " if country else ""
    return f"{prefix}{head} of {topic}"


def resolution_key(entity_type: str, key: str) -> str:
    """Return the key names are matched on: the folded key, with organisation rules applied."""
    if entity_type == "organization":
        return canonical_org_key(key)
    return key


def alias_keys(entry: AliasEntry, include_resolve_only: bool = True) -> list[str]:
    """Return the resolution keys of an entry's canonical name and aliases."""
    names = [entry.name, *entry.aliases]
    if include_resolve_only:
        names += entry.resolve_only
    return [resolution_key(entry.entity_type, name_key(entry.entity_type, name)) for name in names]
