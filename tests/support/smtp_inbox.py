"""A real SMTP server in the test process (aiosmtpd) and the inbox it fills: every test that sends mail (login
codes, voting cards) reads what arrived here. ``Inbox.kill`` SIGKILLs a sender once the server holds its n-th
message, so a test can interrupt a delivery between the server's acceptance and the sender's log."""

from __future__ import annotations

import email
import email.message
import email.policy
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from aiosmtpd.controller import Controller

__all__ = ["Inbox", "smtp_server"]


@dataclass
class Inbox:
    """aiosmtpd handler: every message received, in order, with its recipients."""

    messages: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)
    kill: tuple[int, int] | None = None  # (pid, after this many messages)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
            if self.kill and len(self.messages) == self.kill[1]:
                os.kill(self.kill[0], signal.SIGKILL)  # the server has the message; the sender never hears "250"
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self.lock:
            return [m for tos, m in self.messages if address in tos]

    def wait_for(self, address: str, count: int, timeout: float = 20.0) -> email.message.EmailMessage:
        """The ``count``-th message to ``address`` (1-based), waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self.to(address)
            if len(received) >= count:
                return received[count - 1]
            time.sleep(0.02)
        raise AssertionError(f"message {count} to {address} did not arrive in {timeout} s")


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, str]]:
    """A real SMTP server on a free loopback port: (its inbox, its smtp:// URL)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
