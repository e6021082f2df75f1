"""Trustee misbehaviour in each step of the key ceremony and the decryption (docs/threat-model.md
"Trustees"), over the board's HTTP API: every message is signed by a real trustee key and the board applies
:class:`voting.record.lifecycle.ElectionState`. Complaints and wrong responses of the honest-path kind are in
tests/test_lifecycle.py, tests/test_key_ceremony.py and tests/test_board_elections.py; this file adds lying
answers to a complaint, answers nobody asked for, confirmations of another key, shares computed for another
tally, impersonation, steps out of order and a pool of k - 1 trustees.
"""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace

import pytest
from support.board_world import BoardWorld, make_app

from attacks.attack_support import admin_refused, open_world, trustee_refused
from trustee_tools import ceremony, steps
from voting.decryption import lagrange_coefficient
from voting.elgamal import discrete_log
from voting.encoding import hex_bytes, hex_p, hex_q
from voting.errors import DecryptionError
from voting.group import STANDARD, ElementModQ
from voting.key_ceremony import joint_public_key
from voting.record import admin
from voting.record.counting import count, header_of
from voting.record.lifecycle import RuleViolation
from voting.record.messages import sign_message
from voting.record.submission import parse_submission


def signed(world, trustee, kind, body):
    return sign_message(trustee.identity, world.election_id, kind, trustee.guardian, body)


def ceremony_until_checks(world, garbled=None):
    """Commitments and shares; ``garbled`` = (sender, recipient): that share's ciphertext is zeroed."""
    for t in world.trustees:
        steps.join(t, world.state())
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state()))
    for t in world.trustees:
        out = steps.shares(t, world.state())
        if garbled and t.guardian == garbled[0]:
            next(s for s in out.body["shares"] if s["recipient"] == garbled[1])["c1"] = "00" * 32
        world.trustee_post(t, out)


@pytest.mark.parametrize("lie", ["true nonce, garbage was sent", "another nonce", "another share value"])
def test_lying_answer_to_a_complaint_names_the_trustee_and_a_cover_up_is_refused(tmp_path, lie):
    world = BoardWorld(make_app(tmp_path).test_client(), n=3, k=2, voters=1)
    ceremony_until_checks(world, garbled=(1, 2) if lie == "true nonce, garbage was sent" else None)
    for t in world.trustees:
        out = steps.check_shares(t, world.state())
        if t.guardian == 2:
            out.body["complaints"] = [1]  # a true complaint in the first case, a false one in the others
        world.trustee_post(t, out)
    t1 = world.trustees[0]
    (answer,) = steps.reveals(t1, world.state())
    if lie == "another nonce":
        answer.body["nonce"] = hex_q(STANDARD.random_scalar())
    elif lie == "another share value":
        answer.body["share"] = hex_q(STANDARD.random_scalar())
    world.trustee_post(t1, answer)  # the board records the answer; its adjudication is public
    state = world.state()
    result = admin.keygen_result(state)
    assert result["status"] == "failed" and [f["guardian"] for f in result["faulty"]] == [1], result
    K = joint_public_key(state.commitments[i].public_key for i in (1, 2, 3))
    cover_up = {"status": "complete", "K": hex_p(K), "H_E": hex_bytes(world.definition.parameters.context(K).H_E)}
    error = admin_refused(world, "keygen.result", cover_up)
    assert "recomputed" in error["message"]
    world.admin_entry("keygen.result", result)


def test_unsolicited_reveal_and_checks_out_of_order_are_refused(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=3, k=2, voters=1)
    for t in world.trustees:
        steps.join(t, world.state())
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state()))
    t1, t2, t3 = world.trustees
    early = trustee_refused(world, "keygen.checked", signed(world, t1, "keygen.checked", {"guardian": 1, "complaints": []}))
    assert "every trustee sent its shares" in early["message"]
    for t in world.trustees:
        world.trustee_post(t, steps.shares(t, world.state()))
    for t in world.trustees:
        world.trustee_post(t, steps.check_shares(t, world.state()))
    body = {"guardian": 3, "recipient": 2, "share": hex_q(ElementModQ.reduce(5)), "nonce": hex_q(ElementModQ.reduce(7))}
    error = trustee_refused(world, "keygen.share_revealed", signed(world, t3, "keygen.share_revealed", body))
    assert "no complaint" in error["message"]


