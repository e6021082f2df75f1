"""The P-256 group of egk-ec records: known answers, refusals, group laws and the egk-ec sample (SPEC v2.0.0 §3).

Vectors: tests/vectors/p256/ (provenance in tests/vectors/README.md). A deliberately literal affine reference
(textbook chord-and-tangent with its special cases) lives here only to check the complete formulas against.
"""

from __future__ import annotations

import base64
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from support.environment import shared_path

from voting.errors import NotInGroupError
from voting.group_p256 import (
    EGK_IDENTITY,
    GENERATOR,
    GX,
    GY,
    IDENTITY,
    B,
    N,
    P,
    P256Point,
    multi_pow,
    parse_scalar,
)

VECTORS = Path(__file__).parent / "vectors" / "p256"
SAMPLE = ("samples", "egk-ec-allAvailableEc")
G_PROJECTIVE = GENERATOR * IDENTITY  # G with Z != 1: takes the general (Straus) path, not the generator's comb


def load(name: str) -> dict:
    return json.loads((VECTORS / name).read_text())


# ---- a literal affine reference, for testing only (None is the point at infinity) ----


def ref_add(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None:
        return b
    if b is None:
        return a
    (x1, y1), (x2, y2) = a, b
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if a == b:
        slope = (3 * x1 * x1 - 3) * pow(2 * y1, -1, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


def ref_mul(k: int, a: tuple[int, int] | None) -> tuple[int, int] | None:
    result = None
    for bit in bin(k)[2:]:
        result = ref_add(result, result)
        if bit == "1":
            result = ref_add(result, a)
    return result


def affine_or_none(point: P256Point) -> tuple[int, int] | None:
    return None if point.is_identity else point.affine()


# ---- known answers ----


def test_curve_constants():
    assert P == 2**256 - 2**224 + 2**192 + 2**96 - 1
    assert (GY * GY - (GX**3 - 3 * GX + B)) % P == 0
    assert ref_mul(N, (GX, GY)) is None  # n·G = O: n is the order of G, and #E = n (cofactor 1)


@pytest.mark.parametrize("vector", load("kG-libgcrypt.json")["vectors"], ids=lambda v: f"tv{v['tv']}")
def test_k_times_generator(vector):
    k, expected = int(vector["k"]), (int(vector["x"], 16), int(vector["y"], 16))
    assert (GENERATOR**k).affine() == expected  # the generator's comb
    assert (G_PROJECTIVE**k).affine() == expected  # the general window method
    half = k // 2
    assert multi_pow([(G_PROJECTIVE, half), (G_PROJECTIVE, k - half)]).affine() == expected  # Straus


WYCHEPROOF = load("wycheproof-ecdh-secp256r1-ecpoint.json")["tests"]


def wycheproof_public(encoded: bytes) -> P256Point:
    """A Wycheproof public point: compressed through parse; uncompressed (04 ∥ x ∥ y), which egk-ec never writes,
    is refused by parse and its coordinates go through from_affine, so the on-curve check is what is tested."""
    if len(encoded) != 65 or encoded[0] != 4:
        return P256Point.parse(encoded, field="public")
    with pytest.raises(NotInGroupError, match="65 bytes"):
        P256Point.parse(encoded)
    return P256Point.from_affine(int.from_bytes(encoded[1:33], "big"), int.from_bytes(encoded[33:], "big"))


@pytest.mark.parametrize("case", WYCHEPROOF, ids=lambda t: f"tcId{t['tcId']}")
def test_wycheproof_ecdh_points(case):
    encoded = bytes.fromhex(case["public"])
    if case["result"] == "invalid":
        with pytest.raises(NotInGroupError):
            wycheproof_public(encoded)
        return
    public = wycheproof_public(encoded)
    private = parse_scalar(int(case["private"], 16))
    shared = (public**private).affine()[0]
    assert shared.to_bytes(32, "big").hex() == case["shared"]


def test_wycheproof_subset_has_every_invalid_kind():
    flags = {flag for case in WYCHEPROOF if case["result"] == "invalid" for flag in case["flags"]}
    assert {"InvalidCurveAttack", "InvalidEncoding", "InvalidCompressedPublic", "WrongCurve"} <= flags


# ---- refusals: every way an element enters ----

G_BYTES = GENERATOR.to_bytes()


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "0 bytes"),
        (G_BYTES[:32], "32 bytes"),
        (G_BYTES + b"\x00", "34 bytes"),
        (b"\x04" + GX.to_bytes(32, "big") + GY.to_bytes(32, "big"), "65 bytes"),  # SEC1 uncompressed G
        (b"\x00", "1 bytes"),  # SEC1's encoding of infinity
        (EGK_IDENTITY, "identity"),
        (b"\x04" + G_BYTES[1:], "prefix byte 0x04"),
        (b"\x00" + G_BYTES[1:], "prefix byte 0x00"),
        (b"\x01" + G_BYTES[1:], "prefix byte 0x01"),
        (b"\x06" + G_BYTES[1:], "prefix byte 0x06"),  # SEC1 hybrid
        (b"\xff" + G_BYTES[1:], "prefix byte 0xff"),
        (b"\x02" + P.to_bytes(32, "big"), "x >= p"),
        (b"\x02" + (P + 5).to_bytes(32, "big"), "x >= p"),  # x = 5 is on the curve: refused for its encoding
        (b"\x03" + (2**256 - 1).to_bytes(32, "big"), "x >= p"),
        (b"\x02" + (1).to_bytes(32, "big"), "no point"),  # 1 - 3 + b is not a square mod p (Euler's criterion)
        (b"\x02" + bytes.fromhex("fd4bf61763b46581fd9174d623516cf3c81edd40e29ffa2777fb6cb0ae3ce535"), "no point"),
        (b"\xff" * 32 + b"\xfe", "prefix byte 0xff"),
    ],
)
def test_parse_refuses(data, reason):
    with pytest.raises(NotInGroupError, match=reason) as err:
        P256Point.parse(data, field="pad")
    assert err.value.field == "pad"


