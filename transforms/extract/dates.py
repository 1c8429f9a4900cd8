"""Publication and modification dates: parse as written, weigh the candidates, keep the local day.

A date is kept the way the publisher wrote it: its local day, and its wall-clock time and UTC
offset when the page gives them. The UTC instant exists only when both are known, so a day-only
date never gets a made-up midnight that could move it to another day. The chooser weighs every
candidate (JSON-LD, meta tags, the URL, the page's visible byline date, the feed or sitemap entry,
htmldate), rejects implausible ones and says how sure it is; a weak guess is withheld.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from dateparser.date import DateDataParser

logger = logging.getLogger(__name__)

# Earliest plausible publication without corroboration: earlier years on news pages are mostly
# namespaces (w3.org/1999/xhtml), copyright lines and archive numbers.
MIN_YEAR = 1990
# How far past the capture time a date may be (publishers' clocks, time zones ahead of UTC).
FUTURE_SKEW = timedelta(days=1)
URL_DATE_RE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})[/-](?P<month>0?[1-9]|1[0-2])[/-](?P<day>0?[1-9]|[12]\d|3[01])"
    r"(?:/|$|[-_.])"
)
URL_COMPACT_DATE_RE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01])/"
)
TIME_RE = re.compile(r"\d{1,2}:\d{2}")
ZONE_RE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2}|\b(?:UTC|GMT|[ECMP][SD]T|CES?T|BST|IST|JST))\s*$")
YEAR_ONLY_RE = re.compile(r"^\s*(?:19|20)\d{2}\s*$")
# How many days before the stated publication a byline date must be to be taken over it: one
# day apart is the same instant read in two time zones.
BYLINE_LEAD = timedelta(days=2)
# Candidate sources, by how much a publisher's own statement of the date they are.
STRUCTURED_SOURCES = ("jsonld", "meta", "feed", "sitemap")
CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True)
class WrittenDate:
    """A date as the publisher wrote it: the local day, and its clock time and offset if given."""

    day: date
    clock: time | None = None
    offset: timedelta | None = None

    @property
    def local(self) -> datetime | None:
        """Return the wall-clock date and time as written, without zone; None for a day only."""
        return datetime.combine(self.day, self.clock) if self.clock is not None else None

    @property
    def instant(self) -> datetime | None:
        """Return the UTC instant, or None unless both the time and the offset were written."""
        if self.clock is None or self.offset is None:
            return None
        return datetime.combine(self.day, self.clock, timezone(self.offset)).astimezone(UTC)

    @property
    def offset_minutes(self) -> int | None:
        """Return the written UTC offset in minutes, or None."""
        return None if self.offset is None else int(self.offset.total_seconds() // 60)


@dataclass(frozen=True)
class DateCandidate:
    """One place's statement of a date."""

    source: str  # jsonld, meta, url, page, html, feed, sitemap, text
    kind: str  # published or modified
    written: WrittenDate
    # Only for page dates: its label ('published', 'updated' or none) and whether it sits by the
    # headline (a byline) rather than further down (related links, comments).
    label: str = ""
    near_headline: bool = False


@dataclass(frozen=True)
class ChosenDate:
    """The date chosen for one field, where it came from and how sure the chooser is."""

    written: WrittenDate
    source: str
    confidence: str
    instant: datetime | None = None

    @property
    def day(self) -> date:
        """Return the publisher's local day."""
        return self.written.day


@dataclass
class DateChoice:
    """The publication and modification dates chosen for a document."""

    published: ChosenDate | None = None
    modified: ChosenDate | None = None
    rejected: list[str] = field(default_factory=list)

    def as_fields(self) -> dict[str, object]:
        """Return the article row's date columns."""
        published, modified = self.published, self.modified
        return {
            "published_at": published.instant if published else None,
            "published_at_source": published.source if published else None,
            "published_at_local": published.written.local if published else None,
            "published_utc_offset_minutes": published.written.offset_minutes
            if published and published.written.local
            else None,
            "published_date": published.day if published else None,
            "published_at_confidence": published.confidence if published else None,
            "modified_at": modified.instant if modified else None,
            "modified_date": modified.day if modified else None,
            "modified_at_source": modified.source if modified else None,
            "modified_at_confidence": modified.confidence if modified else None,
        }


@functools.cache
def _parser() -> DateDataParser:
    """Return dateparser's parser for free-form dates (built once per process: it is slow)."""
    return DateDataParser(settings={"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"})


