"""Belenios records (glondu/belenios, doc/specification.tex): the election's ``<uuid>.bel`` archive, read as a
stream of hash-linked events and checked against Belenios' own specification (sections BS, BC, BB, BT, BR,
and BM for shuffles and non-homomorphic questions)."""
