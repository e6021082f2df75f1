"""The board's rules for the key ceremony (record-format §8.2, SPEC v2.0.0 §3.2.2).

One function per entry kind, each taking the :class:`~voting.record.lifecycle.ElectionState` it checks and
records into; :data:`voting.record.lifecycle.RULES` maps each kind to its function. ``adjudicate`` is the
ceremony's outcome as anyone recomputes it from the entries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..context import ElectionContext
from ..errors import InvalidProof, ShareError
from ..hashed_elgamal import HashedCiphertext, open_revealed_share
from ..key_ceremony import GuardianCommitments, check_share, joint_public_key
from . import keygen as kg
from .phases import CONFIRMING, KEYGEN, KEYGEN_FAILED, READY, RuleViolation

if TYPE_CHECKING:
    from .lifecycle import ElectionState


def keygen_commitments(state: ElectionState, signer: int, body: dict, _: bytes) -> GuardianCommitments:
    state.require_phase(kg.COMMITMENTS, KEYGEN)
    state.require(signer not in state.commitments, f"trustee {signer} already published its commitments")
    commitments = kg.parse_commitments(body, state.n, state.definition.k)
    try:
        commitments.verify(state.definition.parameters.H_P, state.definition.k)  # Verification 2, check 3.A
    except InvalidProof as exc:
        raise RuleViolation("body.proofs", str(exc)) from None
    state.commitments[signer] = commitments
    return commitments


def keygen_shares(state: ElectionState, signer: int, body: dict, _: bytes) -> dict[int, HashedCiphertext]:
    state.require_phase(kg.SHARES, KEYGEN)
    state.require(len(state.commitments) == state.n, "shares are sent once every trustee published its commitments")
    state.require(signer not in state.shares, f"trustee {signer} already sent its shares")
    sender, shares = kg.parse_shares(body, state.n)
    state.shares[sender] = shares
    return shares


def keygen_checked(state: ElectionState, signer: int, body: dict, _: bytes) -> list[int]:
    state.require_phase(kg.CHECKED, KEYGEN)
    state.require(len(state.shares) == state.n, "shares are checked once every trustee sent its shares")
    state.require(signer not in state.checked, f"trustee {signer} already reported its checks")
    _, complaints = kg.parse_checked(body, state.n)
    state.checked[signer] = complaints
    return complaints


def keygen_share_revealed(state: ElectionState, signer: int, body: dict, _: bytes) -> kg.RevealedShare:
    state.require_phase(kg.SHARE_REVEALED, KEYGEN)
    revealed = kg.parse_revealed(body, state.n)
    state.require(
        signer in state.checked.get(revealed.recipient, []),
        f"no complaint by trustee {revealed.recipient} against trustee {signer}",
    )
    state.require((signer, revealed.recipient) not in state.revealed, "this share was already revealed")
    state.revealed[(signer, revealed.recipient)] = revealed
    return revealed


def adjudicate(state: ElectionState) -> kg.KeygenResult:
    """The key ceremony's outcome as anyone computes it from the record (SPEC §3.2.2 complaints)."""
    H_P = state.definition.parameters.H_P
    faulty: dict[int, str] = {}
    for receiver, complaints in sorted(state.checked.items()):
        for sender in complaints:
            revealed = state.revealed.get((sender, receiver))
            if revealed is None:
                faulty.setdefault(sender, f"did not reveal its share for trustee {receiver} after a complaint")
                continue
            encrypted = state.shares[sender][receiver]
            recipient_key = state.commitments[receiver].public_key
            try:
                opened = open_revealed_share(H_P, sender, receiver, recipient_key, encrypted, revealed.nonce)
                if opened != revealed.share:
                    raise ShareError(sender, receiver, "the revealed share is not the one that was encrypted")
                check_share(revealed.share, receiver, state.commitments[sender])
            except ShareError as exc:
                faulty.setdefault(sender, exc.reason)
    if faulty:
        return kg.KeygenResult(False, None, None, tuple(sorted(faulty.items())))
    K = joint_public_key(state.commitments[i].public_key for i in range(1, state.n + 1))  # eq. 8
    return kg.KeygenResult(True, K, state.definition.parameters.context(K).H_E, ())


def keygen_result(state: ElectionState, body: dict, entry_hash: bytes) -> kg.KeygenResult:
    state.require_phase(kg.RESULT, KEYGEN)
    state.require(len(state.checked) == state.n, "the result comes after every trustee reported its checks")
    posted = kg.parse_result(body, state.n)
    expected = adjudicate(state)
    if posted != expected:
        raise RuleViolation("payload", f"does not match the outcome recomputed from the record: {kg.result_payload(expected)}")
    state.keygen_result = posted
    state.result_entry_hash = entry_hash
    if posted.complete:
        state.context = ElectionContext(posted.K, posted.H_E)
        state.phase = CONFIRMING
    else:
        state.phase = KEYGEN_FAILED
    return posted


def keygen_confirmed(state: ElectionState, signer: int, body: dict, _: bytes) -> None:
    state.require_phase(kg.CONFIRMED, CONFIRMING)
    state.require(signer not in state.confirmed, f"trustee {signer} already confirmed")
    _, H_E, result_hash = kg.parse_confirmed(body, state.n)
    state.require(H_E == state.context.H_E, "the confirmed H_E is not the one of keygen.result", "body.H_E")
    state.require(
        bool(state.result_entry_hash) and result_hash == state.result_entry_hash,
        "does not name the keygen.result entry",
        "body.result_entry_hash",
    )
    state.confirmed.add(signer)
    if len(state.confirmed) == state.n:
        state.phase = READY
