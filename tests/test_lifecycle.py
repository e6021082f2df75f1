"""A whole election through the record's rules, in one process: trustees' steps, voters' submissions and
the administrator's computations, every entry applied to :class:`ElectionState` as the board does."""

from __future__ import annotations

import hashlib

import pytest
import rfc8785

from trustee_tools import steps
from trustee_tools.state import TrusteeState
from voting.ballot import make_ballot
from voting.credentials import derive_voter_key, new_credential
from voting.encrypt import encrypt_ballot
from voting.errors import DecryptionError, InvalidBallot
from voting.record import admin
from voting.record.common import RecordError
from voting.record.counting import count, header_of
from voting.record.election import define_election
from voting.record.lifecycle import ElectionState, RuleViolation
from voting.record.messages import sign_message
from voting.record.submission import build_submission, check_submission, parse_submission

MANIFEST = {
    "label": "Lifecycle test",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "votes_allowed": 1, "options": [{"label": "alice"}, {"label": "bob"}]},
        {"label": "council", "votes_allowed": 2, "options": [{"label": "dan"}, {"label": "eve"}, {"label": "fay"}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "council"]}],
}


class World:
    """The board's view (entries + rules), the trustees and the voters of one election."""

    def __init__(self, n=3, k=2, revote_rule="last"):
        self.trustees = [TrusteeState.new(f"Trustee {i}") for i in range(1, n + 1)]
        roster = [{"index": i + 1, "name": t.name, "identity_key": t.identity_public_key} for i, t in enumerate(self.trustees)]
        self.definition = define_election("lifecycle-1", MANIFEST, roster, k, revote_rule)
        self.state = ElectionState()
        self.entries: list[tuple[int, str, dict, bytes]] = []
        self.post("election.created", self.definition.to_payload())
        for trustee in self.trustees:
            steps.join(trustee, self.state)

    def post(self, kind, payload, **extra):
        entry_hash = hashlib.sha256(kind.encode() + rfc8785.dumps(payload) + len(self.entries).to_bytes(8, "big")).digest()
        self.state.apply(kind, payload, entry_hash=entry_hash, **extra)
        self.entries.append((len(self.entries), kind, payload, entry_hash))
        return entry_hash

    def trustee_post(self, trustee, outgoing):
        payload = sign_message(trustee.identity, self.definition.election_id, outgoing.kind, trustee.guardian, outgoing.body)
        return self.post(outgoing.kind, payload)

    def run_keygen(self, cheat_share_to=None):
        for t in self.trustees:
            self.trustee_post(t, steps.commitments(t, self.state))
        for t in self.trustees:
            out = steps.shares(t, self.state)
            if cheat_share_to and t.guardian == cheat_share_to[0]:
                target = next(s for s in out.body["shares"] if s["recipient"] == cheat_share_to[1])
                target["c1"] = bytes(32).hex().upper()  # garbage share: fails the MAC
            self.trustee_post(t, out)
        for t in self.trustees:
            self.trustee_post(t, steps.check_shares(t, self.state))
        for t in self.trustees:
            for out in steps.reveals(t, self.state):
                self.trustee_post(t, out)
        self.post("keygen.result", admin.keygen_result(self.state))

    def confirm_all(self):
        for t in self.trustees:
            self.trustee_post(t, steps.confirm(t, self.state))

    def open_with(self, voters=4):
        self.credentials = [new_credential() for _ in range(voters)]
        keys = sorted(derive_voter_key(c, "lifecycle-1").public_key_hex for c in self.credentials)
        self.post("credentials.published", {"credentials": keys})
        self.post("election.opened", {})

    def vote(self, credential, choices, action="cast", reveal=False):
        context = self.state.context
        result = encrypt_ballot(context, make_ballot(self.definition.manifest, "all", choices))
        voter = derive_voter_key(credential, "lifecycle-1")
        payload = build_submission(
            result.ballot, voter, "lifecycle-1", context.H_E, action,
            reveal_nonce=result.ballot_nonce if reveal else None, reveal_choices=choices if reveal else None,
        )  # fmt: skip
        submission = parse_submission(payload, self.definition.manifest)
        check_submission(submission, "lifecycle-1", self.definition.manifest, context)
        assert submission.credential in self.state.eligible_credentials
        self.post(submission.kind, payload)
        return submission

    def close_and_tally(self):
        self.post("election.closed", {})
        ballot_entries = [(seq, kind, payload) for seq, kind, payload, _ in self.entries if kind.startswith("ballot.")]
        counting = count([header_of(seq, kind, payload) for seq, kind, payload in ballot_entries], self.definition.revote_rule)
        parsed = {seq: parse_submission(payload, self.definition.manifest) for seq, _, payload in ballot_entries}
        challenged = [parsed[h.seq].ballot for h in counting.unrevealed_challenges]
        payload = admin.encrypted_tally(self.state, counting, iter(sorted(parsed.items())), challenged)
        self.post("tally.encrypted", payload, challenged_ballots=challenged)
        return counting

    def decrypt(self, available, misbehave=None):
        for t in self.trustees:
            if t.guardian in available:
                self.trustee_post(t, steps.decryption_share(t, self.state))
        self.post("decryption.challenge", admin.decryption_challenge(self.state))
        for t in self.trustees:
            if t.guardian in available:
                out = steps.decryption_response(t, self.state)
                if misbehave == t.guardian:
                    out.body["responses"][0] = "00" * 32
                self.trustee_post(t, out)


