from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from transforms.extract.evidence import read_html_evidence
from transforms.extract.jsonld import JsonLd
from transforms.extract.sitename import SiteNames, read_site_names
from transforms.extract.title import choose_title, strip_site_affixes, title_affixes

SITES = SiteNames({"og:site_name": "The Valley Ledger"}, ("valleyledger",), "valleyledger.example")


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Council approves budget | The Valley Ledger", "Council approves budget"),
        ("Council approves budget - Valley Ledger", "Council approves budget"),
        ("The Valley Ledger: Council approves budget", "Council approves budget"),
        ("Council approves budget – by Ana Ruiz – The Valley Ledger", "Council approves budget"),
        ("Council approves budget | valleyledger.example", "Council approves budget"),
        ("Council approves budget ⋆", "Council approves budget"),
        # Not the site's name: kept.
        ("Budget: what the council approved", "Budget: what the council approved"),
        ("Valley farms: a ledger of losses", "Valley farms: a ledger of losses"),
        ("Harbour expansion - phase two", "Harbour expansion - phase two"),
    ],
)
def test_site_name_affixes_are_stripped(title: str, headline: str) -> None:
    assert strip_site_affixes(title, SITES) == headline


def test_a_prefix_goes_only_when_it_is_the_name_itself() -> None:
    sites = SiteNames({}, ("docker",), "docker.example")
    assert strip_site_affixes("Docker Hardened Images: a review | Docker", sites) == (
        "Docker Hardened Images: a review"
    )


def _choose(head: str, body: str, url: str = "https://valleyledger.example/a"):
    tree = load_html(f"<html><head>{head}</head><body>{body}</body></html>")
    evidence = read_html_evidence(tree)
    jsonld = JsonLd(evidence.jsonld_documents)
    return choose_title(tree, evidence, jsonld, read_site_names(evidence, jsonld, url))


def test_the_headline_the_metadata_agrees_with_wins() -> None:
    title = _choose(
        "<title>Ferry fares rise | Coast Weekly</title>",
        "<h1>Coast Weekly</h1><h1>Ferry fares rise</h1>",
    )
    assert (title.title, title.title_source, title.title_raw) == (
        "Ferry fares rise",
        "html",
        "Ferry fares rise | Coast Weekly",
    )


def test_a_lone_headline_beats_an_seo_title_but_not_a_section_label() -> None:
    title = _choose("<title>Best ferry tips for 2025</title>", "<h1>How to ride the ferry</h1>")
    assert title.title == "How to ride the ferry"
    title = _choose(
        "<title>Harbour webcams show the storm surge | Coast Weekly</title>",
        "<h1>Webcams</h1>",
    )
    assert title.title == "Harbour webcams show the storm surge | Coast Weekly"


def test_a_date_inside_the_headline_is_not_kept() -> None:
    title = _choose(
        '<meta property="og:title" content="Preparing the ferry for winter">',
        "<h1>Dec 18 2025 Preparing the ferry for winter</h1>",
    )
    assert (title.title, title.title_source) == ("Preparing the ferry for winter", "meta")


def test_title_affixes_give_the_publisher_candidates() -> None:
    assert title_affixes("Garnix Blog: Attested builds | Garnix") == {
        "title_prefix": "Garnix Blog",
        "title_suffix": "Garnix",
    }
    assert title_affixes("No separator here") == {}


@pytest.mark.parametrize(
    ("heading", "meta_title", "expected"),
    [
        # A "by" inside the headline and a leading year are the headline's own words.
        (
            "Ferry Fares on the Bay: Route-by-Route Breakdown",
            "Ferry Fares on the Bay",
            "Ferry Fares on the Bay: Route-by-Route Breakdown",
        ),
        (
            "2025 Ferry Timetable Guide & Fare Comparison",
            "Ferry Timetable Guide & Fare Comparison",
            "2025 Ferry Timetable Guide & Fare Comparison",
        ),
        (
            "Best Harbour Tours in 2025, Reviewed by a Deckhand",
            "Best Harbour Tours in 2025",
            "Best Harbour Tours in 2025, Reviewed by a Deckhand",
        ),
        # A byline or a full date beside the headline is furniture.
        ("Ferry fares rise By Ana Ruiz", "Ferry fares rise", "Ferry fares rise"),
        ("Ferry fares rise 3 December 2025", "Ferry fares rise", "Ferry fares rise"),
    ],
)
def test_heading_furniture_is_a_byline_or_a_date_not_any_by_or_year(
    heading: str, meta_title: str, expected: str
) -> None:
    title = _choose(f'<meta property="og:title" content="{meta_title}">', f"<h1>{heading}</h1>")
    assert title.title == expected
