"""Ballot encryption (SPEC v2.0.0 §3.3-3.4).

Every nonce of a ballot is derived from one 256-bit ballot nonce ξ_B: selection nonces
ξ_{i,j} = H(H_E; 0x20, ξ_B, ind_c(Λ_i), ind_o(λ_j)) (eq. 25) and the contest data nonce
ξ = H(H_E; 0x20, ξ_B, ind_c(Λ), "contest data") (eq. 50). Knowing ξ_B therefore opens the whole ballot,
which is how a Benaloh challenge is answered (§3.6.5 "Verifying decryption with nonces").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .ballot import PlaintextBallot, PlaintextContest
from .confirmation import confirmation_code, contest_hash
from .context import ElectionContext
from .elgamal import Ciphertext, add_all, encrypt
from .encrypted_ballot import EncryptedBallot, EncryptedContest, EncryptedSelection
from .group import ElementModQ
from .hashed_elgamal import encrypt_contest_data
from .hashing import DS, H, hash_to_q
from .proofs.range import prove_range
from .randomness import Randomness

CONTEST_DATA_VERSION = 1


def selection_nonce(context: ElectionContext, ballot_nonce: bytes, contest_index: int, option_index: int) -> ElementModQ:
    """ξ_{i,j} = H(H_E; 0x20, ξ_B, ind_c(Λ_i), ind_o(λ_j)) (SPEC eq. 25), read as an element of Z_q."""
    return hash_to_q(H(context.H_E, DS.NONCE, ballot_nonce, contest_index, option_index), context.group)


def contest_data_nonce(context: ElectionContext, ballot_nonce: bytes, contest_index: int) -> ElementModQ:
    """ξ = H(H_E; 0x20, ξ_B, ind_c(Λ), "contest data") (SPEC eq. 50)."""
    return hash_to_q(H(context.H_E, DS.NONCE, ballot_nonce, contest_index, "contest data"), context.group)


def contest_data_bytes(status: int) -> bytes:
    """evote's contest data field D: version, status, 30 zero bytes (docs/record-format.md §3)."""
    return bytes([CONTEST_DATA_VERSION, status]) + bytes(30)


@dataclass(frozen=True)
class EncryptionResult:
    """The encrypted ballot and its secret ballot nonce ξ_B (kept by the booth for a challenge)."""

    ballot: EncryptedBallot
    ballot_nonce: bytes

    def __repr__(self) -> str:
        return f"EncryptionResult({self.ballot.confirmation_code.hex().upper()}, <nonce hidden>)"


def _encrypt_contest(
    context: ElectionContext, ballot_nonce: bytes, plain: PlaintextContest, random: Randomness | None
) -> EncryptedContest:
    contest = plain.contest
    selections = []
    nonces = []
    for option, sigma in zip(contest.options, plain.votes):
        xi = selection_nonce(context, ballot_nonce, contest.index, option.index)
        ct = encrypt(sigma, xi, context)
        proof = prove_range(ct, xi, sigma, contest.option_limit, context, random=random)
        selections.append(EncryptedSelection(option.label, ct, proof))
        nonces.append(xi)
    aggregate: Ciphertext = add_all(s.ciphertext for s in selections)
    aggregate_nonce = nonces[0]
    for xi in nonces[1:]:
        aggregate_nonce = aggregate_nonce + xi
    limit_proof = prove_range(aggregate, aggregate_nonce, sum(plain.votes), contest.votes_allowed, context, random=random)
    data = encrypt_contest_data(
        context, contest.index, contest_data_bytes(plain.status), contest_data_nonce(context, ballot_nonce, contest.index)
    )
    chi = contest_hash(context, contest.index, [s.ciphertext for s in selections])
    return EncryptedContest(contest.label, tuple(selections), limit_proof, chi, data)


def encrypt_ballot(
    context: ElectionContext,
    ballot: PlaintextBallot,
    *,
    ballot_nonce: bytes | None = None,
    aux: bytes = b"",
    random: Randomness | None = None,
) -> EncryptionResult:
    """Encrypt every selection with its range proof, each contest's limit proof, contest data, contest
    hashes and the confirmation code (SPEC §3.3.1-3.3.8, §3.4). ξ_B is fresh from the OS unless given."""
    if ballot_nonce is None:
        ballot_nonce = secrets.token_bytes(32)
    if len(ballot_nonce) != 32:
        raise ValueError("the ballot nonce ξ_B has 256 bits")
    contests = tuple(_encrypt_contest(context, ballot_nonce, plain, random) for plain in ballot.contests)
    code = confirmation_code(context, [c.contest_hash for c in contests], aux)
    return EncryptionResult(EncryptedBallot(ballot.style.label, contests, aux, code), ballot_nonce)
