"""Running the models: the copy of the published database a build updates."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from transforms.warehouse import models


def test_copy_database_writes_the_copy_to_disk_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy is the source's bytes, and a thread fsyncs it (the build's commits wait less)."""
    source, target = tmp_path / "published.duckdb", tmp_path / "build.duckdb"
    source.write_bytes(os.urandom(100_000))
    flushed: list[int] = []
    done = threading.Event()
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        flushed.append(os.fstat(descriptor).st_ino)
        done.set()

    monkeypatch.setattr(models.os, "fsync", fsync)
    models.copy_database(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert done.wait(10)
    assert flushed == [target.stat().st_ino]
