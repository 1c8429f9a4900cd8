"""Capture from local paths: files and folders of HTML and text, gzip or not."""

from __future__ import annotations

import logging
import os
import stat as stat_mode
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from transforms.capture.safexml import GZIP_MAGIC, UnsafeDocument, gunzip_capped
from transforms.progress import progress
from transforms.schemas import Capture, Reject, safe_text

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


def path_locator(path: str | os.PathLike[str]) -> str:
    """Return a path as a locator: bytes of a name that is not UTF-8 become backslash escapes."""
    return safe_text(os.fspath(path))


def walk_files(root: Path) -> tuple[list[Path], list[Reject]]:
    """Return every non-folder entry under root (sorted), and a reject per unreadable folder."""
    found: list[Path] = []
    rejects: list[Reject] = []

    def unreadable(error: OSError) -> None:
        where = path_locator(error.filename or root)
        rejects.append(Reject("capture", where, "unreadable", f"{type(error).__name__}: {error}"))

    # os.walk, not Path.rglob: rglob skips a folder it cannot read without a word.
    for folder, folders, files in os.walk(root, onerror=unreadable):
        base = Path(folder)
        found.extend(base / name for name in files)
        # Linked folders are not followed (no loops, nothing outside the input), but a link
        # named like a document is kept: reading it says what it is.
        found.extend(base / name for name in folders if (base / name).is_symlink())
    return sorted(found), rejects


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
            yield Reject("capture", path_locator(path), "not_found", "no such file or directory")
        elif path.is_dir():
            found, rejects = walk_files(path)
            yield from rejects
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
                path_locator(path),
                "unsupported_type",
                f"expected one of {', '.join(SUPPORTED_SUFFIXES)} (optionally .gz)",
            )


def _read_regular_file(path: Path, max_bytes: int) -> tuple[os.stat_result, bytes] | Reject:
    """Return a regular file's stat and at most max_bytes + 1 of its bytes, or a reject."""
    locator = path_locator(path)
    try:
        # Non-blocking: opening a FIFO must not wait for a writer. The checks use the opened
        # file's own stat, so a link swapped after a check cannot slip a device in.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return Reject("capture", locator, "unreadable", f"{type(error).__name__}: {error}")
    with os.fdopen(fd, "rb") as handle:
        try:
            stat = os.fstat(fd)
            if not stat_mode.S_ISREG(stat.st_mode):
                kind = _file_kind(stat.st_mode)
                return Reject("capture", locator, "not_regular_file", f"a {kind}, not a file")
            if stat.st_size > max_bytes:
                detail = f"{stat.st_size} bytes, limit is {max_bytes}"
                return Reject("capture", locator, "too_large", detail)
            # Capped while reading: the file may grow after its size was checked.
            data = handle.read(max_bytes + 1)
        except OSError as error:
            return Reject("capture", locator, "unreadable", f"{type(error).__name__}: {error}")
    if len(data) > max_bytes:
        return Reject("capture", locator, "too_large", f"grew past {max_bytes} bytes while read")
    return stat, data


def _file_kind(mode: int) -> str:
    """Return what a non-regular file is, in words."""
    for test, kind in (
        (stat_mode.S_ISFIFO, "FIFO (named pipe)"),
        (stat_mode.S_ISCHR, "character device"),
        (stat_mode.S_ISBLK, "block device"),
        (stat_mode.S_ISSOCK, "socket"),
        (stat_mode.S_ISDIR, "folder"),
    ):
        if test(mode):
            return kind
    return "special file"


def folder_contents(folder: Path) -> tuple[bool, Counter[str]]:
    """Return whether a folder holds a supported file, and (when not) its other files by suffix."""
    # Stops at the first supported file: a check before a run must not walk a big folder twice.
    unsupported: Counter[str] = Counter()
    for base, folders, files in os.walk(folder):
        linked = [name for name in folders if (Path(base) / name).is_symlink()]
        for name in (*files, *linked):
            path = Path(base) / name
            if is_supported_file(path):
                return True, Counter()
            unsupported[unsupported_label(path)] += 1
    return False, unsupported


def capture_file(path: Path, max_bytes: int) -> Capture | Reject:
    """Return the capture of one file, or a reject saying why it cannot be read."""
    locator = path_locator(path)
    read = _read_regular_file(path, max_bytes)
    if isinstance(read, Reject):
        return read
    stat, data = read
    if path.name.lower().endswith(".gz") or data[:2] == GZIP_MAGIC:
        try:
            data = gunzip_capped(data, max_bytes)
        except UnsafeDocument as error:
            reason = "too_large" if error.reason == "decompression_bomb" else "corrupt_gzip"
            return Reject("capture", locator, reason, error.detail)
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
