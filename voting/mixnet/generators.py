"""Commitment generators h, h_1, ..., h_N derived verifiably from the election's extended base hash H_E.

Nobody chooses them, so nobody knows a discrete logarithm between them and g (the Swiss Post 2019 trapdoor
came from generators chosen by the prover). Generator number ``index`` (0 for the extra generator h of the
commitment chain, i >= 1 for h_i) is

    x_ctr = ( H(H_E; 0x40, "mix", index, ctr, 0) ∥ H(H_E; 0x40, "mix", index, ctr, 1) ∥ ... ∥
              H(H_E; 0x40, "mix", index, ctr, B - 1) )  read as a big-endian integer,  mod p
    generator = x_ctr^r mod p,   r = (p - 1) / q

for the first counter ctr = 0, 1, ... whose result is neither 0 nor 1. H is the ElectionGuard hash
HMAC-SHA-256 (SPEC eq. 105) keyed with H_E; "mix" is encoded as b(3, 4) ∥ UTF-8 (SPEC §5.1.4), index, ctr
and the block number as b(x, 4) (SPEC §5.1.3). B = ceil((|p| + 128) / 256) blocks give |p| + 128 bits at
least (17 blocks, 4352 bits, for the standard 4096-bit p), so x_ctr mod p is within 2^-128 of uniform.
0x40 is a domain-separation byte the SPEC does not use (its bytes are 0x00-0x31, §5.5), registered in
:class:`voting.hashing.EvoteDS`.

Raising to r costs a 3840-bit exponentiation per generator (~15 times a 256-bit one); a generator depends
only on H_E and its index, so a list derived for N rows is the prefix of any longer list and can be kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import gmpy2

from ..group import ElementModP, Group
from ..hashing import EvoteDS, H
from .parallel import chunk_ranges, run_chunks, worker_pool

DS_MIX_GENERATOR = EvoteDS.MIX_GENERATOR
GENERATOR_LABEL = "mix"
EXTRA_GENERATOR_INDEX = 0


def expansion_blocks(group: Group) -> int:
    """B: the number of 32-byte HMAC blocks that give at least |p| + 128 bits."""
    return -(-(int(group.p).bit_length() + 128) // 256)


def derive_generator_value(H_E: bytes, index: int, group: Group) -> int:
    """The generator number ``index`` as an integer in Z_p^r (module docstring)."""
    blocks = expansion_blocks(group)
    for counter in range(2**31):
        expanded = b"".join(H(H_E, DS_MIX_GENERATOR, GENERATOR_LABEL, index, counter, block) for block in range(blocks))
        x = int.from_bytes(expanded, "big") % group.p
        value = gmpy2.powmod(x, group.r, group.p)
        if value not in (0, 1):
            return int(value)
    raise AssertionError("unreachable: a counter gives a generator with overwhelming probability")  # pragma: no cover


@dataclass(frozen=True)
class CommitmentGenerators:
    """h (index 0) and h_1, ..., h_N (indices 1..N) for one election, with the H_E they were derived from."""

    H_E: bytes
    h: ElementModP
    hs: tuple[ElementModP, ...]

    def prefix(self, n: int) -> CommitmentGenerators:
        """The generators for n <= N rows (h_i depends only on H_E and i)."""
        if n > len(self.hs):
            raise ValueError(f"{len(self.hs)} generators were derived, {n} are needed")
        return CommitmentGenerators(self.H_E, self.h, self.hs[:n])


def _derive_range(H_E: bytes, start: int, stop: int, group: Group) -> list[int]:
    return [derive_generator_value(H_E, index, group) for index in range(start, stop)]


def derive_generators(H_E: bytes, n: int, group: Group, *, workers: int = 1) -> CommitmentGenerators:
    """h and h_1..h_n from H_E; the derivations are spread over ``workers`` processes."""
    if len(H_E) != 32:
        raise ValueError("H_E is a 32-byte hash output")
    if n < 0:
        raise ValueError("the number of generators is non-negative")
    tasks = [(_derive_range, (H_E, start, stop, group)) for start, stop in chunk_ranges(n + 1, workers)]
    with worker_pool(workers) as pool:
        values = [value for part in run_chunks(tasks, pool) for value in part]
    elements = [ElementModP.computed(gmpy2.mpz(v), group) for v in values]
    return CommitmentGenerators(H_E, elements[EXTRA_GENERATOR_INDEX], tuple(elements[1:]))
