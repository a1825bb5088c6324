"""An app served on 127.0.0.1 by werkzeug from a daemon thread: the browser tests' pages, and the address Kannel
calls with delivery reports."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler, make_server


@dataclass(frozen=True)
class LiveServer:
    url: str


class _QuietHandler(WSGIRequestHandler):
    """Keeps the request log out of the test output; failures still show in the page under test."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@contextmanager
def serve(app) -> Iterator[LiveServer]:
    """`app` on 127.0.0.1 and a free port while the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
