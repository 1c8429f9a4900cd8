"""Page types: listing and product pages are not articles (issue 12), on fictional pages."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from transforms.extract.article import ExtractOptions, extract_capture
from transforms.extract.page_type import PAGE_TYPES, classify_page, load_model, page_features
from transforms.schemas import Capture, Reject

FIXTURES = Path(__file__).parents[1] / "fixtures"


def extract(name: str, options: ExtractOptions | None = None) -> dict | Reject:
    path = FIXTURES / name
    capture = Capture(locator=str(path), source_kind="file", body=path.read_bytes())
    return extract_capture(capture.to_row("test"), options or ExtractOptions())


@pytest.mark.parametrize(
    ("name", "page_type"),
    [
        ("listing_page.html", "listing"),
        ("product_page.html", "other"),
        ("jsonld_article.html", "article"),
    ],
)
def test_pages_are_typed(name: str, page_type: str) -> None:
    row = extract(name)
    assert isinstance(row, dict)
    assert row["page_type"] == page_type
    assert (row["article_probability"] >= 0.5) == (page_type == "article")


@pytest.mark.parametrize("name", ["listing_page.html", "product_page.html"])
def test_non_articles_can_be_rejected_instead(name: str) -> None:
    result = extract(name, ExtractOptions(non_articles="reject"))
    assert isinstance(result, Reject)
    assert (result.stage, result.reason) == ("extract", "not_an_article")
    assert "article" in (result.detail or "")


def test_text_dumps_are_articles() -> None:
    capture = Capture(
        locator="dump/quay.txt",
        source_kind="text",
        body=("The harbour council met again on the new quay. " * 20).encode(),
    )
    row = extract_capture(capture.to_row("test"), ExtractOptions())
    assert isinstance(row, dict)
    assert (row["page_type"], row["article_probability"]) == ("article", None)


def test_shipped_model_matches_the_features_extraction_computes() -> None:
    model = load_model()
    tree = load_html((FIXTURES / "jsonld_article.html").read_text())
    features = page_features(tree, None, "body", "title", False, False, False)
    # Retraining is needed when a feature is added or dropped: this says so.
    assert model["features"] == sorted(features)
    assert set(model["classes"]) == set(PAGE_TYPES)
    size = len(model["features"])
    assert len(model["means"]) == len(model["scales"]) == size
    assert all(len(row) == size for row in model["weights"])
    assert 0 < model["article_threshold"] < 1
    # The figures stored beside the weights are the out-of-fold ones (folds by domain).
    assert model["out_of_fold"]["article_recall"] >= 0.9


def test_model_file_is_in_the_package() -> None:
    text = resources.files("transforms.extract").joinpath("data", "page_type_model.json")
    assert json.loads(text.read_text())["version"]


def test_threshold_keeps_borderline_pages_as_articles() -> None:
    model = {
        "features": ["x"],
        "means": [0.0],
        "scales": [1.0],
        "classes": ["article", "listing", "other"],
        "weights": [[0.0], [0.0], [0.0]],
        "intercepts": [0.0, 0.1, 0.0],
        "article_threshold": 0.3,
    }
    # Article's probability is about 0.32, below listing's but above the threshold.
    assert classify_page({"x": 0.0}, model).page_type == "article"
    assert classify_page({"x": 0.0}, {**model, "article_threshold": 0.4}).page_type == "listing"
