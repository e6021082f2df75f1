"""Belenios 1.x directory records written from scratch for the tests: election.json, trustees.json (or the older
public_keys.jsons), public_creds.txt, ballots.jsons, partial_decryptions.jsons and result.json, computed as
Belenios 1.x's specification (doc/specification.tex at tags 1.x) and its OCaml sources compute them.

A literal producer, kept apart from the verifier: plain ``pow`` and ``hashlib``, none of the verifier's proof
code. Randomness comes from :data:`PSEUDORANDOM_SEED_DEFEATS_ALL_SECRECY`: these records have no secrecy.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gmpy2

from voting.verifier.belenios.groups import group_named

PSEUDORANDOM_SEED_DEFEATS_ALL_SECRECY = 0x1B  # test records only: every secret follows from it

QUESTIONS = [
    {"answers": ["Answer 1", "Answer 2"], "min": 0, "max": 1, "question": "Question 1?"},
    {"answers": ["Answer 1", "Answer 2"], "blank": True, "min": 1, "max": 1, "question": "Question 2?"},
    {"answers": ["A", "B", "C"], "min": 1, "max": 2, "question": "Question 3?"},
]
VOTES = [  # one plaintext per ballot: per question, one 0/1 per choice (a blank question's first is "blank")
    [[1, 0], [0, 1, 0], [1, 1, 0]],
    [[0, 1], [1, 0, 0], [0, 0, 1]],
    [[0, 0], [0, 0, 1], [1, 0, 1]],
    [[1, 0], [0, 1, 0], [0, 1, 0]],
]


def small_group(seed: int = PSEUDORANDOM_SEED_DEFEATS_ALL_SECRECY) -> tuple[int, int, int]:
    """A finite-field group none of Belenios' named ones: q of 256 bits, p = k q + 1 of about 768 bits."""
    rng = random.Random(seed)
    q = int(gmpy2.next_prime(rng.getrandbits(256) | (1 << 255)))
    k = rng.getrandbits(512) & ~1
    while not gmpy2.is_prime(k * q + 1):
        k += 2
    p = k * q + 1
    h = 2
    while (g := pow(h, k, p)) == 1:
        h += 1
    return p, q, g


class Arith:
    """The group's arithmetic and Belenios 1.x's hash (SHA256 of the text, big-endian, mod q)."""

    def __init__(self, p: int, q: int, g: int, seed: int):
        self.p, self.q, self.g = p, q, g
        self.rng = random.Random(seed)

    def rand(self) -> int:
        return self.rng.randrange(1, self.q)

    def exp(self, a: int, n: int) -> int:
        return pow(a, n % self.q, self.p)

    def div(self, a: int, b: int) -> int:
        return a * pow(b, -1, self.p) % self.p

    def hash(self, text: str) -> int:
        return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big") % self.q

    def hash_elements(self, prefix: str, elements: list[int]) -> int:
        return self.hash(prefix + ",".join(map(str, elements)))


def pok(a: Arith, x: int) -> dict[str, str]:
    """Spec 1.x §"Trustee keys": A = g^w, challenge = H("pok|X|A"), response = w + x challenge."""
    w, public = a.rand(), a.exp(a.g, x)
    challenge = a.hash_elements(f"pok|{public}|", [a.exp(a.g, w)])
    return {"challenge": str(challenge), "response": str((w + x * challenge) % a.q)}


def iprove(a: Arith, y: int, credential: int, r: int, alpha: int, beta: int, values: list[int], index: int) -> list[dict[str, str]]:
    """Spec 1.x §"Proofs of interval membership" (response = w + r challenge, divided commitments)."""
    proofs: list[Any] = [None] * len(values)
    commitments = [0] * (2 * len(values))
    for j, m in enumerate(values):
        if j != index:
            c, s = a.rand(), a.rand()
            proofs[j] = (c, s)
            commitments[2 * j] = a.div(a.exp(a.g, s), a.exp(alpha, c))
            commitments[2 * j + 1] = a.div(a.exp(y, s), a.exp(a.div(beta, a.exp(a.g, m)), c))
    w = a.rand()
    commitments[2 * index], commitments[2 * index + 1] = a.exp(a.g, w), a.exp(y, w)
    total = a.hash_elements(f"prove|{credential}|{alpha},{beta}|", commitments)
    c = (total - sum(p[0] for p in proofs if p)) % a.q
    proofs[index] = (c, (w + r * c) % a.q)
    return [{"challenge": str(c), "response": str(s)} for c, s in proofs]


