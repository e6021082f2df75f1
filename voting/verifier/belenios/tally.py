"""Sections BT (encrypted tally, partial decryptions) and BR (result): Belenios spec (2.0) §"Encrypted tally",
§"Partial decryptions", §"Election result"; Belenios' own ``check_factor``, ``combine_factors`` and
``check_result`` (src/lib/v1/election.ml, trustees.ml, question_h.ml)."""

from __future__ import annotations

from typing import Any, Iterator

from ..findings import Finding, failed, not_applicable, passed
from ..model import CannotRun
from .proofs import ProofFailed, lagrange, parse_ciphertext, parse_proof, verify_decryption


def check_tallied(record, acc) -> Iterator[Finding]:
    """(BB.8) last(B): of the ballots cast with one credential only the last is tallied; the tallied ballots
    are counted"""
    record.statistics.update(ballots=acc.ballots, tallied=acc.tallied, total_weight=acc.total_weight)
    yield passed("BB.8", "ballots", f"{acc.ballots} ballots, {acc.tallied} tallied (the last of each credential), total weight {acc.total_weight}")


def _tally(record) -> tuple[Any, Any]:
    events = record.archive.of_type("EncryptedTally")
    if not events:
        return None, None
    try:
        sized = record.sized_tally()
        return sized, record.encrypted_tally()
    except (KeyError, ValueError, AttributeError) as exc:
        raise CannotRun(f"the encrypted tally is unreadable: {exc}", events[0].origin) from None


def check_encrypted_tally(record, acc) -> Iterator[Finding]:
    """(BT.1) the encrypted tally of each homomorphic question is the product of the tallied ballots' choices,
    each raised to its credential's weight
    (BT.2) num_tallied and total_weight are the number and total weight of the tallied ballots
    (BT.3) the encrypted tally of each non-homomorphic question lists the tallied ballots' ciphertexts, each
    once (in any order: Belenios 2.0 orders them by credential)"""
    sized, tally = _tally(record)
    if sized is None:
        for step in ("BT.1", "BT.2", "BT.3"):
            yield not_applicable(step, "encrypted tally", "the archive has no EncryptedTally event (the election is not tallied)")
        return
    group, origin = record.group, f"{sized.get('encrypted_tally')}.data.json"
    if not isinstance(tally, list) or len(tally) != len(record.questions):
        raise CannotRun("the encrypted tally has not one list per question", origin)
    for i, question in enumerate(record.questions):
        if i in record.nh_questions:
            continue
        expected = acc.products.get(i)
        try:
            found = [parse_ciphertext(group, c) for c in tally[i]]
        except (ValueError, TypeError) as exc:
            yield failed("BT.1", f"question {i + 1}", f"unreadable ciphertext: {exc}", f"{origin} [{i}]")
            continue
        if expected is None:
            expected = [(group.one, group.one)] * len(found)
        for j, (e, f) in enumerate(zip(expected, found)):
            if e != f:
                yield failed("BT.1", f"question {i + 1} › answer {j + 1}", "is not the product of the tallied ballots' choices",
                             f"{origin} [{i}][{j}]", expected=f"{group.to_text(e[0])},{group.to_text(e[1])}",
                             found=f"{group.to_text(f[0])},{group.to_text(f[1])}")
        if len(expected) != len(found):
            yield failed("BT.1", f"question {i + 1}", "not one ciphertext per choice", f"{origin} [{i}]", expected=len(expected), found=len(found))
        yield passed("BT.1", f"question {i + 1}")
    for key, value in (("num_tallied", acc.tallied), ("total_weight", acc.total_weight)):
        if sized.get(key) != value:
            yield failed("BT.2", "encrypted tally", f"{key} is not that of the tallied ballots", key, expected=value, found=sized.get(key))
    yield passed("BT.2", "encrypted tally", f"{acc.tallied} ballots, weight {acc.total_weight}")
    if not record.nh_questions:
        yield not_applicable("BT.3", "encrypted tally", "no non-homomorphic question")
        return
    ballots = record.tallied_nh_ciphertexts()
    for i in record.nh_questions:
        try:
            found = [parse_ciphertext(group, c) for c in tally[i]]
        except (ValueError, TypeError) as exc:
            yield failed("BT.3", f"question {i + 1}", f"unreadable ciphertext: {exc}", f"{origin} [{i}]")
            continue
        def as_text(c):
            return (group.to_text(c[0]), group.to_text(c[1]))

        if sorted(map(as_text, found)) != sorted(map(as_text, ballots[i])):  # belenios-tool 2.0 lists them by credential, not in last(B) order
            yield failed("BT.3", f"question {i + 1}", "is not the list of the tallied ballots' ciphertexts", f"{origin} [{i}]",
                         expected=f"{len(ballots[i])} ciphertexts", found=f"{len(found)} ciphertexts, not all the ballots'")
        else:
            yield passed("BT.3", f"question {i + 1}", f"{len(found)} ciphertexts")


