"""The board's engine for the mix (record-format §12, §13) through a real board application: the counted rows
posted as ``mix.input`` (recomputed by the board), shuffles by k trustees with their proofs, the rows
decrypted with the tally, chunked entries. Each refusal leaves the board unchanged and names the field."""

from __future__ import annotations

import pytest

from tests.support.board_world import BoardWorld, make_app
from voting.mixnet.generators import derive_generators
from voting.mixnet.prove import prove_shuffle
from voting.mixnet.shuffle import shuffle
from voting.record import admin, chunks, counted_rows, mixing
from voting.record.counting import count, header_of
from voting.record.messages import sign_message
from voting.record.submission import parse_submission

RANKED = {
    "label": "Ranked test election",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "options": [{"label": "ann"}, {"label": "ben"}, {"label": "cat"}], "counting": {"method": "irv"}},
        {"label": "budget", "votes_allowed": 1, "options": [{"label": "yes"}, {"label": "no"}]},
        {"label": "chair", "options": [{"label": "dee"}, {"label": "eli"}, {"label": "fox"}], "counting": {"method": "schulze", "ranks": 2}},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "budget", "chair"]}],
}
RANKINGS = [
    ({"ann": 1, "ben": 2, "cat": 3}, {"dee": 1, "eli": 2}),
    ({"ben": 1, "ann": 2}, {"eli": 1}),
    ({"cat": 1}, {"fox": 1, "dee": 2}),
    ({"ann": 1, "cat": 2}, {"dee": 1, "fox": 2}),
]


@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    """A closed election with four ranked ballots (the last voter revoted), before its mix."""
    app = make_app(tmp_path_factory.mktemp("mix"))
    world = BoardWorld(app.test_client(), manifest=RANKED, voters=4)
    world.keygen()
    world.open()
    world.cast(world.credentials[3], {"mayor": {"ben": 1}, "budget": ["no"], "chair": {"eli": 1}})  # superseded
    for credential, (mayor, chair) in zip(world.credentials, RANKINGS):
        world.cast(credential, {"mayor": mayor, "budget": ["yes"], "chair": chair})
    world.admin_entry("election.closed", {})
    return world


def expected_inputs(world) -> dict[str, mixing.MixInput]:
    entries = [e for e in world.entries() if e["kind"].startswith("ballot.")]
    return counted_rows.mix_inputs_from_entries(
        world.definition.manifest, "last", lambda: ((e["seq"], e["kind"], e["payload"]) for e in entries)
    )


def mix_body(world, trustee, label, *, tamper=None):
    state = world.state()
    inputs = state.mix_output(label)
    outputs, witness = shuffle(inputs, state.context)
    if tamper:
        outputs = tamper(outputs)
    generators = derive_generators(state.context.H_E, len(inputs), state.context.group)
    proof = prove_shuffle(inputs, outputs, witness, state.context, generators)
    position = len(state.mixes[label]) + 1
    return mixing.mix_shuffled_body(trustee.guardian, label, position, mixing.rows_digest(inputs), outputs, proof)


def post_signed(world, trustee, kind, body, status):
    payload = sign_message(trustee.identity, world.election_id, kind, trustee.guardian, body)
    return post_trustee_payload(world, kind, payload, status)


def post_trustee_payload(world, kind, payload, status):
    """POST a trustee entry; a mix.shuffled is answered 202 and checked outside the request (record-format
    §12.2): poll its check until it is appended (201) or refused (409)."""
    response = world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json={"kind": kind, "payload": payload})
    if kind != "mix.shuffled" or response.status_code != 202:
        return world.expect(response, status)
    outcome = world.wait_for_check(response.get_json())
    assert {"appended": 201, "refused": 409}[outcome["status"]] == status, outcome
    return outcome


def test_a_ranked_election_is_mixed_by_k_trustees_and_its_rows_decrypted(closed):
    world = closed
    inputs = expected_inputs(world)
    assert [len(inputs[label].rows) for label in ("mayor", "chair")] == [4, 4]

    # the tally must wait for the mix
    refused = post_tally(world, status=409)
    assert "the mix is not complete: 'mayor' has no mix input; 'chair' has no mix input" in str(refused)

    # a mix input that leaves out a counted ballot is refused, the board unchanged
    size = world.size()
    short = inputs["mayor"]
    world.admin_entry("mix.input", mixing.mix_input_payload("mayor", short.ballots[1:], short.rows[1:]), status=409)
    assert world.size() == size

    for label in ("mayor", "chair"):
        mix_input = inputs[label]
        world.admin_entry("mix.input", mixing.mix_input_payload(label, mix_input.ballots, mix_input.rows))

    # a shuffle that replaces a row is refused naming the mix server and the proof
    trustee = world.trustees[0]
    bad = mix_body(world, trustee, "mayor", tamper=lambda rows: [rows[1]] + list(rows[1:]))
    error = post_signed(world, trustee, "mix.shuffled", bad, 409)
    assert "mix server 1" in str(error) and world.size() == size + 2

    # two trustees (k = 2) mix each contest; the first mix of "chair" is posted in chunks
    for trustee in world.trustees[:2]:
        post_signed(world, trustee, "mix.shuffled", mix_body(world, trustee, "mayor"), 201)
    post_chunked_trustee(world, world.trustees[1], "mix.shuffled", mix_body(world, world.trustees[1], "chair"), part_bytes=20_000)
    # the same trustee cannot mix a contest twice
    post_signed(world, world.trustees[1], "mix.shuffled", mix_body(world, world.trustees[1], "chair"), 409)
    post_signed(world, world.trustees[2], "mix.shuffled", mix_body(world, world.trustees[2], "chair"), 201)

    post_tally(world)
    result = world.decrypt({1, 3})
    for label, column in (("mayor", 0), ("chair", 1)):
        contest = world.definition.manifest.contest(label)
        rows = sorted(tuple(cell.value for cell in row) for row in result.mixed[label])
        cast = sorted(tuple(r[column].get(o.label, 0) for o in contest.options) for r in RANKINGS)
        assert rows == cast
        # the homomorphic totals are the column sums of the decrypted rows
        sums = [sum(row[k] for row in rows) for k in range(len(contest.options))]
        assert sums == [result.contests[label][o.label].value for o in contest.options]


def post_chunked_trustee(world, trustee, kind, body, part_bytes):
    """Post a trustee entry as chunks then the chunked entry (record-format §13), with small parts."""
    payload = sign_message(trustee.identity, world.election_id, kind, trustee.guardian, body)
    whole = chunks.canonical(payload)
    seqs = []
    for part, start in enumerate(range(0, len(whole), part_bytes)):
        chunk_body = chunks.trustee_chunk_body(trustee.guardian, kind, whole, part, whole[start : start + part_bytes])
        signed = sign_message(trustee.identity, world.election_id, chunks.CHUNK, trustee.guardian, chunk_body)
        response = world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages", json={"kind": "chunk", "payload": signed})
        seqs.append(world.expect(response, 201)["seq"])
    assert len(seqs) > 1
    return post_trustee_payload(world, kind, chunks.chunked_payload(seqs, whole), 201)


def post_tally(world, status=201):
    """``tally.encrypted`` as the administrator computes it (tests/support/board_world.py, after the close)."""
    state = world.state()
    entries = [e for e in world.entries() if e["kind"].startswith("ballot.")]
    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in entries], "last")
    parsed = {e["seq"]: parse_submission(e["payload"], world.definition.manifest) for e in entries}
    return world.admin_entry("tally.encrypted", admin.encrypted_tally(state, counting, iter(sorted(parsed.items())), []), status)
