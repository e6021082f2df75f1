"""Sections BS (the archive and the election's setup) and BC (public credentials): Belenios spec (2.0)
§"Public data", §"Verification keys", §"Messages specific to threshold decryption support", §"Trustees",
§"Credentials", §"Elections"; Belenios' own ``election verify`` (src/tool/tool_election.ml: fsck, K.check,
combine_keys, the credential parsing)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any, Callable, Iterator

from ..findings import Finding, failed, not_applicable, passed
from ..model import CannotRun
from .proofs import ProofFailed, parse_proof, verify_pok, verify_signed_message

ORDER = {"Setup": 0, "Ballot": 1, "EndBallots": 2, "EncryptedTally": 3, "Shuffle": 4, "EndShuffles": 5,
         "PartialDecryption": 6, "Result": 7}
MAX_WEIGHT = 100_000_000_000  # Belenios' Weight.max_expanded_weight
_UUID = re.compile(r"[1-9A-HJ-NP-Za-km-z]{14,}")


def check_archive(record) -> Iterator[Finding]:
    """(BS.1) the archive starts with its BELENIOS header; each event's file is named by its SHA256, its
    parent is the previous event and its height the previous one's plus one; events come in Belenios' order
    (Setup, Ballots, EndBallots, EncryptedTally, Shuffles, EndShuffles, PartialDecryptions, Result); the
    setup's payloads are present and named by their SHA256"""
    archive, subject = record.archive, f"archive {record.archive.path}"
    for origin, reason, expected, found in archive.chain_problems:
        yield failed("BS.1", f"{subject} › {origin}", reason, origin, expected=expected, found=found)
    for name in archive.other_files:
        yield failed("BS.1", f"{subject} › {name}", "a file that is neither <sha256>.data.json nor <sha256>.event.json", name)
    previous = None
    for event in archive.events:
        rank = ORDER[event.type]
        if previous is not None and (rank < ORDER[previous.type] or (rank == ORDER[previous.type] and rank in (0, 2, 3, 5, 7))):
            yield failed("BS.1", f"{subject} › {event.origin}", f"a {event.type} event after a {previous.type} event", event.origin)
        if event.type in ("Setup", "Ballot", "EncryptedTally", "Shuffle", "PartialDecryption", "Result") and (
                event.payload not in archive.data_index):
            yield failed("BS.1", f"{subject} › {event.origin}", "its payload is not in the archive", event.origin,
                         expected=event.payload, found="absent")
        previous = event
    for part, reason in record.problems.items():
        if part != "public_key":
            yield failed("BS.1", f"{subject} › {part}", reason, "setup_data")
    if not archive.events or archive.events[0].type != "Setup":
        yield failed("BS.1", subject, "the first event is not Setup", "events")
    yield passed("BS.1", subject, f"{len(archive.events)} events chained from Setup ({len(archive.data_index)} data files)")


def check_election(record) -> Iterator[Finding]:
    """(BS.2) the election structure: version 1, a Base58 uuid of 14 characters or more, a group Belenios
    defines, a public key in that group, questions with answers and 0 <= min <= max <= number of answers"""
    election = record.election
    if not isinstance(election, dict):
        raise CannotRun("the election structure is unreadable", "setup_data.election")
    origin = f"{record.setup.get('election')}.data.json"
    if not isinstance(election.get("uuid"), str) or not _UUID.fullmatch(election["uuid"]):
        yield failed("BS.2", "election uuid", "not a Base58 string of 14 characters or more", origin, found=election.get("uuid"))
    if record.public_key is None:
        yield failed("BS.2", "election public key", record.problems.get("public_key", "unreadable"), origin + " public_key")
    for i, question in enumerate(record.questions):
        q = question.get("value") if isinstance(question, dict) and question.get("type") == "NonHomomorphic" else question
        answers = q.get("answers") if isinstance(q, dict) else None
        if not isinstance(answers, list) or not answers:
            yield failed("BS.2", f"question {i + 1}", "no list of answers", f"{origin} questions[{i}]")
        elif q is question and not (isinstance(q.get("min"), int) and isinstance(q.get("max"), int)
                                    and 0 <= q["min"] <= q["max"] <= len(answers)):
            yield failed("BS.2", f"question {i + 1}", "min and max are not 0 <= min <= max <= number of answers",
                         f"{origin} questions[{i}]", found=f"min {q.get('min')}, max {q.get('max')}")
    if not record.questions:
        yield failed("BS.2", "election", "no questions", origin + " questions")
    record.statistics.update(group=record.group.name, questions=len(record.questions), uuid=election.get("uuid"))
    yield passed("BS.2", f"election {election.get('uuid')}", f"group {record.group.name}, {len(record.questions)} questions, fingerprint {record.fingerprint}")