def _from_datetime(value: datetime, has_clock: bool) -> WrittenDate:
    """Return a WrittenDate from a parsed datetime, dropping a bare midnight as no time at all."""
    clock = value.time().replace(tzinfo=None) if has_clock else None
    # A time of exactly 00:00:00 is what CMSs store for a date entered without a time.
    if clock == time(0, 0):
        clock = None
    offset = value.utcoffset() if value.tzinfo is not None else None
    return WrittenDate(value.date(), clock, offset if clock is not None else None)


def parse_written_date(value: str | None) -> WrittenDate | None:
    """Return a date as written ('2020-04-07T17:10:46-07:00', 'Apr 7, 2020'), else None.

    A year or a month alone is not a date: None.
    """
    if not value:
        return None
    text = str(value).strip().strip('"').strip()
    if not text or YEAR_ONLY_RE.match(text) or len(text) > 80:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        return _from_datetime(parsed, has_clock=bool(TIME_RE.search(text)))
    try:
        data = _parser().get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if data.date_obj is None or data.period != "day":
        return None
    parsed = data.date_obj
    if parsed.tzinfo is not None and not ZONE_RE.search(text):
        parsed = parsed.replace(tzinfo=None)
    return _from_datetime(parsed, has_clock=bool(TIME_RE.search(text)))


