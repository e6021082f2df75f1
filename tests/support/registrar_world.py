"""A version-2 election whose credentials come from an independent registrar (record-format §11), on a real
board application: the registrar signs its entries with its own key, and the administrator lists nothing."""

from __future__ import annotations

from collections import Counter

from nacl.signing import SigningKey

from support.styled_world import StyledWorld
from voting.record import registrar as rg
from voting.record.election import define_election

REGISTRAR_NAME = "Riverside Registrar (independent)"


class RegistrarWorld(StyledWorld):
    def __init__(self, client, **options):
        self.registrar_key = SigningKey.generate()
        super().__init__(client, **options)

    def _define(self, election_id, manifest, roster, k, revote_rule):
        registrar = {"name": REGISTRAR_NAME, "public_key": bytes(self.registrar_key.verify_key).hex().upper()}
        return define_election(election_id, manifest, roster, k, revote_rule, max_weight=self.max_weight, registrar=registrar)

    def registrar_post(self, kind, body, status=201, key=None):
        payload = rg.sign_registrar_message(key or self.registrar_key, self.election_id, kind, body)
        response = self.client.post(f"/api/v1/elections/{self.election_id}/registrar-messages", json={"kind": kind, "payload": payload})
        assert response.status_code == status, (response.status_code, response.get_json())
        return response

    def roll_commitment(self, extra_voters: int = 0) -> dict:
        styles = Counter(style for style, _ in self.roll)
        return {"roll_sha256": "ab" * 32, "voters": len(self.roll) + extra_voters,
                "voters_per_style": {s: n + (extra_voters if s == self.roll[0][0] else 0) for s, n in styles.items()},
                "total_weight": sum(w for _, w in self.roll) + extra_voters}

    def open(self, extra_voters: int = 0):
        self.registrar_post(rg.ACCEPTED, {"name": REGISTRAR_NAME})
        self.registrar_post(rg.ROLL, self.roll_commitment(extra_voters))
        self.registrar_post(rg.CREDENTIALS, self.credential_list())
        self.admin_entry("election.opened", {})
