"""An evote election record written in egk's JSON layout, so that other ElectionGuard 2.0 verifiers can check it.

egk (electionguard-kotlin-multiplatform, ``ElectionRecordJsonPaths.kt``) lays a record out as
``constants.json``, ``election_config.json``, ``manifest.json``, ``election_initialized.json``,
``encrypted_ballots/<device>/eballot-<id>.json``, ``encrypted_tally.json``, ``tally.json`` and
``challenged_ballots/dballot-<id>.json``. :func:`egk_export` computes those files from an election's board
entries (an evote export's ``entries.jsonl``); it writes nothing itself. docs/export-egk.md says what maps to
what, and what egk's layout cannot hold.

Only an election whose manifest was written in egk's schema can be exported (record-format §2.2): egk hashes
its own manifest file into H_M (SPEC eq. 6), so only then are H_M, H_B (eq. 7) and H_E (eq. 23) the same in
both layouts. Everything else is refused with :class:`ExportRefused`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..elgamal import Ciphertext
from ..encoding import hex_bytes, hex_p, hex_q
from ..encrypted_ballot import EncryptedBallot
from ..errors import VotingError
from ..group import STANDARD
from ..hashed_elgamal import HashedCiphertext
from ..manifest import Manifest
from ..proofs.range import RangeProof
from .counting import count, header_of
from .lifecycle import BALLOT_KINDS, ElectionState, replay
from .submission import parse_submission
from .tallying import DecryptedBallot, DecryptedValue

DEVICE = "evote-board"  # egk files ballots by encrypting device; evote's ballots all reach one board
CONVENTIONS_KEY = "evote.conventions"  # election_config.json metadata: the byte layouts the values follow
CONVENTIONS = "SPEC v2.0.0"
STATUS = {0: "normal", 1: "under_vote", 2: "null_vote", 3: "over_vote"}  # evote's D byte 1 (record-format §3)
LEFT_OUT: tuple[str, ...] = (
    "the board's log (entries, signatures, the signed checkpoint, witnesses' cosignatures): in the evote export only",
    "voters' credentials, the credential lists and the ballots' signatures: egk's ballots carry none",
    "the trustees' identity keys, signed messages, key-share exchange and decryption rounds: egk keeps only their results",
    "the election's schedule, organizer, registrar and voter login",
)


class ExportRefused(VotingError):
    """The election cannot be written in egk's layout; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EgkExport:
    """The record's files (path relative to the record's directory -> bytes), its hashes and what was left out."""

    files: dict[str, bytes]
    H_M: bytes
    H_B: bytes
    H_E: bytes
    notes: tuple[str, ...]


