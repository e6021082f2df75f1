"""The result the verifier verified, in the words of docs/record-format.md §8.5 (the verifier's own computation).

Computed only when every check passed, and only from values the verifier checked: the t of each option in
``tally.result`` (Verifications 9-10 checked them against the encrypted tally), the counting of section E
(which cast ballots count and which were superseded), the credential lists that section L replayed, and the
challenged ballots the stream verified. It does not use the board's result code (voting/record/results.py):
``tests/test_results.py`` requires the two computations to agree.

In a version-1 election every counted ballot weighs 1. In a version-2 election each counted ballot weighs its
credential's weight (record-format §8.3): the decrypted t are weighted totals already (Verification 8 checks
the weighted aggregation, E.4 the total weight), and the result says so (``weighted``, ``total_weight``).

A contest with a counting method (record-format §12) states the count that check M.5 recomputed from its
decrypted rows, in the shape of §8.5 "Ranked and graded contests" (the board's result code is not used: the
verifier keeps its own table of the method's words and of what each method reports): ``number_elected`` the
seats, ``votes`` the valid ballots, and ``counting`` with the method, its words, the tie seed, the rows, the
valid and voided rows, every lot and the rounds, stages, matrices, points or grades. A contest with no valid
ballot elects no one ("no winner: no valid ballot", docs/counting.md).

Contest titles and option names are the manifest's texts in the language asked for (``evote-verify
--language``), each falling back to the manifest's default language; without a language, the default's.
"""

from __future__ import annotations

from typing import Any

from ..errors import ManifestError
from ..manifest import Contest, parse_manifest
from .checks.credential_lists import list_in_force
from .checks.mix_count import round_text, rounds_of
from .model import Decryption, ElectionRecord, Unreadable
from .model_evote import CountedBallots
from .report import Report

TURNOUT_WORDS = (
    ("credentials_issued", "credentials issued"),
    ("ballots_counted", "ballots counted"),
    ("ballots_challenged", "ballots challenged"),
    ("ballots_superseded", "ballots superseded"),
)


class NoResult(Exception):
    """Why the report states no result."""


def verified_result(record: ElectionRecord, report: Report, language: str | None = None) -> dict[str, Any]:
    """The verified result as the report's ``verified_result`` object, its titles and names in ``language``
    (None: the manifest's default language); raises :class:`NoResult` with the reason."""
    if not report.passed:
        raise NoResult("the record did not verify: no result is stated")
    evote = record.evote
    if evote is None:
        raise NoResult("the result and turnout words are defined for evote records (docs/record-format.md §8.5)")
    tally = record.decrypted_tally
    if not isinstance(tally, Decryption):
        raise NoResult("the record has no decrypted tally yet")
    created = evote.first("election.created")
    if created is None or not isinstance(evote.counting, CountedBallots):
        raise NoResult("the record has no election definition or no counting")
    try:
        manifest = parse_manifest(created.payload["manifest"])
    except (ManifestError, KeyError, TypeError):
        raise NoResult("the manifest cannot be read") from None
    values = _tally_values(tally)
    counts = evote.memo.get("counts", {})  # M.5's counts of the contests with counting (record-format §12.3)
    contests = [
        _counted(c, counts, language) if c.counting is not None else _contest(c, values, language) for c in manifest.contests
    ]
    credentials = list_in_force(evote)
    if not credentials.listed:
        raise NoResult("a credential list cannot be read")
    turnout = {
        "credentials_issued": credentials.voters,
        "ballots_counted": len(evote.counting.counted),
        "ballots_challenged": int(report.statistics["challenged"]),
        "ballots_superseded": len(evote.counting.superseded),
    }
    result: dict[str, Any] = {"weighted": False, "total_weight": None, "contests": contests, "turnout": turnout}
    if credentials.styles_bound:
        encrypted = evote.first("tally.encrypted")
        total = encrypted.payload.get("total_weight") if encrypted is not None and isinstance(encrypted.payload, dict) else None
        if not isinstance(total, int):
            raise NoResult("the encrypted tally has no total weight")
        result.update(weighted=True, total_weight=total)
    return result


def _tally_values(tally: Decryption) -> dict[tuple[str, str], int]:
    values: dict[tuple[str, str], int] = {}
    for contest in tally.contests:
        for selection in contest.selections:
            if isinstance(selection, Unreadable):
                raise NoResult(f"a decrypted total cannot be read ({selection})")
            values[(contest.contest, selection.option)] = selection.value
    return values


