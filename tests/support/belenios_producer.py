"""A from-scratch producer of Belenios records (archive version 1, as Belenios 2.0 writes them) for
HOMOMORPHIC questions, in any group of :mod:`voting.verifier.belenios.groups` (BELENIOS-2048,
RFC-3526-2048, Ed25519).

Belenios 2.0's ``belenios-tool`` has no Ed25519 group (it came with Belenios 2.1), so this module is how the
tests get Ed25519 records. Its encodings are validated against the real Belenios: a BELENIOS-2048 archive made
here is accepted by ``belenios-tool election verify`` (tests/verifier/test_belenios_ed25519.py), and its event
chain is rebuilt byte for byte from an archive belenios-tool made.

What it makes, following doc/specification.tex (2.0; Ed25519 from 2.1, "Ed25519": elements are the
compressed point in 64 hexadecimal digits, hashed as such):

* plain ("Single") trustees: x, X = g^x and the proof of knowledge challenge = H("pok|G|X|A"), A = g^w,
  response = w - x·challenge;
* the election (version 1, uuid, public key y = prod X), the public credentials ``"<g^s>,<weight>"``;
* ballots: each choice (alpha, beta) = (g^r, y^r g^m) with its interval proof of {0, 1} ("prove|S|alpha,beta|",
  S = fingerprint|credential), the overall proof ("prove|S|choices|" over min..max), or for a question with
  blank the blank proof ("bproof0|...") and the overall proof ("bproof1|..."); the signature
  ("sig|hash|A") over hash = Hash_JSON(ballot without signature);
* EndBallots, the EncryptedTally (the tallied ballots' choices raised to their weights, multiplied), one
  PartialDecryption per trustee (alpha^x with "decrypt|fingerprint|X|A,B" proofs), the Result;
* the ``.bel`` archive: each payload then its event ``{parent, height, type, payload}``, files named by their
  SHA256, written with :func:`support.belenios_tool.write_archive` (Belenios' own tar layout).

Randomness is :mod:`secrets`; :class:`PseudorandomDefeatsSecrecy` is a seeded generator for reproducible
tests only (its name says what it costs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from support.belenios_tool import write_archive
from voting.verifier.belenios.groups import Group, group_named

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
QUESTIONS = [
    {"answers": ["A1", "A2"], "min": 0, "max": 1, "question": "Q1?"},
    {"answers": ["B1", "B2", "B3"], "blank": True, "min": 1, "max": 2, "question": "Q2?"},
]
VOTES = [[[1, 0], [0, 1, 1, 0]], [[0, 1], [0, 1, 0, 0]], [[0, 0], [1, 0, 0, 0]]]
REVOTES = [(0, [[0, 1], [0, 0, 1, 1]])]


class SecureRandom:
    """Scalars from :mod:`secrets` (the default)."""

    def scalar(self, q: int) -> int:
        return secrets.randbelow(q - 1) + 1

    def choice(self, alphabet: str) -> str:
        return secrets.choice(alphabet)


class PseudorandomDefeatsSecrecy(SecureRandom):
    """TEST ONLY: scalars derived from a seed by SHA256, so a test's record is reproducible. Anyone who knows
    the seed knows every secret of the record."""

    def __init__(self, seed: str):
        self.seed, self.counter = seed, 0

    def _next(self) -> int:
        self.counter += 1
        return int.from_bytes(hashlib.sha512(f"{self.seed}|{self.counter}".encode()).digest(), "big")

    def scalar(self, q: int) -> int:
        return self._next() % (q - 1) + 1

    def choice(self, alphabet: str) -> str:
        return alphabet[self._next() % len(alphabet)]


def compact(value: Any) -> bytes:
    """Belenios' serialization: compact JSON, fields in the order given."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def hash_json(raw: bytes) -> str:
    """Hash_JSON: base64 of SHA256, without padding."""
    return base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


