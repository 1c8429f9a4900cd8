"""Publisher attribution: URL domain, explicit mapping, or evidence in the document."""

from __future__ import annotations

import csv
import fnmatch
import functools
import logging
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from transforms.extract.normalize import extract_source_domain, fold_text, slugify
from transforms.extract.platforms import Host, read_host
from transforms.extract.source_name import choose_source_name

logger = logging.getLogger(__name__)

LEGAL_SUFFIX_RE = re.compile(
    r"[,\s]+(llc|l\.l\.c\.|ltd\.?|limited|inc\.?|plc|gmbh|ag|s\.a\.|sa|co\.?|corp\.?"
    r"|group|media group)$",
    re.IGNORECASE,
)
# Evidence kinds from strongest to weakest, after the URL itself and an explicit mapping.
EVIDENCE_ORDER = ("canonical", "site_name", "copyright", "comment_policy")


@dataclass(frozen=True)
class Publisher:
    """Who published a document, and what the decision rests on."""

    source_id: str
    source_name: str | None
    source_domain: str | None
    source_id_source: str
    source_platform: str | None = None


@dataclass(frozen=True)
class PathMapping:
    """An explicit sources-config rule: files matching a glob belong to a publisher."""

    pattern: str
    source_id: str
    source_name: str | None = None
    domain: str | None = None

    def matches(self, locator: str) -> bool:
        """Return True when the locator matches the glob (anywhere in the path)."""
        if not self.pattern:
            return False
        return fnmatch.fnmatch(locator, self.pattern) or fnmatch.fnmatch(
            locator, f"*/{self.pattern}"
        )


@functools.cache
def load_known_publishers() -> dict[str, tuple[str, str]]:
    """Return the shipped table of publisher names to (source_id, source_name)."""
    table = resources.files("transforms.extract.data").joinpath("publishers.csv")
    with table.open(encoding="utf-8") as handle:
        return {
            _fold_name(row["evidence_name"]): (row["source_id"], row["source_name"])
            for row in csv.DictReader(handle)
        }


@functools.cache
def load_known_domains() -> dict[str, str]:
    """Return the shipped table's publisher names by source_id (a domain or platform site)."""
    return {source_id: name for source_id, name in load_known_publishers().values()}


def is_known_publisher(name: str) -> bool:
    """Return True when a name is a publisher in the shipped table (a credit to it is no person)."""
    return _fold_name(name) in load_known_publishers()


def _fold_name(name: str) -> str:
    """Return a publisher name folded for lookup: case, legal suffixes, 'the'."""
    folded = fold_text(LEGAL_SUFFIX_RE.sub("", name.strip()))
    return re.sub(r"^the\s+", "", folded)


def publisher_from_name(name: str, decided_by: str) -> Publisher:
    """Return the publisher for a name found in a document, via the known-publisher table."""
    known = load_known_publishers()
    folded = _fold_name(name)
    if folded in known:
        source_id, source_name = known[folded]
        return Publisher(
            source_id, source_name, source_id if "." in source_id else None, decided_by
        )
    if "." in folded and " " not in folded:
        domain = extract_source_domain(f"https://{folded}")
        if domain:
            return Publisher(domain, name, domain, decided_by)
    return Publisher(slugify(name) or "unknown", name, None, decided_by)


def _publisher_of_host(host: Host, names: dict[str, str], decided_by: str) -> Publisher:
    """Return the publisher of a host: keyed by its platform site or its registered domain."""
    if host.platform_site:
        domain = host.host if "/" not in host.platform_site else host.registered_domain
        source_id = host.platform_site
    else:
        domain = host.registered_domain or host.host.removeprefix("www.")
        source_id = domain
    name = choose_source_name(host, names, load_known_domains())
    return Publisher(source_id, name, domain, decided_by, host.platform)


def resolve_publisher(
    *,
    url: str | None,
    locator: str,
    site_name: str | None,
    evidence: dict[str, str],
    mappings: tuple[PathMapping, ...] = (),
    site_names: dict[str, str] | None = None,
) -> Publisher:
    """Return the publisher: URL domain, then the sources config, then document evidence.

    site_names are the page's statements of its site's name by source (og:site_name,
    jsonld_publisher...); site_name a single one (as the text path finds).
    """
    names = dict(site_names) if site_names is not None else {}
    if site_names is None and site_name:
        names["og:site_name"] = site_name
    if "copyright" in evidence:
        names.setdefault("copyright", evidence["copyright"])
    if url and (domain := extract_source_domain(url)):
        host = (urlsplit(url).hostname or "").lower()
        for mapping in mappings:
            if mapping.domain and (host == mapping.domain or host.endswith(f".{mapping.domain}")):
                return Publisher(mapping.source_id, mapping.source_name, domain, "config")
        if (parsed := read_host(url)) is not None:
            return _publisher_of_host(parsed, names, "url")
        return Publisher(domain, None, domain, "url")
    for mapping in mappings:
        if mapping.matches(locator):
            domain = mapping.source_id if "." in mapping.source_id else None
            return Publisher(mapping.source_id, mapping.source_name, domain, "config")
    if (canonical := evidence.get("canonical")) and (parsed := read_host(canonical)):
        return _publisher_of_host(parsed, names, "canonical")
    if site_name:
        return publisher_from_name(site_name, "site_name")
    for kind in EVIDENCE_ORDER[2:]:
        if name := evidence.get(kind):
            return publisher_from_name(name, kind)
    return Publisher("unknown", None, None, "unknown")
