"""Sections BT (encrypted tally, partial decryptions) and BR (result) of a Belenios 1.x directory record:
spec 1.x §"Tally", §"Election result"; Belenios 1.x's ``verify`` (src/tool/tool_election.ml: the encrypted
tally recomputed from the ballots equals result.json's, ``check_result``) and ``combine_factors``
(src/lib/trustees.ml), which matches each partial decryption to the trustee whose key its proofs verify under
(a 1.x partial decryption does not name its trustee)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

from ..findings import Finding, failed, not_applicable, passed
from ..model import CannotRun
from .legacy import RESULT
from .legacy_proofs import verify_decryption
from .proofs import ProofFailed, parse_ciphertext, parse_proof
from .tally import _combine

STEPS = ("BT.1", "BT.2", "BT.3", "BT.4", "BT.5")


def _result(record) -> Any:
    result = record.result_file()
    if result is None and RESULT in record.problems:
        raise CannotRun(f"{RESULT} {record.problems[RESULT]}", RESULT)
    if result is not None and not isinstance(result, dict):
        raise CannotRun(f"{RESULT} is not an object {{num_tallied, encrypted_tally, partial_decryptions, result}}", RESULT)
    return result


def _tally(record, result) -> list[list[tuple[Any, Any]]]:
    group = record.need_group()
    tally = result.get("encrypted_tally")
    try:
        if not isinstance(tally, list) or len(tally) != len(record.questions):
            raise ValueError("not one list per question")
        return [[parse_ciphertext(group, c) for c in column] for column in tally]
    except (ValueError, TypeError) as exc:
        raise CannotRun(f"the encrypted tally is unreadable: {exc}", f"{RESULT} encrypted_tally") from None


def check_encrypted_tally(record, acc) -> Iterator[Finding]:
    """(BT.1) result.json's encrypted tally is, for each question and answer, the product of the ballots'
    ciphertexts, each raised to its credential's weight
    (BT.2) num_tallied is the total weight of the ballots (the number of ballots when unweighted)"""
    result = _result(record)
    if result is None:
        for step in ("BT.1", "BT.2"):
            yield not_applicable(step, "encrypted tally", f"no {RESULT}: the election is not tallied")
        return
    group, tally = record.need_group(), _tally(record, result)
    for i, found in enumerate(tally):
        expected = acc.products.get(i) or [(group.one, group.one)] * len(found)
        if len(expected) != len(found):
            yield failed("BT.1", f"question {i + 1}", "not one ciphertext per choice", f"{RESULT} encrypted_tally[{i}]",
                         expected=len(expected), found=len(found))
            continue
        bad = 0
        for j, (e, f) in enumerate(zip(expected, found)):
            if e != f:
                bad += 1
                yield failed("BT.1", f"question {i + 1} › choice {j + 1}", "is not the product of the ballots' ciphertexts",
                             f"{RESULT} encrypted_tally[{i}][{j}]", expected=f"{group.to_text(e[0])},{group.to_text(e[1])}",
                             found=f"{group.to_text(f[0])},{group.to_text(f[1])}")
        if not bad:
            yield passed("BT.1", f"question {i + 1}")
    if result.get("num_tallied") != acc.total_weight:
        yield failed("BT.2", "encrypted tally", "num_tallied is not the total weight of the ballots", f"{RESULT} num_tallied",
                     expected=acc.total_weight, found=result.get("num_tallied"))
    else:
        yield passed("BT.2", "encrypted tally", f"num_tallied {acc.total_weight}")


def no_shuffled_tally(record, acc) -> Iterator[Finding]:
    """(BT.3) (2.0: the non-homomorphic questions' ciphertexts) not applicable: the 1.x records read here have homomorphic questions only"""
    yield not_applicable("BT.3", "encrypted tally", "no non-homomorphic question (1.x records with them are refused as not supported)")


def no_decoded_ballots(record, acc) -> Iterator[Finding]:
    """(BR.2) (2.0: the decoded non-homomorphic ballots) not applicable: homomorphic questions only"""
    yield not_applicable("BR.2", "result", "no non-homomorphic question")


def _combined(record, valid):
    """The 2.0 combination of factors (tally.py), its findings naming result.json's partial decryptions."""
    inner = _combine(record, valid)
    while True:
        try:
            finding = next(inner)
        except StopIteration as stop:
            return stop.value
        yield replace(finding, origin=f"{RESULT} partial_decryptions")


def _owner(group, keys, factors, proofs, tally) -> int | None:
    """The trustee (1-based, flattened) whose key the first proofs verify under, as 1.x's combine_factors finds it."""
    positions = [(i, j) for i, row in enumerate(tally) for j in range(len(row))][:3]
    for t, key in enumerate(keys, start=1):
        for i, j in positions:
            try:
                verify_decryption(group, key, tally[i][j][0], factors[i][j], proofs[i][j])
                return t
            except ProofFailed:
                continue
    return None


def check_decryptions(record, acc) -> Iterator[Finding]:
    """(BT.4) each partial decryption of result.json has one factor (a group element) and one proof per
    ciphertext, every proof valid (A = g^response / X^challenge, B = alpha^response / factor^challenge,
    challenge = H("decrypt|X|A,B")) under the key of the trustee it is matched to, each trustee once
    (BT.5) every Single trustee, and at least threshold trustees of each Pedersen group, decrypted; the
    factors combine (Lagrange coefficients for Pedersen groups) into one factor per ciphertext"""
    result = _result(record)
    if result is None:
        for step in ("BT.4", "BT.5"):
            yield not_applicable(step, "partial decryptions", f"no {RESULT}: the election is not tallied")
        return
    group, tally = record.need_group(), _tally(record, result)
    try:
        keys = [group.parse(k["public_key"]) for k in record.trustee_keys()]
    except (ValueError, KeyError, TypeError) as exc:
        raise CannotRun(f"a trustee's key is unreadable: {exc}", record.trustees_origin) from None
    pds = result.get("partial_decryptions")
    if not isinstance(pds, list) or not pds:
        raise CannotRun("result.json has no partial decryptions", f"{RESULT} partial_decryptions")
    valid: dict[int, list[list[Any]]] = {}
    for k, pd in enumerate(pds):
        subject, origin = f"partial decryption {k + 1}", f"{RESULT} partial_decryptions[{k}]"
        try:
            factors = [[group.parse(f) for f in row] for row in pd["decryption_factors"]]
            proofs = [[parse_proof(group, p) for p in row] for row in pd["decryption_proofs"]]
            if [len(r) for r in factors] != [len(c) for c in tally] or [len(r) for r in proofs] != [len(c) for c in tally]:
                raise ValueError("not one factor and one proof per ciphertext")
        except (ValueError, KeyError, TypeError) as exc:
            yield failed("BT.4", subject, f"unreadable: {exc}", origin)
            continue
        owner = _owner(group, keys, factors, proofs, tally)
        if owner is None:
            yield failed("BT.4", subject, "its proofs verify under no trustee's key", origin + " decryption_proofs")
            continue
        subject = f"{subject} (trustee {owner})"
        if owner in valid:
            yield failed("BT.4", subject, "a second partial decryption of this trustee (Belenios 1.x refuses an unused one)", origin)
            continue
        ok = True
        for i, row in enumerate(tally):
            for j, (alpha, _) in enumerate(row):
                try:
                    verify_decryption(group, keys[owner - 1], alpha, factors[i][j], proofs[i][j])
                except ProofFailed as exc:
                    ok = False
                    yield failed("BT.4", f"{subject} › question {i + 1} › choice {j + 1}", exc.reason,
                                 f"{origin} decryption_proofs[{i}][{j}]", expected=exc.expected, found=exc.found)
        if ok:
            valid[owner] = factors
            yield passed("BT.4", subject)
    record.combined_factors = yield from _combined(record, valid)
    if record.combined_factors is not None:
        yield passed("BT.5", "partial decryptions", f"combined from trustees {sorted(valid)}")


def check_result(record, acc) -> Iterator[Finding]:
    """(BR.1) result.json's result has one list per question and one count per choice; for each,
    g^result = beta / F (the combined decryption factor) with 0 <= result <= num_tallied"""
    result = _result(record)
    if result is None:
        yield not_applicable("BR.1", "result", f"no {RESULT}: the election is not tallied")
        return
    factors = getattr(record, "combined_factors", None)
    if factors is None:
        raise CannotRun("the decryption factors do not combine (BT.4, BT.5)", f"{RESULT} partial_decryptions")
    group, tally, counts = record.need_group(), _tally(record, result), result.get("result")
    bound = result.get("num_tallied") if isinstance(result.get("num_tallied"), int) else acc.total_weight
    if not isinstance(counts, list) or len(counts) != len(tally):
        raise CannotRun("the result has not one list per question", f"{RESULT} result")
    bad = 0
    for i, (row, column) in enumerate(zip(tally, counts)):
        if not isinstance(column, list) or len(column) != len(row):
            bad += 1
            yield failed("BR.1", f"question {i + 1}", "not one count per choice", f"{RESULT} result[{i}]", expected=len(row), found=column)
            continue
        for j, ((_, beta), count) in enumerate(zip(row, column)):
            plain = group.div(beta, factors[i][j])
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= bound:
                reason = f"is not a count from 0 to num_tallied {bound}"
            elif group.pow(group.g, count) != plain:
                reason = "g^result is not beta divided by the combined factor"
            else:
                continue
            bad += 1
            yield failed("BR.1", f"question {i + 1} › choice {j + 1}", reason, f"{RESULT} result[{i}][{j}]", found=count)
    if not bad:
        yield passed("BR.1", "result", f"{len(counts)} questions")
    record.verified = None if bad else counts
