"""Running a trustee's ceremonies against a board: replay, decide the next step, save, post, repeat.

Each round trip replays the election from the board (every entry checked link by link), looks at what this
trustee has already posted, and takes the next step from :mod:`trustee_tools.steps`. The state is saved
before each post, so a process killed at any moment resumes where it stopped. When the step's inputs are
not on the board yet, it waits and polls until ``deadline``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from bulletin_board.admin_ops import ballot_entries
from bulletin_board.election_follower import ElectionFollower
from bulletin_board.log_format.client import BoardClient, BoardClientError
from voting.errors import VotingError
from voting.record import rules_voting
from voting.record import tallying as tl
from voting.record.counting import tally_from_entries
from voting.record.lifecycle import CLOSED_PHASE, CONFIRMING, KEYGEN, KEYGEN_FAILED, TALLIED, TALLYING, ElectionState
from voting.record.mixing import counting_contests

from . import mixing, steps
from .posting import post_message
from .state import TrusteeState
from .vault import Vault

Report = Callable[[str], None]


@dataclass
class Session:
    """One trustee talking to one board about one election."""

    vault: Vault
    state: TrusteeState
    board: BoardClient
    election_id: str
    report: Report
    poll_seconds: float = 1.0

    def __post_init__(self) -> None:
        self.follower = ElectionFollower(self.board, self.election_id)
        self.last_wait = ""

    def replay(self) -> tuple[ElectionState, list]:
        election = self.follower.refresh()
        steps.join(self.state, election)
        return election, self.follower.entries

    def post(self, outgoing: steps.Outgoing) -> int | None:
        """Save the state, then post the signed message (in chunks when large, record-format §13); for a message
        the board checks outside the request (``mix.shuffled``, §12.2) wait for its verdict. Returns the seq."""
        self.state.posted.append(outgoing.kind)
        self.vault.save(self.state)  # secrets behind the message are on disk before it leaves
        return post_message(self.board, self.state, self.election_id, outgoing.kind, outgoing.body, poll_seconds=self.poll_seconds,
                            report=self.report)  # fmt: skip

    def wait(self, reason: str, deadline: float) -> None:
        """Sleep one poll, or give up after ``deadline``; a reason is reported once, not at every poll."""
        if time.monotonic() > deadline:
            raise steps.Waiting(reason)
        if reason != self.last_wait:
            self.report(f"waiting: {reason}")
            self.last_wait = reason
        time.sleep(self.poll_seconds)


def run_key_ceremony(session: Session, deadline: float) -> str:
    """Take every key ceremony step of this trustee in order; returns a summary when it has confirmed."""
    while True:
        election, _ = session.replay()
        me = session.state.guardian
        try:
            if election.phase == KEYGEN_FAILED:
                steps.confirm(session.state, election)  # raises Refusal naming the faulty trustees
            if election.phase not in (KEYGEN, CONFIRMING):
                if me in election.confirmed:
                    return f"key ceremony complete: K and H_E confirmed by trustee {me}"
                raise steps.Refusal(f"the key ceremony is over (phase {election.phase})")
            if me not in election.commitments:
                session.report("step 1/5: publishing commitments and Schnorr proofs")
                session.post(steps.commitments(session.state, election))
            elif me not in election.shares:
                session.report("step 2/5: sending encrypted shares to the other trustees")
                session.post(steps.shares(session.state, election))
            elif me not in election.checked:
                session.report("step 3/5: checking the shares received")
                outgoing = steps.check_shares(session.state, election)
                if outgoing.body["complaints"]:
                    session.report(f"complaint: the share(s) from trustee(s) {outgoing.body['complaints']} do not verify")
                session.post(outgoing)
            elif reveals := steps.reveals(session.state, election):
                session.report(f"step 4/5: answering {len(reveals)} complaint(s) by revealing the share(s) in public")
                for outgoing in reveals:
                    session.post(outgoing)
            elif election.phase == CONFIRMING and me not in election.confirmed:
                session.report("step 5/5: confirming the joint key K and H_E")
                session.post(steps.confirm(session.state, election))
            elif election.phase == CONFIRMING:
                missing = sorted(set(range(1, election.n + 1)) - election.confirmed)
                session.wait(f"trustee(s) {missing} have not confirmed yet", deadline)
            else:
                session.wait(_keygen_missing(election), deadline)
        except steps.Waiting as waiting:
            session.wait(str(waiting), deadline)


def _keygen_missing(election: ElectionState) -> str:
    n = election.n
    for name, done in (("commitments", election.commitments), ("shares", election.shares), ("share checks", election.checked)):
        missing = [i for i in range(1, n + 1) if i not in done]
        if missing:
            return f"{name} from trustee(s) {missing}"
    return "the administrator's keygen.result"


def check_tally(session: Session, election: ElectionState, entries: list) -> None:
    """Recompute the encrypted tally from the ballots on the board before decrypting anything (§3.5)."""
    manifest = election.definition.manifest
    expected, _ = tally_from_entries(
        manifest, election.definition.revote_rule, lambda: ballot_entries(entries), cast_checked_by_board=True,
        weights=rules_voting.weights_of(election),
    )  # fmt: skip
    if tl.tally_payload(expected, manifest) != tl.tally_payload(election.tally, manifest):
        raise steps.Refusal("the posted encrypted tally is not the product of the counted ballots on the board: not decrypting")


def check_cascade(session: Session, election: ElectionState, entries: list) -> None:
    """Before decrypting any mixed row (issue 20, "Trustees check before they decrypt"): every counted contest's
    mix.input is the counted ballots' rows recomputed from the board, and has at least k mixes. Every proof of
    shuffle was checked by this trustee's own replay of the board's rules (voting/record/rules_mix.py)."""
    contests = counting_contests(election.definition.manifest)
    if not contests:
        return
    session.report(f"checking the mix of {len(contests)} contest(s) counted from rows: the input against the ballots on the board")
    mixing.check_mix_inputs(election, entries)
    k = election.definition.k
    for contest in contests:
        posted = election.mix_inputs.get(contest.label)
        if posted is None:
            raise steps.Refusal(f"contest {contest.label!r} has no mix.input on the board: its rows were never mixed. Not decrypting.")
        mixes = election.mixes.get(contest.label, [])
        if posted.rows and len({m.guardian for m in mixes}) < k:
            raise steps.Refusal(f"contest {contest.label!r} was mixed by {len(mixes)} trustee(s), fewer than k = {k}. Not decrypting.")
        session.report(f"contest {contest.label}: {len(posted.rows)} row(s), mixed by trustee(s) {[m.guardian for m in mixes]}, "
                       "every proof of shuffle checked")  # fmt: skip


def run_mix(session: Session, deadline: float, workers: int, turn_wait: float) -> str:
    """Mix every counted contest this trustee has not mixed yet, once its mix.input is on the board and while
    fewer than n mixes exist (record-format §12.2), in turn by guardian index (``turn_wait`` seconds for each
    trustee ahead, :class:`mixing.Turns`); wait for the administrator's mix.input until ``deadline``."""
    turns = mixing.Turns(turn_wait)
    done: list[str] = []
    checked: set[str] = set()
    while True:
        election, entries = session.replay()
        me = session.state.guardian
        try:
            if not counting_contests(election.definition.manifest):
                return "this election has no contest counted from rows: there is nothing to mix"
            if election.phase in (TALLYING, TALLIED):
                return _mix_summary(election, me, done, "the encrypted tally is posted: the mixing is over")
            if election.phase != CLOSED_PHASE:
                raise steps.Waiting(f"the election is not closed yet (phase {election.phase})")
            if set(election.mix_inputs) - checked:
                session.report("checking the board's mix.input against the ballots on the board")
                mixing.check_mix_inputs(election, entries)
                checked = set(election.mix_inputs)
            labels = mixing.contests_to_mix(election, me)
            if not labels:
                missing = mixing.missing_inputs(election)
                if missing:
                    raise steps.Waiting(f"the administrator has not posted the mix.input of contest(s) {missing}")
                return _mix_summary(election, me, done, "every contest is mixed")
            now = time.monotonic()
            label = next((label for label in labels if turns.seconds_left(election, me, label, now) == 0), None)
            if label is None:
                ahead = turns.ahead(election, me, labels[0])
                raise steps.Waiting(f"contest {labels[0]}: it is the turn of trustee(s) {ahead} to mix; this trustee mixes "
                                    f"anyway if they have not within {turn_wait * len(ahead):.0f} s")  # fmt: skip
            outcome = mixing.mix_contest(election, me, label, workers=workers, report=session.report)
            session.report(f"contest {label}: posting mix {outcome.position} ({outcome.rows} row(s)); the board checks the proof")
            try:
                seq = session.post(outcome.outgoing)
            except BoardClientError as exc:
                if _overtaken(session, label, outcome.position):
                    session.report(f"contest {label}: another trustee posted mix {outcome.position} first; mixing its output instead")
                    continue
                raise exc
            session.report(f"contest {label}: the board checked the proof of shuffle and appended mix {outcome.position}"
                           + (f" at seq {seq}" if seq is not None else ""))  # fmt: skip
            done.append(label)
        except steps.Waiting as waiting:
            session.wait(str(waiting), deadline)
        except VotingError as error:
            raise steps.Refusal(str(error)) from None


