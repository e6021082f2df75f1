"""The witness's HTTP face (Flask): ``POST /add-checkpoint`` (C2SP tlog-witness), ``GET /healthz``,
``GET /logs`` and ``GET /evidence``.

Production: ``EVOTE_WITNESS_CONFIG=/etc/witness.toml gunicorn -w 2 'witness.app:create_app()'``; several
workers are safe because every decision is one database transaction that locks the origin's row.
Every bad input is answered 4xx; a 5xx means a fault of the witness itself (its database is down).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from bulletin_board.log_format.witness_protocol import MAX_BODY_BYTES

from .config import WitnessConfig, load_config
from .errors import ConfigError, WitnessError
from .keys import read_key_file
from .logs import log_event
from .service import WitnessService
from .storage import open_store

CONFIG_ENV = "EVOTE_WITNESS_CONFIG"
APP_LOAD_ERROR = 4  # gunicorn's arbiter halts (instead of restarting workers forever) on this exit status

__all__ = ["create_app", "build_service"]


def build_service(config: WitnessConfig) -> WitnessService:
    cosigner = read_key_file(config.key_file)
    if cosigner.name != config.name:
        raise ConfigError("name", f"{config.name!r} is not the name in the key file ({cosigner.name!r})")
    return WitnessService(config, cosigner, open_store(config.database_url, config.database_schema))


def create_app(config_path: str | Path | None = None, *, service: WitnessService | None = None) -> Flask:
    if service is None:
        from_env = config_path is None
        try:
            path = config_path or os.environ.get(CONFIG_ENV)
            if not path:
                raise ConfigError(CONFIG_ENV, "is not set: name the witness's configuration file")
            service = build_service(load_config(path))
        except WitnessError as exc:
            if not from_env:
                raise
            print(f"evote-witness: error: {exc}", file=sys.stderr)  # under gunicorn: one line, no traceback
            raise SystemExit(APP_LOAD_ERROR) from None
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["evote_witness"] = service
    _routes(app, service)
    return app


def _routes(app: Flask, service: WitnessService) -> None:
    @app.before_request
    def start() -> None:
        g.started = time.monotonic()
        g.fields = {}

    @app.after_request
    def log_request(response: Response) -> Response:
        duration = round((time.monotonic() - g.get("started", time.monotonic())) * 1000, 2)
        log_event("request", method=request.method, path=request.path, status=response.status_code,
                  duration_ms=duration, **g.get("fields", {}))
        return response

    @app.post("/add-checkpoint")
    def add_checkpoint() -> Response:
        outcome = service.add_checkpoint(request.get_data(cache=False))
        g.fields = outcome.log_fields()
        return Response(outcome.body, status=outcome.status, content_type=outcome.content_type)

    @app.get("/healthz")
    def healthz() -> Response:
        service.store.ping()
        return jsonify({"status": "ok", "name": service.cosigner.name, "vkey": service.cosigner.key.to_string(),
                        "boards": [board.origin_prefix for board in service.config.boards]})

    @app.get("/logs")
    def logs() -> Response:
        return jsonify([record.to_json() for record in service.store.logs()])

    @app.get("/evidence")
    def evidence() -> Response:
        origin = request.args.get("origin")
        return jsonify([record.to_json() for record in service.store.evidence(origin)])

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        g.fields = {"reason": exc.name}
        return Response(f"{exc.code} {exc.name}\n", status=exc.code or 400, content_type="text/plain; charset=utf-8")

    @app.errorhandler(Exception)
    def fault(exc: Exception) -> Response:
        g.fields = {"reason": "internal error", "error": type(exc).__name__}
        return Response("503 the witness cannot answer now\n", status=503, content_type="text/plain; charset=utf-8")
