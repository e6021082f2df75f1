"""Shuffle with re-encryption of N rows of w ciphertexts (Haenni et al., FC 2017, GenPermutation and
GenShuffle, the algorithms before Alg. 4.3; here for rows, as Haines, arXiv:1901.08371).

Output row i is input row ψ(i) with each cell re-encrypted under a fresh nonce r̃_{i,k}:

    ẽ_{i,k} = (α_{ψ(i),k} · g^{r̃_{i,k}},  β_{ψ(i),k} · K^{r̃_{i,k}})

which is the product with an encryption of 0 (SPEC eqs. 2, 24), so the plaintext is unchanged. ψ is
uniformly random (Fisher-Yates with the operating system's CSPRNG).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Sequence

from gmpy2 import mpz

from ..context import ElectionContext
from ..elgamal import Ciphertext
from ..fixed_base import table_for
from ..group import ElementModP, ElementModQ, Group, generator
from ..randomness import Randomness
from .parallel import chunk_ranges, run_chunks, worker_pool

Row = tuple[Ciphertext, ...]


@dataclass(frozen=True)
class ShuffleWitness:
    """The mix server's secret: ψ (output row i is input row ``permutation[i]``) and the nonces r̃_{i,k}."""

    permutation: tuple[int, ...]
    nonces: tuple[tuple[ElementModQ, ...], ...]

    def __repr__(self) -> str:
        return f"ShuffleWitness(<{len(self.permutation)} rows, secret>)"


def random_permutation(n: int) -> tuple[int, ...]:
    """A uniformly random permutation of 0..n-1 (Fisher-Yates with ``secrets``)."""
    items = list(range(n))
    for i in range(n - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]
    return tuple(items)


def check_permutation(permutation: Sequence[int], n: int) -> tuple[int, ...]:
    if sorted(permutation) != list(range(n)):
        raise ValueError(f"not a permutation of 0..{n - 1}")
    return tuple(permutation)


def row_width(rows: Sequence[Row], field: str) -> int:
    """w: the common width of ``rows`` (at least one row, at least one ciphertext each)."""
    if not rows:
        raise ValueError(f"{field}: a shuffle needs at least one row")
    width = len(rows[0])
    if width < 1:
        raise ValueError(f"{field}[0]: a row has at least one ciphertext")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"{field}[{i}]: has {len(row)} ciphertexts, row 0 has {width}")
    return width


def _reencrypt_chunk(cells: list[list[tuple[mpz, mpz]]], nonces: list[list[mpz]], K: ElementModP) -> list[list[tuple[mpz, mpz]]]:
    group = K.group
    g_table, K_table, p = table_for(generator(group)), table_for(K), group.p
    return [
        [(a * g_table.pow_value(r) % p, b * K_table.pow_value(r) % p) for (a, b), r in zip(row, row_nonces)]
        for row, row_nonces in zip(cells, nonces)
    ]


def shuffle(
    rows: Sequence[Row],
    context: ElectionContext,
    *,
    workers: int = 1,
    random: Randomness | None = None,
    permutation: Sequence[int] | None = None,
) -> tuple[list[Row], ShuffleWitness]:
    """Permute and re-encrypt ``rows``; returns the output rows and the witness the proof needs.

    ``random`` and ``permutation`` exist for tests that replay a shuffle; production leaves both to the CSPRNG.
    """
    group = context.group
    n, w = len(rows), row_width(rows, "rows")
    psi = random_permutation(n) if permutation is None else check_permutation(permutation, n)
    draw = random or group.random_scalar
    nonces = tuple(tuple(draw() for _ in range(w)) for _ in range(n))
    cells = [[(ct.alpha.value, ct.beta.value) for ct in rows[j]] for j in psi]
    raw_nonces = [[r.value for r in row] for row in nonces]
    table_for(generator(group)), table_for(context.K)  # built once, inherited by forked workers
    tasks = [(_reencrypt_chunk, (cells[a:b], raw_nonces[a:b], context.K)) for a, b in chunk_ranges(n, workers)]
    with worker_pool(workers) as pool:
        out = [row for part in run_chunks(tasks, pool) for row in part]
    return [_row(row, group) for row in out], ShuffleWitness(psi, nonces)


def _row(cells: list[tuple[mpz, mpz]], group: Group) -> Row:
    return tuple(Ciphertext(ElementModP.computed(a, group), ElementModP.computed(b, group)) for a, b in cells)
