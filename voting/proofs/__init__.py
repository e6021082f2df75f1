"""Non-interactive zero-knowledge proofs of SPEC v2.0.0, each a ``prove_…`` / ``verify_…`` pair.

A ``verify_…`` function returns nothing or raises :class:`voting.errors.InvalidProof` naming the SPEC check
that failed; it never returns False. Group membership of every element is guaranteed by its type
(:class:`voting.group.ElementModP` values are validated when they are parsed), so each verification
starts from members of Z_p^r (checks 2.A, 5.A, 6.A).
"""
