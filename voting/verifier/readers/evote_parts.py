"""The ElectionGuard parts of an evote record, read from its control entries (docs/record-format.md §8.2).

| model | entry |
|---|---|
| :class:`Parameters` | ``election.created``: ``parameters`` (p, q, g, r), ``guardians`` (n, k), ``hashes``; the manifest bytes are the RFC 8785 form of ``manifest`` (indices are positions) |
| :class:`KeyCeremony` | the bodies of ``keygen.commitments`` (K_i,j and Schnorr proofs) and ``keygen.result`` (K, H_E) |
| :class:`EncryptedTallyRecord` | ``tally.encrypted`` contests (A, B per option); evote lists no ballot ids (E.4 checks its count and digest) |
| :class:`Decryption` (tally) | ``tally.result`` contests (t, T, proof) |

Values are kept as written: elements with their range 0 < x < p checked, responses as integers below 2^256.
A part the election has not reached yet is :class:`NotYet`; a part that cannot be read is :class:`Unreadable`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import rfc8785

from ...encoding import parse_digest, parse_p_unchecked_membership, parse_small_int
from ...errors import EncodingError, ManifestError
from ...manifest import Manifest, parse_manifest
from ...record import keygen as kg
from ...record import tallying as tl
from ..model import (
    DecryptedContest,
    DecryptedSelection,
    Decryption,
    EncryptedTallyRecord,
    GroupConstants,
    GuardianRecord,
    KeyCeremony,
    NotYet,
    Parameters,
    SchnorrRecord,
    TallyEntry,
    Unreadable,
)
from ..model_evote import ControlEntry, EvoteParts

_HEX = re.compile(r"[0-9A-F]+")

CREATED = "election.created"  # record-format §8.2: the first entry of every election


def where(entry: ControlEntry) -> str:
    return f"entries.jsonl seq {entry.seq} ({entry.kind})"


def get(obj: Any, key: str, field: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise EncodingError(f"{field}.{key}" if field else key, "is missing")
    return obj[key]


def items(obj: Any, key: str, field: str) -> list:
    value = get(obj, key, field)
    if not isinstance(value, list):
        raise EncodingError(f"{field}.{key}", "expected a JSON array")
    return value


def hex_int(value: object, field: str) -> int:
    """An integer written as upper-case hex (p, q, g, r as the record states them)."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise EncodingError(field, "expected upper-case hex digits")
    return int(value, 16)


def element(value: object, field: str) -> int:
    """A group element as written: 1024 hex digits, 0 < x < p (membership is the checks' concern)."""
    return int(parse_p_unchecked_membership(value, field))


def response(value: object, field: str) -> int:
    """A response v as written: 64 hex digits, below 2^256 (v < q is the checks' concern)."""
    if not isinstance(value, str) or len(value) != 64 or not _HEX.fullmatch(value):
        raise EncodingError(field, "expected 64 upper-case hex digits")
    return int(value, 16)


