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
from voting.record import admin
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
        state = self.state()
        entries = [e for e in self.entries() if e["kind"].startswith("ballot.")]
        counting = count([header_of(e["seq"], e["kind"], e["payload"]) for e in entries], self.definition.revote_rule)
        parsed = {e["seq"]: parse_submission(e["payload"], self.definition.manifest) for e in entries}
        challenged = [parsed[h.seq].ballot for h in counting.unrevealed_challenges]
        payload = admin.encrypted_tally(state, counting, iter(sorted(parsed.items())), challenged)
        self.admin_entry("tally.encrypted", payload)
        return payload

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


def canonical_size(payload: dict) -> int:
    return len(rfc8785.dumps(payload))


def as_json(value) -> str:
    return json.dumps(value)
