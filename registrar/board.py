"""What the board holds for this registrar, read from the election's public log (record-format §11).

The registrar never trusts the board's summaries: :func:`read_board` walks the election's entries through
:class:`BoardClient` (each entry checked against its predecessor as it streams in), takes the election's
definition from its first entry (``election.created``: which registrar key it names, the manifest, the
maximum weight) and every registrar entry after it, each signature checked against the named key. From
that it knows whether the role was accepted, which roll commitment and which credentials are listed, what
was revoked, replaced or erased. ``publish`` posts only what is missing from it, so running it again after
an interruption never posts anything twice.

Posting is :meth:`BoardClient.post_registrar` (``POST /elections/<id>/registrar-messages``, no token: the
registrar's signature decides). A refusal becomes a :class:`BoardError` naming the field the board named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from nacl.signing import SigningKey

from bulletin_board.log_format.client import BoardClient, BoardClientError
from bulletin_board.log_format.errors import ChainBroken
from voting.errors import VotingError
from voting.record import registrar as rg
from voting.record.election import ElectionDefinition, parse_election_created

CREATED = "election.created"
OPEN = "open"
BEFORE_OPENING = ("keygen", "confirming", "ready")


class BoardError(Exception):
    """The board cannot be read, refused an entry, or holds something this registrar did not sign; one
    sentence for a person (``status`` and ``field`` as the board gave them, when it answered)."""

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.field, self.code = status, field, code


@dataclass
class BoardView:
    """The registrar's part of one election's log, as read and checked from its entries."""

    election_id: str
    definition: ElectionDefinition
    phase: str
    accepted: bool = False
    roll: dict[str, Any] | None = None
    listed: dict[str, tuple[str, int]] = field(default_factory=dict)  # public key -> (style, weight), every listing
    credential_entries: int = 0
    revoked: set[str] = field(default_factory=set)  # by registrar.revoked, and the old keys of replacements
    revocations: int = 0
    replaced: dict[str, str] = field(default_factory=dict)  # old key -> new key
    erased: list[str] = field(default_factory=list)  # the statements
    ballots_cast: int = 0

    @property
    def registrar_key(self) -> str | None:
        return self.definition.registrar.public_key if self.definition.registrar else None

    @property
    def active(self) -> int:
        """Credentials listed and not revoked (the replacements' new keys included)."""
        return len(self.listed.keys() - self.revoked)


def client_for(url: str) -> BoardClient:
    try:
        return BoardClient(url)
    except BoardClientError as exc:
        raise BoardError(f"--board: {exc}") from None


def _board_error(exc: BoardClientError) -> BoardError:
    return BoardError(str(exc), status=exc.status, field=exc.field, code=exc.code)


def read_board(client: BoardClient, election_id: str) -> BoardView:
    """The election's definition and registrar entries (module docstring); raises BoardError."""
    try:
        phase = str(client.context(election_id).get("phase"))
        view: BoardView | None = None
        for entry in client.entries(election_id):
            payload = json.loads(entry.payload)
            if entry.seq == 0:
                if entry.kind != CREATED:
                    raise BoardError(f"the first entry of {election_id} on the board is not election.created")
                view = BoardView(election_id, parse_election_created(payload), phase)
                continue
            assert view is not None
            if entry.kind in ("ballot.cast",):
                view.ballots_cast += 1
            if entry.kind in rg.REGISTRAR_KINDS:
                body = rg.open_registrar_message(view.definition.registrar, election_id, entry.kind, payload)
                _take(view, entry.kind, body)
    except BoardClientError as exc:
        if exc.status == 404:
            raise BoardError(f"the board at {client.base} has no election {election_id!r}", status=404, field="election_id") from None
        raise _board_error(exc) from None
    except ChainBroken as exc:
        raise BoardError(f"the board's log of {election_id} does not chain: {exc}") from None
    except (VotingError, ValueError) as exc:
        raise BoardError(f"the board serves an entry of {election_id} this tool cannot accept: {exc}") from None
    if view is None:
        raise BoardError(f"the board at {client.base} has no entry for election {election_id!r}")
    return view


def _take(view: BoardView, kind: str, body: dict[str, Any]) -> None:
    if kind == rg.ACCEPTED:
        view.accepted = True
    elif kind == rg.ROLL:
        view.roll = body
    elif kind == rg.CREDENTIALS:
        view.credential_entries += 1
        view.listed.update((c["public_key"], (c["style"], c["weight"])) for c in body["credentials"])
    elif kind == rg.REVOKED:
        view.revocations += 1
        view.revoked.update(body["credentials"])
    elif kind == rg.REPLACED:
        new = body["new"]
        view.replaced[body["old"]] = new["public_key"]
        view.revoked.add(body["old"])
        view.listed[new["public_key"]] = (new["style"], new["weight"])
    elif kind == rg.ERASED:
        view.erased.append(body["statement"])


def require_our_key(view: BoardView, public_key: str) -> None:
    """The election must name this directory's key as its registrar, or nothing is signed for it."""
    named = view.registrar_key
    if named is None:
        raise BoardError(
            f"the election {view.election_id} names no registrar: the administrator lists its credentials itself "
            "(create the election with --registrar-key and --registrar-name)", field="registrar"
        )
    if named.upper() != public_key.upper():
        raise BoardError(
            f"the election names another registrar key ({named[:16]}…), not this directory's ({public_key[:16]}…): "
            "check with the administrator which key was given at creation",
            field="registrar.public_key",
        )


def post(client: BoardClient, key: SigningKey, election_id: str, kind: str, body: dict[str, Any]) -> int:
    """Sign ``body`` as ``kind`` with the registrar's key and post it; returns the entry's seq."""
    payload = rg.sign_registrar_message(key, election_id, kind, body)
    try:
        return int(client.post_registrar(election_id, kind, payload)["seq"])
    except BoardClientError as exc:
        raise _board_error(exc) from None
