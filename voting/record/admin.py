"""What the administrator's tools compute and post; the board recomputes each value before it appends.

SPEC §3.2.2 (key ceremony outcome), §3.5 (aggregation), §3.6.2-3.6.3 (combining partial decryptions).
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..encrypted_ballot import EncryptedBallot
from ..errors import DecryptionError
from ..joint_decryption import make_challenge
from . import keygen as kg
from . import rules_voting
from . import tallying as tl
from .counting import Counting, aggregate_counted
from .lifecycle import ElectionState
from .submission import Submission


def keygen_result(election: ElectionState) -> dict[str, Any]:
    """The joint key and H_E, or the trustees proven faulty (eq. 8, eq. 23, complaint adjudication)."""
    return kg.result_payload(election.adjudicate())


def encrypted_tally(
    election: ElectionState, counting: Counting, ballots: Iterator[tuple[int, Submission]], challenged: list[EncryptedBallot]
) -> dict[str, Any]:
    """The product of the counted ballots (eq. 62) plus the challenged ballots the trustees must decrypt."""
    weights = rules_voting.weights_of(election)  # version-2 lists: each ballot counts with its weight (§8.3)
    record = aggregate_counted(election.definition.manifest, counting, ballots, challenged, weights)
    return tl.tally_payload(record, election.definition.manifest)


def decryption_challenge(election: ElectionState) -> dict[str, Any]:
    """M and c for the current round from the shares posted so far (eqs. 67-72)."""
    current = election.current_round
    challenge = make_challenge(current.shares, election.items, election.context, election.definition.k)
    return tl.challenge_payload(challenge, current.number)


def faulty_responses(election: ElectionState) -> list[tuple[int, str]]:
    """The trustees of the current round whose answer is missing or fails eqs. 74-75."""
    current = election.current_round
    faults = [(i, election.response_fault(i)) for i in current.challenge.available]
    return [(i, fault) for i, fault in faults if fault is not None]


def named_faulty(election: ElectionState, guardians: Iterable[int]) -> list[tuple[int, str]]:
    """The trustees ``guardians`` of the current round, each with why its answer is unusable (missing or
    failing eqs. 74-75): what a `decryption.failed` entry may name (record-format §8.2, check L.8).

    Raises :class:`DecryptionError` saying why if the round has no challenge yet, or if one of them is no
    trustee, was excluded before, is not part of the round or answered correctly.
    """
    current = election.current_round
    if current.challenge is None:
        raise DecryptionError(
            f"decryption round {current.number} has no challenge yet, so nobody has been asked to answer; "
            f"a trustee who does not post its partial decryption is left out once k = {election.definition.k} others have"
        )
    faulty = []
    for i in sorted(set(guardians)):
        if not 1 <= i <= election.n:
            raise DecryptionError(f"there is no trustee {i}: the trustees are numbered 1 to {election.n}")
        if i in election.excluded:
            raise DecryptionError(f"trustee {i} was already excluded from the decryption ({election.excluded[i]})")
        if i not in current.challenge.available:
            raise DecryptionError(
                f"trustee {i} is not part of decryption round {current.number} (its trustees are "
                f"{', '.join(map(str, current.challenge.available))}), so it has nothing to answer"
            )
        fault = election.response_fault(i)
        if fault is None:
            raise DecryptionError(
                f"trustee {i} answered the challenge of round {current.number} correctly (SPEC eqs. 74-75); "
                "only a trustee whose answer is missing or wrong can be excluded"
            )
        faulty.append((i, fault))
    return faulty


def decryption_failed(election: ElectionState, faulty: list[tuple[int, str]]) -> dict[str, Any]:
    """The `decryption.failed` entry naming ``faulty``; refuses if fewer than k trustees would remain."""
    remaining = [i for i in range(1, election.n + 1) if i not in election.excluded and i not in dict(faulty)]
    k = election.definition.k
    if len(remaining) < k:
        named = ", ".join(str(i) for i, _ in faulty)
        left = f"only trustee(s) {', '.join(map(str, remaining))}" if remaining else "no trustee"
        raise DecryptionError(f"excluding trustee(s) {named} would leave {left}, fewer than the quorum k = {k}")
    reasons = [(i, reason[:300]) for i, reason in faulty]  # tl.parse_failed takes 1 to 300 characters
    return tl.failed_payload(election.current_round.number, reasons)


def tally_result(election: ElectionState) -> dict[str, Any]:
    """The decrypted tally and challenged ballots with their joint proofs (eqs. 64, 76)."""
    _, result = election.assemble_result()
    return tl.result_payload(result, election.definition.manifest, election.challenged_ballots)
