"""Polite, guarded HTTP capture against real local servers."""

from __future__ import annotations

import itertools
import statistics
import time

import pytest

from transforms.capture.guard import AddressPolicy
from transforms.capture.settings import FetchSettings
from transforms.capture.web import capture_urls
from transforms.schemas import Capture, Reject

PAGE = b"<html><head><title>ok</title></head><body>ok</body></html>"


def assert_spaced(starts: list[float], delay: float, began: float) -> None:
    """Assert requests seen by the server started `delay` apart, as the client paced them.

    The server notes a request when its thread runs: a stall of this process (a loaded machine)
    can note one late, next to the following one, so single gaps are read through the median.
    The last request cannot be seen before its slot: (requests - 1) delays after `began`.
    """
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert statistics.median(gaps) >= delay * 0.9, gaps
    assert starts[-1] - began >= (len(starts) - 1) * delay - 0.01, (starts, began)


def run(urls, settings, state_dir=None):
    items = list(capture_urls(urls, settings, state_dir))
    captures = {item.locator: item for item in items if isinstance(item, Capture)}
    rejects = {item.locator: item.reason for item in items if isinstance(item, Reject)}
    return captures, rejects


def test_page_capture_keeps_status_headers_and_charset(reply, make_site, fast):
    site = make_site()
    site.route("/a", reply(body=PAGE, content_type="text/html; charset=ISO-8859-1"))
    captures, rejects = run([site.url("/a")], fast)
    capture = captures[site.url("/a")]
    assert rejects == {}
    assert capture.body == PAGE
    assert capture.source_kind == "url"
    assert capture.http_status == 200
    assert capture.content_type == "text/html"
    assert capture.declared_charset == "iso-8859-1"
    assert capture.headers["content-type"] == "text/html; charset=ISO-8859-1"


def test_500s_then_success_is_retried(reply, make_site, fast):
    site = make_site()
    site.route("/flaky", [reply(status=500), reply(status=502), reply(body=PAGE)])
    captures, _ = run([site.url("/flaky")], fast)
    assert site.url("/flaky") in captures
    assert [hit.status for hit in site.hits if hit.path == "/flaky"] == [500, 502, 200]


def test_persistent_5xx_gives_up_after_max_retries(reply, make_site, fast):
    site = make_site()
    site.route("/down", reply(status=503))
    _, rejects = run([site.url("/down")], fast)
    assert rejects == {site.url("/down"): "http_status_503"}
    assert site.paths().count("/down") == fast.max_retries + 1


def test_429_waits_for_retry_after(reply, make_site, fast):
    site = make_site()
    site.route("/busy", [reply(status=429, headers={"Retry-After": "1"}), reply(body=PAGE)])
    captures, _ = run([site.url("/busy")], fast)
    hits = [hit for hit in site.hits if hit.path == "/busy"]
    assert site.url("/busy") in captures
    assert hits[1].at - hits[0].at >= 0.95


def test_retry_after_is_capped(reply, make_site, fast):
    site = make_site()
    site.route("/busy", [reply(status=429, headers={"Retry-After": "3600"}), reply(body=PAGE)])
    settings = fast.model_copy(update={"retry_after_max": 0.3})
    captures, _ = run([site.url("/busy")], settings)
    hits = [hit for hit in site.hits if hit.path == "/busy"]
    assert site.url("/busy") in captures
    assert 0.25 <= hits[1].at - hits[0].at < 1.0


def test_connection_reset_is_retried_then_rejected(reply, make_site, fast):
    site = make_site()
    site.route("/once", [reply(reset=True), reply(body=PAGE)])
    site.route("/always", reply(reset=True))
    captures, rejects = run([site.url("/once"), site.url("/always")], fast)
    assert site.url("/once") in captures
    assert rejects == {site.url("/always"): "connection_error"}
    assert site.paths().count("/always") == fast.max_retries + 1


