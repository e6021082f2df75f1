"""A version-2 election (credentials bound to ballot styles and weights, record-format §4.1) exported for the
verifier's tests: :class:`support.styled_world.StyledWorld` on a real board application, then the board's
export. ``votes`` are the (voter, choices) of every cast ballot in board order, for the hand count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support.board_world import make_app
from support.styled_world import StyledWorld, Voter

from bulletin_board.log_format.export import export_from_log


@dataclass(frozen=True)
class StyledRecord:
    path: Path
    key_file: Path  # the board's signing key (a dishonest operator re-signs with it)
    world: StyledWorld
    votes: list[tuple[Voter, dict[str, list[str]]]]  # every cast ballot's voter and choices, in board order


COUNCIL = {"north": "north-council", "south": "south-council", "east": "east-council"}


def styled_election(directory: Path, election_id: str = "wards-election") -> StyledRecord:
    """Keygen; the version-2 list; a ballot in every ward by each voter but one, a revote, a challenge opened
    with its nonce and a sealed one the trustees decrypt; close, the weighted tally, decryption by 1 and 2."""
    app = make_app(directory)
    world = StyledWorld(app.test_client(), election_id=election_id)
    world.keygen()
    world.open()
    voters = world.voters
    votes = []
    picks = (("alice", "nora"), ("bob", "ned"), ("alice", "ned"), ("bob", "sam"), ("alice", "sue"), ("alice", "sam"),
             ("bob", "eli"), ("bob", "eva"))  # fmt: skip
    for voter, (mayor, council) in zip(voters[:-1], picks):
        choices = {"mayor": [mayor], COUNCIL[voter.style]: [council]}
        world.cast(voter.credential, choices)
        votes.append((voter, choices))
    world.cast(voters[0].credential, {"mayor": ["bob"], "north-council": ["ned"]}, action="challenge", reveal=True)
    world.cast(voters[4].credential, {"mayor": ["alice"]}, action="challenge")
    revote = {"mayor": ["bob"], "north-council": ["nora"]}
    world.cast(voters[2].credential, revote)  # the last cast counts
    votes.append((voters[2], revote))
    world.close_and_tally()
    world.decrypt(available={1, 2})
    path = export_from_log(app.extensions["evote_board"].log, election_id, directory / "record")
    return StyledRecord(path, directory / "board.key", world, votes)