def _overtaken(session: Session, label: str, position: int) -> bool:
    """Whether the board now holds a mix at ``position`` of ``label`` (two trustees mixed the same output)."""
    election, _ = session.replay()
    return len(election.mixes.get(label, [])) >= position


def _mix_summary(election: ElectionState, me: int, done: list[str], why: str) -> str:
    mine = [label for label, mixes in election.mixes.items() if any(m.guardian == me for m in mixes)]
    now = f"mixed {', '.join(done)} now" if done else "no new mix"
    return f"{why}; this trustee's mixes are on the board for {len(mine)} contest(s) ({now})"


def run_decryption(session: Session, deadline: float) -> str:
    """Post this trustee's share for the current round, then its response once the challenge is posted."""
    tally_checked = False
    while True:
        election, entries = session.replay()
        me = session.state.guardian
        try:
            if election.phase == TALLIED:
                return "the tally is decrypted and published"
            if election.phase != TALLYING:
                raise steps.Waiting(f"the administrator has not posted the encrypted tally (phase {election.phase})")
            if not tally_checked:
                session.report("checking the encrypted tally against the ballots on the board")
                check_tally(session, election, entries)
                check_cascade(session, election, entries)
                tally_checked = True
            current = election.current_round
            if me in election.excluded:
                raise steps.Refusal(f"this trustee was excluded from the decryption: {election.excluded[me]}")
            if me not in current.shares and current.challenge is None:
                session.report(f"round {current.number}: posting partial decryptions and commitments for {len(election.items)} value(s)")
                session.post(steps.decryption_share(session.state, election))
            elif current.challenge is not None and me in current.challenge.available and me not in current.responses:
                session.report(f"round {current.number}: answering the joint challenge")
                session.post(steps.decryption_response(session.state, election))
            elif current.challenge is not None and me not in current.challenge.available:
                session.wait(f"round {current.number} goes on without this trustee; waiting for the next round or the result", deadline)
            else:
                session.wait("the administrator's next decryption step", deadline)
        except steps.Waiting as waiting:
            session.wait(str(waiting), deadline)
        except VotingError as error:
            raise steps.Refusal(str(error)) from None




