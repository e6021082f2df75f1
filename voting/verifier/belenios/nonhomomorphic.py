"""Section BM: shuffles and non-homomorphic answers, Belenios spec 2.0 §"Non-homomorphic answers",
§"Shuffles" and §"Shuffle algorithms"; Belenios' own ``election verify`` (src/tool/tool_election.ml
``shuffles_check``, src/lib/v1/question_nh.ml ``verify_answer``, src/lib/v1/mixnet.ml).

A non-homomorphic answer is one ciphertext of the encoded vector of integers, with a proof that its author
knows the randomness (BM.1). The encrypted tally keeps each tallied ballot's ciphertext, sorted by (alpha,
beta) (:func:`belenios_nh_order`; section BT checks it). Then each Shuffle event re-encrypts and permutes them
with a proof of shuffle (BM.2, BM.3): the first shuffle's input is the encrypted tally's column, each next
one's the previous output (a shuffle does not repeat its input: the chain is what Belenios verifies). The
trustees' partial decryptions of the last output and the decoded ballots of the Result are sections BT and BR
(tally.py ``decrypted_ciphertexts``).

The record is a :class:`~.reader.BeleniosRecord`; its accessors are described at the top of reader.py.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..findings import Finding, failed, not_applicable, passed, warning
from ..model import CannotRun
from ..readers.files import parse_json
from ..systems import Section
from .groups import Group
from .proofs import ProofFailed, parse_ciphertext, parse_proof
from .shuffle import InvalidShuffle, MalformedShuffle, parse_ciphertexts, parse_shuffle_proof, verify_shuffle_proof

SPEC = "Belenios spec (doc/specification.tex, 2.0)"
NO_NH = "the election has no non-homomorphic question"


def verify_raweg(group: Group, prefix: str, y: Any, ciphertext: tuple[Any, Any], challenge: int, response: int) -> None:
    """§"Non-homomorphic answers", proof verification: A = g^response alpha^challenge and
    challenge = H_raweg(S, y, alpha, beta, A) = SHA256("raweg|S|y,alpha,beta|A") mod q."""
    alpha, beta = ciphertext
    commitment = group.mul(group.pow(group.g, response), group.pow(alpha, challenge))
    texts = ",".join(group.to_text(x) for x in (y, alpha, beta))
    expected = group.hash_elements(f"raweg|{prefix}|{texts}|", [commitment])
    if expected != challenge:
        raise ProofFailed("the challenge is not H_raweg of the recomputed commitment", expected, challenge)


def check_nh_answers(setting, item, acc) -> Iterator[Finding]:
    """(BM.1) each non-homomorphic answer of a ballot is {choices, proof}: a ciphertext of group elements and a
    proof of knowledge of its randomness that holds (challenge = H_raweg(S0, y, alpha, beta, g^response
    alpha^challenge), S0 = fingerprint|credential)"""
    subject = f"ballot {item.index} ({item.event.origin})"
    if not setting.nh:
        yield not_applicable("BM.1", subject, NO_NH)
        return
    try:
        ballot = parse_json(item.raw or b"")
        credential, answers = ballot["credential"], ballot["answers"]
        prefix = f"{setting.fingerprint}|{setting.group.to_text(setting.group.parse(credential))}"
    except (ValueError, KeyError, TypeError):
        yield not_applicable("BM.1", subject, "the ballot or its credential is unreadable (BB.1, BB.3 report it)")
        return
    origin = f"{item.event.payload}.data.json"
    for i in setting.nh:
        where = f"{subject} › question {i + 1}"
        try:
            answer = answers[i]
            if not isinstance(answer, dict) or list(answer) != ["choices", "proof"]:
                raise ValueError(f"not an answer_nh {{choices, proof}}: {str(answer)[:60]}")
            ciphertext = parse_ciphertext(setting.group, answer["choices"])
            proof = parse_proof(setting.group, answer["proof"])
            verify_raweg(setting.group, prefix, setting.public_key, ciphertext, proof.challenge, proof.response)
            yield passed("BM.1", where)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            yield failed("BM.1", where, f"unreadable answer: {exc}", f"{origin} answers[{i}]")
        except ProofFailed as exc:
            yield failed("BM.1", where, exc.reason, f"{origin} answers[{i}].proof", expected=exc.expected, found=exc.found)


# -- the shuffles


def _question(record, i: int) -> str:
    value = record.questions[i].get("value") if isinstance(record.questions[i], dict) else None
    text = value.get("question") if isinstance(value, dict) else None
    return f"question {i + 1}" + (f" ({str(text)[:60]!r})" if text else "")


def _shuffle_name(number: int, owned) -> str:
    return f"shuffle {number} by trustee {owned.owner}"


def tally_nh_input(record) -> dict[int, list[tuple[Any, Any]]]:
    """nh_ciphertexts(encrypted tally): the first shuffle's input, each question's column as the tally has it."""
    tally = record.encrypted_tally()
    if not isinstance(tally, list) or len(tally) != len(record.questions):
        raise CannotRun("the encrypted tally is absent or has not one entry per question", "EncryptedTally")
    try:
        return {i: parse_ciphertexts(record.group, tally[i], f"encrypted_tally[{i}]") for i in record.nh_questions}
    except MalformedShuffle as exc:
        raise CannotRun(f"the encrypted tally's non-homomorphic ciphertexts: {exc}", "EncryptedTally") from None


def belenios_nh_order(group: Group, ciphertexts: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The encrypted tally's order of a non-homomorphic column: Belenios sorts the tallied ballots' ciphertexts
    by alpha, then beta (src/lib/v1/question_nh.ml process_ciphertexts, G.compare: the numbers for finite
    fields). For Ed25519 (Belenios 2.1+) that compare depends on the points' internal representation, so this
    returns an order by canonical text, good for comparing as multisets only."""
    if group.name == "Ed25519":  # Belenios' compare of points depends on their representation: no order to check
        return sorted(ciphertexts, key=lambda c: (group.to_text(c[0]), group.to_text(c[1])))
    return sorted(ciphertexts, key=lambda c: (int(c[0]), int(c[1])))


