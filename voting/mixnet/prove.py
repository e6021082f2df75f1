"""Proof of shuffle for rows of w ciphertexts: Haenni et al. (FC 2017) Alg. 4.3 GenProof (CHVote's
GenShuffleProof) in the vector form of Haines (arXiv:1901.08371), with its sub-algorithms GenCommitment and
GenCommitmentChain.

Notation (docs/mixnet.md): input rows e_j, output rows ẽ_i = e_{ψ(i)} · Enc(0; r̃_i) (per column k),
generators h, h_1..h_N (:mod:`.generators`), u from :mod:`.challenges`, u'_i = u_{ψ(i)}.

* permutation commitment: c_{ψ(i)} = g^{r_{ψ(i)}} h_i;
* commitment chain: ĉ_0 = h, ĉ_i = g^{r̂_i} ĉ_{i-1}^{u'_i}, computed as ĉ_i = g^{R_i} h^{U_i} with
  U_i = Π_{l<=i} u'_l and R_i = R_{i-1} u'_i + r̂_i (the same values; two fixed-base exponentiations
  instead of a general one, and no sequential chain, so the rows split across processes);
* t_1 = g^{ω_1}, t_2 = g^{ω_2}, t_3 = g^{ω_3} Π h_i^{ω'_i},
  t_{4,k} = (g^{-ω_{4,k}} Π α̃_{i,k}^{ω'_i}, K^{-ω_{4,k}} Π β̃_{i,k}^{ω'_i}) for each column k,
  t̂_i = g^{ω̂_i} ĉ_{i-1}^{ω'_i} = g^{ω̂_i + R_{i-1} ω'_i} h^{U_{i-1} ω'_i};
* responses s_1 = ω_1 - c r̄ (r̄ = Σ r_j), s_2 = ω_2 - c R_N, s_3 = ω_3 - c Σ r_j u_j,
  s_{4,k} = ω_{4,k} - c Σ_i r̃_{i,k} u'_i, ŝ_i = ω̂_i - c r̂_i, s'_i = ω'_i - c u'_i (all mod q).

One ω_{4,k} and one s_{4,k} per column is what binds each column on its own: the verifier checks
Π_i ẽ_{i,k}^{u'_i} = Π_j e_{j,k}^{u_j} · Enc(0; ·) for every k, not one product over whole rows.

The products over N bases use the bucket multi-exponentiation of :mod:`voting.membership`, whose running time
depends on the exponents (as do gmpy2's powmod and the fixed-base tables): the prover's process must not
share a machine with an adversary who can time it.
"""

from __future__ import annotations

from typing import Sequence

from gmpy2 import mpz

from ..context import ElectionContext
from ..elgamal import Ciphertext
from ..fixed_base import table_for
from ..group import ElementModP, ElementModQ, Group, generator
from ..membership import multi_exponentiation
from ..randomness import Randomness
from .challenges import challenge_vector, final_challenge, statement_digest
from .generators import CommitmentGenerators
from .parallel import chunk_ranges, run_chunks, worker_pool
from .proof import ShuffleProof
from .shuffle import Row, ShuffleWitness, row_width


def _commit_chunk(r: list[mpz], h_of: list[mpz], group: Group) -> list[mpz]:
    """c_j = g^{r_j} h_{ψ^{-1}(j)} for a chunk of j (GenCommitment)."""
    g_table, p = table_for(generator(group)), group.p
    return [g_table.pow_value(x) * h % p for x, h in zip(r, h_of)]


def _chain_chunk(
    h: ElementModP,
    R: list[mpz],
    U: list[mpz],
    omega_hat: list[mpz],
    omega_prime: list[mpz],
    hs: list[mpz],
    columns: list[list[tuple[mpz, mpz]]],
) -> tuple[list[mpz], list[mpz], mpz, list[tuple[mpz, mpz]]]:
    """For output rows a..b-1: ĉ_i, t̂_i and the chunk's factors of t_3 and of each t_{4,k}.

    R and U run from R_{a-1}, U_{a-1} to R_{b-1}, U_{b-1} (one more entry than the chunk has rows)."""
    group = h.group
    g_table, h_table, p, q = table_for(generator(group)), table_for(h), group.p, group.q
    bits = int(q).bit_length()
    c_hat = [g_table.pow_value(R[i + 1]) * h_table.pow_value(U[i + 1]) % p for i in range(len(omega_prime))]
    t_hat = [
        g_table.pow_value((w_hat + R[i] * w) % q) * h_table.pow_value(U[i] * w % q) % p
        for i, (w_hat, w) in enumerate(zip(omega_hat, omega_prime))
    ]
    t3 = multi_exponentiation(hs, omega_prime, p, bits)
    t4 = [
        (
            multi_exponentiation([a for a, _ in col], omega_prime, p, bits),
            multi_exponentiation([b for _, b in col], omega_prime, p, bits),
        )
        for col in columns
    ]
    return c_hat, t_hat, t3, t4


