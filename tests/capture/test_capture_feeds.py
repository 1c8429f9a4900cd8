"""Feeds: RSS, Atom and JSON Feed parsing, safe XML, provenance, incremental polling."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import pytest

from transforms.capture.feeds import Discovered, parse_feed
from transforms.capture.state import CaptureState
from transforms.capture.web import capture_feeds
from transforms.schemas import Capture, Reject

RSS = "application/rss+xml"


def rss(*items: tuple[str, str], title: str = "Daily") -> bytes:
    """Return an RSS 2.0 feed of (title, link) items with fixed dates."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Tue, 0{n + 1} Oct 2024 08:30:00 +0200</pubDate>"
        f"<author>desk@example.com (News Desk)</author>"
        f"<description>About {t}</description></item>"
        for n, (t, link) in enumerate(items)
    )
    channel = f"<channel><title>{title}</title>{body}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
<entry><title>First</title><link rel="alternate" href="/2024/first"/><id>urn:1</id>
<published>2024-10-01T06:30:00Z</published><updated>2024-10-02T07:00:00+01:00</updated>
<author><name>Ann Writer</name></author><summary>Sum one</summary></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://example.com/"><title>RDF News</title></channel>
<item rdf:about="http://example.com/rdf/1"><title>R1</title><link>http://example.com/rdf/1</link>
<dc:date>2024-10-03T10:00:00+00:00</dc:date><dc:creator>Ray</dc:creator></item>
</rdf:RDF>"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON News",
        "items": [
            {
                "id": "j1",
                "url": "https://example.com/j/1",
                "title": "J one",
                "date_published": "2024-10-04T12:00:00-04:00",
                "authors": [{"name": "Jay"}],
                "summary": "Sum j",
            },
            {"id": "j2", "title": "no link"},
        ],
    }
).encode()

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><title>x</title><link>/bomb-item</link></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>x</title><link>/xxe-item</link></item></channel></rss>"""

RSS_091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title>
<item><title>Old one</title><link>http://example.com/old/1</link></item></channel></rss>"""


def only(results: list, kind: type) -> list:
    return [r for r in results if isinstance(r, kind)]


def test_rss2_items_carry_provenance():
    results = parse_feed(rss(("A", "/a"), ("B", "https://other.example/b")), "https://x.test/feed")
    items = only(results, Discovered)
    assert [i.url for i in items] == ["https://x.test/a", "https://other.example/b"]
    meta = items[0].origin_meta
    assert meta["title"] == "A" and meta["feed_title"] == "Daily"
    assert meta["published"] == "2024-10-01T06:30:00Z"
    assert meta["summary"] == "About A"
    assert "News Desk" in meta["author"]
    assert items[0].origin_url == "https://x.test/feed"
    assert items[0].changed_at == datetime(2024, 10, 1, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "url", "title", "published", "author"),
    [
        (ATOM, "https://a.test/2024/first", "First", "2024-10-01T06:30:00Z", "Ann Writer"),
        (RDF, "http://example.com/rdf/1", "R1", "2024-10-03T10:00:00Z", "Ray"),
        (JSON_FEED, "https://example.com/j/1", "J one", "2024-10-04T16:00:00Z", "Jay"),
        (RSS_091, "http://example.com/old/1", "Old one", None, None),
    ],
    ids=["atom", "rss1-rdf", "jsonfeed", "rss091-doctype"],
)
def test_feed_formats(body, url, title, published, author):
    items = only(parse_feed(body, "https://a.test/feed.xml"), Discovered)
    assert items[0].url == url
    assert items[0].origin_meta["title"] == title
    assert items[0].origin_meta.get("published") == published
    assert items[0].origin_meta.get("author") == author


@pytest.mark.parametrize(
    ("body", "published", "updated"),
    [
        (ATOM, "2024-10-01T06:30:00Z", "2024-10-02T07:00:00+01:00"),
        (JSON_FEED, "2024-10-04T12:00:00-04:00", None),
    ],
    ids=["atom", "jsonfeed"],
)
def test_feed_dates_are_kept_as_written(body, published, updated):
    # The publisher's offset is what tells its local day: 12:00-04:00 is the 4th there.
    meta = only(parse_feed(body, "https://a.test/feed.xml"), Discovered)[0].origin_meta
    assert (meta["published_as_written"], meta.get("updated_as_written")) == (published, updated)


