"""Verification of a proof of shuffle: Haenni et al. (FC 2017) Alg. 4.6 CheckProof (CHVote's
CheckShuffleProof) in the vector form for rows of w ciphertexts (Haines, arXiv:1901.08371).

The verifier derives the generators from H_E itself (or takes a list derived earlier and checks it was
derived from this H_E), recomputes ρ, u and the challenge, then checks, in this order:

* ``shuffle.challenge``: c = H(H_E; 0x42, ρ, ĉ, t_1, t_2, t_3, t_4, t̂) mod q (:mod:`.challenges`);
* ``shuffle.t1``: t_1 = c̄^c g^{s_1} with c̄ = Π c_j / Π h_i;
* ``shuffle.t2``: t_2 = ĉ^c g^{s_2} with ĉ = ĉ_N / h^{Π u_j};
* ``shuffle.t3``: t_3 = c̃^c g^{s_3} Π h_i^{s'_i} with c̃ = Π c_j^{u_j};
* ``shuffle.t4`` for each column k: t_{4,k} = ((Π_j α_{j,k}^{u_j})^c g^{-s_{4,k}} Π_i α̃_{i,k}^{s'_i},
  (Π_j β_{j,k}^{u_j})^c K^{-s_{4,k}} Π_i β̃_{i,k}^{s'_i});
* ``shuffle.t_hat`` for each row i: t̂_i = ĉ_i^c g^{ŝ_i} ĉ_{i-1}^{s'_i} (ĉ_0 = h).

Every element is a member of Z_p^r by its type (:class:`voting.group.ElementModP` from ``parse``;
:func:`voting.mixnet.proof.parse_shuffle_proof` for a proof from outside). ``verify_shuffle`` returns
nothing or raises :class:`InvalidShuffle` naming the equation and, where it can, the row or column.
"""

from __future__ import annotations

from typing import Sequence

import gmpy2
from gmpy2 import mpz

from ..context import ElectionContext
from ..fixed_base import table_for
from ..group import ElementModP, Group, generator
from ..membership import multi_exponentiation
from ..powers import product_of_powers
from .challenges import challenge_vector, final_challenge, statement_digest
from .errors import InvalidShuffle
from .generators import CommitmentGenerators, derive_generators
from .parallel import chunk_ranges, run_chunks, worker_pool
from .proof import ShuffleProof
from .shuffle import Row

Column = list[tuple[mpz, mpz]]


def _check_chunk(
    start: int,
    uc: list[mpz],
    s_prime: list[mpz],
    c: list[mpz],
    hs: list[mpz],
    inputs: list[Column],
    outputs: list[Column],
    c_hat: list[mpz],
    t_hat: list[mpz],
    s_hat: list[mpz],
    challenge: mpz,
    group: Group,
) -> tuple[mpz, mpz, mpz, list[tuple[mpz, mpz]], int | None]:
    """For rows start..start+len-1: the factors Π c_j, Π h_i, of t_3' and of each t_{4,k}', and the first row
    whose t̂ equation fails (or None). ``c_hat`` has one more entry in front: ĉ_{start-1} (h when start = 0)."""
    p, bits = group.p, int(group.q).bit_length()
    g_table = table_for(generator(group))
    c_product = h_product = mpz(1)
    for x, y in zip(c, hs):
        c_product = c_product * x % p
        h_product = h_product * y % p
    t3 = multi_exponentiation(c + hs, uc + s_prime, p, bits)
    t4 = [
        (
            multi_exponentiation([a for a, _ in col_in] + [a for a, _ in col_out], uc + s_prime, p, bits),
            multi_exponentiation([b for _, b in col_in] + [b for _, b in col_out], uc + s_prime, p, bits),
        )
        for col_in, col_out in zip(inputs, outputs)
    ]
    failed = None
    for i, (t, s, sp) in enumerate(zip(t_hat, s_hat, s_prime)):
        expected = product_of_powers([c_hat[i + 1], c_hat[i]], [challenge, sp], p) * g_table.pow_value(s) % p
        if expected != t:
            failed = start + i
            break
    return c_product, h_product, t3, t4, failed


def _shape(inputs: Sequence[Row], outputs: Sequence[Row], proof: ShuffleProof, group: Group) -> tuple[int, int]:
    n = len(inputs)
    if n < 1:
        raise InvalidShuffle("shuffle.shape", "a shuffle has at least one row")
    w = len(inputs[0])
    for name, rows in (("input", inputs), ("output", outputs)):
        for i, row in enumerate(rows):
            if len(row) != w or w < 1:
                raise InvalidShuffle("shuffle.shape", f"{name} row has {len(row)} ciphertexts, expected {w}", row=i)
            if any(ct.alpha.group is not group or ct.beta.group is not group for ct in row):
                raise InvalidShuffle("shuffle.shape", f"{name} row is not in the election's group", row=i)
    expected = {"outputs": (len(outputs), n), "c": (len(proof.c), n), "c_hat": (len(proof.c_hat), n),
                "t_hat": (len(proof.t_hat), n), "s_hat": (len(proof.s_hat), n), "s_prime": (len(proof.s_prime), n),
                "t4": (len(proof.t4), w), "s4": (len(proof.s4), w)}  # fmt: skip
    for name, (found, want) in expected.items():
        if found != want:
            raise InvalidShuffle("shuffle.shape", f"{name} has {found} entries, expected {want}", expected=want, found=found)
    return n, w