def test_whole_election_with_revote_challenge_and_absent_trustee():
    world = World(n=3, k=2)
    world.run_keygen()
    world.confirm_all()
    world.open_with(voters=4)
    c = world.credentials
    world.vote(c[0], {"mayor": ["alice"], "council": ["dan", "eve"]})
    world.vote(c[1], {"mayor": ["bob"], "council": ["fay"]})
    world.vote(c[2], {"mayor": ["alice"]})
    world.vote(c[2], {"mayor": ["bob"], "council": ["eve"]})  # revote: the last one counts
    world.vote(c[3], {"mayor": ["alice"], "council": ["dan"]}, action="challenge", reveal=True)
    world.vote(c[3], {"mayor": ["bob"], "council": ["dan"]}, action="challenge")  # the trustees decrypt this one
    counting = world.close_and_tally()
    assert len(counting.counted) == 3 and len(counting.superseded) == 1 and len(counting.unrevealed_challenges) == 1
    world.decrypt(available={1, 3})  # trustee 2 is absent
    world.post("tally.result", admin.tally_result(world.state))
    result = world.state.result
    assert {o: v.value for o, v in result.contests["mayor"].items()} == {"alice": 1, "bob": 2}
    assert {o: v.value for o, v in result.contests["council"].items()} == {"dan": 1, "eve": 2, "fay": 1}
    (challenged,) = result.challenged
    assert {o: v.value for o, v in challenged.selections["mayor"].items()} == {"alice": 0, "bob": 1}
    assert challenged.contest_data["council"].status == 1  # undervote recorded in the contest data


def test_garbled_share_ciphertext_is_named_after_public_adjudication():
    world = World(n=3, k=2)
    world.run_keygen(cheat_share_to=(2, 3))
    assert world.state.checked[3] == [2]
    assert (2, 3) in world.state.revealed  # trustee 2 answered the complaint in public
    result = world.state.keygen_result
    assert not result.complete and result.faulty == ((2, "the MAC C2 does not verify"),)


def test_false_complaint_is_dismissed():
    world = World(n=3, k=2)
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state))
    for t in world.trustees:
        world.trustee_post(t, steps.shares(t, world.state))
    for t in world.trustees:
        out = steps.check_shares(t, world.state)
        if t.guardian == 3:
            out.body["complaints"] = [2]  # trustee 3 complains although the share was good
        world.trustee_post(t, out)
    for t in world.trustees:
        for out in steps.reveals(t, world.state):
            world.trustee_post(t, out)
    world.post("keygen.result", admin.keygen_result(world.state))
    assert world.state.keygen_result.complete
    world.confirm_all()  # trustee 3 takes the revealed, publicly checked share


def test_trustee_who_encrypts_a_wrong_share_is_named():
    world = World(n=3, k=2)
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state))
    for t in world.trustees:
        if t.guardian == 1:
            t.coefficients[1] = t.coefficients[0]  # trustee 1 now shares from a polynomial it did not commit to
        world.trustee_post(t, steps.shares(t, world.state))
    for t in world.trustees:
        world.trustee_post(t, steps.check_shares(t, world.state))
    for t in world.trustees:
        for out in steps.reveals(t, world.state):
            world.trustee_post(t, out)
    world.post("keygen.result", admin.keygen_result(world.state))
    result = world.state.keygen_result
    assert not result.complete and [i for i, _ in result.faulty] == [1]
    with pytest.raises(steps.Refusal, match="trustee 1"):
        steps.confirm(world.trustees[1], world.state)


