"""Explicit publisher mappings for URL-less files, read from the sources config."""

from __future__ import annotations

import tomllib
from pathlib import Path

from transforms.publishers import PathMapping


def load_path_mappings(path: Path | None) -> tuple[PathMapping, ...]:
    """Return the path-glob to publisher rules of a sources.toml (none without a file)."""
    if path is None or not path.exists():
        return ()
    with path.open("rb") as handle:
        config = tomllib.load(handle)
    return tuple(
        PathMapping(pattern, publisher["id"], publisher.get("name"))
        for publisher in config.get("publishers", [])
        for pattern in publisher.get("paths", [])
    )
