"""A from-scratch producer of Helios election records, for tests of evote-verify's Helios reader.

Written from the algorithms as Helios describes them (helios-server: ElGamal over a prime-order subgroup,
Schnorr proofs of the trustees' keys, disjunctive Chaum-Pedersen proofs of each choice and of the number of
choices, the homomorphic tally, decryption factors with Chaum-Pedersen proofs), emitting the JSON documents
helios-server serves: the election (``/helios/elections/<uuid>``), the trustees (``/trustees/``), the voters
(``/voters/``), each voter's last cast vote (``/ballots/<voter>/last``), the result (``/result``), and the
encrypted tally (the legacy ``Tally`` datatype). It can write them as a directory (voting/verifier/helios
reader.py) or as a pyrios-style bundle (a JSON object whose fields hold the documents base64-encoded).

Everything is drawn from ``random.Random(seed)``: TEST_ONLY_SEED_DEFEATS_ALL_SECRECY makes every key and
every ballot predictable, which is what tests want and what no election may ever use.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import gmpy2

TEST_ONLY_SEED_DEFEATS_ALL_SECRECY = "helios-records: a test-only seed, every secret derived from it is public"


def to_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def hash_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()[:-1]


def sha1(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest(), 16)


@lru_cache(maxsize=4)
def group_for_tests(seed: str = TEST_ONLY_SEED_DEFEATS_ALL_SECRECY, p_bits: int = 2048, q_bits: int = 256) -> tuple[int, int, int]:
    """(p, q, g): q a q_bits prime, p = k q + 1 a p_bits prime, g = h^((p-1)/q) != 1."""
    rng = random.Random(f"group|{seed}|{p_bits}|{q_bits}")
    q = int(gmpy2.next_prime(rng.getrandbits(q_bits) | (1 << (q_bits - 1))))
    while True:
        k = rng.getrandbits(p_bits - q_bits) | (1 << (p_bits - q_bits - 1))
        k -= k % 2
        p = k * q + 1
        if p.bit_length() == p_bits and gmpy2.is_prime(p, 30):
            break
    h = 2
    while pow(h, (p - 1) // q, p) == 1:
        h += 1
    return p, q, pow(h, (p - 1) // q, p)


@dataclass
class Producer:
    p: int
    q: int
    g: int
    rng: random.Random

    def rand(self) -> int:
        return self.rng.randrange(1, self.q)

    def inv(self, x: int) -> int:
        return int(gmpy2.invert(x, self.p))

    def key(self, y: int) -> dict[str, str]:
        return {"g": str(self.g), "p": str(self.p), "q": str(self.q), "y": str(y)}

    def prove_secret_key(self, x: int) -> dict[str, str]:
        """Schnorr: commitment g^w, challenge SHA1(str(commitment)) mod q, response w + x c."""
        w = self.rand()
        commitment = pow(self.g, w, self.p)
        challenge = sha1(str(commitment)) % self.q
        return {"challenge": str(challenge), "commitment": str(commitment), "response": str((w + x * challenge) % self.q)}

    def encrypt(self, y: int, m: int, r: int) -> tuple[int, int]:
        return pow(self.g, r, self.p), pow(self.g, m, self.p) * pow(y, r, self.p) % self.p

    def prove_one_of(self, y: int, alpha: int, beta: int, r: int, low: int, high: int, actual: int) -> list[dict]:
        """That (alpha, beta) encrypts g^m for some m in low..high (it encrypts g^actual with randomness r):
        every other value's proof simulated from a chosen challenge and response, the real one's challenge the
        hash of all the commitments less the simulated challenges."""
        commitments: dict[int, tuple[int, int]] = {}
        challenges: dict[int, int] = {}
        responses: dict[int, int] = {}
        for m in range(low, high + 1):
            if m == actual:
                continue
            c, s = self.rand(), self.rand()
            beta_m = beta * self.inv(pow(self.g, m, self.p)) % self.p
            commitments[m] = (pow(self.g, s, self.p) * self.inv(pow(alpha, c, self.p)) % self.p,
                              pow(y, s, self.p) * self.inv(pow(beta_m, c, self.p)) % self.p)
            challenges[m], responses[m] = c, s
        w = self.rand()
        commitments[actual] = (pow(self.g, w, self.p), pow(y, w, self.p))
        total = sha1(",".join(f"{a},{b}" for m in range(low, high + 1) for a, b in [commitments[m]]))
        challenges[actual] = (total - sum(challenges.values())) % self.q
        responses[actual] = (w + r * challenges[actual]) % self.q
        return [{"challenge": str(challenges[m]), "commitment": {"A": str(commitments[m][0]), "B": str(commitments[m][1])},
                 "response": str(responses[m])} for m in range(low, high + 1)]

    def decryption_factor(self, x: int, alpha: int) -> tuple[str, dict]:
        """alpha^x and the proof that log_g(y) = log_alpha(factor): commitment (g^w, alpha^w), challenge SHA1("A,B")."""
        w = self.rand()
        a, b = pow(self.g, w, self.p), pow(alpha, w, self.p)
        challenge = sha1(f"{a},{b}")
        proof = {"challenge": str(challenge), "commitment": {"A": str(a), "B": str(b)}, "response": str((w + x * challenge) % self.q)}
        return str(pow(alpha, x, self.p)), proof


QUESTIONS = (
    {"answer_urls": [None, None, None], "answers": ["Alice", "Bob", "Carol"], "choice_type": "approval", "max": 1, "min": 0,
     "question": "Who chairs the board?", "result_type": "absolute", "short_name": "chair", "tally_type": "homomorphic"},
    {"answer_urls": [None, None, None, None], "answers": ["red", "green", "blue", "white"], "choice_type": "approval", "max": 3,
     "min": 1, "question": "Which colours?", "result_type": "absolute", "short_name": "colours", "tally_type": "homomorphic"},
    {"answer_urls": [None, None], "answers": ["yes", "no"], "choice_type": "approval", "max": None, "min": 0,
     "question": "Approve any?", "result_type": "absolute", "short_name": "approve", "tally_type": "homomorphic"},
)
CHOICES = (  # each voter's answers: indexes into each question's answers
    [[0], [0, 2], [0]], [[1], [1], []], [[0], [0, 1, 3], [0, 1]], [[], [2], [1]], [[2], [3], [0]],
)


@dataclass
class HeliosElection:
    """The documents of one election, as helios-server serves them (JSON values), and the trustees' secrets."""

    election: dict
    trustees: list[dict]
    voters: list[dict]
    votes: list[dict]  # each voter's last cast vote
    encrypted_tally: dict
    result: list[list[int]]
    secrets: list[int] = field(default_factory=list)

    def write_directory(self, path: Path, *, ballots: str = "json", tally: bool = True) -> Path:
        """election.json, trustees.json, voters.json, ballots.json (an array) or ballots.jsonl (one per line),
        encrypted_tally.json, result.json, each as Helios serialises it."""
        path.mkdir(parents=True, exist_ok=True)
        (path / "election.json").write_text(to_json(self.election))
        (path / "trustees.json").write_text(to_json(self.trustees))
        (path / "voters.json").write_text(to_json(self.voters))
        if ballots == "json":
            (path / "ballots.json").write_text("[" + ",\n".join(to_json(v) for v in self.votes) + "]")
        else:
            (path / "ballots.jsonl").write_text("".join(to_json(v) + "\n" for v in self.votes))
        if tally:
            (path / "encrypted_tally.json").write_text(to_json(self.encrypted_tally))
        (path / "result.json").write_text(to_json(self.result))
        return path

    def write_bundle(self, path: Path) -> Path:
        """pyrios' ElectionBundle: {"election", "voters", "votes", "results", "trustees"}, each a base64
        string of the document's JSON (voters a list of pages, votes one string per cast vote)."""
        def b64(value: Any) -> str:
            return base64.b64encode(to_json(value).encode()).decode()

        bundle = {"election": b64(self.election), "voters": [b64(self.voters)], "votes": [b64(v) for v in self.votes],
                  "results": b64(self.result), "trustees": b64(self.trustees)}
        path.write_text(json.dumps(bundle))  # pyrios writes its fields in this order: election first
        return path


