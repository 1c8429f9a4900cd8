from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from transforms.capture.files import capture_file, folder_contents, iter_input_files
from transforms.capture.store import check_inputs
from transforms.schemas import Capture, Reject


def test_walks_folders_recursively_and_reads_gzip(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.html").write_text("<p>one</p>")
    (tmp_path / "a" / "b" / "two.htm").write_text("<p>two</p>")
    (tmp_path / "a" / "b" / "three.txt.gz").write_bytes(gzip.compress(b"three"))
    (tmp_path / "a" / "b" / "four.xhtml").write_text("<p>four</p>")
    (tmp_path / "a" / "image.png").write_bytes(b"\x89PNG")
    found = list(iter_input_files([tmp_path]))
    assert [p.name for p in found] == ["four.xhtml", "three.txt.gz", "two.htm", "one.html"]
    capture = capture_file(tmp_path / "a" / "b" / "three.txt.gz", 1000)
    assert isinstance(capture, Capture)
    assert (capture.body, capture.source_kind) == (b"three", "text")


def test_same_bytes_same_id(tmp_path: Path) -> None:
    path = tmp_path / "x.html"
    path.write_text("<p>same</p>")
    assert capture_file(path, 1000).capture_id == capture_file(path, 1000).capture_id


def test_bad_paths_become_rejects(tmp_path: Path) -> None:
    missing = tmp_path / "missing.html"
    (tmp_path / "dangling.html").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    results = list(iter_input_files([missing, tmp_path / "notes.pdf"]))
    assert [(r.reason) for r in results] == ["not_found", "unsupported_type"]
    dangling = capture_file(tmp_path / "dangling.html", 1000)
    assert isinstance(dangling, Reject)
    assert dangling.reason == "unreadable"


def test_truncated_gzip_large_and_empty_files_are_rejected(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.html.gz"
    truncated.write_bytes(gzip.compress(b"<p>" + b"x" * 5000 + b"</p>")[:-20])
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"y" * 3000 + b"</p>")
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b" " * 200_000))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    reasons = {p.name: capture_file(p, 2000).reason for p in (truncated, big, bomb, empty)}
    assert reasons == {
        "cut.html.gz": "corrupt_gzip",
        "big.html": "too_large",
        "bomb.html.gz": "too_large",
        "empty.html": "empty",
    }


def test_folder_contents_stops_at_a_supported_file(tmp_path: Path) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF")
    assert folder_contents(tmp_path) == (False, Counter({".pdf": 1}))
    (tmp_path / "story.html.gz").write_bytes(gzip.compress(b"<p>x</p>"))
    assert folder_contents(tmp_path) == (True, Counter())


def test_skipped_files_are_counted_by_suffix(tmp_path: Path) -> None:
    for name in ("a.html", "b.pdf", "c.pdf", "README"):
        (tmp_path / name).write_text("x")
    skipped: Counter[str] = Counter()
    assert [p.name for p in iter_input_files([tmp_path], skipped)] == ["a.html"]
    assert skipped == Counter({".pdf": 2, "no suffix": 1})


@pytest.mark.parametrize(
    ("names", "usable", "problem"),
    [
        (["missing"], [], "no such file or directory"),
        (["pdfs"], [], "no supported files (1 .pdf)"),
        (["empty"], [], "no supported files (the folder is empty)"),
        (["notes.pdf"], [], "not a file type newsloom reads"),
        (["pages", "missing"], ["pages"], "no such file or directory"),
        (["pages", "story.html"], ["pages", "story.html"], None),
        (["https://news.example/feed.xml"], ["https://news.example/feed.xml"], None),
        (["ftp://news.example/x"], [], "unsupported URL scheme"),
    ],
)
def test_check_inputs(
    names: list[str], usable: list[str], problem: str | None, tmp_path: Path
) -> None:
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "scan.pdf").write_bytes(b"%PDF")
    (tmp_path / "empty").mkdir()
    (tmp_path / "pages" / "deep").mkdir(parents=True)
    (tmp_path / "pages" / "deep" / "story.htm").write_text("<p>x</p>")
    (tmp_path / "story.html").write_text("<p>x</p>")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")

    def located(name: str) -> str:
        return name if "://" in name else str(tmp_path / name)

    found, problems = check_inputs([located(name) for name in names])
    assert found == [located(name) for name in usable]
    assert [p.detail for p in problems] == ([problem] if problem else [])
