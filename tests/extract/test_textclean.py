from __future__ import annotations

import pytest

from tests.conftest import SEEDS
from transforms.extract.textclean import (
    COMMENT_POLICY_START_RE,
    clean_text_document,
    find_comment_policy,
    find_copyright_holder,
    find_dateline,
    is_boilerplate_line,
    split_byline,
)


@pytest.mark.parametrize(
    "line",
    [
        "A+ A-",
        "Sign up for the Daily Briefing",
        "Get the latest news and updates straight to your inbox",
        "Network Links",
        "GN StoreDownload our app",
        "Post a comment",
        "© Al Nisr Publishing LLC 2025. All rights reserved.",
        "Share this article",
    ],
)
def test_boilerplate_lines_are_recognised(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "The last American combat troops left Iraq in December 2011.",
        "Sign up for a new contract was the club's aim, the coach said on Sunday after the game.",
        "Iraq",
    ],
)
def test_article_lines_are_kept(line: str) -> None:
    assert not is_boilerplate_line(line)


@pytest.mark.parametrize(
    ("paragraph", "dateline"),
    [
        ("ERBIL, Kurdistan Region The Iraqi Defense Ministry received", "ERBIL, Kurdistan Region"),
        ("Baghdad: Iraq is open to greater American military cooperation", "Baghdad"),
        ("NAIROBI, Kenya — The central bank held rates", "NAIROBI, Kenya"),
        ("LISBON (NWS) — Portugal's parliament voted", "LISBON"),
        ("The minister said on Monday that talks would resume.", None),
    ],
)
def test_find_dateline(paragraph: str, dateline: str | None) -> None:
    assert find_dateline(paragraph) == dateline


def test_copyright_holder_and_bylines() -> None:
    assert find_copyright_holder("© Al Nisr Publishing LLC 2025. All rights reserved.") == (
        "Al Nisr Publishing LLC"
    )
    assert find_copyright_holder("Copyright 2024 The Harbour Times") == "The Harbour Times"
    assert (
        find_copyright_holder("He paid ©5 for it, which was a lot of money for him then.") is None
    )
    assert split_byline("By Jane Doe and Ravi Patel") == ["Jane Doe", "Ravi Patel"]


def test_seed_000_body_is_article_text_only() -> None:
    cleaned = clean_text_document((SEEDS / "000_3a518643be283ca3.txt").read_text())
    assert cleaned.body_text.startswith(
        "Baghdad: Iraq is open to greater American military cooperation"
    )
    assert cleaned.body_text.endswith("since the start of April.")
    for furniture in (
        "Sign up for the Daily Briefing",
        "Network Links",
        "GN Store",
        "Download our app",
        "©",
    ):
        assert furniture not in cleaned.body_text
    assert cleaned.publisher_hints["copyright"] == "Al Nisr Publishing LLC"
    assert cleaned.dateline == "Baghdad"


def test_seed_003_title_byline_dateline() -> None:
    cleaned = clean_text_document((SEEDS / "003_553c9cd52b557dc4.txt").read_text())
    assert cleaned.title == (
        "US top military official in Baghdad to ‘reassure’ Iraq of strategic partnership"
    )
    assert cleaned.authors == ["Lawk Ghafuri"]
    assert "Lawk Ghafuri" not in cleaned.body_text
    assert cleaned.dateline == "ERBIL, Kurdistan Region"
    assert "A+ A-" not in cleaned.body_text
    for policy in (
        "moderates all comments",
        "community guidelines",
        "will not tolerate",
        "Post a comment",
    ):
        assert policy not in cleaned.body_text
    assert cleaned.body_text.endswith("formally defeated in Mosul in July 2017.")
    assert cleaned.publisher_hints["comment_policy"] == "Rudaw"


def test_comment_words_early_in_an_article_do_not_cut_it() -> None:
    text = (
        "Officials said Rudaw moderates all comments on its site.\n" + "Body paragraph here.\n" * 5
    )
    assert "Body paragraph here." in clean_text_document(text).body_text


@pytest.mark.parametrize(
    "line",
    [
        "Rudaw MODERATES all reader comments",
        "Our COMMENTING POLICY",
        "Comments posted to this website are reviewed.",
        "Read our comment policy before you post.",
        "The minister said the council would meet on Monday.",
        "Moderate rain is expected; no comment from the mayor.",
        "",
    ],
)
def test_comment_policy_search_skips_only_lines_that_cannot_match(line: str) -> None:
    found = find_comment_policy(line)
    expected = COMMENT_POLICY_START_RE.search(line)
    assert (found and found.group(0)) == (expected and expected.group(0))
