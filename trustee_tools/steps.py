"""A trustee's ceremony steps as pure functions of the replayed election and the trustee's state.

Each step returns the message to post (kind and body) or raises :class:`Waiting` (the board does not yet
have what the step needs; the message says what) or :class:`Refusal` (the step must not run; the message
says why). Steps that draw secrets store them in the state first; the caller saves the state before it
posts, so a resumed process posts the same message again (SPEC §3.2.2 key generation, §3.6 decryption).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import rfc8785

from voting.encoding import hex_q, parse_q
from voting.errors import ShareError
from voting.group import STANDARD
from voting.hashed_elgamal import decrypt_share
from voting.joint_decryption import guardian_responses, share_from_secrets
from voting.key_ceremony import GuardianPolynomial, check_share, key_share, send_share
from voting.record import keygen as kg
from voting.record import tallying as tl
from voting.record.lifecycle import CONFIRMING, KEYGEN, TALLYING, ElectionState

from .state import RoundSecrets, TrusteeState


class Waiting(Exception):
    """The step's inputs are not on the board yet."""


class Refusal(Exception):
    """The step must not be taken (wrong state, evidence of misbehaviour, excluded trustee)."""


@dataclass(frozen=True)
class Outgoing:
    kind: str
    body: dict[str, Any]


def join(state: TrusteeState, election: ElectionState) -> int:
    """Find this trustee's guardian index from the identity key the administrator registered."""
    definition = election.definition
    if definition is None:
        raise Waiting("the election has not been created on the board")
    for trustee in definition.trustees:
        if trustee.identity_key == state.identity_public_key:
            if state.guardian and state.guardian != trustee.index:
                raise Refusal("this state directory belongs to another guardian index")
            state.guardian = trustee.index
            state.election_id = definition.election_id
            return trustee.index
    raise Refusal("this trustee's identity key is not registered in the election")


def _others(election: ElectionState, me: int) -> list[int]:
    return [i for i in range(1, election.n + 1) if i != me]


def commitments(state: TrusteeState, election: ElectionState) -> Outgoing:
    """Publish K_{i,j} = g^{a_{i,j}} and Schnorr proofs (SPEC eqs. 9-12)."""
    if election.phase != KEYGEN:
        raise Refusal(f"the key ceremony is over (phase {election.phase})")
    if not state.coefficients:
        state.set_polynomial(GuardianPolynomial.generate(state.guardian, election.definition.k, STANDARD))
    commitments_ = state.polynomial().commit(election.definition.parameters.H_P)
    return Outgoing(kg.COMMITMENTS, kg.commitments_body(commitments_))


def shares(state: TrusteeState, election: ElectionState) -> Outgoing:
    """Send E_ℓ(P_i(ℓ)) to every other trustee (SPEC eqs. 14-19); the nonces ξ_{i,ℓ} are kept for a reveal."""
    missing = [i for i in range(1, election.n + 1) if i not in election.commitments]
    if missing:
        raise Waiting(f"waiting for the commitments of trustee(s) {missing}")
    polynomial = state.polynomial()
    H_P = election.definition.parameters.H_P
    encrypted = {}
    for l in _others(election, state.guardian):
        if str(l) not in state.share_nonces:
            state.share_nonces[str(l)] = hex_q(STANDARD.random_scalar())
        receiver = election.commitments[l]
        nonce = state.share_nonce(l)
        encrypted[l] = send_share(H_P, polynomial, receiver, random=lambda nonce=nonce: nonce)
    return Outgoing(kg.SHARES, kg.shares_body(state.guardian, encrypted))


def check_shares(state: TrusteeState, election: ElectionState) -> Outgoing:
    """Decrypt and check every share received (eqs. 20-21); complain about those that fail."""
    missing = [i for i in range(1, election.n + 1) if i not in election.shares]
    if missing:
        raise Waiting(f"waiting for the shares of trustee(s) {missing}")
    me = state.guardian
    polynomial = state.polynomial()
    H_P = election.definition.parameters.H_P
    own_key = election.commitments[me].public_key
    received = {str(me): hex_q(polynomial.evaluate(me))}
    complaints = []
    for i in _others(election, me):
        try:
            share = decrypt_share(H_P, i, me, own_key, polynomial.secret_key, election.shares[i][me])
            check_share(share, me, election.commitments[i])
            received[str(i)] = hex_q(share)
        except ShareError:
            complaints.append(i)
    state.received_shares = received
    state.complaints = complaints
    return Outgoing(kg.CHECKED, kg.checked_body(me, complaints))