def egk_export(entries: Sequence[Mapping[str, Any]]) -> EgkExport:
    """egk's files for the election whose board entries (seq 0, 1, ... in order) are ``entries``.

    Raises :class:`ExportRefused` when the manifest is not in egk's schema, the key ceremony is not complete,
    or the tally is weighted (egk aggregates each ballot once, SPEC eq. 62); an entry that breaks the
    election's rules raises the replay's error.
    """
    state = replay(
        ((e["seq"], e["kind"], e["payload"], bytes.fromhex(e["entry_hash"]), e.get("received_at")) for e in entries),
        lambda seq: entries[seq]["payload"],
    )
    definition = state.definition
    if definition is None:
        raise ExportRefused("the record has no election.created entry")
    if definition.manifest_file is None:
        raise ExportRefused(
            "the election's manifest is written in evote's schema, and egk hashes its own manifest schema into H_M: "
            "no record in egk's layout can have this election's H_M, H_B and H_E. Only an election created from an "
            "egk-schema manifest (evote election create --manifest-schema egk) can be exported with --format egk"
        )
    context = state.context
    if context is None:
        raise ExportRefused("the key ceremony is not complete: egk's election_initialized.json needs K and H_E")
    tally = state.tally
    if tally is not None and tally.tally.total_weight not in (None, tally.tally.ballot_count):
        raise ExportRefused(
            f"the tally is weighted (total weight {tally.tally.total_weight} over {tally.tally.ballot_count} ballots, "
            "record-format §8.3); egk's layout aggregates each cast ballot once (SPEC eq. 62)"
        )
    params = definition.parameters
    manifest = definition.manifest
    H_E = hex_bytes(context.H_E)
    files: dict[str, bytes] = {
        "constants.json": _json(_constants()),
        "election_config.json": _json(_config(state)),
        "manifest.json": definition.manifest_file.hashed_bytes,
        "election_initialized.json": _json(_initialized(state)),
    }
    ballots = [(e["seq"], e["kind"], e["payload"]) for e in entries if e["kind"] in BALLOT_KINDS]
    counting = count((header_of(seq, kind, payload) for seq, kind, payload in ballots), definition.revote_rule)
    sealed = {h.seq for h in counting.unrevealed_challenges}
    encrypted: dict[int, EncryptedBallot] = {}
    revealed = 0
    for seq, kind, payload in ballots:
        ballot = parse_submission(payload, manifest).ballot
        encrypted[seq] = ballot
        if seq in counting.counted_seqs:
            state_name = "CAST"
        elif seq in sealed:
            state_name = "SPOILED"
        else:  # superseded by a revote, or a challenge the voter opened with its nonce
            state_name = "UNKNOWN"
            revealed += kind == "ballot.challenged"
        files[f"encrypted_ballots/{DEVICE}/eballot-{ballot_id(seq)}.json"] = _json(
            _ballot(manifest, seq, ballot, state_name, H_E)
        )
    if tally is not None:
        cast_ids = [ballot_id(seq) for seq in sorted(counting.counted_seqs)]
        files["encrypted_tally.json"] = _json(_encrypted_tally(manifest, tally.tally.contests, cast_ids, H_E))
    if state.result is not None and tally is not None:
        files["tally.json"] = _json(_tally(manifest, tally.tally.contests, state.result.contests, H_E))
        for decrypted in state.result.challenged:
            files[f"challenged_ballots/dballot-{ballot_id(decrypted.seq)}.json"] = _json(
                _challenged(encrypted[decrypted.seq], decrypted, H_E)
            )
    notes = LEFT_OUT
    if revealed:
        notes += (
            f"{revealed} challenged ballot(s) opened with their ballot nonce (SPEC §3.6.5): egk records no nonces, so "
            "they are written with state UNKNOWN (their proofs checked, neither counted nor decrypted)",
        )
    return EgkExport(files, params.H_M, params.H_B, context.H_E, notes)


def ballot_id(seq: int) -> str:
    """A ballot's id in egk's layout: the seq of its board entry."""
    return f"seq-{seq}"


def _json(document: Any) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _constants() -> dict[str, str]:
    group = STANDARD
    return {
        "name": "production group, 4096 bits (SPEC §3.1.1)",
        "large_prime": f"{int(group.p):X}",
        "small_prime": f"{int(group.q):X}",
        "cofactor": f"{int(group.r):X}",
        "generator": f"{int(group.g):X}",
    }


def _config(state: ElectionState) -> dict[str, Any]:
    definition = state.definition
    assert definition is not None
    params = definition.parameters
    return {
        "config_version": "v2.0.0",
        "number_of_guardians": definition.n,
        "quorum": definition.k,
        "parameter_base_hash": hex_bytes(params.H_P),
        "manifest_hash": hex_bytes(params.H_M),
        "election_base_hash": hex_bytes(params.H_B),
        "chain_confirmation_codes": False,  # evote does not chain confirmation codes (record-format §3: B_aux)
        "baux0": [],
        "metadata": {
            "Created by": "evote record export --format egk",
            "evote.election_id": definition.election_id,
            CONVENTIONS_KEY: CONVENTIONS,
        },
    }


def _initialized(state: ElectionState) -> dict[str, Any]:
    definition, context = state.definition, state.context
    assert definition is not None and context is not None
    return {
        "joint_public_key": hex_p(context.K),
        "extended_base_hash": hex_bytes(context.H_E),
        "guardians": [
            {
                "guardian_id": definition.trustee(i).name,
                "x_coordinate": i,
                "coefficient_proofs": [
                    {"public_key": hex_p(K_ij), "challenge": hex_bytes(proof.c), "response": hex_q(proof.v)}
                    for K_ij, proof in zip(c.commitments, c.proofs)
                ],
            }
            for i, c in sorted(state.commitments.items())
        ],
        "metadata": {},
    }


def _vote(ct: Ciphertext) -> dict[str, str]:
    return {"pad": hex_p(ct.alpha), "data": hex_p(ct.beta)}


def _range(proof: RangeProof) -> dict[str, Any]:
    return {"proofs": [{"challenge": hex_q(c), "response": hex_q(v)} for c, v in zip(proof.c, proof.v)]}


