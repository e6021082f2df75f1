"""The tally and its decryption as the verifier reads them (record-format §8.2-8.4, §12.3, SPEC v2.0.0 §3.6).

tally.encrypted opens round 1 after the close; each round takes at most one decryption.share per trustee
not excluded, then the administrator's decryption.challenge recomputed from them (eqs. 67-72, at least k
shares), then one decryption.response per trustee of the round. A round ends with decryption.failed (naming
only trustees whose answer is missing or fails eqs. 74-75; they are excluded from the next round) or with
tally.result, which must be what the round's answers assemble to (eq. 76, T = K^t). With contests counted from
mixed rows (§12.3), tally.encrypted waits for each one's mix input and k mixes, and the items go on with every
cell of each contest's last mix output, which tally.result decrypts as "mixed" (0 <= value <= R).
"""

from __future__ import annotations

from ...decryption import check_tally_value, verify_decryption
from ...elgamal import Ciphertext, discrete_log
from ...errors import InvalidProof
from ...hashed_elgamal import HashedCiphertext, decrypt_contest_data
from ...joint_decryption import assemble, check_guardian_responses, make_challenge
from ...key_ceremony import public_key_share
from ...manifest import Contest, Manifest
from ...record import tallying as tl
from ...record.mixing import counting_contests
from ...record.submission import parse_submission
from .mix import mix_items, mix_output, mix_pending
from .state import CLOSED, TALLIED, TALLYING, EntryFacts, Observed, Round, RuleBroken


