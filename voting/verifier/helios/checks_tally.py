"""Sections HT and HR: the homomorphic tally, the trustees' decryption factors and the result, as helios-server's
workflows/homomorphic.py ``Tally`` computes and checks them (``add_vote``, ``verify_decryption_proofs``,
``decrypt_from_factors``), recomputed from the cast votes."""

from __future__ import annotations

from typing import Any, Iterator

from ..findings import Finding, Status, failed, not_applicable, passed
from ..model import CannotRun
from .checks_keys import trustee_key
from .proofs import parse_zk_proof, proof_finding, verify_decryption_proof


def _products(record, acc) -> list[list[tuple[Any, Any]]]:
    if record.group is None:
        raise CannotRun("the election's public key is unreadable", f"{record.names['election']} public_key")
    one = (1, 1)
    return acc.products or [[one] * len(q.get("answers", [])) for q in record.questions]


def check_encrypted_tally(record, acc) -> Iterator[Finding]:
    """(HT.1) the encrypted tally, recomputed: for each answer the product of the cast votes' ciphertexts;
    where the record holds Helios' encrypted tally, it equals it and its num_tallied is the number of cast votes"""
    products = _products(record, acc)
    recorded, origin = record.encrypted_tally, record.names["tally"]
    if recorded is None:
        yield passed("HT.1", "encrypted tally", f"recomputed from {acc.tallied} cast votes; the record holds none to compare",
                     record.names["ballots"])
        return
    tally = recorded.get("tally") if isinstance(recorded, dict) else None
    if recorded.get("num_tallied") != acc.ballots if isinstance(recorded, dict) else True:
        yield failed("HT.1", "encrypted tally", "num_tallied is not the number of cast votes", f"{origin}.num_tallied",
                     expected=acc.ballots, found=recorded.get("num_tallied") if isinstance(recorded, dict) else None)
    if not isinstance(tally, list) or [len(r) if isinstance(r, list) else None for r in tally] != [len(r) for r in products]:
        yield failed("HT.1", "encrypted tally", "the tally is not one ciphertext per answer of each question", f"{origin}.tally")
        return
    for qi, row in enumerate(products):
        for ai, (alpha, beta) in enumerate(row):
            found = tally[qi][ai]
            if not isinstance(found, dict) or (str(found.get("alpha")), str(found.get("beta"))) != (str(alpha), str(beta)):
                yield failed("HT.1", f"encrypted tally › question {qi + 1} › answer {ai + 1}",
                             "the recorded ciphertext is not the product of the cast votes'", f"{origin}.tally[{qi}][{ai}]",
                             expected=f"alpha {alpha}", found=f"alpha {found.get('alpha') if isinstance(found, dict) else found}")
    yield passed("HT.1", "encrypted tally", f"the product of {acc.tallied} cast votes", origin)


def _tallied(record) -> bool:
    """Whether the election was tallied: some trustee has decryption factors, or there is a result."""
    trustees = record.trustees if isinstance(record.trustees, list) else []
    return record.result is not None or any(isinstance(t, dict) and t.get("decryption_factors") is not None for t in trustees)


def _factors(record, trustee: Any, products) -> list[list[Any]]:
    """The trustee's decryption factors, one group element per answer; ValueError naming the one that is not."""
    factors = trustee.get("decryption_factors")
    if not isinstance(factors, list) or [len(r) if isinstance(r, list) else None for r in factors] != [len(r) for r in products]:
        raise ValueError("decryption_factors is not one factor per answer of each question", "")
    parsed = []
    for qi, row in enumerate(factors):
        parsed_row = []
        for ai, value in enumerate(row):
            try:
                parsed_row.append(record.group.element(value))
            except ValueError as exc:
                raise ValueError(f"question {qi + 1} › answer {ai + 1}: {exc}", f"[{qi}][{ai}]") from None
        parsed.append(parsed_row)
    return parsed


