"""Verifications 12-14: challenged ballots (SPEC v2.0.0 §3.6.5, §6.2.7).

Each challenged ballot is checked in the worker that checks its encryption, against its own ciphertexts:
a decryption is only worth something if it decrypts what the voter's device posted.
"""

from __future__ import annotations

import hmac
from collections import Counter
from typing import Iterator

from ...challenge import open_challenged_ballot
from ...encrypted_ballot import EncryptedBallot, EncryptedContest
from ...errors import InvalidBallot
from ...manifest import Contest
from ..findings import Finding, failed, not_applicable, passed
from ..model import (
    BallotRecord,
    BallotState,
    DecryptedContest,
    Decryption,
    ElectionRecord,
    NotYet,
    RevealedNonce,
    StreamSummary,
    Unreadable,
)
from .chaining import complete
from .common import BallotEnv, in_Zq, unreadable_finding
from .tally import all_options_present, contest_data_findings, decryption_proof_finding, value_finding

STEPS = ("12.A", "12.B", "13.A", "13.B", "13.C", "13.D", "13.E", "13.F", "14.A", "14.B")


def v12_v13_v14_challenged_ballots(ballot: BallotRecord, env: BallotEnv) -> Iterator[Finding]:
    """Verifications 12, 13 and 14 on one challenged ballot.

    Verification 12 (Correctness of decryptions for challenged ballots). For each challenged ballot, for each
    option in each contest on the challenged ballot, an election verifier must compute the values
    (12.1) M = β · S^{−1} mod p, (12.2) a = g^v · K^c mod p, (12.3) b = α^v · M^c mod p.
    An election verifier must then confirm the following.

    (12.A) The given value v is in the set Z_q.
    (12.B) The challenge value c satisfies c = H(H_E; 0x30, K, α, β, a, b, M).

    Verification 13 (Validation of correct decryption of challenged ballots). An election verifier must
    confirm the correct decryption of each selection σ in each contest.

    (13.A) S = K^σ mod p.

    An election verifier must also confirm that the challenged ballot is well-formed, i.e. for each contest
    on the challenged ballot, it must confirm the following.

    (13.B) For each option in the contest, the selection σ is a valid value — usually either a 0 or a 1.
    (13.C) The sum of all selections in the contest is at most the selection limit L for that contest.

    An election verifier must also confirm that for each decrypted challenged ballot, the selections listed
    in text match the corresponding text in the election manifest.

    (13.D) The contest text label occurs as a contest label in the list of contests in the election manifest.
    (13.E) For each option in the contest, the option text label occurs as an option label for the contest
    in the election manifest.
    (13.F) For each option text label listed for this contest in the election manifest, the option label
    occurs for a option in the decrypted challenged ballot.

    Verification 14 (Correctness of contest data decryptions for challenged ballots), with
    (14.1) a = g^v · K^c mod p, (14.2) b = C0^v · β^c mod p:

    (14.A) The given value v is in the set Z_q.
    (14.B) The challenge value c satisfies c = H(H_E; 0x31, K, C0, C1, C2, a, b, β).

    A valid σ is 0..R, R the option selection limit. (α, β) and (C0, C1, C2) are the challenged ballot's own.
    Preconditions: (12) the ballot has a decryption of every contest of its style and of every option, and
    copies of its ciphertexts written next to the decryption are the ballot's; (14) every contest data field
    is decrypted and β opens it (MAC, SPEC eq. 86). A ballot opened with its nonce instead (§3.6.5) is checked
    by re-encrypting it (13.A, 13.B-13.F, and 14 for its contest data); 12.A-12.B and 14.A-14.B then do not apply.
    """
    if ballot.state is not BallotState.CHALLENGED:
        return
    decryption = ballot.decryption
    encrypted_ballot = ballot.ballot
    if encrypted_ballot is None:
        yield from _not_verified(
            ballot, failed("12", ballot.subject, "the challenged ballot could not be decoded (see Verification 5)", ballot.origin)
        )
    elif decryption is None:
        yield from _not_verified(
            ballot, failed("12", ballot.subject, "the challenged ballot has no decryption in the record", ballot.origin)
        )
    elif isinstance(decryption, Unreadable):
        yield from _not_verified(ballot, unreadable_finding("12", ballot.subject, decryption))
    elif isinstance(decryption, NotYet):  # a live record: the trustees decrypt after the tally
        for check in ("12",) + STEPS:
            yield not_applicable(check, ballot.subject, decryption.reason, ballot.origin)
    elif isinstance(decryption, RevealedNonce):
        yield from _opened_with_nonce(ballot, encrypted_ballot, env, decryption)
    else:
        yield from _decrypted(ballot, encrypted_ballot, env, decryption)


