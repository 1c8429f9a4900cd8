"""The body's visible text nodes: the nodes and order of the XPath the walk replaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html

from transforms.extract.pagetext import body_text_nodes

PAGES = sorted((Path(__file__).parent / "pages").glob("*.html"))
HIDDEN = ("script", "style", "noscript", "template", "svg")
VISIBLE_XPATH = "//body//text()[not(" + " or ".join(f"ancestor::{tag}" for tag in HIDDEN) + ")]"
SHOWN_XPATH = (
    "//body//text()[not("
    + " or ".join(f"ancestor::{tag}" for tag in (*HIDDEN, "head", "title", "option"))
    + ")]"
)
PAGE = (
    "<html><head><title>T</title></head><body>Lead<!-- note -->after comment"
    "<script>var x = 1;</script>after script<p>One <b>bold</b> tail</p>"
    "<select><option>Pick</option>after option</select><svg><text>drawn</text></svg>"
    "<noscript>enable js</noscript><?pi x?>after pi</body></html>"
)


def _as_tuples(nodes: list) -> list[tuple]:
    """Return XPath text results as (text, parent, is_text) tuples."""
    return [(str(node), node.getparent(), node.is_text) for node in nodes]


def test_hidden_text_skipped_tails_kept() -> None:
    tree = lxml_html.fromstring(PAGE)
    nodes = body_text_nodes(tree)
    assert [node.text for node in nodes] == [
        "Lead", "after comment", "after script", "One ", "bold", " tail", "Pick",
        "after option", "after pi",
    ]  # fmt: skip
    assert [node.text for node in nodes if node.in_metadata] == ["Pick"]
    assert _as_tuples(tree.xpath(VISIBLE_XPATH)) == [(n.text, n.parent, n.is_text) for n in nodes]


@pytest.mark.parametrize("path", PAGES, ids=[path.stem for path in PAGES])
def test_same_nodes_as_the_xpath(path: Path) -> None:
    tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    nodes = body_text_nodes(tree)
    assert [(n.text, n.parent, n.is_text) for n in nodes] == _as_tuples(tree.xpath(VISIBLE_XPATH))
    shown = [(n.text, n.parent, n.is_text) for n in nodes if not n.in_metadata]
    assert shown == _as_tuples(tree.xpath(SHOWN_XPATH))
