"""``serve()``: the fakes behind a real loopback HTTP/1.1 server (stdlib, one thread per connection).

Keep-alive connections are served concurrently; stopping the server closes every connection
and joins every thread, so nothing outlives the ``with`` block.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tiintel.testing._base import FakeService
from tiintel.testing._faults import Fault
from tiintel.testing._otx_fake import FakeOTX
from tiintel.testing._vt_fake import FakeVirusTotal
from tiintel.testing._wire import FakeRequest, FakeResponse, json_response

__all__ = ["FakeServer", "serve"]

_VT_PATHS = ("/api/v3", "/_upload/", "/_storage/")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # joined by server_close(): no thread outlives the server
    block_on_close = True
    request_queue_size = 128  # 50 clients connecting at once must not lose their SYNs
    owner: FakeServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # an idle keep-alive connection is dropped after this
    # Buffered writes: headers and body of an answer up to 64 KB leave in one send. Larger
    # bodies go out in two writes, and with Nagle on each keep-alive answer would then wait
    # ~40 ms for the client's delayed ACK.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, opened=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, opened=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fakes keep their own request log."""

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        body = self._body()
        path, _, query = self.path.partition("?")
        owner = self.server.owner
        fake = owner.fake_for(path)
        if fake is None:
            self._send(json_response(404, {"detail": "Not found."}))
            return
        request = FakeRequest(
            method=self.command,
            scheme="http",
            host=self.headers.get("Host") or owner.url.split("://", 1)[1],
            raw_path=path,
            raw_query=query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            storage_root=owner.url,
        )
        if fake.latency > 0:
            time.sleep(fake.latency)
        try:
            outcome = fake.process(request)
        except Exception:  # a handler bug must not kill the connection thread silently
            outcome = json_response(500, {"detail": "fake server error"})
        if isinstance(outcome, Fault):
            # reset and timeout both become a dropped connection on a real socket
            self.close_connection = True
            return
        self._send(outcome)

    def _send(self, response: FakeResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _handle


class FakeServer:
    """A running loopback server for a ``FakeVirusTotal`` and a ``FakeOTX``.

    ``url`` is the root (``http://127.0.0.1:PORT``); VirusTotal answers under ``vt_url``
    (``.../api/v3``) and OTX under ``otx_url`` (``.../api/v1``). ``open_connections`` counts the
    client connections currently open (for leak tests). Use as a context manager or call
    ``close()``.
    """

    def __init__(
        self, vt: FakeVirusTotal, otx: FakeOTX, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.vt = vt
        self.otx = otx
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.owner = self
        bound_host, bound_port = self._httpd.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._closed = False

    @property
    def vt_url(self) -> str:
        """The VirusTotal API root on this server."""
        return self.url + "/api/v3"

    @property
    def otx_url(self) -> str:
        """The OTX API root on this server."""
        return self.url + "/api/v1"

    @property
    def open_connections(self) -> int:
        """Client connections currently open."""
        with self._lock:
            return len(self._connections)

    def fake_for(self, path: str) -> FakeService | None:
        """Which fake serves a path (None: neither)."""
        if path.startswith(_VT_PATHS):
            return self.vt
        if path.startswith("/api/v1"):
            return self.otx
        return None

    def _track(self, connection: socket.socket, *, opened: bool) -> None:
        with self._lock:
            if opened:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close(self) -> None:
        """Stop accepting, drop open connections and join every thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def serve(
    vt: FakeVirusTotal | None = None,
    otx: FakeOTX | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
) -> FakeServer:
    """Start the fakes on a loopback HTTP server (a free port by default) and return it running.

    New default fakes are made for whichever of ``vt``/``otx`` is not given.
    """
    return FakeServer(vt or FakeVirusTotal(), otx or FakeOTX(), host=host, port=port)
