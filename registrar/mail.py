"""E-mail delivery of the voting cards: each voter their own one-page card, at most once (issue 17 item 3).

Each voter with an e-mail address gets a message in their language: a plain-text body (registrar/texts.py:
the booth's address and the instructions, never the credential) and their own card as a one-page PDF made
for them alone (never the whole file). The SMTP server is given by URL, ``smtp://host[:port]`` (with
``--starttls`` to upgrade) or ``smtps://host[:port]`` (TLS from the first byte); the user name and password
come from EVOTE_SMTP_USER and EVOTE_SMTP_PASSWORD, never from the URL or the command line, and are sent only
over TLS (or to a server on this machine). EVOTE_SMTP_CA_FILE names a CA bundle for a private server.

Delivery is recorded in registrar/delivery_log.py before and after each send; :func:`plan` reads it to know
who is done, who is left and who is uncertain, and :func:`deliver` sends in roll order at the given rate.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from voting.voter_roll_delivery import EMAIL_PATTERN

from .cards import CardSettings, render_cards
from .delivery_log import REFUSED, RESEND, SENDING, SENT, DeliveryLog
from .issuing import Holder, Issued
from .texts import TEXTS, election_title, mail_body

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
_RATE = re.compile(r"([0-9]{1,6})/min")
TIMEOUT = 60


class MailError(Exception):
    """Delivery cannot start or go on; the message says why in one sentence (never a credential)."""


class DeliveryStopped(MailError):
    """The connection failed during a send: that voter is now uncertain and the run stops."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    starttls: bool

    @property
    def encrypted(self) -> bool:
        return self.scheme == "smtps" or self.starttls


def parse_smtp_url(url: str, starttls: bool) -> SmtpServer:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise MailError(f"--smtp {url!r} is not smtp://host:port or smtps://host:port") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailError(f"--smtp {url!r} is not smtp://host:port or smtps://host:port")
    if parts.username is not None or parts.password is not None:
        raise MailError("--smtp holds a user name or password: put them in EVOTE_SMTP_USER and EVOTE_SMTP_PASSWORD instead")
    if starttls and parts.scheme == "smtps":
        raise MailError("--starttls goes with smtp://: smtps:// is already TLS from the first byte")
    return SmtpServer(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], starttls)


def parse_rate(text: str) -> float:
    """``N/min`` -> seconds between two sends."""
    match = _RATE.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise MailError(f"--rate {text!r} is a number of messages a minute, like 30/min")
    return 60.0 / int(match.group(1))


def check_sender(sender: str | None) -> str:
    if not sender or not EMAIL_PATTERN.fullmatch(sender):
        raise MailError("--from (or EVOTE_SMTP_FROM) is the sender's e-mail address, like cards@registrar.example")
    return sender


def build_message(issued: Issued, settings: CardSettings, holder: Holder, sender: str, card: bytes) -> EmailMessage:
    language = holder.voter.language if holder.voter.language in TEXTS else "en"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = holder.voter.email
    title = election_title(issued.manifest, language)  # the manifest's title in the voter's language
    message["Subject"] = TEXTS[language]["subject"].format(title=title)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    body = mail_body(language, title=title, organizer=settings.organizer, booth_url=settings.booth_url, closes_at=settings.closes_at)
    message.set_content(body, charset="utf-8")
    message.add_attachment(card, maintype="application", subtype="pdf", filename=f"voting-card-{issued.election_id}.pdf")
    message["Content-Language"] = language  # after the parts are made: set_content drops Content-* headers
    return message


@dataclass
class Plan:
    """Who gets a message in this run, and why the others do not."""

    to_send: list[Holder] = field(default_factory=list)
    resend: set[str] = field(default_factory=set)
    already_sent: list[Holder] = field(default_factory=list)
    uncertain: list[Holder] = field(default_factory=list)  # left out: the operator must decide (--resend)
    no_address: list[Holder] = field(default_factory=list)


