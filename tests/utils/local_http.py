"""A real HTTP server on loopback for download tests: serves files from a dict, never the internet.

``server.files["/a.npz"] = b"..."`` serves bytes; ``server.truncate["/a.npz"] = n`` declares the
full length but sends only ``n`` bytes then closes (a dropped connection). ``server.requests``
counts the GETs, so a test can tell whether a cached file was fetched again.
"""
from __future__ import annotations

import collections
import contextlib
import http.server
import threading


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        owner = self.server.owner
        owner.requests[self.path] += 1
        body = owner.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = owner.truncate.get(self.path)
        self.wfile.write(body if cut is None else body[:cut])
        if cut is not None:
            self.close_connection = True

    def log_message(self, *args):  # keep test output quiet
        pass


class LocalServer:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.truncate: dict[str, int] = {}
        self.requests: collections.Counter = collections.Counter()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


@contextlib.contextmanager
def local_server():
    server = LocalServer().start()
    try:
        yield server
    finally:
        server.stop()
