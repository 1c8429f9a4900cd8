"""World country shapes for the report's map, from the countryinfo package (no download)."""

from __future__ import annotations

import functools
from typing import Any

from countryinfo import all_countries

# Two decimals (about 1 km) is finer than a page-wide world map can show, and halves the file.
COORDINATE_DECIMALS = 2


def _rounded(coordinates: Any) -> Any:
    """Return nested GeoJSON coordinates rounded to COORDINATE_DECIMALS."""
    if isinstance(coordinates, list):
        return [_rounded(item) for item in coordinates]
    return round(coordinates, COORDINATE_DECIMALS)


@functools.cache
def world_countries() -> tuple[dict[str, Any], ...]:
    """Return one GeoJSON feature per country, its ISO 3166 alpha-2 code in `properties.iso2`."""
    features = []
    for country in all_countries():
        shapes = country.geo_json()
        if not shapes:  # small territories have no shape at this scale
            continue
        iso2 = country.iso().get("alpha2")
        for feature in shapes["features"]:
            geometry = feature["geometry"]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": feature["properties"].get("name"), "iso2": iso2},
                    "geometry": {
                        "type": geometry["type"],
                        "coordinates": _rounded(geometry["coordinates"]),
                    },
                }
            )
    return tuple(features)