def test_confirmation_of_another_key_or_result_is_refused(tmp_path):
    world = BoardWorld(make_app(tmp_path).test_client(), n=2, k=2, voters=1)
    ceremony_until_checks(world)
    for t in world.trustees:
        world.trustee_post(t, steps.check_shares(t, world.state()))
    world.admin_entry("keygen.result", admin.keygen_result(world.state()))
    t1 = world.trustees[0]
    honest = steps.confirm(t1, world.state()).body
    for key, value in (("H_E", "AB" * 32), ("result_entry_hash", "CD" * 32)):
        body = dict(honest, **{key: value})
        error = trustee_refused(world, "keygen.confirmed", signed(world, t1, "keygen.confirmed", body))
        assert error["field"] == f"body.{key}", error
    world.trustee_post(t1, steps.Outgoing("keygen.confirmed", honest))


@pytest.fixture
def tallying(tmp_path):
    world = open_world(tmp_path, n=3, k=2, voters=2)
    world.cast(world.credentials[0], {"mayor": ["alice"], "council": ["dan"]})
    world.cast(world.credentials[1], {"mayor": ["alice"], "council": ["eve", "fay"]})
    world.close_and_tally()
    return world


@pytest.mark.parametrize("cheat", ["share computed over another tally", "trustee 1's share and responses copied"])
def test_share_for_another_tally_is_named_excluded_and_the_others_finish(tallying, cheat):
    world = tallying
    t1, t2, t3 = world.trustees
    world.trustee_post(t1, steps.decryption_share(t1, world.state()))
    if cheat == "share computed over another tally":
        elsewhere = world.state()
        elsewhere.items = [elsewhere.items[1], elsewhere.items[0], *elsewhere.items[2:]]  # another tally's items
        world.trustee_post(t2, steps.decryption_share(t2, elsewhere))  # well formed: accepted, checked at round 2
    else:
        copied = dict(steps.decryption_share(t1, world.state()).body, guardian=2)
        world.trustee_post(t2, steps.Outgoing("decryption.share", copied))
    world.admin_entry("decryption.challenge", admin.decryption_challenge(world.state()))
    world.trustee_post(t1, steps.decryption_response(t1, world.state()))
    if cheat == "share computed over another tally":
        world.trustee_post(t2, steps.decryption_response(t2, world.state()))
    else:
        world.trustee_post(
            t2, steps.Outgoing("decryption.response", dict(steps.decryption_response(t1, world.state()).body, guardian=2))
        )
    state = world.state()
    with pytest.raises(RuleViolation, match="trustee 2"):
        admin.tally_result(state)  # the computation the board repeats on tally.result
    framed = admin_refused(world, "decryption.failed", {"round": 1, "faulty": [{"guardian": 1, "reason": "framed"}]})
    assert "answered correctly" in framed["message"]
    assert [i for i, _ in admin.faulty_responses(state)] == [2]
    reason = admin.faulty_responses(state)[0][1]
    assert reason.count("check eq.") == 1, reason  # the check is named once, then the item ("check eq. 74: item 0: ...")
    world.admin_entry("decryption.failed", admin.decryption_failed(state, admin.faulty_responses(state)))
    with pytest.raises(steps.Refusal):
        steps.decryption_share(t2, world.state())  # the trustee tool knows; a forced share is refused by the board
    forced = sign_message(t2.identity, world.election_id, "decryption.share", 2, _share_body(world, t2))
    assert "excluded" in trustee_refused(world, "decryption.share", forced)["message"]
    result = world.decrypt(available={1, 3})
    assert {o: v.value for o, v in result.contests["mayor"].items()} == {"alice": 2, "bob": 0}


def _share_body(world, trustee) -> dict:
    """The share an excluded trustee computes by ignoring its exclusion."""
    state = world.state()
    state.excluded = {}
    return steps.decryption_share(trustee, state).body


def test_trustee_posting_as_another_is_refused(tallying):
    world = tallying
    t1, t2, _ = world.trustees
    body = steps.decryption_share(t1, world.state()).body  # trustee 1's share, as trustee 2 could compute its shape
    as_t1 = sign_message(t2.identity, world.election_id, "decryption.share", 1, body)  # signer 1, key of trustee 2
    assert trustee_refused(world, "decryption.share", as_t1)["field"] == "signature"
    own_signer = dict(as_t1, signer=2)  # signer 2 speaking for guardian 1
    assert trustee_refused(world, "decryption.share", own_signer)["field"] == "body.guardian"