def trustee_key(group, value: Any, where: str, pok: Callable = verify_pok) -> tuple[Any, list[Finding]]:
    """A trustee_public_key {pok, public_key}: the key, and the BS.3 findings about it. ``pok`` checks the
    proof of knowledge (Belenios 1.x hashes it differently: legacy_proofs.verify_pok)."""
    try:
        key = group.parse(value.get("public_key"))
        pok(group, key, parse_proof(group, value.get("pok")))
    except (ValueError, AttributeError) as exc:
        return None, [failed("BS.3", where, f"unreadable: {exc}", where)]
    except ProofFailed as exc:
        return None, [failed("BS.3", where, exc.reason, where + ".pok", expected=exc.expected, found=exc.found)]
    return key, [passed("BS.3", where)]


def check_trustees(record) -> Iterator[Finding]:
    """(BS.3) each trustee's public key is in the group with a valid proof of knowledge of its private key
    (challenge = H("pok|G|X|A")), Single trustees and each Pedersen trustee's verification key alike
    (BS.4) Pedersen (threshold) trustees: every certificate is signed by its verification key, every
    trustee's coefficient commitments (coefexps) are signed by its certificate's key, threshold is the number
    of coefficients, and each verification key is prod_i prod_k A_ik^(j^k)
    (BS.5) the election public key is the product of the Single trustees' keys and of each Pedersen group's
    prod_i A_i0"""
    if not isinstance(record.trustees, list) or not record.trustees:
        raise CannotRun("the trustees structure is unreadable or empty", "setup_data.trustees")
    origin = f"{record.setup.get('trustees')}.data.json"
    yield from trustees_and_election_key(record.group, record.trustees, record.public_key, origin, origin)


def trustees_and_election_key(group, trustees: list, public_key: Any, origin: str, key_origin: str,
                              pok: Callable = verify_pok, encryption_keys: bool = True,
                              unreadable_origin: str | None = None) -> Iterator[Finding]:
    """BS.3-BS.5 over the trustees structure (Belenios 2.0; 1.x passes its own ``pok``, no encryption keys, and
    names its election file when a key is unreadable)."""
    product, complete = group.one, True
    for t, item in enumerate(trustees):
        where = f"{origin} [{t}]"
        kind = item[0] if isinstance(item, list) and len(item) == 2 else None
        if kind == "Single":
            key, findings = trustee_key(group, item[1], f"trustee {t + 1} (Single) {where}", pok)
            yield from findings
        elif kind == "Pedersen":
            key = yield from pedersen(group, item[1], t, where, pok, encryption_keys)
        else:
            yield failed("BS.3", f"trustee {t + 1}", "neither [\"Single\", key] nor [\"Pedersen\", parameters]", where)
            key = None
        if key is None:
            complete = False
        else:
            product = group.mul(product, key)
    if not any(isinstance(item, list) and item[:1] == ["Pedersen"] for item in trustees):
        yield not_applicable("BS.4", "trustees", "no Pedersen (threshold) trustees")
    if not complete or public_key is None:
        yield failed("BS.5", "election public key", "cannot be recomputed: a trustee's key or the election's is unreadable",
                     unreadable_origin or key_origin)
    elif product != public_key:
        yield failed("BS.5", "election public key", "is not the product of the trustees' keys", key_origin,
                     expected=group.to_text(product), found=group.to_text(public_key))
    else:
        yield passed("BS.5", "election public key", f"the product of {len(trustees)} trustees' keys")


