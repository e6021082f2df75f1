"""The OpenAPI 3 document of the board's API, written by hand beside this module."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from flask import Blueprint, jsonify

bp = Blueprint("board_docs", __name__)


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    return json.loads(resources.files("bulletin_board.web").joinpath("openapi.json").read_text("utf-8"))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
