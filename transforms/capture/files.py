"""Capture from local paths: files and folders of HTML and text, gzip or not."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from transforms.progress import progress
from transforms.schemas import Capture, Reject

logger = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt",)
SUPPORTED_SUFFIXES = HTML_SUFFIXES + TEXT_SUFFIXES


def _base_suffix(path: Path) -> str:
    """Return the document suffix, looking through a trailing .gz."""
    name = path.name.lower()
    name = name.removesuffix(".gz")
    return Path(name).suffix


def is_supported_file(path: Path) -> bool:
    """Return True for a file newsloom reads (.html/.htm/.xhtml/.txt, optionally gzipped)."""
    return _base_suffix(path) in SUPPORTED_SUFFIXES


def unsupported_label(path: Path) -> str:
    """Return how a skipped file is counted: its suffix (through .gz), or "no suffix"."""
    return _base_suffix(path) or "no suffix"


def iter_input_files(
    inputs: list[Path], skipped: Counter[str] | None = None
) -> Iterator[Path | Reject]:
    """Yield supported files under the inputs (recursively, sorted), or rejects for bad paths.

    Files in folders with other suffixes are skipped, counted by suffix into `skipped`.
    """
    for raw in inputs:
        path = raw.expanduser().absolute()
        if not path.exists():
            yield Reject("capture", str(path), "not_found", "no such file or directory")
        elif path.is_dir():
            try:
                found = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink())
            except OSError as error:
                yield Reject("capture", str(path), "unreadable", str(error))
                continue
            supported = [p for p in found if is_supported_file(p)]
            unsupported = Counter(unsupported_label(p) for p in found if not is_supported_file(p))
            if unsupported:
                logger.info(
                    "skipped %d files with unsupported suffixes under %s",
                    unsupported.total(),
                    path,
                )
                if skipped is not None:
                    skipped.update(unsupported)
            progress().add_total("capture", len(supported))
            yield from supported
        elif is_supported_file(path):
            progress().add_total("capture", 1)
            yield path
        else:
            yield Reject(
                "capture",
                str(path),
                "unsupported_type",
                f"expected one of {', '.join(SUPPORTED_SUFFIXES)} (optionally .gz)",
            )


def folder_contents(folder: Path) -> tuple[bool, Counter[str]]:
    """Return whether a folder holds a supported file, and (when not) its other files by suffix."""
    # Stops at the first supported file: a check before a run must not walk a big folder twice.
    unsupported: Counter[str] = Counter()
    for path in folder.rglob("*"):
        if path.is_file() or path.is_symlink():
            if is_supported_file(path):
                return True, Counter()
            unsupported[unsupported_label(path)] += 1
    return False, unsupported


def _read_gzip(data: bytes, max_bytes: int) -> bytes:
    """Return decompressed gzip data, refusing output larger than max_bytes."""
    decompressor = zlib.decompressobj(wbits=31)
    out = decompressor.decompress(data, max_bytes + 1)
    if len(out) > max_bytes:
        raise OverflowError(f"decompresses to more than {max_bytes} bytes")
    if not decompressor.eof:
        raise EOFError("the gzip stream ends before its end marker (truncated)")
    return out


def capture_file(path: Path, max_bytes: int) -> Capture | Reject:
    """Return the capture of one file, or a reject saying why it cannot be read."""
    locator = str(path)
    try:
        stat = path.stat()
        if stat.st_size > max_bytes:
            return Reject(
                "capture", locator, "too_large", f"{stat.st_size} bytes, limit is {max_bytes}"
            )
        data = path.read_bytes()
    except OSError as error:
        return Reject("capture", locator, "unreadable", f"{type(error).__name__}: {error}")
    if path.name.lower().endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = _read_gzip(data, max_bytes)
        except OverflowError as error:
            return Reject("capture", locator, "too_large", str(error))
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            return Reject("capture", locator, "corrupt_gzip", f"{type(error).__name__}: {error}")
    if not data.strip():
        return Reject("capture", locator, "empty", "the file has no content")
    kind = "text" if _base_suffix(path) in TEXT_SUFFIXES else "file"
    return Capture(
        locator=locator,
        source_kind=kind,
        body=data,
        content_type="text/plain" if kind == "text" else "text/html",
        origin_meta={"file_size": stat.st_size, "mtime_ns": stat.st_mtime_ns},
    )
