"""The public values every ballot encryption and check is bound to: K and H_E (SPEC §3.2.1, §3.2.3)."""

from __future__ import annotations

from dataclasses import dataclass

from .fixed_base import FixedBaseTable, table_for
from .group import ElementModP, Group, generator


@dataclass(frozen=True)
class ElectionContext:
    """The joint election public key K and the extended base hash H_E of one election."""

    K: ElementModP
    H_E: bytes

    def __post_init__(self) -> None:
        if len(self.H_E) != 32:
            raise ValueError("H_E is a 32-byte hash output")
        if self.K.value == 1:
            raise ValueError("K = 1 is not a valid election key (SPEC check 3.B)")

    @property
    def group(self) -> Group:
        return self.K.group

    @property
    def g_table(self) -> FixedBaseTable:
        return table_for(generator(self.K.group))

    @property
    def K_table(self) -> FixedBaseTable:
        return table_for(self.K)
