"""Refusals of the election layer, each with its HTTP status, a stable code and the field at fault."""

from __future__ import annotations

from voting.errors import EncodingError, InvalidBallot, ManifestError, VotingError
from voting.record.lifecycle import RuleViolation

from ..log_format.errors import BoardError


class Refused(BoardError):
    """A request the election's rules refuse; nothing was appended."""

    def __init__(self, status: int, code: str, field: str | None, message: str) -> None:
        super().__init__(message, field=field)
        self.status = status
        self.code = code


def refusal_from(error: VotingError) -> Refused:
    """Translate an error of the cryptography core or the record layer into a refusal."""
    if isinstance(error, RuleViolation):
        return Refused(409, "rule_violation", error.field, str(error))
    if isinstance(error, InvalidBallot):
        check = f" (check {error.check})" if error.check else ""
        return Refused(422, "invalid_ballot", error.field, f"{error.reason}{check}")
    if isinstance(error, (EncodingError, ManifestError)):
        return Refused(400, "invalid_payload", error.field, error.reason)
    return Refused(422, "refused", None, str(error))
