"""A verifiable re-encryption mixnet on the ElectionGuard group: the pure core (issue 20, item 2).

The proof of shuffle is that of Terelius and Wikström as written as pseudo-code by Haenni, Locher, Koenig and
Dubuis ("Pseudo-code algorithms for verifiable re-encryption mix-nets", FC 2017 workshops, Alg. 4.3 GenProof
and Alg. 4.6 CheckProof; CHVote protocol specification, ePrint 2017/325, GenShuffleProof and
CheckShuffleProof), in the vector form for rows of w ciphertexts (Haines, arXiv:1901.08371): the
re-encryption part of the proof binds each column on its own. docs/mixnet.md describes every equation.

Modules: :mod:`.generators` (commitment generators from H_E), :mod:`.shuffle` (permutation and
re-encryption), :mod:`.challenges` (Fiat-Shamir hashing), :mod:`.prove` and :mod:`.verify` (the pair),
:mod:`.proof` (the proof's values and their parsing from outside), :mod:`.parallel` (chunks over processes).
No I/O, no board: the ceremony is built on top of this.
"""
