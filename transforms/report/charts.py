"""The report's charts: Vega-Lite specifications built with Altair from query rows."""

from __future__ import annotations

from typing import Any

import altair as alt

Rows = list[dict[str, Any]]

# Dates in the marts are UTC: read and shown as UTC whatever the viewer's time zone.
TIME_UNITS = {"day": "utcyearmonthdate", "week": "utcyearweek", "month": "utcyearmonth"}
ENTITY_TYPES = {"person": "People", "organization": "Organisations", "location": "Places"}
# Counts of articles are whole numbers: no 0.5 ticks on a small warehouse's axes.
WHOLE = alt.Axis(tickMinStep=1, format="d")


def period_for_span(days: int) -> str:
    """Return the period a time chart counts by: day up to a quarter, week up to 3 years."""
    if days <= 92:
        return "day"
    if days <= 3 * 366:
        return "week"
    return "month"


def articles_over_time(rows: Rows, period: str) -> alt.Chart:
    """Return stacked bars of articles per period, one colour per source."""
    return (
        alt.Chart(alt.Data(values=rows), title=f"Articles per {period}, by source")
        .mark_bar()
        .encode(
            x=alt.X(
                "published_day:T",
                timeUnit=TIME_UNITS[period],
                title=f"{period} published (UTC)",
                scale=alt.Scale(type="utc"),
            ),
            y=alt.Y("sum(count_articles):Q", title="articles", axis=WHOLE),
            color=alt.Color("source_id:N", title="source", scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("published_day:T", timeUnit=TIME_UNITS[period], title=period),
                alt.Tooltip("source_id:N", title="source"),
                alt.Tooltip("sum(count_articles):Q", title="articles"),
            ],
        )
        .properties(width="container", height=260)
    )


def top_entities(top: Rows, trends: Rows, entity_type: str, period: str) -> alt.HConcatChart:
    """Return the type's top entities by articles, beside their articles per period."""
    names = [row["entity_name"] for row in top]
    # One colour per entity in both charts, in rank order.
    colour = alt.Color(
        "entity_name:N", legend=None, scale=alt.Scale(domain=names, scheme="tableau10")
    )
    bars = (
        alt.Chart(alt.Data(values=top))
        .mark_bar()
        .encode(
            y=alt.Y("entity_name:N", sort=names, title=None),
            x=alt.X("count_articles:Q", title="articles naming it", axis=WHOLE),
            color=colour,
            tooltip=[
                alt.Tooltip("entity_name:N", title="name"),
                alt.Tooltip("count_articles:Q", title="articles"),
            ],
        )
        .properties(width=260, height=22 * max(len(names), 3))
    )
    lines = (
        alt.Chart(alt.Data(values=trends))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "period_start:T",
                timeUnit=TIME_UNITS[period],
                title=f"{period} published (UTC)",
                scale=alt.Scale(type="utc"),
            ),
            y=alt.Y("count_articles:Q", title=f"articles per {period}", axis=WHOLE),
            color=colour,
            tooltip=[
                alt.Tooltip("entity_name:N", title="name"),
                alt.Tooltip("period_start:T", timeUnit=TIME_UNITS[period], title=period),
                alt.Tooltip("count_articles:Q", title="articles"),
            ],
        )
        .properties(width=460, height=22 * max(len(names), 3))
    )
    # Both charts give the scale the same domain: resolved apart, they need not merge sorts.
    return alt.hconcat(bars, lines, title=ENTITY_TYPES.get(entity_type, entity_type)).resolve_scale(
        color="independent"
    )


def places_map(
    countries: tuple[dict[str, Any], ...], by_country: Rows, places: Rows
) -> alt.LayerChart:
    """Return a world map: countries shaded by articles naming a place there, places as dots."""
    land = (
        alt.Chart(alt.Data(values=list(countries)))
        .mark_geoshape(stroke="white", strokeWidth=0.5)
        .transform_lookup(
            lookup="properties.iso2",
            from_=alt.LookupData(
                alt.Data(values=by_country), key="country_code", fields=["count_articles"]
            ),
        )
        # Countries no article names stay on the map, in the lightest shade.
        .transform_calculate(articles="datum.count_articles || 0")
        .encode(
            color=alt.Color(
                "articles:Q",
                title="articles naming a place in the country",
                scale=alt.Scale(scheme="blues"),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title="country"),
                alt.Tooltip("articles:Q", title="articles"),
            ],
        )
    )
    dots = (
        alt.Chart(alt.Data(values=places))
        .mark_circle(color="#d62728", opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size("count_articles:Q", title="articles naming the place"),
            tooltip=[
                alt.Tooltip("entity_name:N", title="place"),
                alt.Tooltip("country_code:N", title="country"),
                alt.Tooltip("count_articles:Q", title="articles"),
            ],
        )
    )
    return (
        alt.layer(land, dots, title="Places named in the articles")
        .project(type="equalEarth")
        .properties(width=760, height=400)
        .resolve_scale(color="independent")
    )


def rejects_by_reason(rows: Rows) -> alt.Chart:
    """Return bars of rejected inputs by reason, coloured by the stage that rejected them."""
    return (
        alt.Chart(alt.Data(values=rows), title="Rejected inputs by reason")
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", sort="-x", title=None),
            x=alt.X("count_rejects:Q", title="inputs", axis=WHOLE),
            color=alt.Color("stage:N", scale=alt.Scale(scheme="set2")),
            tooltip=["stage:N", "reason:N", alt.Tooltip("count_rejects:Q", title="inputs")],
        )
        .properties(width="container", height=24 * max(len(rows), 3))
    )


def field_coverage(rows: Rows) -> alt.LayerChart:
    """Return bars of the share of articles that have each metadata field."""
    share = alt.X(
        "share_present:Q",
        title="share of articles",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    # An explicit order: the bars' and labels' "-x" sorts would not merge in the layer.
    order = [row["field"] for row in sorted(rows, key=lambda row: -(row["share_present"] or 0))]
    base = alt.Chart(alt.Data(values=rows), title="Articles with each field").encode(
        y=alt.Y("field:N", sort=order, title=None),
        x=share,
        tooltip=[
            "field:N",
            alt.Tooltip("share_present:Q", format=".1%", title="share"),
            alt.Tooltip("count_present:Q", title="articles with it"),
            alt.Tooltip("count_articles:Q", title="articles"),
        ],
    )
    bars = base.mark_bar(color="#4c78a8")
    labels = base.mark_text(align="left", dx=4).encode(
        text=alt.Text("share_present:Q", format=".0%")
    )
    return alt.layer(bars, labels).properties(width="container", height=28 * max(len(rows), 3))


def field_breakdown(rows: Rows, category: str, title: str) -> alt.Chart:
    """Return 100% bars per field split by `category` (where values came from, or confidence)."""
    return (
        alt.Chart(alt.Data(values=rows), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("field:N", title=None),
            x=alt.X(
                "sum(count_articles):Q",
                stack="normalize",
                title="share of articles",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(f"{category}:N", scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                "field:N",
                f"{category}:N",
                alt.Tooltip("sum(count_articles):Q", title="articles"),
            ],
        )
        .properties(width="container", height=34 * max(len({r["field"] for r in rows}), 2))
    )
