"""Verification of one Belenios proof of shuffle (Belenios spec 2.0 §"Shuffle algorithms", CheckShuffleProof).

Belenios shuffles the ciphertexts of a non-homomorphic question as CHVote 1.3.2 does (Terelius-Wikström):
the shuffled list ``e'`` comes with ``π = (t, s, c, ĉ)``: commitments ``t = (t1, t2, t3, (t4,1, t4,2), [t̂_i])``,
responses ``s = (s1, s2, s3, s4, [ŝ_i], [s'_i])``, the permutation commitment ``c`` and the commitment chain
``ĉ``. Each step of CheckShuffleProof is one function below, named as in the spec's table; the spec's text is
doc/specification.tex of Belenios 2.0 (tables "CheckShuffleProof", "GetGenerator", "GetNIZKPChallenges",
"GetNIZKPChallenge" and the serialisations ⟦e⟧, ⟦c⟧).

Everything here is pure arithmetic over :class:`voting.verifier.belenios.groups.Group`: parsing returns
validated values (group membership, scalars below q) or raises :class:`MalformedShuffle` naming the field;
:func:`verify_shuffle_proof` returns nothing or raises :class:`InvalidShuffle` naming the equation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Sequence

from .groups import Group, sha256_int

Ciphertext = tuple[Any, Any]  # (alpha, beta), both validated group elements


class MalformedShuffle(ValueError):
    """A part of a shuffle is not what the spec's types say (``field`` is its JSON path inside the shuffle)."""

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


class InvalidShuffle(Exception):
    """The proof of shuffle does not hold: ``equations`` are the failed ones ("t1", "t4,2", "t̂_3", ...),
    ``expected`` the value the proof states for the first one, ``found`` the one recomputed from the record."""

    def __init__(self, equations: Sequence[str], expected: str, found: str):
        self.equations, self.expected, self.found = tuple(equations), expected, found
        super().__init__(f"CheckShuffleProof fails at {', '.join(self.equations)}")

    def __reduce__(self):
        return (type(self), (self.equations, self.expected, self.found))


@dataclass(frozen=True)
class ShuffleProof:
    """π = (t, s, c, ĉ) of spec type ``shuffle_proof``, every element and scalar validated."""

    t1: Any
    t2: Any
    t3: Any
    t41: Any
    t42: Any
    t_hat: tuple[Any, ...]
    s1: int
    s2: int
    s3: int
    s4: int
    s_hat: tuple[int, ...]
    s_prime: tuple[int, ...]
    c: tuple[Any, ...]  # permutation commitment c_1..c_N
    c_hat: tuple[Any, ...]  # commitment chain ĉ_1..ĉ_N


# -- parsing (spec §Shuffles: shuffle_commitment_rand × shuffle_response × commitment_perm × chained_challenges)


def _list(data: Any, field: str, length: int | None = None) -> list[Any]:
    if not isinstance(data, list):
        raise MalformedShuffle(field, "not a JSON array")
    if length is not None and len(data) != length:
        raise MalformedShuffle(field, f"has {len(data)} items where {length} are expected")
    return data


def _element(group: Group, data: Any, field: str) -> Any:
    try:
        return group.parse(data)
    except ValueError as exc:
        raise MalformedShuffle(field, str(exc)) from None


def _scalar(group: Group, data: Any, field: str) -> int:
    try:
        return group.parse_scalar(data)
    except ValueError as exc:
        raise MalformedShuffle(field, str(exc)) from None


def parse_ciphertexts(group: Group, data: Any, field: str, length: int | None = None) -> list[Ciphertext]:
    """A JSON array of ``{"alpha": G, "beta": G}``, each element checked to be in the group."""
    result = []
    for i, item in enumerate(_list(data, field, length)):
        if not isinstance(item, dict) or set(item) != {"alpha", "beta"}:
            raise MalformedShuffle(f"{field}[{i}]", "not a ciphertext {alpha, beta}")
        result.append((_element(group, item["alpha"], f"{field}[{i}].alpha"), _element(group, item["beta"], f"{field}[{i}].beta")))
    return result


