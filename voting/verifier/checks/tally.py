"""Verifications 9-11: the decrypted tally (SPEC v2.0.0 §6.2.5-6.2.6)."""

from __future__ import annotations

from typing import Iterator

from ...decryption import DecryptionProof, check_tally_value, verify_contest_data_decryption, verify_decryption
from ...errors import InvalidProof
from ...hashed_elgamal import HashedCiphertext
from ...manifest import Contest
from ..findings import Finding, failed, not_applicable, passed
from ..model import (
    CannotRun,
    ContestDataDecryption,
    Conventions,
    DecryptedSelection,
    ElectionRecord,
    StreamSummary,
    TallyEntry,
    Unreadable,
    require,
)
from .chaining import complete
from .common import election_context, in_Zq, proof_finding, recorded_element, scalar, unreadable_finding


def v9_tally_decryption(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 9 (Correctness of tally decryptions).

    For each option in each contest on each tally, an election verifier must compute the values
    (9.1) M = B · T^{−1} mod p, (9.2) a = g^v · K^c mod p, (9.3) b = A^v · M^c mod p.
    An election verifier must then confirm the following:

    (9.A) The given value v is in the set Z_q.
    (9.B) The challenge value c satisfies c = H(H_E; 0x30, K, A, B, a, b, M).

    (A, B) is taken from the encrypted tally (which Verification 8 checks). Precondition (9): every decrypted
    option has an encrypted tally entry, and where the decrypted tally repeats (A, B) it is that entry.
    """
    tally = require(record.decrypted_tally, "decrypted tally")
    encrypted = require(record.encrypted_tally, "encrypted tally")
    context = election_context(record)
    entries = {(e.contest, e.option): e for e in encrypted.entries}
    for contest in tally.contests:
        for selection in contest.selections:
            if isinstance(selection, Unreadable):
                yield unreadable_finding("9", f"tally › {contest.contest}", selection)
                yield failed("9.B", f"tally › {contest.contest}", "not verified: the decryption cannot be read", selection.origin)
                continue
            subject = f"tally › {contest.contest} › {selection.option}"
            where = f"{tally.origin}: {selection.where}"
            entry = entries.get((contest.contest, selection.option))
            if entry is None:
                yield failed("9", subject, "the encrypted tally has no (A, B) for this decrypted option", where)
                yield failed("9.B", subject, "not verified: no encrypted tally entry to decrypt", where)
                continue
            yield from _same_ciphertext("9", subject, where, selection, entry)
            yield in_Zq("9.A", selection.v, subject, where, context.group)
            yield decryption_proof_finding("9.B", subject, where, context, entry.A, entry.B, selection, step=9)


def _same_ciphertext(check: str, subject: str, where: str, selection: DecryptedSelection, entry: TallyEntry) -> Iterator[Finding]:
    if selection.ciphertext is not None and selection.ciphertext != (entry.A, entry.B):
        yield failed(
            check,
            subject,
            "the (A, B) written next to the decryption is not the encrypted tally's",
            where,
            expected=f"A = {entry.A:X}, B = {entry.B:X}",
            found=f"A = {selection.ciphertext[0]:X}, B = {selection.ciphertext[1]:X}",
        )


def decryption_proof_finding(
    check: str, subject: str, where: str, context, A: int, B: int, selection: DecryptedSelection, *, step: int
) -> Finding:
    """9.B / 12.B: the core's verify_decryption on the values as written."""
    try:
        group = context.group
        A_, B_ = recorded_element(A, group), recorded_element(B, group)
        T_ = recorded_element(selection.element, group, allow_identity=True)  # T = K^0 = 1 for a zero tally
    except CannotRun as exc:
        return failed(check, subject, f"not verified: {exc.reason}", where)
    proof = DecryptionProof(selection.c, scalar(selection.v, group))
    return proof_finding(check, subject, where, lambda: verify_decryption(context, A_, B_, T_, proof, step=step))


def value_finding(check: str, subject: str, where: str, context, selection: DecryptedSelection) -> Finding:
    """10.A / 13.A: T = K^t mod p (S = K^σ)."""
    try:
        T = recorded_element(selection.element, context.group, allow_identity=True)
        check_tally_value(T, selection.value, context.K, step=check)
    except CannotRun as exc:
        return failed(check, subject, f"not verified: {exc.reason}", where)
    except InvalidProof as exc:
        return failed(check, subject, str(exc), where, expected=f"K^{selection.value}", found=f"{selection.element:X}")
    symbol = "S" if check.startswith("13") else "T"
    return passed(check, subject, f"{symbol} = K^{selection.value}", where)


def v10_tally_values_and_labels(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 10 (Validation of correct decryption of tallies).

    An election verifier must confirm the following equations for each option in each contest in the
    election manifest.

    (10.A) T = K^t mod p.

    An election verifier must also confirm that the text labels listed in the election record tallies
    match the corresponding text labels in the election manifest. For each contest in a decrypted tally,
    an election verifier must confirm the following.

    (10.B) The contest text label occurs as a contest label in the list of contests in the election manifest.
    (10.C) For each option in the contest, the option text label occurs as an option label for the contest
    in the election manifest.
    (10.D) For each option text label listed for this contest in the election manifest, the option label
    occurs for a option in the decrypted tally contest.

    Precondition (10): no contest appears twice in the decrypted tally, no option twice in a contest.
    """
    tally = require(record.decrypted_tally, "decrypted tally")
    manifest = require(require(record.parameters, "election parameters").manifest, "manifest")
    context = election_context(record)
    seen_contests: set[str] = set()
    for contest in tally.contests:
        subject = f"tally › {contest.contest}"
        where = f"{tally.origin}: {contest.where}"
        if contest.contest in seen_contests:
            yield failed("10", subject, "the contest appears twice in the decrypted tally", where)
        seen_contests.add(contest.contest)
        described = manifest.contest(contest.contest)
        if described is None:
            yield failed("10.B", subject, "the contest label is not a contest of the manifest", where, found=contest.contest)
        else:
            yield passed("10.B", subject, origin=where)
        labels: list[str] = []
        for selection in contest.selections:
            if isinstance(selection, Unreadable):
                yield unreadable_finding("10.A", subject, selection)
                continue
            option_subject = f"{subject} › {selection.option}"
            option_where = f"{tally.origin}: {selection.where}"
            labels.append(selection.option)
            yield value_finding("10.A", option_subject, option_where, context, selection)
            if described is not None:
                if described.option(selection.option) is None:
                    yield failed(
                        "10.C",
                        option_subject,
                        "the option label is not an option of this contest in the manifest",
                        option_where,
                        found=selection.option,
                    )
                else:
                    yield passed("10.C", option_subject, origin=option_where)
        if len(set(labels)) != len(labels):
            yield failed("10", subject, "an option appears twice in this contest of the decrypted tally", where)
        if described is not None:
            yield from all_options_present("10.D", subject, where, described, set(labels), "decrypted tally")


def all_options_present(check: str, subject: str, where: str, contest: Contest, labels: set[str], what: str) -> Iterator[Finding]:
    missing = [o.label for o in contest.options if o.label not in labels]
    if missing:
        yield failed(check, subject, f"options of the manifest are missing from the {what}", where, found=", ".join(missing))
    else:
        yield passed(check, subject, f"all {len(contest.options)} options of the manifest appear", where)


def v10_contests_of_ballots_in_tally(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Verification 10 (Validation of correct decryption of tallies), the step over the submitted ballots.

    An election verifier must also confirm the following.

    (10.E) For each contest text label that occurs in at least one submitted ballot, that contest text label
    occurs in the list of contests in the corresponding tally.
    """
    tally = require(record.decrypted_tally, "decrypted tally")
    complete(summary)
    in_tally = {c.contest for c in tally.contests}
    on_ballots: set[str] = set()
    for digest in summary.digests():
        on_ballots.update(digest.contests)
    if not on_ballots:
        yield not_applicable("10.E", "tally", "no ballot in the record names a contest")
    for label in sorted(on_ballots):
        if label in in_tally:
            yield passed("10.E", f"tally › {label}", origin=tally.origin)
        else:
            yield failed(
                "10.E", f"tally › {label}", "a contest on submitted ballots is missing from the decrypted tally", tally.origin
            )


def v11_contest_data(record: ElectionRecord) -> Iterator[Finding]:
    """Verification 11 (Correctness of decryptions of contest data).

    An election verifier must confirm the correct decryption of the contest data field for each contest by
    verifying the conditions analogous to Verification 9 for the corresponding NIZK proof with (A, B)
    replaced by (C0, C1, C2) and M_i by m_i as follows. An election verifier must compute the following values.
    (11.1) a = g^v · K^c mod p, (11.2) b = C0^v · β^c mod p.
    An election verifier must then confirm the following.

    (11.A) The given value v is in the set Z_q.
    (11.B) The challenge value c satisfies c = H(H_E; 0x31, K, C0, C1, C2, a, b, β).

    Applies where the tally decrypts contest data; the hash's byte layout is the record's convention. Also
    (11): with β, the MAC C2 = HMAC(k_0, C0 ∥ C1) verifies (SPEC eq. 86), so β really opens (C0, C1, C2).
    """
    tally = require(record.decrypted_tally, "decrypted tally")
    manifest = require(require(record.parameters, "election parameters").manifest, "manifest")
    context = election_context(record)
    decrypted = False
    for contest in tally.contests:
        data = contest.contest_data
        if data is None:
            continue
        decrypted = True
        subject = f"tally › {contest.contest} › contest data"
        if isinstance(data, Unreadable):
            for check in ("11.A", "11.B"):
                yield unreadable_finding(check, subject, data)
            continue
        described = manifest.contest(contest.contest)
        if described is None:
            yield failed("11", subject, "the contest is not in the manifest", f"{tally.origin}: {contest.where}")
            continue
        yield from contest_data_findings(
            "11", subject, f"{tally.origin}: {data.where}", context, record.conventions, described, data, data.encrypted
        )
    if not decrypted:
        for check in ("11.A", "11.B"):
            yield not_applicable(check, "tally", "the tally decrypts no contest data", tally.origin)


def contest_data_findings(
    number: str,
    subject: str,
    where: str,
    context,
    conventions: Conventions,
    contest: Contest,
    data: ContestDataDecryption,
    encrypted,
) -> Iterator[Finding]:
    """11.A-11.B or 14.A-14.B on one contest data decryption, and the MAC check (11 / 14)."""
    group = context.group
    yield in_Zq(f"{number}.A", data.v, subject, where, group)
    try:
        ciphertext = HashedCiphertext(recorded_element(encrypted.C0, group), encrypted.C1, encrypted.C2)
        beta = recorded_element(data.beta, group)
    except CannotRun as exc:
        yield failed(f"{number}.B", subject, f"not verified: {exc.reason}", where)
        return
    proof = DecryptionProof(data.c, scalar(data.v, group))
    yield proof_finding(
        f"{number}.B",
        subject,
        where,
        lambda: verify_contest_data_decryption(
            context, ciphertext, beta, proof, step=int(number), challenge=conventions.contest_data_challenge
        ),
    )
    if conventions.open_contest_data(context, contest, encrypted, data.beta) is not None:
        yield passed(number, subject, "β opens the contest data: C2 = HMAC(k_0, C0 ∥ C1)", where)
    else:
        yield failed(number, subject, "β does not open the contest data: C2 ≠ HMAC(k_0, C0 ∥ C1) (SPEC eq. 86)", where)
