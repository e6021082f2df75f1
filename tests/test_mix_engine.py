"""The board's engine for the mix (record-format §12, §13) through a real board application: the counted rows
posted as ``mix.input`` (recomputed by the board), shuffles by k trustees with their proofs, the rows
decrypted with the tally, chunked entries. Each refusal leaves the board unchanged and names the field."""

from __future__ import annotations

import pytest
from support.board_world import BoardWorld, make_app, mix_shuffled_body_for
from support.forged_mixes import FORGED_MIXES

from voting.mixnet.shuffle import shuffle
from voting.record import mixing

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


def post_signed(world, trustee, kind, body, status):
    """A trustee's entry; a mix.shuffled's check is awaited: 201 when appended, 409 when refused."""
    answer = world.trustee_post_json(trustee, kind, body, status if kind != "mix.shuffled" else 202)
    if kind != "mix.shuffled":
        return answer
    outcome = world.wait_for_check(answer)
    assert {"appended": 201, "refused": 409}[outcome["status"]] == status, outcome
    return outcome


def test_a_ranked_election_is_mixed_by_k_trustees_and_its_rows_decrypted(closed):
    world = closed
    inputs = world.expected_mix_inputs()
    assert [len(inputs[label]["rows"]) for label in ("mayor", "chair")] == [4, 4]

    # the tally must wait for the mix
    refused = world.post_tally(status=409)
    assert "the mix is not complete: 'mayor' has no mix input; 'chair' has no mix input" in str(refused)

    # a mix input that leaves out a counted ballot is refused, the board unchanged
    size = world.size()
    short = inputs["mayor"]
    world.admin_entry("mix.input", {**short, "ballots": short["ballots"][1:], "rows": short["rows"][1:]}, status=409)
    assert world.size() == size

    for label in ("mayor", "chair"):
        world.admin_entry("mix.input", inputs[label])

    # every dishonest mix server of tests/support/forged_mixes.py is refused, named, the board unchanged
    trustee = world.trustees[0]
    state = world.state()
    inputs = state.mix_output("mayor")
    for what, forge in FORGED_MIXES:
        outputs, proof = forge(list(inputs), *shuffle(inputs, state.context), state.context)
        body = mixing.mix_shuffled_body(1, "mayor", 1, mixing.rows_digest(inputs), outputs, proof)
        error = post_signed(world, trustee, "mix.shuffled", body, 409)["error"]
        named = "mix server 1 (Trustee 1)" in error["message"] and error["field"] == "body.proof"
        assert named or (what == "drops a row" and error["field"] == "body.proof.c"), (what, error)  # N - 1 rows, a proof of N
        assert world.size() == size + 2, what

    # two trustees (k = 2) mix each contest; the first mix of "chair" is posted in chunks
    for trustee in world.trustees[:2]:
        post_signed(world, trustee, "mix.shuffled", mix_shuffled_body_for(world, trustee, "mayor"), 201)
    t2, t3 = world.trustees[1:]
    answer = world.trustee_post_chunked(t2, "mix.shuffled", mix_shuffled_body_for(world, t2, "chair"), part_bytes=20_000)
    assert world.wait_for_check(answer)["status"] == "appended" and world.entries()[-2]["kind"] == "chunk"
    # the same trustee cannot mix a contest twice
    post_signed(world, t2, "mix.shuffled", mix_shuffled_body_for(world, t2, "chair"), 409)
    post_signed(world, t3, "mix.shuffled", mix_shuffled_body_for(world, t3, "chair"), 201)

    world.post_tally()
    result = world.decrypt({1, 3})
    for label, column in (("mayor", 0), ("chair", 1)):
        contest = world.definition.manifest.contest(label)
        rows = sorted(tuple(cell.value for cell in row) for row in result.mixed[label])
        cast = sorted(tuple(r[column].get(o.label, 0) for o in contest.options) for r in RANKINGS)
        assert rows == cast
        # the homomorphic totals are the column sums of the decrypted rows
        sums = [sum(row[k] for row in rows) for k in range(len(contest.options))]
        assert sums == [result.contests[label][o.label].value for o in contest.options]
