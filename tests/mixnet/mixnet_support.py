"""Elections, rows and replayable randomness for the mixnet tests. **Deterministic seeds: tests only.**"""

from __future__ import annotations

import random as stdlib_random
from dataclasses import dataclass

from voting.context import ElectionContext
from voting.elgamal import Ciphertext, discrete_log, encrypt
from voting.group import ElementModP, ElementModQ, Group, g_pow
from voting.mixnet.generators import CommitmentGenerators, derive_generators
from voting.mixnet.proof import ShuffleProof
from voting.mixnet.prove import prove_shuffle
from voting.mixnet.shuffle import Row, ShuffleWitness, shuffle
from voting.randomness import Randomness


def insecure_seeded_randomness(seed: int, group: Group) -> Randomness:
    """Scalars from Python's Mersenne Twister seeded with ``seed``. **Defeats all secrecy: tests only.**"""
    rng = stdlib_random.Random(seed)
    return lambda: ElementModQ.reduce(rng.getrandbits(int(group.q).bit_length() + 64), group)


def insecure_seeded_permutation(seed: int, n: int) -> list[int]:
    """A permutation of 0..n-1 from a seeded Mersenne Twister. **Tests only.**"""
    items = list(range(n))
    stdlib_random.Random(seed).shuffle(items)
    return items


@dataclass
class Mix:
    """One honest shuffle with its proof, and the test key pair that decrypts it."""

    context: ElectionContext
    secret: ElementModQ
    generators: CommitmentGenerators
    plaintexts: list[list[int]]
    inputs: list[Row]
    outputs: list[Row]
    witness: ShuffleWitness
    proof: ShuffleProof
    random: Randomness

    def reprove(
        self, outputs: list[Row], witness: ShuffleWitness | None = None, generators: CommitmentGenerators | None = None
    ) -> ShuffleProof:
        """A proof made by a prover that claims ``witness`` (the honest one by default) for ``outputs``."""
        return prove_shuffle(
            self.inputs, outputs, witness or self.witness, self.context, generators or self.generators, random=self.random
        )

    def decrypt(self, ct: Ciphertext, max_value: int = 50) -> int:
        group = self.context.group
        K_m = ct.beta.value * pow(int(ct.alpha.value), -int(self.secret.value), int(group.p)) % group.p
        return discrete_log(ElementModP.computed(K_m, group), self.context.K, max_value)


def make_mix(group: Group, rows: int, width: int, seed: int, *, workers: int = 1) -> Mix:
    """An election with a test key pair, ``rows`` encrypted rows of ``width`` small plaintexts, shuffled and proved,
    every random choice drawn from ``seed``."""
    random = insecure_seeded_randomness(seed, group)
    secret = random()
    context = ElectionContext(g_pow(secret, group), stdlib_random.Random(seed).randbytes(32))
    rng = stdlib_random.Random(seed + 1)
    plaintexts = [[rng.randrange(10) for _ in range(width)] for _ in range(rows)]
    inputs = [tuple(encrypt(m, random(), context) for m in row) for row in plaintexts]
    generators = derive_generators(context.H_E, rows, group)
    outputs, witness = shuffle(
        inputs, context, workers=workers, random=random, permutation=insecure_seeded_permutation(seed, rows)
    )
    proof = prove_shuffle(inputs, outputs, witness, context, generators, workers=workers, random=random)
    return Mix(context, secret, generators, plaintexts, inputs, outputs, witness, proof, random)
