"""The verifier's own table of the election's rules (docs/record-format.md §8.2), used by section L.

Written from the record format, not from the board's engine (``voting.record.lifecycle``): a rule bug the
board accepts must not be accepted here by construction. What it shares with the producer is the trusted
base listed in docs/verification-checks.md ("What the verifier trusts"): group arithmetic, the record's
parsers and the proof checks. tests/verifier/test_rules_agree.py keeps the board's engine as an oracle that
the two agree on every generated and mutated record.
"""

from .state import EntryFacts, Observed, RuleBroken
from .table import RULES, Rule, apply_rule

__all__ = ["EntryFacts", "Observed", "RuleBroken", "RULES", "Rule", "apply_rule"]
