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
Unknown tables or fields, missing or ill-typed values raise ValueError.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from transforms.enrich.entities.geo import demonym_country, find_places
from transforms.enrich.entities.names import DATA_DIR, name_key
from transforms.enrich.entities.schemas import ENTITY_TYPES

_MINISTRY_OF = re.compile(
    r"^(?:(?P<before>.+?) )?(?P<head>ministry|department) of (?:the )?(?P<topic>.+?)"
    r"(?: of (?:the )?(?P<after>.+))?$"
)
_TOPIC_MINISTRY = re.compile(r"^(?P<words>.+) (?P<head>ministry|department)$")
_TOPIC_SYNONYMS = {"foreign": "foreign affairs", "home": "home affairs"}
EntityType = Literal[ENTITY_TYPES]  # type: ignore[valid-type]  # a tuple subscript: its members
NonEmptyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


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


@cache
def curated_organizations() -> dict[str, str]:
    """Return the organisation key of every curated name and alias -> its entry's name."""
    return {
        name_key("organization", name): entry.name
        for entry in load_curated_aliases()
        if entry.entity_type == "organization"
        for name in (entry.name, *entry.aliases)
    }


class _AliasOverride(BaseModel):
    """One [[alias]] table."""

    model_config = ConfigDict(extra="forbid", strict=True)
    entity_type: EntityType
    name: NonEmptyName
    aliases: list[NonEmptyName] = []


class _MergeOverride(BaseModel):
    """One [[merge]] table."""

    model_config = ConfigDict(extra="forbid", strict=True)
    entity_type: EntityType
    names: list[NonEmptyName] = Field(min_length=2)
    name: NonEmptyName | None = None


class _BlockOverride(BaseModel):
    """One [[block]] table."""

    model_config = ConfigDict(extra="forbid", strict=True)
    entity_type: EntityType
    names: list[NonEmptyName] = Field(min_length=2)


class _OverridesFile(BaseModel):
    """The whole overrides file: lists of alias, merge and block tables."""

    model_config = ConfigDict(extra="forbid", strict=True)
    alias: list[_AliasOverride] = []
    merge: list[_MergeOverride] = []
    block: list[_BlockOverride] = []


def _describe(path: Path, error: Any) -> str:
    """Return one line naming the file, the table and the field of a validation error."""
    loc = list(error["loc"])
    where = f"{path}"
    if len(loc) >= 2 and isinstance(loc[1], int):
        where += f" [[{loc[0]}]] #{loc[1] + 1}"
        loc = loc[2:]
    elif loc:
        where += f" {loc[0]}"
        loc = loc[1:]
    field = ".".join(str(part) for part in loc)
    message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
    return f"{where}: {field + ': ' if field else ''}{message}"


def load_overrides(path: Path | None) -> Overrides:
    """Read a user overrides TOML file ([[alias]], [[merge]], [[block]]); None: no overrides.

    Raises ValueError naming every problem (a missing name, `aliases = 5`, an unknown field).
    """
    if path is None:
        return Overrides()
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    try:
        parsed = _OverridesFile.model_validate(data)
    except ValidationError as error:
        raise ValueError("; ".join(_describe(path, e) for e in error.errors())) from None
    return Overrides(
        tuple(AliasEntry(a.entity_type, a.name, tuple(a.aliases)) for a in parsed.alias),
        tuple((m.entity_type, tuple(m.names), m.name) for m in parsed.merge),
        tuple((b.entity_type, tuple(b.names)) for b in parsed.block),
    )


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
