"""The board's election layer over HTTP: a whole election, receipts, and every refusal with its own 4xx
and an unchanged log."""

from __future__ import annotations

import copy

import pytest
from support.board_world import ADMIN_TOKEN, BoardWorld, make_app

from bulletin_board.log_format.checkpoint import verify_checkpoint
from bulletin_board.log_format.client_checks import check_entry_included
from bulletin_board.log_format.note import NoteVerifier


@pytest.fixture(scope="module")
def open_world(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("board"))
    world = BoardWorld(app.test_client(), voters=6)
    world.keygen()
    world.open()
    return world


def verify_receipt(world, receipt):
    board = receipt["board"]
    verifier = NoteVerifier(board["key_name"], bytes.fromhex(board["public_key"]))
    verify_checkpoint(receipt["checkpoint"], [verifier])
    proof = receipt["inclusion_proof"]
    check_entry_included(
        receipt["checkpoint"], [verifier], f"{board['origin']}/elections/{world.election_id}", receipt["seq"],
        bytes.fromhex(receipt["entry_hash"]), [bytes.fromhex(h) for h in proof["hashes"]],
    )  # fmt: skip


def test_whole_election_over_http(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=3, k=2, voters=4)
    world.keygen()
    world.open()
    c = world.credentials
    receipts = [
        world.cast(c[0], {"mayor": ["alice"], "council": ["dan", "eve"]})["receipt"],
        world.cast(c[1], {"mayor": ["bob"]})["receipt"],
        world.cast(c[2], {"mayor": ["alice"]})["receipt"],
        world.cast(c[2], {"mayor": ["bob"], "council": ["fay"]})["receipt"],  # revote
        world.cast(c[3], {"mayor": ["alice"]}, action="challenge", reveal=True)["receipt"],
        world.cast(c[3], {"mayor": ["bob"]}, action="challenge")["receipt"],
    ]
    for receipt in receipts:
        verify_receipt(world, receipt)
    statuses = [world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/ballots/{r['confirmation_code']}"), 200)["status"] for r in receipts]
    assert statuses == ["cast", "cast", "superseded", "cast", "challenged", "challenged"]
    context = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/context"), 200)
    assert context["phase"] == "open" and context["counts"] == {"cast": 4, "challenged": 2, "credentials": 4}
    world.close_and_tally()
    result = world.decrypt(available={2, 3})
    assert {o: v.value for o, v in result.contests["mayor"].items()} == {"alice": 1, "bob": 2}
    assert {o: v.value for o, v in result.contests["council"].items()} == {"dan": 1, "eve": 1, "fay": 1}
    assert world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/context"), 200)["phase"] == "tallied"


def test_resubmission_returns_the_same_receipt(open_world):
    payload, _ = open_world.submission(open_world.credentials[0], {"mayor": ["bob"]})
    url = f"/api/v1/elections/{open_world.election_id}/ballots"
    first = open_world.expect(open_world.client.post(url, json=payload), 201)
    size = open_world.size()
    again = open_world.expect(open_world.client.post(url, json=payload), 200)
    assert again == first and open_world.size() == size


def refused(world, body, status, code, *, raw=None, content_type="application/json", url=None):
    size = world.size()
    url = url or f"/api/v1/elections/{world.election_id}/ballots"
    if raw is not None:
        response = world.client.post(url, data=raw, content_type=content_type)
    else:
        response = world.client.post(url, json=body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code, error
    assert world.size() == size  # the log is unchanged
    return error


def fresh(world, credential_index=1, choices=None):
    payload, _ = world.submission(world.credentials[credential_index], choices or {"mayor": ["alice"]})
    return payload


def test_malformed_json_and_sizes(open_world):
    refused(open_world, None, 400, "malformed_json", raw=b'{"action": "cast",')
    refused(open_world, None, 415, "unsupported_media_type", raw=b"action=cast", content_type="application/x-www-form-urlencoded")
    refused(open_world, None, 413, "payload_too_large", raw=b'{"a":"' + b"A" * (2 * 1024 * 1024) + b'"}')
    refused(open_world, None, 400, "malformed_json", raw=b'{"action": 1.5}')


@pytest.mark.parametrize(
    "mutate, status, code, field",
    [
        (lambda p: p["ballot"]["contests"][0]["selections"][0].update(alpha=int("9" * 3000)), 400, "malformed_json", "body"),
        (lambda p: p["ballot"]["contests"][0]["selections"][0].update(alpha=True), 400, "invalid_payload", "ballot.contests[0].selections[0].alpha"),
        (lambda p: p["ballot"]["contests"][0]["selections"][0].update(beta=p["ballot"]["contests"][0]["selections"][0]["beta"].lower()), 400, "invalid_payload", "ballot.contests[0].selections[0].beta"),
        (lambda p: p["ballot"]["contests"][0]["selections"][0].update(beta="00" + p["ballot"]["contests"][0]["selections"][0]["beta"]), 400, "invalid_payload", "ballot.contests[0].selections[0].beta"),
        (lambda p: p["ballot"]["contests"][0]["selections"][0]["proof"]["c"].__setitem__(0, "00" * 32), 422, "invalid_ballot", "ballot.contests[0].selections[0].proof"),
        (lambda p: p.update(signature="00" * 64), 400, "invalid_payload", "signature"),
        (lambda p: p.update(action="spoil"), 400, "invalid_payload", "action"),
        (lambda p: p.update(credential="AB" * 32), 400, "invalid_payload", "signature"),
        (lambda p: p["ballot"].update(style="nowhere"), 422, "invalid_ballot", "ballot.style"),
    ],
)
def test_bad_ballots_each_named(open_world, mutate, status, code, field):
    payload = fresh(open_world)
    mutate(payload)
    error = refused(open_world, payload, status, code)
    assert error["field"] == field


def test_unknown_and_revoked_credentials(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=1, k=1, voters=3)
    world.keygen()
    from voting.credentials import derive_voter_key

    keys = sorted(derive_voter_key(c, world.election_id).public_key_hex for c in world.credentials[:2])
    world.admin_entry("credentials.published", {"credentials": keys})
    revoked = derive_voter_key(world.credentials[1], world.election_id).public_key_hex
    world.admin_entry("credentials.revoked", {"credentials": [revoked]})
    payload = fresh(world, 0)
    refused(world, payload, 409, "election_not_open")  # before opening
    world.admin_entry("election.opened", {})
    refused(world, fresh(world, 2), 403, "unknown_credential")
    refused(world, fresh(world, 1), 403, "revoked_credential")
    world.admin_entry("credentials.published", {"credentials": [derive_voter_key(world.credentials[2], world.election_id).public_key_hex]}, status=409)
    world.cast(world.credentials[0], {"mayor": ["bob"]})
    world.admin_entry("election.closed", {})
    refused(world, fresh(world, 0, {"mayor": ["alice"]}), 409, "election_not_open")  # after closing


def test_ballot_copying_is_refused(open_world):
    victim, _ = open_world.submission(open_world.credentials[2], {"mayor": ["alice"], "council": ["eve"]})
    open_world.expect(open_world.client.post(f"/api/v1/elections/{open_world.election_id}/ballots", json=victim), 201)
    # another voter copies the whole ballot and signs it with their own credential
    from voting.credentials import contest_data_digest, derive_voter_key
    from voting.encoding import parse_digest

    thief = derive_voter_key(open_world.credentials[3], open_world.election_id)
    copied = copy.deepcopy(victim)
    copied["credential"] = thief.public_key_hex
    H_E = open_world.state().context.H_E
    copied["signature"] = thief.sign_ballot(open_world.election_id, H_E, "cast", parse_digest(victim["ballot"]["confirmation_code"], "c"),
                                            contest_data_digest(victim["ballot"]))
    refused(open_world, copied, 409, "duplicate_ballot")
    # ... or only one contest of it, in a ballot of their own (the confirmation code is then new)
    own, _ = open_world.submission(open_world.credentials[3], {"mayor": ["bob"], "council": ["dan"]})
    own["ballot"]["contests"][0] = victim["ballot"]["contests"][0]
    code = parse_digest(own["ballot"]["confirmation_code"], "c")
    refused(open_world, own, 400, "invalid_payload")  # the copied contest data is not what the thief signed
    own["signature"] = thief.sign_ballot(open_world.election_id, H_E, "cast", code, contest_data_digest(own["ballot"]))
    refused(open_world, own, 422, "invalid_ballot")  # 7.B: the code no longer matches; a recomputed one hits the α index


def test_copied_contest_with_recomputed_code_hits_the_ciphertext_index(open_world):
    from voting.confirmation import confirmation_code
    from voting.credentials import contest_data_digest, derive_voter_key
    from voting.encoding import parse_digest

    state = open_world.state()
    victim, _ = open_world.submission(open_world.credentials[4], {"mayor": ["bob"]})
    open_world.expect(open_world.client.post(f"/api/v1/elections/{open_world.election_id}/ballots", json=victim), 201)
    thief = derive_voter_key(open_world.credentials[5], open_world.election_id)
    own, _ = open_world.submission(open_world.credentials[5], {"mayor": ["alice"], "council": ["dan"]})
    own["ballot"]["contests"][0] = victim["ballot"]["contests"][0]
    hashes = [parse_digest(c["contest_hash"], "x") for c in own["ballot"]["contests"]]
    code = confirmation_code(state.context, hashes, b"")
    own["ballot"]["confirmation_code"] = code.hex().upper()
    own["signature"] = thief.sign_ballot(open_world.election_id, state.context.H_E, "cast", code, contest_data_digest(own["ballot"]))
    refused(open_world, own, 409, "duplicate_ciphertext")


def test_wrong_election_and_admin_token(open_world):
    payload = fresh(open_world)
    refused(open_world, payload, 404, "unknown_election", url="/api/v1/elections/no-such-election/ballots")
    refused(open_world, payload, 400, "invalid_input", url="/api/v1/elections/bad%20id/ballots")
    response = open_world.client.post(f"/api/v1/admin/elections/{open_world.election_id}/entries", json={"kind": "election.closed", "payload": {}})
    assert response.status_code == 401
    response = open_world.client.post(
        f"/api/v1/admin/elections/{open_world.election_id}/entries",
        json={"kind": "election.closed", "payload": {}},
        headers={"Authorization": "Bearer wrong-token-0123456789"},
    )
    assert response.status_code == 401 and ADMIN_TOKEN not in response.get_data(as_text=True)


def test_first_ballot_rule_refuses_a_second_cast(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=1, k=1, voters=1, revote_rule="first")
    world.keygen()
    world.open()
    world.cast(world.credentials[0], {"mayor": ["alice"]})
    refused(world, fresh(world, 0, {"mayor": ["bob"]}), 409, "already_voted")
    world.cast(world.credentials[0], {"mayor": ["bob"]}, action="challenge", reveal=True)  # challenges stay allowed


def test_tally_must_be_the_product_of_counted_ballots(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=1, k=1, voters=2)
    world.keygen()
    world.open()
    world.cast(world.credentials[0], {"mayor": ["alice"]})
    world.cast(world.credentials[1], {"mayor": ["bob"]})
    world.admin_entry("election.closed", {})
    state = world.state()
    entries = [e for e in world.entries() if e["kind"] == "ballot.cast"]
    from voting.record import admin
    from voting.record.counting import count, header_of
    from voting.record.submission import parse_submission

    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in entries[:1]], "last")  # leaves a ballot out
    parsed = [(e["seq"], parse_submission(e["payload"], world.definition.manifest)) for e in entries[:1]]
    payload = admin.encrypted_tally(state, counting, iter(parsed), [])
    size = world.size()
    world.admin_entry("tally.encrypted", payload, status=409)
    assert world.size() == size


