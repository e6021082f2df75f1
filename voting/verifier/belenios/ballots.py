"""Section BB (ballots), run in the worker processes on each Ballot event: Belenios spec (2.0) §"Ballots",
§"Signatures", §"Encrypted answers", §"Proofs of interval membership", §"Proofs of possibly-blank votes";
Belenios' own ``check_ballot`` (src/lib/v1/election.ml) and ``verify_answer`` (src/lib/v1/question_h.ml)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..findings import Finding, failed, not_applicable, passed
from ..readers.files import parse_json
from .archive import check_digest
from .proofs import (
    ProofFailed,
    combine,
    parse_ciphertext,
    parse_proof,
    parse_proofs,
    verify_ballot_signature,
    verify_blank,
    verify_interval,
    verify_overall_blank,
)
from .reader import credential_key, fingerprint_of

BALLOT_FIELDS = ["election_uuid", "election_hash", "credential", "answers", "signature"]
ANSWER_FIELDS = (["choices", "individual_proofs", "overall_proof"], ["choices", "individual_proofs", "overall_proof", "blank_proof"],
                 ["choices", "proof"])


def check_ballot(setting, item, acc) -> Iterator[Finding]:
    """(BB.1) the Ballot event's payload is present, named by its SHA256, a ballot structure in Belenios'
    canonical serialization (compact, fields in the specification's order)
    (BB.2) the ballot's election_uuid and election_hash are the election's uuid and fingerprint
    (BB.3) its credential is a group element found in the public credentials
    (BB.4) signature.hash is Hash_JSON of the ballot without its signature
    (BB.5) the signature proves knowledge of the credential's secret (challenge = H("sig|hash|A"))
    (BB.6) each choice of a homomorphic answer is proved to encrypt 0 or 1 (iprove with S0 = phi|credential)
    (BB.7) each homomorphic answer's overall proof (min..max of the sum) and, for a question allowing blank,
    its blank proof (m_0 = 0 or sum = 0) and overall proof (m_0 = 1 or sum in min..max) hold"""
    group, subject = setting.group, f"ballot {item.index} ({item.event.origin})"
    acc.ballots += 1
    if item.raw is None:
        yield failed("BB.1", subject, item.problem, item.event.origin)
        return
    try:
        check_digest(item.event.payload, item.raw)
        ballot = parse_json(item.raw)
        if not isinstance(ballot, dict) or list(ballot) != BALLOT_FIELDS:
            raise ValueError(f"fields {list(ballot)[:8] if isinstance(ballot, dict) else type(ballot).__name__}, not {BALLOT_FIELDS}")
        canonical = json.dumps(ballot, separators=(",", ":"), ensure_ascii=False).encode()
        if canonical != item.raw:
            raise ValueError("not in Belenios' canonical serialization (compact JSON)")
    except ValueError as exc:
        yield failed("BB.1", subject, str(exc), f"{item.event.payload}.data.json")
        return
    tracker = fingerprint_of(item.raw)
    subject = f"ballot {item.index} (tracker {tracker})"
    origin = f"{item.event.payload}.data.json"
    yield passed("BB.1", subject)
    yield from _election(setting, ballot, subject, origin)
    try:
        credential = group.parse(ballot["credential"])
    except ValueError as exc:
        yield failed("BB.3", subject, f"credential: {exc}", origin + " credential")
        return
    weight = setting.weights.get(credential_key(ballot["credential"]))
    if weight is None:
        yield failed("BB.3", subject, "its credential is not in the public credentials", origin + " credential",
                     found=ballot["credential"][:80])
    else:
        yield passed("BB.3", subject)
    without = {k: v for k, v in ballot.items() if k != "signature"}
    expected_hash = fingerprint_of(json.dumps(without, separators=(",", ":"), ensure_ascii=False).encode())
    signature = ballot["signature"] if isinstance(ballot["signature"], dict) else {}
    if signature.get("hash") != expected_hash:
        yield failed("BB.4", subject, "signature.hash is not the hash of the ballot without its signature",
                     origin + " signature.hash", expected=expected_hash, found=signature.get("hash"))
    else:
        yield passed("BB.4", subject)
    try:
        verify_ballot_signature(group, credential, str(signature.get("hash")), parse_proof(group, signature.get("proof")))
        yield passed("BB.5", subject)
    except ValueError as exc:
        yield failed("BB.5", subject, f"signature.proof: {exc}", origin + " signature.proof")
    except ProofFailed as exc:
        yield failed("BB.5", subject, exc.reason, origin + " signature.proof", expected=exc.expected, found=exc.found)
    prefix = f"{setting.fingerprint}|{ballot['credential']}"
    answers = ballot["answers"] if isinstance(ballot["answers"], list) else []
    if len(answers) != len(setting.questions):
        yield failed("BB.6", subject, "not one answer per question", origin + " answers",
                     expected=len(setting.questions), found=len(answers))
        return
    ciphertexts = []
    for i, (question, answer) in enumerate(zip(setting.questions, answers)):
        where = f"{subject} › question {i + 1}"
        choices = yield from _answer(setting, question, answer, prefix, where, f"{origin} answers[{i}]")
        ciphertexts.append(choices)
    if item.tallied and weight is not None and all(c is not None for c in ciphertexts):
        acc.add(group, ciphertexts, weight, setting.nh)


def _election(setting, ballot, subject, origin) -> Iterator[Finding]:
    if ballot["election_uuid"] != setting.uuid:
        yield failed("BB.2", subject, "election_uuid is not the election's", origin + " election_uuid",
                     expected=setting.uuid, found=ballot["election_uuid"])
    elif ballot["election_hash"] != setting.fingerprint:
        yield failed("BB.2", subject, "election_hash is not the election's fingerprint", origin + " election_hash",
                     expected=setting.fingerprint, found=ballot["election_hash"])
    else:
        yield passed("BB.2", subject)


def _answer(setting, question, answer, prefix, subject, origin):
    """BB.6/BB.7 for one answer; returns its parsed ciphertexts (None when unreadable or not proved)."""
    if question.get("type") == "NonHomomorphic":
        yield not_applicable("BB.6", subject, "non-homomorphic question (its proof: section BM)")
        yield not_applicable("BB.7", subject, "non-homomorphic question (section BM)")
        try:
            return parse_ciphertext(setting.group, answer["choices"])
        except (ValueError, KeyError, TypeError) as exc:
            yield failed("BB.6", subject, f"choices: {exc}", origin)
            return None
    return (yield from homomorphic_answer(setting.group, setting.public_key, question, answer, prefix, subject, origin))


@dataclass(frozen=True)
class AnswerRules:
    """How a version of Belenios writes and proves a homomorphic answer: the answer's fields (``fields_ok``),
    the interval proofs (``interval``), the prefix hashed by the overall proof (``overall_prefix(prefix,
    ciphertexts' text)``) and by the blank proofs (``blank_prefix(group, y, overall prefix, blank, total)``).
    2.0: :data:`RULES`; 1.x: legacy_ballots.LEGACY_RULES."""

    fields_ok: Callable[[Any, bool], bool]
    interval: Callable[..., None]
    overall_prefix: Callable[[str, str], str]
    blank_prefix: Callable[..., str]


RULES = AnswerRules(
    fields_ok=lambda answer, blank: isinstance(answer, dict) and list(answer) == ANSWER_FIELDS[1 if blank else 0],
    interval=verify_interval,
    overall_prefix=lambda prefix, texts: f"{prefix}|{texts}",  # S = S0|alpha_1,beta_1,...
    blank_prefix=lambda group, y, full, blank, total: full,
)


def homomorphic_answer(group, y, question, answer, prefix, subject, origin, rules: AnswerRules = RULES):
    """BB.6/BB.7 for one homomorphic answer under ``rules``; returns its ciphertexts (None when unreadable or
    not proved)."""
    blank = bool(question.get("blank"))
    n = len(question["answers"]) + (1 if blank else 0)
    try:
        if not rules.fields_ok(answer, blank):
            raise ValueError(f"fields {list(answer)[:6] if isinstance(answer, dict) else answer!r}, not Belenios' answer fields")
        choices = [parse_ciphertext(group, c) for c in answer["choices"]]
        individual = [parse_proofs(group, p) for p in answer["individual_proofs"]]
        overall = parse_proofs(group, answer["overall_proof"])
        if len(choices) != n or len(individual) != n:
            raise ValueError(f"{len(choices)} choices and {len(individual)} proofs, not {n}")
    except (ValueError, KeyError, TypeError) as exc:
        yield failed("BB.6", subject, f"unreadable answer: {exc}", origin)
        return None
    ok = True
    for j, (c, p) in enumerate(zip(choices, individual)):
        try:
            rules.interval(group, y, prefix, c, (0, 1), p)
        except ProofFailed as exc:
            ok = False
            yield failed("BB.6", f"{subject} › choice {j + 1}", exc.reason, f"{origin}.individual_proofs[{j}]",
                         expected=exc.expected, found=exc.found)
    if ok:
        yield passed("BB.6", subject)
    full = rules.overall_prefix(prefix, ",".join(f"{group.to_text(a)},{group.to_text(b)}" for a, b in choices))
    lo, hi = question["min"], question["max"]
    try:
        if blank:
            total = combine(group, choices[1:])
            hashed = rules.blank_prefix(group, y, full, choices[0], total)
            verify_blank(group, y, hashed, choices[0], total, parse_proofs(group, answer["blank_proof"]))
            verify_overall_blank(group, y, hashed, choices[0], total, lo, hi, overall)
        else:
            rules.interval(group, y, full, combine(group, choices), range(lo, hi + 1), overall)
        yield passed("BB.7", subject)
    except ValueError as exc:
        yield failed("BB.7", subject, f"blank_proof: {exc}", origin + ".blank_proof")
        return None
    except ProofFailed as exc:
        yield failed("BB.7", subject, exc.reason, origin + (".blank_proof/overall_proof" if blank else ".overall_proof"),
                     expected=exc.expected, found=exc.found)
        return None
    return choices if ok else None
