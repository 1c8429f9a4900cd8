"""Date candidates in an HTML page: JSON-LD, meta tags, microdata, and the dates readers see."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from lxml import html as lxml_html

from transforms.extract.dates import DateCandidate, WrittenDate, parse_written_date
from transforms.extract.pagetext import TextNode, body_text_nodes

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janvier enero gennaio janeiro januari jänner",
        "february feb februar février fevrier febrero febbraio fevereiro februari",
        "march mar märz maerz mars marzo março maart",
        "april apr avril abril aprile",
        "may mai mayo maggio maio mei",
        "june jun juni juin junio giugno junho",
        "july jul juli juillet julio luglio julho",
        "august aug août aout agosto augustus",
        "september sep sept septembre septiembre settembre setembro",
        "october oct oktober octobre octubre ottobre outubro",
        "november nov novembre noviembre novembro",
        "december dec dezember décembre decembre diciembre dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# Spelled-out months first (unambiguous), then ISO, then numeric day/month orders.
DATE_PATTERNS = (
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:de\s+|of\s+)?{_MONTH},?\s+(?:de\s+)?{_YEAR}\b", re.I)),
    # "2025-12-19" alone or opening a datetime ("2025-12-19T15:55:39-08:00").
    (
        "iso",
        re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?:\b|(?=T\d))"),
    ),
    ("num", re.compile(r"\b(?P<a>[0-3]?\d)([/.])(?P<b>[0-3]?\d)\2(?P<year>(?:19|20)\d{2})\b")),
)
YEAR_RE = re.compile(r"(?:19|20)\d{2}")
UPDATED_RE = re.compile(
    r"\b(?:updated|last updated|modified|last modified|reviewed|edited|refreshed|revised"
    r"|aktualisiert|mis à jour|actualizado|aggiornato)\b[^\d]{0,30}$",
    re.IGNORECASE,
)
PUBLISHED_RE = re.compile(
    r"\b(?:published|posted|publié|veröffentlicht|publicado|pubblicato|written)\b[^\d]{0,30}$",
    re.IGNORECASE,
)
COPYRIGHT_RE = re.compile(r"(?:©|\(c\)|copyright)\s*$", re.IGNORECASE)
# Only the top of the page is read: bylines sit by the headline, far before comments and footers.
MAX_TEXT_NODES = 3000


@dataclass(frozen=True)
class PageDate:
    """A date written in the page's visible text."""

    day: date
    label: str  # 'published', 'updated' or '' (no label before it)
    position: int  # index of the text node it was found in (document order)
    ambiguous: bool = False  # a numeric date whose day and month orders both parse


@dataclass
class PageDates:
    """The dates written near the top of a page, and where its headline is."""

    dates: list[PageDate] = field(default_factory=list)
    headline_position: int | None = None


def _day(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when it does not exist."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_days(first: int, second: int, year: int, month_first: bool) -> list[date]:
    """Return the readings of a numeric date, the locale's preferred order first."""
    readings = (
        [(first, second), (second, first)] if month_first else [(second, first), (first, second)]
    )
    days = [_day(year, month, day) for month, day in readings]
    return list(dict.fromkeys(day for day in days if day))


def find_dates_in_text(text: str, month_first: bool = True) -> list[tuple[int, date, bool]]:
    """Return (offset, day, ambiguous) for every full date written in a text."""
    found: list[tuple[int, date, bool]] = []
    # Every pattern needs a four-digit year: most text nodes are skipped by this one search.
    if not YEAR_RE.search(text):
        return found
    taken: list[range] = []
    for kind, pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue
            year = int(match["year"])
            if kind == "num":
                days = _numeric_days(int(match["a"]), int(match["b"]), year, month_first)
                if days:
                    found.append((match.start(), days[0], len(days) > 1))
            else:
                month = match["month"]
                number = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."))
                if number and (day := _day(year, number, int(match["day"]))):
                    found.append((match.start(), day, False))
            taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda item: item[0])


def _label(before: str) -> str:
    """Return the label a date's preceding words give it."""
    if UPDATED_RE.search(before):
        return "updated"
    if PUBLISHED_RE.search(before):
        return "published"
    return ""


def _time_label(element: lxml_html.HtmlElement) -> str:
    """Return the label a <time> element's itemprop or class gives it."""
    marks = f"{element.get('itemprop') or ''} {element.get('class') or ''}".lower()
    if "modified" in marks or ("updated" in marks and "published" not in marks):
        return "updated"
    return "published" if "published" in marks or "pubdate" in marks else ""


def find_page_dates(
    tree: lxml_html.HtmlElement,
    month_first: bool = True,
    text_nodes: list[TextNode] | None = None,
) -> PageDates:
    """Return the dates written in the first visible text nodes, with their labels."""
    found = PageDates()
    previous = ""
    if text_nodes is None:
        text_nodes = body_text_nodes(tree)
    shown = [node for node in text_nodes if not node.in_metadata][:MAX_TEXT_NODES]
    for position, node in enumerate(shown):
        text = " ".join(node.text.split())
        if not text:
            continue
        parent = node.parent
        if found.headline_position is None and (
            parent.tag == "h1" or next(parent.iterancestors("h1"), None) is not None
        ):
            found.headline_position = position
        if parent.tag == "time" and node.is_text:
            stamp = (parent.get("datetime") or "").strip()
            if (match := DATE_PATTERNS[2][1].match(stamp)) and (
                day := _day(int(match["year"]), int(match["month"]), int(match["day"]))
            ):
                label = _label((previous + " " + text)[-60:]) or _time_label(parent)
                found.dates.append(PageDate(day, label, position))
                previous = text
                continue
        for offset, day, ambiguous in find_dates_in_text(text, month_first):
            before = (previous + " " + text[:offset])[-60:]
            if COPYRIGHT_RE.search(before):
                continue
            found.dates.append(PageDate(day, _label(before), position, ambiguous))
        previous = text
    return found