def test_steps_out_of_order_in_the_decryption_are_refused(tallying):
    world = tallying
    t1, t2, t3 = world.trustees
    world.trustee_post(t1, steps.decryption_share(t1, world.state()))
    response = {"guardian": 1, "round": 1, "responses": [hex_q(ElementModQ.reduce(1))] * len(world.state().items)}
    assert (
        "no open challenge"
        in trustee_refused(world, "decryption.response", signed(world, t1, "decryption.response", response))["message"]
    )
    one_share = admin_refused(world, "decryption.challenge", {"round": 1, "guardians": [1], "items": []})
    assert "quorum is k = 2" in one_share["message"]  # k - 1 trustees cannot start a decryption
    world.trustee_post(t2, steps.decryption_share(t2, world.state()))
    world.admin_entry("decryption.challenge", admin.decryption_challenge(world.state()))
    late = steps.decryption_share(t3, world.state())
    assert "already posted" in trustee_refused(world, late.kind, signed(world, t3, late.kind, late.body))["message"]


def test_k_minus_one_key_shares_pooled_do_not_decrypt(tallying):
    """Outside the protocol: trustees 1 (k - 1 = 1 of them) interpolate alone; the result is no vote count."""
    world = tallying
    state = world.state()
    t1 = world.trustees[0]
    share = steps.my_key_share(t1, state)
    ct = state.items[0]  # the tally of mayor/alice: 2
    w = lagrange_coefficient(1, (1,), STANDARD)
    M = ct.alpha ** (share * w)
    T = ct.beta * M.inverse()
    with pytest.raises(DecryptionError):
        discrete_log(T, state.context.K, 10)
    assert T != state.context.K**2


@pytest.mark.parametrize("trick", ["the tally is one voter's ballot", "a cast ballot listed as challenged"])
def test_trustee_refuses_to_decrypt_a_tally_that_singles_out_a_ballot(tmp_path, trick):
    """Board operator and administrator together try to have honest trustees decrypt one voter's ballot: the
    honest board refuses the entry; an operator who appends it straight to its log is stopped by the trustee
    tool, which recomputes the tally from the ballots on the board before decrypting anything (§3.5)."""
    world = open_world(tmp_path, voters=3)
    c = world.credentials
    victim = world.cast(c[0], {"mayor": ["bob"], "council": ["eve"]})["receipt"]
    world.cast(c[1], {"mayor": ["alice"]})
    world.cast(c[2], {"mayor": ["alice"]}, action="challenge")
    world.admin_entry("election.closed", {})
    entries = world.entries()
    ballots = [e for e in entries if e["kind"].startswith("ballot.")]
    counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in ballots], "last")
    parsed = {e["seq"]: parse_submission(e["payload"], world.definition.manifest) for e in ballots}
    honest = admin.encrypted_tally(
        world.state(), counting, iter(sorted(parsed.items())), [parsed[h.seq].ballot for h in counting.unrevealed_challenges]
    )
    forged = copy.deepcopy(honest)
    if trick == "the tally is one voter's ballot":
        ballot = parsed[victim["seq"]].ballot
        for raw, contest in zip(forged["contests"], world.definition.manifest.contests):
            mine = next((x for x in ballot.contests if x.contest == contest.label), None)
            for option, selection in zip(raw["options"], mine.selections if mine else []):
                option.update(alpha=hex_p(selection.ciphertext.alpha), beta=hex_p(selection.ciphertext.beta))
    else:
        forged["challenged"].insert(0, {"seq": victim["seq"], "confirmation_code": victim["confirmation_code"]})
    assert admin_refused(world, "tally.encrypted", forged)["code"] == "tally_mismatch"

    log = world.client.application.extensions["evote_board"].log
    log.append(world.election_id, "tally.encrypted", forged)  # the operator writes to its own database
    state = world.state()
    assert state.phase == "tallying"  # the rules alone accept it: they replay control entries, not ballots
    downloaded = [SimpleNamespace(seq=e["seq"], kind=e["kind"], payload=json.dumps(e["payload"])) for e in world.entries()]
    with pytest.raises(steps.Refusal, match="not the product of the counted ballots"):
        ceremony.check_tally(None, state, downloaded)
