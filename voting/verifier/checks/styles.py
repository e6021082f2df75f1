"""Section E (Eligibility and counting): ballot styles and weights of version-2 elections (docs/record-format.md
§4.1, §8.3). A version-2 election (election.created has an eligibility object) binds each credential on its
list to one ballot style and one weight: E.7 checks that every ballot on the board has its credential's
style; E.8 reports the contests where the counted ballots' weights let a vote be read from the tally.
Neither applies to a version-1 election (any style, weight 1).
"""

from __future__ import annotations

from typing import Iterator

from ...credential_list import readable_votes
from ..findings import Finding, failed, not_applicable, passed, warning
from ..model import BallotState, ElectionRecord, StreamSummary, require
from .chaining import complete
from .credential_lists import list_in_force

VERSION_1 = "a version-1 election: its credentials may vote any ballot style, each ballot with weight 1"


def e7_ballot_styles(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Section E (Eligibility and counting), each ballot's style.

    (E.7) In a version-2 election every ballot on the board — counted, superseded or challenged — has the
    ballot style its credential was listed with (credentials.published, record-format §4.1): the board
    refuses a ballot of another style (wrong_ballot_style), and the voter's signature covers the style (E.5).

    A ballot whose credential is not on the list cannot be checked and fails (E.1 reports the credential).
    """
    parts = require(record.evote, "evote board entries")
    complete(summary)
    credentials = list_in_force(parts)
    if not credentials.styles_bound:
        yield not_applicable("E.7", "ballot styles", VERSION_1)
        return
    ballots = 0
    for digest in summary.digests():
        if digest.board_seq is None:
            continue
        ballots += 1
        subject = f"ballot seq {digest.board_seq}"
        listed = credentials.listed.get(digest.credential) if digest.credential is not None else None
        if listed is None:
            yield failed(
                "E.7", subject, "not verified: the ballot's credential is not on the credential list (E.1)", digest.origin
            )
        elif listed.style == digest.style:
            yield passed("E.7", subject, origin=digest.origin)
        else:
            yield failed(
                "E.7", subject, "the ballot's style is not the style its credential was listed with", digest.origin,
                expected=listed.style, found=digest.style or "no style",
            )  # fmt: skip
    if ballots == 0:
        yield not_applicable("E.7", "ballots", "the record has no ballots")


def e8_weight_privacy(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Section E (Eligibility and counting), the secrecy of weighted votes.

    (E.8) In a version-2 election, for each contest: whether the weights of the counted ballots that have it
    (each its credential's weight, record-format §8.3) let the published tally give some voter's choice away —
    a weight larger than the sum of all smaller ones (voting.credential_list.readable_votes). Such a contest
    is reported as a warning: the record is still consistent, and the election is not failed.
    """
    parts = require(record.evote, "evote board entries")
    manifest = require(require(record.parameters, "election parameters").manifest, "manifest")
    complete(summary)
    credentials = list_in_force(parts)
    if not credentials.styles_bound:
        yield not_applicable("E.8", "weights", VERSION_1)
        return
    weights: dict[str, list[int]] = {c.label: [] for c in manifest.contests}
    for digest in summary.digests():
        if digest.state == BallotState.CAST.value and digest.board_seq is not None:
            for label in digest.contests:
                weights.setdefault(label, []).append(credentials.weight(digest.credential))
    for contest in manifest.contests:
        counted = weights[contest.label]
        subject = f"contest {contest.label}"
        exposed = readable_votes(counted)
        if exposed:
            yield warning(
                "E.8", subject,
                f"the weights make {exposed} voter(s)' choice readable from the published tally: a weight larger than "
                f"the sum of all smaller ones among the {len(counted)} counted ballots (weights {sorted(counted, reverse=True)[:10]})",
            )  # fmt: skip
        else:
            yield passed("E.8", subject, f"no vote is readable from the weights of its {len(counted)} counted ballots")