def test_atom_updated_is_kept_in_utc():
    meta = only(parse_feed(ATOM, "https://a.test/feed"), Discovered)[0].origin_meta
    assert meta["updated"] == "2024-10-02T06:00:00Z"


def test_json_feed_item_without_link_is_rejected():
    rejects = only(parse_feed(JSON_FEED, "https://a.test/feed.json"), Reject)
    assert [(r.reason, r.locator) for r in rejects] == [
        ("feed_item_without_link", "https://a.test/feed.json#item-1")
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BOMB, "xml_entities_forbidden"),
        (XXE, "xml_entities_forbidden"),
        (b"<html><body>not a feed</body>", "feed_unparseable"),
        (b"{not json, jsonfeed.org/version", "feed_unparseable"),
    ],
    ids=["billion-laughs", "external-entity", "html", "broken-json"],
)
def test_unsafe_or_unusable_feeds_are_rejected(body, reason):
    results = parse_feed(body, "https://a.test/feed")
    assert [(type(r), r.reason) for r in results] == [(Reject, reason)]


def test_feeds_are_captured_with_origin(make_site, fast, reply):
    site = make_site()
    site.route("/rss", reply(body=rss(("A", "/a")), content_type=RSS))
    site.route("/atom", reply(body=ATOM, content_type="application/atom+xml"))
    site.page("/a", "A")
    site.page("/2024/first", "First")
    items = list(capture_feeds([site.url("/rss"), site.url("/atom")], fast))
    captures = {c.locator: c for c in only(items, Capture)}
    assert set(captures) == {site.url("/a"), site.url("/2024/first")}
    assert captures[site.url("/a")].source_kind == "feed"
    assert captures[site.url("/a")].origin_url == site.url("/rss")
    assert captures[site.url("/2024/first")].origin_meta["author"] == "Ann Writer"


def test_bomb_and_xxe_feeds_fetch_nothing(make_site, fast, reply):
    site = make_site()
    site.route("/bomb", reply(body=BOMB, content_type=RSS))
    site.route("/xxe", reply(body=XXE, content_type=RSS))
    items = list(capture_feeds([site.url("/bomb"), site.url("/xxe")], fast))
    assert {(r.locator, r.reason) for r in items} == {
        (site.url("/bomb"), "xml_entities_forbidden"),
        (site.url("/xxe"), "xml_entities_forbidden"),
    }
    assert not {"/bomb-item", "/xxe-item"} & set(site.paths())


def _bind_second_loopback() -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.2", 0))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not _bind_second_loopback(), reason="cannot bind 127.0.0.2")
def test_private_address_in_a_feed_is_refused_unless_allowed(make_site, fast, reply):
    publisher, internal = make_site("pub"), make_site("internal", host="127.0.0.2")
    internal.page("/admin", "internal")
    publisher.route("/rss", reply(body=rss(("In", internal.url("/admin"))), content_type=RSS))
    strict = fast.model_validate(
        {**fast.model_dump(), "allow_private_hosts": False, "allowed_networks": ["127.0.0.1/32"]}
    )
    items = list(capture_feeds([publisher.url("/rss")], strict))
    assert [(r.locator, r.reason) for r in items] == [(internal.url("/admin"), "blocked_address")]
    assert internal.hits == []
    items = list(capture_feeds([publisher.url("/rss")], fast))
    assert [c.locator for c in only(items, Capture)] == [internal.url("/admin")]


def test_unchanged_feed_is_answered_by_304(make_site, fast, reply, tmp_path):
    site = make_site()
    site.route("/rss", reply(body=rss(("A", "/a")), content_type=RSS, etag='"f1"'))
    site.page("/a", "A")
    assert len(only(list(capture_feeds([site.url("/rss")], fast, tmp_path)), Capture)) == 1
    assert list(capture_feeds([site.url("/rss")], fast, tmp_path)) == []
    last = [hit for hit in site.hits if hit.path == "/rss"][-1]
    assert last.headers["if-none-match"] == '"f1"' and last.status == 304
    assert site.paths().count("/a") == 1


def test_only_new_items_are_fetched_when_a_feed_changes(make_site, fast, reply, tmp_path):
    site = make_site()
    first = rss(("A", "/a"))
    second = rss(("A", "/a"), ("B", "/b"))
    site.route("/rss", [reply(body=first, content_type=RSS), reply(body=second, content_type=RSS)])
    site.page("/a", "A")
    site.page("/b", "B")
    list(capture_feeds([site.url("/rss")], fast, tmp_path))
    items = list(capture_feeds([site.url("/rss")], fast, tmp_path))
    assert [c.locator for c in items] == [site.url("/b")]
    assert site.paths().count("/a") == 1


