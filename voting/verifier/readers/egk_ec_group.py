"""The groups whose egk-ec records this verifier checks — the one place that refuses the others.

egk-ec's constants.json names its group: ``{"name", "type", "protocolVersion", "constants"}``
(``ElectionConstantsJson``). The checks implement the 4096-bit integer group of SPEC v2.0.0 §3.1.1 only,
so a record in any other group is refused as not supported (:class:`.FormatNotSupported`), never reported as
a failed verification: an elliptic-curve record (egk-ec's P-256, protocolVersion v2.1.0), an integer group
of another name or size (egk-ec's Integer3072), or constants that are not the standard ones. When the
checks learn P-256, :func:`record_group` is where its refusal is lifted.
"""

from __future__ import annotations

from typing import Any

from ...errors import EncodingError
from ...group import STANDARD
from ..model import GroupConstants, RecordUnreadable
from . import egk_json as j
from .egk_ec_json import constant
from .unsupported import FormatNotSupported

CHECKED = "this verifier checks ElectionGuard records in the 4096-bit integer group only"
INTEGER_GROUP = "IntegerGroup"
ELLIPTIC_CURVE = "EllipticCurve"
GROUP_NAME = "Integer4096"  # egk-ec's names: "Integer4096 (low memory use)", "Integer4096 (high memory use)", ...
PROTOCOL_VERSION = "v2.0.0"  # what egk-ec writes for its integer groups, hashed as ver into H_P (SPEC eq. 4)
KEYS = (("p", "largePrime"), ("q", "smallPrime"), ("r", "cofactor"), ("g", "generator"))  # SPEC §3.1.1


def record_group(doc: Any, origin: str) -> tuple[GroupConstants, str]:
    """The record's group constants and its protocolVersion; :class:`FormatNotSupported` for a group the
    checks do not implement, :class:`RecordUnreadable` naming the field when constants.json cannot be read."""
    try:
        name = j.text(doc, "name", "")
        kind = j.text(doc, "type", "")
        version = j.text(doc, "protocolVersion", "")
        written = j.get(doc, "constants", "")
        if kind == ELLIPTIC_CURVE:
            raise FormatNotSupported(f"egk-ec record in the elliptic-curve group {name}", CHECKED)
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
    return GroupConstants(origin=origin, **{symbol: int(v) for symbol, v in values.items()}), version
