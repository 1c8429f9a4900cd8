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


def resolve_publisher(
    *,
    url: str | None,
    locator: str,
    site_name: str | None,
    evidence: dict[str, str],
    mappings: tuple[PathMapping, ...] = (),
) -> Publisher:
    """Return the publisher: URL domain, then the sources config, then document evidence."""
    if url and (domain := extract_source_domain(url)):
        host = (urlsplit(url).hostname or "").lower()
        for mapping in mappings:
            if mapping.domain and (host == mapping.domain or host.endswith(f".{mapping.domain}")):
                return Publisher(mapping.source_id, mapping.source_name, domain, "config")
        name = site_name or load_known_publishers().get(_fold_name(domain), (None, None))[1]
        return Publisher(domain, name, domain, "url")
    for mapping in mappings:
        if mapping.matches(locator):
            domain = mapping.source_id if "." in mapping.source_id else None
            return Publisher(mapping.source_id, mapping.source_name, domain, "config")
    if canonical := evidence.get("canonical"):
        domain = extract_source_domain(canonical)
        if domain:
            return Publisher(domain, site_name, domain, "canonical")
    if site_name:
        return publisher_from_name(site_name, "site_name")
    for kind in EVIDENCE_ORDER[2:]:
        if name := evidence.get(kind):
            return publisher_from_name(name, kind)
    return Publisher("unknown", None, None, "unknown")
