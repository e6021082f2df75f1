"""A ranked or graded contest's result for people (``evote election result``; record-format §8.5, "Ranked and
graded contests"): the method, the winners, the valid and voided rows, every round in plain words, the lots.

The words follow the booth's result page (voting/booth/static/js/booth/result_ranked.js), e.g.
"Round 2: Alice 4, Bob 3, Carol 2. Carol is eliminated; Carol's 2 votes go to Bob 1, exhausted 1."
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable

from ..counting import plain

if TYPE_CHECKING:
    from .results_ranked import RankedContestResult

# The voiding rule of docs/counting.md ("Which rows are ballots"), reason -> plain words.
VOID_WORDS = {
    "R1/G1: wrong number of cells": "not one cell per option (rule R1)",
    "R2: rank out of range": "a rank out of range (rule R2)",
    "R3: equal ranks": "two options given the same rank (rule R3)",
    "R4: gap in ranks": "a gap in the ranks, such as 1, 2, 4 (rule R4)",
    "blank": "no option ranked (blank)",
    "G2: grade out of range": "a grade that does not exist (rule G2)",
}

Names = dict[str, str]


def _votes(n: object) -> str:
    return "1 vote" if n in (1, "1") else f"{n} votes"


def _listing(pairs: dict[str, Any], names: Names) -> str:
    return ", ".join(f"{names[label]} {value}" for label, value in pairs.items())


def _and(labels: list[str] | tuple[str, ...], names: Names) -> str:
    listed = [names[label] for label in labels]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + f" and {listed[-1]}"


def void_words(reason: str) -> str:
    """The voiding rule a row breaks, in plain words (the reason itself when unknown)."""
    return VOID_WORDS.get(reason, reason)


def lot_words(lot: dict[str, Any], names: Names) -> str:
    """One lot: what it decided, among whom, whom it chose, and the digest anyone recomputes (docs/counting.md)."""
    stage = f", stage {lot['stage']}" if lot["stage"] else ""
    return (f"Lot ({lot['purpose']}{stage}) among {_and(lot['among'], names)}: {names[lot['chosen']]} chosen "
            f"(HMAC-SHA-256 {lot['digest']})")


def irv_round_words(r: dict[str, Any], names: Names) -> str:
    """An instant-runoff round: the tallies, then who is elected or eliminated and where the votes went."""
    line = f"Round {r['number']}: {_listing(r['tallies'], names)}"
    line += f" (exhausted {r['exhausted']})." if r["exhausted"] else "."
    if r["elected"] is not None:
        won, counting = r["tallies"][r["elected"]], sum(r["tallies"].values())
        why = f"with {won} of {counting} votes, more than half" if 2 * won > counting else "as the last option left"
        return f"{line} {names[r['elected']]} is elected {why}."
    if r["eliminated"] is None:  # the one round of a count with no valid ballot (docs/counting.md)
        return f"{line} No one is elected (no winner: no valid ballot)."
    out = names[r["eliminated"]]
    by_lot = " by lot" if r["lot"] else ""
    held = r["tallies"][r["eliminated"]]
    if held == 0:
        return f"{line} {out} is eliminated{by_lot}; {out} had no votes to pass on."
    parts = [f"{names[label]} {n}" for label, n in r["transfers"].items() if n]
    if not parts:  # every one of its ballots ranks no option still in the count
        return f"{line} {out} is eliminated{by_lot}; {out}'s {_votes(held)} {'is' if held == 1 else 'are'} exhausted (no further preference)."
    if r["exhausted_by_transfer"]:
        parts.append(f"exhausted {r['exhausted_by_transfer']}")
    go = "goes" if held == 1 else "go"
    return f"{line} {out} is eliminated{by_lot}; {out}'s {_votes(held)} {go} to {', '.join(parts)}."


STAGE_ACTIONS = {"first preferences": "first preferences", "surplus": "surplus of", "exclusion": "exclusion of",
                 "last vacancies": "last vacancies, as many options left as seats"}  # fmt: skip


def stv_stage_words(s: dict[str, Any], names: Names) -> str:
    """An STV stage: whose votes moved, at which values, what each option received, the totals, who is elected."""
    action = STAGE_ACTIONS.get(s["action"], s["action"])
    line = f"Stage {s['number']}, {action}" + (f" {names[s['candidate']]}" if s["candidate"] else "")
    if s["transfer_values"]:
        line += " (transfer value " + ", ".join(f"{k} → {v}" for k, v in s["transfer_values"].items()) + ")"
    line += ":"
    if s["action"] != "first preferences" and s["action"] != "last vacancies":
        moved = [f"{names[label]} +{value}" for label, value in s["transfers"].items()]
        line += " " + (", ".join(moved) if moved else "nothing passed on") + f"; non-transferable {s['non_transferable']}"
        line += f"; rounding {s['rounding']}." if s["rounding"] != "0" else "."
        line += " Votes:"
    line += f" {_listing(s['totals'], names)}."
    if s["elected"]:
        line += f" Elected: {_and(s['elected'], names)}."
    return line


def _ranking(groups: list[list[str]], names: Names) -> str:
    return "; ".join(_and(g, names) + (" (tied)" if len(g) > 1 else "") for g in groups)


def _irv(c: RankedContestResult, names: Names) -> list[str]:
    return [irv_round_words(r, names) for r in c.details["rounds"]]


def _stv(c: RankedContestResult, names: Names) -> list[str]:
    quota = f"Quota: {c.details['quota']} votes (the valid ballots divided by seats + 1, rounded down, plus 1)."
    return [quota, *(stv_stage_words(s, names) for s in c.details["stages"])]


def _schulze(c: RankedContestResult, names: Names) -> list[str]:
    labels = [label for label, _ in c.options]
    d, p = c.details["pairwise"], c.details["strongest_paths"]
    lines = []
    for i, a in enumerate(labels):
        for j in range(i + 1, len(labels)):
            b = labels[j]
            verdict = (f"{names[a]} beats {names[b]}" if p[i][j] > p[j][i] else f"{names[b]} beats {names[a]}"
                       if p[j][i] > p[i][j] else "neither beats the other")  # fmt: skip
            lines.append(f"{names[a]} against {names[b]}: preferred by {d[i][j]} and {d[j][i]} voters; "
                         f"strongest paths {p[i][j]} and {p[j][i]}: {verdict}.")  # fmt: skip
    return [*lines, f"Ranking: {_ranking(c.details['ranking'], names)}."]


def _borda(c: RankedContestResult, names: Names) -> list[str]:
    return [f"Points: {_listing(c.details['scores'], names)}.", f"Ranking: {_ranking(c.details['ranking'], names)}."]


def _majority_judgment(c: RankedContestResult, names: Names) -> list[str]:
    grades = c.grades
    lines = []
    for label, counts in c.details["grade_counts"].items():
        median = c.details["majority_grades"].get(label)
        said = f"majority grade {grades[median]}" if median is not None else "no grades"
        lines.append(f"{names[label]}: {said}; grades given: " + ", ".join(f"{grades[g]} {n}" for g, n in enumerate(counts)) + ".")
    for tie in c.details["tie_breaks"]:
        steps = "; ".join(f"step {k + 1}: " + ", ".join(f"{names[label]} {grades[g]}" for label, g in step.items())
                          for k, step in enumerate(tie["steps"]))  # fmt: skip
        shared = grades[tie["steps"][0][tie["candidates"][0]]]
        lines.append(f"{_and(tie['candidates'], names)} share the majority grade {shared}; their medians, removing one "
                     f"grade at a time: {steps}.")  # fmt: skip
    return [*lines, f"Ranking: {_ranking(c.details['ranking'], names)}."]


DETAILS: dict[str, Callable[[RankedContestResult, Names], list[str]]] = {
    "irv": _irv, "stv": _stv, "schulze": _schulze, "borda": _borda, "majority_judgment": _majority_judgment,
}  # fmt: skip


def voided_words(c: RankedContestResult) -> str:
    """How many rows were voided, by rule."""
    if not c.voided:
        return "Voided rows: none."
    by_rule = Counter(v.reason for v in c.voided)
    listed = "; ".join(f"{n} with {void_words(reason)}" for reason, n in by_rule.items())
    return f"Voided rows: {len(c.voided)}, counted for no option: {listed}."


def ranked_lines(c: RankedContestResult) -> list[str]:
    """The contest's result as lines of text, the first unindented."""
    names = dict(c.options)
    seats = f", {c.seats} seats" if c.method == "stv" else ""
    ballots = "1 ballot" if c.rows == 1 else f"{c.rows} ballots"
    lines = [f"{c.title} (counted by {c.words}{seats}; {ballots}, {c.valid} valid)"]
    elected = "Elected, in order of election" if len(c.winners) > 1 else "Elected"
    body = [f"{elected}: {_and(c.winners, names) if c.winners else 'none (no winner: no valid ballot)'}.", voided_words(c), *DETAILS[c.method](c, names)]
    body += [lot_words(lot, names) + "." for lot in plain(list(c.lots))]
    return lines + [f"  {line}" for line in body]


def ranked_csv_rows(c: RankedContestResult) -> list[list[str]]:
    """The CSV's rows for a ranked contest: one per option, votes and share empty (no single total), elected."""
    return [[c.contest, label, "", "", "yes" if label in c.winners else "no"] for label, _ in c.options]
