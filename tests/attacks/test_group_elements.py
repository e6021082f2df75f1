"""Elements outside Z_p^r and parameters that are not the standard ones (docs/threat-model.md "Group
elements and parameters").

Every place outside input becomes a group element — a ballot's α, β and contest data C0, a trustee's
commitments K_{i,j}, encrypted shares' C0, decryption shares' M_i, a_i, b_i — is attacked over HTTP with
0, p - 1 (order 2), p, p + 1, a quadratic non-residue and a residue of small order outside the subgroup.
The board must name the field and append nothing (SPEC checks 2.A, 5.A, 6.A; :mod:`voting.membership`).
A record or election naming other p, q, g — a smaller, breakable group as in Moscow 2019 — is refused by
the board (record-format §8) and by the verifier (Verification 1).
"""

from __future__ import annotations

import copy
import json

import pytest
from support.board_world import ADMIN_TOKEN, MANIFEST, BoardWorld, make_app

from attacks.attack_support import (
    bad_elements,
    ballot_refused,
    edited,
    failed_steps,
    hex_element,
    nth,
    open_world,
    post_refused,
    reseal,
    selection_ciphertext,
    trustee_refused,
    verified,
)
from trustee_tools import steps
from trustee_tools.state import TrusteeState
from voting import encrypted_ballot
from voting.elgamal import Ciphertext
from voting.encoding import hex_p
from voting.encrypt import selection_nonce
from voting.encrypted_ballot import proof_to_json
from voting.group import STANDARD, ElementModP, insecure_test_group
from voting.proofs.range import prove_range
from voting.record.election import define_election
from voting.record.messages import sign_message

BAD = bad_elements()


@pytest.fixture(scope="module")
def voting_world(tmp_path_factory):
    return open_world(tmp_path_factory.mktemp("elements-voting"), voters=2)


@pytest.fixture(scope="module")
def keygen_world(tmp_path_factory):
    """n = 2: trustee 1 has published its commitments; trustee 2 has not."""
    world = BoardWorld(make_app(tmp_path_factory.mktemp("elements-keygen")).test_client(), n=2, k=2, voters=1)
    for t in world.trustees:
        steps.join(t, world.state())
    world.trustee_post(world.trustees[0], steps.commitments(world.trustees[0], world.state()))
    return world


@pytest.fixture(scope="module")
def tallying_world(tmp_path_factory):
    world = open_world(tmp_path_factory.mktemp("elements-tally"), voters=1)
    world.cast(world.credentials[0], {"mayor": ["alice"]})
    world.close_and_tally()
    return world


BALLOT_FIELDS = {
    "alpha": ("ballot.contests[0].selections[0].alpha", lambda b: b["contests"][0]["selections"][0], "alpha"),
    "beta": ("ballot.contests[0].selections[1].beta", lambda b: b["contests"][0]["selections"][1], "beta"),
    "c0": ("ballot.contests[1].contest_data.c0", lambda b: b["contests"][1]["contest_data"], "c0"),
}


@pytest.mark.parametrize("where", sorted(BALLOT_FIELDS))
@pytest.mark.parametrize("name", sorted(BAD))
def test_ballot_element_outside_the_subgroup_is_refused(voting_world, where, name):
    field, locate, key = BALLOT_FIELDS[where]
    payload, _ = voting_world.submission(voting_world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    locate(payload["ballot"])[key] = hex_element(BAD[name])
    reseal(voting_world, payload, voting_world.credentials[0])  # hashes and signature are right: only membership is wrong
    error = ballot_refused(voting_world, payload)
    assert error["field"] == field, error


@pytest.mark.parametrize("name", sorted(BAD) + ["one (the identity: secret 0)"])
def test_commitment_outside_the_subgroup_is_refused(keygen_world, name):
    t2 = keygen_world.trustees[1]
    out = steps.commitments(t2, keygen_world.state())
    body = copy.deepcopy(out.body)
    body["commitments"][0] = hex_element(BAD.get(name, 1))
    error = trustee_refused(keygen_world, out.kind, sign_message(t2.identity, keygen_world.election_id, out.kind, 2, body))
    assert error["field"] in ("body.commitments[0]", "body.proofs"), error


@pytest.mark.parametrize("name", sorted(BAD))
def test_encrypted_share_outside_the_subgroup_is_refused(tmp_path, name):
    world = BoardWorld(make_app(tmp_path).test_client(), n=2, k=2, voters=1)
    for t in world.trustees:
        steps.join(t, world.state())
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state()))
    t1 = world.trustees[0]
    out = steps.shares(t1, world.state())
    out.body["shares"][0]["c0"] = hex_element(BAD[name])
    error = trustee_refused(world, out.kind, sign_message(t1.identity, world.election_id, out.kind, 1, out.body))
    assert error["field"] == "body.shares[0].c0", error


@pytest.mark.parametrize("key", ["M", "a", "b"])
@pytest.mark.parametrize("name", ["p-1 (order 2)", "non-residue", "residue outside Z_p^r"])
def test_decryption_share_outside_the_subgroup_is_refused(tallying_world, key, name):
    t1 = tallying_world.trustees[0]
    out = steps.decryption_share(t1, tallying_world.state())
    body = copy.deepcopy(out.body)
    body["items"][0][key] = hex_element(BAD[name])
    error = trustee_refused(tallying_world, out.kind, sign_message(t1.identity, tallying_world.election_id, out.kind, 1, body))
    assert error["field"] == f"body.items[0].{key}", error