def plan(holders: Iterable[Holder], log: DeliveryLog, *, resume: bool, resend: Iterable[str] = ()) -> Plan:
    """Read the log and decide; raises MailError for a second run without --resume or a wrong --resend."""
    last = log.last_status()
    if last and not resume:
        raise MailError(f"{log.path} already records deliveries: run again with --resume (it never sends a card twice unknowingly)")
    wanted = set(resend)
    result = Plan(resend=wanted)
    known: set[str] = set()
    for holder in holders:
        voter = holder.voter.voter_id
        known.add(voter)
        status = last[voter].status if voter in last else None
        if not holder.voter.email:
            result.no_address.append(holder)
            if voter in wanted:
                raise MailError(f"--resend {voter}: this voter has no e-mail address on the roll")
        elif voter in wanted:
            if status not in (SENDING, SENT, RESEND):
                raise MailError(f"--resend {voter}: nothing was sent to this voter yet; run without --resend")
            result.to_send.append(holder)
        elif status == SENT:
            result.already_sent.append(holder)
        elif status in (SENDING, RESEND):
            result.uncertain.append(holder)
        else:  # never tried, or refused by the server (certainly not delivered)
            result.to_send.append(holder)
    unknown = sorted(wanted - known)
    if unknown:
        raise MailError(f"--resend {unknown[0]}: no voter of the roll has this id")
    return result


Connect = Callable[[], smtplib.SMTP]


def connector(server: SmtpServer, user: str | None, password: str | None) -> Connect:
    """A function that opens an authenticated connection to ``server``."""
    given = [value is not None for value in (user, password)]
    if any(given) and not all(given):  # one of the two
        raise MailError("set both EVOTE_SMTP_USER and EVOTE_SMTP_PASSWORD, or neither")
    if user is not None and not server.encrypted and server.host not in LOCAL_HOSTS:
        raise MailError("the SMTP password would travel in clear: use smtps:// or --starttls")

    def connect() -> smtplib.SMTP:
        context = ssl.create_default_context(cafile=os.environ.get("EVOTE_SMTP_CA_FILE") or None)
        try:
            if server.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=context)
            else:
                client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
                if server.starttls:
                    client.starttls(context=context)
            if user is not None and password is not None:
                client.login(user, password)
        except smtplib.SMTPAuthenticationError:
            raise MailError(f"the SMTP server {server.host} refused the user name or password") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot reach the SMTP server {server.host}:{server.port} ({_reason(exc)})") from None
        return client

    return connect


@dataclass
class Outcome:
    sent: int = 0
    refused: list[tuple[str, int]] = field(default_factory=list)  # voter id, SMTP code


def deliver(
    issued: Issued,
    settings: CardSettings,
    the_plan: Plan,
    log: DeliveryLog,
    connect: Connect,
    sender: str,
    interval: float,
    advance: Callable[[Holder], None] = lambda holder: None,
) -> Outcome:
    """Send the plan's messages in order, ``interval`` seconds apart at least, logging before and after each.

    A refusal by the server (sender, recipient or message) is certain: logged ``refused``, the run goes on.
    Anything else during a send (a lost connection, a timeout, a crash) leaves the voter ``sending`` and
    raises :class:`DeliveryStopped`: the server may or may not have accepted the message."""
    outcome = Outcome()
    if not the_plan.to_send:
        return outcome
    client = connect()
    next_slot = time.monotonic()
    try:
        for holder in the_plan.to_send:
            voter, address = holder.voter.voter_id, holder.voter.email
            card, _warnings = render_cards(issued, settings, [holder])
            message = build_message(issued, settings, holder, sender, card)
            time.sleep(max(0.0, next_slot - time.monotonic()))
            next_slot = time.monotonic() + interval
            if voter in the_plan.resend:
                log.append(voter, address, RESEND)
            log.append(voter, address, SENDING)
            try:
                client.send_message(message, from_addr=sender, to_addrs=[address])
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0]
                log.append(voter, address, REFUSED)
                outcome.refused.append((voter, code))
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                log.append(voter, address, REFUSED)
                outcome.refused.append((voter, exc.smtp_code))
            except (OSError, smtplib.SMTPException) as exc:
                raise DeliveryStopped(
                    f"the connection failed while sending to voter {voter} ({_reason(exc)}): that voter is now uncertain; "
                    "run again with --resume to send the others"
                ) from None
            else:
                log.append(voter, address, SENT)
                outcome.sent += 1
            advance(holder)
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return outcome


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
