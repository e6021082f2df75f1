"""An election whose credentials come from an independent registrar, on a REAL board process (processes.py).

The administrator creates the election naming the registrar's key (``registrar={"name", "public_key"}``, a
version-2 election with ``max_weight``) and one trustee runs the key ceremony in this process over HTTP,
as processes.open_election does; the election is left in phase ``ready`` for the registrar's own tool to
accept, publish and so on; :func:`open_voting` opens it. :func:`cast` casts a ballot with a credential, as
a voter's booth would.
"""

from __future__ import annotations

from bulletin_board.election_follower import ElectionFollower, election_state
from bulletin_board.log_format.client import BoardClient
from support.processes import ADMIN_TOKEN
from trustee_tools import steps
from trustee_tools.state import TrusteeState
from voting.ballot import make_ballot
from voting.credentials import derive_voter_key
from voting.encrypt import encrypt_ballot
from voting.record import admin
from voting.record.election import define_election
from voting.record.messages import sign_message
from voting.record.submission import build_submission


def create_registrar_election(board_url: str, election_id: str, manifest: dict, registrar: dict[str, str], *, max_weight: int = 1) -> BoardClient:
    """Create the election naming ``registrar`` and run a 1-of-1 key ceremony; returns the admin's client."""
    client = BoardClient(board_url, admin_token=ADMIN_TOKEN)
    trustee = TrusteeState.new("Trustee 1")
    roster = [{"index": 1, "name": trustee.name, "identity_key": trustee.identity_public_key}]
    client.create_election(define_election(election_id, manifest, roster, 1, max_weight=max_weight, registrar=registrar).to_payload())
    follower = ElectionFollower(client, election_id)

    def post(outgoing) -> None:
        client.post_trustee(election_id, outgoing.kind, sign_message(trustee.identity, election_id, outgoing.kind, trustee.guardian, outgoing.body))

    steps.join(trustee, follower.refresh())
    for step in (steps.commitments, steps.shares, steps.check_shares):
        post(step(trustee, follower.refresh()))
    client.post_admin(election_id, "keygen.result", admin.keygen_result(follower.refresh()))
    post(steps.confirm(trustee, follower.refresh()))
    return client


def open_voting(client: BoardClient, election_id: str) -> None:
    client.post_admin(election_id, "election.opened", {})


def cast(board_url: str, election_id: str, credential: str, style: str, choices: dict) -> dict:
    """Cast a ballot of ``style`` signed with ``credential``; returns the receipt (BoardClientError if refused)."""
    client = BoardClient(board_url)
    state, _ = election_state(client, election_id)
    result = encrypt_ballot(state.context, make_ballot(state.definition.manifest, style, choices))
    voter = derive_voter_key(credential, election_id)
    submission = build_submission(result.ballot, voter, election_id, state.context.H_E, "cast", style_signed=True)
    return client.submit_ballot(election_id, submission)[1]
