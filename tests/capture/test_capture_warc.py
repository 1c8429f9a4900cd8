"""WARC capture from archives written with warcio's own writer, CC-NEWS style."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from transforms.capture.warc import capture_warc, capture_warcs
from transforms.schemas import Capture, Reject


def write_warc(path: Path, records: list[tuple[str, int, str, bytes]], gzip: bool) -> Path:
    """Write warcinfo, then a request and a response record per (uri, status, type, body)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for uri, status, content_type, body in records:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
            writer.write_record(writer.create_warc_record(uri, "request", http_headers=request))
            headers = StatusAndHeaders(
                f"{status} {'OK' if status == 200 else 'Not Found'}",
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )
    return path


def article(n: int) -> tuple[str, int, str, bytes]:
    body = f"<html><head><title>Story {n}</title></head><body>{'x' * 500}</body></html>"
    return (f"https://news.test/story/{n}", 200, "text/html; charset=utf-8", body.encode())


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_html_responses_become_captures_with_offsets(tmp_path, gzip):
    records = [
        article(1),
        ("https://news.test/logo.png", 200, "image/png", b"\x89PNG\r\n"),
        article(2),
        ("https://news.test/gone", 404, "text/html", b"<html>gone</html>"),
        article(3),
    ]
    path = write_warc(tmp_path / f"cc-news.{'warc.gz' if gzip else 'warc'}", records, gzip)
    items = list(capture_warc(path))
    captures = [i for i in items if isinstance(i, Capture)]
    rejects = {i.locator: i.reason for i in items if isinstance(i, Reject)}
    assert [c.locator for c in captures] == [f"https://news.test/story/{n}" for n in (1, 2, 3)]
    assert rejects == {
        "https://news.test/logo.png": "not_html",
        "https://news.test/gone": "http_status_404",
    }
    for capture, (_, _, _, body) in zip(captures, [article(n) for n in (1, 2, 3)], strict=True):
        assert capture.body == body
        assert capture.source_kind == "warc"
        assert capture.warc_file == str(path)
        assert capture.http_status == 200
        assert capture.declared_charset == "utf-8"
        assert capture.headers["content-type"] == "text/html; charset=utf-8"
        with path.open("rb") as handle:
            handle.seek(capture.warc_offset)
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Target-URI") == capture.locator
            assert record.content_stream().read() == capture.body


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize("fraction", [0.3, 0.7, 0.95])
def test_truncated_archive_is_rejected_and_the_run_goes_on(tmp_path, gzip, fraction):
    suffix = "warc.gz" if gzip else "warc"
    whole = write_warc(tmp_path / f"a.{suffix}", [article(n) for n in range(1, 5)], gzip=gzip)
    data = whole.read_bytes()
    broken = tmp_path / f"broken.{suffix}"
    broken.write_bytes(data[: int(len(data) * fraction)])
    good = write_warc(tmp_path / "b.warc.gz", [article(9)], gzip=True)
    items = list(capture_warcs([broken, good]))
    rejects = [i for i in items if isinstance(i, Reject)]
    captures = [i.locator for i in items if isinstance(i, Capture)]
    assert len(rejects) == 1 and rejects[0].reason in {"warc_truncated", "warc_malformed"}
    assert len(captures) - 1 < 4
    assert captures[-1] == "https://news.test/story/9"


def test_garbage_and_missing_files_are_rejected(tmp_path):
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"this is not a web archive\r\n\r\n")
    items = list(capture_warcs([garbage, tmp_path / "missing.warc.gz"]))
    assert [(type(i), i.reason) for i in items] == [
        (Reject, "warc_malformed"),
        (Reject, "warc_unreadable"),
    ]


def test_oversized_records_are_rejected(tmp_path):
    big = ("https://news.test/big", 200, "text/html", b"<html>" + b"y" * 50_000)
    path = write_warc(tmp_path / "big.warc.gz", [big, article(1)], gzip=True)
    items = list(capture_warc(path, max_record_bytes=10_000))
    assert [(type(i), i.locator) for i in items] == [
        (Reject, "https://news.test/big"),
        (Capture, "https://news.test/story/1"),
    ]
    assert items[0].reason == "too_large"


def arc_file(path: Path, records: list[tuple[str, bytes]]) -> Path:
    """Write a minimal ARC v1 file (warcio cannot write ARC)."""
    desc = b"1 0 newsloom\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://t.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(desc) + desc + b"\n"
    for url, body in records:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
        head = b"%s 127.0.0.1 20240102030405 text/html %d\n" % (url.encode(), len(http))
        out += head + http + b"\n"
    path.write_bytes(out)
    return path


