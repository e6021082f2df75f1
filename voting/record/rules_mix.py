"""The board's rules for the mix (record-format §12.2): ``mix.input`` and ``mix.shuffled``.

Both come after ``election.closed`` and before ``tally.encrypted``. The mix servers are the trustees: each
mixes a contest at most once, in turn, taking the previous output; ``tally.encrypted`` waits until every
contest with a counting method has its input and at least k mixes (so that one mix is honest when fewer
than k trustees are not). The proof of shuffle is checked by :func:`check_shuffle`, which the board may run
outside the log's lock (``shuffle_checked``) since it is by far the costliest rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InvalidProof
from ..mixnet.generators import CommitmentGenerators, derive_generators
from ..mixnet.verify import verify_shuffle
from . import mixing as mx
from .chunks import is_chunked
from .messages import open_message
from .phases import CLOSED_PHASE

if TYPE_CHECKING:
    from .lifecycle import ElectionState


def mix_input(state: ElectionState, body: dict, _: bytes) -> mx.MixInput:
    state.require_phase(mx.MIX_INPUT, CLOSED_PHASE)
    record = mx.parse_mix_input(body, state.definition.manifest)
    state.require(record.contest not in state.mix_inputs, f"the mix input of {record.contest!r} is already posted", "contest")
    state.mix_inputs[record.contest] = record
    state.mixes[record.contest] = []
    return record


def mix_shuffled(state: ElectionState, signer: int, body: dict, _: bytes, *, shuffle_checked: bool = False) -> mx.MixShuffled:
    state.require_phase(mx.MIX_SHUFFLED, CLOSED_PHASE)
    shuffled = mx.parse_mix_shuffled(body, state.definition.manifest, state.n)
    check_shuffle_place(state, shuffled)
    if not shuffle_checked:
        check_shuffle(state, shuffled)
    state.mixes[shuffled.contest].append(shuffled)
    return shuffled


def check_shuffle_place(state: ElectionState, shuffled: mx.MixShuffled) -> None:
    """The cheap rules of a ``mix.shuffled``: its contest's input is posted, it comes next, its server has not
    mixed this contest, it names the previous output's digest and has as many rows."""
    label = shuffled.contest
    state.require(label in state.mix_inputs, f"the mix input of {label!r} is not posted yet", "body.contest")
    done = state.mixes[label]
    state.require(
        shuffled.position == len(done) + 1, f"the next mix of {label!r} is number {len(done) + 1}", "body.position"
    )
    state.require(
        all(m.guardian != shuffled.guardian for m in done), f"trustee {shuffled.guardian} already mixed {label!r}", "body.guardian"
    )
    previous = state.mix_output(label)
    state.require(
        shuffled.input_digest == mx.rows_digest(previous),
        "is not the digest of the previous output (the mix input for the first mix)",
        "body.input_digest",
    )
    state.require(
        len(shuffled.rows) == len(previous), f"the output has {len(shuffled.rows)} rows; the input has {len(previous)}", "body.rows"
    )
    state.require(len(previous) > 0, f"{label!r} has no rows to mix", "body.contest")


def check_shuffle(state: ElectionState, shuffled: mx.MixShuffled, *, workers: int = 1) -> None:
    """The proof of shuffle (docs/mixnet.md, Alg. 4.6 CheckProof in the vector form), with the commitment
    generators derived from H_E; a failure names the mix server."""
    inputs = state.mix_output(shuffled.contest)
    try:
        verify_shuffle(inputs, shuffled.rows, shuffled.proof, state.context, generators=_generators(state, len(inputs), workers), workers=workers)
    except InvalidProof as exc:
        server = state.definition.trustee(shuffled.guardian)
        state.require(False, f"mix server {shuffled.guardian} ({server.name}): the proof of shuffle fails: {exc}", "body.proof")


def _generators(state: ElectionState, n: int, workers: int) -> CommitmentGenerators:
    """The generators for n rows, derived once per election state (a prefix of a longer list serves)."""
    cached = state.mix_generators
    if cached is None or len(cached.hs) < n:
        cached = derive_generators(state.context.H_E, n, state.context.group, workers=workers)
        state.mix_generators = cached
    return cached


def mix_pending(state: ElectionState) -> list[str]:
    """Why ``tally.encrypted`` must wait: each contest with counting whose input or k mixes are missing."""
    waiting = []
    for contest in mx.counting_contests(state.definition.manifest):
        label = contest.label
        if label not in state.mix_inputs:
            waiting.append(f"{label!r} has no mix input")
        elif state.mix_inputs[label].rows and len(state.mixes[label]) < state.definition.k:
            waiting.append(f"{label!r} has {len(state.mixes[label])} mix(es); at least k = {state.definition.k} are needed")
    return waiting


def shuffled_of(state: ElectionState, payload: object) -> mx.MixShuffled:
    """A ``mix.shuffled`` payload (whole or chunked) read and given its cheap rules, without changing the
    state: what the board checks before it verifies the proof outside the log's lock."""
    state.require_phase(mx.MIX_SHUFFLED, CLOSED_PHASE)
    poster = None
    if is_chunked(payload):
        poster, payload = state.chunks.peek(mx.MIX_SHUFFLED, payload)
    signer, body = open_message(state.definition, mx.MIX_SHUFFLED, payload)
    state.require(poster in (None, signer), f"the chunks were posted by {poster}, the message is signed by {signer}", "payload.chunked")
    shuffled = mx.parse_mix_shuffled(body, state.definition.manifest, state.n)
    check_shuffle_place(state, shuffled)
    return shuffled
