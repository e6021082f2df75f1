"""The board's rules for the tally and its decryption rounds (record-format §8.2-8.4, SPEC v2.0.0 §3.6).

tally.encrypted opens round 1; a round takes shares, the recomputed challenge (eqs. 67-72), responses, and
ends with decryption.failed (the faulty are excluded from the next round) or tally.result (eq. 76).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..context import ElectionContext
from ..decryption import check_tally_value, verify_decryption
from ..elgamal import Ciphertext, discrete_log
from ..encrypted_ballot import EncryptedBallot
from ..errors import InvalidProof
from ..group import ElementModQ
from ..hashed_elgamal import decrypt_contest_data
from ..joint_decryption import (
    DecryptionChallenge,
    DecryptionResult,
    DecryptionShare,
    Item,
    assemble,
    check_guardian_responses,
    make_challenge,
)
from ..key_ceremony import public_key_share
from . import tallying as tl
from .mixing import counting_contests
from .phases import CLOSED_PHASE, TALLIED, TALLYING, DecryptionRound, RuleViolation

if TYPE_CHECKING:
    from .lifecycle import ElectionState


def tally_encrypted(state: ElectionState, body: dict, challenged_ballots: Sequence[EncryptedBallot]) -> tl.TallyRecord:
    state.require_phase(tl.TALLY_ENCRYPTED, CLOSED_PHASE)
    pending = state.mix_pending()
    state.require(not pending, "the mix is not complete: " + "; ".join(pending))
    record = tl.parse_tally(body, state.definition.manifest, weighted=state.definition.styles_bound)
    state.require(len(challenged_ballots) == len(record.challenged), "the challenged ballots of the tally must be supplied")
    for ref, ballot in zip(record.challenged, challenged_ballots):
        state.require(
            ref.confirmation_code == ballot.confirmation_code,
            f"challenged seq {ref.seq} has another confirmation code",
            "challenged",
        )
    state.tally = record
    state.challenged_ballots = tuple(challenged_ballots)
    state.items = tl.decryption_items(state.definition.manifest, record.tally, challenged_ballots)
    for contest in counting_contests(state.definition.manifest):  # record-format §12.3: the last mix output's cells
        state.items.extend(cell for row in state.mix_output(contest.label) for cell in row)
    state.rounds = [DecryptionRound(1)]
    state.phase = TALLYING
    return record


def decryption_share(state: ElectionState, signer: int, body: dict, _: bytes) -> DecryptionShare:
    state.require_phase(tl.DECRYPTION_SHARE, TALLYING)
    round_, share = tl.parse_share(body, state.n, len(state.items))
    current = state.current_round
    state.require(round_ == current.number, f"the current decryption round is {current.number}", "body.round")
    state.require(signer not in state.excluded, f"trustee {signer} was excluded: {state.excluded.get(signer)}")
    state.require(current.challenge is None, "this round's challenge is already posted")
    state.require(signer not in current.shares, f"trustee {signer} already posted its share for this round")
    current.shares[signer] = share
    return share


def decryption_challenge(state: ElectionState, body: dict, _: bytes) -> DecryptionChallenge:
    state.require_phase(tl.DECRYPTION_CHALLENGE, TALLYING)
    current = state.current_round
    state.require(
        len(current.shares) >= state.definition.k,
        f"{len(current.shares)} share(s) posted; the quorum is k = {state.definition.k}",
    )
    round_, posted = tl.parse_challenge(body, state.n, len(state.items))
    state.require(
        round_ == current.number and current.challenge is None, f"the open decryption round is {current.number}", "round"
    )
    expected = make_challenge(current.shares, state.items, state.context, state.definition.k)
    state.require(posted == expected, "does not match M and c recomputed from the round's shares (SPEC eqs. 67-72)", "payload")
    current.challenge = posted
    return posted


def decryption_response(state: ElectionState, signer: int, body: dict, _: bytes) -> tuple[ElementModQ, ...]:
    state.require_phase(tl.DECRYPTION_RESPONSE, TALLYING)
    i, round_, responses = tl.parse_response(body, state.n, len(state.items))
    current = state.current_round
    state.require(round_ == current.number and current.challenge is not None, "no open challenge for this round", "body.round")
    state.require(signer in current.challenge.available, f"trustee {signer} is not part of this round")
    state.require(signer not in current.responses, f"trustee {signer} already answered this round")
    current.responses[signer] = responses  # checked (eqs. 74-75) by decryption.failed / tally.result
    return responses


def response_fault(state: ElectionState, guardian: int) -> str | None:
    """Why guardian's answer in the current round is unusable (missing or failing eqs. 74-75), or None."""
    current = state.current_round
    if guardian not in current.responses:
        return "did not answer the decryption challenge"
    try:
        check_guardian_responses(
            current.shares[guardian], current.responses[guardian], current.challenge, state.items,
            public_key_share(state.commitments.values(), guardian), state.context,
        )  # fmt: skip
    except InvalidProof as exc:
        return str(exc)
    return None