# JSON-LD types whose datePublished is the document's: articles and postings first, then pages.
JSONLD_ARTICLE_SUFFIXES = ("article", "posting", "report")
JSONLD_PAGE_TYPES = {"webpage", "itempage", "faqpage", "qapage", "aboutpage", "medicalwebpage"}
# Meta names and properties (lower-cased) by preference; itemprop microdata is read with them.
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "og:published_time",
    "og:publish_date",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "publishdate",
    "publish_date",
    "publish-date",
    "published-date",
    "published_time",
    "published-time",
    "pubdate",
    "published_date",
    "published_at",
    "publisheddate",
    "published",
    "date-pub",
    "og:publication_time",
    "shareaholic:article_published_time",
    "cxenseparse:publishtime",
    "article.published",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_online_date",
    "citation_date",
    "dc.date",
    "dcterms.date",
    "date",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "article:modified",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "modified-date",
    "modified-time",
    "lastmodifieddate",
    "last-modified",
    "og:modified_time",
    "shareaholic:article_modified_time",
    "modified_date",
    "last-modified-date",
    "updated_at",
    "last-updated",
    "updated",
)
# Bylines sit by the headline: from a few text nodes before the <h1> to some after it.
HEADLINE_WINDOW = range(-15, 41)
# Without an <h1>, the first text nodes are read as the page's top.
TOP_WITHOUT_HEADLINE = 80


def _jsonld_objects(data: object) -> list[dict]:
    """Flatten JSON-LD (lists, @graph) into its objects."""
    if isinstance(data, list):
        return [obj for item in data for obj in _jsonld_objects(item)]
    if isinstance(data, dict):
        return _jsonld_objects(data["@graph"]) if "@graph" in data else [data]
    return []


def _jsonld_rank(obj: dict) -> int | None:
    """Return 0 for an article-like object, 1 for a web page, None for anything else."""
    types = obj.get("@type", [])
    names = {str(name).lower() for name in (types if isinstance(types, list) else [types])}
    if any(name.endswith(JSONLD_ARTICLE_SUFFIXES) for name in names):
        return 0
    return 1 if names & JSONLD_PAGE_TYPES else None


def _jsonld_candidates(tree: lxml_html.HtmlElement) -> list[DateCandidate]:
    """Return the datePublished/dateModified of the page's article (else web page) object."""
    ranked: list[tuple[int, str, str]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, TypeError):
            continue
        for obj in _jsonld_objects(data):
            rank = _jsonld_rank(obj)
            if rank is None:
                continue
            for key, kind in (("datePublished", "published"), ("dateModified", "modified")):
                if isinstance(obj.get(key), str):
                    ranked.append((rank, kind, obj[key]))
    candidates = []
    for kind in ("published", "modified"):
        for _rank, _kind, value in sorted(r for r in ranked if r[1] == kind):
            if written := parse_written_date(value):
                candidates.append(DateCandidate("jsonld", kind, written))
                break
    return candidates


def _meta_candidates(tree: lxml_html.HtmlElement) -> list[DateCandidate]:
    """Return the first published and modified dates of the page's meta tags and microdata."""
    values: dict[str, str] = {}
    for element in tree.xpath("//meta[@content] | //*[@itemprop][not(self::meta)]"):
        key = (
            (element.get("property") or element.get("name") or element.get("itemprop") or "")
            .strip()
            .lower()
        )
        if key in values or key not in PUBLISHED_META + MODIFIED_META:
            continue
        if element.tag == "meta":
            value = element.get("content")
        else:
            value = element.get("datetime") or element.get("content") or element.text_content()
        if value and value.strip():
            values[key] = value.strip()
    candidates = []
    for kind, names in (("published", PUBLISHED_META), ("modified", MODIFIED_META)):
        for name in names:
            if name in values and (written := parse_written_date(values[name])):
                candidates.append(DateCandidate("meta", kind, written))
                break
    return candidates


def _page_candidates(
    tree: lxml_html.HtmlElement, month_first: bool, text_nodes: list[TextNode] | None
) -> list[DateCandidate]:
    """Return the page's visible dates as candidates, bylines marked."""
    found = find_page_dates(tree, month_first, text_nodes)
    candidates = []
    for page_date in found.dates:
        if found.headline_position is None:
            near = page_date.position < TOP_WITHOUT_HEADLINE
        else:
            near = page_date.position - found.headline_position in HEADLINE_WINDOW
        kind = "modified" if page_date.label == "updated" else "published"
        candidates.append(
            DateCandidate(
                "page",
                kind,
                WrittenDate(page_date.day),
                label=page_date.label,
                near_headline=near and not page_date.ambiguous,
            )
        )
    return candidates


def read_date_candidates(
    tree: lxml_html.HtmlElement, text_nodes: list[TextNode] | None = None
) -> list[DateCandidate]:
    """Return the date candidates a page states: JSON-LD, meta tags, microdata, visible text."""
    language = (tree.get("lang") or "").lower()
    # Numeric dates read month first only where that is the custom (US English, or unsaid).
    month_first = language in ("", "en", "en-us")
    return (
        _jsonld_candidates(tree)
        + _meta_candidates(tree)
        + _page_candidates(tree, month_first, text_nodes)
    )
