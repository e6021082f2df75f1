"""The mix as the verifier's rules read it (docs/record-format.md §12.2), written from the record format.

``mix.input`` (administrator) and ``mix.shuffled`` (a trustee, the mix server) come after ``election.closed`` and
before ``tally.encrypted``. The mix input of a contest with counting is posted once and holds exactly the counted
ballots' rows of that contest, as the verifier's own counting finds them (section E.2, check M.1; the replay gets
them through ``EntryFacts.mix_rows``). Each mix of a contest comes next in turn (position m = the mixes before it
+ 1), by a trustee that has not mixed the contest, names the digest of the previous output, and its proof of
shuffle verifies with the generators derived from H_E (docs/mixnet.md); a failure names the mix server.
"""

from __future__ import annotations

from ...errors import InvalidProof
from ...record import mixing as mx
from ..shuffles import ShuffleChecker
from .state import CLOSED, EntryFacts, Observed, RuleBroken


def mix_output(seen: Observed, label: str) -> tuple[mx.Row, ...]:
    """The rows the next mix of a contest takes, and the tally decrypts: the last mix's output, else the input."""
    done = seen.mixes.get(label)
    return done[-1].rows if done else seen.mix_inputs[label].rows


def server_name(seen: Observed, guardian: int) -> str:
    names = {t.index: t.name for t in seen.election.trustees}
    return f"mix server {guardian} ({names.get(guardian, 'unknown')})"


def mix_input(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """mix.input: once per contest with counting, after the close; its ballots and rows are the counted ones."""
    seen.need_phase(mx.MIX_INPUT, CLOSED)
    posted = mx.parse_mix_input(payload, seen.election.manifest)
    label = posted.contest
    seen.need(label not in seen.mix_inputs, f"the mix input of {label!r} is already posted", "contest")
    if facts.mix_rows is None:
        raise RuleBroken("payload", "the counted ballots' rows are not known to this replay")
    seqs, digest = facts.mix_rows(label)
    seen.need(posted.ballots == tuple(seqs), f"are not the counted ballots that have {label!r}, in seq order", "ballots")
    seen.need(mx.rows_digest(posted.rows) == digest, "are not the counted ballots' ciphertexts of the contest", "rows")
    seen.mix_inputs[label] = posted
    seen.mixes[label] = []


def mix_shuffled(seen: Observed, signer: int, body: dict) -> None:
    """mix.shuffled: the next mix of its contest, by a trustee that has not mixed it, with a valid proof."""
    seen.need_phase(mx.MIX_SHUFFLED, CLOSED)
    shuffled = mx.parse_mix_shuffled(body, seen.election.manifest, seen.n)
    label = shuffled.contest
    seen.need(label in seen.mix_inputs, f"the mix input of {label!r} is not posted yet", "body.contest")
    done = seen.mixes[label]
    seen.need(shuffled.position == len(done) + 1, f"the next mix of {label!r} is number {len(done) + 1}", "body.position")
    seen.need(all(m.guardian != signer for m in done), f"trustee {signer} already mixed {label!r}", "body.guardian")
    previous = mix_output(seen, label)
    seen.need(len(previous) > 0, f"{label!r} has no rows to mix", "body.contest")
    seen.need(shuffled.input_digest == mx.rows_digest(previous), "is not the digest of the previous output", "body.input_digest")
    seen.need(len(shuffled.rows) == len(previous), f"{len(shuffled.rows)} rows; the input has {len(previous)}", "body.rows")
    if seen.shuffle_check is None:
        seen.shuffle_check = ShuffleChecker().check
    try:
        seen.shuffle_check(previous, shuffled.rows, shuffled.proof, seen.key)
    except InvalidProof as exc:
        raise RuleBroken("body.proof", f"{server_name(seen, signer)}: the proof of shuffle fails: {exc}") from None
    done.append(shuffled)


def mix_pending(seen: Observed) -> list[str]:
    """What tally.encrypted still waits for (§12.3): each contest with counting needs its mix input and, with
    rows, at least k mixes."""
    waiting = []
    for contest in mx.counting_contests(seen.election.manifest):
        label = contest.label
        if label not in seen.mix_inputs:
            waiting.append(f"{label!r} has no mix input")
        elif seen.mix_inputs[label].rows and len(seen.mixes[label]) < seen.k:
            waiting.append(f"{label!r} has {len(seen.mixes[label])} mix(es), at least k = {seen.k} are needed")
    return waiting


def mix_items(seen: Observed) -> list:
    """The decryption items of §12.3 after the challenged ballots': every cell of each counting contest's last
    output, contests in manifest order, row by row."""
    return [cell for c in mx.counting_contests(seen.election.manifest) for row in mix_output(seen, c.label) for cell in row]
