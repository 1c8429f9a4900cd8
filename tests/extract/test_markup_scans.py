"""The walks that replaced XPath scans (bylines, page-type features) find what the XPaths found."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html
from trafilatura.utils import load_html

from transforms.extract import byline
from transforms.extract.byline import LABEL_TEXT_XPATH, _label_text_nodes, find_bylines
from transforms.extract.page_type import page_features

PAGES = sorted(
    [
        *(Path(__file__).parent / "pages").glob("*.html"),
        *(Path(__file__).parents[1] / "fixtures").glob("*.html"),
    ]
)
LABELS_PAGE = (
    "<html><head><title>By the sea</title></head><body>By Lead Writer<!-- note -->BY Tail Person"
    "<div><p>Written by <b>Jane Doe</b> tail</p>by\u00a0Nobody<span>author: Sam Roe</span>"
    "<i><u>x</u></i>  Von Karl Maier<script>by script</script>\n\tposted today</div>"
    "<p>Bystander text</p><p>bY: mixed</p>Story by the tail of p</body></html>"
)
# A second top-level <html> the parser keeps beside the first.
TWO_ROOTS_PAGE = (
    '<html><head><meta property="og:type" content="Article"></head><body><h2>a</h2>'
    "<p>By Jane Doe</p></body></html><html><body><h2>b</h2><h1>Second page</h1>"
    '<p>By Ravi Patel</p><a href="/author/ravi-patel">Ravi Patel</a>'
    '<span itemprop="author">Ravi Patel</span></body></html>'
)


def _xpath_labels(tree: object) -> list[tuple]:
    """Return the credit-label text nodes as the XPath finds them."""
    return [
        (str(node), node.getparent(), node.is_tail)
        for node in LABEL_TEXT_XPATH(tree)
        if node.getparent() is not None
    ]


def _positions(tree: object) -> dict:
    return {element: index for index, element in enumerate(tree.iter())}


@pytest.mark.parametrize("page", [LABELS_PAGE, *(path.read_text() for path in PAGES)])
def test_label_text_nodes_are_the_xpaths(page: str) -> None:
    # lxml's own parser keeps comments (their tails are text nodes too); trafilatura's drops them.
    tree = lxml_html.document_fromstring(page) if page == LABELS_PAGE else load_html(page)
    assert [tuple(node) for node in _label_text_nodes(tree, _positions(tree))] == _xpath_labels(
        tree
    )


def test_label_text_nodes_in_order() -> None:
    tree = lxml_html.document_fromstring(LABELS_PAGE)
    texts = [node.text.strip() for node in _label_text_nodes(tree, _positions(tree))]
    assert texts == [
        "By Lead Writer", "BY Tail Person", "Written by", "author: Sam Roe", "Von Karl Maier",
        "by script", "posted today", "bY: mixed", "Story by the tail of p",
    ]  # fmt: skip


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_bylines_walk_equals_the_xpath_scans(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = load_html(path.read_text())
    walked = find_bylines(tree, None)
    monkeypatch.setattr(byline, "is_whole_document", lambda tree: False)
    assert find_bylines(tree, None) == walked


def test_a_second_top_level_html_is_searched_like_xpath() -> None:
    tree = load_html(TWO_ROOTS_PAGE)
    assert [top.tag for top in tree.itersiblings()] == ["html"]
    texts = [found.text for found in find_bylines(tree, None)]
    assert "By Ravi Patel" in texts and "Ravi Patel" in texts
    features = page_features(tree, None, "body", "title", False, False, False)
    assert features["count_h2"] == pytest.approx(1.0986, abs=1e-3)  # log1p(2): both <h2>s
    assert features["og_article"] == 1.0


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.name)
def test_page_counts_are_the_xpaths(path: Path) -> None:
    tree = load_html(path.read_text())
    features = page_features(tree, None, "body", "title", False, False, False)
    counted = {
        "count_articles": "//article",
        "count_h1": "//h1",
        "count_links": "//a[@href]",
        "count_inputs": "//input | //select | //textarea",
        "count_code": "//pre | //code",
        "count_forms": "//form",
    }
    for name, xpath in counted.items():
        assert features[name] == pytest.approx(_log1p(len(tree.xpath(xpath)))), name
    og_type = tree.xpath('//meta[@property="og:type" or @name="og:type"]/@content')
    assert features["og_article"] == float(
        bool(og_type) and og_type[0].strip().lower() == "article"
    )


def _log1p(value: int) -> float:
    import math

    return math.log1p(value)