def decryption_failed(state: ElectionState, body: dict, _: bytes) -> tuple[tuple[int, str], ...]:
    state.require_phase(tl.DECRYPTION_FAILED, TALLYING)
    round_, faulty = tl.parse_failed(body, state.n)
    current = state.current_round
    state.require(round_ == current.number and current.challenge is not None, "no open challenge for this round", "round")
    for i, _ in faulty:
        state.require(i in current.challenge.available, f"trustee {i} is not part of this round", "faulty")
        state.require(
            response_fault(state, i) is not None, f"trustee {i} answered correctly; it cannot be named faulty", "faulty"
        )
    for i, reason in faulty:
        state.excluded[i] = reason
    state.rounds.append(DecryptionRound(current.number + 1))
    return faulty


def assemble_result(state: ElectionState) -> tuple[list[DecryptionResult], tl.TallyResult]:
    """Check every response of the round and build the tally result (Verifications 9-14 hold by construction)."""
    current = state.current_round
    for i in current.challenge.available:
        fault = response_fault(state, i)
        if fault is not None:
            raise RuleViolation("responses", f"trustee {i}: {fault}")
    results = assemble(current.challenge, current.responses)
    manifest = state.definition.manifest
    count = state.tally.tally.weight_bound  # the number of ballots, or their total weight (record-format §8.3)
    values = iter(zip(state.items, results))
    contests = {
        c.label: {o.label: _decrypted_value(next(values), state.context, count * c.option_limit) for o in c.options}
        for c in manifest.contests
    }
    challenged = []
    for ref, ballot in zip(state.tally.challenged, state.challenged_ballots):
        selections = {
            contest.contest: {
                s.option: _decrypted_value(next(values), state.context, manifest.contest(contest.contest).option_limit)
                for s in contest.selections
            }
            for contest in ballot.contests
        }
        data = {}
        for contest in ballot.contests:
            item, result = next(values)
            decoded = decrypt_contest_data(state.context, manifest.contest(contest.contest).index, item, result.M)
            data[contest.contest] = tl.DecryptedContestData(result.M, result.proof, decoded[1] if decoded else None)
        challenged.append(tl.DecryptedBallot(ref.seq, selections, data))
    mixed = {
        contest.label: tuple(
            tuple(_decrypted_value(next(values), state.context, contest.option_limit) for _ in row)
            for row in state.mix_output(contest.label)
        )
        for contest in counting_contests(manifest)
    }
    return results, tl.TallyResult(current.number, contests, tuple(challenged), mixed)


def tally_result(state: ElectionState, body: dict, _: bytes) -> tl.TallyResult:
    state.require_phase(tl.TALLY_RESULT, TALLYING)
    current = state.current_round
    state.require(current.challenge is not None, "no decryption round has a challenge yet")
    pairs = [(ref.seq, ballot) for ref, ballot in zip(state.tally.challenged, state.challenged_ballots)]
    rows = {c.label: len(state.mix_output(c.label)) for c in counting_contests(state.definition.manifest)}
    posted = tl.parse_result(body, state.definition.manifest, pairs, rows)
    state.require(posted.round == current.number, f"the current decryption round is {current.number}", "round")
    _, expected = assemble_result(state)
    if posted != expected:
        raise RuleViolation("payload", "does not match the decryption assembled from the round's shares and responses")
    state.result = posted
    state.phase = TALLIED
    return posted


def _decrypted_value(pair: tuple[Item, DecryptionResult], context: ElectionContext, bound: int) -> tl.DecryptedValue:
    """T = B·M^{-1} and the t with T = K^t (SPEC §3.6, eq. 64); the proof is checked (Verification 9)."""
    item, result = pair
    if not isinstance(item, Ciphertext):
        raise RuleViolation("items", "a vote ciphertext was expected at this position of the decryption items")
    T = item.beta * result.M.inverse()
    verify_decryption(context, item.alpha, item.beta, T, result.proof)
    t = discrete_log(T, context.K, max(bound, 1))
    check_tally_value(T, t, context.K)
    return tl.DecryptedValue(t, T, result.proof)
