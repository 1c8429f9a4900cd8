"""Issue 14's examples: what the model calls a person, an organisation or a place is checked.

Every text here is original (written for these tests) and reproduces one reported case with the
real model; each test failed on the code before type verification.
"""

from __future__ import annotations

import pytest

from transforms.enrich.entities.mentions import find_mentions
from transforms.enrich.entities.resolve import resolve_entities
from transforms.enrich.entities.schemas import mentions_to_table

COMMON_WORDS_AND_PRODUCTS = """Best Laptops for Coding

Pros
- Fast charging and a bright screen
Cons
- Heavy for travel

Download the installer, then open the terminal.
Size matters less than battery life.
Types of ports: USB-C and HDMI.
Learn more on our blog.
Drop us a line if you get stuck.
Jump to the comparison table below.
Email us for a quote.

We tested Python, Java and Docker on Linux, and checked JSON parsing speed. Sign in with Gmail, \
share notes on Zoom, post the results to Instagram and Twitter, or back everything up to the \
Cloud. The Mac version connects over WiFi. Buyers from Generation Z prefer lighter models."""

TERM_ACRONYMS = """Our AI team built an API for the new UI. This guide covers SEO tips, DIY \
repairs, HTML and CSS templates, SMS alerts, PDF exports, USB drives, RAM upgrades, SQL queries, \
CPU benchmarks and an LLM assistant.
Digital Tools
Next, we look at pricing. Digital subscriptions cost less than you think."""

PLATFORMS = """Stream the finale on Netflix, sell the merchandise with Shopify, find a job \
through LinkedIn, argue about it on Reddit, build the site with React, and run the app on \
Windows or Linux."""


def texts_of(rows: list[dict], entity_type: str) -> set[str]:
    return {row["mention_text"] for row in rows if row["entity_type"] == entity_type}


def keys_of(rows: list[dict], text: str) -> set[str]:
    return {row["name_key"] for row in rows if row["mention_text"] == text}


def test_common_words_and_products_are_not_people(nlp) -> None:
    rows = find_mentions(nlp, "laptops", None, COMMON_WORDS_AND_PRODUCTS)
    words = {
        "Pros", "Cons", "Twitter", "Java", "Gmail", "JSON", "Python", "Instagram", "Zoom", "Mac",
        "Drop", "Linux", "Learn", "Email", "WiFi", "Z", "Cloud", "Jump", "Docker", "Download",
        "Size", "Types",
    }  # fmt: skip
    assert not texts_of(rows, "person") & words
    assert not texts_of(rows, "location") & words
    # The companies are organisations; their products and the common words are nothing.
    assert texts_of(rows, "organization") <= {"Instagram", "Twitter"}
    assert "Twitter" in texts_of(rows, "organization")


def test_term_acronyms_are_not_organisations(nlp) -> None:
    rows = find_mentions(nlp, "terms", None, TERM_ACRONYMS)
    terms = {
        "AI", "API", "UI", "SEO", "DIY", "HTML", "SMS", "PDF", "USB", "RAM", "SQL", "CSS", "CPU",
        "LLM", "Digital", "Next", "Digital Tools",
    }  # fmt: skip
    assert not {row["mention_text"] for row in rows} & terms


def test_platforms_are_organisations_and_software_is_no_place(nlp) -> None:
    rows = find_mentions(nlp, "platforms", None, PLATFORMS)
    assert not texts_of(rows, "location")
    assert texts_of(rows, "organization") == {"Netflix", "Shopify", "LinkedIn", "Reddit"}


def test_a_heading_verb_and_a_language_are_not_people(nlp) -> None:
    body = (
        "Porting Mercurial to Python 3\n"
        "Few people care about the mechanics of porting a large Python project, so skip ahead "
        "if you like.\nPorting Mercurial took years of work by volunteers."
    )
    rows = find_mentions(nlp, "hg", None, body)
    assert not {"Porting Mercurial", "Python"} & texts_of(rows, "person")
    # What is left of the heading ('Mercurial') has no person evidence: no entity comes of it.
    entity_map, _ = resolve_entities(mentions_to_table(rows), None)
    people = {row["name_key"] for row in entity_map.to_pylist() if row["entity_type"] == "person"}
    assert not people


