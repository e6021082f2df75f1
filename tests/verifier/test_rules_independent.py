"""A rule bug in the board's engine alone is caught by the verifier's own rule table (issue 14).

The board's phase rule for ballots (``voting.record.rules_voting.ballot_allowed``) is changed, in this test
only, to also allow ballots after the close: the board then appends a late ballot. The verifier, which never
imports the board's engine, refuses it in section L (step L.6), naming the entry. Before the change the board
refuses the same ballot, so the test shows both the defence and that the mutation reached the board.
"""

from __future__ import annotations

from support.evote_support import failed_steps, step, verified
from support.evote_world import tiny_open_election

from voting.record import rules_voting
from voting.record.phases import CLOSED_PHASE, OPEN

CHOICES = {"mayor": ["alice"], "council": ["dan"]}


def test_a_ballot_after_the_close_that_a_mutated_board_appended_fails_l6(tmp_path, monkeypatch):
    world, app = tiny_open_election(tmp_path, voters=3)
    world.cast(world.credentials[0], CHOICES)
    world.admin_entry("election.closed", {})
    world.cast(world.credentials[1], CHOICES, status=409)  # the board as it is: refused after the close

    monkeypatch.setattr(rules_voting, "ballot_allowed", lambda phase: phase in (OPEN, CLOSED_PHASE))
    late = world.cast(world.credentials[2], CHOICES, status=201)  # the mutated board appends it

    # Verified while the board's engine is still mutated, in this process: a verifier that replayed the board's
    # engine (as section L did before issue 14) would accept the late ballot.
    report = verified(world.export(app, tmp_path / "record"))
    assert "L.6" in failed_steps(report)
    refused = [f for f in step(report, "L.6").count.failures]
    assert any(f"seq {late['receipt']['seq']}" in f.subject for f in refused), refused
    assert not failed_steps(report) & {"B.1", "B.2", "B.3", "B.4"}  # the board's log itself is sound
