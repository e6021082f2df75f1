"""Read-only mode of the board's web app, for a mirror (``EVOTE_MIRROR_OF=<primary URL>``).

* Every write (any method but GET, HEAD and OPTIONS) is refused with 405 and the JSON error
  ``mirror_read_only``, before any view runs, whatever the route; the only exception is a page's own
  language switcher (``exempt_endpoints``), which stores nothing but a cookie.
* Every response carries ``Evote-Mirror-Of: <primary URL>``.
* ``GET /healthz`` reports, per election, the mirrored size against the primary's size when the mirror last
  asked, and whether the mirror stopped following it (with the reason; ``evote mirror evidence`` prints
  the evidence).
"""

from __future__ import annotations

import time
from typing import Iterable

from flask import Flask, jsonify, request
from sqlalchemy import func, select

from ..mirror_store import MirrorStore
from ..storage.engine import read_transaction
from ..storage.schema import entries
from .errors import error_response

__all__ = ["install_mirror_mode", "HEADER", "READ_METHODS"]

HEADER = "Evote-Mirror-Of"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def install_mirror_mode(app: Flask, primary_url: str, store: MirrorStore, *, exempt_endpoints: Iterable[str] = ()) -> None:
    exempt = set(exempt_endpoints)
    app.config["EVOTE_MIRROR_OF"] = primary_url

    @app.before_request
    def refuse_writes():
        if request.method in READ_METHODS or request.endpoint in exempt:
            return None
        return error_response(405, "mirror_read_only", f"this is a mirror of {primary_url}: it accepts no writes; use the "
                              "primary board", None, {"Allow": "GET, HEAD, OPTIONS"})

    @app.after_request
    def mark(response):
        response.headers[HEADER] = primary_url
        return response

    @app.get("/healthz")
    def healthz():
        statuses = store.statuses()
        with read_transaction(store.engine) as conn:
            sizes = dict(conn.execute(select(entries.c.election_id, func.max(entries.c.seq) + 1).group_by(entries.c.election_id)).all())
        now = time.time_ns() // 1000
        report = []
        for election_id, status in sorted(statuses.items()):
            mirrored = int(sizes.get(election_id) or 0)
            primary = status["primary_size"]
            report.append({"election_id": election_id, "status": status["status"], "mirrored_size": mirrored,
                           "primary_size": primary, "lag": None if primary is None else max(primary - mirrored, 0),
                           "primary_checkpoint_size": status["checkpoint_size"],
                           "checked_seconds_ago": None if status["checked_at"] is None else round((now - status["checked_at"]) / 1e6, 1),
                           "reason": status["reason"]})
        stopped = [r["election_id"] for r in report if r["status"] == "stopped"]
        return jsonify({"status": "fork_evidence" if stopped else "ok", "mirror_of": primary_url, "elections": report,
                        "stopped": stopped})