def _not_verified(ballot: BallotRecord, reason: Finding) -> Iterator[Finding]:
    yield reason
    for check in STEPS:
        yield failed(check, ballot.subject, f"not verified: {reason.message}", reason.origin)


def _decrypted(
    ballot: BallotRecord, encrypted_ballot: EncryptedBallot, env: BallotEnv, decryption: Decryption
) -> Iterator[Finding]:
    context, manifest = env.context, env.manifest
    origin = decryption.origin
    if decryption.ballot_id is not None and decryption.ballot_id != ballot.id:
        yield failed(
            "12", ballot.subject, "the decryption names another ballot", origin, expected=ballot.id, found=decryption.ballot_id
        )
    encrypted_contests = {c.contest: c for c in encrypted_ballot.contests}
    decrypted_contests: set[str] = set()
    for contest in decryption.contests:
        subject = f"{ballot.subject} › {contest.contest}"
        where = f"{origin}: {contest.where}"
        described = manifest.contest(contest.contest)
        if described is None:
            yield failed("13.D", subject, "the contest label is not a contest of the manifest", where, found=contest.contest)
            continue
        yield passed("13.D", subject, origin=where)
        encrypted = encrypted_contests.get(contest.contest)
        if encrypted is None or contest.contest in decrypted_contests:
            yield failed("12", subject, "the decryption has a contest that is not (or not once) on the ballot", where)
            continue
        decrypted_contests.add(contest.contest)
        encrypted_selections = {s.option: s for s in encrypted.selections}
        labels: list[str] = []
        total = 0
        for selection in contest.selections:
            if isinstance(selection, Unreadable):
                yield unreadable_finding("12", subject, selection)
                continue
            option_subject = f"{subject} › {selection.option}"
            option_where = f"{origin}: {selection.where}"
            if described.option(selection.option) is None:
                yield failed(
                    "13.E",
                    option_subject,
                    "the option label is not an option of this contest in the manifest",
                    option_where,
                    found=selection.option,
                )
                continue
            yield passed("13.E", option_subject, origin=option_where)
            if selection.option in labels:
                yield failed("12", option_subject, "the option is decrypted twice", option_where)
                continue
            labels.append(selection.option)
            ciphertext = encrypted_selections[selection.option].ciphertext
            alpha, beta = context.group.written(ciphertext.alpha), context.group.written(ciphertext.beta)
            if selection.ciphertext is not None and selection.ciphertext != (alpha, beta):
                yield failed("12", option_subject, "the (α, β) written next to the decryption is not the ballot's", option_where)
            yield in_Zq("12.A", selection.v, option_subject, option_where, context.group)
            yield decryption_proof_finding("12.B", option_subject, option_where, context, alpha, beta, selection, step=12)
            yield value_finding("13.A", option_subject, option_where, context, selection)
            if 0 <= selection.value <= described.option_limit:
                yield passed("13.B", option_subject, origin=option_where)
                total += selection.value
            else:
                yield failed(
                    "13.B",
                    option_subject,
                    "σ is not a valid value",
                    option_where,
                    expected=f"0..{described.option_limit}",
                    found=selection.value,
                )
        if total <= described.votes_allowed:
            yield passed("13.C", subject, f"{total} of at most {described.votes_allowed} selections", where)
        else:
            yield failed(
                "13.C",
                subject,
                "the selections exceed the contest selection limit L",
                where,
                expected=f"at most {described.votes_allowed}",
                found=total,
            )
        yield from all_options_present("13.F", subject, where, described, set(labels), "decrypted challenged ballot")
        yield from _contest_data(ballot, env, contest, described, encrypted, subject, where)
    missing = [label for label in encrypted_contests if label not in decrypted_contests]
    if missing:
        yield failed("12", ballot.subject, "contests of the ballot are not decrypted", origin, found=", ".join(missing))
    else:
        yield passed("12", ballot.subject, "every contest of the ballot is decrypted", origin)


