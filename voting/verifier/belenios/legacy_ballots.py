"""Section BB of a Belenios 1.x directory record, run in the worker processes on each line of ballots.jsons:
spec 1.x §"Ballots", §"Signatures", §"Encrypted answers", §"Proofs of interval membership", §"Proofs of
possibly-blank votes"; Belenios 1.x's ``check_ballot`` (src/lib/election.ml) and ``verify_answer``
(src/lib/question_h.ml), and its ``verify``, which refuses a credential used twice."""

from __future__ import annotations

from typing import Iterator

from ..findings import Finding, failed, not_applicable, passed
from ..model import CannotRun
from ..readers.files import parse_json
from .ballots import AnswerRules, homomorphic_answer
from .legacy import BALLOTS, credential_key, fingerprint_of
from .legacy_proofs import blank_prefix, verify_interval, verify_signature
from .proofs import ProofFailed, parse_ciphertext, parse_proof

BALLOT_FIELDS = {"answers", "election_hash", "election_uuid", "signature"}


def check_ballot(setting, item, acc) -> Iterator[Finding]:
    """(BB.1) each line of ballots.jsons is a ballot {answers, election_hash, election_uuid, signature}
    (BB.2) the ballot's election_uuid and election_hash are the election's uuid and fingerprint
    (BB.3) its signature's public_key (the credential) is a group element found in public_creds.txt
    (BB.4) (2.0: signature.hash is the hash of the ballot) not applicable: a 1.x signature signs the ciphertexts themselves (BB.5)
    (BB.5) the signature proves knowledge of the credential's secret over every ciphertext of the ballot
    (challenge = H("sig|S|A|alpha_1,beta_1,..."))
    (BB.6) each choice is proved to encrypt 0 or 1 (H("prove|S|alpha,beta|..."))
    (BB.7) each answer's overall proof (the sum in min..max) or, for a question allowing blank, its blank
    proof (m_0 = 0 or sum = 0) and overall proof (m_0 = 1 or sum in min..max), hashed with "S|g,y,..."
    """
    if setting.group is None:
        raise CannotRun("the election's group is unreadable (BS.2)", "election.json public_key")
    group, subject, origin = setting.group, item.subject, f"{BALLOTS} line {item.index}"
    acc.ballots += 1
    if item.raw is None:
        yield failed("BB.1", subject, item.problem, origin)
        return
    try:
        ballot = parse_json(item.raw)
        if not isinstance(ballot, dict) or set(ballot) != BALLOT_FIELDS or not isinstance(ballot["signature"], dict):
            raise ValueError(f"fields {sorted(ballot)[:8] if isinstance(ballot, dict) else type(ballot).__name__}, not {sorted(BALLOT_FIELDS)}")
    except ValueError as exc:
        yield failed("BB.1", subject, str(exc), origin)
        return
    subject = f"ballot {item.index} (tracker {fingerprint_of(item.raw)})"
    yield passed("BB.1", subject)
    yield not_applicable("BB.4", subject, "Belenios 1.x signs the ballot's ciphertexts, not a hash of the ballot (BB.5)")
    if ballot["election_uuid"] != setting.uuid:
        yield failed("BB.2", subject, "election_uuid is not the election's", origin + " election_uuid",
                     expected=setting.uuid, found=ballot["election_uuid"])
    elif ballot["election_hash"] != setting.fingerprint:
        yield failed("BB.2", subject, "election_hash is not the election's fingerprint", origin + " election_hash",
                     expected=setting.fingerprint, found=ballot["election_hash"])
    else:
        yield passed("BB.2", subject)
    signature = ballot["signature"]
    text = signature.get("public_key")
    try:
        if not isinstance(text, str):
            raise ValueError("not a string")
        credential = group.parse(text)
    except ValueError as exc:
        yield failed("BB.3", subject, f"signature.public_key: {exc}", origin + " signature.public_key")
        return
    weight = setting.weights.get(credential_key(text))
    if weight is None:
        yield failed("BB.3", subject, "its credential is not in public_creds.txt", origin + " signature.public_key", found=text[:80])
    else:
        acc.use_credential(credential_key(text), item.index)  # a second ballot of a credential: BB.8
        yield passed("BB.3", subject)
    answers = ballot["answers"] if isinstance(ballot["answers"], list) else []
    if len(answers) != len(setting.questions):
        yield failed("BB.6", subject, "not one answer per question", origin + " answers", expected=len(setting.questions), found=len(answers))
        return
    ciphertexts = []
    for i, (question, answer) in enumerate(zip(setting.questions, answers)):
        choices = yield from _answer(setting, question, answer, text, f"{subject} › question {i + 1}", f"{origin} answers[{i}]")
        ciphertexts.append(choices)
    try:
        flat = [c for a in answers for c in map(lambda v: parse_ciphertext(group, v), a["choices"])]
        verify_signature(group, credential, flat, parse_proof(group, signature))
        yield passed("BB.5", subject)
    except (ValueError, KeyError, TypeError) as exc:
        yield failed("BB.5", subject, f"signature: {exc}", origin + " signature")
    except ProofFailed as exc:
        yield failed("BB.5", subject, exc.reason, origin + " signature", expected=exc.expected, found=exc.found)
    if weight is not None and all(c is not None for c in ciphertexts):
        acc.count(group, ciphertexts, weight)


LEGACY_RULES = AnswerRules(
    fields_ok=lambda answer, blank: isinstance(answer, dict)
    and set(answer) - {"blank_proof"} == {"choices", "individual_proofs", "overall_proof"}
    and ("blank_proof" in answer) == blank,
    interval=verify_interval,  # 1.x: "prove|S|alpha,beta|..." with S the credential
    overall_prefix=lambda credential_text, texts: credential_text,
    blank_prefix=lambda group, y, credential_text, blank, total: blank_prefix(group, y, credential_text, blank, total),
)


def _answer(setting, question, answer, credential_text, subject, origin):
    """BB.6/BB.7 for one answer under 1.x's proofs; returns its ciphertexts (None when unreadable or not proved)."""
    return (yield from homomorphic_answer(setting.group, setting.public_key, question, answer, credential_text, subject,
                                          origin, LEGACY_RULES))


def check_counted(record, acc) -> Iterator[Finding]:
    """(BB.8) no credential signs two ballots (ballots.jsons holds each voter's last ballot only: Belenios
    1.x's verify refuses a credential used twice); the ballots are counted"""
    for index, first in acc.duplicates:
        yield failed("BB.8", f"ballot {index} ({BALLOTS} line {index})", "its credential already signed another ballot",
                     f"{BALLOTS} line {index}", expected="one ballot per credential", found=f"also ballot {first}")
    record.statistics.update(ballots=acc.ballots, tallied=acc.tallied, total_weight=acc.total_weight)
    yield passed("BB.8", "ballots", f"{acc.ballots} ballots, {acc.tallied} counted, total weight {acc.total_weight}")
