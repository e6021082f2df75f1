"""Trust anchors (record-format §10; bulletin_board/log_format/trust_anchors.py): the file format, the board
building, signing and publishing them as ``anchors.published``, and the rule both tables apply to them."""

from __future__ import annotations

import pytest
from nacl.signing import SigningKey
from support.board_world import BoardWorld, make_app

from bulletin_board.log_format.cosignature import Cosigner
from bulletin_board.log_format.errors import InvalidInput, UnknownKey, VerificationError
from bulletin_board.log_format.note import NoteSigner, parse_note
from bulletin_board.log_format.trust_anchors import TrustAnchors, open_anchors, parse_anchors
from bulletin_board.log_format.witness_policy import WitnessPolicy

BOOTH = "ab" * 32
WITNESSES = [Cosigner(f"witness-{i}.example", SigningKey.generate()) for i in range(3)]


def request(quorum=2):
    return {"witnesses": [w.key.to_string() for w in WITNESSES], "witness_quorum": quorum, "booth_sha256": BOOTH}


@pytest.fixture
def world(tmp_path):
    return BoardWorld(make_app(tmp_path).test_client(), voters=2)


def publish(world, body, status=201):
    response = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/anchors", body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_the_board_publishes_anchors_that_name_its_key_the_trustees_and_the_policy(world):
    context = f"/api/v1/elections/{world.election_id}/context"
    assert world.client.get(context).get_json()["anchors"] is None
    assert world.client.get(f"/api/v1/elections/{world.election_id}/anchors").status_code == 404
    answer = publish(world, request())
    assert world.client.get(context).get_json()["anchors"] == answer["fingerprint"]
    served = world.client.get(f"/api/v1/elections/{world.election_id}/anchors")
    assert served.status_code == 200 and served.mimetype == "text/plain" and served.get_data(as_text=True) == answer["anchors"]
    anchors, signers = open_anchors(answer["anchors"], expected_fingerprint=answer["fingerprint"])
    board_key = world.client.get("/api/v1/board").get_json()["verifier_key"]
    assert [k.to_string() for k in anchors.board_keys] == [board_key] and [s.to_string() for s in signers] == [board_key]
    assert anchors.origin.endswith(f"/elections/{world.election_id}")
    assert anchors.trustees == tuple((i + 1, t.identity_public_key.lower()) for i, t in enumerate(world.trustees))
    assert anchors.policy == WitnessPolicy(tuple(w.key for w in WITNESSES), 2) and anchors.booth_sha256 == BOOTH
    assert world.entries()[-1]["kind"] == "anchors.published"


def test_anchors_the_board_did_not_sign_are_refused_and_nothing_is_appended(world):
    published = publish(world, request())["anchors"]
    anchors = parse_anchors(parse_note(published).text)
    size = world.size()
    other = NoteSigner("board.test", SigningKey.generate())  # same name, another key: an impostor
    forged = TrustAnchors(anchors.origin, (other.verifier,), anchors.trustees, anchors.policy, BOOTH).sign(other)
    response = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/entries",
                                {"kind": "anchors.published", "payload": {"anchors": forged}})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "payload.anchors"
    assert world.size() == size


@pytest.mark.parametrize(("body", "field"), [
    ({**request(), "witness_quorum": 4}, "witness_quorum"),
    ({**request(), "witnesses": ["not a key"]}, "witness"),
    ({**request(), "booth_sha256": "AB" * 32}, "booth_sha256"),
    ({**request(), "extra": 1}, None),
])  # fmt: skip
def test_a_bad_anchors_request_names_the_field_and_appends_nothing(world, body, field):
    size = world.size()
    error = publish(world, body, status=400)["error"]
    assert field is None or error["field"] == field
    assert world.size() == size


def test_the_rule_wants_the_trustees_of_the_election_in_both_tables(world):
    """The board's engine and the verifier's own table (each its own code) refuse anchors naming another
    trustee key; tests/verifier/test_rules_agree.py replays the rest through both."""
    from voting.record.lifecycle import RuleViolation
    from voting.verifier.rules.state import EntryFacts, Observed, RuleBroken
    from voting.verifier.rules.table import apply_rule

    anchors = parse_anchors(parse_note(publish(world, request())["anchors"]).text)
    wrong = TrustAnchors(anchors.origin, anchors.board_keys, ((1, "cd" * 32),) + anchors.trustees[1:], anchors.policy, BOOTH)
    payload = {"anchors": wrong.text() + "\n\u2014 board.test AAAAAAAA\n"}  # the rule does not look at signatures
    with pytest.raises(RuleViolation):
        world.state().apply("anchors.published", payload)
    seen, facts = Observed(), EntryFacts(b"\0" * 32, lambda seq: None)
    for entry in world.entries():
        apply_rule(seen, entry["kind"], entry["payload"], facts)
    with pytest.raises(RuleBroken):
        apply_rule(seen, "anchors.published", payload, facts)


def test_the_anchors_file_refuses_what_it_cannot_stand_behind():
    board = NoteSigner("board.test", SigningKey.generate())
    anchors = TrustAnchors("board.test/elections/e", (board.verifier,), ((1, "ab" * 32),),
                           WitnessPolicy(tuple(w.key for w in WITNESSES), 2), BOOTH)
    note = anchors.sign(board)
    assert parse_anchors(anchors.text()) == anchors
    with pytest.raises(VerificationError):
        open_anchors(note, expected_fingerprint="sha256:" + "00" * 32)
    with pytest.raises(UnknownKey):  # signed by a key the anchors do not name
        open_anchors(anchors.text() + "\n" + NoteSigner("board.test", SigningKey.generate()).signature_line(anchors.text()))
    for bad in (anchors.text().replace("witness-quorum 2", "witness-quorum 9"),
                anchors.text().replace("booth sha256:", "booth md5:"),
                anchors.text() + "origin other\n",
                anchors.text().replace("evote trust anchors v1", "evote trust anchors v2")):
        with pytest.raises(InvalidInput):
            parse_anchors(bad)