@dataclass
class Producer:
    """One election's secrets and public data (see the module docstring)."""

    group: Group
    random: SecureRandom = field(default_factory=SecureRandom)
    y: Any = None  # the election public key, once the trustees are made

    def scalar(self) -> int:
        return self.random.scalar(self.group.q)

    def text(self, e: Any) -> str:
        return self.group.to_text(e)

    def proof(self, challenge: int, response: int) -> dict[str, str]:
        return {"challenge": str(challenge % self.group.q), "response": str(response % self.group.q)}

    # --- trustees and credentials -------------------------------------------------------------------------
    def trustee(self) -> tuple[int, dict[str, Any]]:
        """A private key and its trustee_public_key {pok, public_key}."""
        g, x = self.group, self.scalar()
        key, w = g.pow(g.g, x), self.scalar()
        c = g.hash_elements(f"pok|{g.name}|{self.text(key)}|", [g.pow(g.g, w)])
        return x, {"pok": self.proof(c, w - x * c), "public_key": self.text(key)}

    def credential(self) -> tuple[int, str]:
        s = self.scalar()
        return s, self.text(self.group.pow(self.group.g, s))

    # --- encryption and proofs ----------------------------------------------------------------------------
    def encrypt(self, y: Any, m: int) -> tuple[int, Any, Any]:
        g, r = self.group, self.scalar()
        return r, g.pow(g.g, r), g.mul(g.pow(y, r), g.pow(g.g, m))

    def disjunction(self, prefix: str, pairs: Sequence[tuple[Any, Any]], real: int, r: int,
                    offsets: Sequence[int]) -> list[dict[str, str]]:
        """A proof that one of ``pairs[i] = (a_i, b_i / g^offsets[i])`` is (g^r, y^r) — the one at ``real``:
        commitments A_i = g^resp_i a_i^c_i, B_i = y^resp_i (b_i/g^o_i)^c_i; H(prefix A_0,B_0,...) = sum c_i."""
        g, y = self.group, self.y
        challenges, responses, commitments = [], [], []
        w = self.scalar()
        for i, ((a, b), offset) in enumerate(zip(pairs, offsets)):
            if i == real:
                challenges.append(0)
                responses.append(0)
                commitments += [g.pow(g.g, w), g.pow(y, w)]
                continue
            c, resp = self.scalar(), self.scalar()
            shifted = g.div(b, g.pow(g.g, offset))
            challenges.append(c)
            responses.append(resp)
            commitments += [g.mul(g.pow(g.g, resp), g.pow(a, c)), g.mul(g.pow(y, resp), g.pow(shifted, c))]
        total = g.hash_elements(prefix, commitments)
        challenges[real] = (total - sum(challenges)) % g.q
        responses[real] = (w - r * challenges[real]) % g.q
        return [self.proof(c, resp) for c, resp in zip(challenges, responses)]

    def interval(self, prefix: str, ciphertext: tuple[Any, Any], r: int, m: int, values: Sequence[int]) -> list[dict[str, str]]:
        alpha, beta = ciphertext
        head = f"prove|{prefix}|{self.text(alpha)},{self.text(beta)}|"
        return self.disjunction(head, [ciphertext] * len(values), list(values).index(m), r, values)

    def answer(self, question: dict[str, Any], vote: Sequence[int], prefix: str) -> dict[str, Any]:
        """An answer to a homomorphic question: ``vote`` has one 0/1 per answer, after the blank one if any."""
        g, y = self.group, self.y
        encrypted = [self.encrypt(y, m) for m in vote]
        pairs = [(a, b) for _, a, b in encrypted]
        choices = [{"alpha": self.text(a), "beta": self.text(b)} for a, b in pairs]
        individual = [self.interval(prefix, pair, r, m, (0, 1)) for (r, _, _), pair, m in zip(encrypted, pairs, vote)]
        full = prefix + "|" + ",".join(f"{c['alpha']},{c['beta']}" for c in choices)
        lo, hi = question["min"], question["max"]
        if not question.get("blank"):
            total = (g.prod(a for a, _ in pairs), g.prod(b for _, b in pairs))
            overall = self.interval(full, total, sum(r for r, _, _ in encrypted), sum(vote), range(lo, hi + 1))
            return {"choices": choices, "individual_proofs": individual, "overall_proof": overall}
        blank, rest = pairs[0], pairs[1:]
        total = (g.prod(a for a, _ in rest), g.prod(b for _, b in rest))
        r0, r_sum, sigma = encrypted[0][0], sum(r for r, _, _ in encrypted[1:]), sum(vote[1:])
        blank_proof = self.disjunction(f"bproof0|{full}|", [blank, total], 1 if vote[0] else 0,
                                       r_sum if vote[0] else r0, (0, 0))
        sums = list(range(lo, hi + 1))
        overall = self.disjunction(f"bproof1|{full}|", [blank] + [total] * len(sums),
                                   0 if vote[0] else 1 + sums.index(sigma), r0 if vote[0] else r_sum, [1, *sums])
        return {"choices": choices, "individual_proofs": individual, "overall_proof": overall, "blank_proof": blank_proof}

    def ballot(self, uuid: str, fingerprint: str, questions: list[dict[str, Any]], vote: list[list[int]],
               secret: int, credential: str) -> bytes:
        prefix = f"{fingerprint}|{credential}"
        ballot: dict[str, Any] = {"election_uuid": uuid, "election_hash": fingerprint, "credential": credential,
                                  "answers": [self.answer(q, v, prefix) for q, v in zip(questions, vote)]}
        digest = hash_json(compact(ballot))
        g, w = self.group, self.scalar()
        c = g.hash_elements(f"sig|{digest}|", [g.pow(g.g, w)])
        ballot["signature"] = {"hash": digest, "proof": self.proof(c, w - secret * c)}
        return compact(ballot)

    def factor(self, fingerprint: str, x: int, key: str, alpha: Any) -> tuple[str, dict[str, str]]:
        """alpha^x and its proof: A = g^w, B = alpha^w, challenge = H("decrypt|fingerprint|X|A,B")."""
        g, w = self.group, self.scalar()
        c = g.hash_elements(f"decrypt|{fingerprint}|{key}|", [g.pow(g.g, w), g.pow(alpha, w)])
        return self.text(g.pow(alpha, x)), self.proof(c, w - x * c)