def parameters(parts: EvoteParts) -> Parameters | Unreadable:
    entry = parts.first(CREATED)
    if entry is None:
        return Unreadable("entries.jsonl", "", "the record has no election.created entry")
    origin = where(entry)
    payload = entry.payload
    try:
        params = get(payload, "parameters", "")
        guardians = get(payload, "guardians", "")
        hashes = get(payload, "hashes", "")
        try:
            constants: GroupConstants | Unreadable = GroupConstants(
                p=hex_int(get(params, "p", "parameters"), "parameters.p"),
                q=hex_int(get(params, "q", "parameters"), "parameters.q"),
                r=hex_int(get(params, "r", "parameters"), "parameters.r"),
                g=hex_int(get(params, "g", "parameters"), "parameters.g"),
                origin=origin,
            )
        except EncodingError as exc:
            constants = Unreadable(origin, exc.field, exc.reason)
        document = get(payload, "manifest", "")
        manifest_bytes: bytes | Unreadable
        manifest: Manifest | Unreadable
        try:
            manifest_bytes = _hashed_manifest(payload, document)
            manifest = parse_manifest(document)
        except ManifestError as exc:
            manifest = Unreadable(origin, f"manifest.{exc.field}", exc.reason)
        except Exception as exc:  # the manifest cannot even be serialised
            manifest_bytes = manifest = Unreadable(origin, "manifest", f"{type(exc).__name__}: {exc}")
        version = get(params, "spec_version", "parameters")
        return Parameters(
            spec_version=version if isinstance(version, str) else repr(version),
            constants=constants,
            n=parse_small_int(get(guardians, "n", "guardians"), "guardians.n"),
            k=parse_small_int(get(guardians, "k", "guardians"), "guardians.k"),
            H_P=parse_digest(get(hashes, "H_P", "hashes"), "hashes.H_P"),
            H_M=parse_digest(get(hashes, "H_M", "hashes"), "hashes.H_M"),
            H_B=parse_digest(get(hashes, "H_B", "hashes"), "hashes.H_B"),
            manifest_bytes=manifest_bytes,
            manifest=manifest,
            origin=origin,
        )
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def _hashed_manifest(payload: dict, document: Any) -> bytes:
    """The manifest bytes of eq. 6: an egk-schema manifest's file text when election.created carries one
    (``manifest_file``, record-format §2.2; L.1 checks that ``manifest`` is its translation), else the
    RFC 8785 form of ``manifest``."""
    file = payload.get("manifest_file")
    if isinstance(file, dict) and isinstance(file.get("text"), str):
        return file["text"].encode("utf-8")
    return rfc8785.dumps(document)


def _roster(parts: EvoteParts) -> dict[Hashable, str]:
    """The trustees' names by index as election.created lists them, for the findings' subjects only (L.1
    judges the list): any shape is read without failing, and an index that cannot be a key is left out."""
    entry = parts.first(CREATED)
    payload = entry.payload if entry is not None else None
    guardians = payload.get("guardians") if isinstance(payload, dict) else None
    trustees = guardians.get("trustees") if isinstance(guardians, dict) else None
    if not isinstance(trustees, list):
        return {}
    return {t.get("index"): str(t.get("name")) for t in trustees if isinstance(t, dict) and isinstance(t.get("index"), Hashable)}


def _guardian(entry: ControlEntry, names: dict[Hashable, str]) -> GuardianRecord | Unreadable:
    origin = where(entry)
    try:
        body = get(entry.payload, "body", "")
        index = parse_small_int(get(body, "guardian", "body"), "body.guardian")
        commitments = tuple(element(K, f"body.commitments[{j}]") for j, K in enumerate(items(body, "commitments", "body")))
        proofs = tuple(
            SchnorrRecord(
                parse_digest(get(p, "c", f"body.proofs[{j}]"), f"body.proofs[{j}].c"),
                response(get(p, "v", f"body.proofs[{j}]"), f"body.proofs[{j}].v"),
            )
            for j, p in enumerate(items(body, "proofs", "body"))
        )
        return GuardianRecord(index, names.get(index, f"trustee {index}"), commitments, proofs, origin)
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def _undefined(parts: EvoteParts) -> Unreadable | None:
    """Without election.created nothing later can be read (never "not yet": the record is not an election)."""
    if parts.first(CREATED) is None:
        return Unreadable("entries.jsonl", "", "the record has no election.created entry")
    return None


