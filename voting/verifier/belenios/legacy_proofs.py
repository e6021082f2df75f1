"""Belenios 1.x: the group of a ``wrapped_pk`` and the proofs as Belenios 1.x writes them.

Belenios 1.0 to 1.20 (election format "v0", doc/specification.tex at tags 1.x; src/lib/election.ml,
question_h.ml, trustees.ml) hash other strings than 2.0 and write some commitments with a division:

* no group name and no election fingerprint in the hashes (2.0 added both: "pok|G|X|A", "prove|phi|S|...");
* the proof of knowledge, the interval proofs and the decryption proofs have ``response = w + x*challenge``,
  so their commitments are ``A = g^response / X^challenge`` (2.0: ``w - x*challenge`` and a product);
* the ballot signature signs the ciphertexts themselves: "sig|S|A|alpha_1,beta_1,..." (2.0 signs a hash of
  the ballot, "sig|hash|A");
* the blank proofs hash "bproof0|S|P|..." and "bproof1|S|P|..." with P = "g,y,alpha_0,beta_0,alpha_S,beta_S";
  their commitments are products, as in 2.0, so :func:`.proofs.verify_blank` and
  :func:`.proofs.verify_overall_blank` check them with the prefix :func:`blank_prefix` gives.

Each ``verify_*`` returns None or raises :class:`.proofs.ProofFailed`; its arguments are already parsed
(elements checked in the subgroup, scalars below q).
"""

from __future__ import annotations

from typing import Any, Sequence

import gmpy2

from .groups import GROUP_NAMES, FiniteFieldGroup, Group, group_named
from .proofs import Proof, ProofFailed


class WrappedGroup(FiniteFieldGroup):
    """A finite-field group given by a 1.x ``wrapped_pk``'s {g, p, q} that is none of Belenios' named groups;
    it pickles by its parameters (the named groups pickle by name)."""

    def __init__(self, p: int, q: int, g: int):
        super().__init__(f"finite field, p of {int(p).bit_length()} bits", p, q, g, None)

    def __reduce__(self):
        return (WrappedGroup, (int(self.p), self.q, int(self.g)))


def wrapped_group(value: Any) -> Group:
    """The group of ``public_key.group`` {g, p, q} (spec 1.x §Election, ``wrapped_pk``): one of Belenios'
    named groups when the parameters are its, else a :class:`WrappedGroup` after checking p and q prime,
    q dividing p - 1 and g of order q (Belenios 1.x's ``Group_field.check_params``); ValueError otherwise."""
    if not isinstance(value, dict):
        raise ValueError("public_key.group is not an object {g, p, q}")
    from .groups import parse_decimal

    p, q, g = (parse_decimal(value.get(k), k) for k in ("p", "q", "g"))
    for name in GROUP_NAMES:
        named = group_named(name)
        if isinstance(named, FiniteFieldGroup) and (int(named.p), named.q, int(named.g)) == (p, q, g):
            return named
    if not (gmpy2.is_prime(p, 40) and gmpy2.is_prime(q, 40)):
        raise ValueError("p or q is not prime")
    if (p - 1) % q or not 1 < g < p or gmpy2.powmod(g, q, p) != 1:
        raise ValueError("q does not divide p - 1, or g is not of order q")
    return WrappedGroup(p, q, g)


def _check(group: Group, what: str, expected: int, found: int) -> None:
    if expected % group.q != found % group.q:
        raise ProofFailed(f"{what}: the challenge is not the hash of the recomputed commitments", expected, found)


def verify_pok(group: Group, public_key: Any, proof: Proof) -> None:
    """Spec 1.x §"Trustee keys": A = g^response / X^challenge; challenge = H("pok|X|A") mod q."""
    commitment = group.mul(group.pow(group.g, proof.response), group.pow(public_key, -proof.challenge))
    expected = group.hash_elements(f"pok|{group.to_text(public_key)}|", [commitment])
    _check(group, "proof of knowledge of the private key", expected, proof.challenge)


def verify_signature(group: Group, credential: Any, ciphertexts: Sequence[tuple[Any, Any]], proof: Proof) -> None:
    """Spec 1.x §"Signatures": A = g^response * S^challenge; challenge = H("sig|S|A|alpha_1,beta_1,...")
    over every ciphertext of the ballot, question by question."""
    commitment = group.mul(group.pow(group.g, proof.response), group.pow(credential, proof.challenge))
    contents = ",".join(f"{group.to_text(a)},{group.to_text(b)}" for a, b in ciphertexts)
    expected = group.hash_to_scalar(f"sig|{group.to_text(credential)}|{group.to_text(commitment)}|{contents}")
    _check(group, "ballot signature", expected, proof.challenge)


def verify_interval(group: Group, y: Any, credential_text: str, ciphertext: tuple[Any, Any], values: Sequence[int],
                    proofs: Sequence[Proof]) -> None:
    """Spec 1.x §"Proofs of interval membership": A_j = g^response_j / alpha^challenge_j,
    B_j = y^response_j / (beta / g^M_j)^challenge_j, and H("prove|S|alpha,beta|A_0,B_0,...") = sum challenge_j."""
    if len(proofs) != len(values):
        raise ProofFailed("the proof has not one part per allowed value", len(values), len(proofs))
    alpha, beta = ciphertext
    commitments = []
    for m, proof in zip(values, proofs):
        commitments.append(group.mul(group.pow(group.g, proof.response), group.pow(alpha, -proof.challenge)))
        shifted = group.div(beta, group.pow(group.g, m))
        commitments.append(group.mul(group.pow(y, proof.response), group.pow(shifted, -proof.challenge)))
    expected = group.hash_elements(f"prove|{credential_text}|{group.to_text(alpha)},{group.to_text(beta)}|", commitments)
    _check(group, "interval proof", expected, sum(p.challenge for p in proofs))


def blank_prefix(group: Group, y: Any, credential_text: str, blank: tuple[Any, Any], total: tuple[Any, Any]) -> str:
    """Spec 1.x §"Proofs of possibly-blank votes": "S|P" with P = "g,y,alpha_0,beta_0,alpha_S,beta_S"."""
    elements = (group.g, y, blank[0], blank[1], total[0], total[1])
    return f"{credential_text}|" + ",".join(group.to_text(e) for e in elements)


def verify_decryption(group: Group, public_key: Any, alpha: Any, factor: Any, proof: Proof) -> None:
    """Spec 1.x §"Tally": A = g^response / X^challenge, B = alpha^response / factor^challenge,
    challenge = H("decrypt|X|A,B") mod q."""
    a = group.mul(group.pow(group.g, proof.response), group.pow(public_key, -proof.challenge))
    b = group.mul(group.pow(alpha, proof.response), group.pow(factor, -proof.challenge))
    expected = group.hash_elements(f"decrypt|{group.to_text(public_key)}|", [a, b])
    _check(group, "decryption proof", expected, proof.challenge)
