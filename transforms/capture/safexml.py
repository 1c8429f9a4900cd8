"""Safe XML handling for feeds and sitemaps: no entity declarations, no external references."""

from __future__ import annotations

import logging
import re
import zlib
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")
_PROLOG = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)", re.DOTALL)
logger = logging.getLogger(__name__)
GZIP_MAGIC = b"\x1f\x8b"


class UnsafeDocument(ValueError):
    """A document refused before parsing; `reason` is the reject code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse_xml(body: bytes) -> Element:
    """Parse XML refusing entity declarations and external references; raise UnsafeDocument."""
    try:
        return DefusedET.fromstring(
            body, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except (EntitiesForbidden, DTDForbidden) as exc:
        raise UnsafeDocument("xml_entities_forbidden", f"XML declares entities: {exc}") from exc
    except DefusedXmlException as exc:
        raise UnsafeDocument("xml_external_reference", f"XML refers outside: {exc}") from exc
    except ParseError as exc:
        if _ENTITY_DECL.search(body):
            raise UnsafeDocument("xml_entities_forbidden", "XML declares entities") from exc
        raise UnsafeDocument("xml_malformed", f"not well-formed XML: {exc}") from exc


def check_xml(body: bytes) -> None:
    """Raise UnsafeDocument if XML declares entities or external references; else return."""
    try:
        parse_xml(body)
    except UnsafeDocument as exc:
        if exc.reason != "xml_malformed":
            raise


def root_name(body: bytes) -> str | None:
    """Return the local name of the XML root element, lowercased, without parsing the document."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf")
    position = 0
    while match := _PROLOG.match(head, position):
        position = match.end()
    found = _ROOT.match(head[position:].lstrip())
    return found.group(2).decode("ascii").lower() if found else None


def gunzip_capped(body: bytes, limit: int) -> bytes:
    """Decompress gzip data, every member of it, refusing output beyond `limit` bytes (bombs)."""
    out = bytearray()
    data = body
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
        except zlib.error as exc:
            raise UnsafeDocument("gzip_malformed", f"cannot gunzip: {exc}") from exc
        if len(out) > limit or inflater.unconsumed_tail:
            raise UnsafeDocument(
                "decompression_bomb", f"gzip expands beyond {limit} bytes from {len(body)}"
            )
        if not inflater.eof:
            raise UnsafeDocument("gzip_malformed", "the gzip data ends before its end marker")
        data = inflater.unused_data
        # Concatenated members are one document (RFC 1952); zero padding after the last is common.
        if not data.startswith(GZIP_MAGIC):
            if data.strip(b"\0"):
                logger.warning("ignored %d bytes after the gzip data", len(data))
            return bytes(out)


def parse_w3c_datetime(value: str | None) -> datetime | None:
    """Parse a W3C/ISO 8601 date or datetime as UTC; timezone-less values are taken as UTC."""
    if not value or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    for candidate, suffix in ((text, ""), (text, "-01"), (text, "-01-01")):
        try:
            parsed = datetime.fromisoformat(candidate + suffix)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def iso_utc(value: datetime | None) -> str | None:
    """Format a datetime as ISO 8601 UTC with a Z suffix."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None
