"""Section HB: each cast vote, as helios-server's workflows/homomorphic.py ``EncryptedVote.verify`` and
``EncryptedAnswer.verify`` check it (run in the worker processes), and each voter cast one vote."""

from __future__ import annotations

from typing import Any, Iterator

from ..findings import Finding, Status, failed, not_applicable, passed
from ..model import CannotRun
from ..readers.files import parse_json
from .group import json_hash
from .proofs import parse_disjunctive, proof_finding, verify_disjunctive

STEPS = ("HB.2", "HB.3", "HB.4", "HB.5", "HB.6", "HB.7")


def check_cast_vote(setting, ballot, acc) -> Iterator[Finding]:
    """(HB.1) each cast vote is readable and has Helios' shape: a vote whose answers match the questions, each
    with one ciphertext {alpha, beta} and one individual proof per answer, and an overall proof

    (HB.2) the vote names this election: its election_uuid is the election's uuid and its election_hash the
    hash of the election document (EncryptedVote.verify)

    (HB.3) every ciphertext's alpha and beta are in the subgroup of order q (check_group_membership)

    (HB.4) each answer's individual proof: a disjunctive proof that its ciphertext encrypts g^0 or g^1

    (HB.5) each question's overall proof: a disjunctive proof that the product of its ciphertexts encrypts
    g^min ... g^max (none when the question has no max: approval without limit)

    (HB.6) vote_hash, where the record carries it, is the hash of the vote's JSON (the ballot tracker)

    (HB.7) the voter: voter_uuid is one of the election's voters and voter_hash the hash of that voter's
    JSON, where the record lists the voters"""
    if setting.group is None:
        raise CannotRun(f"the election's public key is unreadable: {setting.problem}", "election public_key")
    acc.ballots += 1
    cast, subject, problem = _parse(setting, ballot)
    if problem:
        yield failed("HB.1", subject, problem[1], f"{ballot.origin}{problem[0]}")
        for step in STEPS:
            yield not_applicable(step, subject, "the cast vote is unreadable (HB.1)", ballot.origin)
        return
    yield passed("HB.1", subject, origin=ballot.origin)
    vote = cast["vote"]
    yield from _election(setting, vote, subject, ballot.origin)
    ciphertexts = yield from _membership(setting, vote, subject, ballot.origin)
    yield from _individual_proofs(setting, vote, ciphertexts, subject, ballot.origin)
    yield from _overall_proofs(setting, vote, ciphertexts, subject, ballot.origin)
    yield from _vote_hash(cast, subject, ballot.origin)
    yield from _voter(setting, cast, subject, ballot.origin, acc)
    if all(row is not None and all(c is not None for c in row) for row in ciphertexts):
        acc.add(ciphertexts)


def _parse(setting, ballot) -> tuple[Any, str, tuple[str, str] | None]:
    subject = ballot.subject
    if ballot.raw is None:
        return None, subject, ("", ballot.problem)
    try:
        cast = parse_json(ballot.raw)
    except ValueError as exc:
        return None, subject, ("", f"not readable JSON: {exc}")
    if isinstance(cast, dict) and isinstance(cast.get("voter_uuid"), str):
        subject = f"cast vote of voter {cast['voter_uuid']!r}" + (
            f" (vote_hash {cast['vote_hash']})" if isinstance(cast.get("vote_hash"), str) else "")
    vote = cast.get("vote") if isinstance(cast, dict) else None
    if not isinstance(vote, dict) or not isinstance(vote.get("answers"), list):
        return cast, subject, (".vote", "no vote with a list of answers")
    if len(vote["answers"]) != len(setting.questions):
        return cast, subject, (".vote.answers", f"{len(vote['answers'])} answers for {len(setting.questions)} questions")
    for qi, (answer, (size, _, top)) in enumerate(zip(vote["answers"], setting.questions)):
        where = f".vote.answers[{qi}]"
        if not isinstance(answer, dict):
            return cast, subject, (where, f"question {qi + 1}: the answer is not an object")
        for name in ("choices", "individual_proofs"):
            if not isinstance(answer.get(name), list) or len(answer[name]) != size:
                return cast, subject, (f"{where}.{name}", f"question {qi + 1}: {name} is not a list of {size}")
        if top is not None and "overall_proof" not in answer:
            return cast, subject, (f"{where}.overall_proof", f"question {qi + 1}: no overall proof")
    return cast, subject, None


def _election(setting, vote, subject, origin) -> Iterator[Finding]:
    ok = True
    if vote.get("election_uuid") != setting.uuid:
        ok = False
        yield failed("HB.2", subject, "the vote names another election", f"{origin}.vote.election_uuid",
                     expected=setting.uuid, found=vote.get("election_uuid"))
    if vote.get("election_hash") not in setting.election_hashes:
        ok = False
        yield failed("HB.2", subject, "election_hash is not the hash of the election document", f"{origin}.vote.election_hash",
                     expected=setting.election_hashes[0], found=vote.get("election_hash"))
    if ok:
        yield passed("HB.2", subject, origin=origin)


