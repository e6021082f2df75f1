"""The error of a failed verification of a proof of shuffle, with the equation, row and column it names."""

from __future__ import annotations

from ..errors import InvalidProof


class InvalidShuffle(InvalidProof):
    """A proof of shuffle failed ``check`` (``"shuffle.t4"``, ...); ``row`` / ``column`` say where, 0-based."""

    def __init__(
        self,
        check: str,
        message: str,
        *,
        row: int | None = None,
        column: int | None = None,
        expected: object = None,
        found: object = None,
    ):
        self.row = row
        self.column = column
        where = ", ".join(f"{name} {value}" for name, value in (("row", row), ("column", column)) if value is not None)
        super().__init__(check, f"{where}: {message}" if where else message, expected=expected, found=found)
