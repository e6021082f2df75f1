"""The board's look-up of one credential, GET /api/v1/elections/<id>/credentials/<public_key> (record format
§4, §9): the style and weight the list gives it, revoked or eligible, its ballots in board order with the
statuses of the list of ballots; strict validation of the key; on the real app and on a real server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from support import processes
from support.board_world import BoardWorld, make_app
from support.booth_board import MANIFEST as BOOTH_MANIFEST
from support.styled_world import StyledWorld

from voting.credentials import derive_voter_key


def url(world, key: str) -> str:
    return f"/api/v1/elections/{world.election_id}/credentials/{key}"


def listed_ballots(world) -> list[dict]:
    return world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/ballots?limit=1000"), 200)["ballots"]


@pytest.fixture(scope="module")
def wards(tmp_path_factory):
    """A version-2 election: south voter 3 casts, challenges, casts again (revote rule "last"); north voter 1
    is revoked; voter 0 casts once."""
    world = StyledWorld(make_app(tmp_path_factory.mktemp("wards")).test_client(), n=1, k=1)
    world.keygen()
    world.admin_entry("credentials.published", world.credential_list())
    world.admin_entry("credentials.revoked", {"credentials": [world.voters[1].public_key]})  # before opening
    world.admin_entry("election.opened", {})
    south = world.voters[3]
    world.cast(world.voters[0].credential, {"mayor": ["alice"], "north-council": ["nora"]})
    world.cast(south.credential, {"mayor": ["bob"], "south-council": ["sue"]})
    world.cast(south.credential, {"mayor": ["alice"]}, action="challenge", reveal=True)
    world.cast(south.credential, {"mayor": ["alice"], "south-council": ["sam"]})
    return world


def test_a_version_2_credential_has_its_style_weight_and_ballots_in_board_order(wards):
    south = wards.voters[3]
    found = wards.expect(wards.client.get(url(wards, south.public_key)), 200)
    assert (found["public_key"], found["style"], found["weight"], found["status"]) == (south.public_key, "south", south.weight, "eligible")
    # the same rows, in the same order and with the same statuses, as the public list of ballots gives them
    assert found["ballots"] == [b for b in listed_ballots(wards) if b in found["ballots"]]
    assert [(b["kind"], b["status"]) for b in found["ballots"]] == [
        ("ballot.cast", "superseded"), ("ballot.challenged", "challenged"), ("ballot.cast", "cast")]
    assert [b["seq"] for b in found["ballots"]] == sorted(b["seq"] for b in found["ballots"])


def test_each_voter_of_the_roll_has_the_ward_and_weight_of_the_list(wards):
    for voter in wards.voters:
        found = wards.expect(wards.client.get(url(wards, voter.public_key)), 200)
        assert (found["style"], found["weight"]) == (voter.style, voter.weight)
    assert wards.expect(wards.client.get(url(wards, wards.voters[0].public_key)), 200)["ballots"][0]["status"] == "cast"
    assert wards.expect(wards.client.get(url(wards, wards.voters[2].public_key)), 200)["ballots"] == []


def test_a_revoked_credential_says_revoked(wards):
    found = wards.expect(wards.client.get(url(wards, wards.voters[1].public_key)), 200)
    assert found["status"] == "revoked" and found["style"] == "north"


@pytest.mark.parametrize(("key", "why"), [
    ("ab" * 32, "lower case"), ("AB" * 31, "62 digits"), ("AB" * 33, "66 digits"), ("AG" * 32, "not hex"),
    ("\uff21" * 64, "full-width A"), ("0x" + "AB" * 31, "0x prefix"), ("AB" * 31 + "A ", "a space"),
])  # fmt: skip
def test_a_malformed_key_is_a_400_naming_public_key(wards, key, why):
    before = wards.size()
    response = wards.client.get(url(wards, key))
    assert response.status_code == 400, why
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", "public_key")
    assert "64 upper-case hex digits" in error["message"]
    assert wards.size() == before


def test_an_unknown_key_and_an_unknown_election_are_404_in_plain_words(wards):
    unknown = derive_voter_key(wards.credentials[0], "another-election").public_key_hex
    response = wards.client.get(url(wards, unknown))
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("unknown_credential", "public_key")
    assert error["message"] == "this credential is not on the election's list of credentials"
    response = wards.client.get(f"/api/v1/elections/no-such-election/credentials/{wards.voters[0].public_key}")
    assert response.status_code == 404 and response.get_json()["error"]["field"] == "election_id"
    assert wards.client.get(f"/api/v1/elections/bad%20id/credentials/{unknown}").get_json()["error"]["field"] == "election_id"


def test_a_version_1_credential_has_no_style_and_weight_1(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=1, k=1, voters=2, revote_rule="first")
    world.keygen()
    world.open()
    key = derive_voter_key(world.credentials[0], world.election_id).public_key_hex
    assert world.expect(world.client.get(url(world, key)), 200) == {
        "public_key": key, "style": None, "weight": 1, "status": "eligible", "ballots": []}
    world.cast(world.credentials[0], {"mayor": ["alice"]})
    found = world.expect(world.client.get(url(world, key)), 200)
    assert [(b["kind"], b["status"]) for b in found["ballots"]] == [("ballot.cast", "cast")]
    assert found["ballots"] == listed_ballots(world)


def test_the_look_up_counts_against_the_reads_limit(tmp_path):
    app = make_app(tmp_path, EVOTE_RATELIMIT_READS_PER_CLIENT="3 per minute", EVOTE_SECRET_KEY="lookup-test-secret")
    client = app.test_client()
    answers = [client.get(f"/api/v1/elections/e1/credentials/{'AB' * 32}").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert client.get("/api/v1/elections").status_code == 429  # one count across every read


def test_the_look_up_on_a_real_server(tmp_path):
    """`evote board serve` in its own process: a listed key, an unknown one and a malformed one over HTTP."""
    with processes.serve_board(tmp_path) as board:
        credentials = processes.open_election(board.url, "served-2026", BOOTH_MANIFEST, 2)
        key = derive_voter_key(credentials[1], "served-2026").public_key_hex
        with urllib.request.urlopen(f"{board.url}/api/v1/elections/served-2026/credentials/{key}", timeout=10) as response:
            assert json.loads(response.read()) == {"public_key": key, "style": None, "weight": 1, "status": "eligible", "ballots": []}
        for bad, status, field in [("AB" * 32, 404, "public_key"), ("ab" * 32, 400, "public_key")]:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"{board.url}/api/v1/elections/served-2026/credentials/{bad}", timeout=10)
            assert refused.value.code == status and json.loads(refused.value.read())["error"]["field"] == field
