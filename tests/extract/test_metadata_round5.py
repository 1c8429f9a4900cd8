"""Issue 12, fifth round: classes of wrong or missing metadata, on fictional pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.extract.fixture_pages import FETCHED_AT, extract_page


def extract(name: str, url: str = "https://harbour.example/blog/post") -> dict[str, Any]:
    """Return the article row of a fixture page captured from a URL on 2025-06-01."""
    return extract_page(name, url, FETCHED_AT)


@pytest.mark.parametrize(
    ("name", "authors"),
    [
        # One author per <li>, no separator written between them; the editor's credit apart.
        ("author_list_items.html", ["Maren Oduya", "Theo Lindqvist"]),
        # One author-page link per writer, only whitespace between them; "Edited by" stays
        # the editor's.
        ("author_glued_links.html", ["Rosa Pemberton", "Kwame Asante"]),
    ],
)
def test_names_in_separate_elements_of_a_byline_are_separate_authors(
    name: str, authors: list[str]
) -> None:
    assert extract(name)["authors"] == authors


def test_a_scholarly_page_credits_every_author_its_citation_tags_list() -> None:
    # Dublin Core's creator names the first author only; citation_authors lists all three,
    # family name first and separated by semicolons.
    row = extract("author_scholarly_tags.html")
    assert row["authors"] == ["Adaeze Okafor", "Per Lindgren", "Claire Moreau"]


@pytest.mark.parametrize(
    ("name", "authors"),
    [
        # The line under the headline dates the article and names its writer, unlabelled.
        ("author_dateline.html", ["Rafael Okoro"]),
        # A standfirst under the headline, without a date, names nobody.
        ("author_standfirst.html", []),
    ],
)
def test_the_dated_line_under_the_headline_names_the_writer(name: str, authors: list[str]) -> None:
    assert extract(name)["authors"] == authors
