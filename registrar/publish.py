"""What the registrar signs and posts on the board (record-format §11), each step safe to run again.

Every entry is signed with the registrar's identity key (``Vault.signing_key``) by
:func:`voting.record.registrar.sign_registrar_message` and posted by registrar/board.py. Before posting,
each operation reads the election's log (:func:`board.read_board`) and checks that ``election.created``
names *this* directory's key; it then posts only what the board does not hold yet, so a run interrupted by a
crash or a lost connection is finished by running the same command again, and nothing is posted twice:

- :func:`accept`: ``registrar.accepted`` ``{"name"}`` (the name the election gives the registrar);
- :func:`publish`: ``registrar.roll`` (roll-commitment.json) then ``registrar.credentials`` entries of at
  most ``MAX_PER_ENTRY`` credentials each, those of credential-list.json that the board does not list yet;
- :func:`revoke`: ``registrar.revoked`` (before the election opens), by voter id or by public key;
- :func:`replace`: a lost card while the election is open: a new credential of the same style and weight,
  ``registrar.replaced``; the new credential stays sealed in ``voter-keys.vault`` under ``pending`` until the
  board accepted it and the card is written, so running it again finishes the same replacement;
- :func:`post_erasure`: ``registrar.erased`` ``{"statement"}`` from erased.json.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulletin_board.log_format.client import BoardClient
from voting.credential_list import MAX_PER_ENTRY, ListedCredential, credential_list_payload
from voting.credentials import derive_voter_key, new_credential
from voting.record.registrar import ACCEPTED, CREDENTIALS, ERASED, REPLACED, REVOKED, ROLL
from voting.voter_roll_delivery import Voter

from .board import BEFORE_OPENING, OPEN, BoardError, BoardView, post, read_board, require_our_key
from .issuing import COMMITMENT_FILE, ERASED_FILE, LIST_FILE, VOTER_KEYS_FILE, Holder, IssueError, read_json, update_private
from .vault import Vault
from .voter_keys import load_voter_keys, seal_voter_keys, voter_entry


def bodies_to_sign(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """The entries the registrar signs after ``issue``, in order, as (kind, body): the roll commitment, then the
    version-2 credential list (the kinds ``registrar.roll`` and ``registrar.credentials``)."""
    return [(ROLL, read_json(directory / COMMITMENT_FILE)), (CREDENTIALS, read_json(directory / LIST_FILE))]


def erasure_body(directory: Path) -> tuple[str, dict[str, Any]]:
    """After ``erase``: (``registrar.erased``, ``{"statement": <one line>}``) from erased.json."""
    return ERASED, {"statement": read_json(directory / ERASED_FILE)["statement"]}


def issued_election(directory: Path) -> str:
    """The election this directory issued credentials for (credential-list.json's ``election_id``)."""
    public_list = read_json(directory / LIST_FILE)
    if not isinstance(public_list, dict) or not isinstance(public_list.get("election_id"), str):
        raise IssueError(f"{directory / LIST_FILE} is damaged: it names no election")
    return public_list["election_id"]


def our_view(client: BoardClient, vault: Vault, election_id: str, *, accepted: bool = True) -> BoardView:
    view = read_board(client, election_id)
    require_our_key(view, vault.public_info()["public_key"])
    if accepted and not view.accepted:
        raise BoardError(f"this registrar has not accepted the role in {election_id} yet: run 'evote-registrar accept' first", field="kind")
    return view


def accept(client: BoardClient, vault: Vault, election_id: str) -> bool:
    """Post ``registrar.accepted``; False when the board already holds it."""
    view = our_view(client, vault, election_id, accepted=False)
    if view.accepted:
        return False
    if view.phase not in BEFORE_OPENING:
        raise BoardError(f"the election {election_id} is {view.phase}: the role is accepted before it opens", field="kind")
    assert view.definition.registrar is not None
    post(client, vault.signing_key, election_id, ACCEPTED, {"name": view.definition.registrar.name})
    return True


@dataclass(frozen=True)
class Published:
    roll_posted: bool
    posted: int  # credentials posted by this run
    already: int  # credentials of this directory the board listed before this run
    entries: int  # registrar.credentials entries posted by this run


def publish(client: BoardClient, vault: Vault, on_start: Callable[[int], None] = lambda total: None,
            advance: Callable[[int], None] = lambda n: None) -> Published:  # fmt: skip
    """Post the roll commitment and the credentials the board does not list yet (module docstring)."""
    directory = vault.directory
    election_id = issued_election(directory)
    commitment, public_list = read_json(directory / COMMITMENT_FILE), read_json(directory / LIST_FILE)
    view = our_view(client, vault, election_id)
    roll_posted = False
    if view.roll is None:
        if view.phase not in BEFORE_OPENING:
            raise BoardError(f"the election {election_id} is {view.phase}: the roll is committed before it opens", field="kind")
        post(client, vault.signing_key, election_id, ROLL, commitment)
        roll_posted = True
    elif view.roll != commitment:
        raise BoardError(
            f"the board holds another roll commitment for {election_id} (roll SHA-256 {str(view.roll.get('roll_sha256'))[:16]}…, "
            f"{view.roll.get('voters')} voters) than this directory's {COMMITMENT_FILE}: this directory did not issue that election's list",
            field="roll_sha256",
        )
    ours = {c["public_key"]: ListedCredential(c["public_key"], c["style"], c["weight"]) for c in public_list["credentials"]}
    new_keys = set(view.replaced.values())
    foreign = view.listed.keys() - ours.keys() - new_keys
    if foreign:
        raise BoardError(f"the board lists {len(foreign)} credential(s) of {election_id} that this directory did not issue; nothing was posted",
                         field="credentials")  # fmt: skip
    for key, (style, weight) in view.listed.items():
        if key in ours and (ours[key].style, ours[key].weight) != (style, weight):
            raise BoardError(f"the board lists credential {key[:16]}… with another style or weight than this directory's list", field="credentials")
    missing = sorted(ours.keys() - view.listed.keys())
    if missing and view.phase not in BEFORE_OPENING:
        raise BoardError(f"the election {election_id} is {view.phase}: {len(missing)} credential(s) can no longer be listed", field="kind")
    on_start(len(missing))
    entries = 0
    for start in range(0, len(missing), MAX_PER_ENTRY):
        chunk = [ours[key] for key in missing[start : start + MAX_PER_ENTRY]]
        post(client, vault.signing_key, election_id, CREDENTIALS, credential_list_payload(election_id, chunk))
        entries += 1
        advance(len(chunk))
    return Published(roll_posted, len(missing), len(ours) - len(missing), entries)


def revoke(client: BoardClient, vault: Vault, voter_ids: Sequence[str], keys: Sequence[str], reason: str) -> tuple[list[str], list[str]]:
    """Post ``registrar.revoked`` for these voters' current credentials and these public keys, before the
    election opens; returns (revoked now, revoked before). Raises BoardError or IssueError."""
    document = load_voter_keys(vault) if voter_ids else None  # by public key alone, the voter keys may be erased
    election_id = issued_election(vault.directory)
    view = our_view(client, vault, election_id)
    if view.phase not in BEFORE_OPENING:
        raise BoardError(
            f"the election {election_id} is {view.phase}: credentials are revoked before it opens; "
            "a lost card is replaced while it is open ('evote-registrar replace')", field="kind",
        )  # fmt: skip
    wanted = {voter_entry(document, voter_id)["public_key"] for voter_id in voter_ids} if document else set()
    for key in keys:
        if key.upper() not in view.listed:
            raise IssueError(f"--credential-key {key[:16]}…: the board lists no such credential for {election_id}")
        wanted.add(key.upper())
    unlisted = wanted - view.listed.keys()
    if unlisted:
        raise BoardError(f"{len(unlisted)} of these credentials are not on the board's list yet: run 'evote-registrar publish' first",
                         field="credentials")  # fmt: skip
    before = sorted(wanted & view.revoked)
    now = sorted(wanted - view.revoked)
    if now:
        post(client, vault.signing_key, election_id, REVOKED, {"credentials": now, "reason": reason})
    if document is None and (vault.directory / VOTER_KEYS_FILE).exists():
        document = load_voter_keys(vault)
    if document is not None:
        for voter in document["voters"]:
            if voter["public_key"] in wanted:
                voter["revoked"] = True
        seal_voter_keys(vault, document)
    return now, before


@dataclass(frozen=True)
class Replaced:
    voter_id: str
    holder: Holder  # the voter with the new credential (secret): for the card and the e-mail only
    old_key: str
    resumed: bool  # an interrupted replacement was finished rather than a new one made


def replace(client: BoardClient, vault: Vault, voter_id: str, reason: str, write_card: Callable[[Holder], None]) -> Replaced:
    """Replace ``voter_id``'s lost card while the election is open (module docstring). ``write_card`` makes
    the new card (and raises on failure, leaving the replacement pending for the next run)."""
    document = load_voter_keys(vault)
    election_id = document["election_id"]
    voter = voter_entry(document, voter_id)
    view = our_view(client, vault, election_id)
    old = voter["public_key"]
    pending = voter.get("pending")
    resumed = pending is not None
    if pending is None:
        if voter["revoked"] or old in view.revoked:
            raise BoardError(f"voter {voter_id}'s credential is revoked on the board: there is no card to replace", field="old")
        if view.phase != OPEN:
            raise BoardError(
                f"the election {election_id} is {view.phase}: a lost card is replaced while the election is open "
                "(before it opens, wait for the opening; to take a voter off the list use 'evote-registrar revoke')", field="kind",
            )  # fmt: skip
        credential = new_credential()
        pending = {"credential": credential, "public_key": derive_voter_key(credential, election_id).public_key_hex, "reason": reason}
        voter["pending"] = pending
        seal_voter_keys(vault, document)  # before posting: a run cut short after the board's answer finishes this one
    new_key = pending["public_key"]
    if view.replaced.get(old) != new_key:
        body = {"old": old, "new": {"public_key": new_key, "style": voter["style"], "weight": voter["weight"]}, "reason": pending["reason"]}
        try:
            post(client, vault.signing_key, election_id, REPLACED, body)
        except BoardError as exc:
            if exc.status is not None:  # a refusal is final: forget the new credential, nothing was listed
                voter["pending"] = None
                seal_voter_keys(vault, document)
                raise _plain_refusal(exc, voter_id) from None
            raise BoardError(f"{exc}; run the same command again: it finishes this replacement with the same new card") from None
    holder = Holder(Voter(voter_id, voter["style"], voter["weight"], voter["email"], voter["language"], tuple(voter["postal"])),
                    pending["credential"], new_key)  # fmt: skip
    write_card(holder)
    update_private(vault, voter_id, pending["credential"], new_key)
    voter["replaced"].append(old)
    voter["public_key"], voter["pending"] = new_key, None
    seal_voter_keys(vault, document)
    return Replaced(voter_id, holder, old, resumed)


def _plain_refusal(exc: BoardError, voter_id: str) -> BoardError:
    if exc.field == "old" and exc.status == 409 and "cast" in str(exc):
        return BoardError(
            f"the board refused the replacement (old): a ballot was already cast with voter {voter_id}'s card, so it cannot be "
            "replaced and that ballot stands. If the voter did not cast it, someone else used their card: report it to the "
            "election's organizer", status=exc.status, field=exc.field,
        )  # fmt: skip
    return exc


def post_erasure(client: BoardClient, vault: Vault, election_id: str) -> bool:
    """Post ``registrar.erased`` with erased.json's statement; False when the board already holds it."""
    kind, body = erasure_body(vault.directory)
    view = our_view(client, vault, election_id)
    if body["statement"] in view.erased:
        return False
    post(client, vault.signing_key, election_id, kind, body)
    return True


def status_lines(view: BoardView, public_key: str, directory: Path) -> list[str]:
    """What the board holds for this registrar, in plain lines (``evote-registrar status``)."""
    named = view.definition.registrar
    lines = [f"election    {view.election_id}: {view.phase}"]
    if named is None:
        return [*lines, "registrar   none: this election's administrator lists the credentials itself"]
    ours = named.public_key.upper() == public_key.upper()
    lines.append(f"registrar   {named.name} ({named.public_key[:16]}…): " + ("this directory's key" if ours else "NOT this directory's key"))
    lines.append(f"accepted    {'yes' if view.accepted else 'no'}")
    local = read_json(directory / COMMITMENT_FILE) if (directory / COMMITMENT_FILE).exists() else None
    if view.roll is None:
        lines.append("roll        not committed")
    else:
        styles = ", ".join(f"{style} {n}" for style, n in sorted(view.roll["voters_per_style"].items()))
        same = "" if local is None else ("; the same as this directory's" if local == view.roll else "; NOT this directory's commitment")
        lines.append(f"roll        {view.roll['voters']} voters ({styles}), total weight {view.roll['total_weight']}{same}")
    declared = f" of the roll's {view.roll['voters']} voters" if view.roll else ""
    lines.append(f"listed      {len(view.listed) - len(view.replaced)} credentials{declared} in {view.credential_entries} entr"
                 f"{'y' if view.credential_entries == 1 else 'ies'}")  # fmt: skip
    if (directory / LIST_FILE).exists():
        mine = {c["public_key"] for c in read_json(directory / LIST_FILE)["credentials"]}
        lines.append(f"this list   {len(mine & view.listed.keys())} of this directory's {len(mine)} credentials are on the board")
    lines.append(f"revoked     {len(view.revoked) - len(view.replaced)} (in {view.revocations} entr{'y' if view.revocations == 1 else 'ies'})")
    lines.append(f"replaced    {len(view.replaced)} lost card(s)")
    lines.append(f"usable      {view.active} credentials")
    lines.append(f"erased      {'yes' if view.erased else 'no'}" + (f": {view.erased[-1]}" if view.erased else ""))
    return lines
