"""Web capture through the whole flow: feeds and sitemaps from local publishers, exactly once."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.ingest import ingest_articles
from transforms.capture.settings import FetchSettings
from transforms.settings import Settings

TOPICS = ("harbour", "budget", "marathon", "vaccine", "glacier")


def article_html(title: str, topic: str, published: str | None) -> bytes:
    """Return a realistic article page with distinct text per topic."""
    paragraphs = "".join(
        f"<p>Paragraph {n} about the {topic}: officials in the city said the {topic} plan "
        f"would be reviewed again next month, after residents raised concerns at a long "
        f"public meeting on the {topic} and its costs.</p>"
        for n in range(1, 6)
    )
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (
        f"<html><head><title>{title}</title>{date}</head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>© 2024 Test Publisher</footer>"
        "</body></html>"
    ).encode()


def test_feeds_and_sitemaps_captured_once_then_conditional(
    prefect_api: str, make_site, reply, tmp_path: Path
) -> None:
    feeds = make_site("feeds")
    news = make_site("news", robots="User-agent: *\nDisallow: /private/\n")
    items = ""
    for topic in TOPICS[:3]:
        feeds.route(
            f"/story/{topic}",
            reply(body=article_html(f"The {topic} story", topic, None), etag=f'"{topic}"'),
        )
        items += (
            f"<item><title>The {topic} story</title><link>{feeds.url(f'/story/{topic}')}</link>"
            "<pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate></item>"
        )
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    )
    feeds.route(
        "/rss.xml", reply(body=rss.encode(), content_type="application/rss+xml", etag='"rss-1"')
    )
    entries = ""
    for topic in TOPICS[3:]:
        news.route(
            f"/news/{topic}",
            reply(body=article_html(f"News on {topic}", topic, "2024-04-01T10:00:00+02:00")),
        )
        entries += f"<url><loc>{news.url(f'/news/{topic}')}</loc></url>"
    entries += f"<url><loc>{news.url('/private/secret')}</loc></url>"
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    news.route("/sitemap.xml", reply(body=sitemap.encode(), content_type="application/xml"))

    settings = Settings(
        warehouse_dir=tmp_path / "warehouse",
        workers=1,
        fetch=FetchSettings(allow_private_hosts=True, host_delay=0.0, backoff_base=0.01),
    )
    inputs = [feeds.url("/rss.xml"), news.url("/sitemap.xml")]
    first = ingest_articles(inputs=inputs, settings=settings)
    assert first.count_captured == 5

    with duckdb.connect(str(settings.warehouse_dir / "newsloom.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select url, source_kind, published_at_source, title from fct_articles order by url"
        ).fetchall()
    assert len(rows) == 5
    assert len({row[0] for row in rows}) == 5
    by_kind = {row[0].rsplit("/", 1)[1]: (row[1], row[2]) for row in rows}
    assert by_kind["harbour"] == ("feed", "feed")
    assert by_kind["vaccine"] == ("sitemap", "meta")
    assert "/private/secret" not in news.paths()

    second = ingest_articles(inputs=inputs, settings=settings)
    assert second.count_captured == 0
    feed_hits = [hit for hit in feeds.hits if hit.path == "/rss.xml"]
    assert feed_hits[-1].headers.get("if-none-match") == '"rss-1"'
    assert feed_hits[-1].status == 304
