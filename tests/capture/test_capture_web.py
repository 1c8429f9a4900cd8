"""CLI-argument classification, auto-sniffed capture, URL lists and run-safe state."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from transforms.capture.state import CaptureState
from transforms.capture.web import capture_inputs_auto, capture_urls, classify_input, read_url_list
from transforms.schemas import Capture, Reject

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>
<item><title>A</title><link>/from-feed</link></item></channel></rss>"""
SITEMAP = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>/from-sitemap</loc></url></urlset>"""


def one_record_warc(path: Path) -> Path:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        payload = io.BytesIO(b"<html>archived</html>")
        record = writer.create_warc_record(
            "https://a.test/x", "response", payload=payload, http_headers=headers
        )
        writer.write_record(record)
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    (tmp_path / "list.urls").write_text("https://a.test/1\n")
    (tmp_path / "links.txt").write_text("# seeds\nhttps://a.test/1\n\nhttp://b.test/2\n")
    (tmp_path / "story.txt").write_text("Iraq talks resume\nBy A Writer\n\nBody text here.\n")
    (tmp_path / "pages").mkdir()
    (tmp_path / "page.html").write_text("<html></html>")
    one_record_warc(tmp_path / "cc.warc.gz")
    return tmp_path


@pytest.mark.parametrize(
    ("arg", "kind"),
    [
        ("https://a.test/news/1", "url"),
        ("https://a.test/feed.xml", "url"),
        ("https://a.test/robots.txt", "sitemap"),
        ("{d}/list.urls", "url_list"),
        ("{d}/links.txt", "url_list"),
        ("{d}/story.txt", "path"),
        ("{d}/pages", "path"),
        ("{d}/page.html", "path"),
        ("file://{d}/page.html", "path"),
        ("{d}/cc.warc.gz", "warc"),
        ("{d}/missing.html", "unknown"),
        ("ftp://a.test/x", "unknown"),
    ],
)
def test_classify_input(inputs, arg, kind):
    assert classify_input(arg.format(d=inputs)) == kind


def test_read_url_list_rejects_bad_lines(tmp_path):
    path = tmp_path / "l.urls"
    path.write_text("https://a.test/1\nnot a url\n# comment\nftp://x/y\n")
    urls, rejects = read_url_list(path)
    assert urls == ["https://a.test/1"]
    assert [(r.locator, r.reason) for r in rejects] == [
        ("not a url", "invalid_url"),
        ("ftp://x/y", "invalid_url"),
    ]


def test_auto_capture_sniffs_feeds_sitemaps_and_pages(make_site, fast, reply, tmp_path):
    site = make_site()
    site.route("/x/feed", reply(body=RSS, content_type="text/xml"))
    site.route("/x/map", reply(body=SITEMAP, content_type="text/xml"))
    site.route("/logo", reply(body=b"GIF89a", content_type="image/gif"))
    for path in ("/from-feed", "/from-sitemap", "/article", "/listed"):
        site.page(path, path)
    url_list = tmp_path / "more.urls"
    url_list.write_text(site.url("/listed") + "\n")
    warc = one_record_warc(tmp_path / "cc.warc.gz")
    seen: list[Path] = []
    args = [
        site.url("/x/feed"),
        site.url("/x/map"),
        site.url("/article"),
        site.url("/logo"),
        str(url_list),
        str(warc),
        str(tmp_path),
        str(tmp_path / "nope"),
    ]
    items = list(capture_inputs_auto(args, fast, capture_path=lambda p: seen.append(p) or []))
    kinds = {i.locator: i.source_kind for i in items if isinstance(i, Capture)}
    assert kinds == {
        site.url("/from-feed"): "feed",
        site.url("/from-sitemap"): "sitemap",
        site.url("/article"): "url",
        site.url("/listed"): "url",
        "https://a.test/x": "warc",
    }
    rejects = {i.locator: i.reason for i in items if isinstance(i, Reject)}
    assert rejects == {site.url("/logo"): "not_html", str(tmp_path / "nope"): "input_not_found"}
    assert seen == [tmp_path]
    assert site.paths().count("/x/feed") == 1 and site.paths().count("/article") == 1


def test_many_urls_are_fetched_concurrently(make_site, fast, reply):
    sites = [make_site(f"s{n}") for n in range(4)]
    for site in sites:
        for n in range(25):
            site.route(f"/p{n}", reply(body=b"<html>p</html>", delay=0.05))
    urls = [site.url(f"/p{n}") for site in sites for n in range(25)]
    items = list(capture_urls(urls, fast.model_copy(update={"host_concurrency": 5})))
    assert len(items) == 100 and all(isinstance(i, Capture) for i in items)


def test_state_is_not_committed_when_the_run_is_abandoned(make_site, fast, reply, tmp_path):
    site = make_site()
    for n in range(5):
        site.route(f"/p{n}", reply(body=b"<html>p</html>", etag=f'"e{n}"'))
    urls = [site.url(f"/p{n}") for n in range(5)]
    run = capture_urls(urls, fast, tmp_path)
    assert len(list(itertools.islice(run, 2))) == 2
    run.close()
    with CaptureState(tmp_path) as state:
        assert all(state.url_state(url) is None for url in urls)
    assert len(list(capture_urls(urls, fast, tmp_path))) == 5
    with CaptureState(tmp_path) as state:
        assert state.url_state(urls[0]).etag == '"e0"'
