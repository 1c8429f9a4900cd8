"""Shared fixtures: repo paths, the seeds, and a Prefect test harness for flow runs."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from transforms.lake import RemoteLake

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample"
SEEDS = SAMPLE / "seeds"
CORPUS = REPO.parent / "shared" / "corpus" / "pages"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """Run one temporary Prefect server for the session; yield its API URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield str(PREFECT_API_URL.value())


@pytest.fixture
def corpus_dir() -> Path:
    """Return the shared real-page corpus, or skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real-page corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """Run a real S3 API (moto's server) on 127.0.0.1 for the session; yield its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_lake(s3_endpoint: str) -> RemoteLake:
    """Return an object-store lake in a new bucket on the test S3 server."""
    import fsspec

    from transforms.lake import RemoteLake

    options = {"endpoint_url": s3_endpoint, "key": "test", "secret": "test"}
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    fsspec.filesystem("s3", **options).mkdir(bucket)
    return RemoteLake(f"s3://{bucket}/newsloom/lake", options)
