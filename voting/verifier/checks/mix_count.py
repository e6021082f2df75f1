"""The count of a contest with counting, recomputed from its decrypted rows with voting/counting (docs/counting.md,
record-format §12.3), and the words the verifier's output uses for it.

The tie seed is SHA-256("evote/tie-seed/v1" ∥ 0x00 ∥ H_E ∥ b(len(label), 4) ∥ label ∥ D(mix input) ∥ R), D the
rows digest of the contest's mix input and R the digest of its decrypted rows sorted: no mix server can move it.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ...counting import (
    STV_RULE_SETS,
    count_borda,
    count_irv,
    count_majority_judgment,
    count_schulze,
    plain,
)
from ...manifest import Contest
from ...manifest_counting import Counting
from ...record.mixing import tie_seed


def _ranked(function: Callable[..., Any]) -> Callable[..., Any]:
    return lambda counting, labels, rows, seed: function(labels, rows, seed, counting.max_rank(len(labels)))


def _stv(counting: Counting, labels: list[str], rows: Sequence[Sequence[int]], seed: bytes) -> Any:
    rule_set = STV_RULE_SETS[str(counting.rule_set)]
    return rule_set(labels, rows, counting.seats_elected, seed, counting.max_rank(len(labels)))


def _graded(counting: Counting, labels: list[str], rows: Sequence[Sequence[int]], seed: bytes) -> Any:
    return count_majority_judgment(labels, rows, len(counting.grades), seed)


METHODS: dict[str, Callable[..., Any]] = {
    "irv": _ranked(count_irv),
    "stv": _stv,
    "schulze": _ranked(count_schulze),
    "borda": _ranked(count_borda),
    "majority_judgment": _graded,
}
"""The counting function of each method of record-format §12.1 (an explicit table, no names built from strings)."""


def count_contest(contest: Contest, rows: Sequence[Sequence[int]], H_E: bytes, input_digest: bytes) -> dict[str, Any]:
    """The contest's count as plain data (voting.counting.plain), with the seed it used (record-format §12.3: of
    H_E, the label, D(the mix input) and the decrypted rows)."""
    counting = contest.counting
    if counting is None:
        raise ValueError(f"contest {contest.label!r} has no counting method")
    seed = tie_seed(H_E, contest.label, input_digest, rows)
    counted = plain(METHODS[counting.method](counting, [o.label for o in contest.options], rows, seed))
    assert isinstance(counted, dict)  # a result is a dataclass
    counted["seed"] = seed.hex().upper()
    return counted


def winners_of(count: dict[str, Any]) -> list[str]:
    """The elected options: STV's ``elected``, every other method's ``winner``; none when no row is valid."""
    if "elected" in count:
        return list(count["elected"])
    return [] if count["winner"] is None else [count["winner"]]


def rounds_of(count: dict[str, Any]) -> list[dict[str, Any]]:
    """The rounds (IRV) or stages (STV) of a count; the other methods decide in one step."""
    return list(count.get("rounds") or count.get("stages") or [])


def round_text(step: dict[str, Any], names: dict[str, str]) -> str:
    """One round or stage in plain words: who was elected or eliminated (excluded), with the transfers."""

    def name(label: object) -> str:
        return names.get(str(label), str(label))

    words = []
    if "action" in step:  # an STV stage
        head = f"stage {step['number']}: {step['action']}"
        if step.get("candidate"):
            head += f" of {name(step['candidate'])}"
        words.append(head)
        if step.get("elected"):
            words.append("elected " + ", ".join(name(c) for c in step["elected"]))
    else:  # an IRV round
        words.append(f"round {step['number']}: " + ", ".join(f"{name(c)} {v}" for c, v in step["tallies"].items()))
        if step.get("elected"):
            words.append(f"{name(step['elected'])} elected")
        if step.get("eliminated"):
            moved = ", ".join(f"{v} to {name(c)}" for c, v in step.get("transfers", {}).items() if v)
            words.append(
                f"{name(step['eliminated'])} eliminated"
                + (f" ({moved}; {step['exhausted_by_transfer']} exhausted)" if moved else "")
            )
    lots = step.get("lots") or ([step["lot"]] if step.get("lot") else [])
    words.extend(f"lot among {', '.join(name(c) for c in lot['among'])} chose {name(lot['chosen'])}" for lot in lots)
    return "; ".join(words)
