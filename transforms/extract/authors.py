"""Authors: people credited for an article, organisations apart, from metadata and the byline."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import html as lxml_html

from transforms.extract.byline import BY_LINE_RE, Byline, find_bylines
from transforms.extract.credits import Credit, agency_name, parse_credit
from transforms.extract.evidence import HtmlEvidence
from transforms.extract.jsonld import JsonLd
from transforms.extract.sitename import SiteNames, compact

logger = logging.getLogger(__name__)

# Meta tags naming the author (article:author is often a profile URL: skipped as a handle).
AUTHOR_META_KEYS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    # Scholarly pages list every author in citation_author(s) (the tags Google Scholar reads);
    # Dublin Core's creator is often the first author alone.
    "citation_author",
    "citation_authors",
    "dc.creator",
    "dcterms.creator",
    "byl",
)
# Scholarly meta tags write one author per tag (or a ';'-separated list), family name first.
INVERTED_NAME_KEYS = {"citation_author", "citation_authors", "dc.creator", "dcterms.creator"}
# More distinct "By ..." lines by the headline than a byline and its repeats: a list of works.
MAX_SHOWN_CREDITS = 2
WRITTEN_BY_RE = re.compile(r"^\s*(?:written\s+by|author|by)\s*:?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Authors:
    """Who is credited: people, organisations, where it was read, and an agency credited."""

    people: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    source: str | None = None
    wire_agency: str | None = None


def jsonld_credit(jsonld: JsonLd, sites: SiteNames) -> Credit:
    """Return the authors of the page's first article-like JSON-LD object that names any."""
    for obj in jsonld.articles():
        credit = Credit()
        for key in ("author", "creator"):
            for agent in jsonld.agents(obj.get(key)):
                credit.add(parse_credit(agent.name, sites, kind=agent.kind))
            if credit:
                return credit
    return Credit()


def _inverted_name(value: str) -> str:
    """Return 'First Last' from a citation-style 'Last, First' name."""
    last, _, first = value.partition(",")
    if first.strip() and len(last.split()) <= 3 and len(first.split()) <= 3:
        return f"{first.strip()} {last.strip()}"
    return value


def meta_credit(evidence: HtmlEvidence, sites: SiteNames) -> Credit:
    """Return the authors named in <meta> tags, or in a 'Written by' label/data pair."""
    credit = Credit()
    for key in AUTHOR_META_KEYS:
        for value in evidence.meta_tags.get(key, []):
            if key in INVERTED_NAME_KEYS:
                names = [
                    _inverted_name(name) if name.count(",") == 1 else name
                    for name in value.split(";")
                ]
                value = "; ".join(names)
            credit.add(parse_credit(value, sites))
        if credit:
            return credit
    # Yoast's Twitter card: twitter:label1 "Written by", twitter:data1 the name.
    for index in range(1, 5):
        labels = evidence.meta_tags.get(f"twitter:label{index}", [])
        data = evidence.meta_tags.get(f"twitter:data{index}", [])
        if labels and data and WRITTEN_BY_RE.match(labels[0]):
            credit.add(parse_credit(data[0], sites))
    return credit


def byline_credit(
    bylines: list[Byline], sites: SiteNames, confirmed: frozenset[str] = frozenset()
) -> Credit:
    """Return the authors of the page's visible byline.

    confirmed holds the (compacted) names structured data credits: a byline that shows one of
    them is the article's, also a one-word name or a team (further candidates are often other
    articles').
    """
    credit = Credit()
    for byline in bylines:
        found = parse_credit(byline.text, sites)
        if {compact(name) for name in found.people + found.organizations} & confirmed:
            return found
        if not byline.labelled:
            found.people = [name for name in found.people if len(name.split()) > 1]
        credit.add(found)
        if credit.people:
            break
    return credit


def _name_words(names: list[str]) -> set[str]:
    """Return the words of names, compacted for comparison."""
    return {key for name in names for word in name.split() if (key := compact(word))}


def _is_by_line(byline: Byline) -> bool:
    """Return True for a byline written as a credit: 'By Jane Doe', 'Written by Jane Doe'."""
    return bool(BY_LINE_RE.match(byline.text))


