"""The trustee checks the mix's input before it mixes or decrypts (issue 20, "Trustees check before they decrypt").

A board operator and an administrator together leave one voter's ranked ballot out of a contest's ``mix.input``.
The honest board refuses that entry (it recomputes the counted rows); an operator who appends it straight to its
own log gets it past the rules (they replay control entries, not ballots), past the mixes (each proof of shuffle
is valid for the forged input) and past the tally rule. The trustee tool stops it: it recomputes each
``mix.input`` from the ballots on the board, names the ballot left out and decrypts nothing. With that check
removed, nothing else would have stopped the decryption.
"""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from support.board_world import ADMIN_TOKEN, make_app
from support.evote_support import serve_app
from support.evote_world import EvoteWorld

from bulletin_board import admin_mix
from bulletin_board.log_format.client import BoardClient
from evote.cli import main as evote_main
from trustee_tools import ceremony, steps
from trustee_tools import mixing as trustee_mixing
from trustee_tools.posting import post_message
from voting.record import admin, chunks, mixing
from voting.record.counting import count, header_of
from voting.record.messages import sign_message
from voting.record.submission import parse_submission

MANIFEST = {
    "label": "Ranked test election",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "counting": {"method": "irv"}, "options": [{"label": "ann"}, {"label": "ben"}, {"label": "cat"}]},
        {"label": "park", "counting": {"method": "schulze", "ranks": 2}, "options": [{"label": "pool"}, {"label": "garden"}, {"label": "stage"}]},
        {"label": "measure", "votes_allowed": 1, "options": [{"label": "yes"}, {"label": "no"}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "park", "measure"]}],
}
BALLOTS = [
    {"mayor": {"ann": 1, "ben": 2}, "park": {"pool": 1, "garden": 2}, "measure": ["yes"]},
    {"mayor": {"ben": 1}, "park": {"stage": 1}},
    {"mayor": {"cat": 1, "ann": 2, "ben": 3}, "park": {"garden": 1}, "measure": ["no"]},
]


def downloaded(world: EvoteWorld) -> list:
    """The board's entries as the trustee tool downloads them (seq, kind, JSON text)."""
    return [SimpleNamespace(seq=e["seq"], kind=e["kind"], payload=json.dumps(e["payload"])) for e in world.entries()]


def mix_by(world: EvoteWorld, trustee, label: str) -> None:
    """One trustee's mix of ``label``, posted to the board, which checks its proof outside the request."""
    outcome = trustee_mixing.mix_contest(world.state(), trustee.guardian, label, workers=1, report=lambda message: None)
    payload = sign_message(trustee.identity, world.election_id, outcome.outgoing.kind, trustee.guardian, outcome.outgoing.body)
    answer = world.expect(world.client.post(f"/api/v1/elections/{world.election_id}/trustee-messages",
                                            json={"kind": outcome.outgoing.kind, "payload": payload}), 202)  # fmt: skip
    verdict = world.wait_for_check(answer)
    assert verdict["status"] == "appended", verdict


@pytest.fixture
def closed(tmp_path):
    """n = 3, k = 2: three ranked ballots cast, the election closed, no mix.input yet."""
    app = make_app(tmp_path)
    world = EvoteWorld(app.test_client(), election_id="ranked", n=3, k=2, voters=len(BALLOTS), manifest=MANIFEST)
    world.keygen()
    world.open()
    receipts = [world.cast(credential, choices)["receipt"] for credential, choices in zip(world.credentials, BALLOTS)]
    world.admin_entry("election.closed", {})
    return world, receipts


def test_a_trustee_refuses_to_decrypt_when_the_mix_input_leaves_out_a_counted_ballot(closed):
    world, receipts = closed
    victim = receipts[1]["seq"]
    honest = trustee_mixing.recomputed_inputs(world.state(), downloaded(world))
    forged = replace(honest["mayor"], ballots=tuple(s for s in honest["mayor"].ballots if s != victim),
                     rows=tuple(r for s, r in zip(honest["mayor"].ballots, honest["mayor"].rows) if s != victim))  # fmt: skip
    forged_payload = mixing.mix_input_payload("mayor", forged.ballots, forged.rows)
    assert world.admin_entry("mix.input", forged_payload, status=409)["error"]["code"] == "mix_input_mismatch"

    log = world.client.application.extensions["evote_board"].log
    log.append(world.election_id, "mix.input", forged_payload)  # the operator writes to its own database
    park = honest["park"]
    world.admin_entry("mix.input", mixing.mix_input_payload("park", park.ballots, park.rows))
    with pytest.raises(steps.Refusal, match=rf"mix.input of contest 'mayor' leaves out the counted ballot\(s\) at seq \[{victim}\]"):
        trustee_mixing.check_mix_inputs(world.state(), downloaded(world))  # what `evote-trustee mix` does first

    for trustee in world.trustees[:2]:  # trustees without the check mix the forged input: every proof holds
        for label in ("mayor", "park"):
            mix_by(world, trustee, label)
    state = world.state()
    assert state.mix_pending() == []
    ballots = [e for e in world.entries() if e["kind"].startswith("ballot.")]  # the administrator tallies over the forged mix
    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in ballots], "last")
    parsed = {e["seq"]: parse_submission(e["payload"], world.definition.manifest) for e in ballots}
    world.admin_entry("tally.encrypted", admin.encrypted_tally(state, counting, iter(sorted(parsed.items())), []))
    state = world.state()
    assert state.phase == "tallying"  # the board's rules accept it: the mix.input is not theirs to recompute on replay

    reports: list[str] = []
    session = SimpleNamespace(report=reports.append)
    with pytest.raises(steps.Refusal, match=rf"leaves out the counted ballot\(s\) at seq \[{victim}\].*Not mixing or decrypting"):
        ceremony.check_cascade(session, state, downloaded(world))
    # the defence removed: nothing else stops the trustee from decrypting the rows of the forged mix
    trustee = world.trustees[0]
    share = steps.decryption_share(trustee, state)
    assert share.kind == "decryption.share" and len(share.body["items"]) == len(state.items)


