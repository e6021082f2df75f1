"""Records this verifier cannot check, refused as such (exit 2, "format not supported"), never failed.

A record of a system, version or group the verifier does not implement is not evidence of a forgery: the
verifier says what the record is and what it lacks, and verifies nothing. docs/verification-checks.md,
"Records refused as not supported".
"""

from __future__ import annotations

from ..model import RecordUnreadable


class FormatNotSupported(RecordUnreadable):
    """The record is of a kind this verifier does not check: ``what`` it is, and ``missing``, what the
    verifier would need (the CLI prints "format not supported: WHAT; MISSING" and exits with 2)."""

    def __init__(self, what: str, missing: str):
        self.what = what
        self.missing = missing
        super().__init__(f"format not supported: {what}; {missing}")

    @property
    def detail(self) -> str:
        return f"{self.what}; {self.missing}"

    def __reduce__(self):
        return (type(self), (self.what, self.missing))
