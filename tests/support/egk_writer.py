"""Test-only: small election records in egk's JSON layout, made with the core.

A local key ceremony (n guardians, quorum k), ballots encrypted with :func:`voting.encrypt.encrypt_ballot`,
optionally chained the way egk chains them, the encrypted tally, and its joint decryption by a chosen set
of available guardians (:func:`voting.joint_decryption.decrypt_locally`), challenged ballots decrypted the
same way. Contest data is written the way egk writes it (its KDF and its 0x31 challenge, from
:mod:`voting.verifier.readers.egk_variants`, which tests/verifier/test_verifier_egk_variants.py checks
against egk's own vector), so that every check of the verifier applies.

Randomness comes from the OS; nothing here is for production use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from voting.ballot import make_ballot
from voting.confirmation import chain_close, chain_start
from voting.context import ElectionContext
from voting.decryption import (
    DecryptionProof,
    combine_commitments,
    combine_partials,
    combine_responses,
    commitment,
    guardian_challenge,
    lagrange_coefficient,
    partial_decryption,
    response,
)
from voting.elgamal import Ciphertext, discrete_log
from voting.encrypt import encrypt_ballot
from voting.encrypted_ballot import EncryptedBallot, EncryptedContest
from voting.group import STANDARD, ElementModP
from voting.hashed_elgamal import HashedCiphertext
from voting.hashing import DS, H, base_hash, extended_base_hash, manifest_hash, parameter_base_hash
from voting.joint_decryption import decrypt_locally
from voting.key_ceremony import GuardianPolynomial, joint_public_key, key_share, public_key_share
from voting.manifest import BallotStyle, Contest, Manifest, Option
from voting.tally import aggregate
from voting.verifier.readers.egk_variants import KDF_CONTEXT, KDF_LABEL, egk_contest_data_challenge

AUX0 = b"device information"
CONTEST_DATA_BYTES = 64  # egk pads contest data to (L + 1) * 32 bytes; any multiple of 32 will do here


def hexp(x: ElementModP | int) -> str:
    value = x.value if isinstance(x, ElementModP) else x
    return int(value).to_bytes(512, "big").hex().upper()


def hexq(x) -> str:
    value = x.value if hasattr(x, "value") else x
    return int(value).to_bytes(32, "big").hex().upper()


DEFAULT_CONTESTS = (("mayor", ("alice", "bob", "carol"), 1), ("council", ("dan", "eve"), 2))
"""(label, option labels, contest selection limit L) per contest; R = 1 as in egk."""


def election_manifest(contests=DEFAULT_CONTESTS) -> tuple[dict, Manifest]:
    """An egk manifest document with one ballot style, and the same manifest as the core's type (indices 1..)."""
    doc = {
        "election_scope_id": "verifier-test",
        "spec_version": "v2.0.0",
        "type": "general",
        "start_date": "start",
        "end_date": "end",
        "geopolitical_units": [{"object_id": "district1", "name": "District", "type": "precinct", "contact_information": None}],
        "parties": [],
        "candidates": [],
        "contests": [
            {
                "object_id": label,
                "sequence_order": c,
                "electoral_district_id": "district1",
                "vote_variation": "n_of_m",
                "number_elected": limit,
                "votes_allowed": limit,
                "name": label.title(),
                "ballot_selections": [
                    {"object_id": option, "sequence_order": o, "candidate_id": option} for o, option in enumerate(options, 1)
                ],
                "ballot_title": None,
                "ballot_subtitle": None,
            }
            for c, (label, options, limit) in enumerate(contests, 1)
        ],
        "ballot_styles": [{"object_id": "all", "geopolitical_unit_ids": ["district1"], "party_ids": [], "image_url": None}],
        "name": [],
        "contact_information": None,
    }
    manifest = Manifest(
        "verifier-test",
        tuple(
            Contest(label, c, label.title(), limit, 1, tuple(Option(option, o, option) for o, option in enumerate(options, 1)))
            for c, (label, options, limit) in enumerate(contests, 1)
        ),
        (BallotStyle("all", 1, tuple(label for label, _, _ in contests)),),
        {},
        {},
    )
    return doc, manifest


MANIFEST_DOC, MANIFEST = election_manifest()

DEFAULT_BALLOTS = (
    ("b1", {"mayor": ["alice"], "council": ["dan", "eve"]}, "CAST"),
    ("b2", {"mayor": ["bob"], "council": ["eve"]}, "CAST"),
    ("b3", {"mayor": ["alice"]}, "SPOILED"),
    ("b4", {"mayor": ["carol"], "council": ["dan"]}, "CAST"),
)


