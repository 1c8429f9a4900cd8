"""A real HTTP server on 127.0.0.1 playing several publishers, one port each, with a request log."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from transforms.capture.settings import FetchSettings


@dataclass
class Reply:
    """One canned response; `reset` drops the connection, `delay` stalls before the headers."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False
    chunked: bool = False
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it."""

    path: str
    status: int
    headers: dict[str, str]
    at: float


Handler = Callable[["_Handler"], Reply]


class Site:
    """One publisher: a threaded HTTP server with routes and a log of every request."""

    def __init__(self, name: str, host: str = "127.0.0.1") -> None:
        self.name = name
        self.routes: dict[str, Reply | list[Reply] | Handler] = {}
        self.hits: list[Hit] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        self.server = _Server((host, 0), _Handler)
        self.server.site = self
        self.host, self.port = host, self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/") -> str:
        """Return the absolute URL of a path on this site."""
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, reply: Reply | list[Reply] | Handler) -> None:
        """Serve a reply (or a sequence, the last one repeating, or a callable) at a path."""
        self.routes[path] = reply

    def page(self, path: str, title: str, **kwargs: object) -> None:
        """Serve a small HTML article."""
        html = f"<html><head><title>{title}</title></head><body><p>{title}</p></body></html>"
        self.route(path, Reply(body=html.encode(), **kwargs))  # type: ignore[arg-type]

    def paths(self) -> list[str]:
        """Return the requested paths in order."""
        return [hit.path for hit in self.hits]

    def pick(self, path: str) -> Reply | Handler | None:
        """Return the reply for the next request to a path."""
        with self._lock:
            reply = self.routes.get(path)
            if isinstance(reply, list):
                index = self._served.get(path, 0)
                self._served[path] = index + 1
                return reply[min(index, len(reply) - 1)]
            return reply

    def record(self, hit: Hit) -> None:
        """Append to the request log."""
        with self._lock:
            self.hits.append(hit)

    def close(self) -> None:
        """Stop serving and wake stalled handlers."""
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: Site

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet: clients hanging up on purpose is part of the tests."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr log; the Site keeps its own."""

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?", 1)[0]
        reply = site.pick(path)
        if callable(reply):
            reply = reply(self)
        if reply is None:
            reply = Reply(status=404, body=b"not found", content_type="text/plain")
        headers = {k.lower(): v for k, v in self.headers.items()}
        status = reply.status
        if reply.etag and headers.get("if-none-match") == reply.etag:
            status = 304
        if reply.last_modified and headers.get("if-modified-since") == reply.last_modified:
            status = 304
        site.record(Hit(path, 0 if reply.reset else status, headers, time.monotonic()))
        if reply.delay and site.stop.wait(reply.delay):
            return
        if reply.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        body = b"" if status == 304 else reply.body
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 65536):
                chunk = body[start : start + 65536]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture
def make_site() -> Iterator[Callable[..., Site]]:
    """Start publisher sites on demand; all are stopped after the test."""
    sites: list[Site] = []

    def start(name: str = "site", host: str = "127.0.0.1", robots: str | None = "") -> Site:
        site = Site(name, host)
        if robots is not None:
            site.route("/robots.txt", Reply(body=robots.encode(), content_type="text/plain"))
        sites.append(site)
        return site

    yield start
    for site in sites:
        site.close()


@pytest.fixture
def reply() -> type[Reply]:
    """Return the canned-response class (test modules cannot import conftest)."""
    return Reply


@pytest.fixture
def fast() -> FetchSettings:
    """Settings with short timeouts and backoffs, private hosts allowed (the server is local)."""
    return FetchSettings(
        allow_private_hosts=True,
        connect_timeout=1.0,
        read_timeout=0.5,
        total_timeout=2.0,
        max_retries=2,
        backoff_base=0.05,
        backoff_max=0.2,
        retry_after_max=1.5,
        host_delay=0.0,
        poll_backoff_base=60.0,
    )
