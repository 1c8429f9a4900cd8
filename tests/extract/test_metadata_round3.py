"""Issue 12, third round: classes of wrong or missing metadata, on fictional pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.extract.fixture_pages import FETCHED_AT, FIXTURES, extract_page
from transforms.extract.article import ExtractOptions, extract_capture
from transforms.schemas import Capture


def extract(name: str, url: str, **options: Any) -> dict[str, Any]:
    """Return the article row of a fixture page captured from a URL on 2025-06-01."""
    return extract_page(name, url, FETCHED_AT, **options)


def test_a_byline_inside_the_headline_region_counts_whatever_the_region_is_called() -> None:
    # The theme wraps the whole article in "sidebar_content": the region around the headline is
    # the article's own; the related list inside it is still not.
    row = extract("byline_in_sidebar_region.html", "https://quayside.example/blog/rowing-machines")
    assert row["authors"] == ["Ines Calder"]


def test_a_byline_showing_another_day_leaves_the_stated_date_with_medium_confidence() -> None:
    # The byline shows the update (the dateModified day) as the post's date: the stated
    # publication stands, flagged medium, and the update is the modification date.
    row = extract("date_byline_shows_update.html", "https://harbour-times.example/guides/tides")
    assert (row["published_date"], row["published_at_source"]) == (date(2024, 9, 6), "jsonld")
    assert row["published_at_confidence"] == "medium"
    assert row["modified_date"] == date(2025, 5, 14)


def test_a_byline_date_labelled_published_beats_an_unlabelled_one_beside_it() -> None:
    row = extract("date_labelled_byline.html", "https://harbour-times.example/advice/tiny-homes")
    assert (row["published_date"], row["published_at_source"]) == (date(2019, 9, 26), "page")


@pytest.mark.parametrize(
    "stamp",
    [
        # A <time> element whose text is no full date: its datetime attribute is.
        '<time datetime="2025-04-02T15:55:39-08:00" class="datetime">04/02 — 2025</time>',
        # A datetime written out in the byline.
        '<span class="publication-time">2025-04-02T08:10+02:00</span>',
    ],
)
def test_a_visible_iso_datetime_in_the_byline_is_a_page_date(stamp: str) -> None:
    page = (FIXTURES / "date_time_element.html").read_text(encoding="utf-8")
    page = page.replace(
        '<time datetime="2025-04-02T15:55:39-08:00" class="datetime">04/02 — 2025</time>', stamp
    )
    capture = Capture(
        locator="https://harbour-times.example/news/poster-prize",
        source_kind="url",
        body=page.encode(),
        fetched_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
    )
    row = extract_capture(capture.to_row("test"), ExtractOptions())
    assert isinstance(row, dict), row
    assert (row["published_date"], row["published_at_source"]) == (date(2025, 4, 2), "page")
