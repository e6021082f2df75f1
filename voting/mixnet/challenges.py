"""The Fiat-Shamir challenges of the proof of shuffle, in the hashing conventions of SPEC §5.

Haenni et al. (FC 2017) derive the vector u from (e, ẽ, c, pk) in Alg. 4.3 and the challenge c from
(y, t) with y = (e, ẽ, c, ĉ, pk). Here every one of these, the commitment generators and the election's
H_E are bound, with the ElectionGuard hash H = HMAC-SHA-256 (SPEC eq. 105) and two new domain-separation
bytes (the SPEC's are 0x00-0x31, §5.5; 0x40 is the generators', :mod:`.generators`; all three are registered
in :class:`voting.hashing.EvoteDS`):

    ρ   = H(H_E; 0x41, K, N, w, h, h_1..h_N, e_{1,1}..e_{N,w}, ẽ_{1,1}..ẽ_{N,w}, c_1..c_N)
    u_j = H(ρ; 0x41, j) mod q                                         for j = 1..N
    c   = H(H_E; 0x42, ρ, ĉ_1..ĉ_N, t_1, t_2, t_3, t_{4,1}..t_{4,w}, t̂_1..t̂_N) mod q

where a ciphertext is its α then its β, t_{4,k} is its α-part then its β-part, elements are b(x, l_p)
(SPEC §5.1.1) and N, w, j are b(x, 4) (SPEC §5.1.3). The inputs are streamed into the HMAC, which gives the
same digest as H over their concatenation (tests/mixnet/test_challenges.py).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Iterable, Sequence

from ..elgamal import Ciphertext
from ..group import ElementModP, ElementModQ, Group
from ..hashing import EvoteDS, encode, hash_to_q
from .generators import CommitmentGenerators
from .shuffle import Row

DS_MIX_CHALLENGES = EvoteDS.MIX_CHALLENGES
DS_MIX_CHALLENGE = EvoteDS.MIX_CHALLENGE


def streamed_H(key: bytes, parts: Iterable[object]) -> bytes:
    """H(key; parts...) (SPEC eq. 105) without building the concatenation in memory."""
    if len(key) != 32:
        raise ValueError("the first input of H is always 32 bytes (SPEC §5.2)")
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(encode(part))
    return mac.digest()


def _cells(rows: Sequence[Row]) -> Iterable[ElementModP]:
    for row in rows:
        for ct in row:
            yield ct.alpha
            yield ct.beta


def statement_digest(
    H_E: bytes,
    K: ElementModP,
    generators: CommitmentGenerators,
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    c: Sequence[ElementModP],
) -> bytes:
    """ρ: the digest of everything the vector u depends on."""
    width = len(inputs[0]) if inputs else 0

    def parts() -> Iterable[object]:
        yield DS_MIX_CHALLENGES
        yield from (K, len(inputs), width, generators.h)
        yield from generators.hs
        yield from _cells(inputs)
        yield from _cells(outputs)
        yield from c

    return streamed_H(H_E, parts())


def challenge_vector(rho: bytes, n: int, group: Group) -> list[ElementModQ]:
    """u_1..u_N, u_j = H(ρ; 0x41, j) mod q."""
    return [hash_to_q(streamed_H(rho, (DS_MIX_CHALLENGES, j)), group) for j in range(1, n + 1)]


def final_challenge(
    H_E: bytes,
    rho: bytes,
    c_hat: Sequence[ElementModP],
    t1: ElementModP,
    t2: ElementModP,
    t3: ElementModP,
    t4: Sequence[Ciphertext],
    t_hat: Sequence[ElementModP],
    group: Group,
) -> ElementModQ:
    """c = H(H_E; 0x42, ρ, ĉ, t_1, t_2, t_3, t_4, t̂) mod q."""

    def parts() -> Iterable[object]:
        yield from (DS_MIX_CHALLENGE, rho)
        yield from c_hat
        yield from (t1, t2, t3)
        yield from _cells([tuple(t4)])
        yield from t_hat

    return hash_to_q(streamed_H(H_E, parts()), group)
