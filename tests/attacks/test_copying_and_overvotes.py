"""Ballot copying, replay and overvotes with borrowed proofs (docs/threat-model.md "Ballots").

Cortier & Smyth copied a Helios voter's ballot under another credential to learn its vote. Here the
proofs bind each ciphertext (SPEC eq. 46) and the board refuses a confirmation code or an α it has seen
(bulletin_board/elections/ballots.py ``ballot_hook``). Exact copies are covered in
tests/test_board_elections.py; this file adds the copy that re-randomises the ciphertexts to dodge the α
index, a replay of a superseded ballot, and overvotes built from individually valid selection proofs.
"""

from __future__ import annotations

import secrets

import pytest

from attacks.attack_support import Q, ballot_refused, open_world, reseal, selection_ciphertext
from voting.encoding import hex_p
from voting.group import ElementModQ


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return open_world(tmp_path_factory.mktemp("copying"), voters=6)


def ballots_url(world) -> str:
    return f"/api/v1/elections/{world.election_id}/ballots"


def status_of(world, code: str) -> str:
    return world.expect(world.client.get(f"{ballots_url(world)}/{code}"), 200)["status"]


def test_copied_ballot_with_rerandomised_ciphertexts_is_refused(world):
    """The thief re-randomises every ciphertext of the victim's ballot (same votes, new α), so neither the
    confirmation code nor the α index match; the victim's proofs no longer fit and nobody else can redo them."""
    victim, _ = world.submission(world.credentials[0], {"mayor": ["bob"], "council": ["eve"]})
    world.expect(world.client.post(ballots_url(world), json=victim), 201)
    context = world.state().context
    for contest in victim["ballot"]["contests"]:
        for selection in contest["selections"]:
            ct = selection_ciphertext(selection)
            s = ElementModQ.reduce(secrets.randbelow(Q))
            selection["alpha"], selection["beta"] = (
                hex_p(ct.alpha * context.g_table.pow(s)),
                hex_p(ct.beta * context.K_table.pow(s)),
            )
    reseal(world, victim, world.credentials[1])
    error = ballot_refused(world, victim, 422)
    assert error["code"] == "invalid_ballot" and "5.D" in error["message"]


def test_replayed_superseded_ballot_does_not_count_again(world):
    """A network attacker replays a voter's first ballot after the voter revoted (rule "last"): the board
    answers with the first receipt and appends nothing, so the revote still counts."""
    voter = world.credentials[2]
    first, _ = world.submission(voter, {"mayor": ["alice"]})
    receipt = world.expect(world.client.post(ballots_url(world), json=first), 201)["receipt"]
    second, _ = world.submission(voter, {"mayor": ["bob"]})
    world.expect(world.client.post(ballots_url(world), json=second), 201)
    size = world.size()
    again = world.client.post(ballots_url(world), json=first)
    assert again.status_code == 200 and again.get_json()["receipt"]["seq"] == receipt["seq"]
    assert world.size() == size
    assert status_of(world, first["ballot"]["confirmation_code"]) == "superseded"
    assert status_of(world, second["ballot"]["confirmation_code"]) == "cast"


def test_replayed_ballot_with_another_action_is_refused(world):
    """A cast ballot replayed as a challenge (its signature covers the action) or re-signed by another voter."""
    ballot, _ = world.submission(world.credentials[3], {"mayor": ["alice"]})
    world.expect(world.client.post(ballots_url(world), json=ballot), 201)
    as_challenge = dict(ballot, action="challenge")
    assert ballot_refused(world, as_challenge)["field"] in ("signature", "ballot.confirmation_code")


@pytest.mark.parametrize("field", ["c0", "c1", "c2"])
def test_contest_data_changed_on_the_way_is_refused(world, field):
    """Someone between the voter and the board replaces a contest's contest data (EG eq. 56). The confirmation
    code does not cover it and only a key holder can check its MAC, but the voter's signature covers it
    (record-format §5, D): refused, nothing appended."""
    ballot, _ = world.submission(world.credentials[5], {"mayor": ["alice"], "council": ["dan"]})
    mayor, council = (contest["contest_data"] for contest in ballot["ballot"]["contests"])
    if field == "c0":
        mayor["c0"] = council["c0"]  # another valid group element
    else:
        mayor[field] = ("0" if mayor[field][0] != "0" else "1") + mayor[field][1:]
    error = ballot_refused(world, ballot, 400)
    assert error["field"] == "signature" and "contest data" in error["message"]


@pytest.mark.parametrize("contest, choices, donor_choices", [
    ("mayor", {"mayor": ["alice"]}, {"mayor": ["bob"]}),
    ("council", {"council": ["dan", "eve"]}, {"council": ["fay"]}),
])  # fmt: skip
def test_overvote_from_borrowed_selection_is_refused_by_the_limit_proof(world, contest, choices, donor_choices):
    """Every selection proof is valid on its own (each ciphertext encrypts 0 or 1 — the extra 1 is taken,
    ciphertext and proof, from the voter's own second ballot), but the contest then holds L + 1 votes and
    its limit proof (Verification 6) no longer fits."""
    index = 0 if contest == "mayor" else 1
    own, _ = world.submission(world.credentials[4], choices)
    donor, _ = world.submission(world.credentials[4], donor_choices)
    mine, theirs = own["ballot"]["contests"][index], donor["ballot"]["contests"][index]
    position = next(n for n, s in enumerate(theirs["selections"]) if s["option"] in donor_choices[contest])
    mine["selections"][position] = theirs["selections"][position]
    reseal(world, own, world.credentials[4])
    error = ballot_refused(world, own, 422)
    assert error["field"] == f"ballot.contests[{index}].limit_proof" and "6.D" in error["message"]
    # ... and borrowing the donor's limit proof as well does not help: it proves another product
    mine["limit_proof"] = theirs["limit_proof"]
    reseal(world, own, world.credentials[4])
    error = ballot_refused(world, own, 422)
    assert error["field"] == f"ballot.contests[{index}].limit_proof" and "6.D" in error["message"]


def test_overvote_cannot_be_proven_honestly(world):
    from voting.ballot import make_ballot
    from voting.errors import VotingError

    with pytest.raises((VotingError, ValueError)):
        make_ballot(world.definition.manifest, "all", {"mayor": ["alice", "bob"]})


def test_challenged_ballot_can_never_be_cast(world):
    """Benaloh's rule: a challenged ballot, opened or sealed, is spoiled; the same encryption submitted
    again as a cast ballot (by the booth that made it, re-signed) is refused."""
    for reveal in (True, False):
        payload, result = world.submission(world.credentials[5], {"mayor": ["bob"]}, action="challenge", reveal=reveal)
        world.expect(world.client.post(ballots_url(world), json=payload), 201)
        as_cast = {key: value for key, value in payload.items() if key != "reveal"}
        reseal(world, as_cast, world.credentials[5], action="cast")
        assert ballot_refused(world, as_cast, 409)["code"] == "duplicate_ballot"