@dataclass
class Produced:
    path: Path
    uuid: str
    group: str
    questions: list[dict[str, Any]]
    expected_result: list[list[int]]


class _Chain:
    """The archive's files in order: each payload, then its event (Belenios' archive.ml order)."""

    def __init__(self, timestamp: int):
        self.timestamp = timestamp
        self.members: list[tuple[str, bytes, int]] = [("BELENIOS", compact({"version": 1, "timestamp": str(timestamp)}), timestamp)]
        self.parent: str | None = None
        self.height = 0

    def data(self, raw: bytes) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        self.members.append((f"{digest}.data.json", raw, self.timestamp))
        return digest

    def event(self, kind: str, payload: str | None = None) -> None:
        event: dict[str, Any] = {} if self.parent is None else {"parent": self.parent}
        event.update(height=self.height, type=kind)
        if payload is not None:
            event["payload"] = payload
        self.parent = self.data_named(compact(event), "event")
        self.height += 1

    def data_named(self, raw: bytes, kind: str) -> str:
        digest = hashlib.sha256(raw).hexdigest()
        self.members.append((f"{digest}.{kind}.json", raw, self.timestamp))
        return digest


def question_json(question: dict[str, Any]) -> dict[str, Any]:
    """A homomorphic question in Belenios' field order."""
    out: dict[str, Any] = {"answers": list(question["answers"])}
    if question.get("blank"):
        out["blank"] = True
    out.update(min=question["min"], max=question["max"], question=question["question"])
    return out


def expected_counts(questions, votes, weights, revotes) -> list[list[int]]:
    last = dict(enumerate(votes))
    last.update(dict(revotes))
    return [[sum(weights[i] * v[qi][j] for i, v in last.items()) for j in range(len(votes[0][qi]))]
            for qi in range(len(questions))]


