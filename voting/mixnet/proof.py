"""The values of a proof of shuffle, and their parsing from outside.

π = (c, ĉ, t, s) as in Haenni et al. (FC 2017, Alg. 4.3 returns (t, s, c, ĉ)) with the challenge kept beside
t so that a verifier can name the failing equation, and with t_4 and s_4 one per column (the vector form):

* c_1..c_N: the permutation commitment; ĉ_1..ĉ_N: the commitment chain;
* t_1, t_2, t_3, t_{4,1..w} (pairs), t̂_1..t̂_N: the prover's commitments;
* the challenge; s_1, s_2, s_3, s_{4,1..w}, ŝ_1..ŝ_N, s'_1..s'_N: the responses.

:func:`parse_shuffle_proof` reads the canonical hex of docs/record-format.md §1 (upper case, fixed width) and
checks every element for 0 < x < p and x^q = 1 (in one batch, :mod:`voting.membership`) and every scalar for
0 <= x < q, with the error naming the field, e.g. ``proof.t_hat[3]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..elgamal import Ciphertext
from ..encoding import hex_p, hex_q, parse_p_unchecked_membership, parse_q, require_keys, require_list
from ..group import ElementModP, ElementModQ, Group
from ..membership import check_members


@dataclass(frozen=True)
class ShuffleProof:
    """A proof that the output rows are a permutation and re-encryption of the input rows."""

    c: tuple[ElementModP, ...]
    c_hat: tuple[ElementModP, ...]
    t1: ElementModP
    t2: ElementModP
    t3: ElementModP
    t4: tuple[Ciphertext, ...]
    t_hat: tuple[ElementModP, ...]
    challenge: ElementModQ
    s1: ElementModQ
    s2: ElementModQ
    s3: ElementModQ
    s4: tuple[ElementModQ, ...]
    s_hat: tuple[ElementModQ, ...]
    s_prime: tuple[ElementModQ, ...]

    @property
    def rows(self) -> int:
        return len(self.c)

    @property
    def width(self) -> int:
        return len(self.t4)


_P_LISTS = ("c", "c_hat", "t_hat")
_Q_LISTS = ("s4", "s_hat", "s_prime")
_P_SINGLE = ("t1", "t2", "t3")
_Q_SINGLE = ("challenge", "s1", "s2", "s3")


def proof_to_dict(proof: ShuffleProof) -> dict[str, Any]:
    """The canonical JSON form: elements and scalars as upper-case fixed-width hex."""
    data: dict[str, Any] = {name: [hex_p(x) for x in getattr(proof, name)] for name in _P_LISTS}
    data.update({name: [hex_q(x) for x in getattr(proof, name)] for name in _Q_LISTS})
    data.update({name: hex_p(getattr(proof, name)) for name in _P_SINGLE})
    data.update({name: hex_q(getattr(proof, name)) for name in _Q_SINGLE})
    data["t4"] = [[hex_p(pair.alpha), hex_p(pair.beta)] for pair in proof.t4]
    return data


def parse_shuffle_proof(data: object, group: Group, *, rows: int, width: int, field: str = "proof") -> ShuffleProof:
    """A :class:`ShuffleProof` for ``rows`` rows of ``width`` ciphertexts from its canonical JSON form."""
    obj = require_keys(data, field, set(_P_LISTS + _Q_LISTS + _P_SINGLE + _Q_SINGLE + ("t4",)))
    raw: list[Any] = []  # integers whose membership is checked in one batch, with their field names
    names: list[str] = []

    def element(value: object, name: str) -> int:
        raw.append(parse_p_unchecked_membership(value, name, group))
        names.append(name)
        return len(raw) - 1

    def vector(name: str, length: int) -> list[Any]:
        return require_list(obj[name], f"{field}.{name}", min_len=length, max_len=length)

    slots: dict[str, Any] = {}
    for name in _P_LISTS:
        slots[name] = [element(v, f"{field}.{name}[{i}]") for i, v in enumerate(vector(name, rows))]
    for name in _P_SINGLE:
        slots[name] = element(obj[name], f"{field}.{name}")
    pairs = vector("t4", width)
    t4_slots = []
    for k, pair in enumerate(pairs):
        parts = require_list(pair, f"{field}.t4[{k}]", min_len=2, max_len=2)
        t4_slots.append((element(parts[0], f"{field}.t4[{k}][0]"), element(parts[1], f"{field}.t4[{k}][1]")))
    check_members(raw, group, names)
    P = [ElementModP.computed(x, group) for x in raw]
    scalars = {
        name: tuple(
            parse_q(v, f"{field}.{name}[{i}]", group) for i, v in enumerate(vector(name, width if name == "s4" else rows))
        )
        for name in _Q_LISTS
    }
    return ShuffleProof(
        c=tuple(P[i] for i in slots["c"]),
        c_hat=tuple(P[i] for i in slots["c_hat"]),
        t1=P[slots["t1"]],
        t2=P[slots["t2"]],
        t3=P[slots["t3"]],
        t4=tuple(Ciphertext(P[a], P[b]) for a, b in t4_slots),
        t_hat=tuple(P[i] for i in slots["t_hat"]),
        challenge=parse_q(obj["challenge"], f"{field}.challenge", group),
        s1=parse_q(obj["s1"], f"{field}.s1", group),
        s2=parse_q(obj["s2"], f"{field}.s2", group),
        s3=parse_q(obj["s3"], f"{field}.s3", group),
        s4=scalars["s4"],
        s_hat=scalars["s_hat"],
        s_prime=scalars["s_prime"],
    )