def test_transient_item_failure_keeps_the_feed_unremembered(make_site, fast, reply, tmp_path):
    site = make_site()
    site.route("/rss", reply(body=rss(("A", "/a")), content_type=RSS, etag='"f1"'))
    site.route("/a", [reply(status=503)] * 3 + [reply(body=b"<html>A</html>")])
    first = list(capture_feeds([site.url("/rss")], fast, tmp_path))
    assert [r.reason for r in first] == ["http_status_503"]
    second = list(capture_feeds([site.url("/rss")], fast, tmp_path))
    assert [c.locator for c in only(second, Capture)] == [site.url("/a")]
    assert [hit.status for hit in site.hits if hit.path == "/rss"] == [200, 200]


def test_failing_feed_backs_off(make_site, fast, reply, tmp_path):
    site = make_site()
    site.route("/rss", reply(status=500))
    first = list(capture_feeds([site.url("/rss")], fast, tmp_path))
    assert [r.reason for r in first] == ["http_status_500"]
    with CaptureState(tmp_path) as state:
        health = state.origin_state(site.url("/rss"))
    assert health.failure_count == 1 and health.next_poll_at > datetime.now(UTC)
    requests = len(site.hits)
    assert list(capture_feeds([site.url("/rss")], fast, tmp_path)) == []
    assert len(site.hits) == requests
    forced = list(capture_feeds([site.url("/rss")], fast, tmp_path, force=True))
    assert [r.reason for r in forced] == ["http_status_500"]
    with CaptureState(tmp_path) as state:
        assert state.origin_state(site.url("/rss")).failure_count == 2


def test_since_and_url_filter_limit_items(make_site, fast, reply):
    site = make_site()
    feed = rss(("A", "/keep/a"), ("B", "/skip/b"), ("C", "/keep/c"))
    site.route("/rss", reply(body=feed, content_type=RSS))
    for path in ("/keep/a", "/skip/b", "/keep/c"):
        site.page(path, path)
    items = list(
        capture_feeds(
            [site.url("/rss")],
            fast,
            since=datetime(2024, 10, 2, tzinfo=UTC),
            url_filter=lambda url: "/keep/" in url,
        )
    )
    assert [c.locator for c in items] == [site.url("/keep/c")]


def test_items_over_the_per_feed_limit_are_fetched_on_later_runs(
    make_site, fast, reply, tmp_path, caplog
):
    site = make_site()
    links = [(f"S{n}", f"/s{n}") for n in range(5)]
    site.route("/rss", reply(body=rss(*links), content_type=RSS, etag='"f1"'))
    for _, path in links:
        site.page(path, path)
    capped = fast.model_copy(update={"max_items_per_feed": 2})
    runs = [
        sorted(
            c.locator
            for c in only(list(capture_feeds([site.url("/rss")], capped, tmp_path)), Capture)
        )
        for _ in range(4)
    ]
    # Two a run, until none is left; the feed itself answers 304 after the first run.
    assert [len(run) for run in runs] == [2, 2, 1, 0]
    assert sorted(url for run in runs for url in run) == sorted(site.url(p) for _, p in links)
    assert [hit.status for hit in site.hits if hit.path == "/rss"] == [200, 304, 304, 304]
    assert "deferred to a later run" in caplog.text


def test_a_feed_item_that_failed_transiently_is_retried_after_a_304(
    make_site, fast, reply, tmp_path
):
    site = make_site()
    site.route("/rss", reply(body=rss(("A", "/a"), ("B", "/b")), content_type=RSS, etag='"f1"'))
    site.route("/a", [reply(status=503)] * 3 + [reply(body=b"<html>A</html>")])
    site.page("/b", "B")
    capped = fast.model_copy(update={"max_items_per_feed": 1})
    first = list(capture_feeds([site.url("/rss")], capped, tmp_path))
    assert [(type(i).__name__, i.locator) for i in first] == [("Reject", site.url("/a"))]
    second = only(list(capture_feeds([site.url("/rss")], capped, tmp_path)), Capture)
    third = only(list(capture_feeds([site.url("/rss")], capped, tmp_path)), Capture)
    assert sorted(c.locator for c in second + third) == [site.url("/a"), site.url("/b")]