def run_one_step(session: Session, name: str) -> str:
    """One key ceremony step, by name, for trustees who prefer to take each step by hand."""
    election, _ = session.replay()
    me = session.state.guardian
    posted = {
        "commit": lambda: me in election.commitments,
        "send-shares": lambda: me in election.shares,
        "check-shares": lambda: me in election.checked,
        "confirm": lambda: me in election.confirmed,
    }
    if name in posted and posted[name]():
        return f"already done: this trustee's {name} message is on the board"
    if name == "commit":
        session.post(steps.commitments(session.state, election))
        return "commitments and Schnorr proofs published"
    if name == "send-shares":
        session.post(steps.shares(session.state, election))
        return f"encrypted shares sent to the {election.n - 1} other trustee(s)"
    if name == "check-shares":
        outgoing = steps.check_shares(session.state, election)
        session.post(outgoing)
        complaints = outgoing.body["complaints"]
        return f"complaint posted against trustee(s) {complaints}" if complaints else "every share received verified; acceptance posted"
    if name == "answer-complaints":
        reveals = steps.reveals(session.state, election)
        for outgoing in reveals:
            session.post(outgoing)
        return f"{len(reveals)} complaint(s) answered by revealing the share in public" if reveals else "no complaint against this trustee"
    if name == "confirm":
        session.post(steps.confirm(session.state, election))
        return "joint key K and H_E confirmed"
    raise ValueError(f"unknown step {name!r}")
