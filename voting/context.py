"""The public values every ballot encryption and check is bound to: K and H_E (SPEC §3.2.1, §3.2.3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .group import ElementModP, Group


@dataclass(frozen=True)
class ElectionContext:
    """The joint election public key K and the extended base hash H_E of one election.

    K is an element of the record's group: an :class:`ElementModP`, or in a verification of a P-256 record a
    :class:`voting.group_p256.P256Point` (the same operators); ``group`` is then the P-256 group.
    """

    K: ElementModP
    H_E: bytes

    def __post_init__(self) -> None:
        if len(self.H_E) != 32:
            raise ValueError("H_E is a 32-byte hash output")
        if self.K == self.K.group.identity():
            raise ValueError("K = 1 is not a valid election key (SPEC check 3.B)")

    @property
    def group(self) -> Group:
        return self.K.group

    @property
    def g_table(self) -> Any:
        """g^e through the group's fixed-base table for g (:mod:`voting.fixed_base` in the integer groups)."""
        group = self.K.group
        return group.fixed_base(group.generator())

    @property
    def K_table(self) -> Any:
        """K^e through the group's fixed-base table for K."""
        return self.K.group.fixed_base(self.K)
