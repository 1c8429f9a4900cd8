"""Flow tests reuse the capture tests' real HTTP server on 127.0.0.1."""

from tests.capture.conftest import fast, make_site, reply  # noqa: F401
