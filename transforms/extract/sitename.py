"""The site's own name as a page states it, and a test for 'this text is the site's name'."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from transforms.extract.evidence import HtmlEvidence
from transforms.extract.jsonld import JsonLd, type_names
from transforms.extract.markup import clean_text_value
from transforms.extract.platforms import read_host

# Meta tags that name the site (not the page), strongest first.
SITE_META_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site")
# Host labels that say nothing about who publishes.
GENERIC_HOST_LABELS = {"www", "m", "amp", "blog", "blogs", "news", "en", "web", "home", "mobile"}
MAX_SITE_NAME_WORDS = 8
# A section label is a few words ("Opinion", "Patient Education").
MAX_SECTION_WORDS = 4


def compact(text: str) -> str:
    """Return text reduced for name comparison: accents, case, 'the' and punctuation dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    folded = ascii_text.casefold().strip()
    folded = re.sub(r"^the\s+", "", folded)
    return re.sub(r"[\W_]+", "", folded)


@dataclass(frozen=True)
class SiteNames:
    """What a page calls its site, by source, and its host's labels."""

    by_source: dict[str, str] = field(default_factory=dict)
    host_labels: tuple[str, ...] = ()
    registered_domain: str | None = None
    # The URL's folder names, compacted: the site's sections ("/story/opinion/..." -> "opinion").
    sections: tuple[str, ...] = ()

    def is_section(self, text: str) -> bool:
        """Return True when text names a section the page's URL files it under ("Opinion")."""
        key = compact(text)
        return bool(key) and len(text.split()) <= MAX_SECTION_WORDS and key in self.sections

    def names(self) -> list[str]:
        """Return the distinct stated names."""
        seen: dict[str, str] = {}
        for name in self.by_source.values():
            seen.setdefault(compact(name), name)
        return [name for key, name in seen.items() if key]

    def matches(self, text: str, *, exact: bool = False) -> bool:
        """Return True when text is the site's name: a stated name, or the domain in words.

        exact=False also accepts one name inside the other ("Vivint" for "Vivint Smart Home",
        "The Motley Fool" on fool.com), for text where a site name is expected (a title suffix).
        """
        key = compact(text)
        if not key or len(text.split()) > MAX_SITE_NAME_WORDS:
            return False
        names = [compact(name) for name in self.names()]
        exact_keys = {*names, *self.host_labels}
        if self.registered_domain:
            exact_keys.add(compact(self.registered_domain))
        if key in exact_keys:
            return True
        if exact:
            return False
        for name_key in names:
            if min(len(key), len(name_key)) >= 5 and (key in name_key or name_key in key):
                return True
        for label in self.host_labels:
            # "The Motley Fool" on fool.com, "Harvard Health" on health.harvard.edu.
            if len(label) >= 4 and label in key and len(text.split()) <= 5:
                return True
            # "Moxie" on withmoxie.com.
            if len(key) >= 5 and key in label:
                return True
        return False


def _host_parts(url: str | None) -> tuple[tuple[str, ...], str | None]:
    """Return the host labels that name the publisher, and the registered domain."""
    host = read_host(url)
    if host is None:
        return (), None
    labels = tuple(
        compact(label) for label in host.publisher_labels() if label not in GENERIC_HOST_LABELS
    )
    return tuple(label for label in labels if label), host.platform_site or host.registered_domain


def url_sections(*urls: str | None) -> tuple[str, ...]:
    """Return the compacted folder names of URLs' paths (not the last segment: the page's slug)."""
    sections: list[str] = []
    for url in urls:
        if not url:
            continue
        segments = [unquote(part) for part in urlsplit(url).path.split("/") if part]
        for segment in segments[:-1]:
            words = segment.replace("-", " ").replace("_", " ")
            key = compact(words)
            # Numbers (dates, ids) and long slugs are not sections.
            if len(words.split()) > MAX_SECTION_WORDS or not key or key.isdigit():
                continue
            if key not in sections:
                sections.append(key)
    return tuple(sections)


def read_site_names(evidence: HtmlEvidence, jsonld: JsonLd, url: str | None) -> SiteNames:
    """Return the site's names stated in meta tags and JSON-LD, and the host's labels."""
    by_source: dict[str, str] = {}
    for key in SITE_META_KEYS:
        for value in evidence.meta_tags.get(key, []):
            name = clean_text_value(value.lstrip("@") if key == "twitter:site" else value)
            if name and not name.startswith("http"):
                by_source.setdefault(key, name)
                break
    for obj in jsonld.articles():
        for agent in jsonld.agents(obj.get("publisher")):
            if name := clean_text_value(agent.name):
                by_source.setdefault("jsonld_publisher", name)
    for obj in jsonld.objects:
        is_website = "website" in type_names(obj) and isinstance(obj.get("name"), str)
        if is_website and (name := clean_text_value(obj["name"])):
            by_source.setdefault("jsonld_website", name)
    labels, registered = _host_parts(url)
    canonical = [value for value in evidence.canonical.values() if isinstance(value, str)]
    return SiteNames(by_source, labels, registered, url_sections(url, *canonical))
