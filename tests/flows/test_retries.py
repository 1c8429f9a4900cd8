"""Retried and fixed inputs on real runs: a timed-out page is tried again; fixed rejects leave."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from flows.ingest import ingest_articles
from tests.conftest import SAMPLE
from transforms.settings import Settings

NOTICE = "<html><head><title>Notice</title></head><body><p>Closed today.</p></body></html>"
ARTICLE = """<html><head><title>Harbour ferry returns</title></head><body><article>
<h1>Harbour ferry returns after a winter of repairs</h1>
<p>The harbour ferry between Elmstead and Corran Point returned to service on Monday after a
winter of repairs to its engines and its landing ramps, the operator said.</p>
<p>Commuters who had driven the long way round the estuary since November said the crossing
saved them almost an hour each day, and the first boat left full.</p>
<p>The council, which owns the landing stages, expects to publish a new timetable next month
with later sailings on Fridays and Saturdays through the summer season.</p>
</article></body></html>"""


def write_slow_page(path: Path) -> Path:
    """Write a real page trafilatura needs seconds for (the 15 s page of test_scale, cut down)."""
    words = "the council voted on the budget proposal after a long debate about schools"
    inline = "".join(f"<b>{word}</b> <i>x</i> " for word in words.split() * 250)
    path.write_text(
        "<html><head><title>Council budget</title></head><body><article>"
        f"<h1>Council budget</h1><p>{inline}</p></article></body></html>"
    )
    return path


def rejects(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.database_path), read_only=True) as con:
        return con.execute(
            "select stage, reason, regexp_extract(locator, '[^/]+$'), count_occurrences "
            "from rejects order by all"
        ).fetchall()


def test_a_timed_out_page_is_retried_and_fixed_inputs_leave_rejects(
    prefect_api: str, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_slow_page(inputs / "budget.html")
    (inputs / "notice.html").write_text(NOTICE)
    # One second: the notice extracts in milliseconds, the budget page takes seconds.
    hurried = Settings(warehouse_dir=tmp_path / "warehouse", workers=1, document_timeout_seconds=1)

    first = ingest_articles(inputs=[str(inputs)], settings=hurried)
    assert first.count_extracted == 0
    first_rejects = rejects(hurried)
    assert first_rejects == [
        ("extract", "no_article_text", "notice.html", 1),
        ("extract", "timeout", "budget.html", 1),
    ]

    # The next run retries the timed-out page (now with time enough) and reads the notice,
    # rewritten as a real article: neither reject is current any more, at the extract stage.
    (inputs / "notice.html").write_text(ARTICLE)
    # NER reads at most 5,000 characters of a body: the budget page's 20,000 are flagged.
    patient = hurried.model_copy(update={"document_timeout_seconds": 120.0, "ner_max_chars": 5000})
    second = ingest_articles(inputs=[str(inputs)], settings=patient)
    assert second.count_extracted == 2
    assert rejects(patient) == [("enrich", "ner_truncated", "budget.html", 1)]


def test_a_new_ner_bound_reads_the_stored_articles_again(prefect_api: str, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    page = SAMPLE / "pages" / "harbourtimes" / "port-dredging-plan-approved.html"
    shutil.copy(page, inputs / "dredging.html")
    whole = Settings(warehouse_dir=tmp_path / "warehouse", workers=1)
    ingest_articles(inputs=[str(inputs)], settings=whole)
    assert rejects(whole) == []

    # Same inputs, a tighter bound: the stored article's mentions were read under the old one,
    # so NER reads it again (and says it was cut) instead of keeping mentions of the whole body.
    bounded = whole.model_copy(update={"ner_max_chars": 1000})
    ingest_articles(inputs=[str(inputs)], settings=bounded)
    assert rejects(bounded) == [("enrich", "ner_truncated", "dredging.html", 1)]
