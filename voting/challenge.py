"""Opening a challenged ballot with its ballot nonce ξ_B (SPEC §3.6.5 "Verifying decryption with nonces").

Anyone holding ξ_B and the claimed choices re-derives every selection nonce (eq. 25), re-encrypts
(eq. 24) and compares with the posted ciphertexts; the confirmation code then binds the result (§3.4).
The claimed choices must also form a valid ballot for the style (Verification 13.B-13.F).
"""

from __future__ import annotations

from .ballot import Choices, PlaintextBallot, make_ballot
from .context import ElectionContext
from .elgamal import encrypt
from .encrypt import contest_data_bytes, contest_data_nonce, selection_nonce
from .encrypted_ballot import EncryptedBallot
from .errors import InvalidBallot
from .hashed_elgamal import decrypt_contest_data
from .manifest import Manifest


def open_challenged_ballot(
    ballot: EncryptedBallot, manifest: Manifest, context: ElectionContext, ballot_nonce: bytes, choices: Choices
) -> PlaintextBallot:
    """Check that ``ballot`` encrypts ``choices`` under ξ_B; returns the plaintext ballot or raises."""
    if len(ballot_nonce) != 32:
        raise InvalidBallot("reveal.nonce", "the ballot nonce ξ_B has 32 bytes")
    plain = make_ballot(manifest, ballot.style, choices)  # 13.B-13.F
    for ci, (plain_contest, encrypted) in enumerate(zip(plain.contests, ballot.contests, strict=True)):
        contest = plain_contest.contest
        for si, (option, sigma, selection) in enumerate(
            zip(contest.options, plain_contest.votes, encrypted.selections, strict=True)
        ):
            xi = selection_nonce(context, ballot_nonce, contest.index, option.index)
            if encrypt(sigma, xi, context) != selection.ciphertext:
                raise InvalidBallot(
                    f"ballot.contests[{ci}].selections[{si}]",
                    "the revealed nonce and choices do not re-encrypt to the posted ciphertext",
                    check="13.A",
                )
        xi_data = contest_data_nonce(context, ballot_nonce, contest.index)
        if context.g_table.pow(xi_data) != encrypted.contest_data.C0:
            raise InvalidBallot(f"ballot.contests[{ci}].contest_data.c0", "does not match the revealed nonce", check="14")
        data = decrypt_contest_data(context, contest.index, encrypted.contest_data, context.K_table.pow(xi_data))
        if data != contest_data_bytes(plain_contest.status):
            raise InvalidBallot(
                f"ballot.contests[{ci}].contest_data",
                "does not decrypt to the contest status of the revealed choices",
                check="14",
            )
    return plain