def _contest_data(
    ballot: BallotRecord,
    env: BallotEnv,
    contest: DecryptedContest,
    described: Contest,
    encrypted: EncryptedContest,
    subject: str,
    where: str,
) -> Iterator[Finding]:
    data = contest.contest_data
    subject = f"{subject} › contest data"
    if data is None:
        yield failed("14", subject, "the contest data of the challenged ballot is not decrypted", where)
        return
    if isinstance(data, Unreadable):
        for check in ("14.A", "14.B"):
            yield unreadable_finding(check, subject, data)
        return
    posted = encrypted.contest_data
    written = data.encrypted
    group = env.context.group
    same = written.C0 == group.written(posted.C0) and written.C1 == posted.C1
    if not (same and hmac.compare_digest(written.C2, posted.C2)):
        yield failed("14", subject, "the (C0, C1, C2) written next to the decryption is not the ballot's", f"{where}")
        return
    yield from contest_data_findings("14", subject, where, env.context, env.conventions, described, data, written)


def _opened_with_nonce(
    ballot: BallotRecord, encrypted_ballot: EncryptedBallot, env: BallotEnv, reveal: RevealedNonce
) -> Iterator[Finding]:
    for check in ("12.A", "12.B", "14.A", "14.B"):
        yield not_applicable(
            check, ballot.subject, "opened with its ballot nonce (SPEC §3.6.5): no decryption proof", reveal.origin
        )
    try:
        open_challenged_ballot(encrypted_ballot, env.manifest, env.context, reveal.ballot_nonce, reveal.choices)
    except InvalidBallot as exc:
        yield failed(exc.check or "13", ballot.subject, f"{exc.field}: {exc.reason}", reveal.origin)
        return
    yield passed("13.A", ballot.subject, "the revealed nonce and choices re-encrypt to every posted ciphertext", reveal.origin)
    for check in ("13.B", "13.C", "13.D", "13.E", "13.F"):
        yield passed(check, ballot.subject, "the revealed choices are a valid ballot of its style", reveal.origin)
    yield passed("14", ballot.subject, "the contest data re-encrypts from the revealed nonce", reveal.origin)


def v12_every_challenged_ballot_decrypted(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Verifications 12-14 over the whole record: "Each and every challenged ballot must be verifiably
    decrypted" (SPEC §3.6.5), and no ballot other than a challenged one is.

    Precondition (12): every decryption in the record belongs to a challenged ballot of the record. When the
    record has no challenged ballot, Verifications 12-14 do not apply.
    """
    complete(summary)
    decrypted: set[str] = set()
    clean = True
    for digest in summary.digests():
        if digest.decrypted:
            decrypted.add(digest.id)
            if digest.state != BallotState.CHALLENGED.value:
                clean = False
                yield failed(
                    "12",
                    f"ballot {digest.id}",
                    f"the record decrypts a ballot that was not challenged ({digest.state})",
                    digest.origin,
                )
    for ballot_id in sorted(set(record.decryption_ids) - decrypted):
        clean = False
        yield failed("12", f"ballot {ballot_id}", "the record has a decryption of a ballot that it does not contain")
    for ballot_id, count in sorted(Counter(record.decryption_ids).items()):
        if count > 1:
            clean = False
            yield failed("12", f"ballot {ballot_id}", f"the record has {count} decryptions of this ballot")
    if clean:
        yield passed("12", "all ballots", f"{len(decrypted)} decryption(s), all of challenged ballots")
    if summary.challenged == 0:
        for check in STEPS:
            yield not_applicable(check, "challenged ballots", "the record has no challenged ballots")