def test_arc_files_are_read_too(tmp_path):
    path = arc_file(tmp_path / "old.arc", [("http://e.test/a", b"<html>a</html>")])
    (capture,) = capture_warc(path)
    assert capture.locator == "http://e.test/a"
    assert capture.body == b"<html>a</html>"
    assert capture.fetched_at.isoformat() == "2024-01-02T03:04:05+00:00"
    assert capture.warc_offset > 0


def record_span(path: Path, uri: str) -> tuple[int, int]:
    """Return (offset, length) of the response record for a URI."""
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        for record in records:
            if (
                record.rec_type == "response"
                and record.rec_headers.get_header("WARC-Target-URI") == uri
            ):
                return records.get_record_offset(), records.get_record_length()
    raise LookupError(uri)


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize("where", ["header", "body"])
def test_one_damaged_record_loses_only_itself(tmp_path, gzip, where):
    suffix = "warc.gz" if gzip else "warc"
    path = write_warc(tmp_path / f"a.{suffix}", [article(n) for n in range(1, 21)], gzip)
    offset, length = record_span(path, "https://news.test/story/5")
    data = bytearray(path.read_bytes())
    if where == "header":
        data[offset + 2 : offset + 12] = b"XXXXXXXXXX"
    else:
        # In a plain WARC, bytes inside a body are not damage anyone can see: cut the length.
        at = offset + length // 2 if gzip else data.index(b"Content-Length: ", offset) + 16
        data[at : at + 6] = b"\x00\xffzz\x00\xff" if gzip else b"999999"
    path.write_bytes(bytes(data))
    items = list(capture_warc(path))
    captures = [i.locator for i in items if isinstance(i, Capture)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert captures == [f"https://news.test/story/{n}" for n in range(1, 21) if n != 5]
    assert len(rejects) == 1
    assert rejects[0].reason in {"warc_malformed", "warc_truncated"}
    assert rejects[0].locator == f"{path}#offset={offset}"


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_record_without_target_uri_is_rejected_alone(tmp_path, gzip):
    records = [article(n) for n in range(1, 6)]
    records[2] = ("", 200, "text/html", b"<html><body>no address</body></html>")
    path = write_warc(tmp_path / f"e.{'warc.gz' if gzip else 'warc'}", records, gzip)
    items = list(capture_warc(path))
    assert [i.locator for i in items if isinstance(i, Capture)] == [
        f"https://news.test/story/{n}" for n in (1, 2, 4, 5)
    ]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert reject.reason == "warc_no_target_uri"
    assert reject.locator.startswith(f"{path}#offset=")


def test_a_body_changed_in_place_fails_its_digest(tmp_path):
    path = write_warc(tmp_path / "d.warc", [article(n) for n in range(1, 6)], gzip=False)
    offset, _ = record_span(path, "https://news.test/story/3")
    data = path.read_bytes()
    at = data.index(b"xxxx", offset)
    path.write_bytes(data[:at] + b"y" + data[at + 1 :])
    items = list(capture_warc(path))
    assert [i.locator for i in items if isinstance(i, Capture)] == [
        f"https://news.test/story/{n}" for n in (1, 2, 4, 5)
    ]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert (reject.locator, reject.reason) == ("https://news.test/story/3", "warc_digest_mismatch")


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_random_damage_loses_only_the_records_it_touches(tmp_path, gzip):
    originals = {uri: body for uri, _, _, body in (article(n) for n in range(1, 31))}
    path = write_warc(tmp_path / "r.warc", [article(n) for n in range(1, 31)], gzip=gzip)
    data = path.read_bytes()
    rng = random.Random(15)
    for _ in range(40):
        damaged = bytearray(data)
        at, size = rng.randrange(len(data)), rng.randint(1, 16)
        damaged[at : at + size] = bytes(rng.randrange(256) for _ in range(size))
        path.write_bytes(bytes(damaged))
        captures = [i for i in capture_warc(path) if isinstance(i, Capture)]
        # 16 bytes touch at most two records (a request and its response, or two neighbours).
        assert len(captures) >= 29, (at, size)
        assert all(originals.get(c.locator, c.body) == c.body for c in captures), (at, size)


def test_an_archive_name_that_is_not_utf8_is_escaped(tmp_path):
    written = write_warc(tmp_path / "archive.warc.gz", [article(1)], gzip=True)
    path = written.rename(tmp_path / os.fsdecode(b"arch\xefve.warc.gz"))
    (capture,) = capture_warc(path)
    assert capture.to_row("r1")["warc_file"] == str(tmp_path / "arch\\xefve.warc.gz")
