"""Dates as the publisher wrote them, and the chooser that weighs the candidates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from transforms.extract.dates import (
    DateCandidate,
    WrittenDate,
    choose_dates,
    find_url_date,
    make_candidate,
    parse_written_date,
)

FETCHED = datetime(2024, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "day", "clock", "offset_minutes"),
    [
        ("2020-04-07T17:10:46-07:00", date(2020, 4, 7), time(17, 10, 46), -420),
        ("2020-04-07T23:30:00Z", date(2020, 4, 7), time(23, 30), 0),
        ("2025-11-25 08:33:24", date(2025, 11, 25), time(8, 33, 24), None),
        ("2024-03-05", date(2024, 3, 5), None, None),
        # what CMSs store for a date entered without a time: a day, not a midnight
        ("2024-01-04T00:00:00.000Z", date(2024, 1, 4), None, None),
        ("2024-04-05T00:00:00-0400", date(2024, 4, 5), None, None),
        ("Tue, 07 Apr 2020 17:10:46 -0700", date(2020, 4, 7), time(17, 10, 46), -420),
        ("Aug 21, 2025", date(2025, 8, 21), None, None),
        ("November 18, 2025 3:04 pm", date(2025, 11, 18), time(15, 4), None),
        ('"2025-12-17T13:22:47Z"', date(2025, 12, 17), time(13, 22, 47), 0),
    ],
)
def test_dates_are_parsed_as_written(text, day, clock, offset_minutes) -> None:
    written = parse_written_date(text)
    assert written is not None
    assert (written.day, written.clock, written.offset_minutes) == (day, clock, offset_minutes)


@pytest.mark.parametrize("text", ["2016", " 2000 ", "May 2016", "", "soon", "x" * 200, None])
def test_a_year_or_a_month_alone_is_not_a_date(text) -> None:
    assert parse_written_date(text) is None


def test_the_instant_needs_both_the_time_and_the_zone() -> None:
    zoned = WrittenDate(date(2020, 4, 7), time(17, 10, 46), timedelta(hours=-7))
    assert zoned.instant == datetime(2020, 4, 8, 0, 10, 46, tzinfo=UTC)
    assert zoned.local == datetime(2020, 4, 7, 17, 10, 46)
    assert WrittenDate(date(2020, 4, 7), time(17, 10, 46)).instant is None
    assert WrittenDate(date(2020, 4, 7)).instant is None
    assert WrittenDate(date(2020, 4, 7)).local is None


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://n.example/2023/11/08/harbour-vote", date(2023, 11, 8)),
        ("https://n.example/news/2023-11-08-harbour-vote.html", date(2023, 11, 8)),
        ("https://n.example/archive/20231108/harbour-vote/", date(2023, 11, 8)),
        ("https://n.example/2023/11/harbour-vote", None),  # a month is not a day
        ("https://n.example/2023/13/45/x", None),
        ("https://n.example/wp-content/uploads/2019/05/photo.jpg?x=2023/11/08/", None),
    ],
)
def test_url_dates(url, day) -> None:
    written = find_url_date(url)
    assert (written.day if written else None) == day


def candidate(source: str, value: str, kind: str = "published", **extra) -> DateCandidate:
    made = make_candidate(source, kind, value)
    assert made is not None
    return DateCandidate(made.source, made.kind, made.written, **extra)


def test_local_day_is_kept_and_the_instant_is_utc() -> None:
    # 17:10 at -07:00 is 00:10 UTC on the 8th: the publisher's day is the 7th.
    choice = choose_dates(
        [
            candidate("jsonld", "2020-04-07T17:10:46-07:00"),
            candidate("html", "2020-04-07"),
            candidate("page", "April 7, 2020", near_headline=True),
        ],
        datetime(2020, 4, 9, tzinfo=UTC),
    )
    fields = choice.as_fields()
    assert fields["published_date"] == date(2020, 4, 7)
    assert fields["published_at"] == datetime(2020, 4, 8, 0, 10, 46, tzinfo=UTC)
    assert fields["published_at_local"] == datetime(2020, 4, 7, 17, 10, 46)
    assert fields["published_utc_offset_minutes"] == -420
    assert (fields["published_at_source"], fields["published_at_confidence"]) == ("jsonld", "high")


@pytest.mark.parametrize(
    ("candidates", "confidence"),
    [
        # The page shows the stated day, or a second source states it: high.
        ([candidate("meta", "2024-05-01T10:00:00Z"), candidate("page", "May 1, 2024")], "high"),
        ([candidate("jsonld", "2024-05-01T10:00:00Z"), candidate("url", "2024-05-01")], "high"),
        # htmldate reads the same tags: a weak witness, medium.
        ([candidate("jsonld", "2024-05-01T10:00:00Z"), candidate("html", "2024-05-01")], "medium"),
        # The byline shows readers another day (the update): medium.
        (
            [
                candidate("jsonld", "2024-05-01T10:00:00Z"),
                candidate("meta", "2024-05-01T10:00:00Z"),
                candidate("jsonld", "2024-05-20T08:00:00Z", kind="modified"),
                candidate("page", "May 20, 2024", near_headline=True),
            ],
            "medium",
        ),
    ],
    ids=["shown", "second-source", "htmldate-only", "byline-shows-another-day"],
)
def test_a_stated_date_is_high_only_when_an_independent_witness_agrees(
    candidates: list[DateCandidate], confidence: str
) -> None:
    choice = choose_dates(candidates, FETCHED)
    assert choice.published is not None
    assert (choice.published.day, choice.published.confidence) == (date(2024, 5, 1), confidence)


def test_url_day_beats_a_structured_date_of_another_day() -> None:
    choice = choose_dates(
        [candidate("jsonld", "2023-11-12T09:00:00+00:00"), candidate("url", "2023-11-08")],
        FETCHED,
    )
    assert choice.published is not None
    assert (choice.published.day, choice.published.source) == (date(2023, 11, 8), "url")
    assert choice.published.instant is None  # the other date's time is not this day's


def test_url_day_keeps_the_instant_of_a_utc_time_one_day_later() -> None:
    # 02:00 UTC on the 9th is the evening of the 8th where the URL was minted.
    choice = choose_dates(
        [candidate("meta", "2023-11-09T02:00:00Z"), candidate("url", "2023-11-08")], FETCHED
    )
    fields = choice.as_fields()
    assert fields["published_date"] == date(2023, 11, 8)
    assert fields["published_at"] == datetime(2023, 11, 9, 2, tzinfo=UTC)
    assert fields["published_at_local"] is None
    assert fields["published_at_confidence"] == "high"


@pytest.mark.parametrize(
    "candidates",
    [
        [candidate("html", "2024-02-03")],  # htmldate alone, nothing on the page shows it
        [candidate("jsonld", "2019-12-12T14:07:03+00:00")],  # hidden, nothing repeats it
        [candidate("jsonld", "2024-07-01T10:00:00+00:00"), candidate("html", "2024-07-01")],
        [candidate("url", "2030-01-02")],  # after the capture
        [candidate("meta", "1985-03-01T10:00:00Z"), candidate("html", "1985-03-01")],
    ],
    ids=["htmldate-alone", "hidden-jsonld", "future", "future-url", "pre-1990-no-second-source"],
)
def test_weak_or_implausible_dates_are_withheld(candidates) -> None:
    choice = choose_dates(candidates, FETCHED)
    assert choice.published is None
    assert choice.rejected


def test_an_old_date_stands_when_two_sources_state_it() -> None:
    choice = choose_dates(
        [candidate("meta", "1985-03-01T10:00:00Z"), candidate("url", "1985-03-01")],
        datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert choice.published is not None and choice.published.day == date(1985, 3, 1)


def test_min_confidence_lets_weak_dates_through_when_asked() -> None:
    choice = choose_dates([candidate("html", "2024-02-03")], FETCHED, min_confidence="low")
    assert choice.published is not None
    assert (choice.published.source, choice.published.confidence) == ("html", "low")


def test_a_shown_update_is_not_taken_for_the_publication() -> None:
    # The byline date equals the stated modification date, and no publication date is stated.
    choice = choose_dates(
        [
            candidate("meta", "2024-05-02T10:00:00+00:00", kind="modified"),
            candidate("page", "2024-05-02", near_headline=True),
            candidate("html", "2024-05-02"),
        ],
        FETCHED,
    )
    assert choice.published is None
    assert choice.modified is not None and choice.modified.day == date(2024, 5, 2)


def test_byline_date_with_htmldate_agreeing_is_high() -> None:
    choice = choose_dates(
        [candidate("page", "2024-05-02", near_headline=True), candidate("html", "2024-05-02")],
        FETCHED,
    )
    fields = choice.as_fields()
    assert (fields["published_date"], fields["published_at"]) == (date(2024, 5, 2), None)
    assert (fields["published_at_source"], fields["published_at_confidence"]) == ("page", "high")


def test_modified_is_never_before_published() -> None:
    choice = choose_dates(
        [
            candidate("jsonld", "2024-05-02T10:00:00+00:00"),
            candidate("jsonld", "2024-04-01T10:00:00+00:00", kind="modified"),
            candidate("html", "2024-05-02"),
        ],
        FETCHED,
    )
    assert choice.published is not None and choice.modified is None


def test_a_feed_date_alone_is_trusted() -> None:
    choice = choose_dates([candidate("feed", "Tue, 05 Mar 2024 20:00:00 -0500")], FETCHED)
    fields = choice.as_fields()
    assert (fields["published_date"], fields["published_at_source"]) == (date(2024, 3, 5), "feed")
    assert fields["published_at"] == datetime(2024, 3, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("byline", "modified", "day", "source"),
    [
        # Days before the stated publication, stated nowhere else: the byline's day.
        ("2024-03-01", None, date(2024, 3, 1), "page"),
        # One day apart is the same instant read in two zones: the stated date stays.
        ("2024-04-30", None, date(2024, 5, 1), "jsonld"),
        # Later than the stated publication (an update shown): the stated date stays.
        ("2024-06-01", "2024-06-01", date(2024, 5, 1), "jsonld"),
        # A day structured data states too (the modification) is no byline evidence.
        ("2024-03-01", "2024-03-01", date(2024, 5, 1), "jsonld"),
    ],
)
def test_a_byline_date_before_the_stated_one(byline, modified, day, source) -> None:
    candidates = [
        candidate("jsonld", "2024-05-01T16:02:46Z"),
        candidate("page", byline, near_headline=True),
    ]
    if modified:
        candidates.append(candidate("jsonld", f"{modified}T09:00:00Z", kind="modified"))
    published = choose_dates(candidates, FETCHED, min_confidence="low").published
    assert published is not None
    assert (published.day, published.source) == (day, source)


def test_disagreeing_structured_dates_yield_to_the_one_the_page_repeats() -> None:
    choice = choose_dates(
        [
            candidate("jsonld", "2023-08-29T10:00:00Z"),
            candidate("meta", "2024-02-25"),
            candidate("page", "2024-02-25", near_headline=True),
        ],
        FETCHED,
    )
    assert choice.published is not None
    assert (choice.published.day, choice.published.source) == (date(2024, 2, 25), "meta")