def _contest(contest: Contest, values: dict[tuple[str, str], int], language: str | None = None) -> dict[str, Any]:
    try:
        votes = {o.label: values[(contest.label, o.label)] for o in contest.options}
    except KeyError:
        raise NoResult(f"tally.result has no total for an option of contest {contest.label!r}") from None
    total = sum(votes.values())
    winners, tie = _winners(contest, votes)
    return {
        "contest": contest.label,
        "title": contest.title_text.get(language),
        "number_elected": contest.number_elected,
        "votes": total,
        "options": [
            {
                "option": o.label,
                "name": o.name_text.get(language),
                "votes": votes[o.label],
                "share": round(votes[o.label] / total, 6) if total else 0.0,
            }
            for o in contest.options
        ],
        "winners": winners,
        "tie": tie,
    }


# The methods in plain words (record-format §8.5), STV's by its rule set: the verifier's own table.
METHOD_WORDS = {"irv": "instant-runoff", "schulze": "Schulze", "borda": "Borda count", "majority_judgment": "majority judgment"}
STV_WORDS = {"scottish": "single transferable vote (Scottish rules)"}

# What each method did, as voting/counting reports it (record-format §8.5): the keys ``counting`` carries.
METHOD_DETAILS = {
    "irv": ("rounds",),
    "stv": ("quota", "stages"),
    "schulze": ("ranking", "pairwise", "strongest_paths"),
    "borda": ("ranking", "scores"),
    "majority_judgment": ("ranking", "grade_counts", "majority_grades", "tie_breaks"),
}

NO_WINNER = "no winner: no valid ballot"


def _lots(count: dict[str, Any]) -> list[dict[str, Any]]:
    """Every lot of a count in order: IRV's by round, STV's by stage, a single-step method's one."""
    by_round = [r["lot"] for r in count.get("rounds", ()) if r.get("lot")]
    by_stage = [lot for stage in count.get("stages", ()) for lot in stage["lots"]]
    return by_round + by_stage + ([count["lot"]] if count.get("lot") else [])


def _elected(count: dict[str, Any]) -> list[str]:
    """STV's elected in the order of their election, another method's winner; no one without a valid ballot."""
    if "elected" in count:
        return list(count["elected"])
    return [] if count["winner"] is None else [count["winner"]]


