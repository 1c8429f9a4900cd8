"""Flow fixtures: the capture tests' HTTP server (the seeds and sample runs: tests/conftest.py)."""

from tests.capture.conftest import fast, make_site, reply  # noqa: F401