def verify_shuffle(
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    proof: ShuffleProof,
    context: ElectionContext,
    *,
    generators: CommitmentGenerators | None = None,
    workers: int = 1,
) -> None:
    """Check that ``outputs`` are a permutation and re-encryption of ``inputs`` under K; raises
    :class:`InvalidShuffle` if not."""
    group, K = context.group, context.K
    p, q = group.p, group.q
    n, w = _shape(inputs, outputs, proof, group)
    if generators is None:
        generators = derive_generators(context.H_E, n, group, workers=workers)
    if generators.H_E != context.H_E or len(generators.hs) < n:
        raise InvalidShuffle("shuffle.generators", "the generators given were not derived from this H_E for N rows")
    gens = generators.prefix(n)

    rho = statement_digest(context.H_E, K, gens, inputs, outputs, proof.c)
    challenge = final_challenge(context.H_E, rho, proof.c_hat, proof.t1, proof.t2, proof.t3, proof.t4, proof.t_hat, group)
    if challenge != proof.challenge:
        raise InvalidShuffle("shuffle.challenge", "c is not H(H_E; 0x42, ρ, ĉ, t_1, t_2, t_3, t_4, t̂) mod q")
    u = [x.value for x in challenge_vector(rho, n, group)]
    ch = challenge.value
    uc = [x * ch % q for x in u]
    s_prime = [x.value for x in proof.s_prime]
    hs = [x.value for x in gens.hs]
    c = [x.value for x in proof.c]
    c_hat = [gens.h.value] + [x.value for x in proof.c_hat]
    inputs_by_column = [[(row[k].alpha.value, row[k].beta.value) for row in inputs] for k in range(w)]
    outputs_by_column = [[(row[k].alpha.value, row[k].beta.value) for row in outputs] for k in range(w)]
    t_hat = [x.value for x in proof.t_hat]
    s_hat = [x.value for x in proof.s_hat]
    g_table, K_table = table_for(generator(group)), table_for(K)  # before the pool forks
    tasks = [
        (
            _check_chunk,
            (
                a,
                uc[a:b],
                s_prime[a:b],
                c[a:b],
                hs[a:b],
                [col[a:b] for col in inputs_by_column],
                [col[a:b] for col in outputs_by_column],
                c_hat[a : b + 1],
                t_hat[a:b],
                s_hat[a:b],
                ch,
                group,
            ),
        )  # fmt: skip
        for a, b in chunk_ranges(n, workers)
    ]
    with worker_pool(workers) as pool:
        parts = run_chunks(tasks, pool)

    c_product = h_product = t3 = mpz(1)
    t4 = [[mpz(1), mpz(1)] for _ in range(w)]
    for part in parts:
        c_product, h_product, t3 = c_product * part[0] % p, h_product * part[1] % p, t3 * part[2] % p
        for k, (a, b) in enumerate(part[3]):
            t4[k][0], t4[k][1] = t4[k][0] * a % p, t4[k][1] * b % p

    c_bar = c_product * gmpy2.invert(h_product, p) % p
    _expect("shuffle.t1", "t_1 != c̄^c g^{s_1}", proof.t1, gmpy2.powmod(c_bar, ch, p) * g_table.pow_value(proof.s1.value) % p)
    u_product = mpz(1)
    for x in u:
        u_product = u_product * x % q
    c_hat_bar = c_hat[n] * table_for(gens.h).pow_value((q - u_product) % q) % p
    _expect("shuffle.t2", "t_2 != ĉ^c g^{s_2}", proof.t2, gmpy2.powmod(c_hat_bar, ch, p) * g_table.pow_value(proof.s2.value) % p)
    _expect("shuffle.t3", "t_3 != c̃^c g^{s_3} Π h_i^{s'_i}", proof.t3, t3 * g_table.pow_value(proof.s3.value) % p)
    for k, (pair, s4) in enumerate(zip(proof.t4, proof.s4)):
        minus = (q - s4.value) % q
        sides = (("α", "g", pair.alpha, t4[k][0], g_table), ("β", "K", pair.beta, t4[k][1], K_table))
        for name, base, found, product, table in sides:
            message = f"{name}-part of t_4 != (Π {name}^u)^c {base}^{{-s_4}} Π {name}̃^{{s'}}"
            _expect("shuffle.t4", message, found, product * table.pow_value(minus) % p, column=k)
    for part in parts:
        if part[4] is not None:
            raise InvalidShuffle("shuffle.t_hat", "t̂_i != ĉ_i^c g^{ŝ_i} ĉ_{i-1}^{s'_i}", row=part[4])


def _expect(check: str, message: str, found: ElementModP, expected: mpz, *, column: int | None = None) -> None:
    if found.value != expected:
        raise InvalidShuffle(check, message, column=column, expected=f"{int(expected):X}", found=f"{int(found.value):X}")
