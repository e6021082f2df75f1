"""evote records made by our own stack for the verifier's tests: the board application (Flask test client),
the trustees' steps, voters' submissions and the administrator's computations, then the board's export.

:func:`rich_election` runs one election with everything the verifier must understand: n = 4, k = 2; a false
complaint in the key ceremony answered by a share reveal; a revoked credential; a revote; a challenge opened
with its nonce and a sealed one the trustees decrypt; trustee 4 absent; a first decryption round in which
trustee 3 answers wrongly (``decryption.failed``), and a second round that completes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bulletin_board.log_format.export import export_from_log
from support.board_world import BoardWorld, make_app, mix_shuffled_body_for
from trustee_tools import steps
from voting.credentials import derive_voter_key, new_credential
from voting.record import admin

BOARD_KEY_NAME = "board.test"  # make_app's origin, which names the key


@dataclass(frozen=True)
class MadeRecord:
    """An exported record and what a test needs to know about it."""

    path: Path
    key_file: Path  # the board's signing key: a dishonest operator has it (tests re-sign with it)
    election_id: str
    app: object  # the board application, still serving the election
    world: EvoteWorld  # the voters' credentials, to make valid submissions the board never saw


class EvoteWorld(BoardWorld):
    """:class:`BoardWorld` with the key ceremony's complaints and the decryption's failed rounds."""

    def keygen_with_complaint(self, complainer: int, accused: int) -> None:
        state = self.state()
        for t in self.trustees:
            steps.join(t, state)
        for step in (steps.commitments, steps.shares):
            for t in self.trustees:
                self.trustee_post(t, step(t, self.state()))
        for t in self.trustees:
            out = steps.check_shares(t, self.state())
            if t.guardian == complainer:
                out.body["complaints"] = sorted({*out.body["complaints"], accused})
            self.trustee_post(t, out)
        for t in self.trustees:
            for out in steps.reveals(t, self.state()):
                self.trustee_post(t, out)
        self.admin_entry("keygen.result", admin.keygen_result(self.state()))
        for t in self.trustees:
            self.trustee_post(t, steps.confirm(t, self.state()))

    def open_with_revocation(self) -> None:
        """Publish every voter's credential and one more, revoke that one, open."""
        spare = new_credential()
        keys = [derive_voter_key(c, self.election_id).public_key_hex for c in self.credentials]
        revoked = derive_voter_key(spare, self.election_id).public_key_hex
        self.admin_entry("credentials.published", {"credentials": sorted(keys + [revoked])})
        self.admin_entry("credentials.revoked", {"credentials": [revoked]})
        self.admin_entry("election.opened", {})

    def decryption_round(self, available: set[int], wrong: int | None = None) -> None:
        """Shares, the challenge and responses of the current round; trustee ``wrong`` answers garbage."""
        for t in self.trustees:
            if t.guardian in available:
                self.trustee_post(t, steps.decryption_share(t, self.state()))
        self.admin_entry("decryption.challenge", admin.decryption_challenge(self.state()))
        for t in self.trustees:
            if t.guardian in available:
                out = steps.decryption_response(t, self.state())
                if t.guardian == wrong:
                    out.body["responses"][0] = "00" * 32
                self.trustee_post(t, out)

    def fail_round(self) -> list[tuple[int, str]]:
        state = self.state()
        faulty = admin.faulty_responses(state)
        self.admin_entry("decryption.failed", admin.decryption_failed(state, faulty))
        return faulty

    def publish_result(self) -> None:
        self.admin_entry("tally.result", admin.tally_result(self.state()))

    def export(self, app, out: Path) -> Path:
        return export_from_log(app.extensions["evote_board"].log, self.election_id, out)


