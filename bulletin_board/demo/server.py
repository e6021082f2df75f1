"""The demo's bulletin board: the real application served on a loopback port from a thread."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Iterator

from werkzeug.serving import make_server

from ..app import create_app


@contextmanager
def serve(config: dict, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``create_app(config)`` (threaded) until the block ends; yields the board's URL."""
    app = create_app(config)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on the demo's console
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="evote-demo-board", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
