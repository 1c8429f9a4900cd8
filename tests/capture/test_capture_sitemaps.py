"""Sitemaps: indexes, gzip, Google News, text, robots.txt discovery, windows and bombs."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from transforms.capture.feeds import Discovered
from transforms.capture.safexml import UnsafeDocument, gunzip_capped
from transforms.capture.sitemaps import parse_sitemap
from transforms.capture.web import capture_sitemaps
from transforms.schemas import Capture, Reject

XML = "application/xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def urlset(*entries: tuple[str, str | None]) -> bytes:
    """Return a sitemap of (loc, lastmod) entries."""
    rows = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>"
        for loc, mod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{rows}</urlset>'.encode()


def index(*entries: tuple[str, str | None]) -> bytes:
    """Return a sitemap index of (loc, lastmod) entries."""
    rows = "".join(
        f"<sitemap><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</sitemap>"
        for loc, mod in entries
    )
    return f'<?xml version="1.0"?><sitemapindex {NS}>{rows}</sitemapindex>'.encode()


def news(loc: str, title: str, published: str) -> bytes:
    """Return a Google News sitemap with one article."""
    return (
        f'<?xml version="1.0"?><urlset {NS} {NEWS_NS}><url><loc>{loc}</loc><news:news>'
        f"<news:publication><news:name>The Daily</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{published}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url></urlset>"
    ).encode()


def test_news_sitemap_fields_become_provenance():
    listing = parse_sitemap(
        news("https://d.test/n/1", "Big story", "2024-10-05T09:00:00+02:00"), "https://d.test/sm"
    )
    (item,) = listing.urls
    assert isinstance(item, Discovered)
    assert item.origin_meta == {
        "news_publication_date": "2024-10-05T07:00:00Z",
        # the publisher's own offset is kept: extraction takes its local day from it
        "published_as_written": "2024-10-05T09:00:00+02:00",
        "news_title": "Big story",
        "news_publication_name": "The Daily",
        "news_language": "en",
    }
    assert item.changed_at == datetime(2024, 10, 5, 7, tzinfo=UTC)


def test_lastmod_window_filters_entries_and_child_sitemaps():
    since, until = datetime(2024, 10, 1, tzinfo=UTC), datetime(2024, 10, 31, tzinfo=UTC)
    body = urlset(("https://d.test/old", "2024-09-01"), ("https://d.test/in", "2024-10-02"))
    body_late = urlset(
        ("https://d.test/late", "2024-11-02T00:00:00Z"), ("https://d.test/undated", None)
    )
    assert [u.url for u in parse_sitemap(body, "https://d.test/s", since=since).urls] == [
        "https://d.test/in"
    ]
    late = parse_sitemap(body_late, "https://d.test/s", since=since, until=until)
    assert [u.url for u in late.urls] == ["https://d.test/undated"]
    children = parse_sitemap(
        index(("https://d.test/2024-09.xml", "2024-09-30"), ("https://d.test/2024-10.xml", None)),
        "https://d.test/index.xml",
        since=since,
    ).children
    assert [c.url for c in children] == ["https://d.test/2024-10.xml"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (gzip.compress(b"\0" * 3_000_000), "decompression_bomb"),
        (
            b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc>'
            b"</url></urlset>",
            "xml_entities_forbidden",
        ),
        (b"<?xml version='1.0'?><html><body/></html>", "sitemap_unparseable"),
        (b"just some words\nand more", "sitemap_unparseable"),
    ],
    ids=["gzip-bomb", "entities", "html", "prose"],
)
def test_bad_sitemaps_are_rejected(body, reason):
    result = parse_sitemap(body, "https://d.test/s.xml", max_decompressed=1_000_000)
    assert isinstance(result, Reject) and result.reason == reason


def test_index_with_gzip_news_and_text_children_is_captured(make_site, fast, reply):
    site = make_site()
    site.route(
        "/sitemap_index.xml",
        reply(
            body=index(
                (site.url("/plain.xml"), "2024-10-03"),
                (site.url("/gz.xml.gz"), None),
                (site.url("/news.xml"), None),
                (site.url("/list.txt"), None),
            ),
            content_type=XML,
        ),
    )
    site.route("/plain.xml", reply(body=urlset((site.url("/p1"), "2024-10-03")), content_type=XML))
    gz = gzip.compress(urlset((site.url("/g1"), None)))
    site.route("/gz.xml.gz", reply(body=gz, content_type="application/x-gzip"))
    news_body = news(site.url("/n1"), "News one", "2024-10-05")
    site.route("/news.xml", reply(body=news_body, content_type=XML))
    site.route("/list.txt", reply(body=f"{site.url('/t1')}\n".encode(), content_type="text/plain"))
    for path in ("/p1", "/g1", "/n1", "/t1"):
        site.page(path, path)
    items = list(capture_sitemaps([site.url("/sitemap_index.xml")], fast))
    captures = {c.locator: c for c in items if isinstance(c, Capture)}
    assert [r for r in items if isinstance(r, Reject)] == []
    assert set(captures) == {site.url(p) for p in ("/p1", "/g1", "/n1", "/t1")}
    assert captures[site.url("/g1")].origin_url == site.url("/gz.xml.gz")
    assert captures[site.url("/n1")].source_kind == "sitemap"
    assert captures[site.url("/n1")].origin_meta["news_title"] == "News one"
    assert captures[site.url("/p1")].origin_meta == {"lastmod": "2024-10-03T00:00:00Z"}


def test_sitemaps_are_discovered_from_robots(make_site, fast, reply):
    site = make_site(robots=None)
    robots = f"User-agent: *\nDisallow: /hidden\nSitemap: {site.url('/sm.xml')}\n"
    site.route("/robots.txt", reply(body=robots.encode(), content_type="text/plain"))
    site.route("/sm.xml", reply(body=urlset((site.url("/a"), None), (site.url("/hidden/b"), None))))
    site.page("/a", "a")
    site.page("/hidden/b", "b")
    items = list(capture_sitemaps([site.url("/robots.txt")], fast))
    assert {(type(i).__name__, i.locator) for i in items} == {
        ("Capture", site.url("/a")),
        ("Reject", site.url("/hidden/b")),
    }
    assert "/hidden/b" not in site.paths()


def test_gzip_bomb_sitemap_is_rejected_and_others_go_on(make_site, fast, reply):
    site = make_site()
    site.route("/bomb.xml.gz", reply(body=gzip.compress(b" " * 5_000_000), content_type=None))
    site.route("/ok.xml", reply(body=urlset((site.url("/a"), None)), content_type=XML))
    site.page("/a", "a")
    settings = fast.model_copy(update={"max_decompressed_bytes": 1_000_000})
    items = list(capture_sitemaps([site.url("/bomb.xml.gz"), site.url("/ok.xml")], settings))
    assert {(type(i).__name__, i.locator, getattr(i, "reason", None)) for i in items} == {
        ("Reject", site.url("/bomb.xml.gz"), "decompression_bomb"),
        ("Capture", site.url("/a"), None),
    }


def test_old_child_sitemaps_are_never_fetched(make_site, fast, reply):
    site = make_site()
    site.route(
        "/index.xml",
        reply(
            body=index((site.url("/2019.xml"), "2019-12-31"), (site.url("/now.xml"), "2024-10-10"))
        ),
    )
    site.route("/now.xml", reply(body=urlset((site.url("/a"), "2024-10-10"))))
    site.page("/a", "a")
    items = list(
        capture_sitemaps([site.url("/index.xml")], fast, since=datetime(2024, 1, 1, tzinfo=UTC))
    )
    assert [i.locator for i in items] == [site.url("/a")]
    assert "/2019.xml" not in site.paths()


def test_index_depth_is_limited(make_site, fast, reply):
    site = make_site()
    site.route("/i0.xml", reply(body=index((site.url("/i1.xml"), None))))
    site.route("/i1.xml", reply(body=index((site.url("/i2.xml"), None))))
    site.route("/i2.xml", reply(body=urlset((site.url("/a"), None))))
    settings = fast.model_copy(update={"max_sitemap_depth": 1})
    items = list(capture_sitemaps([site.url("/i0.xml")], settings))
    assert [(i.locator, i.reason) for i in items] == [(site.url("/i2.xml"), "sitemap_too_deep")]
    assert "/i2.xml" not in site.paths()


def test_known_sitemap_urls_are_not_refetched(make_site, fast, reply, tmp_path):
    site = make_site()
    site.route(
        "/sm.xml",
        [
            reply(body=urlset((site.url("/a"), "2024-10-01"))),
            reply(body=urlset((site.url("/a"), "2024-10-01"), (site.url("/b"), "2024-10-02"))),
            reply(body=urlset((site.url("/a"), "2999-01-01"), (site.url("/b"), "2024-10-02"))),
        ],
    )
    site.route("/a", [reply(body=b"<p>a1</p>"), reply(body=b"<p>a2</p>")])
    site.page("/b", "b")
    runs = [
        [i.locator for i in capture_sitemaps([site.url("/sm.xml")], fast, tmp_path)]
        for _ in range(3)
    ]
    assert runs == [[site.url("/a")], [site.url("/b")], [site.url("/a")]]


def test_gzip_sitemaps_read_every_member_and_refuse_a_cut_one():
    first = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    second = b"<url><loc>https://news.test/a</loc></url></urlset>"
    joined = gzip.compress(first) + gzip.compress(second)
    assert gunzip_capped(joined, 10_000) == first + second
    with pytest.raises(UnsafeDocument) as cut:
        gunzip_capped(gzip.compress(first + second * 50)[:-12], 10_000)
    assert cut.value.reason == "gzip_malformed"
    with pytest.raises(UnsafeDocument) as bomb:
        gunzip_capped(gzip.compress(first) + gzip.compress(b" " * 20_000), 10_000)
    assert bomb.value.reason == "decompression_bomb"
