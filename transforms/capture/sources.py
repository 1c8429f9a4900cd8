"""Load and validate `sources.toml`: the publishers with their feeds, sitemaps and URL patterns."""

from __future__ import annotations

import fnmatch
import logging
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

log = logging.getLogger(__name__)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SourcesConfigError(ValueError):
    """Raised when sources.toml cannot be read or does not validate."""


def _check_http_url(value: str) -> str:
    """Return the URL if it is an absolute http(s) URL, else raise ValueError."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {value!r}")
    return value.strip()


class Publisher(BaseModel):
    """One publisher: where to find its articles and how to recognise them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default="", description="source_id; defaults to the domain")
    domain: str | None = None
    name: str | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    url_patterns: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()

    @field_validator("domain")
    @classmethod
    def _valid_domain(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lower().removeprefix("www.")
        if not _HOSTNAME.match(value):
            raise ValueError(f"not a bare domain name (no scheme or path): {value!r}")
        return value

    @field_validator("feeds", "sitemaps")
    @classmethod
    def _valid_urls(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_http_url(value) for value in values)

    @field_validator("url_patterns")
    @classmethod
    def _valid_patterns(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression {value!r}: {exc}") from exc
        return values

    @model_validator(mode="after")
    def _default_id(self) -> Publisher:
        if not self.id:
            if not self.domain:
                raise ValueError("a publisher needs an 'id' or a 'domain'")
            object.__setattr__(self, "id", self.domain)
        if not _SLUG.match(self.id):
            raise ValueError(f"id must be lowercase letters, digits, '.', '_' or '-': {self.id!r}")
        return self

    def matches_url(self, url: str) -> bool:
        """Return True if the URL belongs to this publisher and matches its URL patterns."""
        host = (urlsplit(url).hostname or "").lower()
        if self.domain and host != self.domain and not host.endswith("." + self.domain):
            return False
        if not self.url_patterns:
            return bool(self.domain)
        return any(re.search(pattern, url) for pattern in self.url_patterns)


class SourcesConfig(BaseModel):
    """All configured publishers; relative `paths` globs are anchored at the file's folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publishers: tuple[Publisher, ...] = ()
    _base_dir: Path = PrivateAttr(default=Path("."))

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesConfig:
        seen: set[str] = set()
        for publisher in self.publishers:
            if publisher.id in seen:
                raise ValueError(f"duplicate publisher id {publisher.id!r}")
            seen.add(publisher.id)
        return self

    @property
    def base_dir(self) -> Path:
        """Return the folder relative `paths` globs are anchored at."""
        return self._base_dir

    def publisher(self, publisher_id: str) -> Publisher | None:
        """Return the publisher with this id, if any."""
        return next((p for p in self.publishers if p.id == publisher_id), None)

    def publisher_for_url(self, url: str) -> Publisher | None:
        """Return the first publisher whose domain and patterns match the URL."""
        return next((p for p in self.publishers if p.matches_url(url)), None)

    def publisher_for_path(self, path: str | Path) -> Publisher | None:
        """Return the first publisher whose `paths` globs match a local file."""
        target = Path(path).resolve().as_posix()
        for publisher in self.publishers:
            for pattern in publisher.paths:
                anchored = (
                    Path(pattern) if Path(pattern).is_absolute() else self._base_dir / pattern
                )
                if fnmatch.fnmatch(target, anchored.resolve().as_posix()):
                    return publisher
        return None

    def feed_urls(self) -> list[tuple[str, Publisher]]:
        """Return every configured feed URL with its publisher."""
        return [(url, p) for p in self.publishers for url in p.feeds]

    def sitemap_urls(self) -> list[tuple[str, Publisher]]:
        """Return every configured sitemap URL with its publisher."""
        return [(url, p) for p in self.publishers for url in p.sitemaps]


def _describe_error(path: Path, data: dict[str, Any], error: Any) -> str:
    """Return one line naming the file, the publisher and the key of a validation error."""
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "publishers" and isinstance(loc[1], int):
        index = loc[1]
        raw = data.get("publishers", [])
        entry = raw[index] if isinstance(raw, list) and index < len(raw) else {}
        ident = entry.get("id") or entry.get("domain") if isinstance(entry, dict) else None
        where = f" publisher #{index + 1}" + (f" ({ident!r})" if ident else "")
        loc = loc[2:]
    key = ".".join(str(part) for part in loc)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{path}:{where} {key}: {message}" if key else f"{path}:{where}: {message}"


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and validate a sources.toml file; raise SourcesConfigError naming what is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesConfigError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourcesConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        config = SourcesConfig.model_validate(data)
    except ValidationError as exc:
        lines = [_describe_error(path, data, error) for error in exc.errors()]
        raise SourcesConfigError("\n".join(lines)) from exc
    config._base_dir = path.resolve().parent
    log.info("loaded %d publishers from %s", len(config.publishers), path)
    return config
