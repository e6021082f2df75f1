"""Helios' ElGamal group and hashes, as helios-server computes them.

* The group is a prime-order subgroup of Z_p^* given by ``{p, q, g}`` (helios/crypto/algs.py,
  ``EGPublicKey``); every number travels as a decimal string.
* Challenges are SHA-1 of decimal strings (algs.py ``DLog_challenge_generator``: ``str(commitment)``;
  ``EG_disjunctive_challenge_generator``: ``"A0,B0,A1,B1,..."``), read as a big-endian integer. They hash only
  the commitments, not the statement (weak Fiat-Shamir).
* Document hashes (``election_hash``, ``vote_hash``, ``public_key_hash``, ``voter_hash``) are base64 SHA-256
  of Helios' JSON serialisation without the padding (helios/crypto/utils.py ``hash_b64``;
  helios_auth/utils.py ``to_json``: Python's ``json.dumps(d, sort_keys=True)``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Sequence

import gmpy2

_DECIMAL = re.compile(r"[0-9]{1,2000}")
MIN_P_BITS = 2048  # algs.py validate_pk_params: "p of insufficient length. Should be 2048 bits or greater."
MIN_Q_BITS = 256


def helios_json(value: Any) -> str:
    """Helios' JSON serialisation (helios_auth/utils.py ``to_json``): sorted keys, Python's default separators."""
    return json.dumps(value, sort_keys=True)


def hash_b64(text: str | bytes) -> str:
    """helios/crypto/utils.py ``hash_b64``: base64 of SHA-256, the trailing "=" removed."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii").rstrip("=")


def json_hash(value: Any) -> str:
    """The hash Helios gives a JSON document: ``hash_b64(to_json(value))``."""
    return hash_b64(helios_json(value))


def sha1_int(text: str) -> int:
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest(), "big")


def parse_integer(value: Any) -> int:
    """A Helios big integer: a decimal string (or a JSON integer); ValueError with the reason."""
    if isinstance(value, bool):
        raise ValueError(f"a decimal integer was expected, found {value!r}")
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise ValueError(f"a decimal integer was expected, found {str(value)[:60]!r}")
    return int(value)


@dataclass(frozen=True)
class Group:
    """``{p, q, g}`` of an election's public key; picklable."""

    p: Any
    q: Any
    g: Any

    @classmethod
    def of(cls, p: int, q: int, g: int) -> Group:
        return cls(gmpy2.mpz(p), gmpy2.mpz(q), gmpy2.mpz(g))

    def describe(self) -> str:
        return f"p of {self.p.bit_length()} bits, q of {self.q.bit_length()} bits"

    def is_member(self, x: Any) -> bool:
        """algs.py ``check_group_membership``: 1 < x < p-1 and x^q = 1 mod p."""
        return 1 < x < self.p - 1 and gmpy2.powmod(x, self.q, self.p) == 1

    def element(self, value: Any) -> Any:
        """A group element from its decimal string; ValueError saying why it is not one."""
        x = gmpy2.mpz(parse_integer(value))
        if not 1 < x < self.p - 1:
            raise ValueError(f"{_short(x)} is not between 1 and p-1")
        if gmpy2.powmod(x, self.q, self.p) != 1:
            raise ValueError(f"{_short(x)} is not in the subgroup of order q (x^q mod p is not 1)")
        return x

    def scalar(self, value: Any) -> Any:
        """An exponent: 0 <= x < q; ValueError otherwise."""
        x = gmpy2.mpz(parse_integer(value))
        if not 0 <= x < self.q:
            raise ValueError(f"{_short(x)} is not below q")
        return x

    def pow(self, base: Any, exponent: Any) -> Any:
        return gmpy2.powmod(base, exponent, self.p)

    def mul(self, a: Any, b: Any) -> Any:
        return a * b % self.p

    def div(self, a: Any, b: Any) -> Any:
        return a * gmpy2.invert(b, self.p) % self.p

    def product(self, values: Sequence[Any]) -> Any:
        result = gmpy2.mpz(1)
        for value in values:
            result = result * value % self.p
        return result


def group_problems(group: Group) -> list[str]:
    """algs.py ``EGPublicKey.validate_pk_params``, and q | p-1: what is wrong with ``{p, q, g}`` (empty when nothing)."""
    p, q, g = group.p, group.q, group.g
    problems = []
    if not gmpy2.is_prime(p, 30):
        problems.append("p is not prime")
    if not gmpy2.is_prime(q, 30):
        problems.append("q is not prime")
    if q > 0 and (p - 1) % q != 0:
        problems.append("q does not divide p-1")
    if p.bit_length() < MIN_P_BITS:
        problems.append(f"p has {p.bit_length()} bits, fewer than the {MIN_P_BITS} Helios requires")
    if q.bit_length() < MIN_Q_BITS:
        problems.append(f"q has {q.bit_length()} bits, fewer than the {MIN_Q_BITS} Helios requires")
    if not 1 < g < p - 1:
        problems.append("g is not between 1 and p-1")
    elif gmpy2.powmod(g, q, p) != 1:
        problems.append("g does not generate the subgroup of order q (g^q mod p is not 1)")
    return problems


def _short(x: Any) -> str:
    text = str(x)
    return text if len(text) <= 24 else f"{text[:10]}...{text[-10:]} ({len(text)} digits)"
