"""Bytes to text: BOMs, declared charsets, detection, and a clear reason when it cannot be done."""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

import charset_normalizer

logger = logging.getLogger(__name__)

META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
XML_ENCODING_RE = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""")
BINARY_MAGIC = {
    b"%PDF": "pdf",
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"PK\x03\x04": "zip",
    b"\x1f\x8b": "gzip",
    b"\x7fELF": "elf",
    b"RIFF": "riff",
}
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A declared-UTF-8 page with at most this share of bad bytes is kept, with replacements.
MAX_LOSSY_SHARE = 0.001


class DecodeError(ValueError):
    """The bytes cannot be read as text; `reason` is the rejects code."""

    def __init__(self, reason: str, detail: str) -> None:
        """Keep the reject reason beside the message."""
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class DecodedText:
    """Text with the charset used and how it was chosen ('bom', 'header', 'meta', 'detected')."""

    text: str
    charset: str
    charset_source: str


def sniff_binary(body: bytes) -> str | None:
    """Return a file-type name when the bytes are not text (magic number or control bytes)."""
    for magic, kind in BINARY_MAGIC.items():
        if body.startswith(magic):
            return kind
    head = body[:8192]
    if any(head.startswith(bom) for bom, _ in BOMS):
        return None
    if b"\x00" in head:
        return "binary"
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return "binary" if head and controls / len(head) > 0.05 else None


def _codec_name(label: str) -> str | None:
    """Return Python's codec name for a charset label, or None when unknown."""
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_charset(body: bytes, header_charset: str | None) -> tuple[str, str] | None:
    """Return (codec, where) from a BOM, the HTTP header, or an XML/meta declaration."""
    for bom, codec in BOMS:
        if body.startswith(bom):
            return codec, "bom"
    if header_charset and (codec := _codec_name(header_charset)):
        return codec, "header"
    head = body[:4096]
    for pattern, where in ((XML_ENCODING_RE, "xml"), (META_CHARSET_RE, "meta")):
        if (match := pattern.search(head)) and (
            codec := _codec_name(match.group(1).decode("ascii", "ignore"))
        ):
            return codec, where
    return None


TAG_RE = re.compile(r"<[^>]*>")
TEXT_PUNCTUATION = set(".,;:!?'\"()-–—…/&%$€£#@*+=[]{}<>|«»„“”‘’")


def _plausible_text(text: str) -> bool:
    """Return True when a guessed decoding reads as prose rather than mojibake."""
    sample = TAG_RE.sub(" ", text[:20000])
    letters = [char for char in sample if char.isalpha()]
    if not letters:
        return False
    usual = sum(
        1 for char in sample if char.isalnum() or char.isspace() or char in TEXT_PUNCTUATION
    )
    non_ascii = sum(1 for char in letters if not char.isascii())
    # Guessing only rescues Latin-script pages mislabelled or undeclared; others need a label.
    return usual / len(sample) >= 0.95 and non_ascii / len(letters) <= 0.3


def decode_body(body: bytes, header_charset: str | None = None) -> DecodedText:
    """Return the text of a document, or raise DecodeError with a reject reason."""
    if not body.strip():
        raise DecodeError("empty", "the document has no content")
    if kind := sniff_binary(body):
        raise DecodeError("binary_content", f"the bytes are {kind} data, not text")
    declared = declared_charset(body, header_charset)
    if declared:
        codec, where = declared
        # WHATWG: pages labelled latin-1 are decoded as windows-1252.
        codec = "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec
        try:
            return DecodedText(body.decode(codec), codec, where)
        except UnicodeDecodeError as error:
            lossy = body.decode(codec, errors="replace")
            bad = lossy.count("\ufffd")
            if codec == "utf-8" and bad <= MAX_LOSSY_SHARE * len(body):
                logger.debug("kept utf-8 text with %d bad bytes", bad)
                return DecodedText(lossy, codec, f"{where}_lossy")
            first_error = f"{error.reason} at byte {error.start}"
    else:
        try:
            return DecodedText(body.decode("utf-8"), "utf-8", "default")
        except UnicodeDecodeError as error:
            first_error = f"not UTF-8 ({error.reason} at byte {error.start})"
    best = charset_normalizer.from_bytes(body[: 256 * 1024]).best()
    if best is None or best.chaos > 0.2 or not _plausible_text(str(best)):
        raise DecodeError(
            "invalid_encoding",
            f"cannot decode: {first_error}; no charset fits"
            + (f" (declared {declared[0]} in {declared[1]})" if declared else ""),
        )
    return DecodedText(body.decode(best.encoding, errors="replace"), best.encoding, "detected")