def key_ceremony(parts: EvoteParts) -> KeyCeremony | Unreadable | NotYet:
    result = parts.first(kg.RESULT)
    if result is None:
        return _undefined(parts) or NotYet(f"the key ceremony has no result yet (the election is at: {parts.stage})")
    origin = where(result)
    names = _roster(parts)
    guardians = tuple(_guardian(entry, names) for entry in parts.control(kg.COMMITMENTS))
    payload = result.payload
    try:
        if not isinstance(payload, dict) or payload.get("status") != "complete":
            faulty = payload.get("faulty") if isinstance(payload, dict) else None
            return Unreadable(origin, "status", f"the key ceremony failed, naming {faulty}: the election has no joint key")
        return KeyCeremony(element(get(payload, "K", ""), "K"), parse_digest(get(payload, "H_E", ""), "H_E"), guardians, origin)
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def encrypted_tally(parts: EvoteParts) -> EncryptedTallyRecord | Unreadable | NotYet:
    entry = parts.first(tl.TALLY_ENCRYPTED)
    if entry is None:
        return _undefined(parts) or NotYet(f"the election has not been tallied yet (the election is at: {parts.stage})")
    origin = where(entry)
    try:
        entries = []
        for ci, contest in enumerate(items(entry.payload, "contests", "")):
            label = get(contest, "contest", f"contests[{ci}]")
            for oi, option in enumerate(items(contest, "options", f"contests[{ci}]")):
                at = f"contests[{ci}].options[{oi}]"
                entries.append(
                    TallyEntry(
                        str(label), str(get(option, "option", at)), element(get(option, "alpha", at), f"{at}.alpha"),
                        element(get(option, "beta", at), f"{at}.beta"), f"{origin}: {at}",
                    )
                )  # fmt: skip
        return EncryptedTallyRecord(tuple(entries), None, origin)
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def decrypted_selection(raw: Any, at: str, value_key: str, element_key: str) -> DecryptedSelection:
    proof = get(raw, "proof", at)
    return DecryptedSelection(
        option=str(get(raw, "option", at)),
        value=parse_small_int(get(raw, value_key, at), f"{at}.{value_key}"),
        element=element(get(raw, element_key, at), f"{at}.{element_key}"),
        c=parse_digest(get(proof, "c", f"{at}.proof"), f"{at}.proof.c"),
        v=response(get(proof, "v", f"{at}.proof"), f"{at}.proof.v"),
        ciphertext=None,
        where=at,
    )


def decrypted_tally(parts: EvoteParts) -> Decryption | Unreadable | NotYet:
    entry = parts.first(tl.TALLY_RESULT)
    if entry is None:
        return _undefined(parts) or NotYet(f"the tally has not been decrypted yet (the election is at: {parts.stage})")
    origin = where(entry)
    try:
        contests = []
        for ci, contest in enumerate(items(entry.payload, "contests", "")):
            at = f"contests[{ci}]"
            selections: list[DecryptedSelection | Unreadable] = []
            for oi, option in enumerate(items(contest, "options", at)):
                try:
                    selections.append(decrypted_selection(option, f"{at}.options[{oi}]", "t", "T"))
                except EncodingError as exc:
                    selections.append(Unreadable(origin, exc.field, exc.reason))
            contests.append(DecryptedContest(str(get(contest, "contest", at)), tuple(selections), None, at))
        return Decryption(tuple(contests), origin)
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def challenged_decryptions(parts: EvoteParts) -> dict[int, tuple[Any, str]]:
    """seq -> (the tally.result item decrypting that ballot, where it is); empty before the result."""
    entry = parts.first(tl.TALLY_RESULT)
    if entry is None or not isinstance(entry.payload, dict) or not isinstance(entry.payload.get("challenged"), list):
        return {}
    found: dict[int, tuple[Any, str]] = {}
    for n, item in enumerate(entry.payload["challenged"]):
        seq = item.get("seq") if isinstance(item, dict) else None
        if isinstance(seq, int) and not isinstance(seq, bool) and seq not in found:
            found[seq] = (item, f"{where(entry)}: challenged[{n}]")
    return found


def decryption_ids(parts: EvoteParts) -> tuple[str, ...]:
    entry = parts.first(tl.TALLY_RESULT)
    listed = entry.payload.get("challenged") if entry is not None and isinstance(entry.payload, dict) else None
    return tuple(f"seq {item.get('seq')}" for item in listed if isinstance(item, dict)) if isinstance(listed, list) else ()


def stage(parts: EvoteParts) -> str:
    """How far the election got, from the last phase-changing entry of the record."""
    names = [
        (tl.TALLY_RESULT, "tallied"), (tl.TALLY_ENCRYPTED, "decrypting (no tally.result yet)"),
        ("election.closed", "closed (no tally yet)"), ("election.opened", "open (no tally yet)"),
        (kg.RESULT, "key ceremony done, not open yet"), (CREATED, "key ceremony under way"),
    ]  # fmt: skip
    for kind, text in names:
        entry = parts.first(kind)
        if entry is not None:
            return f"{text}; {kind} at seq {entry.seq}"
    return "no election.created entry"