def prove_shuffle(
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    witness: ShuffleWitness,
    context: ElectionContext,
    generators: CommitmentGenerators,
    *,
    workers: int = 1,
    random: Randomness | None = None,
) -> ShuffleProof:
    """The proof that ``outputs`` are ``inputs`` permuted by ψ and re-encrypted with the nonces of ``witness``."""
    group, K = context.group, context.K
    p, q = group.p, group.q
    n, w = len(inputs), row_width(inputs, "inputs")
    if len(outputs) != n or row_width(outputs, "outputs") != w or len(witness.permutation) != n:
        raise ValueError("inputs, outputs and witness must have the same number of rows and the same width")
    if generators.H_E != context.H_E:
        raise ValueError("the generators were derived from another election's H_E")
    gens = generators.prefix(n)
    draw = random or group.random_scalar
    psi = witness.permutation
    inverse = [0] * n
    for i, j in enumerate(psi):
        inverse[j] = i
    g_table, K_table = table_for(generator(group)), table_for(K)
    table_for(gens.h)  # the tables are built before the pool forks, so its workers inherit them
    hs = [x.value for x in gens.hs]

    with worker_pool(workers) as pool:
        # GenCommitment: c_{ψ(i)} = g^{r_{ψ(i)}} h_i
        r = [draw().value for _ in range(n)]
        h_of = [hs[inverse[j]] for j in range(n)]
        chunks = chunk_ranges(n, workers)
        c_values = [
            x for part in run_chunks([(_commit_chunk, (r[a:b], h_of[a:b], group)) for a, b in chunks], pool) for x in part
        ]
        c = tuple(ElementModP.computed(x, group) for x in c_values)

        rho = statement_digest(context.H_E, K, gens, inputs, outputs, c)
        u = [x.value for x in challenge_vector(rho, n, group)]
        u_prime = [u[j] for j in psi]

        # GenCommitmentChain as ĉ_i = g^{R_i} h^{U_i}
        r_hat = [draw().value for _ in range(n)]
        R, U = [mpz(0)], [mpz(1)]
        for i in range(n):
            R.append((R[-1] * u_prime[i] + r_hat[i]) % q)
            U.append(U[-1] * u_prime[i] % q)
        omega = [draw().value for _ in range(3)]
        omega4 = [draw().value for _ in range(w)]
        omega_hat = [draw().value for _ in range(n)]
        omega_prime = [draw().value for _ in range(n)]
        columns = [[(row[k].alpha.value, row[k].beta.value) for row in outputs] for k in range(w)]
        tasks = [
            (
                _chain_chunk,
                (gens.h, R[a : b + 1], U[a : b + 1], omega_hat[a:b], omega_prime[a:b], hs[a:b], [col[a:b] for col in columns]),
            )
            for a, b in chunks
        ]
        parts = run_chunks(tasks, pool)

    c_hat = tuple(ElementModP.computed(x, group) for part in parts for x in part[0])
    t_hat = tuple(ElementModP.computed(x, group) for part in parts for x in part[1])
    t3 = g_table.pow_value(omega[2])
    t4_alpha, t4_beta = [g_table.pow_value((q - x) % q) for x in omega4], [K_table.pow_value((q - x) % q) for x in omega4]
    for part in parts:
        t3 = t3 * part[2] % p
        for k, (a, b) in enumerate(part[3]):
            t4_alpha[k] = t4_alpha[k] * a % p
            t4_beta[k] = t4_beta[k] * b % p

    def P(x: mpz) -> ElementModP:
        return ElementModP.computed(x, group)

    t1, t2 = P(g_table.pow_value(omega[0])), P(g_table.pow_value(omega[1]))
    t4 = tuple(Ciphertext(P(a), P(b)) for a, b in zip(t4_alpha, t4_beta))
    challenge = final_challenge(context.H_E, rho, c_hat, t1, t2, P(t3), t4, t_hat, group)
    ch = challenge.value

    def Q(x: mpz) -> ElementModQ:
        return ElementModQ.computed(x % q, group)

    r_tilde = [sum((row[k].value * up for row, up in zip(witness.nonces, u_prime)), mpz(0)) % q for k in range(w)]
    return ShuffleProof(
        c=c,
        c_hat=c_hat,
        t1=t1,
        t2=t2,
        t3=P(t3),
        t4=t4,
        t_hat=t_hat,
        challenge=challenge,
        s1=Q(omega[0] - ch * sum(r, mpz(0))),
        s2=Q(omega[1] - ch * R[n]),
        s3=Q(omega[2] - ch * sum((x * y for x, y in zip(r, u)), mpz(0))),
        s4=tuple(Q(x - ch * y) for x, y in zip(omega4, r_tilde)),
        s_hat=tuple(Q(x - ch * y) for x, y in zip(omega_hat, r_hat)),
        s_prime=tuple(Q(x - ch * y) for x, y in zip(omega_prime, u_prime)),
    )