def blank_proofs(a: Arith, y: int, credential: int, q: dict, c0, r0: int, m0: int, cs, rs: int, ms: int):
    """Spec 1.x §"Proofs of possibly-blank votes": (overall_proof, blank_proof), products in the commitments,
    response = w - r challenge, hashed with "S|g,y,alpha_0,beta_0,alpha_S,beta_S"."""
    zkp = f"{credential}|{a.g},{y},{c0[0]},{c0[1]},{cs[0]},{cs[1]}"
    # blank_proof: m0 = 0 or mS = 0; the true side is 0 when m0 = 0, else Sigma
    pair = [(c0, r0), (cs, rs)]
    true = 0 if m0 == 0 else 1
    fake = 1 - true
    cf, sf = a.rand(), a.rand()
    commitments = [0] * 4
    (alpha, beta), _ = pair[fake]
    commitments[2 * fake] = a.exp(a.g, sf) * a.exp(alpha, cf) % a.p
    commitments[2 * fake + 1] = a.exp(y, sf) * a.exp(beta, cf) % a.p
    w = a.rand()
    commitments[2 * true], commitments[2 * true + 1] = a.exp(a.g, w), a.exp(y, w)
    ct = (a.hash_elements(f"bproof0|{zkp}|", commitments) - cf) % a.q
    st = (w - pair[true][1] * ct) % a.q
    blank: list[Any] = [None, None]
    blank[true], blank[fake] = (ct, st), (cf, sf)
    # overall_proof: m0 = 1 or mS in min..max
    lo, hi = q["min"], q["max"]
    n = hi - lo + 2
    index = 0 if m0 == 1 else ms - lo + 1
    proofs: list[Any] = [None] * n
    commitments = [0] * (2 * n)
    for i in range(n):
        if i == index:
            continue
        c, s = a.rand(), a.rand()
        proofs[i] = (c, s)
        alpha, beta = (c0[0], a.div(c0[1], a.g)) if i == 0 else (cs[0], a.div(cs[1], a.exp(a.g, lo + i - 1)))
        commitments[2 * i] = a.exp(a.g, s) * a.exp(alpha, c) % a.p
        commitments[2 * i + 1] = a.exp(y, s) * a.exp(beta, c) % a.p
    w = a.rand()
    commitments[2 * index], commitments[2 * index + 1] = a.exp(a.g, w), a.exp(y, w)
    c = (a.hash_elements(f"bproof1|{zkp}|", commitments) - sum(p[0] for p in proofs if p)) % a.q
    proofs[index] = (c, (w - (r0 if index == 0 else rs) * c) % a.q)

    def out(ps):
        return [{"challenge": str(c), "response": str(s)} for c, s in ps]

    return out(proofs), out(blank)


def answer(a: Arith, y: int, s: int, question: dict, plain: list[int]):
    credential = a.exp(a.g, s)
    rs = [a.rand() for _ in plain]
    cts = [(a.exp(a.g, r), a.exp(y, r) * a.exp(a.g, m) % a.p) for r, m in zip(rs, plain)]
    individual = [iprove(a, y, credential, r, al, be, [0, 1], m) for r, m, (al, be) in zip(rs, plain, cts)]
    result: dict[str, Any] = {"choices": [{"alpha": str(al), "beta": str(be)} for al, be in cts], "individual_proofs": individual}
    if question.get("blank"):
        total = (1, 1)
        for al, be in cts[1:]:
            total = (total[0] * al % a.p, total[1] * be % a.p)
        overall, blank = blank_proofs(a, y, credential, question, cts[0], rs[0], plain[0], total, sum(rs[1:]), sum(plain[1:]))
        result.update(overall_proof=overall, blank_proof=blank)
    else:
        alpha, beta = 1, 1
        for al, be in cts:
            alpha, beta = alpha * al % a.p, beta * be % a.p
        lo, hi = question["min"], question["max"]
        result["overall_proof"] = iprove(a, y, credential, sum(rs), alpha, beta, list(range(lo, hi + 1)), sum(plain) - lo)
    return result, cts


def ballot(a: Arith, y: int, s: int, questions: list[dict], plain: list[list[int]], uuid: str, fingerprint: str) -> dict:
    """Spec 1.x §"Ballots", §"Signatures": A = g^w, challenge = H("sig|S|A|alpha,beta,..."), response = w - s c."""
    answers, cts = [], []
    for question, m in zip(questions, plain):
        ans, c = answer(a, y, s, question, m)
        answers.append(ans)
        cts.extend(c)
    w, credential = a.rand(), a.exp(a.g, s)
    contents = ",".join(f"{al},{be}" for al, be in cts)
    challenge = a.hash(f"sig|{credential}|{a.exp(a.g, w)}|{contents}")
    signature = {"public_key": str(credential), "challenge": str(challenge), "response": str((w - s * challenge) % a.q)}
    return {"answers": answers, "election_hash": fingerprint, "election_uuid": uuid, "signature": signature}


