"""Write the report: run its queries on the published warehouse, chart them, one HTML file."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import markupsafe

from transforms.report import charts
from transforms.report.geo import world_countries

logger = logging.getLogger(__name__)

QUERIES = resources.files("transforms.report") / "queries"
TEMPLATE = resources.files("transforms.report") / "report.html.j2"


def run_query(connection: duckdb.DuckDBPyConnection, name: str, **params: Any) -> charts.Rows:
    """Return the rows of one of the report's SQL files as dicts."""
    cursor = connection.execute((QUERIES / f"{name}.sql").read_text(), params or None)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Return the columns a published mart has."""
    return {row[0] for row in connection.execute(f"describe {table}").fetchall()}


def _spec(chart: Any) -> str:
    """Return a chart's Vega-Lite specification as JSON safe inside a <script> element."""
    return json.dumps(chart.to_dict(), default=str).replace("</", "<\\/")


def collect_report(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Return everything the report shows: figures, tables and chart specifications."""
    overview = run_query(connection, "overview")[0]
    first, last = overview["first_published_date"], overview["last_published_date"]
    span = (date.fromisoformat(last) - date.fromisoformat(first)).days if first else 0
    period = charts.period_for_span(span)
    chart_specs: dict[str, str] = {}

    per_day = run_query(connection, "articles_per_day")
    if per_day:
        chart_specs["articles_over_time"] = _spec(charts.articles_over_time(per_day, period))

    top = run_query(connection, "top_entities")
    trends = run_query(
        connection, "entity_trends", entity_ids=[row["entity_id"] for row in top], period=period
    )
    for entity_type in charts.ENTITY_TYPES:
        type_top = [row for row in top if row["entity_type"] == entity_type]
        if type_top:
            type_trends = [row for row in trends if row["entity_type"] == entity_type]
            chart_specs[f"entities_{entity_type}"] = _spec(
                charts.top_entities(type_top, type_trends, entity_type, period)
            )

    places = run_query(connection, "places")
    if places:
        by_country = run_query(connection, "countries")
        chart_specs["places_map"] = _spec(charts.places_map(world_countries(), by_country, places))

    rejects = run_query(connection, "rejects_by_reason")
    if rejects:
        chart_specs["rejects"] = _spec(charts.rejects_by_reason(rejects))

    if overview["count_articles"]:
        chart_specs["field_coverage"] = _spec(
            charts.field_coverage(run_query(connection, "field_coverage"))
        )
        chart_specs["field_sources"] = _spec(
            charts.field_breakdown(
                run_query(connection, "field_sources"),
                "value_source",
                "Where each value came from",
            )
        )
        # Confidence columns come with newer marts: shown when the warehouse has them.
        if any(column.endswith("_confidence") for column in _columns(connection, "fct_articles")):
            chart_specs["field_confidence"] = _spec(
                charts.field_breakdown(
                    run_query(connection, "field_confidence"), "confidence", "Confidence by field"
                )
            )
    return {
        "overview": overview,
        "period": period,
        "charts": chart_specs,
        "stories": run_query(connection, "stories"),
        "syndication": run_query(connection, "syndication"),
        "rejects": rejects,
    }


def render_report(content: dict[str, Any], generated_at: datetime, published_at: datetime) -> str:
    """Return the report's HTML: the Vega libraries inlined, so it opens with no network."""
    import vl_convert

    environment = jinja2.Environment(autoescape=True)
    template = environment.from_string(TEMPLATE.read_text())
    return template.render(
        **content,
        generated_at=f"{generated_at:%Y-%m-%d %H:%M} UTC",
        published_at=f"{published_at:%Y-%m-%d %H:%M} UTC",
        # vega, vega-lite and vega-embed as one script (assigns window.vegaEmbed).
        vega_bundle=markupsafe.Markup(vl_convert.javascript_bundle()),
    )


def write_report(connection: duckdb.DuckDBPyConnection, out: Path) -> Path:
    """Write the HTML report of the warehouse behind `connection` to `out`; return its path."""
    database = connection.execute("select path from duckdb_databases() where not internal")
    paths = [row[0] for row in database.fetchall() if row[0]]
    published_at = (
        datetime.fromtimestamp(os.path.getmtime(paths[0]), UTC) if paths else datetime.now(UTC)
    )
    html = render_report(collect_report(connection), datetime.now(UTC), published_at)
    out = out.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.tmp")
    temp.write_text(html, encoding="utf-8")
    os.replace(temp, out)
    logger.info("report written to %s (%d bytes)", out, len(html))
    return out
