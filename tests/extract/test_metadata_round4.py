"""Issue 12, fourth round: classes of wrong or missing metadata, on fictional pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.extract.fixture_pages import FETCHED_AT, extract_page


def extract(name: str, url: str = "https://harbour.example/blog/post") -> dict[str, Any]:
    """Return the article row of a fixture page captured from a URL on 2025-06-01."""
    return extract_page(name, url, FETCHED_AT)


def test_a_by_line_under_the_headline_beats_the_account_structured_data_names() -> None:
    # JSON-LD names the CMS account that posted the article; the page credits its writer.
    row = extract("author_labelled_byline.html")
    assert (row["authors"], row["authors_source"]) == (["Petra Fenwick"], "html")


def test_the_byline_adds_the_co_authors_structured_data_leaves_out() -> None:
    row = extract("author_byline_coauthors.html")
    assert row["authors"] == ["Ana Ruiz", "Tom Berg", "Lena van der Hoek"]


def test_a_one_word_name_structured_data_and_the_byline_agree_on_stands() -> None:
    # Full names further down belong to other articles' teasers.
    row = extract("author_one_word_confirmed.html")
    assert row["authors"] == ["Mazi"]


def test_a_team_credited_in_metadata_and_byline_beats_names_further_down() -> None:
    row = extract("author_team_credit.html")
    assert (row["authors"], row["author_organizations"]) == ([], ["Quay Tables Staff"])


@pytest.mark.parametrize(
    ("name", "authors"),
    [
        # "Medically reviewed by Kim Rosen" credits the reviewer, not the writer.
        ("author_other_credits.html", ["Jillian Kovac"]),
        # "... libraries by Daniel Brunner" in a paragraph is a sentence, not a byline.
        ("author_prose_by.html", ["Anil Madden"]),
        # "by ..." under each item of a list credits the works, not the article.
        ("author_list_of_works.html", ["Sylvie Bishop"]),
    ],
)
def test_other_by_credits_near_the_headline_leave_the_stated_author(
    name: str, authors: list[str]
) -> None:
    assert extract(name)["authors"] == authors


def test_the_metadata_title_shown_as_a_heading_of_its_own_beats_a_differing_h1() -> None:
    # The <h1> holds the headline with a source and a comment count; the page shows the
    # metadata title again as a heading.
    row = extract("title_shown_as_subheading.html", "https://quaynotes.example/story/ferries")
    assert row["title"] == "Ferry timetables change for the winter season"


def test_the_expert_credited_beside_the_writer_is_no_co_author() -> None:
    # "By Ines Calder, Home Security Writer & Tom Berg, Home Security Expert": the second
    # credit's markup calls it the expert's (a reviewer), not a co-author's.
    assert extract("author_expert_beside.html")["authors"] == ["Ines Calder"]