def check_decryptions(record, acc) -> Iterator[Finding]:
    """(HT.2) each trustee's decryption factors: one per answer of each question, each in the subgroup of order q

    (HT.3) each decryption factor's proof: log_g(trustee's y) = log_alpha(factor) for the recomputed tally's
    alpha (g^response = A * y^challenge, alpha^response = B * factor^challenge, challenge = SHA1(A, B))"""
    products = _products(record, acc)
    if not _tallied(record):
        for step in ("HT.2", "HT.3"):
            yield not_applicable(step, "trustees", "the election was not tallied: no decryption factors, no result",
                                 record.names["trustees"])
        return
    from .checks_keys import _trustees

    group = record.group
    record.factors = []
    for _, trustee, subject, origin in _trustees(record):
        try:
            factors = _factors(record, trustee, products)
            y = trustee_key(record, trustee)
        except ValueError as exc:
            where = exc.args[1] if len(exc.args) > 1 else ""
            yield failed("HT.2", subject, str(exc.args[0]), f"{origin}.decryption_factors{where}")
            yield not_applicable("HT.3", subject, "its factors or key are unreadable (HT.2, HK.3)", origin)
            record.factors.append(None)
            continue
        yield passed("HT.2", subject, origin=origin)
        record.factors.append(factors)
        proofs = trustee.get("decryption_proofs")
        ok = True
        for qi, row in enumerate(products):
            for ai, (alpha, _) in enumerate(row):
                where = f"{origin}.decryption_proofs[{qi}][{ai}]"
                named = f"{subject} › question {qi + 1} › answer {ai + 1}"
                finding = proof_finding("HT.3", named, where, "the decryption factor's proof", lambda: verify_decryption_proof(
                    group, y, alpha, factors[qi][ai], parse_zk_proof(group, proofs[qi][ai])))
                if finding.status != Status.PASSED:
                    ok = False
                    yield finding
        if ok:
            yield passed("HT.3", subject, origin=origin)


def check_counts(record, acc) -> Iterator[Finding]:
    """(HR.1) each answer's count: beta / (product of the trustees' factors) = g^count, with 0 <= count <=
    the number of cast votes (Tally.decrypt_from_factors)

    (HR.2) the published result equals the counts, question by question and answer by answer"""
    products = _products(record, acc)
    if not _tallied(record):
        for step in ("HR.1", "HR.2"):
            yield not_applicable(step, "result", "the election was not tallied: no decryption factors, no result",
                                 record.names["result"])
        return
    factors = getattr(record, "factors", None)
    if not factors or any(f is None for f in factors):
        raise CannotRun("some trustee's decryption factors are unreadable (HT.2)", record.names["trustees"])
    group = record.group
    table = {}
    value = 1
    for count in range(acc.ballots + 1):
        table[value] = count
        value = value * group.g % group.p
    counts: list[list[Any]] = []
    ok = True
    for qi, row in enumerate(products):
        counts.append([])
        for ai, (_, beta) in enumerate(row):
            plain = group.div(beta, group.product([f[qi][ai] for f in factors]))
            found = table.get(int(plain))
            if found is None:
                ok = False
                yield failed("HR.1", f"result › question {qi + 1} › answer {ai + 1}",
                             f"beta / factors is not g^n for any n from 0 to {acc.ballots}",
                             f"{record.names['trustees']} decryption_factors[{qi}][{ai}]")
            counts[-1].append(found)
    if not ok:
        yield failed("HR.2", "result", "the published result cannot be compared: some counts were not decrypted (HR.1)",
                     record.names["result"])
        return
    yield passed("HR.1", "result", f"{sum(len(row) for row in counts)} answers decrypted", record.names["trustees"])
    record.counts = counts
    if record.result is None:
        yield failed("HR.2", "result", "the record holds no result, though the trustees decrypted the tally",
                     record.names["result"], expected=counts)
    elif record.result != counts:
        for qi, row in enumerate(counts):
            found = record.result[qi] if isinstance(record.result, list) and qi < len(record.result) else None
            if found != row:
                yield failed("HR.2", f"result › question {qi + 1}", "the published counts differ from the decrypted ones",
                             f"{record.names['result']}[{qi}]", expected=row, found=found)
        if not isinstance(record.result, list) or len(record.result) != len(counts):
            yield failed("HR.2", "result", "the result does not have one list of counts per question", record.names["result"])
    else:
        yield passed("HR.2", "result", "the published result is the decrypted tally", record.names["result"])
