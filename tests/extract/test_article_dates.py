"""The date examples of issue 12, through the whole extraction, on small fictional pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from transforms.extract.article import ExtractOptions, extract_capture
from transforms.schemas import Capture

BODY = "".join(
    f"<p>Paragraph {n}: the harbour council met again on the question of the new quay, and "
    f"residents of the old town asked who would pay for the dredging and the sea wall.</p>"
    for n in range(1, 6)
)
FETCHED = datetime(2025, 6, 1, 12, tzinfo=UTC)


def page(head: str = "", top: str = "", foot: str = "", html_attrs: str = "") -> bytes:
    """Return a fictional article page with the given head tags, byline area and footer."""
    return (
        f'<!DOCTYPE html><html lang="en" {html_attrs}><head><meta charset="utf-8">'
        f"<title>Quay vote delayed</title>{head}</head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Quay vote delayed again</h1>{top}{BODY}</article>"
        f"<footer>{foot}</footer></body></html>"
    ).encode()


def extract(body: bytes, url: str = "https://harbour-times.example/news/quay-vote", **capture):
    row = Capture(
        locator=url,
        source_kind=capture.pop("kind", "url"),
        body=body,
        fetched_at=FETCHED,
        **capture,
    ).to_row("test")
    result = extract_capture(row, ExtractOptions())
    assert isinstance(result, dict), result
    return result


@pytest.mark.parametrize(
    "body",
    [
        # an XML namespace's year and month is no date (RDFa prefixes name w3.org/2000/01/...)
        page(
            html_attrs='prefix="dc: http://purl.org/dc/terms/ og: http://ogp.me/ns# '
            'rdfs: http://www.w3.org/2000/01/rdf-schema# schema: http://schema.org/"'
        ),
        # nor a copyright year in the footer
        page(foot="© 2016 The Harbour Times. All rights reserved."),
        # nor the year and month in an image's file name
        page(top='<img src="/wp-content/uploads/2019/05/quay-2019-05-14.jpg" alt="The quay">'),
        # nor a year alone where a date should be
        page(head='<meta name="date" content="2016">'),
    ],
    ids=["xml-namespace", "copyright-footer", "image-file-name", "year-only-meta"],
)
def test_no_date_is_invented(body: bytes) -> None:
    article = extract(body)
    assert (article["published_date"], article["published_at"]) == (None, None)
    assert article["published_at_source"] is None


def test_a_visible_day_gets_no_midnight() -> None:
    article = extract(page(top="<p class='byline'>By Ada Quill · March 5, 2024</p>"))
    assert article["published_date"] == date(2024, 3, 5)
    assert article["published_at"] is None  # no time was written: no 00:00 that looks real
    assert article["published_at_local"] is None
    assert article["published_at_source"] == "page"


def test_the_publisher_local_day_is_not_shifted_by_utc() -> None:
    article = extract(
        page(
            head='<meta property="article:published_time" content="2020-04-07T17:10:46-07:00">',
            top="<p>By Ada Quill, April 7, 2020</p>",
        )
    )
    assert article["published_date"] == date(2020, 4, 7)
    assert article["published_at"] == datetime(2020, 4, 8, 0, 10, 46, tzinfo=UTC)
    assert article["published_at_local"] == datetime(2020, 4, 7, 17, 10, 46)
    assert article["published_utc_offset_minutes"] == -420
    assert (article["published_at_source"], article["published_at_confidence"]) == ("meta", "high")


def test_the_url_day_beats_a_jsonld_date_of_another_day() -> None:
    jsonld = {"@type": "NewsArticle", "headline": "Quay", "datePublished": "2023-11-12T09:00:00Z"}
    article = extract(
        page(head=f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'),
        url="https://harbour-times.example/2023/11/08/quay-vote/",
    )
    assert (article["published_date"], article["published_at_source"]) == (
        date(2023, 11, 8),
        "url",
    )


def test_a_feed_date_keeps_its_offset() -> None:
    meta = {
        "published": "2020-04-08T00:10:46Z",
        "published_as_written": "Tue, 07 Apr 2020 17:10:46 -0700",
    }
    article = extract(page(), kind="feed", origin_meta=meta)
    assert article["published_date"] == date(2020, 4, 7)
    assert article["published_at"] == datetime(2020, 4, 8, 0, 10, 46, tzinfo=UTC)
    assert article["published_at_source"] == "feed"