@pytest.mark.parametrize(
    ("body", "not_people"),
    [
        ("Critics said German Reich rule was brutal.", {"German Reich"}),
        (
            "The exhibition asks what the German Reich left behind in Namibia.",
            {"German Reich"},
        ),
        ("The German Reich collapsed in 1945.", {"Reich", "German Reich"}),
        (
            "Residents of Hollis Street and Fenwick Road complained about the noise.",
            {"Fenwick Road"},
        ),
        (
            "The shop on Mercer Street closed, and Gilbert Lane will be repaved next year.",
            {"Gilbert Lane"},
        ),
    ],
)
def test_states_and_streets_are_not_people(nlp, body: str, not_people: set[str]) -> None:
    rows = find_mentions(nlp, "x", None, body)
    assert not texts_of(rows, "person") & not_people


def test_a_surname_is_not_the_city_of_the_same_name(nlp) -> None:
    awards = (
        "LOS ANGELES — The thriller won the top prize at the awards on Sunday, while Joaquin "
        "Phoenix and Renee Zellweger were named best actors. Phoenix thanked the cast and said "
        "the film changed him."
    )
    resort = "The resort group added the Royal Palms Resort in Phoenix, Arizona, to its list."
    rows = find_mentions(nlp, "awards", None, awards) + find_mentions(nlp, "resort", None, resort)
    short = [
        row for row in rows if row["article_id"] == "awards" and row["mention_text"] == "Phoenix"
    ]
    assert [(row["entity_type"], row["local_name"]) for row in short] == [
        ("person", "Joaquin Phoenix")
    ]
    entity_map, dim = resolve_entities(mentions_to_table(rows), None)
    id_of = {(r["entity_type"], r["name_key"]): r["entity_id"] for r in entity_map.to_pylist()}
    ids = {
        id_of[(row["entity_type"], row["name_key"])]
        for row in rows
        if "Phoenix" in row["mention_text"]
    }
    types = {row["entity_id"]: row["entity_type"] for row in dim.to_pylist()}
    assert sorted(types[entity_id] for entity_id in ids) == ["location", "person"]


def test_paris_after_france_is_paris_france(nlp) -> None:
    body = (
        "Current hotel properties include the Driskill in Austin, Texas; Spirit Ridge in "
        "Osoyoos, British Columbia; Hotel Martinez in Cannes, France; Hôtel du Louvre in Paris; "
        "and Nish Palas in Istanbul."
    )
    rows = find_mentions(nlp, "hotels", None, body)
    assert keys_of(rows, "Paris") == {"paris|geonames:2988507"}
    assert keys_of(rows, "Austin") == {"austin|geonames:4671654"}


def test_south_georgia_in_a_us_article_is_the_state(nlp) -> None:
    us = (
        "Erin Spiceland is a software engineer at a rocket company. Born and raised in rural "
        "south Georgia, she is a mother of two now living in downtown Los Angeles."
    )
    caucasus = "Protesters in Tbilisi, Georgia, marched to parliament on Sunday."
    rows = find_mentions(nlp, "us", None, us) + find_mentions(nlp, "ge", None, caucasus)
    georgia = {
        row["article_id"]: row["name_key"] for row in rows if row["mention_text"] == "Georgia"
    }
    assert georgia == {"us": "georgia|geonames:4197000", "ge": "georgia|geonames:614540"}


def test_native_country_names_join_the_english_one(nlp) -> None:
    body = (
        "One of the groups behind the project is the Initiative of Black People in Deutschland, "
        "which says the colonial past is still present in Germany."
    )
    rows = find_mentions(nlp, "de", None, body)
    entity_map, _ = resolve_entities(mentions_to_table(rows), None)
    id_of = {(r["entity_type"], r["name_key"]): r["entity_id"] for r in entity_map.to_pylist()}
    ids = {
        id_of[("location", row["name_key"])]
        for row in rows
        if row["mention_text"] in ("Deutschland", "Germany")
    }
    assert len(ids) == 1 and len(keys_of(rows, "Deutschland")) == 1


def test_an_acronym_used_without_brackets_links_to_its_organisation(nlp) -> None:
    body = (
        '"Conservation here is seen as an elitist thing," says Natalya Lawrence, a coordinator '
        "with the non-profit Environmental Awareness Group, which oversees the island restoration "
        "project.\n\nThe EAG was started in the late 1980s and has since grown to include many "
        "restoration projects."
    )
    rows = find_mentions(nlp, "eag", None, body)
    assert {row["local_name"] for row in rows if row["mention_text"] == "EAG"} == {
        "Environmental Awareness Group"
    }


