"""Counting methods for ranked and graded contests, from the decrypted rows of a mixnet (issue 20, item 4).

Pure: no I/O, no clock, no randomness but the public ``seed`` of the lots. Each function takes the contest's
candidate labels (the manifest's order), the decrypted rows (one cell per candidate) and the seed, voids
invalid rows publicly (:mod:`.ballots`), and returns the result with every round or step as plain data
(:func:`.plain.plain`). docs/counting.md describes each rule set.

Modules: :mod:`.ballots` (what a row means, the voiding rule), :mod:`.lots` (ties broken by lot),
:mod:`.irv`, :mod:`.stv_scottish` (with :mod:`.stv_papers`), :mod:`.schulze` (with :mod:`.pairwise`),
:mod:`.borda`, :mod:`.majority_judgment`, :mod:`.ranking` (groups and the winner's lot), :mod:`.plain`.
"""

from __future__ import annotations

from .ballots import Voided, read_grades, read_rankings
from .borda import BordaResult, count_borda
from .errors import CountingError
from .irv import IrvResult, count_irv
from .lots import Lot, draw_lot
from .majority_judgment import MajorityJudgmentResult, count_majority_judgment
from .plain import plain
from .schulze import SchulzeResult, count_schulze
from .stv_scottish import StvResult, count_stv_scottish

# STV rule sets by the name a manifest gives (issue 20: "stv with a named rule set").
STV_RULE_SETS = {"scottish": count_stv_scottish}

__all__ = [
    "STV_RULE_SETS",
    "BordaResult",
    "CountingError",
    "IrvResult",
    "Lot",
    "MajorityJudgmentResult",
    "SchulzeResult",
    "StvResult",
    "Voided",
    "count_borda",
    "count_irv",
    "count_majority_judgment",
    "count_schulze",
    "count_stv_scottish",
    "draw_lot",
    "plain",
    "read_grades",
    "read_rankings",
]