def rich_election(directory: Path, election_id: str = "rich-election") -> MadeRecord:
    """The election described in the module docstring, exported to ``directory / "record"``."""
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id=election_id, n=4, k=2, voters=5)
    world.keygen_with_complaint(complainer=3, accused=2)
    world.open_with_revocation()
    c = world.credentials
    world.cast(c[0], {"mayor": ["alice"], "council": ["dan", "eve"]})
    world.cast(c[1], {"mayor": ["bob"], "council": ["fay"]})
    world.cast(c[2], {"mayor": ["alice"]})
    world.cast(c[3], {"mayor": ["alice"], "council": ["dan"]}, action="challenge", reveal=True)
    world.cast(c[4], {"mayor": ["bob"], "council": ["eve", "fay"]}, action="challenge")
    world.cast(c[2], {"mayor": ["bob"], "council": ["eve"]})  # a revote: the last cast counts
    world.cast(c[3], {"mayor": ["bob"]})
    world.cast(c[4], {"mayor": ["alice"], "council": ["dan"]})
    world.close_and_tally()
    world.decryption_round({1, 2, 3}, wrong=3)  # trustee 4 is absent
    world.fail_round()
    world.decryption_round({1, 2})
    world.publish_result()
    path = world.export(app, directory / "record")
    return MadeRecord(path, directory / "board.key", election_id, app, world)


RANKED_MANIFEST = {
    "label": "Ranked record election",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "options": [{"label": "ann"}, {"label": "ben"}, {"label": "cat"}], "counting": {"method": "irv"}},
        {"label": "measure", "votes_allowed": 1, "options": [{"label": "yes"}, {"label": "no"}]},
        {"label": "chair", "options": [{"label": "dee"}, {"label": "eli"}, {"label": "fox"}], "counting": {"method": "schulze", "ranks": 2}},
    ],
    "ballot_styles": [{"label": "all", "contests": ["mayor", "measure", "chair"]}],
}


def ranked_election(directory: Path, election_id: str = "ranked-election") -> MadeRecord:
    """An election with an instant-runoff and a Schulze contest (record-format §12), exported to
    ``directory / "record"``: n = 3, k = 2; five voters, one revote and one sealed challenge; the mayor mixed by
    trustees 1 and 2, the chair by 2 (its mix posted in chunks, record-format §13) and 3; trustees 1 and 3
    decrypt. The plain contest is added up as before."""
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id=election_id, n=3, k=2, voters=5, manifest=RANKED_MANIFEST)
    world.keygen()
    world.open()
    c = world.credentials
    world.cast(c[0], {"mayor": {"ann": 1, "ben": 2, "cat": 3}, "measure": ["yes"], "chair": {"dee": 1, "eli": 2}})
    world.cast(c[1], {"mayor": {"ben": 1, "ann": 2}, "measure": ["no"], "chair": {"eli": 1}})
    world.cast(c[2], {"mayor": {"cat": 1}, "measure": ["yes"], "chair": {"fox": 1, "dee": 2}})
    world.cast(c[3], {"mayor": {"ann": 1}, "chair": {"dee": 1}}, action="challenge")
    world.cast(c[3], {"mayor": {"ann": 1, "cat": 2}, "measure": ["yes"], "chair": {"dee": 1, "fox": 2}})
    world.cast(c[4], {"mayor": {"ben": 1}, "chair": {"eli": 1}})
    world.cast(c[4], {"mayor": {"cat": 1, "ben": 2}, "measure": ["no"], "chair": {"fox": 1}})  # a revote: the last counts
    world.admin_entry("election.closed", {})
    for label, inputs in world.expected_mix_inputs().items():
        world.admin_entry("mix.input", inputs)
    t1, t2, t3 = world.trustees
    for trustee, label in ((t1, "mayor"), (t2, "mayor"), (t3, "chair")):
        assert world.wait_for_check(world.trustee_post_json(trustee, "mix.shuffled", mix_shuffled_body_for(world, trustee, label)))["status"] == "appended"
    answer = world.trustee_post_chunked(t2, "mix.shuffled", mix_shuffled_body_for(world, t2, "chair"), part_bytes=15_000)
    assert world.wait_for_check(answer)["status"] == "appended"
    world.post_tally()
    world.decryption_round({1, 3})
    world.publish_result()
    path = world.export(app, directory / "record")
    return MadeRecord(path, directory / "board.key", election_id, app, world)


def simple_election(
    directory: Path, election_id: str = "simple-election", *, close: bool = True, revote_rule: str = "last"
) -> tuple[EvoteWorld, object]:
    """n = 3, k = 2, three voters who cast once; tallied by trustees 1 and 2 unless ``close`` is False."""
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id=election_id, n=3, k=2, voters=3, revote_rule=revote_rule)
    world.keygen()
    world.open()
    c = world.credentials
    world.cast(c[0], {"mayor": ["alice"], "council": ["dan"]})
    world.cast(c[1], {"mayor": ["bob"], "council": ["eve", "fay"]})
    if close:
        world.cast(c[2], {"mayor": ["bob"]})
        world.close_and_tally()
        world.decrypt(available={1, 2})
    return world, app


