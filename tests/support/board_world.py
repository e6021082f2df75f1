"""Drive a real board application (Flask test client or HTTP) through an election: the administrator's
entries, the trustees' signed messages and the voters' ballots, exactly as the tools post them."""

from __future__ import annotations

import json
import time
from typing import Any

import rfc8785

from bulletin_board.admin_token import new_admin_token
from evote.app import create_app
from trustee_tools import steps
from trustee_tools.state import TrusteeState
from voting.ballot import make_ballot
from voting.credentials import derive_voter_key, new_credential
from voting.encrypt import encrypt_ballot
from voting.mixnet.generators import derive_generators
from voting.mixnet.prove import prove_shuffle
from voting.mixnet.shuffle import shuffle
from voting.record import admin, chunks, counted_rows, mixing
from voting.record.counting import count, header_of
from voting.record.election import define_election
from voting.record.lifecycle import ElectionState, replay
from voting.record.messages import sign_message
from voting.record.submission import build_submission, parse_submission

ADMIN_TOKEN = new_admin_token()  # the board accepts only generated tokens
MANIFEST = {
    "label": "Board test election",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "votes_allowed": 1, "options": [{"label": "alice"}, {"label": "bob"}]},
        {"label": "council", "votes_allowed": 2, "options": [{"label": "dan"}, {"label": "eve"}, {"label": "fay"}]},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "council"]}, {"label": "mayor-only", "contests": ["mayor"]}],
}