def decrypted_ciphertexts(record, tally: list[Any]) -> list[list[tuple[Any, Any]]]:
    """a': the encrypted tally, with each non-homomorphic question's ciphertexts replaced by the last shuffle's."""
    group = record.group
    current = [[parse_ciphertext(group, c) for c in column] for column in tally]
    shuffles = record.shuffles()
    if record.nh_questions and shuffles:
        last = shuffles[-1]
        if last.payload is None:
            raise CannotRun(f"the last shuffle is unreadable: {last.problem}", last.origin)
        for position, i in enumerate(record.nh_questions):
            current[i] = [parse_ciphertext(group, c) for c in last.payload["ciphertexts"][position]]
    return current


def check_decryptions(record, acc) -> Iterator[Finding]:
    """(BT.4) each partial decryption names a trustee (owner), its decryption factors are group elements, one
    per ciphertext, each with a valid proof (challenge = H("decrypt|phi|X|A,B")) under that trustee's key
    (BT.5) every Single trustee, and at least threshold trustees of each Pedersen group, decrypted; the
    factors combine (Lagrange coefficients for Pedersen groups) into one factor per ciphertext"""
    sized, tally = _tally(record)
    pds = record.partial_decryptions()
    if sized is None or not pds:
        for step in ("BT.4", "BT.5"):
            yield not_applicable(step, "partial decryptions", "the archive has no partial decryption")
        return
    keys = record.trustee_keys()
    try:
        ciphertexts = decrypted_ciphertexts(record, tally)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise CannotRun(f"the ciphertexts to decrypt are unreadable: {exc}", "encrypted tally / last shuffle") from None
    valid: dict[int, list[list[Any]]] = {}
    for pd in pds:
        subject = f"partial decryption of trustee {pd.owner}"
        if pd.payload is None or pd.owner is None or not 1 <= pd.owner <= len(keys):
            yield failed("BT.4", subject, pd.problem or f"owner is not a trustee from 1 to {len(keys)}", pd.origin)
            continue
        if pd.owner in valid:
            yield failed("BT.4", subject, "a second partial decryption of this trustee", pd.origin)
            continue
        factors = yield from _check_factors(record, pd, keys[pd.owner - 1], ciphertexts, subject)
        if factors is not None:
            valid[pd.owner] = factors
    record.combined_factors = yield from _combine(record, valid)
    if record.combined_factors is not None:
        yield passed("BT.5", "partial decryptions", f"combined from trustees {sorted(valid)}")


def _check_factors(record, pd, key_value, ciphertexts, subject):
    group = record.group
    try:
        key = group.parse(key_value["public_key"])
        factors = [[group.parse(f) for f in row] for row in pd.payload["decryption_factors"]]
        proofs = [[parse_proof(group, p) for p in row] for row in pd.payload["decryption_proofs"]]
        if [len(r) for r in factors] != [len(c) for c in ciphertexts] or [len(r) for r in proofs] != [len(c) for c in ciphertexts]:
            raise ValueError("not one factor and one proof per ciphertext")
    except (ValueError, KeyError, TypeError) as exc:
        yield failed("BT.4", subject, f"unreadable: {exc}", pd.origin)
        return None
    ok = True
    for i, row in enumerate(ciphertexts):
        for j, (alpha, _) in enumerate(row):
            try:
                verify_decryption(group, record.fingerprint, key, alpha, factors[i][j], proofs[i][j])
            except ProofFailed as exc:
                ok = False
                yield failed("BT.4", f"{subject} › question {i + 1} › {j + 1}", exc.reason,
                             f"{pd.origin} decryption_proofs[{i}][{j}]", expected=exc.expected, found=exc.found)
    if ok:
        yield passed("BT.4", subject)
    return factors if ok else None


