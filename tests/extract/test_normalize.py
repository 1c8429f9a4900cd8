from __future__ import annotations

from datetime import UTC, datetime

import pytest

from transforms.extract.normalize import (
    canonicalize_url,
    count_words,
    extract_source_domain,
    hash_content,
    make_article_id,
    normalize_language,
    parse_datetime_utc,
    slugify,
)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://Example.com/news/a?utm_source=x&id=3&fbclid=9#frag",
            "https://example.com/news/a?id=3",
        ),
        ("http://www.example.com:80/a/b/", "http://www.example.com/a/b/"),
        ("ftp://example.com/a", None),
        ("", None),
        (None, None),
    ],
)
def test_canonicalize_url(url: str | None, canonical: str | None) -> None:
    assert canonicalize_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://news.bbc.co.uk/a", "bbc.co.uk"),
        ("https://www.rudaw.net/english/x", "rudaw.net"),
        ("https://harbour-times.example/x", "harbour-times.example"),
    ],
)
def test_source_domain_offline(url: str, domain: str) -> None:
    assert extract_source_domain(url) == domain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-11-20T10:30:00+03:00", datetime(2019, 11, 20, 7, 30, tzinfo=UTC)),
        ("2019-11-20T10:30:00Z", datetime(2019, 11, 20, 10, 30, tzinfo=UTC)),
        ("2019-11-20", datetime(2019, 11, 20, tzinfo=UTC)),
        ("20 November 2019 14:05 GMT", datetime(2019, 11, 20, 14, 5, tzinfo=UTC)),
        ("not a date", None),
        ("1066-10-14", None),
    ],
)
def test_dates_are_utc(value: str, expected: datetime | None) -> None:
    assert parse_datetime_utc(value) == expected


def test_ids_are_deterministic_and_text_ids_ignore_case_and_spacing() -> None:
    assert hash_content("Hello   World") == hash_content("hello world")
    assert make_article_id("https://a.example/x", "h") == make_article_id(
        "https://a.example/x", "other"
    )
    assert make_article_id(None, "h1") != make_article_id(None, "h2")


def test_small_helpers() -> None:
    assert count_words("It's a well-known fact, isn't it?") == 6
    assert normalize_language("en-GB") == "en"
    assert normalize_language("de_DE") == "de"
    assert slugify("Al Nisr Publishing LLC") == "al-nisr-publishing-llc"