def _membership(setting, vote, subject, origin):
    group, ok = setting.group, True
    ciphertexts: list[list[Any]] = []
    for qi, answer in enumerate(vote["answers"]):
        row: list[Any] = []
        for ai, choice in enumerate(answer["choices"]):
            try:
                if not isinstance(choice, dict):
                    raise ValueError("a ciphertext must be an object {alpha, beta}")
                parsed = []
                for part in ("alpha", "beta"):
                    try:
                        parsed.append(group.element(choice.get(part)))
                    except ValueError as exc:
                        raise ValueError(f"{part}: {exc}") from None
                row.append(tuple(parsed))
            except ValueError as exc:
                ok = False
                row.append(None)
                yield failed("HB.3", f"{subject} › question {qi + 1} › answer {ai + 1}", str(exc),
                             f"{origin}.vote.answers[{qi}].choices[{ai}]")
        ciphertexts.append(row)
    if ok:
        yield passed("HB.3", subject, origin=origin)
    return ciphertexts


def _individual_proofs(setting, vote, ciphertexts, subject, origin) -> Iterator[Finding]:
    group, ok = setting.group, True
    for qi, answer in enumerate(vote["answers"]):
        for ai, proof in enumerate(answer["individual_proofs"]):
            where = f"{origin}.vote.answers[{qi}].individual_proofs[{ai}]"
            named = f"{subject} › question {qi + 1} › answer {ai + 1}"
            if ciphertexts[qi][ai] is None:
                ok = False
                yield not_applicable("HB.4", named, "its ciphertext is not in the group (HB.3)", where)
                continue
            alpha, beta = ciphertexts[qi][ai]
            finding = proof_finding("HB.4", named, where, "the proof that it encrypts 0 or 1", lambda: verify_disjunctive(
                group, setting.y, alpha, beta, 0, parse_disjunctive(group, proof, 2)))
            if finding.status != Status.PASSED:
                ok = False
                yield finding
    if ok:
        yield passed("HB.4", subject, origin=origin)


def _overall_proofs(setting, vote, ciphertexts, subject, origin) -> Iterator[Finding]:
    group, checked = setting.group, False
    for qi, (answer, (_, low, top)) in enumerate(zip(vote["answers"], setting.questions)):
        where = f"{origin}.vote.answers[{qi}].overall_proof"
        named = f"{subject} › question {qi + 1}"
        if top is None:
            continue
        checked = True
        if any(c is None for c in ciphertexts[qi]):
            yield not_applicable("HB.5", named, "a ciphertext is not in the group (HB.3)", where)
            continue
        alpha = group.product([a for a, _ in ciphertexts[qi]])
        beta = group.product([b for _, b in ciphertexts[qi]])
        yield proof_finding("HB.5", named, where, f"the proof that {low} to {top} answers are chosen", lambda: verify_disjunctive(
            group, setting.y, alpha, beta, low, parse_disjunctive(group, answer["overall_proof"], top - low + 1)))
    if not checked:
        yield not_applicable("HB.5", subject, "no question has a max: Helios gives no overall proof", origin)


def _vote_hash(cast, subject, origin) -> Iterator[Finding]:
    if "vote_hash" not in cast:
        yield not_applicable("HB.6", subject, "the record carries no vote_hash for this vote", origin)
        return
    expected = json_hash(cast["vote"])
    if cast["vote_hash"] != expected:
        yield failed("HB.6", subject, "vote_hash is not the hash of the vote", f"{origin}.vote_hash",
                     expected=expected, found=cast["vote_hash"])
    else:
        yield passed("HB.6", subject, origin=origin)


def _voter(setting, cast, subject, origin, acc) -> Iterator[Finding]:
    voter = cast.get("voter_uuid")
    if not isinstance(voter, str):
        yield failed("HB.7", subject, "the cast vote names no voter (voter_uuid)", f"{origin}.voter_uuid", found=voter)
        return
    acc.saw(voter)
    if setting.voters is None:
        yield not_applicable("HB.7", subject, "the record lists no voters", origin)
    elif voter not in setting.voters:
        yield failed("HB.7", subject, "the voter is not in the election's voter list", f"{origin}.voter_uuid", found=voter)
    elif "voter_hash" in cast and cast["voter_hash"] != setting.voters[voter]:
        yield failed("HB.7", subject, "voter_hash is not the hash of the voter's JSON", f"{origin}.voter_hash",
                     expected=setting.voters[voter], found=cast["voter_hash"])
    else:
        yield passed("HB.7", subject, origin=origin)


def check_one_vote_per_voter(record, acc) -> Iterator[Finding]:
    """(HB.8) each voter has one cast vote in the record (the server's last for that voter, as
    ``/ballots/<voter>/last`` gives it)"""
    for voter in acc.repeated[:25]:
        yield failed("HB.8", f"voter {voter!r}", "the voter has more than one cast vote in the record", record.names["ballots"])
    if len(acc.repeated) > 25:
        yield failed("HB.8", "voters", f"{len(acc.repeated)} voters have more than one cast vote", record.names["ballots"])
    yield passed("HB.8", "voters", f"{len(acc.voters)} voters cast votes", record.names["ballots"])