def find_url_date(url: str | None) -> WrittenDate | None:
    """Return the day a URL's path gives ('/2023/11/08/' or '/20231108/'), else None."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    match = URL_DATE_RE.search(path) or URL_COMPACT_DATE_RE.search(path)
    if not match:
        return None
    try:
        return WrittenDate(date(int(match["year"]), int(match["month"]), int(match["day"])))
    except ValueError:
        return None


def make_candidate(source: str, kind: str, value: str | datetime | None) -> DateCandidate | None:
    """Return a candidate from a written or parsed date, or None when it holds no full date."""
    if isinstance(value, datetime):
        written = _from_datetime(value, has_clock=True)
    else:
        written = parse_written_date(value)
    return DateCandidate(source, kind, written) if written else None


def url_candidates(*urls: str | None) -> list[DateCandidate]:
    """Return the publication day the first dated URL gives (canonical before capture URL)."""
    for url in urls:
        if written := find_url_date(url):
            return [DateCandidate("url", "published", written)]
    return []


def _plausibility(
    candidate: DateCandidate, candidates: list[DateCandidate], fetched_at: datetime
) -> str | None:
    """Return why a candidate cannot be the date, or None when it can."""
    day = candidate.written.day
    latest = fetched_at + FUTURE_SKEW
    if day > latest.date() or (candidate.written.instant or fetched_at) > latest:
        return f"{candidate.source} {day}: after the capture"
    if day.year < MIN_YEAR:
        # An old date stands only when a second source states the same day (an archive page);
        # htmldate is no second source: it reads the same tags.
        others = [c for c in candidates if c.source not in (candidate.source, "html")]
        if not _agrees(day, others):
            return f"{candidate.source} {day}: before {MIN_YEAR}, uncorroborated"
    return None


def _agrees(day: date, others: list[DateCandidate]) -> bool:
    """Return True when another source states the same day."""
    return any(other.written.day == day for other in others)


def _earlier_byline(candidates: list[DateCandidate], stated: DateCandidate) -> DateCandidate | None:
    """Return the byline's date when it is days before the stated publication, else None.

    A structured datePublished after the date the byline shows, and stated nowhere else, is
    when the page was (re)saved or moved to a new CMS; the article ran on the byline's day.
    """
    structured_days = {c.written.day for c in candidates if c.source in STRUCTURED_SOURCES}
    for candidate in candidates:
        if candidate.source == "page" and candidate.near_headline and candidate.kind == "published":
            earlier = stated.written.day - candidate.written.day >= BYLINE_LEAD
            if earlier and candidate.written.day not in structured_days:
                return candidate
            return None
    return None


def _pick_published(candidates: list[DateCandidate]) -> ChosenDate | None:
    """Return the publication date the candidates support best, or None."""
    published = [c for c in candidates if c.kind == "published"]
    structured = sorted(
        (c for c in published if c.source in STRUCTURED_SOURCES),
        key=lambda c: STRUCTURED_SOURCES.index(c.source),
    )
    url = next((c for c in published if c.source == "url"), None)
    shown = {c.written.day for c in candidates if c.source == "page"}
    if structured:
        # Structured sources that disagree: the one the page, htmldate or the URL repeats.
        seen = shown | {c.written.day for c in published if c.source in ("html", "url")}
        best = next((c for c in structured if c.written.day in seen), structured[0])
        if url and url.written.day != best.written.day:
            # The URL is minted on the publisher's local day; a structured time one day off is
            # the same instant written in UTC, anything else is another date (often the update).
            apart = abs((url.written.day - best.written.day).days)
            instant = best.written.instant if apart == 1 else None
            return ChosenDate(url.written, "url", "high" if instant else "medium", instant)
        if byline := _earlier_byline(candidates, best):
            return ChosenDate(byline.written, "page", "medium")
        # htmldate reads the same tags (and the URL): it is no second witness, only a weak one.
        others = [c for c in published if c.source not in (best.source, "html")]
        corroborated = best.written.day in shown or _agrees(best.written.day, others)
        html_agrees = _agrees(best.written.day, [c for c in published if c.source == "html"])
        # The date the byline shows readers, when it is another day (often the update shown as
        # the post's date), leaves the stated one standing but not beyond doubt.
        byline = next((c for c in published if c.source == "page" and c.near_headline), None)
        contradicted = byline is not None and byline.written.day != best.written.day
        # A hidden page date nothing else repeats is often a template's or a plugin's; a feed
        # or sitemap entry is the publisher announcing the article, on its day.
        if corroborated and not contradicted:
            confidence = "high"
        elif corroborated or html_agrees or best.source in ("feed", "sitemap"):
            confidence = "medium"
        else:
            confidence = "low"
        return ChosenDate(best.written, best.source, confidence, best.written.instant)
    # Without a stated publication date, a date equal to the stated modification date is that
    # update shown again (bylines and htmldate both pick it up), not the publication.
    updates = {c.written.day for c in candidates if c.kind == "modified" and c.source != "page"}
    unstated = [c for c in published if c.written.day not in updates or c.label == "published"]
    if url:
        witnesses = [c for c in unstated if c.source != "html"]
        corroborated = url.written.day in shown or _agrees(url.written.day, witnesses)
        return ChosenDate(url.written, "url", "high" if corroborated else "medium")
    html = next((c for c in unstated if c.source == "html"), None)
    # A date the byline labels as the publication beats an unlabelled one beside it (a date
    # in a teaser or breadcrumb above the headline).
    bylines = [c for c in unstated if c.source == "page" and c.near_headline]
    byline = next((c for c in bylines if c.label == "published"), bylines[0] if bylines else None)
    if byline:
        corroborated = html is not None and html.written.day == byline.written.day
        return ChosenDate(byline.written, "page", "high" if corroborated else "medium")
    if text := next((c for c in unstated if c.source == "text"), None):
        # A text dump's own date line by its headline (extract/text.py reads unambiguous forms).
        return ChosenDate(text.written, "text", "medium")
    if html:
        # htmldate's pick is worth keeping when the reader sees it too.
        visible = any(c.source == "page" and c.written.day == html.written.day for c in unstated)
        return ChosenDate(html.written, "html", "medium" if visible else "low")
    return None


def _pick_modified(
    candidates: list[DateCandidate], published: ChosenDate | None
) -> ChosenDate | None:
    """Return the last-modified date, or None (never before the publication day)."""
    modified = [c for c in candidates if c.kind == "modified"]
    structured = sorted(
        (c for c in modified if c.source in STRUCTURED_SOURCES),
        key=lambda c: STRUCTURED_SOURCES.index(c.source),
    )
    page = [c for c in candidates if c.source == "page" and c.label == "updated"]
    chosen: ChosenDate | None = None
    if structured:
        best = structured[0]
        shown = any(c.written.day == best.written.day for c in page)
        chosen = ChosenDate(
            best.written, best.source, "high" if shown else "medium", best.written.instant
        )
    elif near := [c for c in page if c.near_headline]:
        chosen = ChosenDate(near[0].written, "page", "medium")
    if chosen and published and chosen.day < published.day:
        return None
    return chosen


def choose_dates(
    candidates: list[DateCandidate], fetched_at: datetime, min_confidence: str = "medium"
) -> DateChoice:
    """Return the publication and modification dates the candidates support, and the refusals."""
    choice = DateChoice()
    plausible = []
    for candidate in candidates:
        if reason := _plausibility(candidate, candidates, fetched_at):
            choice.rejected.append(reason)
        else:
            plausible.append(candidate)
    published = _pick_published(plausible)
    if published and CONFIDENCES.index(published.confidence) > CONFIDENCES.index(min_confidence):
        choice.rejected.append(f"{published.source} {published.day}: {published.confidence}")
        published = None
    choice.published = published
    choice.modified = _pick_modified(plausible, published)
    return choice
