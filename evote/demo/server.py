"""The demo's bulletin board: the real application on a loopback port.

With one worker it is served from a thread of the demo's own process. With more, it runs under gunicorn with
that many worker processes (the production setup), so the board's checks of incoming ballots use every core.

Every simulated voter and trustee posts from 127.0.0.1, which the production per-address limits (web/limits.py)
would take for one abusive client: the demo turns those off (DEMO_RATE_LIMITS) and keeps the per-credential
limit and the limit on refused admin tokens. A variable set in the environment wins over these.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from werkzeug.serving import make_server

from ..app import create_app

# One address for thousands of voters and every trustee: the per-address limits are off in the demo.
DEMO_RATE_LIMITS = {
    "EVOTE_RATELIMIT_SUBMIT_PER_CLIENT": "off",
    "EVOTE_RATELIMIT_TRUSTEE_PER_CLIENT": "off",
    "EVOTE_RATELIMIT_READS_PER_CLIENT": "off",
}


def demo_rate_limits() -> dict[str, str]:
    """DEMO_RATE_LIMITS, except where the environment sets the variable."""
    return {name: os.environ.get(name, value) for name, value in DEMO_RATE_LIMITS.items()}


@contextmanager
def serve(config: dict, host: str = "127.0.0.1", port: int = 0, *, workers: int = 1, log_file: Path | None = None) -> Iterator[str]:
    """Serve ``create_app(config)`` until the block ends; yields the board's URL."""
    if workers > 1:
        with _gunicorn(config, host, port or _free_port(host), workers, log_file) as url:
            yield url
        return
    services = logging.getLogger("evote")  # the cosigner's and scheduler's lines go to the board's log, not the console
    if not services.handlers:
        services.addHandler(logging.FileHandler(log_file) if log_file else logging.NullHandler())
        services.setLevel(logging.INFO)
        services.propagate = False
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


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def _gunicorn(config: dict, host: str, port: int, workers: int, log_file: Path | None) -> Iterator[str]:
    create_app(config)  # migrate the database and create the board key once, before the workers start
    environment = dict(os.environ)
    environment.update({key: str(value) for key, value in config.items()})
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]), environment.get("PYTHONPATH")]))
    log = open(log_file, "w") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"{host}:{port}", "--timeout", "300", "evote.app:create_app()"],
        env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://{host}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/api/v1/board", timeout=2) as response:
                    json.loads(response.read())
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the board's gunicorn did not start (see {log_file})") from None
                time.sleep(0.2)
        yield url
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if log_file:
            log.close()