def test_slow_host_does_not_delay_other_hosts(reply, make_site, fast):
    slow, quick = make_site("slow"), make_site("quick")
    slow.route("/stall", reply(body=PAGE, delay=30))
    for number in range(6):
        quick.route(f"/p{number}", reply(body=PAGE))
    urls = [slow.url("/stall")] + [quick.url(f"/p{n}") for n in range(6)]
    settings = fast.model_copy(update={"max_retries": 2})
    started, arrivals = time.monotonic(), {}
    for item in capture_urls(urls, settings):
        arrivals[item.locator] = (time.monotonic() - started, item)
    quick_times = [t for url, (t, _) in arrivals.items() if url.startswith(quick.url())]
    slow_time, slow_item = arrivals[slow.url("/stall")]
    # Ordered, not timed (a loaded machine slows every request): the quick host's pages are
    # all fetched before the stalled page's first retry, and delivered before its reject.
    slow_hits = [hit.at for hit in slow.hits if hit.path == "/stall"]
    quick_hits = [hit.at for hit in quick.hits if hit.path.startswith("/p")]
    assert len(quick_times) == 6 and max(quick_times) < slow_time
    assert len(slow_hits) == 3 and len(quick_hits) == 6 and max(quick_hits) < slow_hits[1]
    assert isinstance(slow_item, Reject) and slow_item.reason == "timeout"
    assert slow_time < (settings.read_timeout + settings.backoff_max) * 3 + 2.0


def test_total_timeout_bounds_a_trickling_body(reply, make_site, fast):
    site = make_site()
    site.route("/stall", reply(body=PAGE, delay=5))
    settings = fast.model_copy(update={"read_timeout": 10, "total_timeout": 0.3, "max_retries": 0})
    started = time.monotonic()
    _, rejects = run([site.url("/stall")], settings)
    assert rejects == {site.url("/stall"): "timeout"}
    assert time.monotonic() - started < 2


def test_redirects_are_followed_to_the_final_url(reply, make_site, fast):
    site = make_site()
    site.route("/old", reply(status=301, headers={"Location": "/mid"}, content_type=None))
    site.route("/mid", reply(status=302, headers={"Location": "/new"}, content_type=None))
    site.route("/new", reply(body=PAGE))
    captures, _ = run([site.url("/old")], fast)
    capture = captures[site.url("/new")]
    assert capture.origin_meta == {"requested_url": site.url("/old")}


def test_redirect_loop_and_long_chain_are_rejected(reply, make_site, fast):
    site = make_site()
    site.route("/a", reply(status=302, headers={"Location": "/b"}, content_type=None))
    site.route("/b", reply(status=302, headers={"Location": "/a"}, content_type=None))
    for n in range(10):
        site.route(f"/c{n}", reply(status=301, headers={"Location": f"/c{n + 1}"}))
    site.route("/c10", reply(body=PAGE))
    settings = fast.model_copy(update={"max_redirects": 5})
    _, rejects = run([site.url("/a"), site.url("/c0")], settings)
    assert rejects == {site.url("/a"): "too_many_redirects", site.url("/c0"): "too_many_redirects"}
    assert "/c7" not in site.paths()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_rejected(reply, make_site, fast, chunked):
    site = make_site()
    site.route("/big", reply(body=b"<html>" + b"x" * 2_000_000, chunked=chunked))
    settings = fast.model_copy(update={"max_body_bytes": 100_000})
    _, rejects = run([site.url("/big")], settings)
    assert rejects == {site.url("/big"): "too_large"}
    assert site.paths().count("/big") == 1


def test_pages_of_other_content_types_are_rejected(reply, make_site, fast):
    site = make_site()
    site.route("/img", reply(body=b"\x89PNG....", content_type="image/png"))
    site.route("/untyped", reply(body=PAGE, content_type=None))
    captures, rejects = run([site.url("/img"), site.url("/untyped")], fast)
    assert rejects == {site.url("/img"): "not_html"}
    assert site.url("/untyped") in captures


