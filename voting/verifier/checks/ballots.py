"""Verifications 5, 6 and 7.A-7.B on one ballot (SPEC v2.0.0 §6.2.4). They run in the workers.

The values these steps ask to be in range — α, β ∈ Z_p^r (5.A, 6.A), c_j < 2^256 (5.B, 6.B), v_j ∈ Z_q
(5.C, 6.C) — are examined while the ballot is decoded (group membership for a whole chunk of ballots at
once, :mod:`voting.membership`); a value that fails arrives here as a :class:`Defect` filed under its step.
A ballot with a defect is not decoded further, so its proofs are reported as not verified.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import Iterator

from ...confirmation import confirmation_code, contest_hash
from ...proofs.range import verify_range
from ..findings import Finding, failed, passed
from ..model import BallotRecord, CannotRun
from .common import BallotEnv, equal_hash, proof_finding


def _checked(ballot: BallotRecord) -> None:
    if not ballot.members_checked:
        raise CannotRun("the ballot's elements were not checked for membership in Z_p^r")


def _defects(ballot: BallotRecord, checks: tuple[str, ...]) -> Iterator[Finding]:
    for defect in ballot.defects:
        if defect.check in checks:
            yield failed(defect.check, ballot.subject, defect.reason, f"{ballot.origin}: {defect.where}".rstrip(": "))


def _not_verified(ballot: BallotRecord, checks: tuple[str, ...]) -> Iterator[Finding]:
    reasons = "; ".join(f"{d.where}: {d.reason}" if d.where else d.reason for d in ballot.defects) or "it could not be decoded"
    for check in checks:
        yield failed(check, ballot.subject, f"not verified: the ballot could not be decoded ({reasons})", ballot.origin)


def v5_selection_proofs(ballot: BallotRecord, env: BallotEnv) -> Iterator[Finding]:
    """Verification 5 (Well-formedness of selection encryptions).

    For each selectable option on each cast ballot, an election verifier must compute the values
    (5.1) a_j = g^{v_j} · α^{c_j} mod p for all 0 ≤ j ≤ R,
    (5.2) b_j = K^{w_j} · β^{c_j} mod p, where w_j = (v_j − j·c_j) mod q for all 0 ≤ j ≤ R,
    (5.3) c = H(H_E; 0x21, K, α, β, a_0, b_0, a_1, b_1, ..., a_R, b_R),
    where R is the option selection limit. An election verifier must then confirm the following:

    (5.A) The given values α and β are in the set Z_p^r.
    (5.B) The given values c_j each satisfy 0 ≤ c_j < 2^256 for all 0 ≤ j ≤ R.
    (5.C) The given values v_j are each in the set Z_q for all 0 ≤ j ≤ R.
    (5.D) The equation c = (c_0 + c_1 + ··· + c_R) mod q is satisfied.

    Every ballot in the record is checked, challenged ones too. Precondition (5): the ballot is readable
    and its contests and options are those of its ballot style in the manifest.
    """
    _checked(ballot)
    yield from _defects(ballot, ("5", "5.A", "5.B", "5.C"))
    if ballot.ballot is None:
        yield from _not_verified(ballot, ("5.D",))
        return
    context, manifest = env.context, env.manifest
    style = manifest.style(ballot.style)
    if style is None:
        raise CannotRun(f"ballot style {ballot.style!r} is not in the manifest")
    yield passed("5", ballot.subject, origin=ballot.origin)
    for contest, encrypted in zip(manifest.contests_of(style), ballot.ballot.contests, strict=True):
        for option, selection in zip(contest.options, encrypted.selections, strict=True):
            subject = f"{ballot.subject} › {contest.label} › {option.label}"
            yield passed("5.A", subject)
            yield passed("5.B", subject)
            yield passed("5.C", subject)
            yield proof_finding(
                "5.D",
                subject,
                ballot.origin,
                lambda: verify_range(selection.ciphertext, selection.proof, contest.option_limit, context, step=5),
            )


def v6_contest_limits(ballot: BallotRecord, env: BallotEnv) -> Iterator[Finding]:
    """Verification 6 (Adherence to vote limits).

    For each contest on each cast ballot, an election verifier must compute the contest totals
    (6.1) ᾱ = ∏_i α_i mod p, (6.2) β̄ = ∏_i β_i mod p, where the (α_i, β_i) represent all possible
    selections for the contest, as well as the values
    (6.3) a_j = g^{v_j} · ᾱ^{c_j} mod p for all 0 ≤ j ≤ L,
    (6.4) b_j = K^{w_j} · β̄^{c_j} mod p, where w_j = (v_j − j·c_j) mod q for all 0 ≤ j ≤ L,
    (6.5) c = H(H_E; 0x21, K, ᾱ, β̄, a_0, b_0, a_1, b_1, ..., a_L, b_L),
    where L is the contest selection limit. An election verifier must then confirm the following:

    (6.A) The given values α_i and β_i are each in Z_p^r.
    (6.B) The given values c_j each satisfy 0 ≤ c_j < 2^256.
    (6.C) The given values v_j are each in Z_q for all 0 ≤ j ≤ L.
    (6.D) The equation c = (c_0 + c_1 + ··· + c_L) mod q is satisfied.
    """
    _checked(ballot)
    yield from _defects(ballot, ("6", "6.A", "6.B", "6.C"))
    if ballot.ballot is None:
        yield from _not_verified(ballot, ("6.D",))
        return
    context, manifest = env.context, env.manifest
    style = manifest.style(ballot.style)
    if style is None:
        raise CannotRun(f"ballot style {ballot.style!r} is not in the manifest")
    for contest, encrypted in zip(manifest.contests_of(style), ballot.ballot.contests, strict=True):
        subject = f"{ballot.subject} › {contest.label}"
        yield passed("6.A", subject)
        yield passed("6.B", subject)
        yield passed("6.C", subject)
        total = reduce(operator.mul, (s.ciphertext for s in encrypted.selections))  # (6.1), (6.2): (∏ α_i, ∏ β_i)
        yield proof_finding(
            "6.D",
            subject,
            ballot.origin,
            lambda: verify_range(total, encrypted.limit_proof, contest.votes_allowed, context, step=6),
        )


def v7_confirmation_codes(ballot: BallotRecord, env: BallotEnv) -> Iterator[Finding]:
    """Verification 7 (Validation of confirmation codes), the steps on one ballot B.

    (7.A) The contest hash χ_l for the contest with contest index l for all 1 ≤ l ≤ m_B has been correctly
    computed from the contest selection encryptions (α_i, β_i) as
    χ_l = H(H_E; 0x23, l, K, α_1, β_1, α_2, β_2, ..., α_m, β_m).
    (7.B) The ballot confirmation code H(B) has been correctly computed from the contest hashes and if
    specified in the election manifest file from the additional byte array B_aux as
    H(B) = H(H_E; 0x24, χ_1, χ_2, ..., χ_{m_B}, B_aux).

    The contest index l is the manifest's (the record's own indices; for egk its sequence_order). H(B) is
    computed from the contest hashes as written, so a wrong χ_l is reported by 7.A, and 7.B reports a code
    that does not follow from the written χ_l and B_aux (no length field before B_aux: SPEC eq. 58's prose).
    """
    _checked(ballot)
    yield from _defects(ballot, ("7", "7.A", "7.B"))
    if ballot.ballot is None:
        yield from _not_verified(ballot, ("7.A", "7.B"))
        return
    context, manifest = env.context, env.manifest
    style = manifest.style(ballot.style)
    if style is None:
        raise CannotRun(f"ballot style {ballot.style!r} is not in the manifest")
    for contest, encrypted in zip(manifest.contests_of(style), ballot.ballot.contests, strict=True):
        chi = contest_hash(context, contest.index, [s.ciphertext for s in encrypted.selections])
        yield equal_hash("7.A", f"{ballot.subject} › {contest.label}", ballot.origin, chi, encrypted.contest_hash, "χ_l")
    written = ballot.ballot
    code = confirmation_code(context, [c.contest_hash for c in written.contests], written.aux)
    yield equal_hash("7.B", ballot.subject, ballot.origin, code, written.confirmation_code, "H(B)")
