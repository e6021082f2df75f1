"""The board's Flask application factory.

    create_app()                     settings from EVOTE_* environment variables
    create_app({"EVOTE_DATABASE_URL": ...})   explicit settings override the environment

This is the board's API alone; :func:`evote.app.create_app` (the composition root) mounts the voters' booth
on it under /booth.

Production (the board with the booth): ``gunicorn -w 4 -b 127.0.0.1:8000 'evote.app:create_app()'`` with
``EVOTE_DATABASE_URL=postgresql+psycopg://...``; every worker migrates (serialised by a lock) and
appends are serialised per election by the database, so workers need no coordination, except for the
rate limits (web/limits.py): several workers share their counts only through
``EVOTE_RATELIMIT_STORAGE_URI=redis://...``.

With ``EVOTE_WITNESS_POLICY_FILE`` every worker starts a cosigner thread (cosigning.py); a lease in the
database lets one of them work at a time, off the request path. Every worker also starts the scheduler
(scheduler.py), which opens and closes elections at their scheduled times, one worker at a time by a lease.
"""

from __future__ import annotations

import atexit
import logging
import sys
from dataclasses import dataclass
from typing import Mapping

from flask import Flask

from .cosigning import CheckpointCosigner
from .elections.service import ElectionService
from .keys import load_or_create_board_key
from .log import BoardLog
from .scheduler import ElectionScheduler
from .storage import make_engine, migrate
from .web import (
    api_admin,
    api_anchors,
    api_docs,
    api_elections,
    api_entries,
    api_login,
    api_proofs,
    api_witnesses,
    entry_checks,
    health,
)
from .web.body import install_body_limit
from .web.config import BoardSettings, load_settings
from .web.errors import register_error_handlers
from .web.limits import install_rate_limits

API_PREFIX = "/api/v1"

__all__ = ["create_app", "API_PREFIX"]


@dataclass
class BoardState:
    settings: BoardSettings
    log: BoardLog
    cosigner: CheckpointCosigner | None = None  # set when the board has a witness policy
    scheduler: ElectionScheduler | None = None  # every board that holds its own log (not a mirror)


def create_app(config: Mapping | None = None, *, log: BoardLog | None = None) -> Flask:
    """``log``: serve this log (a mirror's, bulletin_board/mirror_app.py) instead of the configured database and key."""
    settings = load_settings(config)
    mirrored = log is not None
    if log is None:
        engine = make_engine(settings.database_url)
        if settings.migrate:
            migrate(engine)
        signer = load_or_create_board_key(settings.key_file, settings.key_name)
        log = BoardLog(engine, signer, settings.origin, max_payload_bytes=settings.max_body_bytes)

    _log_services()
    app = Flask(__name__)
    install_body_limit(app, settings.max_body_bytes)  # before the rate limits: they may read a ballot's body
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False
    app.extensions["evote_board"] = BoardState(settings, log)
    app.extensions["evote_elections"] = ElectionService(
        log, limits=settings.credential_limits, close_grace_seconds=settings.close_grace_seconds
    )
    register_error_handlers(app)
    app.register_blueprint(api_entries.bp, url_prefix=API_PREFIX)
    app.register_blueprint(api_proofs.bp, url_prefix=API_PREFIX)
    app.register_blueprint(api_docs.bp, url_prefix=API_PREFIX)
    app.register_blueprint(api_elections.bp, url_prefix=API_PREFIX)
    app.register_blueprint(api_admin.bp, url_prefix=API_PREFIX + "/admin")
    app.register_blueprint(api_anchors.bp, url_prefix=API_PREFIX)
    app.register_blueprint(api_witnesses.bp, url_prefix=API_PREFIX)
    app.register_blueprint(api_login.bp, url_prefix=API_PREFIX)  # voter login (voter_login.py), with its own limits
    if not mirrored:
        app.register_blueprint(health.bp)  # a mirror serves its own /healthz
    install_rate_limits(app, settings, API_PREFIX)
    if settings.witness_policy is not None:
        _start_cosigner(app, settings, log)
    if not mirrored:
        _start_scheduler(app)
        entry_checks.install(app)  # mix.shuffled checks: renews leases, takes over a dead worker's checks

    return app


def _log_services() -> None:
    """The board's own services (the cosigner, the scheduler) write one JSON line per event on loggers under
    ``evote``; unless the deployment configured logging itself (gunicorn --log-config, a host application),
    they go to stderr at INFO, so an operator sees the opening and the close happen."""
    logger = logging.getLogger("evote")
    if logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _start_cosigner(app: Flask, settings: BoardSettings, log: BoardLog) -> None:
    assert settings.witness_policy is not None
    cosigner = CheckpointCosigner(log, settings.witness_policy, interval=settings.cosign_interval_seconds,
                                  timeout=settings.witness_timeout_seconds)
    app.extensions["evote_board"].cosigner = cosigner
    cosigner.start()
    atexit.register(cosigner.stop)  # hands the lease on at once when a worker exits cleanly
    app.before_request(cosigner.ensure_running)  # a worker forked after create_app (--preload) starts its own


def _start_scheduler(app: Flask) -> None:
    scheduler = ElectionScheduler(app.extensions["evote_elections"])
    app.extensions["evote_board"].scheduler = scheduler
    scheduler.start()  # and again in a forked worker (os.register_at_fork)
    atexit.register(scheduler.stop)  # hands the lease on at once when a worker exits cleanly
    app.before_request(scheduler.ensure_running)
