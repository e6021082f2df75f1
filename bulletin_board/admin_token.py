"""The administrator's bearer token: generated, never chosen (docs/board.md, "Admin token").

    evote-admin-<48 base64url characters>

The 48 characters encode 36 bytes: 32 from the OS CSPRNG (256 bits) and a 4-byte check, the first bytes of
SHA-256("evote/admin-token/v1" ∥ 0x00 ∥ random). ``evote board admin-token`` makes one. The board refuses
to start with a token of any other form: it cannot prove that a token is random, but a password somebody
typed or chose does not carry the check. Because a token cannot be guessed, a refused guess never locks the
administrator out (web/limits.py counts refused tokens per address, and a valid token is never counted).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets

PREFIX = "evote-admin-"
RANDOM_BYTES = 32
CHECK_BYTES = 4
CHECK_DOMAIN = b"evote/admin-token/v1\x00"
_FORM = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_-]{48}")
HELP = "generate one with `evote board admin-token`"

__all__ = ["new_admin_token", "admin_token_problem", "PREFIX"]


def _check(random_part: bytes) -> bytes:
    return hashlib.sha256(CHECK_DOMAIN + random_part).digest()[:CHECK_BYTES]


def new_admin_token() -> str:
    """A fresh token: 256 random bits from ``secrets`` and their check, in the form above."""
    random_part = secrets.token_bytes(RANDOM_BYTES)
    return PREFIX + base64.urlsafe_b64encode(random_part + _check(random_part)).decode("ascii")


def admin_token_problem(token: str) -> str | None:
    """Why ``token`` is not a generated admin token, or None when it is one. Never repeats the token."""
    if not _FORM.fullmatch(token):
        return f"is not a generated admin token ({PREFIX} and 48 more characters); {HELP}"
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    except (binascii.Error, ValueError):  # unreachable for the alphabet above; kept for safety
        return f"is not a generated admin token; {HELP}"
    random_part, check = raw[:RANDOM_BYTES], raw[RANDOM_BYTES:]
    if not hmac.compare_digest(check, _check(random_part)):
        return f"is not a generated admin token (its check does not match: mistyped or made up); {HELP}"
    return None
