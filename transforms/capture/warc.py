"""Read WARC and ARC archives (plain or gzip) into captures, keeping file and record offset."""

from __future__ import annotations

import logging
import mmap
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord, ArcWarcRecordLoader

from transforms.capture.http import charset_of
from transforms.capture.safexml import GZIP_MAGIC, parse_w3c_datetime
from transforms.schemas import Capture, Reject, safe_text, utc_now

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Where a record can start after damage: a gzip member (deflate), or a WARC version line.
GZIP_MEMBER = GZIP_MAGIC + b"\x08"
WARC_LINE = b"\nWARC/1."
RESYNC_PROBE_BYTES = 4096


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
    """Yield one capture per HTML 200 response record; other responses become rejects.

    A damaged record is rejected alone: reading goes on at the next record found after it.
    """
    path = Path(path)
    wanted = frozenset(content_types)
    counts = {"captured": 0, "rejected": 0}
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield _reject(str(path), "warc_unreadable", str(exc))
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        gzipped = handle.read(2) == GZIP_MAGIC
        expect_warc = ".warc" in path.name.lower()
        start: int | None = 0
        while start is not None:
            handle.seek(start)
            start = None
            # Digests (WARC-Block/Payload-Digest, when the archive has them) catch damaged bytes
            # that still parse: a plain WARC has no other check on them.
            records = ArchiveIterator(handle, arc2warc=not expect_warc, check_digests=True)
            records.loader = _TolerantLoader(arc2warc=not expect_warc)
            try:
                for record in records:
                    if expect_warc and record.format != "warc":
                        raise ValueError(f"not a WARC record (looks like {record.format})")
                    if record.format == "warc" and record.length is None:
                        # Every WARC record has one; without it the header itself is cut short.
                        raise ValueError("WARC record header without Content-Length")
                    item = None
                    if record.rec_type == "response":
                        item = _read_record(record, path, records, max_record_bytes, wanted)
                    offset = records.get_record_offset()
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        # Its length runs past the end of the file: records may follow inside.
                        detail = f"{path}: {record.rec_type} record at offset {offset} cut short"
                        counts["rejected"] += 1
                        yield _reject(_record_locator(item, path, offset), "warc_truncated", detail)
                        start = _next_record_start(handle, offset + 1, gzipped, expect_warc)
                        break
                    if item is None:
                        continue
                    if isinstance(item, Capture) and record.digest_checker.passed is False:
                        problems = "; ".join(record.digest_checker.problems)[:500]
                        item = _reject(item.locator, "warc_digest_mismatch", f"{path}: {problems}")
                    if isinstance(item, Capture):
                        item = _with_offset(item, offset)
                    counts["captured" if isinstance(item, Capture) else "rejected"] += 1
                    yield item
            except Exception as exc:  # noqa: BLE001 - warcio and zlib raise many types on damage
                counts["rejected"] += 1
                offset = records.offset
                detail = f"record unreadable at offset {offset}: {type(exc).__name__}: {exc}"
                yield _reject(f"{path}#offset={offset}", "warc_malformed", detail)
                start = _next_record_start(handle, offset + 1, gzipped, expect_warc)
            else:
                if start is None and records.offset < size:
                    # Reading stopped short of the end: damage warcio took for the end of file.
                    counts["rejected"] += 1
                    detail = f"{size - records.offset} bytes after the last complete record"
                    yield _reject(f"{path}#offset={records.offset}", "warc_truncated", detail)
                    start = _next_record_start(handle, records.offset + 1, gzipped, expect_warc)
    log.info("%s: %d captured, %d rejected", path, counts["captured"], counts["rejected"])


class _TolerantLoader(ArcWarcRecordLoader):
    """warcio's record loader, except that a record without WARC-Target-URI does not raise."""

    def load_http_headers(self, rec_type: str, uri: str | None, stream: Any, length: Any) -> Any:
        """Parse HTTP headers; a record with no URI has none (it is rejected by itself)."""
        return super().load_http_headers(rec_type, uri or "", stream, length)


def _next_record_start(
    handle: BinaryIO, after: int, gzipped: bool, expect_warc: bool
) -> int | None:
    """Return the offset of the next record that starts at or after `after`, or None."""
    try:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # an empty or unmappable file: nothing to resume from
        return None
    with data:
        at = after
        while True:
            if gzipped:
                at = data.find(GZIP_MEMBER, at)
            else:
                at = data.find(WARC_LINE, max(at - 1, 0))
                at = at + 1 if at >= 0 else at
            if at < 0:
                return None
            if not gzipped or _starts_record(data, at, expect_warc):
                return at
            at += 1


def _starts_record(data: mmap.mmap, at: int, expect_warc: bool) -> bool:
    """Return True if a gzip member starts at `at` and inflates to a record's first bytes."""
    try:
        head = zlib.decompressobj(wbits=31).decompress(data[at : at + RESYNC_PROBE_BYTES], 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/") if expect_warc else bool(head)


def _record_locator(item: Capture | Reject | None, path: Path, offset: int) -> str:
    """Return the record's URI, or its place in the archive when it has none."""
    if item is not None and item.locator and not item.locator.startswith(str(path)):
        return item.locator
    return f"{path}#offset={offset}"


def _read_record(
    record: ArcWarcRecord,
    path: Path,
    records: ArchiveIterator,
    cap: int,
    wanted: frozenset[str],
) -> Capture | Reject:
    """Turn one response record into a capture or a reject."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    if not uri:
        where = f"{path}#offset={records.offset}"
        return _reject(where, "warc_no_target_uri", f"{path}: response record without its URI")
    locator = uri
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
        warc_file=safe_text(str(path)),
    )


def _with_offset(capture: Capture, offset: int) -> Capture:
    """Return the capture with its record offset set."""
    return Capture(**{**capture.__dict__, "warc_offset": offset})


def _reject(locator: str, reason: str, detail: str | None) -> Reject:
    """Return a capture-stage reject."""
    return Reject(stage="capture", locator=locator, reason=reason, detail=detail)
