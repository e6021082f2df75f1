"""Forged and transplanted proofs (docs/threat-model.md "Forged or transplanted proofs").

Helios' weak Fiat-Shamir hashed only a proof's commitments: a prover may then pick the statement after the
challenge and "prove" anything. SPEC v2.0.0 hashes the whole statement — H_E, K, (α, β) for range proofs
(eq. 46), H_P, i, j, K_{i,j} for coefficient proofs (eq. 12) — so a proof forged against the weak hash, or
moved to another ballot, election, contest, selection or trustee, no longer verifies. Each forgery below is
checked three ways: the core verifier refuses it, the board refuses it over HTTP with its log unchanged, and
(the "defence removed" variant) it does verify once the weak hash is put back, which shows the test has teeth.
"""

from __future__ import annotations

import copy
import secrets

import pytest
from support.board_world import BoardWorld, make_app

from attacks.attack_support import ballot_refused, open_world, reseal, selection_ciphertext, trustee_refused
from trustee_tools import steps
from voting.elgamal import Ciphertext
from voting.encoding import hex_bytes, hex_p, hex_q, parse_p
from voting.encrypted_ballot import parse_range_proof
from voting.errors import InvalidProof
from voting.group import STANDARD, ElementModP, ElementModQ, g_pow
from voting.hashing import DS, H
from voting.proofs import range as range_proofs
from voting.proofs import schnorr
from voting.proofs.range import RangeProof, verify_range
from voting.proofs.schnorr import SchnorrProof, verify_coefficient
from voting.record.messages import sign_message

Q = int(STANDARD.q)


def _q(x: int) -> ElementModQ:
    return ElementModQ.reduce(x)


def weak_range_challenge(context, ct, commitments) -> bytes:
    """Helios' weak Fiat-Shamir: the challenge hashes the commitments only, not K, α or β."""
    width = STANDARD.p_bytes
    return H(
        context.H_E,
        DS.RANGE_PROOF,
        b"".join(int(a).to_bytes(width, "big") + int(b).to_bytes(width, "big") for a, b in commitments),
    )


def forge_range_proof(context) -> tuple[Ciphertext, RangeProof, int]:
    """A "0 or 1" proof for an encryption of a value m that is neither, against the weak challenge.

    Commitments first: a_0 = g^s0, b_0 = K^s0, a_1 = g^s1, b_1 = K^(s1+d). With c the weak challenge,
    c_0 = 0, c_1 = c, the statement is chosen afterwards: m = 1 + d/c, α = g^r, β = K^(m+r), v_j = s_j - r c_j.
    """
    s0, s1, d, r = (secrets.randbelow(Q) for _ in range(4))
    g, K = context.g_table, context.K_table
    commitments = [(g.pow_value(s0), K.pow_value(s0)), (g.pow_value(s1), K.pow_value((s1 + d) % Q))]
    c = int.from_bytes(weak_range_challenge(context, None, commitments), "big") % Q
    m = (1 + d * pow(c, -1, Q)) % Q
    ct = Ciphertext(g_pow(_q(r)), ElementModP.computed(K.pow_value((m + r) % Q), STANDARD))
    proof = RangeProof((_q(0), _q(c)), (_q(s0), _q(s1 - r * c)))
    return ct, proof, m


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return open_world(tmp_path_factory.mktemp("forged"), voters=6)


def test_weak_fiat_shamir_range_forgery_is_refused_by_verifier_and_board(world, monkeypatch):
    context = world.state().context
    ct, proof, m = forge_range_proof(context)
    assert m not in (0, 1)  # the ciphertext encrypts K^m for a random m: one such ballot wrecks the tally
    with pytest.raises(InvalidProof) as refused:
        verify_range(ct, proof, 1, context)
    assert refused.value.check == "5.D"

    payload, _ = world.submission(world.credentials[0], {"mayor": ["bob"]})
    selection = payload["ballot"]["contests"][0]["selections"][0]
    selection.update(
        alpha=hex_p(ct.alpha), beta=hex_p(ct.beta), proof={"c": [hex_q(x) for x in proof.c], "v": [hex_q(x) for x in proof.v]}
    )
    reseal(world, payload, world.credentials[0])
    error = ballot_refused(world, payload, 422)
    assert error["field"] == "ballot.contests[0].selections[0].proof" and "5.D" in error["message"]

    # defence removed: with the weak hash the forged proof verifies — the test above has teeth
    monkeypatch.setattr(range_proofs, "_challenge", weak_range_challenge)
    verify_range(ct, proof, 1, context)