def test_misbehaving_decryption_trustee_named_and_others_complete():
    world = World(n=4, k=2)
    world.run_keygen()
    world.confirm_all()
    world.open_with(voters=2)
    world.vote(world.credentials[0], {"mayor": ["bob"]})
    world.close_and_tally()
    world.decrypt(available={1, 2, 3}, misbehave=2)
    faulty = admin.faulty_responses(world.state)
    assert [i for i, _ in faulty] == [2]
    with pytest.raises(RuleViolation):
        world.post("tally.result", admin.tally_result(world.state))
    with pytest.raises(RuleViolation, match="answered correctly"):
        world.post("decryption.failed", {"round": 1, "faulty": [{"guardian": 1, "reason": "false accusation"}]})
    world.post("decryption.failed", admin.decryption_failed(world.state, faulty))
    with pytest.raises(steps.Refusal, match="excluded"):
        steps.decryption_share(world.trustees[1], world.state)
    world.decrypt(available={1, 3})
    world.post("tally.result", admin.tally_result(world.state))
    assert world.state.result.contests["mayor"]["bob"].value == 1


def test_fewer_than_k_trustees_clear_refusal():
    world = World(n=3, k=3)
    world.run_keygen()
    world.confirm_all()
    world.open_with(voters=1)
    world.close_and_tally()
    world.trustee_post(world.trustees[0], steps.decryption_share(world.trustees[0], world.state))
    world.trustee_post(world.trustees[1], steps.decryption_share(world.trustees[1], world.state))
    with pytest.raises(RuleViolation, match="quorum is k = 3"):
        world.post("decryption.challenge", {"round": 1, "guardians": [1, 2], "items": []})
    with pytest.raises(DecryptionError, match="quorum is k = 3"):
        admin.decryption_challenge(world.state)


def test_rules_refuse_out_of_order_and_forged_messages():
    world = World(n=2, k=2)
    t1, t2 = world.trustees
    with pytest.raises(steps.Waiting):
        steps.shares(t1, world.state)
    out = steps.commitments(t1, world.state)
    forged = sign_message(t2.identity, "lifecycle-1", out.kind, 1, out.body)  # signed by the wrong trustee
    with pytest.raises(RecordError, match="signature"):
        world.post(out.kind, forged)
    world.trustee_post(t1, out)
    with pytest.raises(RuleViolation, match="already"):
        world.trustee_post(t1, steps.commitments(t1, world.state))
    with pytest.raises(RuleViolation, match="not allowed in phase"):
        world.post("election.opened", {})
    with pytest.raises(RuleViolation, match="ballot.cast is not allowed"):
        world.post("ballot.cast", {})


def test_result_must_match_what_anyone_recomputes():
    world = World(n=2, k=1)
    for t in world.trustees:
        world.trustee_post(t, steps.commitments(t, world.state))
    for t in world.trustees:
        world.trustee_post(t, steps.shares(t, world.state))
    for t in world.trustees:
        world.trustee_post(t, steps.check_shares(t, world.state))
    payload = admin.keygen_result(world.state)
    payload["H_E"] = "00" * 32
    with pytest.raises(RuleViolation, match="recomputed"):
        world.post("keygen.result", payload)


def test_challenged_ballot_reveal_must_match():
    world = World(n=1, k=1)
    world.run_keygen()
    world.confirm_all()
    world.open_with(voters=1)
    context = world.state.context
    result = encrypt_ballot(context, make_ballot(world.definition.manifest, "all", {"mayor": ["alice"]}))
    voter = derive_voter_key(world.credentials[0], "lifecycle-1")
    payload = build_submission(
        result.ballot,
        voter,
        "lifecycle-1",
        context.H_E,
        "challenge",
        reveal_nonce=result.ballot_nonce,
        reveal_choices={"mayor": ["bob"]},
    )
    with pytest.raises(InvalidBallot, match="reveal"):
        check_submission(parse_submission(payload, world.definition.manifest), "lifecycle-1", world.definition.manifest, context)
    payload = build_submission(result.ballot, voter, "lifecycle-1", context.H_E, "cast")
    payload["signature"] = build_submission(result.ballot, voter, "lifecycle-1", context.H_E, "challenge")["signature"]
    with pytest.raises(RecordError, match="signature"):
        check_submission(parse_submission(payload, world.definition.manifest), "lifecycle-1", world.definition.manifest, context)
