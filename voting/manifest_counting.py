"""A contest's counting method: ranked and graded contests (docs/record-format.md §12.1, issue 20 item 1).

A contest may declare ``"counting"``; it is then counted from each voter's whole row after the mix
(docs/mixnet.md, docs/counting.md) instead of by adding. The row holds one cell per option:

* ranked methods (``irv``, ``stv``, ``schulze``, ``borda``): the rank given to the option, 1 the first
  preference, 0 unranked; at most ``ranks`` options are ranked (default: every option);
* ``majority_judgment``: the position of the option's grade in ``grades`` (0 the lowest grade).

Such a contest gives no ``votes_allowed``, ``option_limit`` or ``number_elected``: the selection limits are
derived (record-format §12.1). For a ranked contest R = ranks and L = ranks·(ranks+1)/2 (the sum of the ranks
1..ranks); for ``majority_judgment`` R = grades − 1 and L = R × options. Like every selection limit, L is at
most :data:`MAX_LIMIT` (a contest's range proof 0..L has L + 1 parts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ManifestError
from .manifest_text import Text, parse_text

RANKED_METHODS = ("irv", "stv", "schulze", "borda")
GRADED_METHOD = "majority_judgment"
METHODS = (*RANKED_METHODS, GRADED_METHOD)
STV_RULE_SETS = ("scottish",)  # voting/counting STV_RULE_SETS
MIN_GRADES, MAX_GRADES = 2, 10
MAX_LIMIT = 1000  # as voting/manifest.py MAX_SELECTION_LIMIT
DERIVED_FIELDS = ("votes_allowed", "option_limit", "number_elected")

_FIELDS = {
    "irv": {"ranks"},
    "stv": {"ranks", "rule_set", "seats"},
    "schulze": {"ranks"},
    "borda": {"ranks"},
    GRADED_METHOD: {"grades"},
}
_REQUIRED = {"stv": {"rule_set", "seats"}, GRADED_METHOD: {"grades"}}


@dataclass(frozen=True)
class Counting:
    """The parsed ``counting`` of a contest: ``ranks`` as declared (None: every option may be ranked);
    ``seats`` and ``rule_set`` for ``stv`` only; ``grades`` (lowest first) for ``majority_judgment`` only."""

    method: str
    ranks: int | None
    seats: int | None
    rule_set: str | None
    grades: tuple[Text, ...]

    @property
    def ranked(self) -> bool:
        return self.method in RANKED_METHODS

    def max_rank(self, options: int) -> int:
        """How many options a voter may rank (ranked methods): ``ranks``, else the number of options."""
        return options if self.ranks is None else self.ranks

    def option_limit(self, options: int) -> int:
        """R, the largest value of a cell: the last rank, or the highest grade's position."""
        return self.max_rank(options) if self.ranked else len(self.grades) - 1

    def votes_allowed(self, options: int) -> int:
        """L, the largest sum of a row: 1 + 2 + … + ranks, or the highest grade for every option."""
        if self.ranked:
            ranks = self.max_rank(options)
            return ranks * (ranks + 1) // 2
        return (len(self.grades) - 1) * options

    @property
    def seats_elected(self) -> int:
        """How many options the method elects: STV's ``seats``, one for every other method."""
        return self.seats if self.seats is not None else 1


def _int(value: object, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ManifestError(where, f"expected an integer from {low} to {high}")
    return value


def parse_counting(contest: dict[str, Any], where: str, options: int, languages: tuple[str, ...]) -> Counting:
    """The ``counting`` of the contest object ``contest`` (at ``where``, with ``options`` options); raises
    :class:`ManifestError` naming the field, including a derived limit the contest gives itself."""
    for name in DERIVED_FIELDS:
        if name in contest:
            raise ManifestError(
                f"{where}.{name}", "a contest with counting has no such field: its limits are derived from counting"
            )
    at = f"{where}.counting"
    obj = contest["counting"]
    if not isinstance(obj, dict):
        raise ManifestError(at, "expected a JSON object")
    method = obj.get("method")
    if method not in METHODS:
        raise ManifestError(f"{at}.method", f"expected one of {', '.join(METHODS)}")
    for key in _REQUIRED.get(method, set()):
        if key not in obj:
            raise ManifestError(f"{at}.{key}", f"is missing (method {method} needs it)")
    for key in obj:
        if key != "method" and key not in _FIELDS[method]:
            raise ManifestError(f"{at}.{key}", f"is not a field of method {method}")
    ranks = _int(obj["ranks"], f"{at}.ranks", 1, options) if "ranks" in obj else None
    seats = rule_set = None
    if method == "stv":
        if obj["rule_set"] not in STV_RULE_SETS:
            raise ManifestError(f"{at}.rule_set", f"expected one of {', '.join(STV_RULE_SETS)}")
        rule_set = obj["rule_set"]
        if options < 2:
            raise ManifestError(f"{at}.seats", "STV needs at least two options, so that fewer seats than options are filled")
        seats = _int(obj["seats"], f"{at}.seats", 1, options - 1)
    grades: tuple[Text, ...] = ()
    if method == GRADED_METHOD:
        raw = obj["grades"]
        if not isinstance(raw, list) or not MIN_GRADES <= len(raw) <= MAX_GRADES:
            raise ManifestError(f"{at}.grades", f"expected a list of {MIN_GRADES} to {MAX_GRADES} grades, the lowest first")
        grades = tuple(parse_text(text, f"{at}.grades[{j}]", languages) for j, text in enumerate(raw))
    counting = Counting(method, ranks, seats, rule_set, grades)
    if counting.votes_allowed(options) > MAX_LIMIT:
        field = f"{at}.ranks" if counting.ranked else f"{at}.grades"
        raise ManifestError(
            field,
            f"the contest's derived limit L = {counting.votes_allowed(options)} exceeds {MAX_LIMIT}: "
            + (
                "declare fewer ranks (L = ranks·(ranks+1)/2)"
                if counting.ranked
                else "use fewer grades or options (L = (grades−1)·options)"
            ),
        )
    return counting