def weak_schnorr_challenge(H_P: bytes, i: int, j: int, K_ij, h_ij) -> bytes:
    """The coefficient proof's challenge without the statement K_{i,j} (a Helios/Swiss-Post-style omission)."""
    return H(H_P, DS.COEFFICIENT_PROOF, i, j, h_ij)


def forge_coefficient_proof(H_P: bytes, i: int, j: int) -> tuple[ElementModP, SchnorrProof]:
    """h = g^u and v first; c = the weak hash; then K = (h / g^v)^(1/c): a "proof of knowledge" of log_g K
    that nobody knows."""
    u, v = secrets.randbelow(Q), secrets.randbelow(Q)
    h = g_pow(_q(u))
    c = weak_schnorr_challenge(H_P, i, j, None, h)
    K = g_pow(_q((u - v) * pow(int.from_bytes(c, "big"), -1, Q)))
    return K, SchnorrProof(c, _q(v))


def test_weak_fiat_shamir_coefficient_forgery_is_refused_by_verifier_and_board(tmp_path, monkeypatch):
    world = BoardWorld(make_app(tmp_path).test_client(), n=2, k=2, voters=1)
    state = world.state()
    for t in world.trustees:
        steps.join(t, state)
    H_P = world.definition.parameters.H_P
    K, proof = forge_coefficient_proof(H_P, 1, 0)
    with pytest.raises(InvalidProof) as refused:
        verify_coefficient(H_P, 1, 0, K, proof)
    assert refused.value.check == "2.C"

    t1 = world.trustees[0]
    out = steps.commitments(t1, state)
    out.body["commitments"][0] = hex_p(K)
    out.body["proofs"][0] = {"c": hex_bytes(proof.c), "v": hex_q(proof.v)}
    error = trustee_refused(world, out.kind, sign_message(t1.identity, world.election_id, out.kind, 1, out.body))
    assert error["field"] == "body.proofs" and "2.C" in error["message"]

    monkeypatch.setattr(schnorr, "_challenge", weak_schnorr_challenge)  # defence removed: the forgery verifies
    verify_coefficient(H_P, 1, 0, K, proof)


def test_ballot_replayed_into_another_election_fails_its_proofs(tmp_path, world):
    """The same voter holds a credential in two elections; their ballot of one, re-signed for the other."""
    other = BoardWorld(world.client, election_id="attack-election-2", n=1, k=1, voters=0)
    other.credentials = world.credentials
    other.keygen()
    other.open()
    payload, _ = world.submission(world.credentials[1], {"mayor": ["alice"], "council": ["dan"]})
    world.expect(world.client.post(f"/api/v1/elections/{world.election_id}/ballots", json=payload), 201)
    moved = copy.deepcopy(payload)
    reseal(other, moved, world.credentials[1])  # valid signature for the other election
    error = ballot_refused(other, moved, 422)
    assert error["field"] == "ballot.contests[0].selections[0].proof" and "5.D" in error["message"]  # H_E differs


@pytest.mark.parametrize(
    "move",
    [
        "proofs swapped between the selections of a contest",
        "proof moved from another contest",
        "proof moved from another ballot",
        "proof kept on a re-randomised ciphertext",
    ],
)
def test_transplanted_selection_proof_is_refused(world, move):
    payload, _ = world.submission(world.credentials[2], {"mayor": ["alice"], "council": ["dan", "eve"]})
    donor, _ = world.submission(world.credentials[3], {"mayor": ["alice"], "council": ["dan"]})
    mayor, council = (c["selections"] for c in payload["ballot"]["contests"])
    if move == "proofs swapped between the selections of a contest":
        mayor[0]["proof"], mayor[1]["proof"] = mayor[1]["proof"], mayor[0]["proof"]
    elif move == "proof moved from another contest":
        mayor[0]["proof"] = council[0]["proof"]
    elif move == "proof moved from another ballot":
        mayor[0]["proof"] = donor["ballot"]["contests"][0]["selections"][0]["proof"]  # the same vote, another ciphertext
    else:
        ct = selection_ciphertext(mayor[0])
        context = world.state().context
        s = _q(secrets.randbelow(Q))
        mayor[0]["alpha"] = hex_p(ct.alpha * context.g_table.pow(s))  # still an encryption of the same vote
        mayor[0]["beta"] = hex_p(ct.beta * context.K_table.pow(s))
    reseal(world, payload, world.credentials[2])
    error = ballot_refused(world, payload, 422)
    assert error["field"] == "ballot.contests[0].selections[0].proof" and "5.D" in error["message"]


