from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from transforms.extract.jsonld import JsonLd
from transforms.extract.markup import clean_text_value, decode_entities, visible_text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("&#8216;Overnight&#8217;", "‘Overnight’"),
        ("Council&#039;s plan", "Council's plan"),
        ("Fish &amp; chips", "Fish & chips"),
        ("And finally&amp;#8230; trouble", "And finally… trouble"),
        ("No references", "No references"),
    ],
)
def test_character_references_decode_even_when_escaped_twice(raw: str, text: str) -> None:
    assert decode_entities(raw) == text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("JOHNSONâ\x80\x99SÂ®", "JOHNSON’S®"),
        ("Keep Your Teeth Healthy\u200b", "Keep Your Teeth Healthy"),
        ("  Two\n  lines  ", "Two lines"),
        ("30 Years of <br> Tags", "30 Years of <br> Tags"),
        ("", None),
        (None, None),
    ],
)
def test_metadata_values_are_clean_text(raw: str | None, text: str | None) -> None:
    assert clean_text_value(raw) == text


def test_tags_are_dropped_only_when_asked() -> None:
    assert clean_text_value("<p>Storm <em>closes</em> schools</p>", strip_tags=True) == (
        "Storm closes schools"
    )


def test_visible_text_joins_inline_markup_and_spaces_blocks() -> None:
    element = lxml_html.fromstring(
        "<div><h1>How AI Cuts the Planning C<span>ycle</span></h1><p>By Ana</p>"
        "<script>var x = 1;</script><p>Staff Writer</p></div>"
    )
    assert visible_text(element) == "How AI Cuts the Planning Cycle By Ana Staff Writer"
    assert visible_text(element, lines=True) == (
        "How AI Cuts the Planning Cycle\nBy Ana\nStaff Writer"
    )


def test_jsonld_authors_of_any_article_type_and_by_reference() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "https://x.example/a#page", "name": "A | X"},
            {
                "@type": "TechArticle",
                "headline": "A",
                "author": {"@id": "https://x.example/#/person/1"},
                "publisher": {"@id": "https://x.example/#org"},
            },
            {"@type": "Person", "@id": "https://x.example/#/person/1", "name": "Ana Ruiz"},
            {
                "@type": ["Organization", "NewsMediaOrganization"],
                "@id": "https://x.example/#org",
                "name": "X Weekly",
            },
        ],
    }
    jsonld = JsonLd([json.loads(json.dumps(graph))])
    article = jsonld.articles()[0]
    assert article["headline"] == "A"
    assert [(a.name, a.kind) for a in jsonld.agents(article["author"])] == [("Ana Ruiz", "person")]
    assert [(a.name, a.kind) for a in jsonld.agents(article["publisher"])] == [
        ("X Weekly", "organization")
    ]
