"""Flow fixtures: the capture tests' HTTP server, and one warehouse built from the seeds."""

from pathlib import Path

import pytest

from flows.ingest import ingest_articles
from tests.capture.conftest import fast, make_site, reply  # noqa: F401
from tests.conftest import SEEDS
from transforms.settings import Settings


@pytest.fixture(scope="session")
def seeds_warehouse(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a warehouse built by one run over the two seeds; tests must not change it.

    Its folder name holds a quote and a space: every path the run puts into SQL must survive it.
    """
    folder = tmp_path_factory.mktemp("seeds") / "o'brien's warehouse"
    ingest_articles(inputs=[str(SEEDS)], settings=Settings(warehouse_dir=folder, workers=1))
    return folder