def test_range_proof_reused_for_another_ciphertext_fails_in_the_core(world):
    """The same check at the core, against both kinds of "another ciphertext": the other option's and the
    contest's product (the limit proof's statement)."""
    context = world.state().context
    payload, _ = world.submission(world.credentials[4], {"mayor": ["bob"]})
    raw = payload["ballot"]["contests"][0]
    proof = parse_range_proof(raw["selections"][0]["proof"], "proof", 2)
    verify_range(selection_ciphertext(raw["selections"][0]), proof, 1, context)
    for other in (
        selection_ciphertext(raw["selections"][1]),
        selection_ciphertext(raw["selections"][0]) * selection_ciphertext(raw["selections"][1]),
    ):
        with pytest.raises(InvalidProof, match="5.D"):
            verify_range(other, proof, 1, context)


def test_coefficient_proofs_moved_between_trustees_or_coefficients_are_refused(tmp_path):
    """A rogue trustee re-publishes another's commitments as its own (so its key share is a copy), or swaps
    its proofs between coefficients: the proofs name i and j (SPEC eq. 12) and fail check 2.C."""
    world = BoardWorld(make_app(tmp_path).test_client(), n=3, k=2, voters=1)
    state = world.state()
    for t in world.trustees:
        steps.join(t, state)
    t1, t2 = world.trustees[:2]
    world.trustee_post(t1, steps.commitments(t1, world.state()))
    copied = copy.deepcopy(steps.commitments(t1, world.state()).body)
    copied["guardian"] = 2
    error = trustee_refused(
        world, "keygen.commitments", sign_message(t2.identity, world.election_id, "keygen.commitments", 2, copied)
    )
    assert "2.C" in error["message"] and "guardian 2" in error["message"]
    own = steps.commitments(t2, world.state()).body
    own["proofs"].reverse()
    error = trustee_refused(
        world, "keygen.commitments", sign_message(t2.identity, world.election_id, "keygen.commitments", 2, own)
    )
    assert "2.C" in error["message"]
    own["proofs"].reverse()
    world.trustee_post(t2, steps.Outgoing("keygen.commitments", own))  # the honest message is still accepted


def test_reseal_alone_yields_a_ballot_the_board_accepts(world):
    """Guard for the helpers above: reseal alone (no edit) yields a ballot the board accepts."""
    payload, _ = world.submission(world.credentials[5], {"mayor": ["alice"]})
    reseal(world, payload, world.credentials[5])
    world.expect(world.client.post(f"/api/v1/elections/{world.election_id}/ballots", json=payload), 201)
    assert parse_p(payload["ballot"]["contests"][0]["selections"][0]["alpha"], "alpha")


def test_forged_ballot_on_the_record_fails_verification_5(tmp_path, rich):
    """The verifier's side: a voter's ballot with the weak-hash forgery, signed by that voter and appended
    by an operator who re-signs the export, fails check 5.D in evote-verify."""
    from attacks.attack_support import edited, failed_steps, nth, verified
    from voting.credentials import derive_voter_key

    world = rich.world
    ct, proof, _ = forge_range_proof(world.state().context)

    def forge(entries):
        payload = nth(entries, "ballot.cast", 0)["payload"]
        selection = payload["ballot"]["contests"][0]["selections"][0]
        selection.update(
            alpha=hex_p(ct.alpha), beta=hex_p(ct.beta), proof={"c": [hex_q(x) for x in proof.c], "v": [hex_q(x) for x in proof.v]}
        )
        credential = next(
            c for c in world.credentials if derive_voter_key(c, world.election_id).public_key_hex == payload["credential"]
        )
        reseal(world, payload, credential)

    record = edited(rich.path, tmp_path / "forged", forge, key_file=rich.key_file)
    assert "5.D" in failed_steps(verified(record))
