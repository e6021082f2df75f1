"""Shared helpers of the attack suite (docs/threat-model.md): an open election on a real board, a refusal
that must leave the board unchanged, and the voter-side re-signing an attacker does after editing a ballot.

The worlds are the project's own (tests/support/board_world.py, tests/support/evote_world.py); nothing here
weakens a check. ``bad_elements`` lists the values an attacker puts where a group element is expected.
"""

from __future__ import annotations

from pathlib import Path

import gmpy2  # noqa: E402
from gmpy2 import mpz  # noqa: E402
from support.board_world import BoardWorld, make_app  # noqa: E402
from support.evote_support import failed_steps, run_cli, verified  # noqa: E402
from support.evote_tools import edited, nth, read_entries  # noqa: E402
from support.evote_world import EvoteWorld, tiny_open_election  # noqa: E402

from voting.confirmation import confirmation_code, contest_hash  # noqa: E402
from voting.credentials import contest_data_digest, derive_voter_key  # noqa: E402
from voting.elgamal import Ciphertext  # noqa: E402
from voting.encoding import hex_bytes, parse_p  # noqa: E402
from voting.group import STANDARD, ElementModP  # noqa: E402

P, Q = int(STANDARD.p), int(STANDARD.q)

# the verifier tests' helpers, re-exported so that attack modules import them after the path is set
__all__ = [
    "EvoteWorld", "edited", "failed_steps", "nth", "read_entries", "run_cli", "tiny_open_election", "verified",
]  # fmt: skip


def bad_elements() -> dict[str, int]:
    """Values that are not elements of Z_p^r, each named by what it is (SPEC §3 notation, checks 2.A/5.A/6.A)."""
    non_residue = next(x for x in range(2, 100) if gmpy2.jacobi(x, P) == -1)
    residue_outside = int(gmpy2.powmod(3, 2 * Q, P))  # a square whose order divides r/2: passes a Legendre test
    return {
        "zero": 0,
        "p-1 (order 2)": P - 1,
        "p": P,
        "p+1": P + 1,
        "non-residue": non_residue,
        "residue outside Z_p^r": residue_outside,
    }


def hex_element(value: int) -> str:
    """A value written as the record writes elements: b(x, 512) in upper-case hex (wider when it must be)."""
    return f"{value:X}".rjust(2 * STANDARD.p_bytes, "0")


def open_world(directory: Path, *, n: int = 1, k: int = 1, voters: int = 4, election_id: str = "attack-election") -> BoardWorld:
    """An election on a fresh board (SQLite), its key ceremony done and open for ballots."""
    world = BoardWorld(make_app(directory).test_client(), election_id=election_id, n=n, k=k, voters=voters)
    world.keygen()
    world.open()
    return world


def post_refused(world: BoardWorld, path: str, body: dict, status: int | None = None) -> dict:
    """POST ``body``; the board must refuse it with a 4xx (``status`` if given) and append nothing."""
    size = world.size()
    response = world.client.post(path, json=body)
    assert 400 <= response.status_code < 500, (response.status_code, response.get_json())
    if status is not None:
        assert response.status_code == status, response.get_json()
    assert world.size() == size, "a refused request changed the board"
    return response.get_json()["error"]


def ballot_refused(world: BoardWorld, payload: dict, status: int | None = None) -> dict:
    return post_refused(world, f"/api/v1/elections/{world.election_id}/ballots", payload, status)


def trustee_refused(world: BoardWorld, kind: str, payload: dict) -> dict:
    return post_refused(world, f"/api/v1/elections/{world.election_id}/trustee-messages", {"kind": kind, "payload": payload})


def admin_refused(world: BoardWorld, kind: str, payload: dict) -> dict:
    size = world.size()
    response = world.admin_post(f"/api/v1/admin/elections/{world.election_id}/entries", {"kind": kind, "payload": payload})
    assert 400 <= response.status_code < 500, (response.status_code, response.get_json())
    assert world.size() == size, "a refused request changed the board"
    return response.get_json()["error"]


def selection_ciphertext(selection: dict) -> Ciphertext:
    """(α, β) of a ballot's selection, checked (a valid ballot's own values)."""
    return Ciphertext(parse_p(selection["alpha"], "alpha"), parse_p(selection["beta"], "beta"))


def _raw_element(text: str) -> ElementModP:
    """What an attacker hashes: the written value as it is, members or not (cut to l_p bytes if wider)."""
    return ElementModP.computed(mpz(int(text, 16) % (1 << (8 * STANDARD.p_bytes))), STANDARD)


def reseal(world: BoardWorld, payload: dict, credential: str, action: str = "cast") -> dict:
    """After an edit of the ballot's ciphertexts: recompute every contest hash and the confirmation code,
    then sign with ``credential``. What any voter can do with their own credential; proofs are left as edited."""
    context = world.state().context
    manifest = world.definition.manifest
    ballot = payload["ballot"]
    hashes = []
    for raw in ballot["contests"]:
        contest = manifest.contest(raw["contest"])
        cts = [Ciphertext(_raw_element(s["alpha"]), _raw_element(s["beta"])) for s in raw["selections"]]
        chi = contest_hash(context, contest.index, cts)
        raw["contest_hash"] = hex_bytes(chi)
        hashes.append(chi)
    code = confirmation_code(context, hashes, bytes.fromhex(ballot["aux"]))
    ballot["confirmation_code"] = hex_bytes(code)
    voter = derive_voter_key(credential, world.election_id)
    payload["credential"] = voter.public_key_hex
    payload["action"] = action
    payload["signature"] = voter.sign_ballot(world.election_id, context.H_E, action, code, contest_data_digest(ballot))
    return payload
