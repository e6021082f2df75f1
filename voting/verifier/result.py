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
decrypted rows: the method, the winners, the voided rows, the lots, the tie seed and every round or stage.

Contest titles and option names are the manifest's texts in the language asked for (``evote-verify
--language``), each falling back to the manifest's default language; without a language, the default's.
"""

from __future__ import annotations

from typing import Any

from ..errors import ManifestError
from ..manifest import Contest, parse_manifest
from .checks.credential_lists import list_in_force
from .checks.mix_count import round_text, rounds_of, winners_of
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
    contests = [_counted(c, counts, language) if c.counting is not None else _contest(c, values, language) for c in manifest.contests]
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


def _counted(contest: Contest, counts: dict[str, Any], language: str | None) -> dict[str, Any]:
    """A contest counted from its decrypted rows (M.5): the method's winners, voided rows, lots and rounds."""
    count = counts.get(contest.label)
    if count is None:
        raise NoResult(f"the contest {contest.label!r} was not counted from its decrypted rows (M.5)")
    return {
        "contest": contest.label,
        "title": contest.title_text.get(language),
        "number_elected": None,
        "votes": len(count["voided"]) + count["valid"],
        "options": [{"option": o.label, "name": o.name_text.get(language)} for o in contest.options],
        "winners": winners_of(count),
        "tie": None,
        "counting": count,
    }


def counting_lines(contest: dict[str, Any]) -> list[str]:
    """A counted contest in words: the method, the winners, the voided rows, then each round or stage."""
    count = contest["counting"]
    names = {o["option"]: o["name"] for o in contest["options"]}
    elected = ", ".join(names.get(w, w) for w in contest["winners"])
    lines = [f"  method {count['method']}: elected {elected}; {count['valid']} valid rows, {len(count['voided'])} voided"]
    lines.extend(f"  voided row {v['row']}: {v['reason']}" for v in count["voided"])
    lines.extend(f"  {round_text(step, names)}" for step in rounds_of(count))
    if count.get("lot"):
        lines.append(f"  lot among {', '.join(count['lot']['among'])} chose {names.get(count['lot']['chosen'], count['lot']['chosen'])}")
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
            lines.append(f"{c['title']} ({c['votes']} ballots, counted from the mixed rows)")
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
