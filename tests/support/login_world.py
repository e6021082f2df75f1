"""An election with voter login (record-format §11, bulletin_board/voter_login.py) on a real board application,
and a real SMTP server in this process (aiosmtpd) whose inbox the tests read the login codes from.

:class:`LoginWorld` is a :class:`RegistrarWorld` (the registrar signs the credential list) whose
``election.created`` also carries ``voter_login``; ``logins`` is the roll as the administrator gives it to the
board: voter i has the style and weight of ``roll[i]`` and the credential ``credentials[i]`` (which the board
never sees linked to the login).
"""

from __future__ import annotations

import email
import email.policy
import re

from support.board_world import ADMIN_TOKEN
from support.registrar_world import RegistrarWorld
from support.smtp_inbox import Inbox, smtp_server  # noqa: F401 (the tests import them from here too)
from voting.record.election import define_election

LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "uk")
CODE_IN_MAIL = re.compile(r"^    ([0-9]{4}) ([0-9]{4})\r?$", re.MULTILINE)


def code_of(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",)).get_content()
    found = CODE_IN_MAIL.search(body)
    assert found, body
    return found.group(1) + found.group(2)


class LoginWorld(RegistrarWorld):
    """A registrar election whose ballots need a login (``cards_by``: how the cards travel)."""

    def __init__(self, client, cards_by: str = "post", **options):
        self.cards_by = cards_by
        super().__init__(client, **options)

    def _define(self, election_id, manifest, roster, k, revote_rule):
        registrar = {"name": "Riverside Registrar (independent)", "public_key": bytes(self.registrar_key.verify_key).hex().upper()}
        return define_election(election_id, manifest, roster, k, revote_rule, max_weight=self.max_weight, registrar=registrar,
                               voter_login={"method": "email-code", "cards_by": self.cards_by})  # fmt: skip

    @property
    def logins(self) -> list[dict]:
        return [{"voter_id": f"V{i:03d}", "email": f"voter{i}@example.org", "style": style, "weight": weight,
                 "language": LANGUAGES[i % len(LANGUAGES)]} for i, (style, weight) in enumerate(self.roll)]  # fmt: skip

    def upload_logins(self, logins=None, status=200):
        response = self.client.post(f"/api/v1/admin/elections/{self.election_id}/logins", json={"logins": self.logins if logins is None else logins},
                                    headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})  # fmt: skip
        return self.expect(response, status)

    def request_code(self, voter_id: str):
        return self.client.post(f"/api/v1/elections/{self.election_id}/login", json={"voter_id": voter_id})

    def verify(self, voter_id: str, code: str):
        return self.client.post(f"/api/v1/elections/{self.election_id}/login/verify", json={"voter_id": voter_id, "code": code})

    def sign_in(self, inbox: Inbox, index: int) -> str:
        """Voter ``index`` asks for a code, reads it in the mailbox and trades it for a session token."""
        login = self.logins[index]
        before = len(inbox.to(login["email"]))
        assert self.request_code(login["voter_id"]).status_code == 202
        code = code_of(inbox.wait_for(login["email"], before + 1))
        return self.expect(self.verify(login["voter_id"], code), 200)["session"]

    def cast_as(self, session: str | None, credential_index: int, choices=None, status=201, action="cast", reveal=False):
        credential = self.credentials[credential_index]
        voter = self.voter(credential)
        payload, _ = self.submission(credential, choices or {"mayor": ["alice"]}, action, reveal)
        headers = {"Authorization": f"Voter {session}"} if session else {}
        response = self.client.post(f"/api/v1/elections/{self.election_id}/ballots", json=payload, headers=headers)
        assert response.status_code == status, (voter.style, response.status_code, response.get_json())
        return response.get_json()
