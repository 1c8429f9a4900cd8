"""`newsloom report`: one HTML file whose charts render in a real browser with no network."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from tests.conftest import SampleRun
from transforms.report.charts import period_for_span
from transforms.report.page import collect_report

CHROMIUM = Path("/usr/bin/chromium")
# Chromium flags for a root user in a container, with nothing of its own reaching the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
CHARTS = [
    "articles_over_time",
    "entities_person",
    "entities_organization",
    "entities_location",
    "places_map",
    "rejects",
    "field_coverage",
    "field_sources",
    # The marts have published_at_confidence (and modified_at_confidence).
    "field_confidence",
]


def artifacts_dir(tmp_path: Path) -> Path:
    """Return where screenshots go: NEWSLOOM_TEST_ARTIFACTS (CI keeps it), else tmp_path."""
    folder = Path(os.environ.get("NEWSLOOM_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_report_renders_in_chromium_with_no_network(
    sample_run: SampleRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", str(sample_run.warehouse), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    html = out.read_text()
    for chart in CHARTS:
        assert f'id="chart-{chart}"' in html, chart

    requests, problems = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})

        def refuse_network(route: object) -> None:
            # The file itself is the only thing the report may load.
            url = route.request.url
            if url == out.as_uri():
                route.continue_()
            else:
                requests.append(url)
                route.abort()

        page.route("**/*", refuse_network)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(out.as_uri())
        page.wait_for_function(
            f"document.querySelectorAll('[data-rendered=true]').length === {len(CHARTS)}",
            timeout=60_000,
        )
        marks = {
            chart: page.locator(f"#chart-{chart} svg .role-mark > *").count() for chart in CHARTS
        }
        countries = page.locator("#chart-places_map svg path").count()
        page.screenshot(path=str(artifacts_dir(tmp_path) / "report.png"), full_page=True)
        browser.close()
    assert requests == []
    assert problems == []
    assert all(count > 0 for count in marks.values()), marks
    assert countries > 150  # the world's countries are drawn, from data in the file


def test_report_of_a_warehouse_without_dates(seeds_warehouse: Path) -> None:
    with duckdb.connect(str(seeds_warehouse / "newsloom.duckdb"), read_only=True) as con:
        con.execute("set file_search_path = ?", [str(seeds_warehouse)])
        content = collect_report(con)
    # The seeds have no publication dates: no time chart, the rest is there.
    assert "articles_over_time" not in content["charts"]
    assert {"entities_location", "places_map", "field_coverage"} <= set(content["charts"])
    assert content["overview"]["count_articles"] == 2


def test_report_of_older_marts_without_confidence_columns(
    seeds_warehouse: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "newsloom.duckdb"
    shutil.copy(seeds_warehouse / "newsloom.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("set file_search_path = ?", [str(seeds_warehouse)])
        assert "field_confidence" in collect_report(con)["charts"]
        con.execute(
            "create or replace table fct_articles as select * exclude "
            "(published_at_confidence, modified_at_confidence) from fct_articles"
        )
        content = collect_report(con)
    assert "field_confidence" not in content["charts"]
    assert "field_coverage" in content["charts"]


@pytest.mark.parametrize(
    ("days", "period"), [(0, "day"), (92, "day"), (93, "week"), (1098, "week"), (1099, "month")]
)
def test_period_for_span(days: int, period: str) -> None:
    assert period_for_span(days) == period
