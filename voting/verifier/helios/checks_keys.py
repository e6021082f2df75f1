"""Section HK: the election document, its group, and the trustees' keys (helios-server helios/crypto/algs.py
``EGPublicKey.validate_pk_params`` and ``verify_sk_proof``; helios/views.py, a trustee's ``public_key_hash``;
helios/models.py, the election key as the product of the trustees' keys)."""

from __future__ import annotations

from typing import Any, Iterator

from ..findings import Finding, failed, passed
from ..model import CannotRun
from .group import group_problems, json_hash, parse_integer
from .proofs import parse_dlog_proof, proof_finding, verify_dlog_proof


def check_documents(record) -> Iterator[Finding]:
    """(HK.1) the record's documents are readable: the election (a uuid, a public key, questions each with a
    list of answers, 0 <= min <= number of answers, max null or min <= max <= number of answers, a homomorphic
    tally) and the list of trustees; the voters, encrypted tally and result where the record holds them"""
    for part, reason in record.problems.items():
        yield failed("HK.1", f"the record's {part}", reason, record.names.get(part, part))
    election, origin = record.election, record.names["election"]
    if isinstance(election, dict):
        if not isinstance(election.get("uuid"), str) or not election["uuid"]:
            yield failed("HK.1", "election uuid", "the election has no uuid", f"{origin} uuid", found=election.get("uuid"))
        if not isinstance(election.get("questions"), list) or not election["questions"]:
            yield failed("HK.1", "election questions", "the election has no list of questions", f"{origin} questions")
        for i, question in enumerate(record.questions):
            problem = question_problem(question)
            if problem:
                yield failed("HK.1", f"question {i + 1}", problem, f"{origin} questions[{i}]")
    if record.trustees is not None and (not isinstance(record.trustees, list) or not record.trustees):
        yield failed("HK.1", "trustees", "the trustees document is not a non-empty list", record.names["trustees"])
    yield passed("HK.1", "election record", f"election {record.statistics.get('election')}", origin)


def question_problem(question: Any) -> str:
    """Why a question is not one Helios' homomorphic tally can count, or ''."""
    if not isinstance(question, dict) or not isinstance(question.get("answers"), list) or not question["answers"]:
        return "not a question with a list of answers"
    size, low, top = len(question["answers"]), question.get("min", 0), question.get("max")
    if low is None:
        low = 0
    if not isinstance(low, int) or isinstance(low, bool) or not 0 <= low <= size:
        return f"min {low!r} is not between 0 and the number of answers"
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or not low <= top <= size):
        return f"max {top!r} is not between min and the number of answers"
    return ""


def _group(record):
    if record.group is None:
        raise CannotRun(f"the election's public key is unreadable: {record.problems.get('public_key', '')}",
                        f"{record.names['election']} public_key")
    return record.group


def check_group(record) -> Iterator[Finding]:
    """(HK.2) the group {p, q, g}: p and q prime, q divides p-1, g of order q (1 < g < p-1 and g^q = 1 mod p),
    p of 2048 bits or more and q of 256 or more, as algs.py validate_pk_params requires"""
    group = _group(record)
    origin = f"{record.names['election']} public_key"
    for problem in group_problems(group):
        yield failed("HK.2", "election group", problem, origin)
    yield passed("HK.2", "election group", group.describe(), origin)


def _trustees(record) -> list[tuple[int, Any, str, str]]:
    """(number, trustee, subject, origin) of each trustee."""
    if not isinstance(record.trustees, list):
        raise CannotRun("the trustees are unreadable", record.names["trustees"])
    found = []
    for i, trustee in enumerate(record.trustees):
        email = trustee.get("email") if isinstance(trustee, dict) else None
        subject = f"trustee {i + 1}" + (f" ({email})" if isinstance(email, str) else "")
        found.append((i + 1, trustee if isinstance(trustee, dict) else {}, subject, f"{record.names['trustees']}[{i}]"))
    return found


def trustee_key(record, trustee: Any) -> Any:
    """The trustee's y, an element of the election's group, its p, q, g the election's; ValueError otherwise."""
    group = record.group
    key = trustee.get("public_key")
    if not isinstance(key, dict):
        raise ValueError("the trustee has no public key {p, q, g, y}")
    for name in ("p", "q", "g"):
        if parse_integer(key.get(name)) != getattr(group, name):
            raise ValueError(f"its {name} is not the election's")
    try:
        return group.element(key.get("y"))
    except ValueError as exc:
        raise ValueError(f"y: {exc}") from None


def check_trustee_keys(record) -> Iterator[Finding]:
    """(HK.3) each trustee's public key is in the election's group: the same p, q, g, and y in the subgroup

    (HK.4) each trustee's proof of knowledge of its secret key (pok): g^response = commitment * y^challenge,
    challenge = SHA1(commitment) mod q

    (HK.5) each trustee's public_key_hash is the hash of its public key's JSON"""
    group = _group(record)
    for _, trustee, subject, origin in _trustees(record):
        try:
            y = trustee_key(record, trustee)
            yield passed("HK.3", subject, origin=origin)
        except ValueError as exc:
            yield failed("HK.3", subject, str(exc), f"{origin}.public_key")
            y = None
        yield from _pok(group, y, trustee, subject, f"{origin}.pok")
        expected = json_hash(trustee.get("public_key"))
        if trustee.get("public_key_hash") != expected:
            yield failed("HK.5", subject, "public_key_hash is not the hash of the public key", f"{origin}.public_key_hash",
                         expected=expected, found=trustee.get("public_key_hash"))
        else:
            yield passed("HK.5", subject, origin=origin)


def _pok(group, y, trustee, subject, origin) -> Iterator[Finding]:
    if y is None:
        yield failed("HK.4", subject, "no proof can be checked for a public key not in the group (HK.3)", origin)
        return
    yield proof_finding("HK.4", subject, origin, "the proof of knowledge of the secret key",
                        lambda: verify_dlog_proof(group, y, parse_dlog_proof(group, trustee.get("pok"))))


def check_election_key(record) -> Iterator[Finding]:
    """(HK.6) the election's public key y is the product of the trustees' public keys"""
    group = _group(record)
    keys = []
    for _, trustee, subject, origin in _trustees(record):
        try:
            keys.append(trustee_key(record, trustee))
        except ValueError:
            raise CannotRun(f"{subject}'s public key is not in the group (HK.3)", origin) from None
    expected = group.product(keys)
    origin = f"{record.names['election']} public_key.y"
    if record.public_key != expected:
        yield failed("HK.6", "election public key", "y is not the product of the trustees' public keys", origin,
                     expected=expected, found=record.public_key)
    else:
        yield passed("HK.6", "election public key", f"the product of {len(keys)} trustees' keys", origin)