@dataclass
class Election:
    n: int
    k: int
    polynomials: dict[int, GuardianPolynomial]
    context: ElectionContext
    H_P: bytes
    H_M: bytes
    H_B: bytes
    key_shares: dict = field(default_factory=dict)
    public_shares: dict = field(default_factory=dict)
    commitments: dict = field(default_factory=dict)


def key_ceremony(n: int, k: int, manifest_bytes: bytes) -> Election:
    H_P = parameter_base_hash()
    H_M = manifest_hash(H_P, manifest_bytes)
    H_B = base_hash(H_P, H_M, n, k)
    polynomials = {i: GuardianPolynomial.generate(i, k, STANDARD) for i in range(1, n + 1)}
    commitments = {i: p.commit(H_P) for i, p in polynomials.items()}
    K = joint_public_key(c.public_key for c in commitments.values())
    election = Election(n, k, polynomials, ElectionContext(K, extended_base_hash(H_B, K)), H_P, H_M, H_B)
    election.commitments = commitments
    election.key_shares = {i: key_share(i, {j: p.evaluate(i) for j, p in polynomials.items()}) for i in polynomials}
    election.public_shares = {i: public_key_share(commitments.values(), i) for i in polynomials}
    return election


def egk_contest_data(context: ElectionContext, contest_label: str) -> tuple[HashedCiphertext, dict]:
    """Contest data encrypted as egk does (``encryptContestData``): egk's KDF fields, numBytes bytes of D."""
    xi = STANDARD.random_scalar()
    C0 = context.g_table.pow(xi)
    beta = context.K_table.pow(xi)
    k = H(context.H_E, DS.CONTEST_DATA_KEY, context.K, C0, beta)
    suffix = KDF_LABEL + b"\x00" + KDF_CONTEXT + contest_label.encode() + (8 * CONTEST_DATA_BYTES).to_bytes(4, "big")
    keys = [hmac.new(k, i.to_bytes(4, "big") + suffix, hashlib.sha256).digest() for i in range(CONTEST_DATA_BYTES // 32 + 1)]
    D = b"\x00\x06normal" + bytes(CONTEST_DATA_BYTES - 8)
    C1 = b"".join(bytes(x ^ y for x, y in zip(D[32 * i : 32 * i + 32], keys[i + 1])) for i in range(CONTEST_DATA_BYTES // 32))
    C2 = hmac.new(keys[0], C0.to_bytes() + C1, hashlib.sha256).digest()
    data = HashedCiphertext(C0, C1, C2)
    return data, {"c0": hexp(C0), "c1": C1.hex().upper(), "c2": C2.hex().upper(), "numBytes": CONTEST_DATA_BYTES}


def decrypt_contest_data_jointly(election: Election, data: HashedCiphertext, available: tuple[int, ...]):
    """β = Π m_i^{w_i} with the joint proof of SPEC §3.6.4, challenge hashed as egk does."""
    context = election.context
    us = {i: STANDARD.random_scalar() for i in available}
    partials = {i: partial_decryption(data.C0, election.key_shares[i]) for i in available}
    commits = {i: commitment(context, data.C0, us[i]) for i in available}
    beta = combine_partials(partials, STANDARD)
    joint = combine_commitments(commits)
    c = egk_contest_data_challenge(context, data, joint.a, joint.b, beta)
    responses = {
        i: response(us[i], guardian_challenge(c, lagrange_coefficient(i, available, STANDARD)), election.key_shares[i])
        for i in available
    }
    return beta, DecryptionProof(c, combine_responses(responses))


def write_egk_record(
    root: Path,
    *,
    n: int = 3,
    k: int = 2,
    available: tuple[int, ...] = (1, 3),
    ballots=DEFAULT_BALLOTS,
    chained: bool = False,
    device: str = "device1",
    tally_contest_data: bool = False,
    contests=DEFAULT_CONTESTS,
    replicate: int = 1,
) -> Election:
    """Write the record; with ``tally_contest_data`` the tally also decrypts the first cast ballot's contest
    data (as a write-in adjudication would), so that Verification 11 applies. ``replicate`` writes each ballot
    that many times under fresh ids (``b1``, ``b1-r1``, ...): a quick way to a large record whose proofs all
    verify; copies share their confirmation code, which Verification 7.C reports."""
    assert replicate == 1 or not chained, "copies of a ballot cannot form a chain"
    manifest_doc, manifest = election_manifest(contests)
    root.mkdir(parents=True, exist_ok=True)
    manifest_bytes = json.dumps(manifest_doc, indent=2).encode()
    (root / "manifest.json").write_bytes(manifest_bytes)
    election = key_ceremony(n, k, manifest_bytes)
    context = election.context
    _write(
        root / "constants.json",
        {
            "name": "production group, 4096 bits",
            "large_prime": hexp(STANDARD.p),
            "small_prime": hexq(STANDARD.q),
            "cofactor": f"{int(STANDARD.r):X}",
            "generator": hexp(STANDARD.g),
        },
    )
    _write(
        root / "election_config.json",
        {
            "config_version": "v2.0.0",
            "number_of_guardians": n,
            "quorum": k,
            "parameter_base_hash": election.H_P.hex().upper(),
            "manifest_hash": election.H_M.hex().upper(),
            "election_base_hash": election.H_B.hex().upper(),
            "chain_confirmation_codes": chained,
            "baux0": [b if b < 128 else b - 256 for b in AUX0],
            "metadata": {"Created by": "tests/support/egk_writer.py"},
        },
    )
    _write(
        root / "election_initialized.json",
        {
            "joint_public_key": hexp(context.K),
            "extended_base_hash": context.H_E.hex().upper(),
            "guardians": [
                {
                    "guardian_id": f"guardian{i}",
                    "x_coordinate": i,
                    "coefficient_proofs": [
                        {"public_key": hexp(K_ij), "challenge": proof.c.hex().upper(), "response": hexq(proof.v)}
                        for K_ij, proof in zip(c.commitments, c.proofs)
                    ],
                }
                for i, c in election.commitments.items()
            ],
            "metadata": {},
        },
    )

    H_0 = chain_start(context, AUX0)
    previous = None
    encrypted: list[tuple[str, EncryptedBallot, str]] = []
    contest_data: dict[tuple[str, str], dict] = {}
    for ballot_id, choices, state in ballots:
        aux = (H_0 if previous is None else previous + AUX0) if chained else AUX0
        ballot = encrypt_ballot(context, make_ballot(manifest, "all", choices), aux=aux).ballot
        contests = []
        for contest in ballot.contests:
            data, written = egk_contest_data(context, contest.contest)
            contest_data[(ballot_id, contest.contest)] = written
            contests.append(
                EncryptedContest(contest.contest, contest.selections, contest.limit_proof, contest.contest_hash, data)
            )
        ballot = EncryptedBallot(ballot.style, tuple(contests), ballot.aux, ballot.confirmation_code)
        previous = ballot.confirmation_code
        encrypted.append((ballot_id, ballot, state))
        document = _ballot_json(manifest, ballot_id, ballot, state, device, context, contest_data)
        for copy in _copies(ballot_id, replicate):
            _write(root / "encrypted_ballots" / device / f"eballot-{copy}.json", {**document, "ballot_id": copy})
    if chained:
        _write(
            root / "encrypted_ballots" / device / "ballot_chain.json",
            {
                "encrypting_device": device,
                "baux0": H_0.hex().upper(),
                "ballot_ids": [b for b, _, _ in encrypted],
                "last_confirmation_code": previous.hex().upper(),
                "chaining": True,
                "closing_hash": chain_close(context, previous, AUX0).hex().upper(),
                "metadata": {},
            },
        )

    cast = [b for _, b, state in encrypted if state == "CAST"] * replicate
    tally = aggregate(manifest, cast)
    _write(
        root / "encrypted_tally.json",
        {
            "tally_id": "tally",
            "election_id": context.H_E.hex().upper(),
            "cast_ballot_ids": [c for i, _, state in encrypted if state == "CAST" for c in _copies(i, replicate)],
            "contests": [
                {
                    "contest_id": c.label,
                    "sequence_order": c.index,
                    "selections": [
                        {
                            "selection_id": o.label,
                            "sequence_order": o.index,
                            "encrypted_vote": _vote(tally.contests[c.label][o.label]),
                        }
                        for o in c.options
                    ],
                }
                for c in manifest.contests
            ],
        },
    )
    shares = {i: election.key_shares[i] for i in available}
    items = [ct for _, _, ct in tally.items()]
    results = decrypt_locally(items, shares, election.public_shares, context, k)
    by_option = dict(zip([(c, o) for c, o, _ in tally.items()], zip(items, results)))
    first_cast = next(i for i, _, state in encrypted if state == "CAST")
    _write(
        root / "tally.json",
        {
            "id": "tally",
            "election_id": context.H_E.hex().upper(),
            "contests": [
                {
                    "contest_id": c.label,
                    "selections": [_decrypted(o.label, *by_option[(c.label, o.label)], context, len(cast)) for o in c.options],
                    **(
                        {
                            "decrypted_contest_data": _contest_data_decryption(
                                election, cast[0].contests[n].contest_data, available, contest_data[(first_cast, c.label)]
                            )
                        }
                        if tally_contest_data
                        else {}
                    ),
                }
                for n, c in enumerate(manifest.contests)
            ],
        },
    )
    for ballot_id, ballot, state in encrypted:
        if state == "SPOILED":
            decrypted = _decrypted_ballot(election, ballot_id, ballot, available, contest_data)
            for copy in _copies(ballot_id, replicate):
                _write(root / "challenged_ballots" / f"dballot-{copy}.json", {**decrypted, "id": copy})
    return election


def _copies(ballot_id: str, replicate: int) -> list[str]:
    return [ballot_id] + [f"{ballot_id}-r{n}" for n in range(1, replicate)]


def _decrypted_ballot(election: Election, ballot_id: str, ballot: EncryptedBallot, available, contest_data) -> dict:
    context = election.context
    shares = {i: election.key_shares[i] for i in available}
    contests = []
    for contest in ballot.contests:
        items = [s.ciphertext for s in contest.selections]
        results = decrypt_locally(items, shares, election.public_shares, context, election.k)
        contests.append(
            {
                "contest_id": contest.contest,
                "selections": [_decrypted(s.option, s.ciphertext, r, context, 1) for s, r in zip(contest.selections, results)],
                "decrypted_contest_data": _contest_data_decryption(
                    election, contest.contest_data, available, contest_data[(ballot_id, contest.contest)]
                ),
            }
        )
    return {"id": ballot_id, "contests": contests, "election_id": context.H_E.hex().upper()}


def _contest_data_decryption(election: Election, data: HashedCiphertext, available, written: dict) -> dict:
    beta, proof = decrypt_contest_data_jointly(election, data, available)
    return {
        "contest_data": {"over_votes": [], "write_ins": [], "status": "normal"},
        "encrypted_contest_data": written,
        "proof": {"challenge": proof.c.hex().upper(), "response": hexq(proof.v)},
        "beta": hexp(beta),
    }


def _decrypted(label: str, ct: Ciphertext, result, context: ElectionContext, most: int) -> dict:
    T = ct.beta * result.M.inverse()
    return {
        "selection_id": label,
        "tally": discrete_log(T, context.K, most),
        "b_over_m": hexp(T),
        "encrypted_vote": _vote(ct),
        "proof": {"challenge": result.proof.c.hex().upper(), "response": hexq(result.proof.v)},
    }


def _vote(ct: Ciphertext) -> dict:
    return {"pad": hexp(ct.alpha), "data": hexp(ct.beta)}


def _proof(proof) -> dict:
    return {"proofs": [{"challenge": hexq(c), "response": hexq(v)} for c, v in zip(proof.c, proof.v)]}


def _ballot_json(manifest: Manifest, ballot_id, ballot: EncryptedBallot, state, device, context, contest_data) -> dict:
    return {
        "ballot_id": ballot_id,
        "ballot_style_id": ballot.style,
        "encrypting_device": device,
        "timestamp": 1700000000,
        "code_baux": ballot.aux.hex().upper(),
        "confirmation_code": ballot.confirmation_code.hex().upper(),
        "election_id": context.H_E.hex().upper(),
        "contests": [
            {
                "contest_id": c.contest,
                "sequence_order": manifest.contest(c.contest).index,
                "votes_allowed": manifest.contest(c.contest).votes_allowed,
                "contest_hash": c.contest_hash.hex().upper(),
                "selections": [
                    {
                        "selection_id": s.option,
                        "sequence_order": manifest.contest(c.contest).option(s.option).index,
                        "encrypted_vote": _vote(s.ciphertext),
                        "proof": _proof(s.proof),
                    }
                    for s in c.selections
                ],
                "proof": _proof(c.limit_proof),
                "encrypted_contest_data": contest_data[(ballot_id, c.contest)],
                "pre_encryption": None,
            }
            for c in ballot.contests
        ],
        "state": state,
        "encrypted_sn": None,
        "is_preencrypt": False,
    }


def _write(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))


__all__ = ["write_egk_record", "election_manifest", "MANIFEST", "MANIFEST_DOC", "AUX0"]