def test_the_small_x_used_above_are_what_they_claim():
    assert P256Point.parse(b"\x02" + (5).to_bytes(32, "big")).affine()[0] == 5
    assert pow((1 - 3 + B) % P, (P - 1) // 2, P) == P - 1  # a non-square: no point has x = 1


@pytest.mark.parametrize("value", ["02" + "00" * 32, bytearray(b"x"), 5, None])
def test_parse_refuses_non_bytes(value):
    if isinstance(value, bytearray):
        with pytest.raises(NotInGroupError, match="1 bytes"):
            P256Point.parse(value)
        return
    with pytest.raises(NotInGroupError, match="not a byte string"):
        P256Point.parse(value)  # type: ignore[arg-type]


def test_identity_only_where_asked_for():
    assert P256Point.parse(EGK_IDENTITY, allow_identity=True) == IDENTITY
    assert IDENTITY.to_bytes() == EGK_IDENTITY and IDENTITY.is_identity
    with pytest.raises(ValueError):
        IDENTITY.affine()


@pytest.mark.parametrize(
    "x, y, reason",
    [(GX, GY + 1, "not on P-256"), (GX + P, GY, "x is not in the range"), (GX, GY + P, "y is not in the range"),
     (-1, GY, "x is not in the range"), (0, 0, "not on P-256"), (True, GY, "x is not an integer"),
     (GX, 1.0, "y is not an integer")],
)
def test_from_affine_refuses(x, y, reason):
    with pytest.raises(NotInGroupError, match=reason):
        P256Point.from_affine(x, y)


@pytest.mark.parametrize("value, reason", [(-1, "range"), (N, "range"), (N + 1, "range"), (2**256, "range"),
                                           (True, "integer"), (1.0, "integer"), (b"\x01" * 31, "31 bytes"),
                                           (b"\xff" * 32, "range")])
def test_scalars_outside_z_n_are_refused(value, reason):
    with pytest.raises(NotInGroupError, match=reason):
        parse_scalar(value, field="response")
    if isinstance(value, int):
        with pytest.raises(NotInGroupError, match=reason):
            GENERATOR**value
        with pytest.raises(NotInGroupError, match=reason):
            multi_pow([(GENERATOR, 1), (G_PROJECTIVE, value)])


def test_gmpy2_integers_are_integers_too():
    from gmpy2 import mpz

    assert P256Point.from_affine(mpz(GX), mpz(GY)) == GENERATOR
    assert GENERATOR ** mpz(2) == GENERATOR * GENERATOR and parse_scalar(mpz(N - 1)) == N - 1


def test_scalar_bytes_as_egk_ec_writes_them():
    assert parse_scalar((N - 1).to_bytes(32, "big")) == N - 1
    assert parse_scalar(bytes(32)) == 0


def test_points_cannot_be_made_directly_or_changed():
    with pytest.raises(TypeError):
        P256Point()
    with pytest.raises(AttributeError):
        GENERATOR._xyz = IDENTITY._xyz  # type: ignore[misc]


# ---- group laws (Hypothesis) ----

scalars = st.integers(min_value=0, max_value=N - 1)
small = st.integers(min_value=0, max_value=2**20)


@settings(max_examples=25, deadline=None)
@given(scalars, scalars, scalars)
def test_group_laws(a, b, c):
    A, Bp, C = GENERATOR**a, GENERATOR**b, GENERATOR**c
    assert (A * Bp) * C == A * (Bp * C)
    assert A * Bp == Bp * A
    assert A * IDENTITY == A and A * A.inverse() == IDENTITY
    assert GENERATOR ** ((a + b) % N) == A * Bp  # (a+b)·G = a·G + b·G
    assert A ** b == GENERATOR ** (a * b % N)


@settings(max_examples=25, deadline=None)
@given(small, small)
def test_complete_formulas_agree_with_the_textbook_reference(a, b):
    A, Bp = G_PROJECTIVE**a, G_PROJECTIVE**b
    assert affine_or_none(A * Bp) == ref_add(ref_mul(a, (GX, GY)), ref_mul(b, (GX, GY)))
    assert affine_or_none(A * A) == ref_add(ref_mul(a, (GX, GY)), ref_mul(a, (GX, GY)))  # doubling through _add


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=N - 1))
def test_order_n(k):
    point = GENERATOR**k
    assert point ** (N - 1) * point == IDENTITY  # n·P = O for every point: the group has prime order n
    assert GENERATOR ** (N - k) == point.inverse()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(scalars, scalars), min_size=1, max_size=4))
