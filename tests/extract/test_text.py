from __future__ import annotations

import json
from importlib import resources

import pytest

from tests.conftest import REPO, SEEDS
from transforms.extract.text import extract_text_document, load_model, model_version
from transforms.extract.textlines import feature_names, line_key, split_lines

SEED_000 = SEEDS / "000_3a518643be283ca3.txt"
SEED_003 = SEEDS / "003_553c9cd52b557dc4.txt"
FIXTURES = REPO / "tests" / "extract" / "fixtures"


def decisions(path) -> list[tuple[str, bool]]:
    text = path.read_text(encoding="utf-8")
    article = extract_text_document(text)
    return [
        (line.text, keep) for line, keep in zip(split_lines(text), article.body_lines, strict=True)
    ]


def test_seed_000_keeps_every_body_line_and_no_furniture() -> None:
    lines = decisions(SEED_000)
    # The dump is nine article paragraphs, then five lines of page furniture.
    assert [keep for _line, keep in lines] == [True] * 9 + [False] * 5


def test_seed_003_keeps_every_body_line_and_no_furniture() -> None:
    lines = decisions(SEED_003)
    head = ["US top military", "Lawk Ghafuri", "Lawk Ghafuri", "A+ A-"]
    policy = ["Rudaw moderates", "To be approved", "We will not", "Comments that", "Post a comment"]
    assert [keep for _line, keep in lines] == [False] * 4 + [True] * 16 + [False] * 5
    assert [text for text, _keep in lines[:4]] == [
        text for text, _keep in lines[:4] if any(text.startswith(h) for h in head)
    ]
    assert all(any(text.startswith(p) for p in policy) for text, _keep in lines[-5:])


def test_seed_fields() -> None:
    seed_003 = extract_text_document(SEED_003.read_text(encoding="utf-8"))
    assert seed_003.title == (
        "US top military official in Baghdad to ‘reassure’ Iraq of strategic partnership"
    )
    assert seed_003.authors == ["Lawk Ghafuri"]
    assert seed_003.dateline == "ERBIL, Kurdistan Region"
    assert seed_003.publisher_hints == {"comment_policy": "Rudaw"}
    seed_000 = extract_text_document(SEED_000.read_text(encoding="utf-8"))
    # The dump starts with its first paragraph: no headline, no byline, rather than a wrong one.
    assert (seed_000.title, seed_000.authors) == (None, [])
    assert seed_000.publisher_hints == {"copyright": "Al Nisr Publishing LLC"}


# A full-page dump: a greeting menu above the headline, a generic copyright line below.
MENU_DUMP = (FIXTURES / "menu_dump.txt").read_text(encoding="utf-8")


def test_menu_items_are_not_authors_and_generic_lines_are_not_publishers() -> None:
    article = extract_text_document(MENU_DUMP)
    assert article.title == "Harbour ferry fares to rise in spring"
    assert article.authors == ["Maria Okafor"]
    assert article.published_at.date().isoformat() == "2024-03-04"
    assert article.publisher_hints == {}
    assert article.body_text.startswith("Ferry fares between Port Ellis")
    assert "Bom Dia" not in article.body_text
    assert "Published" not in article.body_text


def test_shared_lines_are_never_body() -> None:
    shared = frozenset({line_key(MENU_DUMP.splitlines()[7])})
    article = extract_text_document(MENU_DUMP, shared)
    assert "island councils" not in article.body_text
    assert "Ferry fares between" in article.body_text


@pytest.mark.parametrize("text", ["", "\n\n  \n", "x", "© 2024"])
def test_degenerate_dumps_give_an_empty_or_tiny_body(text: str) -> None:
    assert len(extract_text_document(text).body_text) <= 1


def test_shipped_model_matches_the_features_and_is_versioned() -> None:
    data = json.loads(
        resources.files("transforms.extract.data").joinpath("textmode.json").read_bytes()
    )
    assert data["features"] == feature_names()
    assert set(data["boosters"]) == {"lines", "context", "title"}
    assert load_model().version == model_version()
    assert len(model_version()) == 10
