"""Ties broken by lot, drawn from a public seed nobody can grind (issue 20, "Ties broken by lot").

Every lot of a count is derived from one ``seed`` (later: a hash of the final mix output and the record, fixed
only once no one can change a ballot) and from what the lot is about, so anyone recomputes it:

    digest = HMAC-SHA-256(key = seed, msg = "evote tie" ‖ lp(method) ‖ lp(purpose) ‖ b(stage, 4) ‖ lp(c_1) ‖ … ‖ lp(c_k))
    chosen = c_(1 + int(digest) mod k)

where c_1 < … < c_k are the tied candidates' labels sorted by their UTF-8 bytes, lp(x) = b(len(x), 4) ‖ x (UTF-8),
b(n, 4) the 4-byte big-endian integer, and ``stage`` the round (IRV), stage (STV) or 0 (single-step methods).
The bias of reducing 256 bits modulo k is below 2^-240. Each method says when it draws (docs/counting.md).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Iterable

from .errors import CountingError

TIE_TAG = b"evote tie"
MIN_SEED_BYTES = 16


@dataclass(frozen=True)
class Lot:
    """One drawing: what it decided, among whom (sorted), whom it chose, and the HMAC digest behind it (upper-case
    hex, as every hash output of the record: record-format §1)."""

    method: str
    purpose: str
    stage: int
    among: tuple[str, ...]
    chosen: str
    digest: str


def _lp(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def check_seed(seed: bytes) -> None:
    """A seed is bytes of at least 16 (a hash output is 32); anything else cannot be public and ungrindable."""
    if not isinstance(seed, bytes) or len(seed) < MIN_SEED_BYTES:
        raise CountingError("seed", f"must be at least {MIN_SEED_BYTES} bytes (a hash of the final mix output)")


def draw_lot(seed: bytes, method: str, purpose: str, stage: int, tied: Iterable[str]) -> Lot:
    """Choose one of ``tied`` (two or more labels) as the formula above says."""
    among = tuple(sorted(set(tied), key=lambda label: label.encode("utf-8")))
    if len(among) < 2:
        raise CountingError("tied", "a lot needs two or more candidates")
    message = TIE_TAG + _lp(method) + _lp(purpose) + stage.to_bytes(4, "big") + b"".join(_lp(c) for c in among)
    digest = hmac.new(seed, message, hashlib.sha256).digest()
    chosen = among[int.from_bytes(digest, "big") % len(among)]
    return Lot(method, purpose, stage, among, chosen, digest.hex().upper())