def check_shuffles(record, acc) -> Iterator[Finding]:
    """(BM.2) there is a Shuffle event when the election has non-homomorphic questions; each one's payload
    is an owned shuffle by a trustee (1..number of trustee keys) with, per non-homomorphic question, a list of
    ciphertexts as long as its input and a proof of shuffle, every element in the group, every scalar below q
    (BM.3) each shuffle's proof holds (CheckShuffleProof with the election key and fingerprint), its input
    being the previous shuffle's ciphertexts, the first one's the encrypted tally's, in the events' order"""
    if not record.nh_questions:
        for step in ("BM.2", "BM.3"):
            yield not_applicable(step, "shuffles", NO_NH)
        return
    if record.public_key is None:
        raise CannotRun("the election's public key is unreadable", "election.public_key")
    current = tally_nh_input(record)
    shuffles = record.shuffles()
    if not shuffles:
        yield failed("BM.2", "shuffles", "no Shuffle event: the non-homomorphic ciphertexts would be decrypted "
                     "in the order of the tallied ballots", "Shuffle events", expected="at least one", found=0)
        yield not_applicable("BM.3", "shuffles", "no Shuffle event")
        return
    owners = len(record.trustee_keys())
    for number, owned in enumerate(shuffles, start=1):
        name = _shuffle_name(number, owned)
        outputs = yield from _parsed_shuffle(record, owned, name, current, owners)
        if outputs is None:
            yield not_applicable("BM.3", name, "the shuffle is unreadable (BM.2): the next shuffles cannot be checked")
            return
        for i, (e_prime, proof) in outputs.items():
            where = f"{name} › {_question(record, i)}"
            try:
                verify_shuffle_proof(record.group, record.public_key, record.fingerprint, current[i], e_prime, proof)
                yield passed("BM.3", where, f"{len(e_prime)} ciphertexts re-encrypted and permuted")
            except InvalidShuffle as exc:
                yield failed("BM.3", where, f"the proof of shuffle does not hold: {exc}", f"{owned.origin} proofs",
                             expected=exc.expected, found=exc.found)
        current = {i: outputs[i][0] for i in outputs}
    yield from _who_shuffled(shuffles, owners)


