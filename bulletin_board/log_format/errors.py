"""The board's exceptions: one hierarchy, each error carrying the evidence that proves it.

``BoardError`` is the root. Input rejections carry the offending ``field`` and the ``reason``;
verification failures carry what was expected and what was found (hashes as bytes, proofs as lists),
so a caller can print or re-check them without re-running anything. No error ever holds a secret.
"""

from __future__ import annotations

from typing import Any


class BoardError(Exception):
    """Root of every error the board raises on purpose. ``code`` is a stable machine-readable name."""

    code = "board_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- rejected input -----------------------------------------------------------------------------

class InvalidInput(BoardError, ValueError):
    """An outside value was rejected; ``field`` names it, ``reason`` says why. Nothing was changed."""

    code = "invalid_input"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}", field=field)
        self.reason = reason


class CanonicalJsonError(InvalidInput):
    """A payload is not an acceptable canonical-JSON object; ``path`` locates the value (``$.a[2].b``)."""

    code = "invalid_payload"

    def __init__(self, path: str, reason: str, *, field: str = "payload") -> None:
        super().__init__(field, f"{path}: {reason}")
        self.path = path


class UnknownElection(BoardError, LookupError):
    code = "unknown_election"

    def __init__(self, election_id: str) -> None:
        super().__init__(f"no election {election_id!r} on this board", field="election_id")
        self.election_id = election_id


class ElectionExists(BoardError):
    code = "election_exists"

    def __init__(self, election_id: str) -> None:
        super().__init__(f"election {election_id!r} already exists", field="election_id")
        self.election_id = election_id


class OutOfRange(BoardError, LookupError):
    """A seq or tree size beyond the log (``limit`` is the bound that was exceeded)."""

    code = "out_of_range"

    def __init__(self, field: str, value: int, limit: int, message: str) -> None:
        super().__init__(f"{field}={value}: {message}", field=field)
        self.value = value
        self.limit = limit


# --- verification failures ----------------------------------------------------------------------

class VerificationError(BoardError):
    """Something that was supposed to verify did not. Verification fails closed: it raises, never returns False."""

    code = "verification_failed"


class ChainBroken(VerificationError):
    """The hash chain is wrong at ``seq`` (the first bad position): ``check`` says which rule failed."""

    code = "chain_broken"

    def __init__(self, seq: int, check: str, expected: Any, found: Any, detail: str = "") -> None:
        text = f"chain broken at seq {seq}: {check} expected {_show(expected)}, found {_show(found)}"
        super().__init__(text + (f" ({detail})" if detail else ""))
        self.seq = seq
        self.check = check
        self.expected = expected
        self.found = found


class ProofError(VerificationError):
    """A Merkle proof is malformed or does not match its parameters (wrong length, index out of range)."""

    code = "invalid_proof"

    def __init__(self, message: str, *, proof: list[bytes] | None = None, **evidence: Any) -> None:
        super().__init__(message)
        self.proof = list(proof or [])
        self.evidence = evidence


class RootMismatch(VerificationError):
    """A proof led to a root different from the one it was checked against."""

    code = "root_mismatch"

    def __init__(self, what: str, expected: bytes, computed: bytes, *, proof: list[bytes],
                 **evidence: Any) -> None:
        details = ", ".join(f"{k}={v}" for k, v in evidence.items())
        super().__init__(f"{what}: expected root {expected.hex()}, computed {computed.hex()} ({details})")
        self.expected = expected
        self.computed = computed
        self.proof = list(proof)
        self.evidence = evidence


class MalformedNote(VerificationError):
    code = "malformed_note"


class UnknownKey(VerificationError):
    code = "unknown_key"


class BadSignature(VerificationError):
    code = "bad_signature"


class InconsistentLog(VerificationError):
    """Two checkpoints cannot both be views of one append-only log; keeps both and the proof."""

    code = "inconsistent_log"

    def __init__(self, old: Any, new: Any, proof: list[bytes], reason: str) -> None:
        super().__init__(f"checkpoints of size {old.size} and {new.size} are inconsistent: {reason}")
        self.old = old
        self.new = new
        self.proof = list(proof)


class CheckpointMismatch(VerificationError):
    """The stored entries do not produce a signed checkpoint's root; ``first_bad_seq`` locates the damage."""

    code = "checkpoint_mismatch"

    def __init__(self, size: int, first_bad_seq: int | None, expected: bytes, computed: bytes | None,
                 detail: str) -> None:
        where = f"first bad seq {first_bad_seq}" if first_bad_seq is not None else "position unknown"
        shown = computed.hex() if computed is not None else "none"
        super().__init__(f"checkpoint of size {size} does not match the log ({where}): {detail}; "
                         f"signed root {expected.hex()}, computed {shown}")
        self.size = size
        self.seq = first_bad_seq
        self.expected = expected
        self.computed = computed


class NodeStoreError(VerificationError):
    """The stored Merkle subtrees needed for a root or proof are missing (a damaged database)."""

    code = "node_store_damaged"


class ExportError(VerificationError):
    """An exported record is malformed; ``seq`` is the first bad entry when the fault lies in one."""

    code = "invalid_record"

    def __init__(self, message: str, *, file: str, seq: int | None = None) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.seq = seq


def _show(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return repr(value)
