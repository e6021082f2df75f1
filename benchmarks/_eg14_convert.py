"""Our manifest and plaintext ballots in electionguard-python 1.x's formats, for compare_electionguard.py.

electionguard 1.x has no sample manifest in its wheel, and its data model differs from ours:

* a contest belongs to one geopolitical unit (``electoral_district_id``) and a ballot style lists units, not
  contests. Each of our contests becomes its own unit ``district-<contest>``, and each of our ballot styles
  lists the units of its contests, so every style has exactly the same contests on both sides;
* a selection is 0 or 1 (``PlaintextBallotSelection.is_valid`` refuses anything else), so only manifests
  with option_limit R = 1 convert; votes_allowed L becomes ``number_elected = votes_allowed = L``
  (``one_of_m`` when L = 1, ``n_of_m`` otherwise). electionguard then adds L placeholder selections to every
  contest at encryption time, each with its own 0/1 proof;
* selection ids are ``<contest>.<option>`` and each refers to a candidate of the same id.
"""

from __future__ import annotations

import random
from typing import Any

from voting.manifest import Manifest


def district(contest_label: str) -> str:
    return f"district-{contest_label}"


def selection_id(contest_label: str, option_label: str) -> str:
    return f"{contest_label}.{option_label}"


def _text(value: str) -> dict[str, Any]:
    return {"text": [{"value": value, "language": "en"}]}


def to_eg14_manifest(manifest: Manifest) -> dict[str, Any]:
    """The electionguard 1.x ``Manifest`` JSON for ``manifest`` (spec_version "1.0")."""
    for contest in manifest.contests:
        if contest.option_limit != 1:
            raise ValueError(
                f"contest {contest.label!r} has option_limit {contest.option_limit}: electionguard 1.x only encrypts 0 or 1 per option"
            )
    date = manifest.info.get("date", "2026-11-03")
    return {
        "election_scope_id": "evote-benchmark",
        "spec_version": "1.0",
        "type": "general",
        "start_date": f"{date}T07:00:00+00:00",
        "end_date": f"{date}T20:00:00+00:00",
        "geopolitical_units": [
            {"object_id": district(c.label), "name": c.title, "type": "municipality"} for c in manifest.contests
        ],
        "parties": [],
        "candidates": [
            {"object_id": selection_id(c.label, o.label), "name": _text(o.name)} for c in manifest.contests for o in c.options
        ],
        "contests": [
            {
                "object_id": c.label,
                "sequence_order": c.index,
                "electoral_district_id": district(c.label),
                "vote_variation": "one_of_m" if c.votes_allowed == 1 else "n_of_m",
                "number_elected": c.votes_allowed,
                "votes_allowed": c.votes_allowed,
                "name": c.title,
                "ballot_selections": [
                    {
                        "object_id": selection_id(c.label, o.label),
                        "sequence_order": o.index,
                        "candidate_id": selection_id(c.label, o.label),
                    }
                    for o in c.options
                ],
                "ballot_title": _text(c.title),
            }
            for c in manifest.contests
        ],
        "ballot_styles": [
            {"object_id": s.label, "geopolitical_unit_ids": [district(label) for label in s.contest_labels]}
            for s in manifest.ballot_styles
        ],
        "name": _text(manifest.label),
    }


def make_choices(manifest: Manifest, count: int, seed: int) -> list[tuple[str, dict[str, list[str]]]]:
    """``count`` ballots (style label, contest label → chosen option labels), deterministic in ``seed``.

    Styles alternate; in each contest a voter marks L options three times in four, otherwise 0..L-1
    (undervotes and null votes occur).
    """
    rng = random.Random(seed)
    ballots = []
    for n in range(count):
        style = manifest.ballot_styles[n % len(manifest.ballot_styles)]
        choices = {}
        for contest in manifest.contests_of(style):
            L = contest.votes_allowed
            marks = L if rng.random() < 0.75 else rng.randrange(L)
            choices[contest.label] = sorted(rng.sample([o.label for o in contest.options], marks))
        ballots.append((style.label, choices))
    return ballots


def to_eg14_ballots(ballots: list[tuple[str, dict[str, list[str]]]]) -> list[dict[str, Any]]:
    """The driver's plaintext ballots: object id, style and the selection ids marked 1 per contest."""
    return [
        {
            "object_id": f"ballot-{n:05d}",
            "style": style,
            "choices": {contest: [selection_id(contest, option) for option in chosen] for contest, chosen in choices.items()},
        }
        for n, (style, choices) in enumerate(ballots)
    ]


def expected_tally(manifest: Manifest, ballots: list[tuple[str, dict[str, list[str]]]]) -> dict[str, dict[str, int]]:
    """contest label → option label → number of marks, for every option of the manifest."""
    tally = {c.label: {o.label: 0 for o in c.options} for c in manifest.contests}
    for _style, choices in ballots:
        for contest, chosen in choices.items():
            for option in chosen:
                tally[contest][option] += 1
    return tally


def to_eg14_tally(tally: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {contest: {selection_id(contest, option): t for option, t in options.items()} for contest, options in tally.items()}
