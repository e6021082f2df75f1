"""The error of a count that cannot start: bad candidates, seats, seed or rule set (never a bad ballot).

A ballot that is not a valid ranking or grading is not an error: it is voided publicly under the rule of
:mod:`.ballots` and listed in the result. Only the inputs that the manifest and the ceremony fix (the
candidates, the number of seats, ranks or grades, the seed of the lots) raise :class:`CountingError`.
"""

from __future__ import annotations

from ..errors import VotingError


class CountingError(VotingError, ValueError):
    """A counting input is unusable; ``field`` names it (``"seats"``, ``"candidates[2]"``, ``"seed"``)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")