def pedersen(group, value: Any, t: int, where: str, pok: Callable = verify_pok, encryption_keys: bool = True):
    """BS.3/BS.4 for one Pedersen item; returns its sub-key prod_i A_i0 (None when unreadable). ``pok`` as
    for :func:`trustee_key`; ``encryption_keys``: each certificate names an encryption key too (2.0)."""
    subject = f"trustee {t + 1} (Pedersen)"
    try:
        certs, coefexps = value["certs"], value["coefexps"]
        keys, threshold = value["verification_keys"], value["threshold"]
        if not (len(certs) == len(coefexps) == len(keys)) or not isinstance(threshold, int):
            raise ValueError("certs, coefexps and verification_keys are not of one length")
        vks = []
        for z, cert in enumerate(certs):
            keys_z = json.loads(cert["message"])
            vk = group.parse(keys_z["verification"])
            if encryption_keys:
                group.parse(keys_z["encryption"])
            verify_signed_message(group, vk, cert["message"], parse_proof(group, cert["signature"]))
            vks.append(vk)
        commitments = []
        for z, signed in enumerate(coefexps):
            verify_signed_message(group, vks[z], signed["message"], parse_proof(group, signed["signature"]))
            commitments.append([group.parse(a) for a in json.loads(signed["message"])["coefexps"]])
    except ProofFailed as exc:
        yield failed("BS.4", subject, exc.reason, where, expected=exc.expected, found=exc.found)
        return None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        yield failed("BS.4", subject, f"unreadable threshold parameters: {exc}", where)
        return None
    if any(len(c) != threshold for c in commitments):
        yield failed("BS.4", subject, "threshold is not the number of coefficients of each polynomial", where,
                     expected=threshold, found=[len(c) for c in commitments])
    for j, key_value in enumerate(keys, start=1):
        key, findings = trustee_key(group, key_value, f"{subject} › verification key {j}", pok)
        yield from findings
        expected = group.prod(group.pow(a, pow(j, k, group.q)) for c in commitments for k, a in enumerate(c))
        if key is not None and key != expected:
            yield failed("BS.4", f"{subject} › verification key {j}", "is not prod_i prod_k A_ik^(j^k)", where,
                         expected=group.to_text(expected), found=group.to_text(key))
    yield passed("BS.4", subject, f"{len(certs)} certificates, threshold {threshold}")
    return group.prod(c[0] for c in commitments)


def parse_weight(text: str) -> int:
    if not re.fullmatch(r"[1-9][0-9]*", text) or int(text) > MAX_WEIGHT:
        raise ValueError(f"weight {text[:30]!r} is not a whole number from 1 to {MAX_WEIGHT}")
    return int(text)


def check_credentials(record) -> Iterator[Finding]:
    """(BC.1) each public credential is an element of the group, with a weight (1 to 10^11) when weights are used
    (BC.2) no public credential appears twice
    (BC.3) the fingerprint of the public credentials (base64 SHA256 of the published list), to compare with
    the credential authority's"""
    if not isinstance(record.credentials, list):
        raise CannotRun("the public credentials are unreadable", "setup_data.credentials")
    origin, seen = f"{record.setup.get('credentials')}.data.json", set()
    total = 0
    for i, text in enumerate(record.credentials):
        where = f"{origin} [{i}]"
        try:
            credential, _, weight = text.partition(",")
            record.group.parse(credential)
            total += parse_weight(weight) if weight else 1
        except (ValueError, AttributeError) as exc:
            yield failed("BC.1", f"public credential {i + 1}", str(exc), where)
            continue
        if credential in seen:
            yield failed("BC.2", f"public credential {i + 1}", "appears twice in the list", where, found=credential[:80])
        seen.add(credential)
    yield passed("BC.1", "public credentials", f"{len(record.credentials)} credentials, total weight {total}")
    yield passed("BC.2", "public credentials", f"{len(seen)} distinct")
    raw = record.archive.data(record.setup.get("credentials"))
    fingerprint = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    record.statistics["credential_fingerprint"] = fingerprint
    yield passed("BC.3", "public credentials", f"fingerprint {fingerprint}", origin)