def tiny_open_election(directory: Path, election_id: str = "tiny-election", voters: int = 3) -> tuple[EvoteWorld, object]:
    """One trustee (n = k = 1), ``voters`` credentials, open for ballots; nothing cast yet. Quick to make."""
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id=election_id, n=1, k=1, voters=voters)
    world.keygen()
    world.open()
    return world, app


def synthetic_export(
    directory: Path,
    manifest: dict,
    choices: list[dict],
    *,
    replicate: int = 1,
    election_id: str = "synthetic-election",
    say=lambda message: None,
) -> MadeRecord:
    """A large evote export made quickly: the election's control entries come from the board and the
    trustees (key ceremony, credential list, opening); then ``len(choices) * replicate`` cast ballots, each
    signed by its own voter, are appended straight to the log by the operator's tool
    (:func:`evote_tools.resign`), followed by the close, the encrypted tally of them all and its decryption
    by trustees 1 and 2, each step computed by the core and the trustees' own code.

    ``choices`` are encrypted once each; with ``replicate`` > 1 each encrypted ballot appears that many
    times (under other voters' signatures), so every proof verifies but the copies share confirmation codes
    and ciphertexts: such a record fails 7.C and E.6, and only those.
    """
    from support.evote_tools import read_entries, resign
    from voting.ballot import make_ballot
    from voting.encrypt import encrypt_ballot
    from voting.record.counting import count, header_of
    from voting.record.lifecycle import apply_entry
    from voting.record.messages import sign_message
    from voting.record.submission import build_submission, parse_submission

    app = make_app(directory)
    voters = len(choices) * replicate
    world = EvoteWorld(app.test_client(), election_id=election_id, n=3, k=2, voters=voters, manifest=manifest)
    world.keygen()
    world.open()
    prefix = world.export(app, directory / "prefix")
    entries = read_entries(prefix)
    state = world.state()
    context, definition = state.context, world.definition
    style = definition.manifest.ballot_styles[0].label
    say(f"election ready; encrypting {len(choices)} ballots")
    encrypted = [encrypt_ballot(context, make_ballot(definition.manifest, style, c)).ballot for c in choices]
    say(f"signing {voters} ballots")
    clock = entries[-1]["received_at"]
    for n, credential in enumerate(world.credentials):
        voter = derive_voter_key(credential, election_id)
        payload = build_submission(encrypted[n % len(encrypted)], voter, election_id, context.H_E, "cast")
        clock += 1
        entries.append({"kind": "ballot.cast", "payload": payload, "received_at": clock})

    def post(kind: str, payload: dict) -> None:
        nonlocal clock
        clock += 1
        seq = len(entries)
        entries.append({"kind": kind, "payload": payload, "received_at": clock})
        apply_entry(state, seq, kind, payload, b"", lambda s: entries[s]["payload"])

    def trustee(t, outgoing) -> None:
        post(outgoing.kind, sign_message(t.identity, election_id, outgoing.kind, t.guardian, outgoing.body))

    post("election.closed", {})
    say("tallying")
    ballots = [(e_seq, e) for e_seq, e in enumerate(entries) if e["kind"] == "ballot.cast"]
    counting = count([header_of(seq, e["kind"], e["payload"]) for seq, e in ballots], definition.revote_rule)
    distinct = [parse_submission(e["payload"], definition.manifest) for _, e in ballots[: len(encrypted)]]
    parsed = ((seq, distinct[n % len(distinct)]) for n, (seq, _) in enumerate(ballots))  # only .ballot is aggregated
    post("tally.encrypted", admin.encrypted_tally(state, counting, parsed, []))
    decrypting = [t for t in world.trustees if t.guardian in (1, 2)]
    for t in decrypting:
        trustee(t, steps.decryption_share(t, state))
    post("decryption.challenge", admin.decryption_challenge(state))
    for t in decrypting:
        trustee(t, steps.decryption_response(t, state))
    post("tally.result", admin.tally_result(state))
    say(f"writing the export of {len(entries)} entries")
    record = directory / "record"
    prefix.rename(record)
    resign(record, entries, directory / "board.key")
    return MadeRecord(record, directory / "board.key", election_id, app, world)
