"""The Fiat-Shamir hashing of the proof of shuffle (voting/mixnet/challenges.py)."""

from __future__ import annotations

from voting.group import insecure_test_group
from voting.hashing import DS, H
from voting.mixnet.challenges import DS_MIX_CHALLENGE, DS_MIX_CHALLENGES, streamed_H
from voting.mixnet.generators import DS_MIX_GENERATOR

from .mixnet_support import make_mix


def test_streamed_H_is_H_over_the_concatenation():
    mix = make_mix(insecure_test_group(), 3, 2, seed=1)
    parts = [DS_MIX_CHALLENGES, mix.context.K, 3, 2, "mix", *mix.proof.c, mix.proof.s1]
    assert streamed_H(mix.context.H_E, parts) == H(mix.context.H_E, *parts)


def test_the_mixnet_domain_separation_bytes_are_new():
    spec = {value for name, value in vars(DS).items() if isinstance(value, bytes)}
    ours = {DS_MIX_GENERATOR, DS_MIX_CHALLENGES, DS_MIX_CHALLENGE}
    assert len(ours) == 3 and not ours & spec
