"""Store captures in the lake in batches: nothing stored twice, every reject kept."""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from transforms import lake
from transforms.capture.files import (
    capture_file,
    folder_contents,
    is_supported_file,
    iter_input_files,
    path_locator,
)
from transforms.capture.settings import FetchSettings
from transforms.capture.sources import SourcesConfig
from transforms.capture.web import capture_inputs_auto, capture_sources, classify_input
from transforms.progress import progress
from transforms.schemas import Capture, Reject

logger = logging.getLogger(__name__)


@dataclass
class CaptureCounts:
    """What a capture pass did."""

    count_captured: int = 0
    count_unchanged: int = 0
    rejects_by_reason: Counter[str] = field(default_factory=Counter)
    # Files in input folders that newsloom does not read, by suffix (not rejects: not inputs).
    skipped_by_suffix: Counter[str] = field(default_factory=Counter)

    @property
    def count_rejected(self) -> int:
        """Return the number of rejected inputs."""
        return sum(self.rejects_by_reason.values())


def store_captures(
    items: Iterable[Capture | Reject],
    lake_dir: lake.LakeLocation,
    run_id: str,
    batch_size: int,
    part: str = "c",
) -> CaptureCounts:
    """Write captures (new ids only) and rejects to the lake, one part file per batch."""
    counts = CaptureCounts()
    pending: dict[str, Capture] = {}
    rejects: list[Reject] = []
    number = 0

    def flush() -> None:
        nonlocal number
        known = lake.read_capture_ids(lake_dir, list(pending))
        fresh = [capture.to_row(run_id) for key, capture in pending.items() if key not in known]
        counts.count_captured += lake.write_rows(
            lake_dir, "captures", fresh, f"{run_id}-{part}{number:05d}"
        )
        counts.count_unchanged += len(pending) - len(fresh)
        lake.write_rows(
            lake_dir, "rejects", (r.to_row(run_id) for r in rejects), f"{run_id}-{part}{number:05d}"
        )
        counts.rejects_by_reason.update(r.reason for r in rejects)
        pending.clear()
        rejects.clear()
        number += 1

    listener = progress()
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            pending.setdefault(item.capture_id, item)
        listener.advance("capture", rejected=int(isinstance(item, Reject)))
        if len(pending) + len(rejects) >= batch_size:
            flush()
    flush()
    logger.info(
        "captured %d documents, %d already known, %d rejected",
        counts.count_captured,
        counts.count_unchanged,
        counts.count_rejected,
    )
    return counts


def iter_file_captures(
    paths: list[Path], lake_dir: lake.LakeLocation, max_bytes: int, counts: CaptureCounts
) -> Iterable[Capture | Reject]:
    """Yield captures of local files, skipping files unchanged since their last capture."""
    known = lake.read_known_files(lake_dir)
    for item in iter_input_files(paths, counts.skipped_by_suffix):
        if isinstance(item, Reject):
            yield item
            continue
        try:
            stat = item.stat()
        except OSError as error:
            detail = f"{type(error).__name__}: {error}"
            yield Reject("capture", path_locator(item), "unreadable", detail)
            continue
        if known.get(path_locator(item)) == (stat.st_size, stat.st_mtime_ns):
            counts.count_unchanged += 1
            progress().advance("capture")
            continue
        yield capture_file(item, max_bytes)


def capture_paths(
    paths: list[Path], lake_dir: lake.LakeLocation, run_id: str, batch_size: int, max_bytes: int
) -> CaptureCounts:
    """Capture local files and folders into the lake."""
    skipped = CaptureCounts()
    counts = store_captures(
        iter_file_captures(paths, lake_dir, max_bytes, skipped), lake_dir, run_id, batch_size, "f"
    )
    counts.count_unchanged += skipped.count_unchanged
    counts.skipped_by_suffix += skipped.skipped_by_suffix
    return counts


def capture_inputs(
    inputs: list[str],
    lake_dir: lake.LakeLocation,
    state_dir: Path,
    run_id: str,
    *,
    batch_size: int,
    max_bytes: int,
    fetch: FetchSettings,
    sources: SourcesConfig | None = None,
) -> CaptureCounts:
    """Capture any mix of paths, URLs, feeds, sitemaps, URL lists and WARCs, then sources' feeds."""
    skipped = CaptureCounts()

    def capture_path(path: Path) -> Iterable[Capture | Reject]:
        return iter_file_captures([path], lake_dir, max_bytes, skipped)

    items: Iterable[Capture | Reject] = capture_inputs_auto(
        inputs, fetch, state_dir, capture_path=capture_path
    )
    if sources is not None and (sources.feed_urls() or sources.sitemap_urls()):
        items = itertools.chain(items, capture_sources(sources, fetch, state_dir))
    counts = store_captures(items, lake_dir, run_id, batch_size, "c")
    counts.count_unchanged += skipped.count_unchanged
    counts.skipped_by_suffix += skipped.skipped_by_suffix
    return counts


@dataclass(frozen=True)
class InputProblem:
    """An input that gives the run nothing: missing, or with no file newsloom reads."""

    locator: str
    detail: str


def check_inputs(inputs: list[str]) -> tuple[list[str], list[InputProblem]]:
    """Split inputs into those that may give documents and those that cannot (with why)."""
    usable: list[str] = []
    problems: list[InputProblem] = []
    for arg in inputs:
        kind = classify_input(arg)
        path = Path(arg.removeprefix("file://")).expanduser()
        if kind == "unknown":
            reason = "no such file or directory" if "://" not in arg else "unsupported URL scheme"
            problems.append(InputProblem(arg, reason))
        elif kind == "path" and path.is_dir():
            has_supported, others = folder_contents(path)
            if has_supported:
                usable.append(arg)
            else:
                found = ", ".join(f"{n} {suffix}" for suffix, n in others.most_common(5))
                problems.append(
                    InputProblem(arg, f"no supported files ({found or 'the folder is empty'})")
                )
        elif kind == "path" and not is_supported_file(path):
            problems.append(InputProblem(arg, "not a file type newsloom reads"))
        else:
            usable.append(arg)
    return usable, problems
