"""The published result of a tallied election, in the words of docs/record-format.md §8.5 (the board's side).

Used by ``evote election result`` and the booth's election page. The verifier computes the same result on its
own (``voting/verifier/result.py``) from the values it checked; ``tests/test_results.py`` requires the two to
agree. In an election with weights (record-format §4.1, §8.3) each option's votes are its weighted total, and
the result says so (``weighted``, ``total_weight``).

A contest with ``counting`` (record-format §12) is counted from its decrypted rows by its method
(voting/record/results_ranked.py); its result carries the method, the winners, the voided rows, the lots and
every round instead of option totals.

Contest titles and option names are the manifest's texts in the language asked for (record-format §2),
each falling back to the manifest's default language on its own; without a language, the default's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..manifest import Contest, Manifest
from .counting import CHALLENGED_KIND, BallotHeader, count, header_of
from .lifecycle import ElectionState
from .mixing import counting_contests
from .results_ranked import RankedContestResult, contest_seed, ranked_result
from .results_text import ranked_csv_rows, ranked_lines

TURNOUT_WORDS = {
    "credentials_issued": "credentials issued",
    "ballots_counted": "ballots counted",
    "ballots_challenged": "ballots challenged",
    "ballots_superseded": "ballots superseded",
}


@dataclass(frozen=True)
class OptionResult:
    option: str
    name: str
    votes: int
    share: float  # votes / the contest's votes, 0 when the contest has none


@dataclass(frozen=True)
class Tie:
    options: tuple[str, ...]  # the tied options' labels, in manifest order
    seats: int  # how many of the remaining seats they compete for


@dataclass(frozen=True)
class ContestResult:
    contest: str
    title: str
    number_elected: int | None
    votes: int
    options: tuple[OptionResult, ...]
    winners: tuple[str, ...]  # labels of the options elected (never a tied one)
    tie: Tie | None


@dataclass(frozen=True)
class Turnout:
    credentials_issued: int
    ballots_counted: int
    ballots_challenged: int
    ballots_superseded: int


@dataclass(frozen=True)
class ElectionResult:
    contests: tuple[ContestResult | RankedContestResult, ...]
    turnout: Turnout
    total_weight: int | None = None  # Σ of the counted ballots' weights, in an election with weights

    def to_json(self) -> dict[str, Any]:
        return {
            "weighted": self.total_weight is not None,
            "total_weight": self.total_weight,
            "contests": [
                c.to_json() if isinstance(c, RankedContestResult) else {
                    "contest": c.contest,
                    "title": c.title,
                    "number_elected": c.number_elected,
                    "votes": c.votes,
                    "options": [
                        {"option": o.option, "name": o.name, "votes": o.votes, "share": round(o.share, 6)} for o in c.options
                    ],
                    "winners": list(c.winners),
                    "tie": None if c.tie is None else {"options": list(c.tie.options), "seats": c.tie.seats},
                }
                for c in self.contests
            ],
            "turnout": {
                "credentials_issued": self.turnout.credentials_issued,
                "ballots_counted": self.turnout.ballots_counted,
                "ballots_challenged": self.turnout.ballots_challenged,
                "ballots_superseded": self.turnout.ballots_superseded,
            },
        }


def winners_and_tie(contest: Contest, votes: dict[str, int]) -> tuple[tuple[str, ...], Tie | None]:
    """The ``number_elected`` options with the most votes; a tie across the last seat is reported, not broken."""
    seats = contest.number_elected
    if seats is None:
        return (), None
    ranked = sorted(contest.options, key=lambda o: -votes[o.label])
    if seats >= len(ranked) or votes[ranked[seats - 1].label] != votes[ranked[seats].label]:
        return tuple(o.label for o in contest.options if o in ranked[:seats]), None
    boundary = votes[ranked[seats - 1].label]
    above = tuple(o.label for o in contest.options if votes[o.label] > boundary)
    tied = tuple(o.label for o in contest.options if votes[o.label] == boundary)
    return above, Tie(tied, seats - len(above))


def contest_result(contest: Contest, votes: dict[str, int], language: str | None = None) -> ContestResult:
    total = sum(votes[o.label] for o in contest.options)
    options = tuple(
        OptionResult(o.label, o.name_text.get(language), votes[o.label], votes[o.label] / total if total else 0.0) for o in contest.options
    )
    winners, tie = winners_and_tie(contest, votes)
    return ContestResult(contest.label, contest.title_text.get(language), contest.number_elected, total, options, winners, tie)


def election_result(state: ElectionState, ballot_entries: Iterable[tuple[int, str, dict]], language: str | None = None) -> ElectionResult:
    """The result of a tallied election from its replayed state and its ballot entries (seq, kind, payload),
    its titles and names in ``language`` (None: the manifest's default language).

    Raises ``ValueError`` when the election has no result yet.
    """
    return result_from_headers(state, (header_of(seq, kind, payload) for seq, kind, payload in ballot_entries), language)


def result_from_headers(state: ElectionState, ballot_headers: Iterable[BallotHeader], language: str | None = None) -> ElectionResult:
    """As :func:`election_result`, from the ballot entries' headers (the board reads them from its index)."""
    if state.result is None or state.definition is None:
        raise ValueError(f"no result yet (phase {state.phase or 'none'})")
    manifest: Manifest = state.definition.manifest
    headers = list(ballot_headers)
    counting = count(headers, state.definition.revote_rule)
    ranked = {c.label for c in counting_contests(manifest)}
    contests = tuple(
        _ranked(state, c, language) if c.label in ranked
        else contest_result(c, {o.label: state.result.contests[c.label][o.label].value for o in c.options}, language)
        for c in manifest.contests
    )
    turnout = Turnout(
        credentials_issued=len(state.eligible_credentials),
        ballots_counted=len(counting.counted),
        ballots_challenged=sum(h.kind == CHALLENGED_KIND for h in headers),
        ballots_superseded=len(counting.superseded),
    )
    return ElectionResult(contests, turnout, state.tally.tally.total_weight if state.tally else None)


def _ranked(state: ElectionState, contest: Contest, language: str | None) -> RankedContestResult:
    """Record-format §12.3: the contest's decrypted rows counted with the seed of H_E, the mix input and the votes."""
    assert state.result is not None and state.context is not None  # tallied
    rows = tuple(tuple(cell.value for cell in row) for row in state.result.mixed[contest.label])
    seed = contest_seed(state.context.H_E, contest.label, state.mix_inputs[contest.label].rows, rows)
    return ranked_result(contest, rows, seed, language)


def _votes(n: int) -> str:
    return "1 vote" if n == 1 else f"{n} votes"


def format_share(share: float) -> str:
    return f"{share * 100:.1f}%"


def tie_words(tie: Tie, names: dict[str, str]) -> str:
    listed = [names[label] for label in tie.options]
    who = ", ".join(listed[:-1]) + f" and {listed[-1]}"
    seats = "the last seat" if tie.seats == 1 else f"the last {tie.seats} seats"
    return f"tie between {who} for {seats}"


def result_text(result: ElectionResult) -> str:
    """The result for people: per contest the votes, shares, winners or tie; then the turnout."""
    lines = []
    if result.total_weight is not None and result.total_weight != result.turnout.ballots_counted:  # some weight above 1
        lines.append(f"Votes are weighted by the credential list: each counted ballot counts its credential's weight (total weight {result.total_weight}).")
    for c in result.contests:
        if isinstance(c, RankedContestResult):
            lines.extend(ranked_lines(c))
            continue
        lines.append(f"{c.title} ({_votes(c.votes)})")
        names = {o.option: o.name for o in c.options}
        for o in c.options:
            mark = "  elected" if o.option in c.winners else ""
            lines.append(f"  {o.name}: {_votes(o.votes)}, {format_share(o.share)}{mark}")
        if c.tie is not None:
            lines.append(f"  {tie_words(c.tie, names)}: not broken, no winner declared for it")
        elif c.number_elected is None:
            lines.append("  no winner declared (the manifest does not say how many are elected)")
    t = result.turnout
    lines.append("Turnout")
    for key, words in TURNOUT_WORDS.items():
        lines.append(f"  {words}: {getattr(t, key)}")
    return "\n".join(lines)


def result_csv_rows(result: ElectionResult) -> list[list[str]]:
    """One row per option: contest, option, votes, share, elected (yes, no, or tie)."""
    rows = [["contest", "option", "votes", "share", "elected"]]
    for c in result.contests:
        if isinstance(c, RankedContestResult):
            rows.extend(ranked_csv_rows(c))
            continue
        tied = set(c.tie.options) if c.tie else set()
        for o in c.options:
            elected = "tie" if o.option in tied else "yes" if o.option in c.winners else "no" if c.number_elected else ""
            rows.append([c.contest, o.option, str(o.votes), f"{o.share:.6f}", elected])
    return rows
