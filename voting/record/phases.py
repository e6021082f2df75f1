"""The vocabulary of an election's entries (record-format §8.2): entry kinds, who posts them, the phases of
the board's engine, and the error a refused entry raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..group import ElementModQ
from ..joint_decryption import DecryptionChallenge, DecryptionShare
from . import keygen as kg
from . import tallying as tl
from .common import RecordError

CREATED, OPENED, CLOSED = "election.created", "election.opened", "election.closed"
CREDENTIALS_PUBLISHED, CREDENTIALS_REVOKED = "credentials.published", "credentials.revoked"
ANCHORS_PUBLISHED = "anchors.published"  # record-format §10: the election's trust anchors
BOARD_KEY_TRANSITION = "board.key_transition"  # record-format §10: appended by the board operator, not over HTTP
BOARD_KINDS = (BOARD_KEY_TRANSITION,)
SCHEDULED, EXTENDED, CANCELLED = "election.scheduled", "election.extended", "election.cancelled"  # record-format §8.2
BALLOT_KINDS = ("ballot.cast", "ballot.challenged")
CHUNK = "chunk"  # record-format §13 (voting/record/chunks.py)
MIX_INPUT, MIX_SHUFFLED = "mix.input", "mix.shuffled"  # record-format §12.2 (voting/record/mixing.py)
TRUSTEE_KINDS = (
    kg.COMMITMENTS, kg.SHARES, kg.CHECKED, kg.SHARE_REVEALED, kg.CONFIRMED,
    MIX_SHUFFLED, tl.DECRYPTION_SHARE, tl.DECRYPTION_RESPONSE, CHUNK,
)  # fmt: skip
ADMIN_KINDS = (
    CREATED, kg.RESULT, CREDENTIALS_PUBLISHED, CREDENTIALS_REVOKED, ANCHORS_PUBLISHED, SCHEDULED, OPENED, EXTENDED, CLOSED,
    CANCELLED, MIX_INPUT,
    tl.TALLY_ENCRYPTED, tl.DECRYPTION_CHALLENGE, tl.DECRYPTION_FAILED, tl.TALLY_RESULT, CHUNK,
)  # fmt: skip

# phases
KEYGEN, KEYGEN_FAILED, CONFIRMING, READY, OPEN, CLOSED_PHASE, TALLYING, TALLIED, CANCELLED_PHASE = (
    "keygen", "keygen_failed", "confirming", "ready", "open", "closed", "tallying", "tallied", "cancelled",
)  # fmt: skip


class RuleViolation(RecordError):
    """An entry that the election's rules do not allow at this point, or whose content does not match."""


@dataclass
class DecryptionRound:
    number: int
    shares: dict[int, DecryptionShare] = field(default_factory=dict)
    challenge: DecryptionChallenge | None = None
    responses: dict[int, tuple[ElementModQ, ...]] = field(default_factory=dict)
