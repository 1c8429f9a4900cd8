"""trafilatura's metadata fields as its extract_metadata reads them, the author searched lazily."""

from __future__ import annotations

from copy import copy
from pathlib import Path

import pytest
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from transforms.extract import trafilatura_meta
from transforms.extract.html import _date_params, extract_html
from transforms.extract.trafilatura_meta import TrafilaturaMetadata

PAGES = sorted(
    [
        *(Path(__file__).parent / "pages").glob("*.html"),
        *(Path(__file__).parents[1] / "fixtures").glob("*.html"),
    ]
)
# A second top-level <html> (trafilatura reads a copy of the first), and category and tag links.
EXTRA_PAGES = {
    "two_roots": (
        "<html><head><title>Quay</title></head><body><h1>Quay</h1></body></html>"
        '<html><body><h1>Other</h1><div class="tags"><a href="/tag/harbour/">Harbour</a></div>'
        "</body></html>"
    ),
    "categories": (
        '<html><head><meta name="dc.subject" content="Ports"></head><body><article><h1>Quay</h1>'
        '<div class="entry-meta"><a href="/category/local/">Local</a></div>'
        '<div class="tags"><a href="/tags/ferries/">Ferries</a><a href="/about/">About</a></div>'
        "</article></body></html>"
    ),
    "section_meta": (
        '<html><head><meta property="article:section" content=" Ports &amp; harbours ">'
        "</head><body><h1>Quay</h1><a href='/news/'>News</a></body></html>"
    ),
}
FIELDS = ("title", "author", "sitename", "description", "date", "categories", "tags")
URL = "https://news.example.org/2025/03/04/story.html"


@pytest.mark.parametrize(
    "page",
    [*(path.read_text() for path in PAGES), *EXTRA_PAGES.values()],
    ids=[*(path.name for path in PAGES), *EXTRA_PAGES],
)
@pytest.mark.parametrize("url", [None, URL])
def test_fields_equal_trafilaturas(page: str, url: str | None) -> None:
    tree = load_html(page)
    params = _date_params(None)
    # bare_extraction(with_metadata=True) read a copy of the parsed tree.
    expected = extract_metadata(copy(tree), url, {**params})
    metadata = TrafilaturaMetadata(tree, url, params)
    assert {field: getattr(metadata, field) for field in FIELDS} == {
        field: getattr(expected, field) for field in FIELDS
    }


@pytest.fixture
def author_searches(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Count the calls of trafilatura's author search."""
    calls: list[object] = []
    search = trafilatura_meta.extract_author

    def counted(tree: object) -> str | None:
        calls.append(tree)
        return search(tree)

    monkeypatch.setattr(trafilatura_meta, "extract_author", counted)
    return calls


def test_author_searched_once_and_only_when_asked(author_searches: list[object]) -> None:
    page = (
        "<html><head><title>Quay</title></head><body><article><h1>Quay</h1>"
        '<p class="author">Written by Jane Doe</p><p>The harbour council met.</p>'
        "</article></body></html>"
    )
    metadata = TrafilaturaMetadata(load_html(page), None, _date_params(None))
    assert author_searches == []
    assert metadata.author == metadata.author
    assert len(author_searches) == 1


def test_named_writer_skips_the_author_search(author_searches: list[object]) -> None:
    page = (Path(__file__).parent / "pages" / "author_labelled_byline.html").read_text()
    fields = extract_html(page, None)
    # The page's metadata and byline name the writer in full: trafilatura's author is not needed.
    assert fields["authors"] == ["Petra Fenwick"]
    assert author_searches == []


def test_category_and_tag_links_read() -> None:
    tree = load_html(EXTRA_PAGES["categories"])
    metadata = TrafilaturaMetadata(tree, None, _date_params(None))
    assert (metadata.categories, metadata.tags) == (["Local"], ["Ferries"])