def _contest_data(data: HashedCiphertext) -> dict[str, Any]:
    return {"c0": hex_p(data.C0), "c1": hex_bytes(data.C1), "c2": hex_bytes(data.C2), "numBytes": len(data.C1)}


def _ballot(manifest: Manifest, seq: int, ballot: EncryptedBallot, state_name: str, H_E: str) -> dict[str, Any]:
    """egk's ``EncryptedBallotJson``; indices are evote's (= egk's sequence_order, record-format §2.2)."""
    contests = []
    for c in ballot.contests:
        described = manifest.contest(c.contest)
        assert described is not None  # parse_submission checked the ballot against the manifest
        contests.append(
            {
                "contest_id": c.contest,
                "sequence_order": described.index,
                "votes_allowed": described.votes_allowed,
                "contest_hash": hex_bytes(c.contest_hash),
                "selections": [
                    {
                        "selection_id": s.option,
                        "sequence_order": n,
                        "encrypted_vote": _vote(s.ciphertext),
                        "proof": _range(s.proof),
                    }
                    for n, s in enumerate(c.selections, 1)
                ],
                "proof": _range(c.limit_proof),
                "encrypted_contest_data": _contest_data(c.contest_data),
                "pre_encryption": None,
            }
        )
    return {
        "ballot_id": ballot_id(seq),
        "ballot_style_id": ballot.style,
        "encrypting_device": DEVICE,
        "timestamp": 0,
        "code_baux": hex_bytes(ballot.aux),
        "confirmation_code": hex_bytes(ballot.confirmation_code),
        "election_id": H_E,
        "contests": contests,
        "state": state_name,
        "encrypted_sn": None,
        "is_preencrypt": False,
    }


def _encrypted_tally(
    manifest: Manifest, sums: Mapping[str, Mapping[str, Ciphertext]], cast_ids: list[str], H_E: str
) -> dict[str, Any]:
    return {
        "tally_id": "tally",
        "contests": [
            {
                "contest_id": c.label,
                "sequence_order": c.index,
                "selections": [
                    {"selection_id": o.label, "sequence_order": o.index, "encrypted_vote": _vote(sums[c.label][o.label])}
                    for o in c.options
                ],
            }
            for c in manifest.contests
        ],
        "cast_ballot_ids": cast_ids,
        "election_id": H_E,
    }


def _decrypted(label: str, value: DecryptedValue, ciphertext: Ciphertext) -> dict[str, Any]:
    return {
        "selection_id": label,
        "tally": value.value,
        "b_over_m": hex_p(value.T),
        "encrypted_vote": _vote(ciphertext),
        "proof": {"challenge": hex_bytes(value.proof.c), "response": hex_q(value.proof.v)},
    }


def _tally(
    manifest: Manifest,
    sums: Mapping[str, Mapping[str, Ciphertext]],
    results: Mapping[str, Mapping[str, DecryptedValue]],
    H_E: str,
) -> dict[str, Any]:
    return {
        "id": "tally",
        "contests": [
            {
                "contest_id": c.label,
                "selections": [_decrypted(o.label, results[c.label][o.label], sums[c.label][o.label]) for o in c.options],
            }
            for c in manifest.contests
        ],
        "election_id": H_E,
    }


def _challenged(ballot: EncryptedBallot, decrypted: DecryptedBallot, H_E: str) -> dict[str, Any]:
    """egk's ``DecryptedTallyOrBallotJson`` of a challenged ballot; its contest data decryption proofs follow the
    SPEC's eq. 81 (declared by ``evote.conventions`` in election_config.json; docs/export-egk.md)."""
    contests = []
    for c in ballot.contests:
        data = decrypted.contest_data[c.contest]
        status = STATUS.get(data.status, "normal") if data.status is not None else None
        contests.append(
            {
                "contest_id": c.contest,
                "selections": [_decrypted(s.option, decrypted.selections[c.contest][s.option], s.ciphertext) for s in c.selections],
                "decrypted_contest_data": {
                    "contest_data": {"over_votes": [], "write_ins": [], "status": status},
                    "encrypted_contest_data": _contest_data(c.contest_data),
                    "proof": {"challenge": hex_bytes(data.proof.c), "response": hex_q(data.proof.v)},
                    "beta": hex_p(data.beta),
                },
            }
        )
    return {"id": ballot_id(decrypted.seq), "contests": contests, "election_id": H_E}
