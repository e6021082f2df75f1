"""The board's production app with each mix.shuffled check held while a flag file exists, for
tests/board/test_async_checks.py only (a killed worker's check is taken over).

Served by gunicorn as ``board.slow_shuffle_app:create_app()`` (tests/ on PYTHONPATH). A real check of a small
shuffle takes a fraction of a second, too short to kill the worker in the middle of it; so the check waits while
the file ``EVOTE_TEST_ONLY_HOLD_CHECKS_FILE`` exists, then runs in full. The variable is not a setting of the
board: it exists only in this test module.
"""

from __future__ import annotations

import os
import time

from bulletin_board.app import create_app as create_board_app
from bulletin_board.web import entry_checks

HOLD_VARIABLE = "EVOTE_TEST_ONLY_HOLD_CHECKS_FILE"


def create_app():
    hold = os.environ[HOLD_VARIABLE]
    app = create_board_app()
    checks = entry_checks.install(app)
    real_verify = checks.verify

    def held_verify(*args, **kwargs):
        while os.path.exists(hold):
            time.sleep(0.05)
        return real_verify(*args, **kwargs)

    checks.verify = held_verify
    return app