def test_robots_disallowed_paths_are_never_requested(make_site, fast):
    rules = "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n"
    site = make_site(robots=rules + "Disallow: /nl-only\n")
    site.page("/private/x", "secret")
    site.page("/nl-only", "no")
    site.page("/public", "yes")
    urls = [site.url("/private/x"), site.url("/nl-only"), site.url("/public")]
    captures, rejects = run(urls, fast)
    assert list(captures) == [site.url("/public")]
    assert set(rejects.values()) == {"robots_disallowed"}
    assert "/private/x" not in site.paths() and "/nl-only" not in site.paths()
    assert site.paths().count("/robots.txt") == 1


def test_robots_5xx_forbids_and_4xx_allows(reply, make_site, fast):
    broken, missing = make_site("broken", robots=None), make_site("missing", robots=None)
    broken.route("/robots.txt", reply(status=500))
    broken.page("/a", "a")
    missing.page("/a", "a")
    captures, rejects = run([broken.url("/a"), missing.url("/a")], fast)
    assert rejects == {broken.url("/a"): "robots_unreachable"}
    assert missing.url("/a") in captures
    assert "/a" not in broken.paths()


def test_requests_to_one_host_are_spaced_by_the_host_delay(make_site, fast):
    site = make_site()
    for n in range(4):
        site.page(f"/p{n}", str(n))
    settings = fast.model_copy(update={"host_delay": 0.2, "host_concurrency": 2})
    began = time.monotonic()
    captures, _ = run([site.url(f"/p{n}") for n in range(4)], settings)
    starts = sorted(hit.at for hit in site.hits)
    assert len(captures) == 4
    assert_spaced(starts, 0.2, began)


def test_private_addresses_are_refused_by_default(make_site, fast):
    site = make_site()
    site.page("/a", "a")
    strict = fast.model_copy(update={"allow_private_hosts": False})
    urls = [site.url("/a"), f"http://localhost:{site.port}/a", "http://[::1]:9/x"]
    _, rejects = run(urls, strict)
    assert set(rejects.values()) == {"blocked_address"} and len(rejects) == 3
    assert site.hits == []


def test_allowed_networks_open_a_private_range(make_site, fast):
    site = make_site()
    site.page("/a", "a")
    settings = FetchSettings.model_validate(
        {**fast.model_dump(), "allow_private_hosts": False, "allowed_networks": ["127.0.0.1/32"]}
    )
    captures, _ = run([site.url("/a")], settings)
    assert site.url("/a") in captures


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "unsupported_scheme"),
        ("ftp://127.0.0.1/x", "unsupported_scheme"),
        ("gopher://x/", "unsupported_scheme"),
        ("http:///no-host", "invalid_url"),
        ("news.test/no-scheme", "unsupported_scheme"),
    ],
)
def test_unfetchable_urls_are_refused(fast, url, reason):
    _, rejects = run([url], fast)
    assert rejects == {url: reason}


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        # IPv4 inside IPv6: NAT64, 6to4 and IPv4-compatible forms reach the embedded address.
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::5db8:d822", True),
        ("64:ff9b:1::a00:1", False),
        ("2002:7f00:1::", False),
        ("2002:c0a8:101::1", False),
        ("2002:5db8:d822::1", True),
        ("::7f00:1", False),
        ("::127.0.0.1", False),
        ("::5db8:d822", False),
        ("fec0::1", False),
        ("feff::1", False),
        ("2001::1", False),
    ],
)
def test_address_policy(address, allowed):
    assert AddressPolicy().allows(address) is allowed