def counted_contest(contest: Contest, count: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """§8.5 "Ranked and graded contests": a contest with ``counting`` from M.5's count of its decrypted rows
    (``voting.counting``'s plain result with the tie ``seed``), titles and names in ``language``."""
    counting = contest.counting
    if counting is None or counting.method not in METHOD_DETAILS:
        raise NoResult(f"the contest {contest.label!r} has no counting method this verifier knows")
    stv = counting.method == "stv"
    details = {key: count[key] for key in METHOD_DETAILS[counting.method]}
    if counting.method == "majority_judgment":
        details["grades"] = [grade.get(language) for grade in counting.grades]
    return {
        "contest": contest.label,
        "title": contest.title_text.get(language),
        "number_elected": counting.seats_elected,
        "votes": count["valid"],
        "options": [{"option": o.label, "name": o.name_text.get(language)} for o in contest.options],
        "winners": _elected(count),
        "tie": None,
        "counting": {
            "method": counting.method,
            "rule_set": counting.rule_set if stv else None,
            "words": STV_WORDS[str(counting.rule_set)] if stv else METHOD_WORDS[counting.method],
            "seed": count["seed"],
            "rows": count["valid"] + len(count["voided"]),
            "valid": count["valid"],
            "voided": count["voided"],
            "lots": _lots(count),
            **details,
        },
    }


def _counted(contest: Contest, counts: dict[str, Any], language: str | None) -> dict[str, Any]:
    count = counts.get(contest.label)
    if count is None:
        raise NoResult(f"the contest {contest.label!r} was not counted from its decrypted rows (M.5)")
    return counted_contest(contest, count, language)


def counted_heading(contest: dict[str, Any]) -> str:
    """A counted contest's title line: its rows, the valid ones, and the method in words."""
    count = contest["counting"]
    seats = f", {contest['number_elected']} seats" if count["method"] == "stv" else ""
    return f"{contest['title']} ({count['rows']} ballots, {count['valid']} valid, counted from the mixed rows by {count['words']}{seats})"


def counting_lines(contest: dict[str, Any]) -> list[str]:
    """A counted contest in words: the method, the winners, the voided rows, each round or stage, the lots."""
    count = contest["counting"]
    names = {o["option"]: o["name"] for o in contest["options"]}
    elected = f"elected {', '.join(names.get(w, w) for w in contest['winners'])}" if contest["winners"] else NO_WINNER
    lines = [f"  method {count['method']}: {elected}; {count['valid']} valid rows, {len(count['voided'])} voided"]
    lines.extend(f"  voided row {v['row']}: {v['reason']}" for v in count["voided"])
    rounds = rounds_of(count)
    lines.extend(f"  {round_text(step, names)}" for step in rounds)
    if not rounds:  # a single-step method: its lot (IRV's and STV's are said with their round or stage)
        lines.extend(f"  lot among {', '.join(names.get(c, c) for c in lot['among'])} chose {names.get(lot['chosen'], lot['chosen'])} "
                     f"(HMAC-SHA-256 {lot['digest']})" for lot in count["lots"])  # fmt: skip
    lines.append(f"  tie seed {count['seed']} (record-format §12.3)")
    return lines


def _winners(contest: Contest, votes: dict[str, int]) -> tuple[list[str], dict[str, Any] | None]:
    """§8.5: the number_elected options with the most votes; a tie at the last seat is reported, never broken."""
    seats = contest.number_elected
    if seats is None:
        return [], None
    counts = sorted(votes.values(), reverse=True)
    if seats == len(counts) or counts[seats - 1] > counts[seats]:
        cut = counts[seats - 1]
        return [o.label for o in contest.options if votes[o.label] >= cut], None
    boundary = counts[seats - 1]
    above = [o.label for o in contest.options if votes[o.label] > boundary]
    tied = [o.label for o in contest.options if votes[o.label] == boundary]
    return above, {"options": tied, "seats": seats - len(above)}


def shows_weights(result: dict[str, Any]) -> bool:
    """Whether to say the totals are weighted: a weighted election where some counted ballot weighs more than 1
    (when every weight is 1, the total weight is the number of counted ballots, and the line would only confuse)."""
    turnout = result.get("turnout") or {}
    return bool(result.get("weighted")) and result.get("total_weight") != turnout.get("ballots_counted")


def weighted_text(total_weight: int) -> str:
    """The line that says the totals are weighted (version-2 elections, record-format §8.3)."""
    return f"Votes are weighted by the credential list: each counted ballot counts its credential's weight (total weight {total_weight})."


def votes_text(n: int) -> str:
    return "1 vote" if n == 1 else f"{n} votes"


def share_text(share: float) -> str:
    return f"{share * 100:.1f}%"


def tie_text(tie: dict[str, Any], names: dict[str, str]) -> str:
    listed = [names[label] for label in tie["options"]]
    who = ", ".join(listed[:-1]) + f" and {listed[-1]}"
    seats = "the last seat" if tie["seats"] == 1 else f"the last {tie['seats']} seats"
    return f"tie between {who} for {seats}"


def result_lines(result: dict[str, Any]) -> list[str]:
    """The verified result for the terminal: per contest the votes, shares, winners or tie; the turnout."""
    lines = [weighted_text(result["total_weight"])] if shows_weights(result) else []
    for c in result["contests"]:
        if "counting" in c:
            lines.append(counted_heading(c))
            lines.extend(counting_lines(c))
            continue
        lines.append(f"{c['title']} ({votes_text(c['votes'])})")
        names = {o["option"]: o["name"] for o in c["options"]}
        for o in c["options"]:
            mark = "  elected" if o["option"] in c["winners"] else ""
            lines.append(f"  {o['name']}: {votes_text(o['votes'])}, {share_text(o['share'])}{mark}")
        if c["tie"] is not None:
            lines.append(f"  {tie_text(c['tie'], names)}: not broken, no winner declared for it")
        elif c["number_elected"] is None:
            lines.append("  no winner declared (the manifest does not say how many are elected)")
    lines.append("Turnout")
    lines.extend(f"  {words}: {result['turnout'][key]}" for key, words in TURNOUT_WORDS)
    return lines