def test_possessive_inside_a_span_cuts_it(nlp) -> None:
    body = "Shoppers compared prices on Etsy before Wix’s AI site builder launched in Berlin."
    rows = find_mentions(nlp, "wix", None, body)
    assert "Wix’s AI" not in {row["mention_text"] for row in rows}
    assert not any("’s" in row["mention_text"] for row in rows)


# Most-mentioned entities of the WCXB dev articles that were wrong (benchmarks/entities_top.py),
# in original texts.


def test_a_thing_described_with_a_role_word_is_not_a_person(nlp) -> None:
    body = (
        "Introducing Mentor Mode\nWhat if we flipped the relationship? In Mentor Mode, the AI "
        "is a teacher whose success is measured by what you learn. Mentor Mode is slower."
    )
    rows = find_mentions(nlp, "mode", None, body)
    evidence = {row["type_evidence"] for row in rows if row["mention_text"] == "Mentor Mode"}
    assert evidence <= {"name", "none"}  # no role: another article must confirm it
    _, dim = resolve_entities(mentions_to_table(rows), None)
    assert "Mentor Mode" not in {row["entity_name"] for row in dim.to_pylist()}


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (
            "Recommendations are: Rosetta Stone: a method that combines pictures and words.",
            "Rosetta Stone",
        ),
        (
            "The best issue ages of any carrier on this list, second only to John Hancock.",
            "John Hancock",
        ),
        (
            "The old bank was converted to an Art Deco restaurant that serves roast quail.",
            "Art Deco",
        ),
    ],
)
def test_products_companies_and_styles_named_like_people(nlp, body: str, name: str) -> None:
    rows = find_mentions(nlp, "x", None, body)
    assert name not in texts_of(rows, "person") | texts_of(rows, "location")


def test_a_product_line_is_cut_to_its_maker(nlp) -> None:
    body = "I tested the Salomon Speedcross on wet trails. Salomon Speedcross runners praise it."
    rows = find_mentions(nlp, "shoe", None, body)
    assert {row["mention_text"] for row in rows} == {"Salomon"}
    assert texts_of(rows, "organization") == {"Salomon"}


def test_a_product_term_shortened_is_no_organisation(nlp) -> None:
    body = (
        "We need to improve GitHub Actions. We have real costs in running the Actions control "
        "plane. Of the Actions users impacted, most will pay less.\nActions\nGitHub said so."
    )
    rows = find_mentions(nlp, "gh", None, body)
    assert "Actions" not in {row["mention_text"] for row in rows}
    assert "GitHub" in texts_of(rows, "organization")


def test_a_training_plan_cell_is_no_organisation(nlp) -> None:
    body = (
        "| 1 | Rest | Walk/Run Easy 13x (Walk 2 min/ Run Easy 1 min) | Optional Non-Impact Cardio "
        "30 min | Rest |\n| 2 | Rest | Walk/Run Easy 15x | Optional Non-Impact Cardio 30 min |"
    )
    rows = find_mentions(nlp, "plan", None, body)
    assert not any("Cardio" in row["mention_text"] for row in rows)


def test_a_generation_is_not_a_general(nlp) -> None:
    body = (
        "Gen Zers are the most ambitious savers of any generation. Homes stay out of reach for "
        "Gen Zers and young families. Gen. Mark Kessler, a retired officer, agreed."
    )
    rows = find_mentions(nlp, "gen", None, body)
    evidence = {row["type_evidence"] for row in rows if row["mention_text"] == "Zers"}
    assert "title" not in evidence
    _, dim = resolve_entities(mentions_to_table(rows), None)
    people = {row["entity_name"] for row in dim.to_pylist() if row["entity_type"] == "person"}
    assert "Zers" not in people


def test_a_longer_name_inside_a_national_one_stays_its_own(nlp) -> None:
    body = (
        "The show travels from the Irish Museum of Modern Art in Dublin. Earlier works hang in "
        "the Museum of Modern Art, New York, and the Tate in London."
    )
    rows = find_mentions(nlp, "art", None, body)
    names = {row["mention_text"]: row["local_name"] for row in rows}
    assert names["Museum of Modern Art"] == "Museum of Modern Art"


def test_a_known_company_is_not_its_own_product(nlp) -> None:
    body = (
        "Upload the video to YouTube and add chapters. YouTube Studio analytics show where "
        "viewers leave. YouTube pays creators once they reach a thousand subscribers."
    )
    rows = find_mentions(nlp, "yt", None, body)
    names = {row["mention_text"]: row["local_name"] for row in rows}
    assert names["YouTube"] == "YouTube"