def tally_encrypted(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """tally.encrypted: after the close; each challenged ballot it lists is named by seq and code; a
    version-2 election's tally has its total_weight (record-format §8.3), a version-1 election's none."""
    seen.need_phase(tl.TALLY_ENCRYPTED, CLOSED)
    pending = mix_pending(seen)
    seen.need(not pending, "the mix is not complete (record-format §12.3): " + "; ".join(pending))
    manifest = seen.election.manifest
    posted = tl.parse_tally(payload, manifest, weighted=seen.election.styles_bound)
    ballots = []
    for position, ref in enumerate(posted.challenged):
        try:
            ballot = parse_submission(facts.ballot_at(ref.seq), manifest).ballot
        except (KeyError, LookupError):
            raise RuleBroken(f"challenged[{position}].seq", f"no ballot entry at seq {ref.seq}") from None
        seen.need(ballot.confirmation_code == ref.confirmation_code,
                  f"the ballot at seq {ref.seq} has another confirmation code", f"challenged[{position}]")  # fmt: skip
        ballots.append(ballot)
    seen.tally, seen.challenged = posted, tuple(ballots)
    seen.items = tl.decryption_items(manifest, posted.tally, ballots) + mix_items(seen)  # §8.4, then §12.3
    seen.rounds = [Round(1)]
    seen.phase = TALLYING


def decryption_share(seen: Observed, signer: int, body: dict) -> None:
    seen.need_phase(tl.DECRYPTION_SHARE, TALLYING)
    number, share = tl.parse_share(body, seen.n, len(seen.items))
    current = seen.round
    seen.need(number == current.number, f"the open decryption round is {current.number}", "body.round")
    seen.need(signer not in seen.excluded, f"trustee {signer} was excluded: {seen.excluded.get(signer)}")
    seen.need(current.challenge is None, "this round's challenge is already posted")
    seen.need(signer not in current.shares, f"trustee {signer} has already posted its share in this round")
    current.shares[signer] = share


def decryption_challenge(seen: Observed, payload: object, facts: EntryFacts) -> None:
    seen.need_phase(tl.DECRYPTION_CHALLENGE, TALLYING)
    current = seen.round
    seen.need(len(current.shares) >= seen.k, f"{len(current.shares)} share(s) in this round; the quorum is k = {seen.k}")
    number, posted = tl.parse_challenge(payload, seen.n, len(seen.items))
    seen.need(number == current.number and current.challenge is None, f"the open decryption round is {current.number}", "round")
    recomputed = make_challenge(current.shares, seen.items, seen.key, seen.k)
    seen.need(posted == recomputed, "is not M and c recomputed from the round's shares (SPEC eqs. 67-72)", "payload")
    current.challenge = posted


def decryption_response(seen: Observed, signer: int, body: dict) -> None:
    seen.need_phase(tl.DECRYPTION_RESPONSE, TALLYING)
    _, number, responses = tl.parse_response(body, seen.n, len(seen.items))
    current = seen.round
    seen.need(number == current.number and current.challenge is not None, "no open challenge in this round", "body.round")
    seen.need(signer in seen.open_challenge().available, f"trustee {signer} is not part of this round")
    seen.need(signer not in current.responses, f"trustee {signer} has already answered in this round")
    current.responses[signer] = responses


def answer_fault(seen: Observed, guardian: int) -> str | None:
    """Why a trustee's answer in the open round cannot be used (missing, or failing SPEC eqs. 74-75)."""
    current = seen.round
    if guardian not in current.responses:
        return "did not answer the decryption challenge"
    try:
        check_guardian_responses(current.shares[guardian], current.responses[guardian], seen.open_challenge(), seen.items,
                                 public_key_share(seen.commitments.values(), guardian), seen.key)  # fmt: skip
    except InvalidProof as exc:
        return str(exc)
    return None


def decryption_failed(seen: Observed, payload: object, facts: EntryFacts) -> None:
    seen.need_phase(tl.DECRYPTION_FAILED, TALLYING)
    number, faulty = tl.parse_failed(payload, seen.n)
    current = seen.round
    seen.need(number == current.number and current.challenge is not None, "no open challenge in this round", "round")
    for guardian, _ in faulty:
        seen.need(guardian in seen.open_challenge().available, f"trustee {guardian} is not part of this round", "faulty")
        seen.need(
            answer_fault(seen, guardian) is not None, f"trustee {guardian} answered correctly and cannot be named", "faulty"
        )
    seen.excluded.update(dict(faulty))
    seen.rounds.append(Round(current.number + 1))


def _value(item, decrypted, context, bound: int) -> tl.DecryptedValue:
    """T = B·M^{-1} with its proof (Verification 9) and t such that T = K^t (SPEC eq. 64)."""
    if not isinstance(item, Ciphertext):
        raise RuleBroken("payload", "the decryption items do not match the tally (record-format §8.4)")
    T = item.beta * decrypted.M.inverse()
    verify_decryption(context, item.alpha, item.beta, T, decrypted.proof)
    t = discrete_log(T, context.K, max(bound, 1))
    check_tally_value(T, t, context.K)
    return tl.DecryptedValue(t, T, decrypted.proof)


def _contest(manifest: Manifest, label: str) -> Contest:
    contest = manifest.contest(label)
    if contest is None:
        raise RuleBroken("payload", f"contest {label!r} is not in the manifest")
    return contest


def expected_result(seen: Observed) -> tl.TallyResult:
    """What the open round's shares and answers assemble to, in record-format §8.4 item order."""
    current = seen.round
    for guardian in seen.open_challenge().available:
        fault = answer_fault(seen, guardian)
        seen.need(fault is None, f"trustee {guardian}: {fault}", "responses")
    decrypted = iter(zip(seen.items, assemble(seen.open_challenge(), current.responses)))
    # each option's total is at most its limit times the number of counted ballots, or their total weight (§8.3)
    manifest, context, count = seen.election.manifest, seen.key, seen.tally_record.tally.weight_bound
    contests = {c.label: {o.label: _value(*next(decrypted), context, count * c.option_limit) for o in c.options}
                for c in manifest.contests}  # fmt: skip
    opened = []
    for ref, ballot in zip(seen.tally_record.challenged, seen.challenged):
        selections = {
            contest.contest: {s.option: _value(*next(decrypted), context, _contest(manifest, contest.contest).option_limit)
                              for s in contest.selections}
            for contest in ballot.contests
        }  # fmt: skip
        data = {}
        for contest in ballot.contests:
            item, answer = next(decrypted)
            if not isinstance(item, HashedCiphertext):
                raise RuleBroken("payload", "the decryption items do not match the tally (record-format §8.4)")
            plain = decrypt_contest_data(context, _contest(manifest, contest.contest).index, item, answer.M)
            data[contest.contest] = tl.DecryptedContestData(answer.M, answer.proof, plain[1] if plain else None)
        opened.append(tl.DecryptedBallot(ref.seq, selections, data))
    mixed = {c.label: tuple(tuple(_value(*next(decrypted), context, c.option_limit) for _ in row) for row in mix_output(seen, c.label))
             for c in counting_contests(manifest)}  # fmt: skip
    return tl.TallyResult(current.number, contests, tuple(opened), mixed)


def tally_result(seen: Observed, payload: object, facts: EntryFacts) -> None:
    seen.need_phase(tl.TALLY_RESULT, TALLYING)
    current = seen.round
    seen.need(current.challenge is not None, "no decryption round has a challenge yet")
    pairs = [(ref.seq, ballot) for ref, ballot in zip(seen.tally_record.challenged, seen.challenged)]
    rows = {c.label: len(mix_output(seen, c.label)) for c in counting_contests(seen.election.manifest)}
    posted = tl.parse_result(payload, seen.election.manifest, pairs, rows)
    seen.need(posted.round == current.number, f"the open decryption round is {current.number}", "round")
    seen.need(posted == expected_result(seen), "is not the decryption assembled from the round's shares and answers", "payload")
    seen.result = posted
    seen.phase = TALLIED