def partial_decryption(a: Arith, x: int, tally: list[list[tuple[int, int]]]) -> dict:
    """Spec 1.x §"Tally": factor alpha^x, A = g^w, B = alpha^w, challenge = H("decrypt|X|A,B"), response = w + x c."""
    public = a.exp(a.g, x)
    factors: list[list[str]] = []
    proofs: list[list[dict[str, str]]] = []
    for row in tally:
        factors.append([str(a.exp(alpha, x)) for alpha, _ in row])
        proofs.append([])
        for alpha, _ in row:
            w = a.rand()
            c = a.hash_elements(f"decrypt|{public}|", [a.exp(a.g, w), a.exp(alpha, w)])
            proofs[-1].append({"challenge": str(c), "response": str((w + x * c) % a.q)})
    return {"decryption_factors": factors, "decryption_proofs": proofs}


@dataclass(frozen=True)
class LegacyElection:
    directory: Path
    expected_result: list[list[int]]
    uuid: str


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def write_legacy_election(directory: Path, *, votes: list = VOTES, questions: list = QUESTIONS, trustees: int = 2,
                          weights: list[int] | None = None, small: bool = False, tallied: bool = True,
                          old_layout: bool = False, seed: int = PSEUDORANDOM_SEED_DEFEATS_ALL_SECRECY) -> LegacyElection:
    """A 1.x record of ``votes`` (one ballot each, by the i-th credential) in ``directory``."""
    if small:
        p, q, g = small_group(seed)
    else:
        named = group_named("BELENIOS-2048")
        p, q, g = int(named.p), named.q, int(named.g)  # type: ignore[attr-defined]
    a = Arith(p, q, g, seed)
    directory.mkdir(parents=True, exist_ok=True)
    xs = [a.rand() for _ in range(trustees)]
    keys = [{"pok": pok(a, x), "public_key": str(a.exp(g, x))} for x in xs]
    y = 1
    for x in xs:
        y = y * a.exp(g, x) % p
    uuid = "Legacy1xTestRecord" + str(seed)
    election = {"description": "A Belenios 1.x test election.", "name": "Legacy test", "public_key": {
        "group": {"g": str(g), "p": str(p), "q": str(q)}, "y": str(y)}, "questions": questions, "uuid": uuid}
    line = compact(election)
    (directory / "election.json").write_text(line + "\n")
    fingerprint = base64.b64encode(hashlib.sha256(line.encode()).digest()).decode().rstrip("=")
    if old_layout:
        (directory / "public_keys.jsons").write_text("".join(compact(k) + "\n" for k in keys))
    else:
        (directory / "trustees.json").write_text(compact([["Single", k] for k in keys]) + "\n")
    secrets = [a.rand() for _ in votes]
    weights = weights or [1] * len(votes)
    creds = [str(a.exp(g, s)) + (f",{w}" if w != 1 else "") for s, w in zip(secrets, weights)]
    (directory / "public_creds.txt").write_text("".join(c + "\n" for c in sorted(creds)))
    tally = [[(1, 1)] * (len(qu["answers"]) + (1 if qu.get("blank") else 0)) for qu in questions]
    with open(directory / "ballots.jsons", "w") as out:
        for s, w, plain in zip(secrets, weights, votes):
            b = ballot(a, y, s, questions, plain, uuid, fingerprint)
            out.write(compact(b) + "\n")
            for i, ans in enumerate(b["answers"]):
                tally[i] = [(ta * a.exp(int(c["alpha"]), w) % p, tb * a.exp(int(c["beta"]), w) % p)
                            for (ta, tb), c in zip(tally[i], ans["choices"])]
    expected = [[sum(w * v[i][j] for v, w in zip(votes, weights)) for j in range(len(tally[i]))] for i in range(len(questions))]
    if tallied:
        pds = [partial_decryption(a, x, tally) for x in xs]
        (directory / "partial_decryptions.jsons").write_text("".join(compact(d) + "\n" for d in pds))
        result = {"num_tallied": sum(weights), "encrypted_tally": [[{"alpha": str(al), "beta": str(be)} for al, be in row] for row in tally],
                  "partial_decryptions": pds, "result": expected}
        (directory / "result.json").write_text(compact(result) + "\n")
    return LegacyElection(directory, expected, uuid)
