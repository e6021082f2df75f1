"""The board application's checks of entries outside the request (bulletin_board/elections/async_checks.py).

``install(app)`` creates this process's :class:`AsyncChecks` for ``mix.shuffled`` and starts its loop (``create_app``
calls it for a board that holds its own log); ``checks()`` returns it, creating it at the first use in a process
that was not installed at start (a worker forked later). A mirror accepts no entries and runs no checks: it reads
the table only.
"""

from __future__ import annotations

import atexit
import os
import threading

from flask import Flask, current_app

from ..elections.async_checks import DEFAULT_LEASE_SECONDS, AsyncChecks, CheckStatus, check_status, shuffle_checks
from ..log_format.errors import InvalidInput
from ..storage.engine import read_transaction

EXTENSION = "evote_checks"
LEASE_SECONDS_SETTING = "EVOTE_CHECK_LEASE_SECONDS"  # environment: how long a dead worker's check waits to be taken over
_install_guard = threading.Lock()

__all__ = ["install", "checks", "status", "EXTENSION"]


def install(app: Flask) -> AsyncChecks:
    with _install_guard:
        installed = app.extensions.get(EXTENSION)
        if installed is None:
            installed = shuffle_checks(app.extensions["evote_elections"], lease_seconds=lease_seconds())
            app.extensions[EXTENSION] = installed
            installed.start()
            atexit.register(installed.stop)
    return installed


def lease_seconds() -> float:
    """``EVOTE_CHECK_LEASE_SECONDS`` (1 to 3600; default 30): a check's process renews its lease four times per lease;
    when it dies, another worker takes the check over after at most this long."""
    text = os.environ.get(LEASE_SECONDS_SETTING, "").strip()
    if not text:
        return DEFAULT_LEASE_SECONDS
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(LEASE_SECONDS_SETTING, f"expected a number of seconds, not {text[:20]!r}") from None
    if not 1 <= value <= 3600:
        raise InvalidInput(LEASE_SECONDS_SETTING, "must be between 1 and 3600 seconds")
    return value


def checks() -> AsyncChecks:
    """This process's checks, running (a forked worker starts its own loop here)."""
    installed = current_app.extensions.get(EXTENSION) or install(current_app)  # type: ignore[arg-type]
    installed.ensure_running()
    return installed


def status(election_id: str, check_id: str) -> CheckStatus | None:
    """A check's status from the table: any worker answers, and a mirror only reads."""
    if current_app.config.get("EVOTE_MIRROR_OF"):
        with read_transaction(current_app.extensions["evote_board"].log.engine) as conn:
            return check_status(conn, election_id, check_id)
    return checks().status(election_id, check_id)
