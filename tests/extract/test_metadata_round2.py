"""Issue 12, second round: classes of wrong titles, authors and dates, on fictional pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.extract.fixture_pages import FETCHED_AT, FIXTURES, extract_page
from transforms.extract.article import ExtractOptions, extract_capture
from transforms.extract.sitename import SiteNames, url_sections
from transforms.extract.title import strip_site_affixes
from transforms.schemas import Capture


def extract(name: str, url: str | None = None) -> dict[str, Any]:
    """Return the article row of a fixture page, captured from a URL or as a file."""
    return extract_page(name, url)


def test_a_section_the_url_files_the_page_under_leaves_the_title() -> None:
    row = extract(
        "title_section_suffix.html",
        "https://valleyledger.example/story/opinion/2025/12/19/dredging-the-harbour/1234/",
    )
    assert row["title"] == "Dredging the harbour will cost us the estuary"


def test_a_heading_that_repeats_the_title_loses_its_site_name_and_section() -> None:
    row = extract(
        "title_heading_repeats_title.html",
        "https://health.riverside.example/children/parent-guides/toddler-naps",
    )
    assert row["title"] == "How to help toddlers nap through the afternoon"


def test_a_heading_with_lost_characters_yields_to_the_metadata_spelling() -> None:
    row = extract("title_lost_characters.html")
    assert row["title"] == "Planning a Harbour Picnic: A Beginner's Checklist"


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("Ferry timetable changes | Opinion", "Ferry timetable changes"),
        ("Opinion | Ferry timetable changes", "Ferry timetable changes"),
        # A colon prefix is part of the headline even when the URL names that section.
        ("Opinion: the ferry must run on Sundays", "Opinion: the ferry must run on Sundays"),
        # A suffix the URL does not file the page under stays.
        ("Ferry timetable changes | Analysis", "Ferry timetable changes | Analysis"),
    ],
)
def test_section_affixes(title: str, kept: str) -> None:
    sites = SiteNames(sections=url_sections("https://ledger.example/news/opinion/ferry-times"))
    assert strip_site_affixes(title, sites) == kept


def test_url_sections_are_the_folders_not_slugs_or_numbers() -> None:
    assert url_sections(
        "https://ledger.example/story/opinion/2025/12/19/why-we-row-on-sundays/87830855007/",
        None,
        "https://ledger.example/local-news/ferry",
    ) == ("story", "opinion", "localnews")


def test_the_publisher_beside_its_writer_is_not_an_author() -> None:
    row = extract("byline_with_publisher.html", "https://valleyledger.example/news/ferry-returns")
    assert row["authors"] == ["Mara Lindqvist"]
    assert row["author_organizations"] == []


def test_an_agency_beside_its_writers_stays_on_its_own_site() -> None:
    page = (FIXTURES / "agency_byline.html").read_text()
    page = page.replace(
        "</title>", '</title><meta property="og:site_name" content="Associated Press">'
    )
    capture = Capture(
        locator="https://apnews.example/article/vote-count", source_kind="url", body=page.encode()
    )
    row = extract_capture(capture.to_row("test"), ExtractOptions())
    assert isinstance(row, dict), row
    assert row["authors"] == ["Meg Kinnard", "Errin Haines"]
    assert (row["author_organizations"], row["wire_agency"]) == (["Associated Press"], "AP")


def extract_fetched(name: str) -> dict[str, Any]:
    """Return the article row of a fixture page captured from a URL on 2025-06-01."""
    url = f"https://harbour-times.example/news/{name.removesuffix('.html')}"
    return extract_page(name, url, FETCHED_AT)


@pytest.mark.parametrize(
    ("fixture", "day", "source", "confidence"),
    [
        # A datePublished months after the byline's date (and equal to dateModified) is when
        # the post was saved again: the byline's day, with medium confidence.
        ("date_byline_before_stated.html", date(2025, 3, 3), "page", "medium"),
        # JSON-LD and meta tags disagree: the one the byline repeats.
        ("date_sources_disagree.html", date(2025, 5, 25), "meta", "high"),
        # <meta name="published">, repeated by the page.
        ("date_published_meta.html", date(2025, 4, 17), "meta", "high"),
    ],
)
def test_publication_day_classes(fixture: str, day: date, source: str, confidence: str) -> None:
    row = extract_fetched(fixture)
    assert (row["published_date"], row["published_at_source"]) == (day, source)
    assert row["published_at_confidence"] == confidence
