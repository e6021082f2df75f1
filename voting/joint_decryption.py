"""The joint decryption protocol of SPEC v2.0.0 §3.6.3 for a batch of items, in its two rounds.

An item is either a vote ciphertext (A, B) — a tally entry or a challenged selection — or a contest-data
ciphertext (C0, C1, C2). Round 1: each available guardian publishes its partial decryptions and commitments
(:func:`guardian_share`). The combiner derives M and the challenges (:func:`make_challenge`). Round 2: each
guardian answers (:func:`guardian_responses`); every answer is checked (:func:`check_guardian_responses`)
before the proofs are assembled (:func:`assemble`). :func:`decrypt_locally` runs both rounds in one process
for tests and benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence, Union

from .context import ElectionContext
from .decryption import (
    DecryptionProof,
    GuardianCommitment,
    check_response,
    combine_commitments,
    combine_partials,
    combine_responses,
    commitment,
    contest_data_challenge,
    decryption_challenge,
    guardian_challenge,
    lagrange_coefficient,
    partial_decryption,
    require_quorum,
    response,
)
from .elgamal import Ciphertext
from .errors import InvalidProof
from .group import ElementModP, ElementModQ
from .hashed_elgamal import HashedCiphertext
from .powers import same_base_powers
from .randomness import Randomness

Item = Union[Ciphertext, HashedCiphertext]


def _base(item: Item) -> ElementModP:
    """A for (A, B); C0 for contest data (SPEC eqs. 66, 77)."""
    return item.alpha if isinstance(item, Ciphertext) else item.C0


@dataclass(frozen=True)
class DecryptionShare:
    """Round 1 of guardian i: M_i (or m_i) and (a_i, b_i) for every item, in item order."""

    i: int
    partials: tuple[ElementModP, ...]
    commitments: tuple[GuardianCommitment, ...]


@dataclass(frozen=True)
class DecryptionChallenge:
    """The combiner's output after round 1: the set U, M (or β) and the joint challenge c per item."""

    available: tuple[int, ...]
    M: tuple[ElementModP, ...]
    c: tuple[bytes, ...]

    def guardian_challenges(self, i: int) -> tuple[ElementModQ, ...]:
        """c_i = c · w_i mod q for every item (SPEC eq. 72)."""
        group = self.M[0].group
        w_i = lagrange_coefficient(i, self.available, group)
        return tuple(guardian_challenge(c, w_i) for c in self.c)


@dataclass(frozen=True)
class DecryptionResult:
    """One decrypted item: M (so T = B·M^{-1} or β = M for contest data) with the joint proof (c, v)."""

    M: ElementModP
    proof: DecryptionProof


def guardian_share(
    i: int, key_share: ElementModQ, items: Sequence[Item], context: ElectionContext, *, random: Randomness | None = None
) -> tuple[DecryptionShare, tuple[ElementModQ, ...]]:
    """Round 1 for guardian i: (M_i, a_i, b_i) per item, and the secret u_i values to keep for round 2."""
    draw = random or context.group.random_scalar
    secrets = tuple(draw() for _ in items)
    return share_from_secrets(i, key_share, items, context, secrets), secrets


def share_from_secrets(
    i: int, key_share: ElementModQ, items: Sequence[Item], context: ElectionContext, secrets: Sequence[ElementModQ]
) -> DecryptionShare:
    """Round 1 recomputed from saved u_i values (a trustee resuming after a crash posts the same share)."""
    if len(secrets) != len(items):
        raise ValueError("one secret u_i per item")
    partials = tuple(partial_decryption(_base(item), key_share) for item in items)
    commitments = tuple(commitment(context, _base(item), u) for item, u in zip(items, secrets))
    return DecryptionShare(i, partials, commitments)


