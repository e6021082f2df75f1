"""The key ceremony's rules as the verifier reads them (record-format §8.2, SPEC v2.0.0 §3.2.2).

Order: every trustee's commitments, then every trustee's shares, then every trustee's checks; a share is
revealed only against a complaint; keygen.result is the outcome anyone recomputes from those entries; each
trustee then confirms the result entry and its H_E.
"""

from __future__ import annotations

from ...context import ElectionContext
from ...errors import InvalidProof, ShareError
from ...hashed_elgamal import open_revealed_share
from ...key_ceremony import check_share, joint_public_key
from ...record import keygen as kg
from ...record.election import parse_election_created
from .state import CONFIRMING, KEY_CEREMONY, KEY_CEREMONY_FAILED, READY, EntryFacts, Observed, RuleBroken


def election_created(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """election.created: the first entry and only there; a valid definition (record-format §8.2 row 1),
    whose eligibility object, if present, is version 2 with 1 <= max_weight <= 1000 (§4.1), and 1 when a contest
    has counting (§12.1: a weight cannot be applied to a mixed row)."""
    seen.need(seen.definition is None, "an election is created once, by its first entry")
    definition = parse_election_created(payload)
    ranked = any(contest.counting is not None for contest in definition.manifest.contests)
    seen.need(not (ranked and definition.eligibility.max_weight > 1),
              "a contest with counting is not allowed with weights above 1 (record-format §12.1)", "eligibility.max_weight")  # fmt: skip
    seen.definition = definition
    seen.schedule = seen.definition.schedule
    seen.phase = KEY_CEREMONY


def commitments(seen: Observed, signer: int, body: dict) -> None:
    """keygen.commitments: once per trustee, during the ceremony, with valid coefficient proofs (Verification 2)."""
    seen.need_phase(kg.COMMITMENTS, KEY_CEREMONY)
    seen.need(signer not in seen.commitments, f"trustee {signer} has already published its commitments")
    posted = kg.parse_commitments(body, seen.n, seen.k)
    try:
        posted.verify(seen.election.parameters.H_P, seen.k)
    except InvalidProof as exc:
        raise RuleBroken("body.proofs", str(exc)) from None
    seen.commitments[signer] = posted


def shares(seen: Observed, signer: int, body: dict) -> None:
    """keygen.shares: after all n commitments; once per trustee."""
    seen.need_phase(kg.SHARES, KEY_CEREMONY)
    seen.need(len(seen.commitments) == seen.n, "shares come after every trustee's commitments")
    seen.need(signer not in seen.shares, f"trustee {signer} has already sent its shares")
    _, sent = kg.parse_shares(body, seen.n)
    seen.shares[signer] = sent


def checked(seen: Observed, signer: int, body: dict) -> None:
    """keygen.checked: after all n trustees' shares; once per trustee; lists its complaints."""
    seen.need_phase(kg.CHECKED, KEY_CEREMONY)
    seen.need(len(seen.shares) == seen.n, "checks come after every trustee's shares")
    seen.need(signer not in seen.complaints, f"trustee {signer} has already reported its checks")
    _, accused = kg.parse_checked(body, seen.n)
    seen.complaints[signer] = accused


def share_revealed(seen: Observed, signer: int, body: dict) -> None:
    """keygen.share_revealed: only against a complaint of the recipient about the signer, once."""
    seen.need_phase(kg.SHARE_REVEALED, KEY_CEREMONY)
    revealed = kg.parse_revealed(body, seen.n)
    seen.need(signer in seen.complaints.get(revealed.recipient, ()),
              f"trustee {revealed.recipient} made no complaint against trustee {signer}")  # fmt: skip
    seen.need((signer, revealed.recipient) not in seen.revealed, "this share has already been revealed")
    seen.revealed[(signer, revealed.recipient)] = revealed


def expected_outcome(seen: Observed) -> kg.KeygenResult:
    """The ceremony's outcome from the entries: each complaint is upheld unless the accused revealed the
    encrypted share and it checks against its commitments (SPEC §3.2.2, eq. 21); with nobody at fault,
    K = Π K_i (eq. 8) and H_E (eq. 23)."""
    H_P = seen.election.parameters.H_P
    at_fault: dict[int, str] = {}
    for receiver in sorted(seen.complaints):
        for sender in seen.complaints[receiver]:
            if sender in at_fault:
                continue
            opened = seen.revealed.get((sender, receiver))
            if opened is None:
                at_fault[sender] = f"did not reveal its share for trustee {receiver} after a complaint"
                continue
            try:
                decrypted = open_revealed_share(H_P, sender, receiver, seen.commitments[receiver].public_key,
                                                seen.shares[sender][receiver], opened.nonce)  # fmt: skip
                if decrypted != opened.share:
                    raise ShareError(sender, receiver, "the revealed share is not the one that was encrypted")
                check_share(opened.share, receiver, seen.commitments[sender])
            except ShareError as exc:
                at_fault[sender] = exc.reason
    if at_fault:
        return kg.KeygenResult(False, None, None, tuple(sorted(at_fault.items())))
    K = joint_public_key(seen.commitments[i].public_key for i in range(1, seen.n + 1))
    return kg.KeygenResult(True, K, seen.election.parameters.context(K).H_E, ())


def result(seen: Observed, payload: object, facts: EntryFacts) -> None:
    """keygen.result: after every trustee's checks, equal to the recomputed outcome."""
    seen.need_phase(kg.RESULT, KEY_CEREMONY)
    seen.need(len(seen.complaints) == seen.n, "the result comes after every trustee's checks")
    posted = kg.parse_result(payload, seen.n)
    expected = expected_outcome(seen)
    seen.need(posted == expected, f"is not the outcome recomputed from the ceremony: {kg.result_payload(expected)}", "payload")
    seen.keygen, seen.keygen_entry_hash = posted, facts.entry_hash
    if posted.K is not None and posted.H_E is not None:  # a complete result
        seen.context = ElectionContext(posted.K, posted.H_E)
        seen.phase = CONFIRMING
    else:
        seen.phase = KEY_CEREMONY_FAILED


def confirmed(seen: Observed, signer: int, body: dict) -> None:
    """keygen.confirmed: once per trustee, naming the keygen.result entry and its H_E."""
    seen.need_phase(kg.CONFIRMED, CONFIRMING)
    seen.need(signer not in seen.confirmed, f"trustee {signer} has already confirmed")
    _, H_E, result_hash = kg.parse_confirmed(body, seen.n)
    seen.need(H_E == seen.key.H_E, "names another H_E than keygen.result", "body.H_E")
    seen.need(result_hash == seen.keygen_entry_hash, "does not name the keygen.result entry", "body.result_entry_hash")
    seen.confirmed.add(signer)
    if len(seen.confirmed) == seen.n:
        seen.phase = READY
