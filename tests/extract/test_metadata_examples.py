"""Issue 12's examples of wrong titles, authors and publishers, on fictional pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.extract.fixture_pages import FIXTURES, extract_page
from transforms.extract.article import ExtractOptions, extract_capture
from transforms.schemas import Capture


def extract(name: str, url: str | None = None) -> dict[str, Any]:
    """Return the article row of a fixture page, captured from a URL or as a file."""
    return extract_page(name, url)


def test_site_name_suffix_and_entities_leave_the_title() -> None:
    row = extract("site_suffix.html", "https://monkeywrench.example/blog/winter-pipes")
    assert row["title"] == "Why Winter Pipes Burst ‘Overnight’"
    assert row["title_raw"] == "Why Winter Pipes Burst ‘Overnight’ | Monkey Wrench"
    assert row["description"] == "Frost, pressure & old copper: what to check first."
    assert row["source_name"] == "Monkey Wrench"


def test_site_name_from_the_domain_leaves_the_title() -> None:
    row = extract("domain_suffix.html", "https://www.cartalk.example/news/small-cars")
    assert row["title"] == "Best Small Cars for Icy Roads"
    assert row["title_raw"] == "Best Small Cars for Icy Roads - Car Talk"


def test_character_references_are_decoded_in_titles_and_authors() -> None:
    row = extract("entities.html")
    assert row["title"] == "Council's plan & the harbour…"
    assert row["authors"] == ["Maïa Okafor"]


@pytest.mark.parametrize(
    ("fixture", "authors"),
    [
        ("byline_view_all_posts.html", ["Daniel Lemire"]),
        ("byline_see_more.html", ["Zander Dejah"]),
        ("byline_avatar.html", ["Craig McCarthy"]),
        ("byline_job_title.html", ["Priya Raman"]),
    ],
)
def test_byline_furniture_and_job_titles_are_not_authors(fixture: str, authors: list[str]) -> None:
    row = extract(fixture)
    assert row["authors"] == authors
    assert row["author_organizations"] == []


def test_publishers_credited_as_authors_are_organisations() -> None:
    row = extract("publisher_as_author.html")
    assert row["authors"] == []
    assert row["author_organizations"] == ["National Geographic"]


def test_publisher_with_its_web_address_is_an_organisation() -> None:
    row = extract("publisher_as_author.html", "https://www.dw.com/en/otters/a-1")
    # JSON-LD names National Geographic first; the meta tag's "(www.dw.com)" never reaches a name.
    assert "Deutsche Welle (www.dw.com)" not in row["authors"] + row["author_organizations"]
    assert row["source_name"] == "Deutsche Welle"


@pytest.mark.parametrize(
    ("fixture", "people"),
    [
        ("agency_glued.html", ["Jill Lawless"]),
        ("agency_byline.html", ["Meg Kinnard", "Errin Haines"]),
    ],
)
def test_agency_credits_split_from_people_and_set_wire_agency(
    fixture: str, people: list[str]
) -> None:
    row = extract(fixture)
    assert row["authors"] == people
    assert row["author_organizations"] == ["Associated Press"]
    assert row["wire_agency"] == "AP"


@pytest.mark.parametrize(
    ("fixture", "url", "source_name"),
    [
        ("section_site_name.html", "https://www.reuters.com/markets/us/harbour/", "Reuters"),
        ("heise_section.html", "https://www.heise.de/hintergrund/kraene-123.html", "heise online"),
        ("section_and_site.html", "https://valleyledger.example/walks", "The Valley Ledger"),
    ],
)
def test_source_name_is_never_a_section(fixture: str, url: str, source_name: str) -> None:
    row = extract(fixture, url)
    assert row["source_name"] == source_name


@pytest.mark.parametrize(
    ("url", "source_id", "platform"),
    [
        (
            "https://harbourwalks.wordpress.com/2024/03/low-tide/",
            "harbourwalks.wordpress.com",
            "wordpress",
        ),
        (
            "https://tidepools.blogspot.com/2024/03/low-tide.html",
            "tidepools.blogspot.com",
            "blogger",
        ),
        ("https://medium.com/@harbourwalks/low-tide-1a2b", "medium.com/@harbourwalks", "medium"),
        ("https://harbourwalks.example/2024/03/low-tide/", "harbourwalks.example", None),
    ],
)
def test_blogs_on_a_platform_are_separate_sources(
    url: str, source_id: str, platform: str | None
) -> None:
    row = extract("blog_post.html", url)
    assert (row["source_id"], row["source_platform"]) == (source_id, platform)
    assert row["source_name"] == "Harbour Walks"


def test_feed_item_title_and_author_fill_what_the_page_lacks() -> None:
    # The agency page without its headline and byline: only the feed item names them.
    page = (FIXTURES / "agency_glued.html").read_text()
    for furniture in (
        "<title>Harbour strike ends after talks</title>",
        "<h1>Harbour strike ends after talks</h1>",
        '<div class="byline">JILL LAWLESS Associated Press</div>',
    ):
        page = page.replace(furniture, "")
    capture = Capture(
        locator="https://harbour-times.example/news/strike-ends",
        source_kind="feed",
        body=page.encode(),
        origin_meta={
            "title": "Harbour strike ends &#8211; talks &amp;amp; a vote",
            "author": "By JILL LAWLESS Associated Press",
        },
    )
    row = extract_capture(capture.to_row("test"), ExtractOptions())
    assert isinstance(row, dict)
    assert (row["title"], row["title_source"]) == ("Harbour strike ends – talks & a vote", "feed")
    assert (row["authors"], row["authors_source"]) == (["Jill Lawless"], "feed")
    assert row["author_organizations"] == ["Associated Press"]
    assert row["wire_agency"] == "AP"
