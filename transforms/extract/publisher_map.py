"""Explicit publisher mappings from the sources config, in the form extraction uses."""

from __future__ import annotations

from pathlib import Path

from transforms.capture.sources import SourcesConfig, SourcesConfigError, load_sources
from transforms.extract.publisher import PathMapping
from transforms.schemas import Reject


def load_sources_config(path: Path | None) -> tuple[SourcesConfig | None, Reject | None]:
    """Return the validated sources config, or a reject saying why it cannot be used."""
    if path is None:
        return None, None
    try:
        return load_sources(path), None
    except (SourcesConfigError, OSError, ValueError) as error:
        return None, Reject("capture", str(path), "invalid_config", str(error))


def path_mappings(config: SourcesConfig | None) -> tuple[PathMapping, ...]:
    """Return the path-glob and domain rules of a sources config (globs made absolute)."""
    if config is None:
        return ()
    base = config.base_dir
    rules = [
        PathMapping(
            (Path(pattern) if Path(pattern).is_absolute() else base / pattern).as_posix(),
            publisher.id,
            publisher.name,
        )
        for publisher in config.publishers
        for pattern in publisher.paths
    ]
    rules += [
        PathMapping("", publisher.id, publisher.name, domain=publisher.domain)
        for publisher in config.publishers
        if publisher.domain
    ]
    return tuple(rules)