def parse_shuffle_proof(group: Group, data: Any, n: int, field: str = "proof") -> ShuffleProof:
    """π for ``n`` ciphertexts: Belenios checks each t and ĉ, c, t̂ element with G.check, each s modulo q,
    and that c, ĉ, t̂, ŝ, s' have n items (src/lib/v1/mixnet.ml check_shuffle_proof, read to learn)."""
    t, s, c, c_hat = _list(data, field, 4)
    t1, t2, t3, t4, t_hat = _list(t, f"{field}[0]", 5)
    t41, t42 = _list(t4, f"{field}[0][3]", 2)
    s1, s2, s3, s4, s_hat, s_prime = _list(s, f"{field}[1]", 6)

    def elements(items: Any, where: str) -> tuple[Any, ...]:
        return tuple(_element(group, x, f"{where}[{i}]") for i, x in enumerate(_list(items, where, n)))

    def scalars(items: Any, where: str) -> tuple[int, ...]:
        return tuple(_scalar(group, x, f"{where}[{i}]") for i, x in enumerate(_list(items, where, n)))

    return ShuffleProof(
        t1=_element(group, t1, f"{field}[0][0]"),
        t2=_element(group, t2, f"{field}[0][1]"),
        t3=_element(group, t3, f"{field}[0][2]"),
        t41=_element(group, t41, f"{field}[0][3][0]"),
        t42=_element(group, t42, f"{field}[0][3][1]"),
        t_hat=elements(t_hat, f"{field}[0][4]"),
        s1=_scalar(group, s1, f"{field}[1][0]"),
        s2=_scalar(group, s2, f"{field}[1][1]"),
        s3=_scalar(group, s3, f"{field}[1][2]"),
        s4=_scalar(group, s4, f"{field}[1][3]"),
        s_hat=scalars(s_hat, f"{field}[1][4]"),
        s_prime=scalars(s_prime, f"{field}[1][5]"),
        c=elements(c, f"{field}[2]"),
        c_hat=elements(c_hat, f"{field}[3]"),
    )


# -- the spec's auxiliary functions


def independent_generators(group: Group, n: int) -> tuple[Any, list[Any]]:
    """GetSecondaryGenerator() = GetGenerator(-1) and GetGenerators(n) = [GetGenerator(0..n-1)]; GetGenerator
    "aborts" when one index's generator equals another's (its state 𝒳 of generators to avoid)."""
    indices = [-1, *range(n)]
    generators = [group.generator(i) for i in indices]
    seen: dict[Any, int] = {}
    for i, h in zip(indices, generators):
        if h in seen:
            raise ValueError(f"GetGenerator({i}) collides with GetGenerator({seen[h]})")
        seen[h] = i
    return generators[0], generators[1:]


def serialize_ciphertexts(group: Group, e: Sequence[Ciphertext]) -> str:
    """⟦e⟧: each alpha, a comma, beta and a comma, in the group's canonical strings."""
    return "".join(f"{group.to_text(a)},{group.to_text(b)}," for a, b in e)


def serialize_elements(group: Group, c: Sequence[Any]) -> str:
    """⟦c⟧: each element and a comma."""
    return "".join(f"{group.to_text(x)}," for x in c)


def nizkp_challenges(group: Group, n: int, text: str) -> list[int]:
    """GetNIZKPChallenges(N, S): H = SHA256(S) in hexadecimal; u_i = SHA256(H ‖ SHA256(i) in hexadecimal) mod q."""
    h = hashlib.sha256(text.encode()).hexdigest()
    return [sha256_int(h + hashlib.sha256(str(i).encode()).hexdigest()) % group.q for i in range(n)]


def nizkp_challenge(group: Group, text: str) -> int:
    """GetNIZKPChallenge(S) = SHA256(S) mod q, read as a big-endian number."""
    return group.hash_to_scalar(text)


def challenge_string(group: Group, e: Sequence[Ciphertext], e_prime: Sequence[Ciphertext], proof: ShuffleProof) -> str:
    """str_c = ⟦e⟧⟦e'⟧⟦c⟧."""
    return serialize_ciphertexts(group, e) + serialize_ciphertexts(group, e_prime) + serialize_elements(group, proof.c)


def challenges_u(group: Group, fingerprint: str, str_c: str, n: int) -> list[int]:
    """u = GetNIZKPChallenges(N, "shuffle-challenges|" φ "|" str_c)."""
    return nizkp_challenges(group, n, f"shuffle-challenges|{fingerprint}|{str_c}")


def challenge_c(group: Group, fingerprint: str, proof: ShuffleProof, str_c: str, pk: Any) -> int:
    """c = GetNIZKPChallenge("shuffle-challenge|" φ "|" str_t str_y), str_t = ⟦[t1,t2,t3,t4,1,t4,2]⟧⟦t̂⟧,
    str_y = str_c ⟦ĉ⟧ pk."""
    str_t = serialize_elements(group, [proof.t1, proof.t2, proof.t3, proof.t41, proof.t42])
    str_t += serialize_elements(group, proof.t_hat)
    str_y = str_c + serialize_elements(group, proof.c_hat) + group.to_text(pk)
    return nizkp_challenge(group, f"shuffle-challenge|{fingerprint}|{str_t}{str_y}")


# -- the verification equations (CheckShuffleProof, steps 11-21)


def _prod_pow(group: Group, bases: Sequence[Any], exponents: Sequence[int]) -> Any:
    return group.prod(group.pow(b, x) for b, x in zip(bases, exponents))