def make_election(seed: str = TEST_ONLY_SEED_DEFEATS_ALL_SECRECY, *, trustees: int = 3, choices=CHOICES,
                  questions=QUESTIONS) -> HeliosElection:
    p, q, g = group_for_tests()
    rng = random.Random(f"election|{seed}")
    maker = Producer(p, q, g, rng)
    uuid = "5f0e7d8a-test-only-helios-%04d" % rng.randrange(10000)
    secrets = [maker.rand() for _ in range(trustees)]
    trustee_docs: list[dict[str, Any]] = []
    y = 1
    for i, x in enumerate(secrets):
        key = maker.key(pow(g, x, p))
        y = y * pow(g, x, p) % p
        trustee_docs.append({"decryption_factors": None, "decryption_proofs": None, "email": f"trustee{i + 1}@example.org",
                             "pok": maker.prove_secret_key(x), "public_key": key, "public_key_hash": hash_b64(to_json(key)),
                             "uuid": f"trustee-{i + 1}-{uuid}"})
    election = {"cast_url": f"https://helios.example/helios/elections/{uuid}/cast", "description": "A test election",
                "frozen_at": "2024-05-01 10:00:00", "name": "Test election", "openreg": False, "public_key": maker.key(y),
                "questions": [dict(x) for x in questions], "short_name": "test", "use_voter_aliases": False, "uuid": uuid,
                "voters_hash": None, "voting_ends_at": None, "voting_starts_at": None}
    election_hash = hash_b64(to_json(election))
    voters = [{"election_uuid": uuid, "name": f"Voter {i + 1}", "uuid": f"voter-{i + 1:03d}-{uuid}",
               "voter_id_hash": hash_b64(f"voter{i + 1}@example.org"), "voter_type": "email"} for i in range(len(choices))]
    tally = [[(1, 1) for _ in question["answers"]] for question in questions]
    votes = []
    for voter, selection in zip(voters, choices):
        answers = []
        for qi, question in enumerate(questions):
            chosen = selection[qi]
            cts, proofs, rs = [], [], []
            for ai in range(len(question["answers"])):
                m, r = int(ai in chosen), maker.rand()
                alpha, beta = maker.encrypt(y, m, r)
                cts.append((alpha, beta))
                rs.append(r)
                proofs.append(maker.prove_one_of(y, alpha, beta, r, 0, 1, m))
                tally[qi][ai] = (tally[qi][ai][0] * alpha % p, tally[qi][ai][1] * beta % p)
            overall = None
            if question["max"] is not None:
                sum_alpha = maker_product([a for a, _ in cts], p)
                sum_beta = maker_product([b for _, b in cts], p)
                overall = maker.prove_one_of(y, sum_alpha, sum_beta, sum(rs) % q, question["min"], question["max"], len(chosen))
            answers.append({"choices": [{"alpha": str(a), "beta": str(b)} for a, b in cts], "individual_proofs": proofs,
                            "overall_proof": overall})
        vote = {"answers": answers, "election_hash": election_hash, "election_uuid": uuid}
        votes.append({"cast_at": "2024-05-02 12:00:00", "vote": vote, "vote_hash": hash_b64(to_json(vote)),
                      "voter_hash": hash_b64(to_json(voter)), "voter_uuid": voter["uuid"]})
    for doc, x in zip(trustee_docs, secrets):
        made = [[maker.decryption_factor(x, alpha) for alpha, _ in row] for row in tally]
        doc["decryption_factors"] = [[f for f, _ in row] for row in made]
        doc["decryption_proofs"] = [[proof for _, proof in row] for row in made]
    result = [[sum(ai in selection[qi] for selection in choices) for ai in range(len(question["answers"]))]
              for qi, question in enumerate(questions)]
    encrypted = {"num_tallied": len(votes), "tally": [[{"alpha": str(a), "beta": str(b)} for a, b in row] for row in tally]}
    return HeliosElection(election, trustee_docs, voters, votes, encrypted, result, secrets)


def maker_product(values: list[int], p: int) -> int:
    result = 1
    for value in values:
        result = result * value % p
    return result