def test_multi_pow_is_the_product_of_single_powers(terms):
    pairs = [(GENERATOR**b if i % 2 else GENERATOR, e) for i, (b, e) in enumerate(terms)]
    expected = IDENTITY
    for base, e in pairs:
        expected = expected * base**e
    assert multi_pow(pairs) == expected


@settings(max_examples=50, deadline=None)
@given(scalars)
def test_encode_parse_round_trip(k):
    point = GENERATOR**k
    encoded = point.to_bytes()
    assert len(encoded) == 33 and P256Point.parse(encoded, allow_identity=True) == point
    assert P256Point.parse(encoded, allow_identity=True).to_bytes() == encoded
    assert pickle.loads(pickle.dumps(point)) == point and hash(point) == hash(P256Point.parse(encoded, allow_identity=True))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=N - 1), st.integers(min_value=0, max_value=32), st.integers(1, 255))
def test_parse_accepts_only_canonical_encodings(k, index, flip):
    """Any byte changed: the result is refused, or it is another point whose canonical encoding is those bytes."""
    mutated = bytearray((GENERATOR**k).to_bytes())
    mutated[index] ^= flip
    try:
        point = P256Point.parse(bytes(mutated))
    except NotInGroupError:
        return
    assert point.to_bytes() == bytes(mutated)


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=33, max_size=33))
def test_parse_of_arbitrary_bytes_is_canonical_or_refused(data):
    assume(data != EGK_IDENTITY)
    try:
        point = P256Point.parse(data)
    except NotInGroupError:
        return
    assert point.to_bytes() == data and not point.is_identity


