"""``GET /healthz``: is this board worker able to serve (its database answers) and, with witnesses, how its
cosigner fares (docs/board.md, "Witnesses at the board"). For load balancers and the operator's monitoring;
it says nothing a client should trust. A mirror serves its own ``/healthz`` (web/mirror_mode.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("board_health", __name__)


@bp.get("/healthz")
def healthz():
    state = current_app.extensions["evote_board"]
    try:
        with state.log.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:  # the class only: a driver's message may hold the database URL
        return jsonify({"status": "down", "database": f"unreachable ({type(exc).__name__})"}), 503
    body: dict = {"status": "ok", "database": "ok", "origin": state.log.origin}
    cosigner = state.cosigner
    if cosigner is not None:
        failing = cosigner.failing_witnesses()
        body["witnesses"] = {"quorum": cosigner.policy.quorum, "listed": len(cosigner.policy.witnesses),
                             "failing_here": failing}  # fmt: skip
        if len(cosigner.policy.witnesses) - len(failing) < cosigner.policy.quorum:
            body["status"] = "degraded"  # still serving: ballots never wait for witnesses
    return jsonify(body)
