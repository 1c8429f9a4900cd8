"""The publisher's name: the curated table, else the page's own site name when it names the host."""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

from transforms.extract.markup import clean_text_value
from transforms.extract.platforms import Host
from transforms.extract.sitename import GENERIC_HOST_LABELS, compact

# Where a page states its site's name, strongest first ("html" is trafilatura's guess from the
# <title>, "copyright" the footer's rights holder).
SITE_NAME_ORDER = (
    "og:site_name",
    "jsonld_publisher",
    "jsonld_website",
    "application-name",
    "apple-mobile-web-app-title",
    "copyright",
    "title_suffix",
    "title_prefix",
    "html",
    "twitter:site",
)
STRONG_SOURCES = {
    "og:site_name",
    "jsonld_publisher",
    "jsonld_website",
    "application-name",
    "apple-mobile-web-app-title",
}
# Guesses that count only when they name the host (a <title> segment may be a section: "U.S.").
WEAK_SOURCES = {"title_suffix", "title_prefix", "html"}
# Handles ("SBAgov") are no names; they only count when another source states the same name.
HANDLE_SOURCES = {"twitter:site"}
MAX_NAME_WORDS = 6
# A bare host given as a name ("legal.thomsonreuters.com"): the host is already the key.
DOMAIN_RE = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}/?$", re.IGNORECASE)
# "Urge Fitness | Affordable 24/7 Gyms Near Me": a site name followed by its tagline.
TAGLINE_SEPARATOR_RE = re.compile(r"\s+[|–—-]\s+|:\s+")
PLATFORM_NAMES = {
    "wordpress",
    "wordpresscom",
    "blogger",
    "blogspot",
    "medium",
    "substack",
    "github",
    "githubpages",
    "tumblr",
    "ghost",
    "wix",
    "weebly",
    "squarespace",
    "livejournal",
    "typepad",
    "hashnode",
}
MIN_FUZZY_RATIO = 80
PARENTHETICAL_RE = re.compile(r"\s*\([^)]*\)\s*$")
LEAD_RE = re.compile(r"^(?:by|©|\(c\)|copyright)\s+", re.IGNORECASE)
LEGAL_SUFFIX_RE = re.compile(
    r"[,\s]+(?:llc|l\.l\.c\.|ltd\.?|limited|private limited|pvt\.? ltd\.?|inc\.?|plc|gmbh|ag"
    r"|s\.a\.|pte\.?(?: ltd\.?)?|b\.v\.?|corp\.?|corporation|co\.)$",
    re.IGNORECASE,
)


def _is_subsequence(short: str, long: str) -> bool:
    """Return True when the letters of `short` appear in `long` in order ('dw', 'deutschewelle')."""
    letters = iter(long)
    return all(letter in letters for letter in short)


def names_host(name: str, host: Host) -> bool:
    """Return True when a name is the host's in words: 'heise online' on heise.de, 'DW' on dw.com.

    A section name ('U.S.' on reuters.com, 'Health' on nationalgeographic.com) is not.
    """
    key = compact(name)
    if not key:
        return False
    for label in host.publisher_labels():
        label = compact(label)
        if not label or label in GENERIC_HOST_LABELS:
            continue
        if key == label or (len(label) >= 3 and label in key) or (len(key) >= 4 and key in label):
            return True
        # Initials and contractions: "Deutsche Welle" on dw.com, "New York Times" on nytimes.com.
        if key[0] == label[0] and len(label) >= 2 and _is_subsequence(label, key):
            return True
        # Plural and spelling variants: "Pike Nurseries" on pikenursery.com.
        if min(len(key), len(label)) >= 6 and fuzz.ratio(key, label) >= MIN_FUZZY_RATIO:
            return True
    return False


def _tidy(name: str) -> str:
    """Return a stated name without a leading 'by'/'©', a legal form ('LLC'), an '(acronym)'."""
    name = PARENTHETICAL_RE.sub("", LEAD_RE.sub("", name))
    return LEGAL_SUFFIX_RE.sub("", name).strip(" ,.") or name


def _segments(name: str) -> list[str]:
    """Return a stated name's parts, if it carries a tagline, then the name itself."""
    parts = [part.strip() for part in TAGLINE_SEPARATOR_RE.split(name) if part.strip()]
    return [*parts, name] if len(parts) > 1 else [name]


def choose_source_name(host: Host, candidates: dict[str, str], known: dict[str, str]) -> str | None:
    """Return the publisher's name for a host, or None when no evidence can be trusted.

    known is the curated table by source key (domain, or platform site). Page evidence counts
    when it names the host, on a blogging platform when it is not the platform's own name, or
    when two sources state the same name.
    """
    # On a platform the platform's own entry (medium.com = Medium) is not the publisher's.
    keys = (host.platform_site,) if host.platform else (host.registered_domain, host.host)
    for key in keys:
        if key and key in known:
            return known[key]
    stated = [
        (source, _tidy(name))
        for source in SITE_NAME_ORDER
        if (name := clean_text_value(candidates.get(source)))
        # A bare host as a guessed name ("legal.thomsonreuters.com") says nothing more.
        and not (source in WEAK_SOURCES and DOMAIN_RE.match(name))
    ]
    handles = {compact(name) for source, name in stated if source in HANDLE_SOURCES}
    stated = [
        (source, name)
        for source, name in stated
        if compact(name) and not (source == "html" and compact(name) in handles)
    ]
    # On a blogging platform the subdomain is often a handle: the publication's stated name first.
    if host.platform:
        for source, name in stated:
            if source in STRONG_SOURCES and compact(name) not in PLATFORM_NAMES:
                return name
    naming = [
        segment
        for source, name in stated
        if source not in HANDLE_SOURCES
        for segment in _segments(name)
        if names_host(segment, host)
    ]
    # The first name that names the host, unless it runs on into a tagline and a shorter one does.
    short = [name for name in naming if len(name.split()) <= MAX_NAME_WORDS]
    if short or naming:
        return (short or naming)[0]
    counts = Counter(compact(name) for _source, name in stated)
    for source, name in stated:
        if counts[compact(name)] >= 2 and source not in WEAK_SOURCES:
            return name
    return None