def make_challenge(
    shares: Mapping[int, DecryptionShare], items: Sequence[Item], context: ElectionContext, k: int
) -> DecryptionChallenge:
    """M = Π M_i^{w_i} (eq. 68), (a, b) = (Π a_i, Π b_i) (eq. 70) and c (eq. 71 or 81) for each item."""
    available = tuple(sorted(shares))
    require_quorum(available, k)
    for share in shares.values():
        if len(share.partials) != len(items) or len(share.commitments) != len(items):
            raise InvalidProof("3.6.3", f"guardian {share.i} answered {len(share.partials)} of {len(items)} items")
    group = context.group
    Ms, cs = [], []
    for n, item in enumerate(items):
        M = combine_partials({i: shares[i].partials[n] for i in available}, group)
        joint = combine_commitments({i: shares[i].commitments[n] for i in available})
        if isinstance(item, Ciphertext):
            c = decryption_challenge(context, item.alpha, item.beta, joint.a, joint.b, M)
        else:
            c = contest_data_challenge(context, item, joint.a, joint.b, M)
        Ms.append(M)
        cs.append(c)
    return DecryptionChallenge(available, tuple(Ms), tuple(cs))


def guardian_responses(
    i: int, key_share: ElementModQ, secrets: Sequence[ElementModQ], challenge: DecryptionChallenge
) -> tuple[ElementModQ, ...]:
    """Round 2 for guardian i: v_i = u_i - c_i P(i) for every item (SPEC eq. 73)."""
    challenges = challenge.guardian_challenges(i)
    if len(challenges) != len(secrets):
        raise ValueError("one response per item")
    return tuple(response(u, c_i, key_share) for u, c_i in zip(secrets, challenges))


def check_guardian_responses(
    share: DecryptionShare,
    responses: Sequence[ElementModQ],
    challenge: DecryptionChallenge,
    items: Sequence[Item],
    public_key_share: ElementModP,
    context: ElectionContext,
) -> None:
    """SPEC eqs. 74-75 for each of guardian i's answers; the error names the guardian and the item."""
    if len(responses) != len(items):
        raise InvalidProof("eq. 73", f"guardian {share.i} answered {len(responses)} of {len(items)} items")
    challenges = challenge.guardian_challenges(share.i)
    # (g^{P(i)})^{c_i} of eq. 74 for every item at once: one public base, public exponents (voting.powers)
    key_share_powers = same_base_powers(public_key_share.value, [c_i.value for c_i in challenges], context.group.p)
    for n, item in enumerate(items):
        try:
            check_response(
                share.i,
                responses[n],
                challenges[n],
                share.commitments[n],
                _base(item),
                share.partials[n],
                public_key_share,
                context,
                key_share_power=key_share_powers[n],
            )
        except InvalidProof as exc:
            raise InvalidProof(exc.check, f"item {n}: {exc.message}") from None


def assemble(challenge: DecryptionChallenge, responses: Mapping[int, Sequence[ElementModQ]]) -> list[DecryptionResult]:
    """v = Σ v_i (eq. 76) and the published (M, c, v) per item; every response must be checked first."""
    if tuple(sorted(responses)) != challenge.available:
        raise InvalidProof("eq. 76", "responses are needed from exactly the guardians of the challenge")
    return [
        DecryptionResult(
            challenge.M[n], DecryptionProof(challenge.c[n], combine_responses({i: responses[i][n] for i in challenge.available}))
        )
        for n in range(len(challenge.c))
    ]


def decrypt_locally(
    items: Sequence[Item],
    key_shares: Mapping[int, ElementModQ],
    public_key_shares: Mapping[int, ElementModP],
    context: ElectionContext,
    k: int,
) -> list[DecryptionResult]:
    """Both rounds in one process with the given guardians' key shares (tests, benchmarks)."""
    rounds = {i: guardian_share(i, key_shares[i], items, context) for i in key_shares}
    shares = {i: share for i, (share, _) in rounds.items()}
    challenge = make_challenge(shares, items, context, k)
    responses = {}
    for i, (share, secrets) in rounds.items():
        responses[i] = guardian_responses(i, key_shares[i], secrets, challenge)
        check_guardian_responses(share, responses[i], challenge, items, public_key_shares[i], context)
    return assemble(challenge, responses)
