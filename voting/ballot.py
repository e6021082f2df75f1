"""Plaintext ballots and their validation against the manifest (SPEC §3.1.3, §3.3.3).

A voter's choices are given per contest of the ballot style, as a list of option labels (each selected
once) or a mapping from option label to a value 0..R. Contests of the style that are not mentioned are
undervoted (all zero). An overvote, an unknown contest or option, a contest that is not on the style or a
value above the option selection limit is an :class:`InvalidBallot` naming the place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence, Union

from .errors import InvalidBallot
from .manifest import BallotStyle, Contest, Manifest

Choices = Mapping[str, Union[Sequence[str], Mapping[str, int]]]

STATUS_NORMAL, STATUS_UNDERVOTE, STATUS_NULL_VOTE, STATUS_OVERVOTE = 0, 1, 2, 3


@dataclass(frozen=True)
class PlaintextContest:
    contest: Contest
    votes: tuple[int, ...]  # one value per option, in option index order

    @property
    def status(self) -> int:
        """The contest status recorded in the contest data field (SPEC §3.3.7)."""
        total = sum(self.votes)
        if total == 0:
            return STATUS_NULL_VOTE
        if total < self.contest.votes_allowed:
            return STATUS_UNDERVOTE
        return STATUS_NORMAL


@dataclass(frozen=True)
class PlaintextBallot:
    style: BallotStyle
    contests: tuple[PlaintextContest, ...]  # every contest of the style, in contest index order

    def __repr__(self) -> str:
        return f"PlaintextBallot(style={self.style.label!r}, <choices hidden>)"


def _votes_for(contest: Contest, chosen: object) -> tuple[int, ...]:
    where = f"choices.{contest.label}"
    if isinstance(chosen, (list, tuple)):
        counts: dict[str, int] = {}
        for label in chosen:
            if not isinstance(label, str):
                raise InvalidBallot(where, "option labels are strings")
            counts[label] = counts.get(label, 0) + 1
    elif isinstance(chosen, Mapping):
        counts = dict(chosen)
    else:
        raise InvalidBallot(where, "expected a list of option labels or a mapping of option label to value")
    known = {o.label for o in contest.options}
    for label, value in counts.items():
        if label not in known:
            raise InvalidBallot(where, "names an option that is not in this contest")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidBallot(f"{where}", "option values are non-negative integers")
        if value > contest.option_limit:
            raise InvalidBallot(where, f"an option may receive at most {contest.option_limit} vote(s)")
    votes = tuple(counts.get(o.label, 0) for o in contest.options)
    if sum(votes) > contest.votes_allowed:
        raise InvalidBallot(where, f"overvote: at most {contest.votes_allowed} selection(s) allowed in this contest")
    return votes


def make_ballot(manifest: Manifest, style_label: str, choices: Choices) -> PlaintextBallot:
    """Validate ``choices`` for the ballot style ``style_label`` and build the plaintext ballot."""
    style = manifest.style(style_label)
    if style is None:
        raise InvalidBallot("style", "is not a ballot style of this election")
    if not isinstance(choices, Mapping):
        raise InvalidBallot("choices", "expected a mapping from contest label to choices")
    on_style = set(style.contest_labels)
    for label in choices:
        if manifest.contest(label) is None:
            raise InvalidBallot(f"choices.{label}", "is not a contest of this election")
        if label not in on_style:
            raise InvalidBallot(f"choices.{label}", f"is not on ballot style {style.label!r}")
    contests = tuple(
        PlaintextContest(contest, _votes_for(contest, choices.get(contest.label, ()))) for contest in manifest.contests_of(style)
    )
    return PlaintextBallot(style, contests)