def test_garbled_share_is_named_over_http(tmp_path):
    from trustee_tools import steps
    from voting.record import admin

    world = BoardWorld(make_app(tmp_path).test_client(), n=3, k=2, voters=1)
    state = world.state()
    for t in world.trustees:
        steps.join(t, state)
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state()))
    for t in world.trustees:
        outgoing = steps.shares(t, world.state())
        if t.guardian == 2:
            outgoing.body["shares"][-1]["c1"] = "00" * 32  # the share for trustee 3 does not open
        world.trustee_post(t, outgoing)
    for t in world.trustees:
        world.trustee_post(t, steps.check_shares(t, world.state()))
    assert world.state().checked[3] == [2]  # trustee 3's complaint is on the board
    for t in world.trustees:
        for outgoing in steps.reveals(t, world.state()):
            world.trustee_post(t, outgoing)  # trustee 2 answers in public
    result = admin.keygen_result(world.state())
    assert result == {"status": "failed", "faulty": [{"guardian": 2, "reason": "the MAC C2 does not verify"}]}
    world.admin_entry("keygen.result", result)
    context = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/context"), 200)
    assert context["phase"] == "keygen_failed" and context["K"] is None


def test_wrong_partial_decryption_is_named_and_the_others_finish_over_http(tmp_path):
    from trustee_tools import steps
    from voting.record import admin

    world = BoardWorld(make_app(tmp_path).test_client(), n=4, k=2, voters=2)
    world.keygen()
    world.open()
    world.cast(world.credentials[0], {"mayor": ["alice"]})
    world.cast(world.credentials[1], {"mayor": ["bob"], "council": ["eve"]})
    world.close_and_tally()
    for t in world.trustees[:3]:
        outgoing = steps.decryption_share(t, world.state())
        if t.guardian == 3:
            outgoing.body["items"][0]["M"] = outgoing.body["items"][1]["M"]  # a wrong M_3 for the first tally entry
        world.trustee_post(t, outgoing)
    world.admin_entry("decryption.challenge", admin.decryption_challenge(world.state()))
    for t in world.trustees[:3]:
        world.trustee_post(t, steps.decryption_response(t, world.state()))
    faulty = admin.faulty_responses(world.state())
    assert [i for i, _ in faulty] == [3] and "eq. 75" in faulty[0][1]
    world.admin_entry("decryption.failed", admin.decryption_failed(world.state(), faulty))
    for t in world.trustees[:2]:
        world.trustee_post(t, steps.decryption_share(t, world.state()))
    world.admin_entry("decryption.challenge", admin.decryption_challenge(world.state()))
    for t in world.trustees[:2]:
        world.trustee_post(t, steps.decryption_response(t, world.state()))
    world.admin_entry("tally.result", admin.tally_result(world.state()))
    result = world.state().result
    assert {o: v.value for o, v in result.contests["mayor"].items()} == {"alice": 1, "bob": 1}
    assert world.state().excluded == {3: faulty[0][1]}