def test_the_difference_is_named_in_plain_words(closed):
    world, receipts = closed
    expected = trustee_mixing.recomputed_inputs(world.state(), downloaded(world))["park"]
    assert trustee_mixing.input_difference(expected, expected) is None
    extra = replace(expected, ballots=(*expected.ballots, 10_000), rows=(*expected.rows, expected.rows[0]))
    assert trustee_mixing.input_difference(extra, expected) == "adds ballot(s) at seq [10000] that do not count"
    swapped = replace(expected, rows=(expected.rows[1], expected.rows[0], *expected.rows[2:]))
    first, second = expected.ballots[:2]
    assert trustee_mixing.input_difference(swapped, expected) == f"holds other ciphertexts than the ballot(s) at seq [{first}, {second}]"


def test_large_entries_go_in_parts_and_the_board_takes_them_whole(closed, monkeypatch):
    """record-format §13 with a small part size, so that three ballots make several parts: the administrator's
    mix.input and a trustee's mix.shuffled (signed, then checked by the board outside the request)."""
    world, _ = closed
    monkeypatch.setattr(chunks, "needs_chunks", lambda payload: True)
    monkeypatch.setattr(chunks, "MAX_PART_BYTES", 20_000)  # the board in this process reads the same limit
    said: list[str] = []
    with serve_app(world.client.application) as url:
        assert admin_mix.post_mix_inputs(BoardClient(url, admin_token=ADMIN_TOKEN), world.election_id, said.append) == {"mayor": 3, "park": 3}
        entries = world.entries()
        inputs = [e for e in entries if e["kind"] == "mix.input"]
        assert len(inputs) == 2 and all(chunks.is_chunked(e["payload"]) for e in inputs)
        assert [e["payload"]["for"] for e in entries if e["kind"] == "chunk"] == ["mix.input"] * 2 * len(inputs[0]["payload"]["chunked"]["parts"])
        trustee = world.trustees[0]
        outcome = trustee_mixing.mix_contest(world.state(), trustee.guardian, "mayor", workers=1, report=said.append)
        seq = post_message(BoardClient(url), trustee, world.election_id, outcome.outgoing.kind, outcome.outgoing.body,
                           poll_seconds=0.1, report=said.append)  # fmt: skip
    posted = world.entries()[seq]
    assert posted["kind"] == "mix.shuffled" and chunks.is_chunked(posted["payload"])
    parts = len(posted["payload"]["chunked"]["parts"])
    assert parts >= 2 and f"mix.shuffled: part {parts} of {parts} posted" in " ".join(said)
    assert [(m.guardian, m.position) for m in world.state().mixes["mayor"]] == [(1, 1)]


def test_the_tally_command_posts_the_inputs_then_says_which_mixes_it_awaits(closed):
    """`evote election tally` after the close: the mix.input of each ranked contest, then a clear refusal to
    tally before k trustees have mixed (nothing else posted); `evote election mix-status` says the same."""
    world, _ = closed
    with serve_app(world.client.application) as url:
        def evote(*args: str):
            result = CliRunner().invoke(evote_main, [*args, "--board", url], env={"EVOTE_ADMIN_TOKEN": ADMIN_TOKEN}, catch_exceptions=False)
            assert "Traceback" not in result.output + result.stderr
            return result

        refused = evote("election", "tally", world.election_id, "--wait", "0")
        assert refused.exit_code == 1
        assert "contest mayor: mix.input posted, 3 row(s)" in refused.stderr
        assert ("gave up waiting for the mix: mayor: 2 more mix(es) before the tally (k = 2), from trustee(s) [1, 2, 3] "
                "(evote-trustee mix)") in refused.stderr  # fmt: skip
        assert "tally.encrypted" not in [e["kind"] for e in world.entries()]
        mix_by(world, world.trustees[1], "mayor")
        status = evote("election", "mix-status", world.election_id)
        assert status.exit_code == 0
        assert status.stdout.splitlines() == [
            "mayor: 3 row(s); mix 1 by trustee 2 (Trustee 2); awaiting 1 more mix(es) before the tally (k = 2), from trustee(s) [1, 3] (evote-trustee mix)",
            "park: 3 row(s); no mix yet; awaiting 2 more mix(es) before the tally (k = 2), from trustee(s) [1, 2, 3] (evote-trustee mix)",
        ]


def test_a_trustee_leaves_the_trustees_before_it_their_turn_then_mixes_anyway():
    """Turns: trustee 3 waits 60 s for each trustee before it that has not mixed, counted from when it saw the
    contest at its present number of mixes; an absent trustee holds it up no longer than that."""
    election = SimpleNamespace(mixes={"mayor": []})
    turns = trustee_mixing.Turns(grace=60)
    assert turns.seconds_left(election, 1, "mayor", now=0) == 0
    assert turns.seconds_left(election, 3, "mayor", now=100) == 120  # trustees 1 and 2 come first
    assert turns.seconds_left(election, 3, "mayor", now=190) == 30
    assert turns.seconds_left(election, 3, "mayor", now=220) == 0  # neither mixed in time: trustee 3 goes on
    election.mixes["mayor"].append(SimpleNamespace(guardian=1))
    assert turns.ahead(election, 3, "mayor") == [2]
    assert turns.seconds_left(election, 3, "mayor", now=230) == 60  # a new mix: trustee 2's turn, counted afresh
    assert turns.seconds_left(election, 2, "mayor", now=230) == 0