def reveals(state: TrusteeState, election: ElectionState) -> list[Outgoing]:
    """Answer every complaint against this trustee by publishing P_i(ℓ) and ξ_{i,ℓ} (SPEC §3.2.2)."""
    me = state.guardian
    polynomial = state.polynomial()
    out = []
    for receiver, complaints in sorted(election.checked.items()):
        if me in complaints and (me, receiver) not in election.revealed:
            out.append(
                Outgoing(
                    kg.SHARE_REVEALED, kg.revealed_body(me, receiver, polynomial.evaluate(receiver), state.share_nonce(receiver))
                )
            )
    return out


def adjudicated_shares(state: TrusteeState, election: ElectionState) -> None:
    """After a dismissed complaint, take the publicly revealed (and checked) share as received."""
    me = state.guardian
    for (sender, receiver), revealed in election.revealed.items():
        if receiver == me and str(sender) not in state.received_shares:
            check_share(revealed.share, me, election.commitments[sender])
            state.received_shares[str(sender)] = hex_q(revealed.share)


def confirm(state: TrusteeState, election: ElectionState) -> Outgoing:
    """Confirm the joint key: recompute the outcome from the record and name the result entry (record §8.2)."""
    if election.keygen_result is None:
        raise Waiting("waiting for the administrator's keygen.result")
    if not election.keygen_result.complete:
        faulty = ", ".join(f"trustee {i}: {reason}" for i, reason in election.keygen_result.faulty)
        raise Refusal(f"the key ceremony failed ({faulty}); the administrator must start a new ceremony")
    if election.phase != CONFIRMING or not election.result_entry_hash:
        raise Refusal(f"nothing to confirm in phase {election.phase}")
    recomputed = election.adjudicate()
    if recomputed != election.keygen_result:
        raise Refusal("the posted joint key does not match the one recomputed from the record")
    adjudicated_shares(state, election)
    if len(state.received_shares) != election.n:
        raise Refusal("this trustee lacks a verified share from every other trustee")
    return Outgoing(kg.CONFIRMED, kg.confirmed_body(state.guardian, election.context.H_E, election.result_entry_hash))


def my_key_share(state: TrusteeState, election: ElectionState):
    """P(i) = Σ_j P_j(i) (SPEC eq. 22), from the verified shares."""
    shares_ = state.shares()
    if len(shares_) != election.n:
        raise Refusal("this trustee does not hold a verified share from every trustee")
    return key_share(state.guardian, shares_)


def decryption_share(state: TrusteeState, election: ElectionState) -> Outgoing:
    """Round r: M_i = A^{P(i)} and commitments (a_i, b_i) for every item (SPEC eqs. 66, 69)."""
    if election.phase != TALLYING:
        raise Waiting(f"no decryption is under way (phase {election.phase})")
    if state.guardian in election.excluded:
        raise Refusal(f"this trustee was excluded from the decryption: {election.excluded[state.guardian]}")
    current = election.current_round
    key = str(current.number)
    if key not in state.rounds:
        state.rounds[key] = RoundSecrets(u=[hex_q(STANDARD.random_scalar()) for _ in election.items])
    secrets = [parse_q(u, "u") for u in state.rounds[key].u]
    share = share_from_secrets(state.guardian, my_key_share(state, election), election.items, election.context, secrets)
    return Outgoing(tl.DECRYPTION_SHARE, tl.share_body(share, current.number))


def challenge_digest(election: ElectionState) -> str:
    challenge = election.current_round.challenge
    return hashlib.sha256(rfc8785.dumps(tl.challenge_payload(challenge, election.current_round.number))).hexdigest()


def decryption_response(state: TrusteeState, election: ElectionState) -> Outgoing:
    """Answer this round's challenge once: v_i = u_i - c_i P(i) (SPEC eq. 73)."""
    current = election.current_round
    if current.challenge is None:
        raise Waiting(f"waiting for the challenge of decryption round {current.number}")
    if state.guardian not in current.challenge.available:
        raise Refusal(f"this trustee is not part of decryption round {current.number}")
    saved = state.rounds.get(str(current.number))
    if saved is None:
        raise Refusal("this trustee holds no secrets for this round's commitments")
    digest = challenge_digest(election)
    if saved.challenge_digest and saved.challenge_digest != digest:
        raise Refusal(
            "the board now shows another challenge for a round this trustee already answered (evidence of a forked board)"
        )
    if not saved.responses:
        secrets = [parse_q(u, "u") for u in saved.u]
        responses = guardian_responses(state.guardian, my_key_share(state, election), secrets, current.challenge)
        saved.challenge_digest = digest
        saved.responses = [hex_q(v) for v in responses]
    return Outgoing(
        tl.DECRYPTION_RESPONSE, tl.response_body(state.guardian, current.number, [parse_q(v, "v") for v in saved.responses])
    )
