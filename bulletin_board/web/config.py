"""Settings from ``EVOTE_``-prefixed environment variables, overridable by ``create_app(config)``.

| name                  | default                          | meaning                                        |
|-----------------------|----------------------------------|------------------------------------------------|
| EVOTE_DATABASE_URL    | sqlite:///evote-board.sqlite3    | sqlite:///file or postgresql+psycopg://...     |
| EVOTE_BOARD_KEY_FILE  | evote-board.key                  | Ed25519 key file, created (0600) if absent     |
| EVOTE_BOARD_ORIGIN    | evote-board.localhost            | checkpoint origin prefix (no scheme, no '/')   |
| EVOTE_BOARD_KEY_NAME  | the origin                       | signed-note key name                           |
| EVOTE_ADMIN_TOKEN     | unset: admin API disabled        | `evote board admin-token` output (admin_token) |
| EVOTE_MAX_BODY_BYTES  | 1048576                          | request body limit                             |
| EVOTE_MAX_PAGE        | 1000                             | largest ``limit`` for entry pages              |
| EVOTE_MIGRATE         | 1                                | upgrade the schema at start (0 to skip)        |
| EVOTE_TRUSTED_PROXIES | 0                                | reverse proxies in front (X-Forwarded-For hops)|
| EVOTE_CLOSE_GRACE_SECONDS | 5                            | how long a close waits for ballots being checked |
| EVOTE_WITNESS_POLICY_FILE | unset: no witnesses          | JSON {"quorum", "witnesses": [{"url", "key"}]} the board asks to cosign |
| EVOTE_COSIGN_INTERVAL_SECONDS | 1                        | seconds between cosigning rounds (0.05 to 3600)  |
| EVOTE_WITNESS_TIMEOUT_SECONDS | 5                        | timeout of each request to a witness (0.1 to 300) |
| EVOTE_SMTP_URL        | unset: no e-mail, no voter login | smtp://host[:port] or smtps://host[:port]: mails voters' login codes (mail.py) |
| EVOTE_SMTP_STARTTLS   | 0                                | 1: upgrade smtp:// to TLS (STARTTLS) before sending |
| EVOTE_SMTP_FROM       | unset (required with a URL)      | the codes' sender address                      |
| EVOTE_SMTP_USER, EVOTE_SMTP_PASSWORD | unset             | SMTP login, read from the environment only; sent over TLS or to this machine only |
| EVOTE_SMTP_CA_FILE    | unset: the system's CAs          | CA bundle for a private SMTP server            |

Rate limits (docs/board.md, "Rate limits and abuse"; flask-limiter's notation, "off" or "" disables one):

| name                                      | default                | counted per                      |
|-------------------------------------------|------------------------|----------------------------------|
| EVOTE_RATELIMIT_STORAGE_URI               | memory://              | memory:// (one process), redis://|
| EVOTE_RATELIMIT_SUBMIT_PER_CLIENT         | 120 per minute         | client address, every submission |
| EVOTE_RATELIMIT_CREDENTIAL_CASTS          | 10 per hour; 30 per day| credential, appended casts       |
| EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES     | 30 per hour; 100 per day | credential, challenges with reveal |
| EVOTE_RATELIMIT_CREDENTIAL_SEALED_CHALLENGES | 3 per day; 10 per month | credential, challenges without reveal |
| EVOTE_RATELIMIT_TRUSTEE_PER_CLIENT        | 60 per minute          | client address, trustee messages |
| EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT | 10 per minute; 100 per day | client address, refused tokens |
| EVOTE_RATELIMIT_READS_PER_CLIENT          | 3000 per minute        | client address, all API reads    |
| EVOTE_RATELIMIT_LOGIN_PER_VOTER           | 3 per 10 minutes; 10 per day | voter id, login-code requests (known or not) |
| EVOTE_RATELIMIT_LOGIN_PER_CLIENT          | 30 per minute          | client address, login-code requests and, apart, verifications |
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping

from limits import parse_many

from ..admin_token import admin_token_problem
from ..elections.credential_limits import CredentialLimits, Window
from ..log import MAX_PAGE
from ..log_format.errors import InvalidInput
from ..mail import SmtpSettings, smtp_settings
from ..witness_client import BoardWitnessPolicy, load_witness_policy_file

DEFAULTS = {
    "EVOTE_DATABASE_URL": "sqlite:///evote-board.sqlite3",
    "EVOTE_BOARD_KEY_FILE": "evote-board.key",
    "EVOTE_BOARD_ORIGIN": "evote-board.localhost",
    "EVOTE_BOARD_KEY_NAME": "",
    "EVOTE_ADMIN_TOKEN": "",
    "EVOTE_MAX_BODY_BYTES": "1048576",
    "EVOTE_MAX_PAGE": str(MAX_PAGE),
    "EVOTE_MIGRATE": "1",
    "EVOTE_TRUSTED_PROXIES": "0",
    "EVOTE_RATELIMIT_STORAGE_URI": "memory://",
    "EVOTE_RATELIMIT_SUBMIT_PER_CLIENT": "120 per minute",
    "EVOTE_RATELIMIT_CREDENTIAL_CASTS": "10 per hour; 30 per day",
    "EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES": "30 per hour; 100 per day",
    "EVOTE_RATELIMIT_CREDENTIAL_SEALED_CHALLENGES": "3 per day; 10 per month",
    "EVOTE_CLOSE_GRACE_SECONDS": "5",
    "EVOTE_WITNESS_POLICY_FILE": "",
    "EVOTE_COSIGN_INTERVAL_SECONDS": "1",
    "EVOTE_WITNESS_TIMEOUT_SECONDS": "5",
    "EVOTE_RATELIMIT_TRUSTEE_PER_CLIENT": "60 per minute",
    "EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT": "10 per minute; 100 per day",
    "EVOTE_RATELIMIT_READS_PER_CLIENT": "3000 per minute",
    "EVOTE_SMTP_URL": "",
    "EVOTE_SMTP_STARTTLS": "0",
    "EVOTE_SMTP_FROM": "",
    "EVOTE_SMTP_CA_FILE": "",
    "EVOTE_RATELIMIT_LOGIN_PER_VOTER": "3 per 10 minutes; 10 per day",
    "EVOTE_RATELIMIT_LOGIN_PER_CLIENT": "30 per minute",
}
RATE_LIMITS = ("SUBMIT_PER_CLIENT", "TRUSTEE_PER_CLIENT", "ADMIN_FAILURES_PER_CLIENT", "READS_PER_CLIENT",
               "LOGIN_PER_VOTER", "LOGIN_PER_CLIENT")  # fmt: skip
# Counted by the board itself inside the append, from its ballot index (elections/credential_limits.py).
CREDENTIAL_LIMITS = {"casts": "EVOTE_RATELIMIT_CREDENTIAL_CASTS", "challenges": "EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES",
                     "sealed_challenges": "EVOTE_RATELIMIT_CREDENTIAL_SEALED_CHALLENGES"}  # fmt: skip
RETIRED = {"EVOTE_RATELIMIT_SUBMIT_PER_CREDENTIAL": "the per-credential limits are now EVOTE_RATELIMIT_CREDENTIAL_CASTS, "
           "EVOTE_RATELIMIT_CREDENTIAL_CHALLENGES and EVOTE_RATELIMIT_CREDENTIAL_SEALED_CHALLENGES (docs/board.md)"}  # fmt: skip
MAX_CLOSE_GRACE_SECONDS = 300
STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix")


@dataclass(frozen=True)
class BoardSettings:
    database_url: str
    key_file: str
    origin: str
    key_name: str
    admin_token: str | None
    max_body_bytes: int
    max_page: int
    migrate: bool
    trusted_proxies: int = 0
    ratelimit_storage_uri: str = "memory://"
    rate_limits: Mapping[str, str | None] = field(default_factory=dict)  # RATE_LIMITS name -> limit or None
    credential_limits: CredentialLimits = field(default_factory=CredentialLimits)
    close_grace_seconds: int = 5
    witness_policy: BoardWitnessPolicy | None = None  # docs/board.md, "Witnesses at the board"
    cosign_interval_seconds: float = 1.0
    witness_timeout_seconds: float = 5.0
    mail: SmtpSettings | None = None  # EVOTE_SMTP_*: the voters' login codes (docs/board.md, "Voter login")

    def __repr__(self) -> str:  # never show the admin token
        return f"BoardSettings(database_url={self.database_url!r}, origin={self.origin!r}, admin_token=***)"


def _int(values: Mapping[str, str], name: str, low: int, high: int) -> int:
    text = str(values[name]).strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:  # "²".isdigit(), int("²") fails
        raise InvalidInput(name, f"must be an integer from {low} to {high}")
    return int(text)


def load_settings(config: Mapping | None = None, environ: Mapping[str, str] = os.environ) -> BoardSettings:
    values = {name: environ.get(name, default) for name, default in DEFAULTS.items()}
    values.update({k: v for k, v in (config or {}).items() if k in DEFAULTS})
    for name, reason in RETIRED.items():
        if name in environ or name in (config or {}):
            raise InvalidInput(name, f"is no longer read: {reason}")
    token = str(values["EVOTE_ADMIN_TOKEN"] or "").strip()
    problem = admin_token_problem(token) if token else None
    if problem:
        raise InvalidInput("EVOTE_ADMIN_TOKEN", problem)
    origin = str(values["EVOTE_BOARD_ORIGIN"])
    return BoardSettings(
        database_url=str(values["EVOTE_DATABASE_URL"]),
        key_file=str(values["EVOTE_BOARD_KEY_FILE"]),
        origin=origin,
        key_name=str(values["EVOTE_BOARD_KEY_NAME"] or origin),
        admin_token=token or None,
        max_body_bytes=_int(values, "EVOTE_MAX_BODY_BYTES", 1024, 1 << 30),
        max_page=_int(values, "EVOTE_MAX_PAGE", 1, MAX_PAGE),
        migrate=str(values["EVOTE_MIGRATE"]).strip().lower() not in ("0", "false", "no"),
        trusted_proxies=_int(values, "EVOTE_TRUSTED_PROXIES", 0, 10),
        ratelimit_storage_uri=_storage_uri(values, "EVOTE_RATELIMIT_STORAGE_URI"),
        rate_limits={name: _rate_limit(values, f"EVOTE_RATELIMIT_{name}") for name in RATE_LIMITS},
        credential_limits=CredentialLimits(**{kind: _windows(values, name) for kind, name in CREDENTIAL_LIMITS.items()}),
        close_grace_seconds=_int(values, "EVOTE_CLOSE_GRACE_SECONDS", 0, MAX_CLOSE_GRACE_SECONDS),
        witness_policy=_witness_policy(values, "EVOTE_WITNESS_POLICY_FILE"),
        cosign_interval_seconds=_seconds(values, "EVOTE_COSIGN_INTERVAL_SECONDS", 0.05, 3600),
        witness_timeout_seconds=_seconds(values, "EVOTE_WITNESS_TIMEOUT_SECONDS", 0.1, 300),
        mail=_mail(values, environ),
    )


def _mail(values: Mapping[str, str], environ: Mapping[str, str]) -> SmtpSettings | None:
    """The SMTP server of the login codes, or None; the user name and password come from the environment only."""
    url = str(values["EVOTE_SMTP_URL"] or "").strip()
    if not url:
        return None
    starttls = str(values["EVOTE_SMTP_STARTTLS"]).strip().lower()
    if starttls not in ("0", "1", "false", "true", "no", "yes", ""):
        raise InvalidInput("EVOTE_SMTP_STARTTLS", "must be 0 or 1")
    return smtp_settings(url, starttls=starttls in ("1", "true", "yes"), sender=str(values["EVOTE_SMTP_FROM"] or "").strip(),
                         user=environ.get("EVOTE_SMTP_USER") or None, password=environ.get("EVOTE_SMTP_PASSWORD") or None,
                         ca_file=str(values["EVOTE_SMTP_CA_FILE"] or "").strip() or None)  # fmt: skip


def _seconds(values: Mapping[str, str], name: str, low: float, high: float) -> float:
    text = str(values[name]).strip()
    if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?", text) or not low <= float(text) <= high:
        raise InvalidInput(name, f"must be a number of seconds from {low:g} to {high:g} (e.g. 1 or 0.5)")
    return float(text)


def _witness_policy(values: Mapping[str, str], name: str) -> BoardWitnessPolicy | None:
    """The witness policy file's content, checked now so that a bad file stops the board at start."""
    path = str(values[name] or "").strip()
    return load_witness_policy_file(path) if path else None


def _rate_limit(values: Mapping[str, str], name: str) -> str | None:
    """A flask-limiter limit ("120 per minute; 1000 per hour"), or None when "off" or empty."""
    text = str(values[name] or "").strip()
    if text.lower() in ("", "off"):
        return None
    try:
        parse_many(text)
    except ValueError:
        example = "'120 per minute; 1000 per hour' (or 'off')"
        raise InvalidInput(name, f"{text[:80]!r} is not a rate limit such as {example}") from None
    return text


def _windows(values: Mapping[str, str], name: str) -> tuple[Window, ...]:
    """A per-credential limit in the same notation, as windows the append counts in (none when "off")."""
    text = _rate_limit(values, name)
    return () if text is None else tuple(Window(item.amount, item.get_expiry()) for item in parse_many(text))


def _storage_uri(values: Mapping[str, str], name: str) -> str:
    text = str(values[name]).strip()
    scheme = text.partition("://")[0]
    if "://" not in text or scheme not in STORAGE_SCHEMES:
        raise InvalidInput(name, f"must be a URI with scheme {', '.join(STORAGE_SCHEMES)} (e.g. redis://127.0.0.1:6379/0)")
    return text
