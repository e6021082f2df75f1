"""A witness policy: which witnesses a client trusts and how many of them must cosign (the quorum k).

A client that requires k valid cosignatures from distinct listed witnesses on every checkpoint it relies on
cannot be shown a fork of the log unless k witnesses collude (docs/witnesses.md). The policy comes from the
election's trust anchors (``trust_anchors.py``), never from the board itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cosignature import Cosignature, CosignerKey, cosignatures_in
from .errors import InvalidInput, VerificationError

__all__ = ["WitnessPolicy", "PolicyCheck", "QuorumNotMet"]

MAX_WITNESSES = 64


class QuorumNotMet(VerificationError):
    """Fewer than the quorum of listed witnesses validly cosigned the checkpoint."""

    code = "witness_quorum_not_met"

    def __init__(self, check: "PolicyCheck") -> None:
        names = ", ".join(c.name for c in check.valid) or "none"
        problems = f"; {'; '.join(check.problems)}" if check.problems else ""
        super().__init__(f"{len(check.valid)} of the {check.policy.quorum} witness cosignatures required "
                         f"(valid: {names}){problems}")
        self.check = check


@dataclass(frozen=True)
class PolicyCheck:
    policy: "WitnessPolicy"
    valid: tuple[Cosignature, ...]
    problems: tuple[str, ...]

    @property
    def met(self) -> bool:
        return len(self.valid) >= self.policy.quorum


@dataclass(frozen=True)
class WitnessPolicy:
    witnesses: tuple[CosignerKey, ...]
    quorum: int

    def __post_init__(self) -> None:
        if len(self.witnesses) > MAX_WITNESSES:
            raise InvalidInput("witnesses", f"at most {MAX_WITNESSES} witnesses")
        if len({w.public_key for w in self.witnesses}) != len(self.witnesses):
            raise InvalidInput("witnesses", "a witness key is listed twice")
        if len({w.name for w in self.witnesses}) != len(self.witnesses):
            raise InvalidInput("witnesses", "two witnesses share a name")
        if isinstance(self.quorum, bool) or not isinstance(self.quorum, int) or not 0 <= self.quorum <= len(self.witnesses):
            raise InvalidInput("witness_quorum", f"must be from 0 to the number of witnesses ({len(self.witnesses)})")

    @classmethod
    def from_strings(cls, keys: list[str] | tuple[str, ...], quorum: int | None) -> "WitnessPolicy":
        witnesses = tuple(CosignerKey.from_string(key, "witness") for key in keys)
        return cls(witnesses, len(witnesses) if quorum is None else quorum)

    @property
    def empty(self) -> bool:
        return not self.witnesses

    def check(self, note: str) -> PolicyCheck:
        """Count the valid cosignatures by listed witnesses on the checkpoint ``note`` (its board signature is
        checked separately, by ``checkpoint.verify_checkpoint``)."""
        valid, problems = cosignatures_in(note, self.witnesses)
        return PolicyCheck(self, tuple(valid), tuple(problems))

    def require(self, note: str) -> PolicyCheck:
        checked = self.check(note)
        if not checked.met:
            raise QuorumNotMet(checked)
        return checked

    def describe(self) -> str:
        names = ", ".join(w.name for w in self.witnesses)
        return f"{self.quorum} of {len(self.witnesses)} witnesses ({names})" if self.witnesses else "no witnesses"