def shown_byline(bylines: list[Byline], stated: Credit, sites: SiteNames) -> Credit | None:
    """Return the byline's credit where the page shows other writers than structured data names.

    The byline by the headline wins when it is written as a credit ("By Jane Doe", "Written by
    ...") and names someone else (structured data often holds the CMS account that posted the
    article), or when it lists the stated writers and their co-authors.
    """
    if not bylines or not bylines[0].near_headline:
        return None
    # "by ..." under every item of a list by the headline credits works, not the article.
    credits = {byline.text for byline in bylines if byline.near_headline and _is_by_line(byline)}
    if len(credits) > MAX_SHOWN_CREDITS:
        return None
    shown = parse_credit(bylines[0].text, sites)
    if not shown.people or not all(len(name.split()) > 1 for name in shown.people):
        return None
    stated_words, shown_words = _name_words(stated.people), _name_words(shown.people)
    if _is_by_line(bylines[0]) and not stated_words & shown_words:
        return shown
    # Co-authors: every stated writer, and others whose names are not theirs again.
    stated_keys = {compact(name) for name in stated.people}
    added = [compact(name) for name in shown.people if compact(name) not in stated_keys]
    repeated = any(key in name for key in stated_keys for name in added)
    if stated_keys < {compact(name) for name in shown.people} and not repeated:
        return shown
    return None


def _full_names(credit: Credit) -> bool:
    """Return True when a credit names people by their full names."""
    return bool(credit.people) and all(len(name.split()) > 1 for name in credit.people)


def _any_names(credit: Credit) -> bool:
    """Return True when a credit names people."""
    return bool(credit.people)


def choose_authors(
    tree: lxml_html.HtmlElement,
    evidence: HtmlEvidence,
    jsonld: JsonLd,
    sites: SiteNames,
    fallback: Callable[[], str | None] | None = None,
    headline: str | None = None,
) -> Authors:
    """Return the people and organisations credited, weighing metadata against the byline.

    fallback reads trafilatura's author, only when nothing before it names people in full.
    """
    bylines = find_bylines(tree, headline)
    stated = {"jsonld": jsonld_credit(jsonld, sites), "meta": meta_credit(evidence, sites)}
    # The site's own name credited is the publisher's, not a byline's: the writer may follow.
    confirmed = frozenset(
        compact(name)
        for credit in stated.values()
        for name in credit.people
        + [name for name in credit.organizations if not sites.matches(name, exact=True)]
    )
    readers = {
        **{name: lambda credit=credit: credit for name, credit in stated.items()},
        "html": lambda: byline_credit(bylines, sites, confirmed),
        "trafilatura": lambda: parse_credit(
            ((fallback and fallback()) or "").replace(";", ","), sites
        ),
    }
    # Full names first, then one-word names (often a CMS user name), then organisations only;
    # within a tier, structured data before the visible byline.
    candidates: dict[str, Credit] = {}
    chosen, source = Credit(), None
    for name, read in readers.items():
        candidates[name] = read()
        if _full_names(candidates[name]):
            chosen, source = candidates[name], name
            break
    else:
        for tier in (_any_names, bool):
            found = next((name for name, credit in candidates.items() if tier(credit)), None)
            if found:
                chosen, source = candidates[found], found
                break
    if source in stated and (shown := shown_byline(bylines, chosen, sites)):
        chosen, source = shown, "html"
    source = "html" if source == "trafilatura" else source
    # The publisher listed beside the writers ("Jane Doe, Ravi Patel, The Commercial Appeal"):
    # the writers' affiliation, already the article's source_name, not an author.
    if len(chosen.people) > 1:
        publisher = [name for name in chosen.people if sites.matches(name, exact=True)]
        if publisher and len(publisher) < len(chosen.people):
            chosen = Credit(
                [name for name in chosen.people if name not in publisher],
                chosen.organizations + publisher,
            )
    if chosen.people:
        # An agency stays, also on its own site: it sets wire_agency.
        kept = [
            name for name in chosen.organizations if agency_name(name) or not sites.matches(name)
        ]
        chosen = Credit(chosen.people, kept)
    agency = next((a for name in chosen.organizations if (a := agency_name(name))), None)
    return Authors(chosen.people, chosen.organizations, source, agency)
