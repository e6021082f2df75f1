"""The credential authority's entries on the board (record-format §11, voting/record/rules_registrar.py):
only the registrar's signature lists, revokes or replaces credentials, within its own roll commitment; a lost
card is replaced only if it has cast nothing. The verifier's own table agrees (tests/verifier/test_rules_agree.py)."""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey
from support.board_world import make_app
from support.registrar_world import REGISTRAR_NAME, RegistrarWorld

from voting.credential_list import ListedCredential, credential_list_payload
from voting.credentials import derive_voter_key, new_credential
from voting.record import registrar as rg

CHOICE = {"mayor": ["alice"], "north-council": ["nora"]}


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    world = RegistrarWorld(make_app(tmp_path_factory.mktemp("registrar")).test_client())
    world.keygen()
    world.open(extra_voters=1)
    return world


def test_the_registrars_list_opens_the_election_and_its_voters_vote(opened):
    kinds = [e["kind"] for e in opened.entries()]
    assert kinds[-4:] == ["registrar.accepted", "registrar.roll", "registrar.credentials", "election.opened"]
    opened.cast(opened.credentials[0], CHOICE)


def test_the_administrator_cannot_list_or_revoke_in_a_registrar_election(tmp_path):
    world = RegistrarWorld(make_app(tmp_path).test_client())
    world.keygen()
    size = world.size()
    world.admin_entry("credentials.published", world.credential_list(), status=409)
    world.admin_entry("credentials.revoked", {"credentials": [world.voters[0].public_key]}, status=409)
    assert world.size() == size


def test_a_list_not_signed_by_the_registrar_is_refused(tmp_path):
    world = RegistrarWorld(make_app(tmp_path).test_client())
    world.keygen()
    world.registrar_post(rg.ACCEPTED, {"name": REGISTRAR_NAME})
    world.registrar_post(rg.ROLL, world.roll_commitment())
    size = world.size()
    response = world.registrar_post(rg.CREDENTIALS, world.credential_list(), status=400, key=SigningKey.generate())
    assert response.get_json()["error"]["field"] == "signature"
    assert world.size() == size


def test_the_registrar_cannot_list_more_than_its_roll_commitment(tmp_path):
    world = RegistrarWorld(make_app(tmp_path).test_client())
    world.keygen()
    world.registrar_post(rg.ACCEPTED, {"name": REGISTRAR_NAME})
    commitment = world.roll_commitment()
    commitment["voters_per_style"]["north"] -= 1
    commitment["voters"] -= 1
    commitment["total_weight"] -= 1
    world.registrar_post(rg.ROLL, commitment)
    world.registrar_post(rg.CREDENTIALS, world.credential_list(), status=409)


def test_a_lost_card_is_replaced_only_before_it_voted(opened):
    new = new_credential()
    new_key = derive_voter_key(new, opened.election_id).public_key_hex
    voter = opened.voters[1]  # north, weight 2, has not voted
    other_weight = {"public_key": new_key, "style": voter.style, "weight": 1}
    opened.registrar_post(rg.REPLACED, {"old": voter.public_key, "new": other_weight, "reason": "card lost"}, status=409)
    same = {"public_key": new_key, "style": voter.style, "weight": voter.weight}
    opened.registrar_post(rg.REPLACED, {"old": voter.public_key, "new": same, "reason": "card lost"})
    opened.cast(voter.credential, CHOICE, status=403)  # the old card no longer votes
    voted = opened.voters[0]  # cast in the first test
    replacement = derive_voter_key(new_credential(), opened.election_id).public_key_hex
    opened.registrar_post(rg.REPLACED, {"old": voted.public_key, "new": {"public_key": replacement, "style": voted.style,
                                        "weight": voted.weight}, "reason": "card lost"}, status=409)
    assert credential_list_payload(opened.election_id, [ListedCredential(new_key, voter.style, voter.weight)])
