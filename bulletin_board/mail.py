"""Sending one e-mail through an SMTP server given by URL: the board's login codes (bulletin_board/voter_login.py).

The server is ``smtp://host[:port]`` (port 25; with EVOTE_SMTP_STARTTLS=1 the connection is upgraded to TLS
before anything is sent) or ``smtps://host[:port]`` (port 465, TLS from the first byte). The user name and
password come from EVOTE_SMTP_USER and EVOTE_SMTP_PASSWORD, never from the URL, and travel only over TLS or
to a server on this machine; EVOTE_SMTP_CA_FILE names a CA bundle for a private server. The same variables
as the registrar's ``evote-registrar send`` (registrar/mail.py), so one relay serves both.

Python's standard library does the work (``smtplib``, ``email``): it is well kept, maintained with CPython
itself, speaks STARTTLS and SMTPS with certificate checks through ``ssl``, and needs no extra dependency.

:class:`MailQueue` sends in a background thread, so that a request that mails a code answers as fast as one
that mails nothing (a voter id not on the roll must not be told apart by timing), and a slow relay holds up no
request. A failure is logged by its kind only: never an address, a code or the message.
"""

from __future__ import annotations

import logging
import os
import queue
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from .log_format.errors import InvalidInput

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
TIMEOUT_SECONDS = 30
QUEUE_LIMIT = 10_000  # messages waiting; past it a code is dropped (and logged), never a request held up
logger = logging.getLogger("evote.board.mail")

__all__ = ["SmtpSettings", "smtp_settings", "send", "MailQueue", "plain_message"]


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str  # smtp or smtps
    host: str
    port: int
    starttls: bool
    sender: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None

    @property
    def encrypted(self) -> bool:
        return self.scheme == "smtps" or self.starttls


def smtp_settings(url: str, *, starttls: bool, sender: str, user: str | None, password: str | None,
                  ca_file: str | None) -> SmtpSettings:  # fmt: skip
    """The checked settings; raises :class:`InvalidInput` naming the EVOTE_ setting at fault."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput("EVOTE_SMTP_URL", "must be smtp://host[:port] or smtps://host[:port]") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidInput("EVOTE_SMTP_URL", "must be smtp://host[:port] or smtps://host[:port]")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("EVOTE_SMTP_URL", "holds a user name or password: put them in EVOTE_SMTP_USER and EVOTE_SMTP_PASSWORD")
    if starttls and parts.scheme == "smtps":
        raise InvalidInput("EVOTE_SMTP_STARTTLS", "goes with smtp://: smtps:// is TLS from the first byte")
    if "@" not in sender or any(ch.isspace() or ch in "<>,;\"" for ch in sender) or len(sender) > 254:
        raise InvalidInput("EVOTE_SMTP_FROM", "must be the sender's e-mail address, like vote@board.example")
    given = [value is not None for value in (user, password)]
    if any(given) and not all(given):  # one of the two
        raise InvalidInput("EVOTE_SMTP_USER", "set both EVOTE_SMTP_USER and EVOTE_SMTP_PASSWORD, or neither")
    settings = SmtpSettings(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], starttls, sender, user, password,
                            ca_file)  # fmt: skip
    if user is not None and not settings.encrypted and settings.host not in LOCAL_HOSTS:
        raise InvalidInput("EVOTE_SMTP_URL", "the SMTP password would travel in clear: use smtps:// or EVOTE_SMTP_STARTTLS=1")
    return settings


def plain_message(settings: SmtpSettings, to: str, subject: str, body: str, language: str) -> EmailMessage:
    """A plain-text UTF-8 message from the configured sender."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = language  # after set_content, which drops Content-* headers
    return message


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand one message to the server; raises ``OSError`` or ``smtplib.SMTPException``."""
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    client: smtplib.SMTP
    if settings.scheme == "smtps":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    with client:
        if settings.starttls:
            client.starttls(context=context)
        if settings.user is not None and settings.password is not None:
            client.login(settings.user, settings.password)
        client.send_message(message)


class MailQueue:
    """One background sender per process (started on first use, again after a fork)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._queue: queue.Queue[EmailMessage] = queue.Queue(QUEUE_LIMIT)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def submit(self, message: EmailMessage) -> None:
        self._ensure_running()
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            logger.error("mail queue full (%d messages): a login code was not sent", QUEUE_LIMIT)

    def _ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="evote-mail", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            try:
                send(self.settings, message)
            except (OSError, smtplib.SMTPException) as exc:  # the kind only: never the address or the text
                logger.error("a login code could not be sent through %s:%d (%s)", self.settings.host, self.settings.port,
                             type(exc).__name__)  # fmt: skip
            except Exception:  # noqa: BLE001 — the sender must outlive any failure
                logger.error("a login code could not be sent (unexpected %s)", "error")
            finally:
                self._queue.task_done()

    def join(self) -> None:
        """Wait until every submitted message was handed over or failed (tests)."""
        self._queue.join()
