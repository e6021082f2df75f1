"""A version-2 election (record-format §4.1) on a real board application: three wards, each voter's
credential bound to the ward's ballot style and to a weight from 1 to 3, ballots signed under
``evote/ballot/v3``. The voters, their wards and weights are the roll the tests hand-count against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support.board_world import BoardWorld
from voting.ballot import make_ballot
from voting.credential_list import ListedCredential, credential_list_payload
from voting.credentials import derive_voter_key
from voting.encrypt import encrypt_ballot
from voting.record.election import define_election
from voting.record.submission import build_submission
from voting.record.tallying import TallyResult

WARDS_MANIFEST = {
    "label": "Riverside municipal election",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "votes_allowed": 1, "number_elected": 1, "options": [{"label": "alice"}, {"label": "bob"}]},
        {"label": "north-council", "votes_allowed": 1, "number_elected": 1, "options": [{"label": "nora"}, {"label": "ned"}]},
        {"label": "south-council", "votes_allowed": 1, "number_elected": 1, "options": [{"label": "sam"}, {"label": "sue"}]},
        {"label": "east-council", "votes_allowed": 1, "number_elected": 1, "options": [{"label": "eli"}, {"label": "eva"}]},
    ],
    "ballot_styles": [
        {"label": "north", "contests": ["mayor", "north-council"]},
        {"label": "south", "contests": ["mayor", "south-council"]},
        {"label": "east", "contests": ["mayor", "east-council"]},
    ],
}
# (ward, weight) per voter: every ward has voters, weights 1-3, and no weight exceeds the sum of the others
ROLL = (("north", 1), ("north", 2), ("north", 3), ("south", 1), ("south", 3), ("south", 2), ("east", 2), ("east", 2))
MAX_WEIGHT = 3


@dataclass(frozen=True)
class Voter:
    credential: str
    style: str
    weight: int
    public_key: str


class StyledWorld(BoardWorld):
    """:class:`BoardWorld` for a version-2 election; ``voters[i]`` is the i-th line of ``roll``."""

    def __init__(self, client, election_id="wards-election", n=3, k=2, revote_rule="last", roll=ROLL, manifest=WARDS_MANIFEST, max_weight=MAX_WEIGHT):
        self.roll = roll
        self.max_weight = max_weight
        super().__init__(client, election_id, n, k, revote_rule, voters=len(roll), manifest=manifest)

    def _define(self, election_id, manifest, roster, k, revote_rule):
        return define_election(election_id, manifest, roster, k, revote_rule, max_weight=self.max_weight)

    @property
    def voters(self) -> list[Voter]:
        return [
            Voter(c, style, weight, derive_voter_key(c, self.election_id).public_key_hex)
            for c, (style, weight) in zip(self.credentials, self.roll)
        ]

    def credential_list(self) -> dict[str, Any]:
        """The version-2 ``credentials.published`` payload for the roll."""
        return credential_list_payload(self.election_id, (ListedCredential(v.public_key, v.style, v.weight) for v in self.voters))

    def open(self):
        self.admin_entry("credentials.published", self.credential_list())
        self.admin_entry("election.opened", {})

    def voter(self, credential: str) -> Voter:
        return next(v for v in self.voters if v.credential == credential)

    def submission(self, credential, choices, action="cast", reveal=False, style=None) -> tuple[dict, Any]:
        """A v3-signed submission on the voter's own style (or on ``style``, to try another ward's ballot)."""
        state = self.state()
        style = style or self.voter(credential).style
        result = encrypt_ballot(state.context, make_ballot(self.definition.manifest, style, choices))
        payload = build_submission(
            result.ballot, derive_voter_key(credential, self.election_id), self.election_id, state.context.H_E, action,
            reveal_nonce=result.ballot_nonce if reveal else None, reveal_choices=choices if reveal else None, style_signed=True,
        )  # fmt: skip
        return payload, result

    def cast(self, credential, choices, action="cast", reveal=False, status=201, style=None):
        payload, _ = self.submission(credential, choices, action, reveal, style)
        return self.expect(self.client.post(f"/api/v1/elections/{self.election_id}/ballots", json=payload), status)


def hand_count(votes: list[tuple[Voter, dict[str, list[str]]]], manifest=WARDS_MANIFEST) -> dict[str, dict[str, int]]:
    """Each option's weighted total, counted by hand from each voter's last choices and weight."""
    totals = {c["label"]: {o["label"]: 0 for o in c["options"]} for c in manifest["contests"]}
    last = {voter.credential: (voter, choices) for voter, choices in votes}
    for voter, choices in last.values():
        for contest, options in choices.items():
            for option in options:
                totals[contest][option] += voter.weight
    return totals


def decrypted_totals(result: TallyResult) -> dict[str, dict[str, int]]:
    return {contest: {option: value.value for option, value in options.items()} for contest, options in result.contests.items()}
