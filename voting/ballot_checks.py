"""Checks of one encrypted ballot: Verifications 5, 6 and 7.A-7.B of SPEC v2.0.0 §6.2.4.

The board runs them once at submission; the verifier runs them again for every ballot on the record.
Structure (contests of the style, options, proof sizes) and membership (5.A, 6.A) are guaranteed by
:func:`voting.encrypted_ballot.parse_encrypted_ballot`; this module checks the proofs and hashes.
"""

from __future__ import annotations

from .confirmation import confirmation_code, contest_hash
from .context import ElectionContext
from .elgamal import add_all
from .encrypted_ballot import EncryptedBallot, EncryptedContest
from .errors import InvalidBallot, InvalidProof
from .manifest import Contest, Manifest
from .proofs.range import verify_range


def check_selection_proofs(contest: Contest, encrypted: EncryptedContest, context: ElectionContext, where: str) -> None:
    """Verification 5 for every option of the contest."""
    for si, selection in enumerate(encrypted.selections):
        try:
            verify_range(selection.ciphertext, selection.proof, contest.option_limit, context, step=5)
        except InvalidProof as exc:
            raise InvalidBallot(f"{where}.selections[{si}].proof", str(exc), check=exc.check) from None


def check_limit_proof(contest: Contest, encrypted: EncryptedContest, context: ElectionContext, where: str) -> None:
    """Verification 6: (6.1)-(6.2) the product of the selections, then the range proof 0..L."""
    aggregate = add_all(s.ciphertext for s in encrypted.selections)
    try:
        verify_range(aggregate, encrypted.limit_proof, contest.votes_allowed, context, step=6)
    except InvalidProof as exc:
        raise InvalidBallot(f"{where}.limit_proof", str(exc), check=exc.check) from None


def check_contest_hash(contest: Contest, encrypted: EncryptedContest, context: ElectionContext, where: str) -> None:
    """Verification 7.A: χ_l = H(H_E; 0x23, l, K, α_1, β_1, ..., α_m, β_m)."""
    expected = contest_hash(context, contest.index, [s.ciphertext for s in encrypted.selections])
    if expected != encrypted.contest_hash:
        raise InvalidBallot(f"{where}.contest_hash", f"expected {expected.hex().upper()}", check="7.A")


def check_confirmation_code(ballot: EncryptedBallot, context: ElectionContext) -> None:
    """Verification 7.B: H(B) = H(H_E; 0x24, χ_1, ..., χ_mB, B_aux)."""
    expected = confirmation_code(context, [c.contest_hash for c in ballot.contests], ballot.aux)
    if expected != ballot.confirmation_code:
        raise InvalidBallot("ballot.confirmation_code", f"expected {expected.hex().upper()}", check="7.B")


def check_ballot(ballot: EncryptedBallot, manifest: Manifest, context: ElectionContext) -> None:
    """Every proof and hash of one parsed ballot; raises :class:`InvalidBallot` naming field and check."""
    style = manifest.style(ballot.style)
    if style is None:
        raise InvalidBallot("ballot.style", "is not a ballot style of this election")
    for ci, (contest, encrypted) in enumerate(zip(manifest.contests_of(style), ballot.contests, strict=True)):
        where = f"ballot.contests[{ci}]"
        check_selection_proofs(contest, encrypted, context, where)
        check_limit_proof(contest, encrypted, context, where)
        check_contest_hash(contest, encrypted, context, where)
    check_confirmation_code(ballot, context)