def expected_t1(group: Group, proof: ShuffleProof, hs: Sequence[Any], c: int) -> Any:
    """t'_1 = c̄^-c g^s1 with c̄ = ∏c_i / ∏h_i (the commitment is to a permutation matrix: columns sum)."""
    c_bar = group.div(group.prod(proof.c), group.prod(hs))
    return group.mul(group.inv(group.pow(c_bar, c)), group.pow(group.g, proof.s1))


def expected_t2(group: Group, proof: ShuffleProof, h: Any, u: Sequence[int], c: int) -> Any:
    """t'_2 = ĉ^-c g^s2 with ĉ = ĉ_N / h^(∏u_i mod q) (the chain ends at the product of the challenges)."""
    u_prod = 1
    for x in u:
        u_prod = u_prod * x % group.q
    last = proof.c_hat[-1] if proof.c_hat else h
    c_hat = group.div(last, group.pow(h, u_prod))
    return group.mul(group.inv(group.pow(c_hat, c)), group.pow(group.g, proof.s2))


def expected_t3(group: Group, proof: ShuffleProof, hs: Sequence[Any], u: Sequence[int], c: int) -> Any:
    """t'_3 = c̃^-c g^s3 ∏h_i^s'_i with c̃ = ∏c_i^u_i."""
    c_tilde = _prod_pow(group, proof.c, u)
    return group.mul(group.mul(group.inv(group.pow(c_tilde, c)), group.pow(group.g, proof.s3)), _prod_pow(group, hs, proof.s_prime))


def expected_t4(group: Group, proof: ShuffleProof, pk: Any, e: Sequence[Ciphertext], e_prime: Sequence[Ciphertext], u: Sequence[int], c: int) -> tuple[Any, Any]:
    """(t'_4,1, t'_4,2) = (β'^-c pk^-s4 ∏β'_i^s'_i, α'^-c g^-s4 ∏α'_i^s'_i) with (α', β') = (∏α_i^u_i, ∏β_i^u_i):
    the shuffled ciphertexts re-encrypt the inputs, permuted as committed."""
    alpha_u = _prod_pow(group, [a for a, _ in e], u)
    beta_u = _prod_pow(group, [b for _, b in e], u)
    t41 = group.mul(group.inv(group.mul(group.pow(beta_u, c), group.pow(pk, proof.s4))), _prod_pow(group, [b for _, b in e_prime], proof.s_prime))
    t42 = group.mul(group.inv(group.mul(group.pow(alpha_u, c), group.pow(group.g, proof.s4))), _prod_pow(group, [a for a, _ in e_prime], proof.s_prime))
    return t41, t42


def expected_t_hat(group: Group, proof: ShuffleProof, h: Any, c: int) -> list[Any]:
    """t̂'_i = ĉ_i^-c g^ŝ_i ĉ_{i-1}^s'_i, with ĉ_0 = h."""
    previous = [h, *proof.c_hat[:-1]]
    return [
        group.mul(group.mul(group.inv(group.pow(c_i, c)), group.pow(group.g, s_hat)), group.pow(c_prev, s_prime))
        for c_i, s_hat, c_prev, s_prime in zip(proof.c_hat, proof.s_hat, previous, proof.s_prime)
    ]


def verify_shuffle_proof(group: Group, pk: Any, fingerprint: str, e: Sequence[Ciphertext], e_prime: Sequence[Ciphertext], proof: ShuffleProof) -> None:
    """CheckShuffleProof(π, e, e', pk, φ): returns if every equation holds, else raises :class:`InvalidShuffle`
    naming each equation that fails. ``proof`` must come from :func:`parse_shuffle_proof` with N = len(e)."""
    n = len(e)
    if len(e_prime) != n:
        raise InvalidShuffle(["N"], f"{n} shuffled ciphertexts", f"{len(e_prime)}")
    h, hs = independent_generators(group, n)
    str_c = challenge_string(group, e, e_prime, proof)
    u = challenges_u(group, fingerprint, str_c, n)
    c = challenge_c(group, fingerprint, proof, str_c, pk)
    t41, t42 = expected_t4(group, proof, pk, e, e_prime, u, c)
    pairs = [
        ("t1", proof.t1, expected_t1(group, proof, hs, c)),
        ("t2", proof.t2, expected_t2(group, proof, h, u, c)),
        ("t3", proof.t3, expected_t3(group, proof, hs, u, c)),
        ("t4,1", proof.t41, t41),
        ("t4,2", proof.t42, t42),
    ]
    pairs += [(f"t̂_{i}", stated, found) for i, (stated, found) in enumerate(zip(proof.t_hat, expected_t_hat(group, proof, h, c)), start=1)]
    failures = [(name, stated, found) for name, stated, found in pairs if stated != found]
    if failures:
        name, stated, found = failures[0]
        raise InvalidShuffle([f[0] for f in failures], f"{name} = {group.to_text(stated)}", group.to_text(found))

