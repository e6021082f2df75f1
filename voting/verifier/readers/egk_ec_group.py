"""The groups whose egk-ec records this verifier checks — the one place that refuses the others.

egk-ec's constants.json names its group: ``{"name", "type", "protocolVersion", "constants"}``
(``ElectionConstantsJson``). The checks run in the 4096-bit integer group of SPEC v2.0.0 §3.1.1
(:data:`voting.group.STANDARD`) and on NIST P-256 (:data:`voting.group_p256.P256`, egk-ec's elliptic-curve
group, protocolVersion v2.1.0). A record in any other group is refused as not supported
(:class:`.FormatNotSupported`), never reported as a failed verification: another curve (egk-ec's P-384 ...),
an integer group of another name or size (egk-ec's Integer3072), integer constants that are not the standard
ones. A record that names P-256 is read with the constants it writes; Verification 1 compares them with
FIPS 186-5's (1.B-1.E), as it compares an integer record's with SPEC §3.1.1.
"""

from __future__ import annotations

from typing import Any

from ...errors import EncodingError
from ...group import STANDARD, PrimeOrderGroup
from ...group_p256 import P256
from ..model import CurveConstants, GroupConstants, RecordUnreadable
from . import egk_json as j
from .egk_ec_json import constant
from .unsupported import FormatNotSupported

CHECKED = "this verifier checks ElectionGuard records in the 4096-bit integer group and on P-256 only"
INTEGER_GROUP = "IntegerGroup"
ELLIPTIC_CURVE = "EllipticCurve"
GROUP_NAME = "Integer4096"  # egk-ec's names: "Integer4096 (low memory use)", "Integer4096 (high memory use)", ...
PROTOCOL_VERSION = "v2.0.0"  # what egk-ec writes for its integer groups, hashed as ver into H_P (SPEC eq. 4)
KEYS = (("p", "largePrime"), ("q", "smallPrime"), ("r", "cofactor"), ("g", "generator"))  # SPEC §3.1.1
CURVE_NAME = "P-256"
CURVE_KEYS = ("primeModulus", "a", "b", "order", "g.x", "g.y", "h")  # egk-ec's VecGroup.constants


def record_group(doc: Any, origin: str) -> tuple[GroupConstants | CurveConstants, str, PrimeOrderGroup]:
    """The record's group constants as written, its protocolVersion and the group the checks compute in;
    :class:`FormatNotSupported` for a group the checks do not implement, :class:`RecordUnreadable` naming the
    field when constants.json cannot be read."""
    try:
        name = j.text(doc, "name", "")
        kind = j.text(doc, "type", "")
        version = j.text(doc, "protocolVersion", "")
        written = j.get(doc, "constants", "")
        if kind == ELLIPTIC_CURVE:
            return _curve(name, version, written, origin)
        if kind != INTEGER_GROUP:
            raise FormatNotSupported(f"egk-ec record in a group of type {kind!r}", CHECKED)
        if not name.startswith(GROUP_NAME):
            raise FormatNotSupported(f"egk-ec record in the integer group {name!r}", CHECKED)
        if version != PROTOCOL_VERSION:
            raise FormatNotSupported(
                f"egk-ec record of protocolVersion {version!r}",
                f"this verifier checks ElectionGuard {PROTOCOL_VERSION} records (egk-ec's integer group)",
            )
        values = {symbol: constant(written, key, "constants") for symbol, key in KEYS}
        extra = sorted(set(written) - {key for _, key in KEYS})
        if extra:
            raise EncodingError("constants", f"has constants the integer group does not: {extra}")
    except EncodingError as exc:
        raise RecordUnreadable(f"{origin}: {exc.field}: {exc.reason} (the record's group must be known to read it)") from None
    standard = {"p": STANDARD.p, "q": STANDARD.q, "r": STANDARD.r, "g": STANDARD.g}
    for symbol, key in KEYS:
        if values[symbol] != standard[symbol]:
            raise FormatNotSupported(
                f"egk-ec record in the integer group {name!r}, whose constants.{key} is not the {symbol} of SPEC §3.1.1",
                CHECKED,
            )
    return GroupConstants(origin=origin, **{symbol: int(v) for symbol, v in values.items()}), version, STANDARD


def _curve(name: str, version: str, written: Any, origin: str) -> tuple[CurveConstants, str, PrimeOrderGroup]:
    """egk-ec's P-256 (its constants as written, for Verification 1 to compare); other curves are refused."""
    if name != CURVE_NAME:
        raise FormatNotSupported(f"egk-ec record in the elliptic-curve group {name}", CHECKED)
    if version != P256.protocol_version:
        raise FormatNotSupported(
            f"egk-ec record on P-256 of protocolVersion {version!r}",
            f"this verifier checks egk-ec's P-256 records of protocolVersion {P256.protocol_version}",
        )
    if not isinstance(written, dict):
        raise EncodingError("constants", "expected a JSON object")
    extra = sorted(set(written) - set(CURVE_KEYS))
    if extra:
        raise EncodingError("constants", f"has constants a curve does not: {extra}")
    values = tuple((key, constant(written, key, "constants") if key in written else None) for key in CURVE_KEYS)
    return CurveConstants(values, origin), version, P256
