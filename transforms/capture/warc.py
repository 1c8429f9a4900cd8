"""Read WARC and ARC archives (plain or gzip) into captures, keeping file and record offset."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from transforms.capture.http import charset_of
from transforms.capture.safexml import parse_w3c_datetime
from transforms.schemas import Capture, Reject, utc_now

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def is_warc_path(path: str | Path) -> bool:
    """Return True if the file name says WARC or ARC."""
    return str(path).lower().endswith(WARC_SUFFIXES)


def capture_warcs(
    paths: Iterable[str | Path],
    max_record_bytes: int = 20 * 1024 * 1024,
    content_types: Iterable[str] = HTML_TYPES,
) -> Iterator[Capture | Reject]:
    """Yield captures and rejects from several archives; a broken archive does not stop the rest."""
    for path in paths:
        yield from capture_warc(path, max_record_bytes, content_types)


def capture_warc(
    path: str | Path,
    max_record_bytes: int = 20 * 1024 * 1024,
    content_types: Iterable[str] = HTML_TYPES,
) -> Iterator[Capture | Reject]:
    """Yield one capture per HTML 200 response record; other responses become rejects."""
    path = Path(path)
    wanted = frozenset(content_types)
    counts = {"captured": 0, "rejected": 0}
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield _reject(str(path), "warc_unreadable", str(exc))
        return
    with handle:
        size = path.stat().st_size
        expect_warc = ".warc" in path.name.lower()
        records = ArchiveIterator(handle, arc2warc=not expect_warc)
        try:
            for record in records:
                if expect_warc and record.format != "warc":
                    raise ValueError(f"not a WARC record (looks like {record.format})")
                if record.rec_type != "response":
                    continue
                item = _read_record(record, path, records, max_record_bytes, wanted)
                offset = records.get_record_offset()
                if getattr(record.raw_stream, "limit", 0) > 0:
                    item = _reject(item.locator, "warc_truncated", f"{path}: record cut short")
                elif isinstance(item, Capture):
                    item = _with_offset(item, offset)
                counts["captured" if isinstance(item, Capture) else "rejected"] += 1
                yield item
        except Exception as exc:  # noqa: BLE001 - warcio and zlib raise many types on damage
            counts["rejected"] += 1
            offset = records.offset
            detail = f"archive unreadable at offset {offset}: {type(exc).__name__}: {exc}"
            yield _reject(f"{path}#offset={offset}", "warc_malformed", detail)
        else:
            if records.offset < size:
                counts["rejected"] += 1
                detail = f"{size - records.offset} bytes after the last complete record"
                yield _reject(f"{path}#offset={records.offset}", "warc_truncated", detail)
    log.info("%s: %d captured, %d rejected", path, counts["captured"], counts["rejected"])


def _read_record(
    record: ArcWarcRecord,
    path: Path,
    records: ArchiveIterator,
    cap: int,
    wanted: frozenset[str],
) -> Capture | Reject:
    """Turn one response record into a capture or a reject."""
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    locator = uri or f"{path}#offset={records.offset}"
    http = record.http_headers
    if http is None:
        return _reject(locator, "warc_no_http_headers", f"{path}: response without HTTP headers")
    status = int(http.get_statuscode() or 0)
    if status != 200:
        return _reject(locator, f"http_status_{status}", f"{path}: archived HTTP {status}")
    content_type = http.get_header("Content-Type") or ""
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in wanted:
        return _reject(locator, "not_html", f"{path}: content type {media or 'missing'!r}")
    body = record.content_stream().read(cap + 1)
    if len(body) > cap:
        return _reject(locator, "too_large", f"{path}: record body exceeds {cap} bytes")
    headers: dict[str, str] = {}
    for name, value in http.headers:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    warc_date = parse_w3c_datetime(record.rec_headers.get_header("WARC-Date"))
    return Capture(
        locator=locator,
        source_kind="warc",
        body=body,
        fetched_at=warc_date or utc_now(),
        http_status=status,
        headers=headers,
        content_type=media,
        declared_charset=charset_of(content_type),
        warc_file=str(path),
    )


def _with_offset(capture: Capture, offset: int) -> Capture:
    """Return the capture with its record offset set."""
    return Capture(**{**capture.__dict__, "warc_offset": offset})


def _reject(locator: str, reason: str, detail: str | None) -> Reject:
    """Return a capture-stage reject."""
    return Reject(stage="capture", locator=locator, reason=reason, detail=detail)