def produce(directory: Path, group: str = "Ed25519", questions: list[dict[str, Any]] = QUESTIONS,
            votes: list[list[list[int]]] = VOTES, weights: list[int] | None = None,
            revotes: list[tuple[int, list[list[int]]]] = REVOTES, trustees: int = 2,
            random: SecureRandom | None = None, timestamp: int = 1_700_000_000) -> Produced:
    """A tallied election of ``len(votes)`` voters (weights, revotes) written to ``directory/<uuid>.bel``."""
    p = Producer(group_named(group), random or SecureRandom())
    g = p.group
    weights = weights or [1] * len(votes)
    questions = [question_json(q) for q in questions]
    uuid = "".join(p.random.choice(BASE58) for _ in range(14))
    keys = [p.trustee() for _ in range(trustees)]
    p.y = g.prod(g.parse(k["public_key"]) for _, k in keys)
    creds = [p.credential() for _ in votes]
    election = compact({"version": 1, "description": "D", "name": "N", "group": g.name, "public_key": p.text(p.y),
                        "questions": questions, "uuid": uuid})
    fingerprint = hash_json(election)
    public = sorted((f"{c},{w}" for (_, c), w in zip(creds, weights)), key=_credential_order)
    chain = _Chain(timestamp)
    setup = {"election": chain.data(election), "trustees": chain.data(compact([["Single", k] for _, k in keys])),
             "credentials": chain.data(compact(public))}
    chain.event("Setup", chain.data(compact(setup)))
    last: dict[int, list[list[Any]]] = {}
    for voter, vote in [*enumerate(votes), *revotes]:
        raw = p.ballot(uuid, fingerprint, questions, vote, creds[voter][0], creds[voter][1])
        chain.event("Ballot", chain.data(raw))
        answers = json.loads(raw)["answers"]
        last[voter] = [[(g.parse(c["alpha"]), g.parse(c["beta"])) for c in a["choices"]] for a in answers]
    chain.event("EndBallots")
    tally = [[(g.prod(g.pow(last[v][qi][j][0], weights[v]) for v in last), g.prod(g.pow(last[v][qi][j][1], weights[v]) for v in last))
              for j in range(len(last[0][qi]))] for qi in range(len(questions))]
    tally_raw = compact([[{"alpha": p.text(a), "beta": p.text(b)} for a, b in q] for q in tally])
    sized = {"num_tallied": len(last), "total_weight": sum(weights[v] for v in last), "encrypted_tally": chain.data(tally_raw)}
    chain.event("EncryptedTally", chain.data(compact(sized)))
    for owner, (x, key) in enumerate(keys, start=1):
        pairs = [[p.factor(fingerprint, x, key["public_key"], a) for a, _ in q] for q in tally]
        payload = {"decryption_factors": [[f for f, _ in q] for q in pairs], "decryption_proofs": [[pr for _, pr in q] for q in pairs]}
        chain.event("PartialDecryption", chain.data(compact({"owner": owner, "payload": chain.data(compact(payload))})))
    counts = expected_counts(questions, votes, weights, revotes)
    _check_decrypts(g, tally, [x for x, _ in keys], counts)
    chain.event("Result", chain.data(compact({"result": counts})))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{uuid}.bel"
    write_archive(chain.members, path)
    return Produced(path, uuid, g.name, questions, counts)


def _credential_order(entry: str) -> tuple[int, str]:
    text = entry.split(",", 1)[0]
    return (len(text), text)  # base-10 numbers by value (as belenios-tool lists them); hex by text


def _check_decrypts(g: Group, tally, secrets_: list[int], counts: list[list[int]]) -> None:
    """The producer's own sanity check: the tally decrypts to the counts written in the Result."""
    x = sum(secrets_) % g.q
    for q, expected in zip(tally, counts):
        for (a, b), m in zip(q, expected):
            if g.div(b, g.pow(a, x)) != g.pow(g.g, m):
                raise AssertionError("the encrypted tally does not decrypt to the result")


def rebuild_chain(members: list[tuple[str, bytes, int]]) -> list[tuple[str, bytes, int]]:
    """The archive rebuilt from the payloads of ``members`` (read from an archive) with this module's event
    writer: equal to ``members`` when the events are written as Belenios writes them."""
    header = json.loads(members[0][1])
    chain = _Chain(int(header["timestamp"]))
    chain.members = [members[0]]
    pending: list[str] = []
    for name, body, _ in members[1:]:
        if name.endswith(".data.json"):
            pending.append(chain.data(body))
            continue
        event = json.loads(body)
        payload = pending[-1] if "payload" in event else None
        if payload is not None and payload != event["payload"]:
            raise ValueError(f"{name}: its payload is not the data file just before it")
        chain.event(event["type"], payload)
        pending = []
    return chain.members