# ---- the egk-ec P-256 sample ----

POINT_KEYS = {"joint_public_key", "public_key", "pad", "data", "c0", "beta", "b_over_m"}
IDENTITY_ALLOWED = {"b_over_m"}  # T = K^t is the identity when t = 0


def sample_points(root: Path) -> list[tuple[str, str, bytes]]:
    found: list[tuple[str, str, bytes]] = []

    def walk(node: object, key: str, where: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k, where)
        elif isinstance(node, list):
            for v in node:
                walk(v, key, where)
        elif isinstance(node, str) and key in POINT_KEYS:
            found.append((where, key, base64.b64decode(node, validate=True)))

    for path in sorted(root.rglob("*.json")):
        if "private_data" not in path.parts:
            walk(json.loads(path.read_text()), "", str(path.relative_to(root)))
    return found


def b64_point(text: str, field: str) -> P256Point:
    return P256Point.parse(base64.b64decode(text, validate=True), field=field)


def test_every_point_of_the_egk_ec_sample_is_on_the_curve():
    root = shared_path(*SAMPLE)
    assert json.loads((root / "constants.json").read_text())["name"] == "P-256"
    points = sample_points(root)
    assert len(points) > 2500  # 965 ciphertexts (pad, data), 402 contest-data c0, 182 T, 64 β, 9 K_ij, K
    for where, key, data in points:
        point = P256Point.parse(data, field=f"{where}: {key}", allow_identity=key in IDENTITY_ALLOWED)
        assert point.to_bytes() == data
    assert sum(data == EGK_IDENTITY for _, _, data in points) == 98  # the T of zero tallies


def test_joint_key_is_the_product_of_first_commitments_and_commitments_match_secrets():
    """K = Π K_i,0 (SPEC v2.0.0 eq. 8), and K_i,j = g^(a_i,j) (eq. 10) for the secret coefficients in private_data."""
    root = shared_path(*SAMPLE)
    initialized = json.loads((root / "election_initialized.json").read_text())
    K = b64_point(initialized["joint_public_key"], "joint_public_key")
    product = IDENTITY
    for guardian in initialized["guardians"]:
        product = product * b64_point(guardian["coefficient_proofs"][0]["public_key"], "K_i0")
        trustee = json.loads((root / "private_data" / "trustees" / f"decryptingTrustee-{guardian['guardian_id']}.json").read_text())
        for secret, proof in zip(trustee["polynomial_coefficients"], guardian["coefficient_proofs"], strict=True):
            assert GENERATOR ** parse_scalar(base64.b64decode(secret)) == b64_point(proof["public_key"], "K_ij")
    assert product == K


def test_tally_values_are_powers_of_the_joint_key():
    """T = K^t for every decrypted tally t (Verification 10.A: ElectionGuard 2.0 encrypts t as K^t)."""
    root = shared_path(*SAMPLE)
    K = b64_point(json.loads((root / "election_initialized.json").read_text())["joint_public_key"], "K")
    tally = json.loads((root / "tally.json").read_text())
    selections = [s for contest in tally["contests"] for s in contest["selections"]]
    for selection in selections:
        T = P256Point.parse(base64.b64decode(selection["b_over_m"]), field="b_over_m", allow_identity=True)
        assert T == K ** selection["tally"]
    assert any(s["tally"] == 0 for s in selections)
