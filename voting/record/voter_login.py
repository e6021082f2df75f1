"""The board's second factor for voters: ``"voter_login"`` in ``election.created`` (record-format §11).

``{"method": "email-code", "cards_by": "post" | "email" | "hand"}``: before a ballot is accepted the voter
signs in with their voter id and a one-time code the board e-mails to the address on the roll; the board
binds that login to the first credential it casts with. ``cards_by`` states how the voting cards (the
credentials) travel, so voters and observers know what the two factors assume: with ``"email"`` both
factors reach the same mailbox, and whoever reads it holds both.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import RecordError, exact

METHODS = ("email-code",)
CARD_CHANNELS = ("post", "email", "hand")


@dataclass(frozen=True)
class VoterLogin:
    method: str
    cards_by: str

    @property
    def same_channel(self) -> bool:
        """Both factors by e-mail: the mailbox alone is enough to vote."""
        return self.cards_by == "email"

    def to_json(self) -> dict[str, str]:
        return {"method": self.method, "cards_by": self.cards_by}


def parse_voter_login(value: object, field: str = "voter_login") -> VoterLogin:
    obj = exact(value, field, {"method", "cards_by"})
    if obj["method"] not in METHODS:
        raise RecordError(f"{field}.method", f"expected one of {', '.join(METHODS)}")
    if obj["cards_by"] not in CARD_CHANNELS:
        raise RecordError(f"{field}.cards_by", f"expected one of {', '.join(CARD_CHANNELS)}")
    return VoterLogin(obj["method"], obj["cards_by"])
