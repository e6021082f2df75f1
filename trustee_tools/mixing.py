"""A trustee as a mix server: check the counted rows, shuffle the last output, prove it (issue 20 item 3).

record-format §12.2: after the close the administrator posts each counted contest's ``mix.input`` (the rows of
the counted ballots); each trustee in turn takes the contest's last output, permutes and re-encrypts its rows
(docs/mixnet.md) and posts them with a proof of shuffle (``mix.shuffled``). Before mixing, and again before
decrypting anything, a trustee checks the whole cascade itself (issue 20, "Trustees check before they
decrypt"): the follower's replay of the board's rules has checked every posted proof of shuffle, and
:func:`check_mix_inputs` recomputes each ``mix.input`` from the ballots on the board.

The mix's secrets (the permutation ψ and the nonces r̃) live only in memory while the proof is made: they are
not needed afterwards, so they are never saved, logged or posted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Iterable

from bulletin_board.admin_ops import ballot_entries
from voting.mixnet.generators import derive_generators
from voting.mixnet.prove import prove_shuffle
from voting.mixnet.shuffle import shuffle
from voting.record import counted_rows, mixing
from voting.record.lifecycle import ElectionState

from .steps import Outgoing, Refusal

Report = Callable[[str], None]


def default_workers() -> int:
    """The mix's processes by default: the machine's cores (``--workers`` overrides)."""
    return max(1, os.cpu_count() or 1)


def recomputed_inputs(election: ElectionState, entries: Iterable) -> dict[str, mixing.MixInput]:
    """Each counted contest's ``mix.input`` as the ballots on the board make it (record-format §8.3, §12.2)."""
    listed = list(entries)
    definition = election.definition
    return counted_rows.mix_inputs_from_entries(definition.manifest, definition.revote_rule, lambda: ballot_entries(listed))


def input_difference(posted: mixing.MixInput, expected: mixing.MixInput) -> str | None:
    """What is wrong with a posted ``mix.input``, in plain words with the ballots' seqs; None when it is right."""
    left_out = sorted(set(expected.ballots) - set(posted.ballots))
    added = sorted(set(posted.ballots) - set(expected.ballots))
    if left_out or added:
        parts = [f"leaves out the counted ballot(s) at seq {left_out}"] if left_out else []
        parts += [f"adds ballot(s) at seq {added} that do not count"] if added else []
        return " and ".join(parts)
    if posted.ballots != expected.ballots:
        return "lists the counted ballots out of seq order"
    changed = [seq for seq, mine, theirs in zip(expected.ballots, expected.rows, posted.rows) if _row_json(mine) != _row_json(theirs)]
    if changed:
        return f"holds other ciphertexts than the ballot(s) at seq {changed}"
    return None


def _row_json(row: mixing.Row) -> list:
    return mixing.rows_to_json([row])


def check_mix_inputs(election: ElectionState, entries: Iterable) -> int:
    """Refuse (raise :class:`Refusal`) unless every ``mix.input`` on the board is exactly the counted ballots'
    rows recomputed from the ballots on the board; returns how many contests were checked. Decrypting a row
    is safe only when the first mix's input is the counted ballots (issue 20, "Trustees check before they
    decrypt"); the proofs of shuffle after it were checked by the replay (voting/record/rules_mix.py)."""
    if not election.mix_inputs:
        return 0
    expected = recomputed_inputs(election, entries)
    for label, posted in election.mix_inputs.items():
        mine = expected.get(label)
        wrong = "is for a contest that is not counted from rows" if mine is None else input_difference(posted, mine)
        if wrong:
            raise Refusal(
                f"the board's mix.input of contest {label!r} {wrong}: it is not the rows of the counted ballots on the board. "
                "Not mixing or decrypting; tell the administrator and the other trustees."
            )
    return len(election.mix_inputs)


def missing_inputs(election: ElectionState) -> list[str]:
    """The counted contests whose ``mix.input`` is not on the board yet, in manifest order."""
    return [c.label for c in mixing.counting_contests(election.definition.manifest) if c.label not in election.mix_inputs]


def contests_to_mix(election: ElectionState, me: int) -> list[str]:
    """The counted contests this trustee may mix now, in manifest order: the input is on the board and has
    rows, this trustee has not mixed it and fewer than n mixes exist (record-format §12.2)."""
    out = []
    for contest in mixing.counting_contests(election.definition.manifest):
        posted = election.mix_inputs.get(contest.label)
        if posted is None or not posted.rows:
            continue
        done = election.mixes.get(contest.label, [])
        if len(done) < election.n and all(m.guardian != me for m in done):
            out.append(contest.label)
    return out


@dataclass
class Turns:
    """The trustees mix a contest in turn, by guardian index, so that no two shuffle the same output at once
    (the board takes only the first; the other's work would be lost). A trustee whose turn has not come waits
    ``grace`` seconds for each trustee before it that has not mixed the contest, counted from when it first saw
    the contest with its present number of mixes, then mixes anyway: an absent trustee holds nobody up for long."""

    grace: float
    first_seen: dict[tuple[str, int], float] = field(default_factory=dict)

    @staticmethod
    def ahead(election: ElectionState, me: int, label: str) -> list[int]:
        done = {m.guardian for m in election.mixes.get(label, [])}
        return [i for i in range(1, me) if i not in done]

    def seconds_left(self, election: ElectionState, me: int, label: str, now: float) -> float:
        """0 when this trustee may mix ``label`` now, else how long it still leaves to the trustees ahead."""
        ahead = self.ahead(election, me, label)
        if not ahead:
            return 0.0
        since = self.first_seen.setdefault((label, len(election.mixes.get(label, []))), now)
        return max(0.0, since + self.grace * len(ahead) - now)


@dataclass(frozen=True)
class MixOutcome:
    """A mix ready to post; ``rows`` and the digest are public, the secrets are already gone."""

    outgoing: Outgoing
    contest: str
    position: int
    rows: int


def mix_contest(election: ElectionState, me: int, label: str, *, workers: int, report: Report) -> MixOutcome:
    """Shuffle the contest's last output and prove it (docs/mixnet.md: shuffle, then GenProof with the
    generators derived from H_E); the body of this trustee's ``mix.shuffled``."""
    context = election.context
    inputs = election.mix_output(label)
    position = len(election.mixes.get(label, [])) + 1
    width = len(inputs[0])
    report(f"contest {label}: mix {position}, shuffling {len(inputs)} row(s) of {width} ciphertext(s) with {workers} worker(s)")
    generators = derive_generators(context.H_E, len(inputs), context.group, workers=workers)
    outputs, witness = shuffle(inputs, context, workers=workers)
    report(f"contest {label}: {len(outputs)} row(s) shuffled and re-encrypted; proving the shuffle")
    proof = prove_shuffle(inputs, outputs, witness, context, generators, workers=workers)
    del witness  # ψ and the nonces are not needed once the proof is made
    report(f"contest {label}: proof of shuffle made")
    body = mixing.mix_shuffled_body(me, label, position, mixing.rows_digest(inputs), outputs, proof)
    return MixOutcome(Outgoing(mixing.MIX_SHUFFLED, body), label, position, len(outputs))
