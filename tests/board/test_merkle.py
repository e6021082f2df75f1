"""Merkle roots and proofs against the literal RFC 9162 reference, and mutations that must fail."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_board.log_format.errors import ProofError, RootMismatch
from bulletin_board.log_format.merkle_hash import EMPTY_ROOT, RootAccumulator, leaf_hash
from bulletin_board.log_format.merkle_proofs import MemoryTree, consistency_proof, inclusion_proof, subtree_keys, tree_root
from bulletin_board.log_format.merkle_verify import verify_consistency, verify_inclusion

from . import rfc9162_reference as rfc

SETTINGS = settings(max_examples=120, deadline=None)


def data(n: int) -> list[bytes]:
    return [hashlib.sha256(b"entry %d" % i).digest() for i in range(n)]


DATA = data(600)
TREE = MemoryTree(DATA)


def flip(value: bytes, bit: int = 0) -> bytes:
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


@st.composite
def size_and_index(draw, max_size=300):
    size = draw(st.integers(1, max_size))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw, max_size=300):
    new = draw(st.integers(2, max_size))
    return draw(st.integers(1, new - 1)), new


def test_empty_tree():
    assert tree_root(MemoryTree(), 0) == EMPTY_ROOT == rfc.mth([]) == hashlib.sha256(b"").digest()


def test_every_root_up_to_70_matches_the_rfc():
    for n in range(71):
        assert TREE.root(n) == rfc.mth(DATA[:n])


@SETTINGS
@given(size_and_index())
def test_inclusion_proof_is_rfc_path(case):
    size, index = case
    proof = inclusion_proof(TREE, index, size)
    assert proof == rfc.path(index, DATA[:size])
    verify_inclusion(index, size, leaf_hash(DATA[index]), proof, rfc.mth(DATA[:size]))


@SETTINGS
@given(two_sizes())
def test_consistency_proof_is_rfc_proof(case):
    old, new = case
    proof = consistency_proof(TREE, old, new)
    assert proof == rfc.proof(old, DATA[:new])
    verify_consistency(old, new, rfc.mth(DATA[:old]), rfc.mth(DATA[:new]), proof)


def test_trivial_consistency_cases():
    verify_consistency(0, 5, EMPTY_ROOT, TREE.root(5), [])
    verify_consistency(5, 5, TREE.root(5), TREE.root(5), [])
    assert consistency_proof(TREE, 0, 9) == [] and consistency_proof(TREE, 9, 9) == []
    with pytest.raises(RootMismatch):
        verify_consistency(0, 5, TREE.root(1), TREE.root(5), [])
    with pytest.raises(RootMismatch):
        verify_consistency(5, 5, TREE.root(5), TREE.root(4), [])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, TREE.root(5), TREE.root(5), [TREE.root(5)])
    with pytest.raises(ProofError):
        verify_consistency(6, 5, TREE.root(6), TREE.root(5), [])


def test_root_accumulator_matches_the_rfc():
    accumulator = RootAccumulator()
    for n in range(70):
        assert accumulator.root() == rfc.mth(DATA[:n])
        accumulator.append_leaf(leaf_hash(DATA[n]))


def test_subtree_keys_need_alignment():
    assert subtree_keys(8, 15) == [(2, 2), (1, 6), (0, 14)]
    with pytest.raises(ValueError):
        subtree_keys(2, 6)


# --- inclusion mutations: each value the proof covers, changed alone, must fail --------------------

def inclusion_fails(index, size, leaf, proof, root):
    with pytest.raises((ProofError, RootMismatch)):
        verify_inclusion(index, size, leaf, proof, root)


@SETTINGS
@given(size_and_index(), st.data())
def test_inclusion_mutations(case, draw):
    size, index = case
    leaf, proof, root = leaf_hash(DATA[index]), inclusion_proof(TREE, index, size), TREE.root(size)
    verify_inclusion(index, size, leaf, proof, root)
    for position in range(len(proof)):  # each proof element
        bit = draw.draw(st.integers(0, 7))
        inclusion_fails(index, size, leaf, proof[:position] + [flip(proof[position], bit)] + proof[position + 1:], root)
    inclusion_fails(index, size, flip(leaf), proof, root)               # the leaf
    inclusion_fails(index, size, leaf, proof, flip(root))               # the root
    inclusion_fails(index, size, leaf, proof + [root], root)            # an extra element
    if proof:
        inclusion_fails(index, size, leaf, proof[:-1], root)            # a missing element
    for other in (index - 1, index + 1, index ^ 1, size):              # the index
        if other != index and other >= 0:
            inclusion_fails(other, size, leaf, proof, root)
    # The size: a proof binds the size only through its shape (RFC 9162 leaves the rest to the signed
    # checkpoint), so every changed size whose RFC path has another length must fail.
    for other_size in (size - 1, size + 1, size * 2):
        if other_size > index and other_size != size and len(rfc.path(index, DATA[:other_size])) != len(proof):
            inclusion_fails(index, other_size, leaf, proof, root)


def test_inclusion_error_keeps_its_evidence():
    proof = inclusion_proof(TREE, 3, 10)
    with pytest.raises(RootMismatch) as caught:
        verify_inclusion(3, 10, leaf_hash(DATA[3]), proof, TREE.root(11))
    error = caught.value
    assert error.expected == TREE.root(11) and error.computed == TREE.root(10)
    assert error.proof == proof and error.evidence == {"index": 3, "size": 10}
    with pytest.raises(ProofError) as caught:
        verify_inclusion(10, 10, leaf_hash(DATA[3]), proof, TREE.root(10))
    assert caught.value.proof == proof and caught.value.evidence["size"] == 10


def test_inclusion_rejects_malformed_elements():
    with pytest.raises(ProofError, match="element 0"):
        verify_inclusion(0, 2, leaf_hash(DATA[0]), [b"short"], TREE.root(2))


# --- consistency mutations ---------------------------------------------------------------------------

def consistency_fails(old, new, old_root, new_root, proof):
    with pytest.raises((ProofError, RootMismatch)):
        verify_consistency(old, new, old_root, new_root, proof)


@SETTINGS
@given(two_sizes(), st.data())
def test_consistency_mutations(case, draw):
    old, new = case
    old_root, new_root, proof = TREE.root(old), TREE.root(new), consistency_proof(TREE, old, new)
    for position in range(len(proof)):
        bit = draw.draw(st.integers(0, 7))
        consistency_fails(old, new, old_root, new_root, proof[:position] + [flip(proof[position], bit)] + proof[position + 1:])
    consistency_fails(old, new, flip(old_root), new_root, proof)         # old root
    consistency_fails(old, new, old_root, flip(new_root), proof)         # new root
    consistency_fails(old, new, new_root, old_root, proof)               # swapped roots
    consistency_fails(old, new, old_root, new_root, proof + [old_root])  # extra element
    consistency_fails(old, new, old_root, new_root, [old_root] + proof)  # preceding element
    consistency_fails(old, new, old_root, new_root, proof[:-1])          # missing element
    for other_old in (old - 1, old + 1):                                 # the old size
        if 0 < other_old < new:
            consistency_fails(other_old, new, old_root, new_root, proof)
    for other_new in (new - 1, new + 1, new * 2):                        # the new size (as for inclusion)
        if other_new > old and other_new != new and len(rfc.proof(old, DATA[:other_new])) != len(proof):
            consistency_fails(old, other_new, old_root, new_root, proof)


def test_consistency_error_keeps_its_evidence():
    proof = consistency_proof(TREE, 5, 12)
    with pytest.raises(RootMismatch) as caught:
        verify_consistency(5, 12, TREE.root(5), TREE.root(13), proof)
    error = caught.value
    assert error.expected == TREE.root(13) and error.computed == TREE.root(12)
    assert error.proof == proof and error.evidence == {"old_size": 5, "new_size": 12}