def make_app(tmp_path, **extra):
    config = {
        "EVOTE_DATABASE_URL": f"sqlite:///{tmp_path / 'board.sqlite3'}",
        "EVOTE_BOARD_KEY_FILE": str(tmp_path / "board.key"),
        "EVOTE_BOARD_ORIGIN": "board.test",
        "EVOTE_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    config.update(extra)
    return create_app(config)


class BoardWorld:
    """An election on a board application reached through the Flask test client."""

    def __init__(self, client, election_id="test-election", n=3, k=2, revote_rule="last", voters=4, manifest=MANIFEST):
        self.client = client
        self.election_id = election_id
        self.trustees = [TrusteeState.new(f"Trustee {i}") for i in range(1, n + 1)]
        roster = [{"index": i + 1, "name": t.name, "identity_key": t.identity_public_key} for i, t in enumerate(self.trustees)]
        self.definition = self._define(election_id, manifest, roster, k, revote_rule)
        self.credentials = [new_credential() for _ in range(voters)]
        self.expect(self.admin_post("/api/v1/admin/elections", self.definition.to_payload()), 201)

    def _define(self, election_id, manifest, roster, k, revote_rule):
        return define_election(election_id, manifest, roster, k, revote_rule)

    # --- HTTP helpers -------------------------------------------------------------------------------

    def admin_post(self, path, body):
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    @staticmethod
    def expect(response, status):
        assert response.status_code == status, (response.status_code, response.get_json())
        return response.get_json()

    def entries(self) -> list[dict]:
        out, start = [], 0
        while True:
            page = self.expect(self.client.get(f"/api/v1/elections/{self.election_id}/entries?start={start}&limit=1000"), 200)
            out.extend(page["entries"])
            if len(page["entries"]) < 1000:
                return out
            start += 1000

    def size(self) -> int:
        return len(self.entries())

    def state(self) -> ElectionState:
        entries = self.entries()
        return replay(
            ((e["seq"], e["kind"], e["payload"], bytes.fromhex(e["entry_hash"])) for e in entries), lambda seq: entries[seq]["payload"]
        )

    def admin_entry(self, kind, payload, status=201):
        return self.expect(self.admin_post(f"/api/v1/admin/elections/{self.election_id}/entries", {"kind": kind, "payload": payload}), status)

    def trustee_post(self, trustee, outgoing, status=201):
        payload = sign_message(trustee.identity, self.election_id, outgoing.kind, trustee.guardian, outgoing.body)
        response = self.client.post(f"/api/v1/elections/{self.election_id}/trustee-messages", json={"kind": outgoing.kind, "payload": payload})
        return self.expect(response, status)

    def trustee_post_chunked(self, trustee, kind: str, body: dict, part_bytes: int) -> dict:
        """A trustee entry posted as chunks of ``part_bytes`` and then the chunked entry (record-format §13), as
        trustee_tools/posting.py does for a large one; returns the entry's answer (a mix.shuffled's check)."""
        payload = sign_message(trustee.identity, self.election_id, kind, trustee.guardian, body)
        whole = chunks.canonical(payload)
        seqs = []
        for part, start in enumerate(range(0, len(whole), part_bytes)):
            chunk = chunks.trustee_chunk_body(trustee.guardian, kind, whole, part, whole[start : start + part_bytes])
            signed = sign_message(trustee.identity, self.election_id, chunks.CHUNK, trustee.guardian, chunk)
            response = self.client.post(f"/api/v1/elections/{self.election_id}/trustee-messages", json={"kind": chunks.CHUNK, "payload": signed})
            seqs.append(self.expect(response, 201)["seq"])
        response = self.client.post(
            f"/api/v1/elections/{self.election_id}/trustee-messages", json={"kind": kind, "payload": chunks.chunked_payload(seqs, whole)}
        )
        return self.expect(response, 202 if kind == "mix.shuffled" else 201)

    def wait_for_check(self, answer: dict, timeout: float = 120) -> dict:
        """Poll the check a 202 answer names (record-format §12.2: a mix.shuffled's proof is checked outside the
        request) until the board has appended or refused the entry; returns the check's last answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            outcome = self.expect(self.client.get(f"/api/v1/elections/{self.election_id}/checks/{answer['check']}"), 200)
            if outcome["status"] != "checking":
                return outcome
            time.sleep(0.05)
        raise AssertionError(f"the board did not finish check {answer['check']} in {timeout} s")

    # --- phases -------------------------------------------------------------------------------------

    def keygen(self):
        state = self.state()
        for t in self.trustees:
            steps.join(t, state)
        for step in (steps.commitments, steps.shares, steps.check_shares):
            for t in self.trustees:
                self.trustee_post(t, step(t, self.state()))
        self.admin_entry("keygen.result", admin.keygen_result(self.state()))
        for t in self.trustees:
            self.trustee_post(t, steps.confirm(t, self.state()))

    def open(self):
        keys = sorted(derive_voter_key(c, self.election_id).public_key_hex for c in self.credentials)
        self.admin_entry("credentials.published", {"credentials": keys})
        self.admin_entry("election.opened", {})

    def submission(self, credential, choices, action="cast", reveal=False, style="all") -> tuple[dict, Any]:
        state = self.state()
        result = encrypt_ballot(state.context, make_ballot(self.definition.manifest, style, choices))
        voter = derive_voter_key(credential, self.election_id)
        payload = build_submission(
            result.ballot, voter, self.election_id, state.context.H_E, action,
            reveal_nonce=result.ballot_nonce if reveal else None, reveal_choices=choices if reveal else None,
        )  # fmt: skip
        return payload, result

    def cast(self, credential, choices, action="cast", reveal=False, status=201):
        payload, _ = self.submission(credential, choices, action, reveal)
        return self.expect(self.client.post(f"/api/v1/elections/{self.election_id}/ballots", json=payload), status)

    def close_and_tally(self):
        self.admin_entry("election.closed", {})
        return self.post_tally()

    def post_tally(self, status=201):
        """The administrator's ``tally.encrypted``, computed from the ballots on the board."""
        state = self.state()
        entries = [e for e in self.entries() if e["kind"].startswith("ballot.")]
        counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in entries], self.definition.revote_rule)
        parsed = {e["seq"]: parse_submission(e["payload"], self.definition.manifest) for e in entries}
        challenged = [parsed[h.seq].ballot for h in counting.unrevealed_challenges]
        payload = admin.encrypted_tally(state, counting, iter(sorted(parsed.items())), challenged)
        answer = self.admin_entry("tally.encrypted", payload, status)
        return payload if status == 201 else answer

    def expected_mix_inputs(self) -> dict[str, dict]:
        """Each counting contest's ``mix.input`` payload, recomputed from the ballots (record-format §12.2)."""
        ballots = [e for e in self.entries() if e["kind"].startswith("ballot.")]
        inputs = counted_rows.mix_inputs_from_entries(
            self.definition.manifest, self.definition.revote_rule, lambda: ((e["seq"], e["kind"], e["payload"]) for e in ballots)
        )
        return {label: mixing.mix_input_payload(label, i.ballots, i.rows) for label, i in inputs.items()}

    def trustee_post_json(self, trustee, kind: str, body: dict, status: int | None = None) -> dict:
        """A trustee's signed entry; a mix.shuffled is answered 202 with its check (``wait_for_check``)."""
        payload = sign_message(trustee.identity, self.election_id, kind, trustee.guardian, body)
        response = self.client.post(f"/api/v1/elections/{self.election_id}/trustee-messages", json={"kind": kind, "payload": payload})
        return self.expect(response, status or (202 if kind == "mix.shuffled" else 201))

    def decrypt(self, available):
        for t in self.trustees:
            if t.guardian in available:
                self.trustee_post(t, steps.decryption_share(t, self.state()))
        self.admin_entry("decryption.challenge", admin.decryption_challenge(self.state()))
        for t in self.trustees:
            if t.guardian in available:
                self.trustee_post(t, steps.decryption_response(t, self.state()))
        self.admin_entry("tally.result", admin.tally_result(self.state()))
        return self.state().result


def mix_shuffled_body_for(world: BoardWorld, trustee, label: str, *, tamper=None) -> dict:
    """The body of ``trustee``'s next mix of ``label``: the last output shuffled and proved as a mix server does
    (docs/mixnet.md); ``tamper`` may change the output rows after the shuffle, before the proof."""
    state = world.state()
    inputs = state.mix_output(label)
    outputs, witness = shuffle(inputs, state.context)
    if tamper:
        outputs = tamper(outputs)
    proof = prove_shuffle(inputs, outputs, witness, state.context, derive_generators(state.context.H_E, len(inputs), state.context.group))
    position = len(state.mixes[label]) + 1
    return mixing.mix_shuffled_body(trustee.guardian, label, position, mixing.rows_digest(inputs), outputs, proof)


def canonical_size(payload: dict) -> int:
    return len(rfc8785.dumps(payload))


def as_json(value) -> str:
    return json.dumps(value)
