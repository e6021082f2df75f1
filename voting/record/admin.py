"""What the administrator's tools compute and post; the board recomputes each value before it appends.

SPEC §3.2.2 (key ceremony outcome), §3.5 (aggregation), §3.6.2-3.6.3 (combining partial decryptions).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..encrypted_ballot import EncryptedBallot
from ..errors import DecryptionError
from ..joint_decryption import make_challenge
from . import keygen as kg
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
    record = aggregate_counted(election.definition.manifest, counting, ballots, challenged)
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


def decryption_failed(election: ElectionState, faulty: list[tuple[int, str]]) -> dict[str, Any]:
    remaining = [i for i in range(1, election.n + 1) if i not in election.excluded and i not in dict(faulty)]
    if len(remaining) < election.definition.k:
        named = ", ".join(f"trustee {i}" for i, _ in faulty)
        raise DecryptionError(
            f"{named} failed; only {len(remaining)} trustee(s) remain for a quorum of k = {election.definition.k}"
        )
    return tl.failed_payload(election.current_round.number, faulty)


def tally_result(election: ElectionState) -> dict[str, Any]:
    """The decrypted tally and challenged ballots with their joint proofs (eqs. 64, 76)."""
    _, result = election.assemble_result()
    return tl.result_payload(result, election.definition.manifest, election.challenged_ballots)