def test_etag_and_last_modified_make_a_second_run_free(reply, make_site, fast, tmp_path):
    site = make_site()
    site.route("/e", reply(body=PAGE, etag='"v1"'))
    site.route("/m", reply(body=PAGE, last_modified="Mon, 01 Jan 2024 00:00:00 GMT"))
    urls = [site.url("/e"), site.url("/m")]
    first, _ = run(urls, fast, tmp_path)
    second, rejects = run(urls, fast, tmp_path)
    assert set(first) == set(urls)
    assert second == {} and rejects == {}
    later = {hit.path: hit for hit in site.hits[-2:]}
    assert later["/e"].headers["if-none-match"] == '"v1"' and later["/e"].status == 304
    assert later["/m"].headers["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert later["/m"].status == 304


def test_unchanged_body_without_validators_is_nothing_new(reply, make_site, fast, tmp_path):
    site = make_site()
    site.route("/p", [reply(body=PAGE), reply(body=PAGE), reply(body=PAGE + b"<!-- v2 -->")])
    assert len(run([site.url("/p")], fast, tmp_path)[0]) == 1
    assert run([site.url("/p")], fast, tmp_path)[0] == {}
    assert run([site.url("/p")], fast, tmp_path)[0][site.url("/p")].body.endswith(b"v2 -->")


def test_robots_crawl_delay_is_honoured_up_to_the_cap(make_site, fast):
    site = make_site(robots="User-agent: *\nCrawl-delay: 30\n")
    for n in range(3):
        site.page(f"/p{n}", str(n))
    settings = fast.model_copy(update={"max_crawl_delay": 0.25})
    began = time.monotonic()
    captures, _ = run([site.url(f"/p{n}") for n in range(3)], settings)
    starts = sorted(hit.at for hit in site.hits if hit.path != "/robots.txt")
    assert len(captures) == 3
    assert_spaced(starts, 0.25, began)
    assert starts[-1] - starts[0] < 1.5


def test_redirect_to_a_private_address_is_refused(make_site, fast, reply):
    site = make_site()
    site.route("/jump", reply(status=302, headers={"Location": "http://[::1]:9/"}))
    site.route("/file", reply(status=302, headers={"Location": "file:///etc/passwd"}))
    settings = FetchSettings.model_validate(
        {**fast.model_dump(), "allow_private_hosts": False, "allowed_networks": ["127.0.0.1/32"]}
    )
    _, rejects = run([site.url("/jump"), site.url("/file")], settings)
    assert rejects == {
        site.url("/jump"): "blocked_address",
        site.url("/file"): "unsupported_scheme",
    }


def test_a_slow_host_gets_a_deadline_for_the_run(reply, make_site, fast):
    slow, quick = make_site("slow"), make_site("quick")
    for number in range(5):
        slow.route(f"/s{number}", reply(body=PAGE, delay=30))
        quick.route(f"/q{number}", reply(body=PAGE))
    urls = [slow.url(f"/s{n}") for n in range(5)] + [quick.url(f"/q{n}") for n in range(5)]
    # Each slow page alone may take 3 attempts of 2 s: 30 s for the five, one host at a time.
    settings = fast.model_copy(update={"host_concurrency": 1, "host_deadline": 1.0})
    started = time.monotonic()
    captures, rejects = run(urls, settings)
    assert time.monotonic() - started < 6
    assert sorted(captures) == sorted(quick.url(f"/q{n}") for n in range(5))
    assert rejects == {slow.url(f"/s{n}"): "host_deadline" for n in range(5)}
    # Only the first was requested: the others were refused without a request.
    assert slow.paths().count("/s0") >= 1 and not {f"/s{n}" for n in range(1, 5)} & set(
        slow.paths()
    )


def test_a_run_deadline_stops_every_host(reply, make_site, fast):
    sites = [make_site(f"slow{n}") for n in range(3)]
    for site in sites:
        site.route("/a", reply(body=PAGE, delay=30))
        site.route("/b", reply(body=PAGE, delay=30))
    urls = [site.url(path) for site in sites for path in ("/a", "/b")]
    settings = fast.model_copy(update={"host_concurrency": 1, "run_deadline": 1.0})
    started = time.monotonic()
    _, rejects = run(urls, settings)
    assert time.monotonic() - started < 6
    assert rejects == dict.fromkeys(urls, "run_deadline")


def test_deadline_rejects_are_retried_on_the_next_run():
    from transforms.capture.http import is_transient

    for reason in ("host_deadline", "run_deadline"):
        assert is_transient(Reject("capture", "http://x.test/", reason))
