"""The board's production app with each ballot's proof check made slower, for tests/attacks/test_close_race.py only.

Served by gunicorn as ``attacks.slow_check_app:create_app()`` (tests/ on PYTHONPATH). The close race of issue 13
(item 6) needs a ballot whose check is still running when the close is requested; a real check of a small
ballot takes milliseconds, too short to aim at. So this wraps the real check (``check_submission``, which
``ElectionService.submit_ballot`` calls after the ballot registered as being checked) in a sleep of
``EVOTE_TEST_ONLY_CHECK_DELAY_SECONDS``, and adds a line to the file ``EVOTE_TEST_ONLY_CHECKS_STARTED_FILE``
as each check starts, so that a test knows when to strike without asking the board how it tracks its checks.
The check itself still runs in full, nothing else changes, and neither variable is a setting of the board:
they exist only in this test module.
"""

from __future__ import annotations

import os
import time

from bulletin_board.app import create_app as create_board_app
from bulletin_board.elections import service

DELAY_VARIABLE = "EVOTE_TEST_ONLY_CHECK_DELAY_SECONDS"
STARTED_VARIABLE = "EVOTE_TEST_ONLY_CHECKS_STARTED_FILE"


def create_app():
    delay = float(os.environ[DELAY_VARIABLE])
    started = os.environ[STARTED_VARIABLE]
    real_check = service.check_submission

    def slow_check(*args, **kwargs):
        with open(started, "a") as marker:
            marker.write(f"{os.getpid()}\n")
        time.sleep(delay)
        return real_check(*args, **kwargs)

    service.check_submission = slow_check
    return create_board_app()
