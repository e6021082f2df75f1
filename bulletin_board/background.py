"""The board's background services in this process (the cosigner, the scheduler): each registers when it
starts, so that everything still running can be stopped at once — at interpreter exit, and by a host that
builds many boards in one process (the test suite stops those of a finished module: tests/conftest.py)."""

from __future__ import annotations

import threading
import weakref
from typing import Protocol

__all__ = ["register", "stop_all"]


class Service(Protocol):
    def stop(self) -> None: ...


_running: weakref.WeakSet = weakref.WeakSet()
_guard = threading.Lock()


def register(service: Service) -> None:
    with _guard:
        _running.add(service)


def stop_all() -> int:
    """Stop every registered service that is still alive; returns how many were stopped."""
    with _guard:
        services = list(_running)
        _running.clear()
    for service in services:
        service.stop()
    return len(services)
