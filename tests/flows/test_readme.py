"""The README's Python examples run as shown, with only the runtime installed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

README = REPO / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert python_blocks()


@pytest.mark.parametrize("number", range(len(python_blocks())))
def test_readme_python_example_runs(number: int, seeds_warehouse: Path, tmp_path: Path) -> None:
    # The examples read ./warehouse, as after `make run`.
    (tmp_path / "warehouse").symlink_to(seeds_warehouse, target_is_directory=True)
    done = subprocess.run(
        [sys.executable, "-c", python_blocks()[number]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
