from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import tempfile
import threading
from collections import Counter
from pathlib import Path

import pytest

from transforms import lake
from transforms.capture.files import capture_file, folder_contents, iter_input_files
from transforms.capture.store import capture_paths, check_inputs
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


def test_every_member_of_a_multi_member_gzip_is_read(tmp_path: Path) -> None:
    path = tmp_path / "joined.html.gz"
    path.write_bytes(gzip.compress(b"<p>first</p>") + gzip.compress(b"<p>second</p>"))
    capture = capture_file(path, 1000)
    assert isinstance(capture, Capture)
    assert capture.body == b"<p>first</p><p>second</p>"
    # The size cap counts every member together.
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"a" * 600) + gzip.compress(b"b" * 600))
    assert capture_file(bomb, 1000).reason == "too_large"


def _capture_within(path: Path, max_bytes: int, seconds: float = 10.0) -> Capture | Reject | None:
    """Return capture_file's answer, or None if it has not answered in time (a hang)."""
    answer: list[Capture | Reject] = []
    worker = threading.Thread(target=lambda: answer.append(capture_file(path, max_bytes)))
    worker.daemon = True
    worker.start()
    worker.join(seconds)
    return answer[0] if answer else None


def _unblock_fifo(fifo: Path) -> None:
    """Let a reader stuck opening the FIFO go (a writer opens and closes it)."""
    with contextlib.suppress(OSError):
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_fifos_and_devices_are_rejected_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    (tmp_path / "to-pipe.html").symlink_to(fifo)
    (tmp_path / "zero.html").symlink_to("/dev/zero")
    try:
        for name in ("pipe.html", "to-pipe.html", "zero.html"):
            answer = _capture_within(tmp_path / name, 1_000_000)
            assert isinstance(answer, Reject), f"{name}: no answer (hung) or captured"
            assert answer.reason == "not_regular_file"
        # In a folder, too: found, then rejected, never silently skipped.
        found = [p.name for p in iter_input_files([tmp_path]) if isinstance(p, Path)]
        assert found == ["pipe.html", "to-pipe.html", "zero.html"]
    finally:
        _unblock_fifo(fifo)


def _walk_as_nobody(root: Path) -> list[tuple[str, str]]:
    """Return iter_input_files' findings from a process that cannot read what root can."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        try:
            os.setgid(65534)
            os.setuid(65534)
            found = [
                (item.reason, item.locator) if isinstance(item, Reject) else ("file", item.name)
                for item in iter_input_files([root])
            ]
            os.write(writer, json.dumps(found).encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as handle:
        data = handle.read()
    os.waitpid(child, 0)
    return [tuple(pair) for pair in json.loads(data)]


def test_an_unreadable_sub_folder_is_rejected_and_the_rest_is_read() -> None:
    # Not pytest's tmp_path: another user must be able to walk it when the tests run as root.
    root = Path(tempfile.mkdtemp(prefix="newsloom-perm-"))
    try:
        root.chmod(0o755)
        (root / "open").mkdir()
        (root / "open" / "a.html").write_text("<p>a</p>")
        (root / "closed").mkdir()
        (root / "closed" / "b.html").write_text("<p>b</p>")
        (root / "closed").chmod(0)
        if os.geteuid() == 0:
            found = _walk_as_nobody(root)
        else:
            found = [
                (item.reason, item.locator) if isinstance(item, Reject) else ("file", item.name)
                for item in iter_input_files([root])
            ]
        assert found == [("unreadable", str(root / "closed")), ("file", "a.html")]
    finally:
        (root / "closed").chmod(0o755)
        shutil.rmtree(root)


def test_a_file_name_that_is_not_utf8_is_captured_under_an_escaped_locator(
    tmp_path: Path,
) -> None:
    name = os.fsdecode(b"caf\xe9.html")
    (tmp_path / name).write_text("<p>caf\u00e9</p>")
    (tmp_path / os.fsdecode(b"\xff\xfe.pdf")).write_bytes(b"%PDF")
    lake_dir = tmp_path / "lake"
    lake.ensure_lake(lake_dir)
    counts = capture_paths([tmp_path], lake_dir, "r1", batch_size=10, max_bytes=10_000)
    assert counts.count_captured == 1
    with lake.connect_lake(lake_dir) as connection:
        locators = connection.execute("select locator from captures").fetchall()
    assert locators == [(str(tmp_path / "caf\\xe9.html"),)]
    # Known by its locator: a second pass skips it unchanged.
    again = capture_paths([tmp_path], lake_dir, "r2", batch_size=10, max_bytes=10_000)
    assert (again.count_captured, again.count_unchanged) == (0, 1)


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
