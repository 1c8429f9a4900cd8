"""sources.toml: validation with clear errors, lookups, and polling every publisher."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.capture.sources import SourcesConfigError, load_sources
from transforms.capture.web import capture_sources
from transforms.schemas import Capture

GOOD = """
[[publishers]]
domain = "www.Daily.test"
name = "The Daily"
feeds = ["https://daily.test/rss"]
sitemaps = ["https://daily.test/news-sitemap.xml"]
url_patterns = ['^https://(www\\.)?daily\\.test/\\d{4}/']
paths = ["seeds/daily/*.txt"]

[[publishers]]
id = "wire-dump"
name = "Wire dump"
paths = ["/data/wire/**"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return path


def test_valid_config_and_lookups(tmp_path):
    config = load_sources(write(tmp_path, GOOD))
    daily, wire = config.publishers
    assert daily.id == "daily.test" and daily.domain == "daily.test"
    assert wire.id == "wire-dump" and wire.domain is None
    assert config.publisher_for_url("https://www.daily.test/2024/10/story") is daily
    assert config.publisher_for_url("https://daily.test/about") is None
    assert config.publisher_for_url("https://other.test/2024/x") is None
    assert config.publisher_for_path(tmp_path / "seeds" / "daily" / "a.txt") is daily
    assert config.publisher_for_path("/data/wire/2024/x.txt") is wire
    assert config.publisher_for_path(tmp_path / "elsewhere.txt") is None
    assert config.feed_urls() == [("https://daily.test/rss", daily)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[publishers]]\ndomain = "a.test"\nfeed = ["https://a.test/rss"]\n',
            "publisher #1 ('a.test') feed: unknown key",
        ),
        (
            '[[publishers]]\nid = "a"\n[[publishers]]\nid = "b"\nfeeds = ["ftp://b.test/f"]\n',
            "publisher #2 ('b') feeds: not an absolute http(s) URL: 'ftp://b.test/f'",
        ),
        (
            '[[publishers]]\ndomain = "https://a.test/"\n',
            "publisher #1 ('https://a.test/') domain: not a bare domain name",
        ),
        (
            '[[publishers]]\nid = "a"\nurl_patterns = ["(unclosed"]\n',
            "publisher #1 ('a') url_patterns: not a valid regular expression",
        ),
        ('[[publishers]]\nname = "nameless"\n', "publisher #1: a publisher needs"),
        ('[[publishers]]\nid = "a"\n[[publishers]]\nid = "a"\n', "duplicate publisher id 'a'"),
        ('publisher = "typo"\n', "publisher: unknown key"),
        ("[[publishers]\n", "not valid TOML"),
    ],
    ids=["unknown-key", "bad-url", "bad-domain", "bad-regex", "no-id", "dup", "top-key", "toml"],
)
def test_errors_name_file_publisher_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(SourcesConfigError) as error:
        load_sources(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(SourcesConfigError, match="file not found"):
        load_sources(tmp_path / "nope.toml")


def test_capture_sources_keeps_pattern_matches(make_site, fast, reply, tmp_path):
    site = make_site()
    feed = (
        '<rss version="2.0"><channel><title>D</title>'
        "<item><title>a</title><link>/2024/a</link></item>"
        "<item><title>b</title><link>/about</link></item></channel></rss>"
    )
    site.route("/rss", reply(body=feed.encode(), content_type="application/rss+xml"))
    site.page("/2024/a", "a")
    site.page("/about", "about")
    text = (
        f'[[publishers]]\nid = "local"\nfeeds = ["{site.url("/rss")}"]\n'
        f"url_patterns = ['^{site.url('/')}\\d{{4}}/']\n"
    )
    config = load_sources(write(tmp_path, text))
    items = list(capture_sources(config, fast))
    assert [(type(i), i.locator) for i in items] == [(Capture, site.url("/2024/a"))]
    assert "/about" not in site.paths()
