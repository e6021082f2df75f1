"""Voter login, the board's second factor (issue 17 item 4; docs/board.md, "Voter login: a second factor by e-mail").

An election whose ``election.created`` carries ``voter_login`` (voting/record/voter_login.py) takes ballots only
from a signed-in voter. The administrator gives the board the roll's logins (voter id, e-mail address, ballot
style, weight, language; never a credential), kept in private tables and never on the log. A voter asks for a
one-time code (8 digits from :mod:`secrets`, stored as a salted hash, valid CODE_SECONDS, MAX_TRIES wrong tries,
a new code replaces the old) that the board e-mails, and trades it for a session (a 256-bit token, stored as
its SHA-256, valid SESSION_SECONDS). A cast ballot then binds its login to its credential, in the ballot's
append transaction under the log's lock (:func:`check_cast`): one credential per login, one login per
credential, and the credential's style and weight must be the login's. Challenges need a session but bind
nothing.

Nothing here tells a voter id on the roll from one that is not: a code request for an unknown id stores a code
that nobody receives, so both answer the same, in the same time, and so do their verifications. No code,
address or session token is ever written to a log line or an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from voting.record.phases import CLOSED_PHASE, OPEN, TALLIED, TALLYING

from .elections.errors import Refused
from .storage.engine import write_transaction
from .storage.schema import login_bindings, login_codes, login_sessions, voter_logins

CODE_DIGITS = 8
CODE_SECONDS = 600
MAX_TRIES = 5
SESSION_SECONDS = 3600
MAX_VOTER_ID = 200
MAX_EMAIL = 254
MAX_PROBLEMS_SHOWN = 10
US = 1_000_000
_CODE_DOMAIN = b"evote/login-code/v1\x00"
_EMAIL = re.compile(r"[^@\s<>,;\"()\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
_SESSION = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_FINISHED = (CLOSED_PHASE, TALLYING, TALLIED)

__all__ = ["Login", "Session", "SignedIn", "IssuedCode", "LoginRefused", "parse_logins", "store_logins", "count_logins",
           "public_summary", "text_problem", "normalise_code", "issue_code", "verify_code", "signed_in", "check_cast", "clock"]  # fmt: skip


def clock() -> int:
    """Microseconds since the Unix epoch (tests replace it to reach an expiry)."""
    return time.time_ns() // 1000


@dataclass(frozen=True)
class Login:
    voter_id: str
    email: str
    style: str
    weight: int
    language: str | None = None


@dataclass(frozen=True)
class IssuedCode:
    """A fresh code for a login on the roll, to be e-mailed (and then forgotten)."""

    login: Login
    code: str
    expires_at: int  # microseconds


@dataclass(frozen=True)
class Session:
    token: str
    expires_at: int  # microseconds
    style: str
    weight: int


@dataclass(frozen=True)
class SignedIn:
    """The login a session token stands for."""

    voter_id: str
    style: str
    weight: int


class LoginRefused(Refused):
    """401 to a code verification; ``tries_left`` when the code was wrong."""

    def __init__(self, code: str, message: str, tries_left: int | None = None) -> None:
        super().__init__(401, code, "code", message)
        self.tries_left = tries_left

    def __reduce__(self):
        return LoginRefused, (self.code, self.message, self.tries_left)


# --- the roll's logins (administrator) -----------------------------------------------------------------------

def text_problem(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= limit or value != value.strip():
        return f"1 to {limit} characters, without surrounding spaces"
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        return "contains no control, format or line-break characters"
    return None


def parse_logins(value: object, styles: Iterable[str], max_weight: int) -> list[Login]:
    """The ``logins`` of an upload, each checked where it enters; a :class:`Refused` (400 ``invalid_logins``)
    names every problem by index and field (never the value: it may be an address)."""
    if not isinstance(value, list) or not value:
        raise Refused(400, "invalid_logins", "logins", "expected a non-empty list of {voter_id, email, style, weight}")
    styles, problems, seen, logins = set(styles), [], set(), []
    for index, item in enumerate(value):
        where = f"logins[{index}]"
        if not isinstance(item, dict):
            problems.append((where, "expected an object {voter_id, email, style, weight, language?}"))
            continue
        unknown = sorted(set(item) - {"voter_id", "email", "style", "weight", "language"})
        missing = sorted({"voter_id", "email", "style"} - set(item))
        for name in unknown:
            problems.append((f"{where}.{name}", "unknown field (a login never holds a credential)"))
        for name in missing:
            problems.append((f"{where}.{name}", "required field is missing"))
        if unknown or missing:
            continue
        found = []
        voter_problem = text_problem(item["voter_id"], MAX_VOTER_ID)
        if voter_problem:
            found.append(("voter_id", voter_problem))
        elif item["voter_id"] in seen:
            found.append(("voter_id", "appears twice in this upload"))
        email = item["email"]
        if not isinstance(email, str) or len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email):
            found.append(("email", "must be an e-mail address like name@example.org"))
        if item["style"] not in styles:
            found.append(("style", "must be a ballot style of the manifest"))
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= max_weight:
            found.append(("weight", f"must be an integer from 1 to {max_weight} (the election's max_weight)"))
        language = item.get("language")
        if language is not None and (not isinstance(language, str) or not _LANGUAGE.fullmatch(language)):
            found.append(("language", "must be a language tag like en, fr or de-CH"))
        problems.extend((f"{where}.{name}", reason) for name, reason in found)
        if not found:
            seen.add(item["voter_id"])
            logins.append(Login(item["voter_id"], email, item["style"], weight, language))
    if problems:
        shown = "; ".join(f"{field}: {reason}" for field, reason in problems[:MAX_PROBLEMS_SHOWN])
        more = f"; and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        raise Refused(400, "invalid_logins", problems[0][0], f"{len(problems)} problem(s): {shown}{more}")
    return logins


def _lock_key(election_id: str) -> str:
    return "voter-login/" + election_id  # the login tables' own advisory lock: appends are not held up


def store_logins(engine: Engine, election_id: str, phase: str, logins: list[Login]) -> dict[str, int]:
    """Add the logins; before the election opens a voter id already there is replaced (a correction), while it
    is open only new voter ids are added (409 ``login_exists`` for a changed one), and after the close none."""
    if phase in _FINISHED:
        raise Refused(409, "election_closed", None, f"the election is {phase}: logins can no longer be added")
    added = replaced = unchanged = 0
    now = clock()
    with write_transaction(engine, _lock_key(election_id)) as conn:
        stored = {row.voter_id: row for row in conn.execute(
            select(voter_logins).where(voter_logins.c.election_id == election_id)
            .where(voter_logins.c.voter_id.in_([login.voter_id for login in logins]))
        )}  # fmt: skip
        for index, login in enumerate(logins):
            before = stored.get(login.voter_id)
            row = {"email": login.email, "style": login.style, "weight": login.weight, "language": login.language}
            if before is None:
                conn.execute(insert(voter_logins).values(election_id=election_id, voter_id=login.voter_id, added_at=now, **row))
                added += 1
            elif all(getattr(before, name) == value for name, value in row.items()):
                unchanged += 1
            elif phase == OPEN:
                raise Refused(409, "login_exists", f"logins[{index}].voter_id",
                              "this voter id already has a different login, which cannot change while the election is open")  # fmt: skip
            else:
                conn.execute(update(voter_logins).where(voter_logins.c.election_id == election_id)
                             .where(voter_logins.c.voter_id == login.voter_id).values(**row))  # fmt: skip
                replaced += 1
        total = count_logins(conn, election_id)
    return {"added": added, "replaced": replaced, "unchanged": unchanged, "logins": total}


def count_logins(conn: Connection, election_id: str) -> int:
    return conn.execute(select(func.count()).select_from(voter_logins).where(voter_logins.c.election_id == election_id)).scalar() or 0


def public_summary(conn: Connection, election_id: str, voter_login) -> dict | None:
    """The context's ``voter_login``: the election's method and card channel, and how many logins the board holds."""
    if voter_login is None:
        return None
    return {**voter_login.to_json(), "logins": count_logins(conn, election_id)}


# --- codes and sessions (voters) -----------------------------------------------------------------------------

def _code_hash(salt: bytes, election_id: str, voter_id: str, code: str) -> bytes:
    framed = b"".join(len(part).to_bytes(4, "big") + part for part in (election_id.encode(), voter_id.encode(), code.encode()))
    return hashlib.sha256(_CODE_DOMAIN + salt + framed).digest()


def issue_code(engine: Engine, election_id: str, voter_id: str) -> IssuedCode | None:
    """A new code for ``voter_id``, replacing any earlier one; None when the id is not on the roll, after the
    same work (a code is stored for it too, and nobody ever receives it)."""
    now = clock()
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    salt = secrets.token_bytes(16)
    expires_at = now + CODE_SECONDS * US
    with write_transaction(engine, _lock_key(election_id)) as conn:
        conn.execute(delete(login_codes).where(login_codes.c.election_id == election_id).where(login_codes.c.expires_at < now))
        conn.execute(delete(login_codes).where(login_codes.c.election_id == election_id).where(login_codes.c.voter_id == voter_id))
        conn.execute(insert(login_codes).values(election_id=election_id, voter_id=voter_id, salt=salt, expires_at=expires_at,
                                                code_hash=_code_hash(salt, election_id, voter_id, code), tries_left=MAX_TRIES))  # fmt: skip
        row = conn.execute(select(voter_logins).where(voter_logins.c.election_id == election_id)
                           .where(voter_logins.c.voter_id == voter_id)).first()  # fmt: skip
    if row is None:
        return None
    return IssuedCode(Login(row.voter_id, row.email, row.style, row.weight, row.language), code, expires_at)


def normalise_code(value: object) -> str | None:
    """The 8 digits a voter typed, spaces and dashes removed; None for anything else."""
    if not isinstance(value, str) or len(value) > 32:
        return None
    digits = value.replace(" ", "").replace("-", "")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else None


def verify_code(engine: Engine, election_id: str, voter_id: str, code: str) -> Session:
    """Trade a code for a session, or raise :class:`LoginRefused`: ``wrong_code`` (with the tries left),
    ``code_locked`` (no try left: ask for a new code), ``code_expired`` (expired, used or never sent)."""
    now = clock()
    with write_transaction(engine, _lock_key(election_id)) as conn:
        row = conn.execute(select(login_codes).where(login_codes.c.election_id == election_id)
                           .where(login_codes.c.voter_id == voter_id)).first()  # fmt: skip
        if row is None or row.expires_at <= now:
            raise LoginRefused("code_expired", "there is no valid code for this voter id (it expired or was used): ask for a new one")
        if row.tries_left <= 0:
            raise LoginRefused("code_locked", "too many wrong codes: ask for a new one", 0)
        right = hmac.compare_digest(_code_hash(row.salt, election_id, voter_id, code), row.code_hash)
        login = conn.execute(select(voter_logins).where(voter_logins.c.election_id == election_id)
                             .where(voter_logins.c.voter_id == voter_id)).first() if right else None  # fmt: skip
        where = (login_codes.c.election_id == election_id) & (login_codes.c.voter_id == voter_id)
        if login is None:
            tries_left = row.tries_left - 1
            conn.execute(update(login_codes).where(where).values(tries_left=tries_left))
        else:
            conn.execute(delete(login_codes).where(where))  # used: once
            token = secrets.token_urlsafe(32)
            expires_at = now + SESSION_SECONDS * US
            conn.execute(delete(login_sessions).where(login_sessions.c.election_id == election_id).where(login_sessions.c.expires_at < now))
            conn.execute(insert(login_sessions).values(token_hash=hashlib.sha256(token.encode()).digest(), election_id=election_id,
                                                       voter_id=voter_id, expires_at=expires_at))  # fmt: skip
            return Session(token, expires_at, login.style, login.weight)
    if tries_left == 0:
        raise LoginRefused("code_locked", "wrong code, and no try is left: ask for a new one", 0)
    raise LoginRefused("wrong_code", f"wrong code: {tries_left} {'try' if tries_left == 1 else 'tries'} left", tries_left)


def login_required(reason: str) -> Refused:
    return Refused(401, "login_required", "session", f"this election takes ballots from signed-in voters only: {reason}")


def signed_in(conn: Connection, election_id: str, token: str | None) -> SignedIn:
    """The login of a session token (``Authorization: Voter <token>``), or 401 ``login_required``."""
    if token is None:
        raise login_required("sign in with your voter id and the code the board e-mails you")
    if not _SESSION.fullmatch(token):
        raise login_required("the session is not valid; sign in again")
    digest = hashlib.sha256(token.encode()).digest()
    row = conn.execute(
        select(login_sessions.c.token_hash, login_sessions.c.voter_id, login_sessions.c.expires_at, voter_logins.c.style, voter_logins.c.weight)
        .join(voter_logins, (voter_logins.c.election_id == login_sessions.c.election_id) & (voter_logins.c.voter_id == login_sessions.c.voter_id))
        .where(login_sessions.c.token_hash == digest).where(login_sessions.c.election_id == election_id)
    ).first()  # fmt: skip
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.expires_at <= clock():
        raise login_required("the session is not valid or has expired; sign in again")
    return SignedIn(row.voter_id, row.style, row.weight)


def check_cast(conn: Connection, election_id: str, login: SignedIn, credential: str, listed_style: str | None,
               listed_weight: int, seq: int) -> None:  # fmt: skip
    """Under the log's lock, in the cast's append transaction: the credential must be this login's (bound at
    its first cast) and of its style and weight; a first cast binds them. Raises 403 otherwise."""
    if (listed_style is not None and listed_style != login.style) or listed_weight != login.weight:
        raise Refused(403, "login_style_mismatch", "credential",
                      "this voting card is not of the ballot style and weight the roll gives this voter")  # fmt: skip
    bound = conn.execute(select(login_bindings.c.credential).where(login_bindings.c.election_id == election_id)
                         .where(login_bindings.c.voter_id == login.voter_id)).scalar()  # fmt: skip
    if bound is not None:
        if bound != credential:
            raise Refused(403, "login_bound_to_other_credential", "credential", "this voter has already voted with another voting card")
        return
    other = conn.execute(select(login_bindings.c.voter_id).where(login_bindings.c.election_id == election_id)
                         .where(login_bindings.c.credential == credential)).first()  # fmt: skip
    if other is not None:
        raise Refused(403, "credential_bound_to_other_login", "credential", "this voting card was already used by another voter")
    conn.execute(insert(login_bindings).values(election_id=election_id, voter_id=login.voter_id, credential=credential, seq=seq))


def utc_text(microseconds: int) -> str:
    return datetime.fromtimestamp(microseconds // US, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")


def iso_time(microseconds: int) -> str:
    return datetime.fromtimestamp(microseconds // US, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