@pytest.mark.parametrize("key", ["p", "q", "g", "r", "spec_version"])
def test_election_with_other_parameters_is_refused_by_the_board(tmp_path, key):
    """An administrator names a smaller group (the SPEC's 256-bit toy group: breakable in minutes), or
    another version of the specification."""
    client = make_app(tmp_path).test_client()
    trustee = TrusteeState.new("Trustee 1")
    roster = [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]
    payload = define_election("small-group", MANIFEST, roster, 1, "last").to_payload()
    toy = insecure_test_group()
    payload["parameters"][key] = "v1.0" if key == "spec_version" else f"{int(getattr(toy, key)):X}"
    response = client.post("/api/v1/admin/elections", json=payload, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == f"parameters.{key}"
    assert client.get("/api/v1/elections/small-group/context").status_code == 404


def test_record_naming_a_smaller_group_fails_verification_1(tmp_path, rich):
    """A dishonest operator rewrites the record's parameters to a small group and re-signs it."""

    def smaller(entries):
        parameters = nth(entries, "election.created")["payload"]["parameters"]
        toy = insecure_test_group()
        parameters.update(p=f"{int(toy.p):X}", q=f"{int(toy.q):X}", g=f"{int(toy.g):X}", r=f"{int(toy.r):X}")

    record = edited(rich.path, tmp_path / "small", smaller, key_file=rich.key_file)
    failed = failed_steps(verified(record))
    assert {"1.B", "1.C", "1.D", "1.E"} <= failed, failed


def test_http_refusal_names_field_without_a_traceback(voting_world):
    payload, _ = voting_world.submission(voting_world.credentials[1], {"mayor": ["bob"]})
    payload["ballot"]["contests"][0]["selections"][0]["alpha"] = hex_element(BAD["p+1"])
    body = json.dumps(post_refused(voting_world, f"/api/v1/elections/{voting_world.election_id}/ballots", payload))
    assert "Traceback" not in body and 'File "' not in body


def _prove_with_even_challenges(ct, nonce, value, R, context):
    """An honest range proof for ``ct`` whose challenges c_j are all even (grinding: ~2^-(R+1) per try), so
    that a factor (-1) in α and β vanishes from every α^{c_j}, β^{c_j} the verifier computes."""
    for _ in range(200):
        proof = prove_range(ct, nonce, value, R, context)
        if all(int(c.value) % 2 == 0 for c in proof.c):
            return proof
    raise AssertionError("no proof with even challenges in 200 tries")


def order_two_ballot(world, credential: str) -> dict:
    """A mayor ballot for alice whose alice selection has α and β multiplied by p - 1, every proof honest
    for those values with even challenges, hashes and signature right."""
    context = world.state().context
    choices = {"mayor": ["alice"]}
    payload, result = world.submission(credential, choices)
    contest = world.definition.manifest.contest("mayor")
    minus_one = ElementModP.computed(STANDARD.p - 1, STANDARD)
    raw = payload["ballot"]["contests"][0]
    nonces = [selection_nonce(context, result.ballot_nonce, contest.index, o.index) for o in contest.options]
    cts = [selection_ciphertext(s) for s in raw["selections"]]
    cts[0] = Ciphertext(cts[0].alpha * minus_one, cts[0].beta * minus_one)  # alice: still "1", times (-1, -1)
    for n, (ct, option) in enumerate(zip(cts, contest.options)):
        proof = _prove_with_even_challenges(ct, nonces[n], int(option.label in choices["mayor"]), 1, context)
        raw["selections"][n].update(alpha=hex_p(ct.alpha), beta=hex_p(ct.beta), proof=proof_to_json(proof))
    aggregate, total = cts[0] * cts[1], nonces[0] + nonces[1]
    raw["limit_proof"] = proof_to_json(_prove_with_even_challenges(aggregate, total, 1, 1, context))
    return reseal(world, payload, credential)


def test_order_two_component_passes_every_proof_and_only_membership_stops_it(voting_world, monkeypatch):
    """The small-subgroup attack: the voter multiplies α and β of a selection by p - 1 (order 2). With even
    challenges every proof verifies; the tally then decrypts only when the secret key is odd, so its failure
    leaks a bit of the key. Membership (check 5.A) is the only defence — shown by removing it."""
    world = voting_world
    payload = order_two_ballot(world, world.credentials[1])
    error = ballot_refused(world, payload, 400)
    assert error["field"] == "ballot.contests[0].selections[0].alpha" and "subgroup" in error["message"]

    monkeypatch.setattr(encrypted_ballot, "check_members", lambda values, group, fields: None)  # defence removed
    world.expect(world.client.post(f"/api/v1/elections/{world.election_id}/ballots", json=payload), 201)


def test_order_two_ballot_on_the_record_fails_verification_5a(tmp_path, rich):
    """The verifier's side: an operator who skips the membership check appends the same kind of ballot."""
    world = rich.world
    payload = order_two_ballot(world, world.credentials[0])

    def insert(entries):
        nth(entries, "ballot.cast", 0)["payload"] = payload

    record = edited(rich.path, tmp_path / "order-two", insert, key_file=rich.key_file)
    assert {"5.A", "6.A"} <= failed_steps(verified(record))  # and 5.D, 6.D fail closed: that ballot is not verified
