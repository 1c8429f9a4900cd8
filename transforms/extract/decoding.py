"""Bytes to text: BOMs, declared charsets, detection, and a clear reason when it cannot be done."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import charset_normalizer
from charset_normalizer.md import mess_ratio

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
# A UTF-8 page (declared or not) may carry a few stray bytes of another charset: text pasted
# from a windows-1252 source (curly quotes, dashes, accented letters). Up to this share of
# invalid sequences, or this many, they are read as windows-1252 and the rest as UTF-8; past it
# the page is damaged, not mixed, and is rejected rather than published garbled
# (benchmarks/decoding_check.py measures both on real pages).
MAX_STRAY_SHARE = 0.002
MAX_STRAY_ALWAYS = 16
# Detection is trusted up to this chaos (charset_normalizer's mess ratio): real legacy-charset
# pages measure 0.00-0.01, UTF-8 pages damaged in 1-3% of their bytes 0.13-0.19 (read as
# mac_iceland and the like: garbled).
MAX_CHAOS = 0.1
# Real pages dilute that with markup: the visible text alone measures 0.00-0.01 for real pages
# re-encoded in their legacy charset, a median 0.1 for damaged UTF-8 pages read as one.
MAX_TEXT_MESS = 0.03
# A page read in a Latin legacy charset has next to no valid multi-byte UTF-8 characters per
# invalid sequence; more than this and it is a UTF-8 page damaged (or mixed past the stray limit).
MIN_UTF8_SHARE = 0.05
C1_CONTROL_RE = re.compile("[\x80-\x9f]")
WEB_LATIN_CHARSETS = ("cp1252", "cp1250", "cp1257", "cp1254", "iso8859-2", "iso8859-15")
INVISIBLE_RE = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]*>", re.DOTALL | re.I)
# WHATWG: a meta (or XML) label of UTF-16 on a byte stream read as ASCII-compatible means UTF-8.
UTF16_LABELS = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
STRAY_ERRORS = "newsloom-cp1252"


def _stray_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 refused as windows-1252 (undefined bytes become U+FFFD)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


codecs.register_error(STRAY_ERRORS, _stray_as_cp1252)


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
        if codec not in UTF16_LABELS:
            return codec, "header"
        # WHATWG decodes a UTF-16 label as UTF-16; bytes that are not UTF-16 say otherwise.
        if order := _utf16_order(body):
            return (order if codec == "utf-16" else codec), "header"
    head = body[:4096]
    for pattern, where in ((XML_ENCODING_RE, "xml"), (META_CHARSET_RE, "meta")):
        if (match := pattern.search(head)) and (
            codec := _codec_name(match.group(1).decode("ascii", "ignore"))
        ):
            # The declaration was read as ASCII, so the bytes are not UTF-16 (WHATWG).
            return ("utf-8", where) if codec in UTF16_LABELS else (codec, where)
    return None


def _utf16_order(body: bytes) -> str | None:
    """Return 'utf-16-le' or 'utf-16-be' for BOM-less UTF-16 text (NUL every other byte)."""
    head = body[:4096]
    if len(head) < 16:
        return None
    even, odd = head[0::2], head[1::2]
    # ASCII-range text (markup, digits, Latin letters) in UTF-16 has a NUL in one half of each
    # pair; a share of it is enough (the rest may be any script), the other half has next to none.
    if odd.count(0) >= 0.05 * len(odd) and even.count(0) <= 0.01 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.05 * len(even) and odd.count(0) <= 0.01 * len(odd):
        return "utf-16-be"
    return None


TAG_RE = re.compile(r"<[^>]*>")
TEXT_PUNCTUATION = set(".,;:!?'\"()-–—…/&%$€£#@*+=[]{}<>|«»„“”‘’")


def _printable_share(text: str) -> float:
    """Return the share of characters in the head of the text that are not control characters."""
    head = text[:20000]
    controls = sum(1 for char in head if unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"))
    controls -= head.count("\n") + head.count("\r") + head.count("\t")
    return 1 - controls / len(head)


def _script(char: str) -> str:
    """Return the script family of a letter (Japanese kana and kanji count as one)."""
    name = unicodedata.name(char, "")
    family = name.split(" ", 1)[0]
    if family in ("HIRAGANA", "KATAKANA", "CJK", "HALFWIDTH", "FULLWIDTH", "IDEOGRAPHIC"):
        return "CJK"
    return family


def _dominant_script(text: str) -> str:
    """Return the script family of most non-ASCII letters in the text ('LATIN' if none)."""
    scripts = Counter(_script(char) for char in text[:20000] if char.isalpha() and ord(char) > 127)
    return scripts.most_common(1)[0][0] if scripts else "LATIN"


def _plausible_text(text: str) -> bool:
    """Return True when a guessed decoding reads as prose rather than mojibake."""
    sample = TAG_RE.sub(" ", text[:20000])
    letters = [char for char in sample if char.isalpha()]
    if not letters:
        return False
    usual = sum(
        1
        for char in sample
        if char.isalnum()
        or char.isspace()
        or char in TEXT_PUNCTUATION
        # Other scripts' punctuation (、。「」) once the text is not Latin-1 mojibake.
        or (ord(char) > 0x2000 and unicodedata.category(char).startswith("P"))
    )
    if usual / len(sample) < 0.95:
        return False
    non_ascii = [char for char in letters if not char.isascii()]
    if len(non_ascii) / len(letters) <= 0.3:
        return True  # Latin-script prose: mostly ASCII letters, a few accented ones
    # Other scripts: one script family carries the text. Mojibake mixes them (Latin-1 letters,
    # symbols, a stray Cyrillic or Greek letter); Cyrillic read as windows-1252 is all accented
    # Latin letters, which real Latin-script text never is.
    scripts = Counter(_script(char) for char in non_ascii)
    script, count = scripts.most_common(1)[0]
    return script != "LATIN" and count / len(non_ascii) >= 0.9


def _text_mess(text: str) -> float:
    """Return charset_normalizer's mess ratio of the page's visible text (markup left out)."""
    plain = " ".join(INVISIBLE_RE.sub(" ", text).split())[:20000]
    return mess_ratio(plain, 1.0) if plain else 1.0


def _detect(
    body: bytes, problem: str, declared: tuple[str, str] | None, utf8_share: float = 0.0
) -> DecodedText:
    """Return the text in the charset detection finds, or raise DecodeError saying why not.

    `utf8_share` is valid multi-byte UTF-8 characters per invalid sequence: a page in a
    single-byte legacy charset has next to none, a damaged UTF-8 page keeps its own.
    """
    best = charset_normalizer.from_bytes(body[: 256 * 1024]).best()
    if best is not None and best.chaos <= MAX_CHAOS and _plausible_text(text := str(best)):
        if _dominant_script(text) != "LATIN":
            if _text_mess(text) <= MAX_TEXT_MESS:
                return DecodedText(
                    body.decode(best.encoding, errors="replace"), best.encoding, "detected"
                )
        elif utf8_share < MIN_UTF8_SHARE and (latin := _latin_legacy(body)):
            return DecodedText(latin[1], latin[0], "detected")
    raise DecodeError(
        "invalid_encoding",
        f"cannot decode: {problem}; no charset fits"
        + (f" (declared {declared[0]} in {declared[1]})" if declared else ""),
    )


def _latin_legacy(body: bytes) -> tuple[str, str] | None:
    """Return (codec, text) of the web's Latin legacy charset that reads the page best, if any.

    Detection alone picks near relatives (cp775, mac_iceland, iso8859-10) that get a few
    letters wrong; pages were written in these, windows-1252 first (WHATWG's default).
    """
    readings = []
    for order, codec in enumerate(WEB_LATIN_CHARSETS):
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        # C1 controls are in no real page: ISO-8859 reads bytes 0x80-0x9F as them.
        if not C1_CONTROL_RE.search(text) and _plausible_text(text):
            readings.append((_text_mess(text), order, codec, text))
    if not readings:
        return None
    mess, _order, codec, text = min(readings)
    return (codec, text) if mess <= MAX_TEXT_MESS else None


def _decode_utf8(body: bytes, where: str, declared: tuple[str, str] | None) -> DecodedText:
    """Return UTF-8 text (a few stray windows-1252 bytes read as such), or detect a charset."""
    try:
        return DecodedText(body.decode("utf-8"), "utf-8", where)
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 ({error.reason} at byte {error.start})"
    lossy = body.decode("utf-8", errors="replace")
    invalid = lossy.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    multibyte = len(lossy) - len(lossy.encode("ascii", "ignore")) - lossy.count("\ufffd")
    if invalid <= max(MAX_STRAY_ALWAYS, MAX_STRAY_SHARE * len(body)) and multibyte:
        logger.debug("utf-8 text with %d stray bytes read as windows-1252", invalid)
        return DecodedText(body.decode("utf-8", errors=STRAY_ERRORS), "utf-8", f"{where}_mixed")
    if multibyte:
        problem = (
            f"UTF-8 text with {invalid} invalid byte sequences ({invalid / len(body):.1%} of "
            "the bytes): damaged or mixed"
        )
    return _detect(body, problem, declared, multibyte / invalid)


def decode_body(body: bytes, header_charset: str | None = None) -> DecodedText:
    """Return the text of a document, or raise DecodeError with a reject reason."""
    if not body.strip():
        raise DecodeError("empty", "the document has no content")
    declared = declared_charset(body, header_charset)
    magic = next((kind for magic, kind in BINARY_MAGIC.items() if body.startswith(magic)), None)
    if declared is None and magic is None and (order := _utf16_order(body)):
        try:
            text = body.decode(order)
        except UnicodeDecodeError:
            text = ""  # not UTF-16 after all: the checks below say what it is
        if text and _printable_share(text) >= 0.99:
            return DecodedText(text, order, "detected")
    utf16 = declared is not None and declared[0].startswith("utf-16")
    if not utf16 and (kind := sniff_binary(body)):
        raise DecodeError("binary_content", f"the bytes are {kind} data, not text")
    if declared is None or declared[0] == "utf-8":
        return _decode_utf8(body, declared[1] if declared else "default", declared)
    codec, where = declared
    # WHATWG: pages labelled latin-1 are decoded as windows-1252.
    codec = "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec
    try:
        return DecodedText(body.decode(codec), codec, where)
    except UnicodeDecodeError as error:
        first_error = f"{error.reason} at byte {error.start}"
    if codec in ("utf-16", "utf-16-le", "utf-16-be"):
        raise DecodeError("invalid_encoding", f"cannot decode as {codec}: {first_error}")
    # Mislabelled: often UTF-8 under a legacy label, else another legacy charset.
    return _decode_utf8(body, "detected", declared)
