"""Sections BS (setup) and BC (credentials) of a Belenios 1.x directory record: spec 1.x (doc/specification.tex
at tags 1.x) §"Election", §"Trustee keys", §"Messages specific to threshold decryption support",
§"Credentials"; Belenios 1.x's ``verify`` (src/tool/tool_election.ml: K.check, K.combine_keys, the
credentials' parsing)."""

from __future__ import annotations

import re
from typing import Iterator

from ..findings import Finding, failed, passed
from ..model import CannotRun
from ..readers.files import FileRefused, open_file
from .legacy import BALLOTS, CREDENTIALS, ELECTION, fingerprint_of
from .legacy_proofs import verify_pok
from .setup import parse_weight, trustees_and_election_key

_UUID = re.compile(r"[1-9A-HJ-NP-Za-km-z]{14,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_files(record) -> Iterator[Finding]:
    """(BS.1) the record's files are present and readable JSON: election.json (read as its first line, as
    Belenios 1.x does), the trustees (trustees.json, or public_keys.jsons and threshold.json),
    public_creds.txt, ballots.jsons, result.json when tallied; a 1.x record is a directory of files with no
    event chain, so there are no events to chain"""
    if (record.root / BALLOTS).exists():
        try:
            open_file(record.root, BALLOTS).close()
        except FileRefused as exc:
            record.problems[BALLOTS] = exc.reason
    for name in (ELECTION, CREDENTIALS):
        if not (record.root / name).exists() and name not in record.problems:
            record.problems[name] = "is missing"
    if not record.trustee_keys() and record.trustees is None and record.trustees_origin not in record.problems:
        record.problems.setdefault(record.trustees_origin, "is missing or unreadable")
    for name, reason in record.problems.items():
        yield failed("BS.1", f"record file {name}", reason, name)
    lines = (record.election_raw or b"").rstrip(b"\n").count(b"\n")
    if lines:
        yield failed("BS.1", f"record file {ELECTION}", "has more than one line: Belenios 1.x reads the first only",
                     ELECTION, found=f"{lines + 1} lines")
    present = sorted(p.name for p in record.root.iterdir() if p.is_file())
    yield passed("BS.1", f"directory record {record.location}", f"files {', '.join(present)}; no event chain in Belenios 1.x")


def check_election(record) -> Iterator[Finding]:
    """(BS.2) the election structure: a uuid (Base58 of 14 characters or more, or RFC 4122), a wrapped_pk
    whose group {g, p, q} has p and q prime, q dividing p - 1 and g of order q, a public key y in that group,
    questions with answers and 0 <= min <= max <= number of answers; its fingerprint is Hash_JSON of the file's
    line"""
    election = record.election
    if not isinstance(election, dict):
        raise CannotRun("the election structure is unreadable", ELECTION)
    if not isinstance(election.get("uuid"), str) or not _UUID.fullmatch(election["uuid"]):
        yield failed("BS.2", "election uuid", "not a Base58 string of 14 characters or more, nor a UUID", f"{ELECTION} uuid",
                     found=election.get("uuid"))
    for part in ("public_key.group", "public_key.y"):
        if part in record.problems:
            yield failed("BS.2", f"election {part}", record.problems[part], f"{ELECTION} {part}")
    for i, question in enumerate(record.questions):
        answers = question.get("answers") if isinstance(question, dict) else None
        if not isinstance(answers, list) or not answers:
            yield failed("BS.2", f"question {i + 1}", "no list of answers", f"{ELECTION} questions[{i}]")
        elif not (isinstance(question.get("min"), int) and isinstance(question.get("max"), int)
                  and 0 <= question["min"] <= question["max"] <= len(answers)):
            yield failed("BS.2", f"question {i + 1}", "min and max are not 0 <= min <= max <= number of answers",
                         f"{ELECTION} questions[{i}]", found=f"min {question.get('min')}, max {question.get('max')}")
    if not record.questions:
        yield failed("BS.2", "election", "no questions", f"{ELECTION} questions")
    group = record.group.name if record.group else "unreadable"
    record.statistics.update(group=group, questions=len(record.questions), uuid=election.get("uuid"), fingerprint=record.fingerprint)
    yield passed("BS.2", f"election {election.get('uuid')}", f"group {group}, {len(record.questions)} questions, fingerprint {record.fingerprint}")


def check_trustees(record) -> Iterator[Finding]:
    """(BS.3) each trustee's public key is in the group with a valid proof of knowledge of its private key
    (Belenios 1.x: A = g^response / X^challenge, challenge = H("pok|X|A")), Single trustees and each
    Pedersen trustee's verification key alike
    (BS.4) Pedersen (threshold) trustees: every certificate is signed by its verification key
    (H("sigmsg|M|A")), every trustee's coefficient commitments are signed by its certificate's key,
    threshold is the number of coefficients, and each verification key is prod_i prod_k A_ik^(j^k)
    (BS.5) the election public key y is the product of the Single trustees' keys and of each Pedersen
    group's prod_i A_i0"""
    group = record.need_group()
    if not isinstance(record.trustees, list) or not record.trustees:
        raise CannotRun("the trustees are unreadable or empty", record.trustees_origin)
    # the same checks as 2.0 under 1.x's proof of knowledge, with certificates that hold no encryption key
    yield from trustees_and_election_key(group, record.trustees, record.public_key, record.trustees_origin,
                                         f"{ELECTION} public_key.y", verify_pok, encryption_keys=False,
                                         unreadable_origin=ELECTION)


def check_credentials(record) -> Iterator[Finding]:
    """(BC.1) each line of public_creds.txt is a group element, with a weight (1 to 10^11) when given
    (BC.2) no public credential appears twice
    (BC.3) the fingerprint of public_creds.txt (base64 SHA256), to compare with the credential authority's"""
    group = record.need_group()
    if record.credentials is None:
        raise CannotRun("the public credentials are unreadable", CREDENTIALS)
    seen: set[str] = set()
    total = 0
    for i, text in enumerate(record.credentials):
        where = f"{CREDENTIALS} line {i + 1}"
        credential, _, weight = text.partition(",")
        try:
            group.parse(credential)
            total += parse_weight(weight) if weight else 1
        except ValueError as exc:
            yield failed("BC.1", f"public credential {i + 1}", str(exc), where)
            continue
        if credential in seen:
            yield failed("BC.2", f"public credential {i + 1}", "appears twice in the list", where, found=credential[:80])
        seen.add(credential)
    yield passed("BC.1", "public credentials", f"{len(record.credentials)} credentials, total weight {total}")
    yield passed("BC.2", "public credentials", f"{len(seen)} distinct")
    fingerprint = fingerprint_of(record.credentials_raw or b"")
    record.statistics["credential_fingerprint"] = fingerprint
    yield passed("BC.3", "public credentials", f"fingerprint {fingerprint} (of {CREDENTIALS})", CREDENTIALS)
