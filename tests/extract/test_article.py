from __future__ import annotations

from pathlib import Path

from tests.conftest import SEEDS
from transforms.extract.article import ExtractOptions, extract_capture
from transforms.extract.publisher import PathMapping
from transforms.schemas import Capture, Reject

FIXTURES = Path(__file__).parents[1] / "fixtures"


def extract_file(
    path: Path, options: ExtractOptions | None = None, kind: str = "file"
) -> dict | Reject:
    capture = Capture(locator=str(path), source_kind=kind, body=path.read_bytes())
    return extract_capture(capture.to_row("test"), options or ExtractOptions())


def test_seed_000_article() -> None:
    article = extract_file(SEEDS / "000_3a518643be283ca3.txt", kind="text")
    assert isinstance(article, dict)
    body = article["body_text"]
    assert body.startswith("Baghdad: Iraq is open to greater American military cooperation")
    assert body.endswith("since the start of April.")
    for furniture in (
        "Sign up for the Daily Briefing",
        "Network Links",
        "GN Store",
        "Download our app",
        "©",
    ):
        assert furniture not in body
    assert (article["source_id"], article["source_name"], article["source_id_source"]) == (
        "gulfnews.com",
        "Gulf News",
        "copyright",
    )
    assert article["extraction_method"] == "text_model"
    assert article["dateline"] == "Baghdad"
    assert article["language"] == "en"
    assert article["url"] is None


def test_seed_003_article() -> None:
    article = extract_file(SEEDS / "003_553c9cd52b557dc4.txt", kind="text")
    assert isinstance(article, dict)
    assert article["title"] == (
        "US top military official in Baghdad to ‘reassure’ Iraq of strategic partnership"
    )
    assert article["title_source"] == "text"
    assert article["authors"] == ["Lawk Ghafuri"]
    assert article["body_text"].count("Lawk Ghafuri") == 0
    assert article["dateline"] == "ERBIL, Kurdistan Region"
    assert "A+ A-" not in article["body_text"]
    assert "moderates all comments" not in article["body_text"]
    assert (article["source_id"], article["source_name"], article["source_id_source"]) == (
        "rudaw.net",
        "Rudaw",
        "comment_policy",
    )


def test_explicit_mapping_beats_document_evidence() -> None:
    options = ExtractOptions(
        path_mappings=(PathMapping("*/000_*.txt", "gn-archive", "GN Archive"),)
    )
    article = extract_file(SEEDS / "000_3a518643be283ca3.txt", options, kind="text")
    assert (article["source_id"], article["source_id_source"]) == ("gn-archive", "config")


def test_html_fields_and_their_sources() -> None:
    article = extract_file(FIXTURES / "jsonld_article.html")
    assert isinstance(article, dict)
    assert article["title"] == "Harbour expansion approved after decade of delays"
    assert article["title_source"] == "jsonld"
    assert article["authors"] == ["Maria Okafor", "Tomás Reyes"]
    assert article["published_at"].isoformat() == "2024-03-05T07:30:00+00:00"
    assert article["published_at_source"] == "jsonld"
    assert (
        article["canonical_url"]
        == "https://harbour-times.example/news/2024/03/05/harbour-expansion"
    )
    assert article["canonical_url_source"] == "link"
    assert (article["source_id"], article["source_id_source"]) == (
        "harbour-times.example",
        "canonical",
    )
    assert article["language"] == "en"
    body = article["body_text"]
    assert body.startswith("PORT ELLIS — The city council on Tuesday approved")
    for furniture in (
        "We use cookies",
        "Subscribe to our newsletter",
        "Related articles",
        "Great news",
        "©",
    ):
        assert furniture not in body


def test_page_without_article_is_rejected() -> None:
    result = extract_file(FIXTURES / "section_index.html")
    assert isinstance(result, Reject)
    assert (result.stage, result.reason) == ("extract", "no_article_text")


def test_text_dump_menu_is_not_a_byline_nor_a_publisher() -> None:
    # A full-page dump: a greeting menu above the headline, a generic copyright line below.
    path = Path(__file__).parent / "fixtures" / "menu_dump.txt"
    article = extract_file(path, ExtractOptions(min_article_words=20), kind="text")
    assert isinstance(article, dict)
    assert (article["title"], article["title_source"]) == (
        "Harbour ferry fares to rise in spring",
        "text",
    )
    assert (article["authors"], article["authors_source"]) == (["Maria Okafor"], "text")
    # A day without a time: the publisher's day, and no invented instant.
    assert (article["published_date"].isoformat(), article["published_at"]) == ("2024-03-04", None)
    assert (article["published_at_source"], article["published_at_confidence"]) == (
        "text",
        "medium",
    )
    assert (article["source_id"], article["source_id_source"]) == ("unknown", "unknown")


def test_text_dump_byline_separates_people_from_the_agency(tmp_path: Path) -> None:
    paragraph = (
        "The harbour board voted on Tuesday to extend the night ferry service to the outer islands "
        "for another year, after residents packed the council chamber to argue for it."
    )
    dump = "\n".join(
        [
            "Night ferry to the outer islands kept for another year",
            "By MEG KINNARD and ERRIN HAINES, Associated Press",
            *(f"{paragraph} Speaker {n} said the vote was close." for n in range(6)),
        ]
    )
    path = tmp_path / "ferry.txt"
    path.write_text(dump, encoding="utf-8")
    article = extract_file(path, ExtractOptions(min_article_words=20), kind="text")
    assert isinstance(article, dict)
    assert article["authors"] == ["Meg Kinnard", "Errin Haines"]
    assert article["author_organizations"] == ["Associated Press"]
    assert article["wire_agency"] == "AP"