def _parsed_shuffle(record, owned, name, inputs, owners):
    """BM.2 for one shuffle; returns {question: (ciphertexts, proof)} or None when it is unreadable."""
    if owned.payload is None:
        yield failed("BM.2", name, f"unreadable shuffle: {owned.problem}", owned.origin)
        return None
    owner_ok = isinstance(owned.owner, int) and 1 <= owned.owner <= owners
    if not owner_ok:
        yield failed("BM.2", name, "its owner is not one of the trustees", owned.origin + " owner",
                     expected=f"1..{owners}", found=owned.owner)
    payload, nh = owned.payload, record.nh_questions
    try:
        if not isinstance(payload, dict) or set(payload) != {"ciphertexts", "proofs"}:
            raise MalformedShuffle("", "not a shuffle {ciphertexts, proofs}")
        ciphertexts = _list_of(payload["ciphertexts"], "ciphertexts", len(nh))
        proofs = _list_of(payload["proofs"], "proofs", len(nh))
        result = {}
        for k, i in enumerate(nh):
            n = len(inputs[i])
            e_prime = parse_ciphertexts(record.group, ciphertexts[k], f"ciphertexts[{k}]", n)
            result[i] = (e_prime, parse_shuffle_proof(record.group, proofs[k], n, f"proofs[{k}]"))
    except MalformedShuffle as exc:
        yield failed("BM.2", f"{name} › {_place(record, exc.field)}", exc.reason, f"{owned.origin} {exc.field}")
        return None
    if owner_ok:
        yield passed("BM.2", name)
    return result


def _place(record, field: str) -> str:
    """A field of a shuffle in words: ciphertexts[k][j].alpha -> question i › position j+1 (alpha)."""
    match = re.match(r"(ciphertexts|proofs)\[(\d+)\](?:\[(\d+)\])?(.*)", field)
    if not match or int(match.group(2)) >= len(record.nh_questions):
        return field or "shuffle"
    kind, k, j, rest = match.groups()
    where = _question(record, record.nh_questions[int(k)])
    if kind == "ciphertexts" and j is not None:
        return f"{where} › position {int(j) + 1}" + (f" ({rest.lstrip('.')})" if rest else "")
    return f"{where} › {kind}{'' if j is None else f'[{j}]'}{rest}"


def _list_of(value: Any, field: str, length: int) -> list[Any]:
    if not isinstance(value, list) or len(value) != length:
        raise MalformedShuffle(field, f"not a list of {length} (one per non-homomorphic question)")
    return value


def _who_shuffled(shuffles, owners: int) -> Iterator[Finding]:
    """The spec's tally process has each trustee shuffle once; Belenios' verify does not check it: a warning."""
    seen = [s.owner for s in shuffles]
    repeated = sorted({o for o in seen if seen.count(o) > 1}, key=str)
    absent = [z for z in range(1, owners + 1) if z not in seen]
    if repeated or absent:
        yield warning("BM.2", "shuffles", f"shuffled by trustees {seen}: " + "; ".join(
            ([f"trustee(s) {repeated} shuffled more than once"] if repeated else [])
            + ([f"trustee(s) {absent} did not shuffle"] if absent else [])), "Shuffle events")


SECTIONS = (Section(
    "BM", "Shuffles and non-homomorphic questions",
    f"{SPEC} §Non-homomorphic answers, §Shuffles, §Shuffle algorithms",
    ballot=(check_nh_answers,), summary=(check_shuffles,),
),)
