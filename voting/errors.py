"""Typed errors of the cryptography core.

Every error names what it is about (a field, a spec check) and carries its evidence. None of them ever
holds a secret: messages mention labels, indices and public values only.
"""

from __future__ import annotations


class VotingError(Exception):
    """Base class of every error raised by :mod:`voting`."""

    def __reduce__(self):
        # Pickle by message and attributes, not through __init__ (whose arguments differ per class), so an
        # error raised in a worker process reaches the caller intact instead of breaking the process pool.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(cls: type[VotingError], args: tuple, attributes: dict) -> VotingError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(attributes)
    return error


class EncodingError(VotingError, ValueError):
    """A value from outside is not in its canonical encoding (hex width, case, type)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class NotInGroupError(EncodingError):
    """A value is not an element of the order-q subgroup Z_p^r, or not a scalar in Z_q (SPEC §3)."""


class NonStandardGroupError(VotingError, ValueError):
    """Parameters other than the standard ElectionGuard 2.0 group were offered to a production path."""


class InvalidProof(VotingError):
    """A zero-knowledge proof failed the verification step ``check`` (e.g. ``"5.D"``)."""

    def __init__(self, check: str, message: str, *, expected: object = None, found: object = None):
        self.check = check
        self.message = message  # without the "check ...:" prefix, for errors that wrap this one
        self.expected = expected
        self.found = found
        super().__init__(f"check {check}: {message}")


class ManifestError(VotingError, ValueError):
    """The election manifest is malformed; ``field`` is a path such as ``contests[2].options[0].label``."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class InvalidBallot(VotingError, ValueError):
    """A plaintext or encrypted ballot does not fit the manifest or the spec; ``field`` names the place."""

    def __init__(self, field: str, reason: str, *, check: str | None = None):
        self.field = field
        self.reason = reason
        self.check = check
        prefix = f"check {check}: " if check else ""
        super().__init__(f"{prefix}{field}: {reason}")


class ShareError(VotingError):
    """A key share failed its MAC or its check against the sender's commitments (SPEC §3.2.2)."""

    def __init__(self, sender: int, receiver: int, reason: str):
        self.sender = sender
        self.receiver = receiver
        self.reason = reason
        super().__init__(f"share from guardian {sender} to guardian {receiver}: {reason}")


class DecryptionError(VotingError):
    """A decryption could not be completed (too few guardians, value out of the searched range, ...)."""