def _combine(record, valid: dict[int, list[list[Any]]]):
    """§"Election result": F = prod over trustees items of (Single: its factor; Pedersen: prod f^lambda)."""
    group, offset, parts = record.group, 0, []
    for t, item in enumerate(record.trustees):
        if item[0] == "Single":
            offset += 1
            if offset not in valid:
                yield failed("BT.5", f"trustee {offset} (Single)", "no valid partial decryption of this mandatory trustee", "PartialDecryption events")
                return None
            parts.append((valid[offset], 1))
            continue
        size, threshold = len(item[1]["verification_keys"]), item[1]["threshold"]
        chosen = [z for z in range(1, size + 1) if offset + z in valid][:threshold]
        if len(chosen) < threshold:
            yield failed("BT.5", f"trustee {t + 1} (Pedersen)", "fewer valid partial decryptions than the threshold",
                         "PartialDecryption events", expected=threshold, found=len(chosen))
            return None
        for z in chosen:
            parts.append((valid[offset + z], lagrange(group, chosen, z)))
        offset += size
    first = parts[0][0]
    return [[group.prod(group.pow(f[i][j], power) for f, power in parts) for j in range(len(first[i]))] for i in range(len(first))]


def check_result(record, acc) -> Iterator[Finding]:
    """(BR.1) the Result event's result has one list per question; for each homomorphic question and answer,
    g^result = beta / F (the combined decryption factor) with 0 <= result <= the total weight
    (BR.2) for each non-homomorphic question and ballot, the decoded plaintext of beta / F (group_decode) is
    the result's list of integers"""
    if not record.archive.of_type("Result"):
        for step in ("BR.1", "BR.2"):
            yield not_applicable(step, "result", "the archive has no Result event")
        return
    try:
        result = record.result()
    except (KeyError, ValueError) as exc:
        raise CannotRun(f"the result is unreadable: {exc}", "Result event") from None
    factors = getattr(record, "combined_factors", None)
    if factors is None:
        raise CannotRun("the decryption factors do not combine (BT.4, BT.5)", "PartialDecryption events")
    group = record.group
    _, tally = _tally(record)
    ciphertexts = decrypted_ciphertexts(record, tally)
    if not isinstance(result, list) or len(result) != len(ciphertexts):
        raise CannotRun("the result has not one list per question", "Result event")
    total_bad = 0
    for i, (row, counts) in enumerate(zip(ciphertexts, result)):
        step = "BR.2" if i in record.nh_questions else "BR.1"
        if not isinstance(counts, list) or len(counts) != len(row):
            yield failed(step, f"question {i + 1}", "not one result per ciphertext", f"result[{i}]", expected=len(row), found=counts)
            continue
        bad = 0
        for j, ((_, beta), count) in enumerate(zip(row, counts)):
            plain = group.div(beta, factors[i][j])
            reason = _wrong(group, plain, count, step, acc.total_weight, record.questions[i])
            if reason:
                bad += 1
                yield failed(step, f"question {i + 1} › {'ballot' if step == 'BR.2' else 'answer'} {j + 1}", reason,
                             f"result[{i}][{j}]", found=count)
        total_bad += bad
        if not bad:
            yield passed(step, f"question {i + 1}")
    if not record.nh_questions:
        yield not_applicable("BR.2", "result", "no non-homomorphic question")
    record.verified = None if total_bad else result


def _wrong(group, plain, count, step, total_weight, question) -> str:
    if step == "BR.2":
        n = len(question["value"]["answers"])
        if not isinstance(count, list) or group.to_ints(plain, n) != count:
            return "is not the decoded plaintext of the ciphertext"
        return ""
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    if not isinstance(count, int) or not 0 <= count <= total_weight:
        return f"is not a count from 0 to the total weight {total_weight}"
    return "" if group.pow(group.g, count) == plain else "g^result is not beta divided by the combined factor"


def verified_result(record, acc) -> dict[str, Any] | None:
    result = getattr(record, "verified", None)
    if result is None:
        return None
    questions = []
    for i, (question, counts) in enumerate(zip(record.questions, result)):
        if i in record.nh_questions:
            value = question["value"]
            questions.append({"question": value["question"], "answer_names": list(value.get("answers", [])), "ballots": counts})
            continue
        names = (["blank"] if question.get("blank") else []) + list(question["answers"])
        questions.append({"question": question["question"],
                          "answers": [{"answer": a, "count": int(c)} for a, c in zip(names, counts)]})
    return {"questions": questions}
