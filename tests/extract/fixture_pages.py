"""The fixture pages in tests/extract/pages and how the metadata tests extract them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from transforms.extract.article import ExtractOptions, extract_capture
from transforms.schemas import Capture

FIXTURES = Path(__file__).parent / "pages"
FETCHED_AT = datetime(2025, 6, 1, 12, tzinfo=UTC)


def extract_page(
    name: str, url: str | None = None, fetched_at: datetime | None = None, **options: Any
) -> dict[str, Any]:
    """Return the article row of a fixture page, captured from a URL (or as a file without one)."""
    capture = Capture(
        locator=url or str(FIXTURES / name),
        source_kind="url" if url else "file",
        body=(FIXTURES / name).read_bytes(),
        **({"fetched_at": fetched_at} if fetched_at else {}),
    )
    row = extract_capture(capture.to_row("test"), ExtractOptions(**options))
    assert isinstance(row, dict), row
    return row
