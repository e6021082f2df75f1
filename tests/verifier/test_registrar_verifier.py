"""The verifier and the credential authority (issue 17; record-format §11; docs/verification-checks.md E.9, E.10).

One registrar election is built on a real board application and exported once for the module: the registrar
accepts, commits to a roll of 9 voters (one more than it issues cards for), lists 8 credentials, replaces a
lost card while the election is open (its new credential votes), and states that it erased the private
credentials; voters cast and challenge; the trustees tally and decrypt. It verifies, with E.9 and E.10
reporting the registrar and the numbers.

Each forgery is made by a dishonest board operator holding the board's key (re-chained, re-signed): the board
checks pass and the check that covers the change fails, naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from support.board_world import make_app
from support.evote_support import failed_steps, run_cli, step, verified
from support.evote_tools import edited, nth, read_entries
from support.registrar_world import RegistrarWorld
from test_evote_mutations import BOARD

from bulletin_board.keys import load_board_key
from bulletin_board.log_format.checkpoint import parse_checkpoint
from bulletin_board.log_format.export import export_from_log
from bulletin_board.log_format.note import parse_note, sign_note
from bulletin_board.log_format.trust_anchors import TrustAnchors
from bulletin_board.log_format.witness_policy import WitnessPolicy
from voting.credentials import derive_voter_key, new_credential
from voting.record import registrar as rg
from voting.verifier import open_record
from voting.verifier.anchors import read_trust
from voting.verifier.checks.witnesses import w2_trust_anchors
from voting.verifier.findings import Status, Tally
from voting.verifier.worker import run_check

GOLDEN_V1 = Path(__file__).parent.parent / "golden" / "evote-record-v1-rich"
OTHER_KEY = SigningKey(bytes([5]) * 32)
OTHER_HEX = bytes(OTHER_KEY.verify_key).hex().upper()
COUNCIL = {"north": "north-council", "south": "south-council", "east": "east-council"}


@dataclass(frozen=True)
class RegistrarRecord:
    path: Path
    key_file: Path
    world: RegistrarWorld
    registrar_hex: str


@pytest.fixture(scope="module")
def registrar_record(tmp_path_factory) -> RegistrarRecord:
    directory = tmp_path_factory.mktemp("registrar-record")
    app = make_app(directory)
    world = RegistrarWorld(app.test_client(), election_id="registrar-election")
    world.keygen()
    world.open(extra_voters=1)  # the roll has one voter more than the registrar issued cards for
    voters = world.voters
    for voter in voters[:7]:  # voters 0-6 cast; voter 7 (east, weight 2 like voter 6) lost the card
        world.cast(voter.credential, {"mayor": ["alice"], COUNCIL[voter.style]: []})
    world.cast(voters[1].credential, {"mayor": ["bob"]}, action="challenge", reveal=True)
    lost = voters[7]
    replacement = new_credential()
    new_key = derive_voter_key(replacement, world.election_id).public_key_hex
    world.registrar_post(rg.REPLACED, {"old": lost.public_key, "new": {"public_key": new_key, "style": lost.style,
                                       "weight": lost.weight}, "reason": "card lost"})  # fmt: skip
    world.cast(replacement, {"mayor": ["bob"], "east-council": ["eva"]}, style=lost.style)
    world.registrar_post(rg.ERASED, {"statement": "the private credentials were destroyed"})
    world.close_and_tally()
    world.decrypt(available={1, 2})
    path = export_from_log(app.extensions["evote_board"].log, world.election_id, directory / "record")
    return RegistrarRecord(path, directory / "board.key", world, bytes(world.registrar_key.verify_key).hex().upper())


@pytest.fixture(scope="module")
def clean_report(registrar_record):
    return verified(registrar_record.path, registrar_key=registrar_record.registrar_hex)


def messages(report, check: str, status: Status = Status.FAILED) -> list:
    count = step(report, check).count
    return count.failures if status is Status.FAILED else count.warnings


def test_a_registrar_election_verifies_and_reports_what_was_issued(clean_report, registrar_record):
    report = clean_report
    assert failed_steps(report) == set()
    e9, e10 = step(report, "E.9"), step(report, "E.10")
    assert e9.status is Status.PASSED and e10.status is Status.PASSED
    assert e9.count.warnings == []  # the key was pinned: no "administrator alone", no "not compared"
    assert step(report, "E.1").count.passed == 9  # 8 casts (one by the replacement) and a challenge
    issued = report.statistics["credentials"]  # E.10's numbers, in the report and the terminal summary
    assert "8 credentials issued by the registrar" in issued and "for a roll of 9 voters" in issued
    assert "per style: east 2/2, north 3/4, south 3/3" in issued and "total weight 16 of 17" in issued
    assert "0 revoked before opening, 1 replaced while open" in issued and "erased the private credentials (seq" in issued
    missing = messages(report, "E.10", Status.PASSED)
    assert len(missing) == 1 and missing[0].subject == "voters without a card" and missing[0].message.startswith("1 of the roll's 9")


def admin_lists_the_credentials(entries):
    """The administrator posts the registrar's list as its own credentials.published (no registrar signature)."""
    listed = nth(entries, "registrar.credentials")
    listed.update(kind="credentials.published", payload=listed["payload"]["body"])


def list_signed_by_another_key(entries, world=None):
    listed = nth(entries, "registrar.credentials")
    listed["payload"] = rg.sign_registrar_message(OTHER_KEY, "registrar-election", rg.CREDENTIALS, listed["payload"]["body"])


@pytest.mark.parametrize("change", [admin_lists_the_credentials, list_signed_by_another_key], ids=lambda c: c.__name__)
def test_a_credential_list_without_the_registrars_signature_fails_naming_the_entry(tmp_path, registrar_record, change):
    entries = read_entries(registrar_record.path)
    seq = entries.index(nth(entries, "registrar.credentials"))
    report = verified(edited(registrar_record.path, tmp_path / "record", change, key_file=registrar_record.key_file))
    failed = failed_steps(report)
    assert not failed & BOARD and {"E.9", "L.5", "E.1"} <= failed, failed
    subjects = {f.subject for f in messages(report, "E.9")}
    assert subjects == {f"entry seq {seq} ({'credentials.published' if change is admin_lists_the_credentials else 'registrar.credentials'})"}


def test_replacing_a_credential_that_cast_fails(tmp_path, registrar_record):
    """The replacement names voter 6 (east, weight 2, like the lost card), who had cast: E.10 and L.5 fail."""
    world = registrar_record.world

    def replace_the_voter_who_cast(entries):
        replaced = nth(entries, "registrar.replaced")
        body = replaced["payload"]["body"]
        body["old"] = world.voters[6].public_key
        replaced["payload"] = rg.sign_registrar_message(world.registrar_key, world.election_id, rg.REPLACED, body)

    report = verified(edited(registrar_record.path, tmp_path / "record", replace_the_voter_who_cast, key_file=registrar_record.key_file))
    failed = failed_steps(report)
    assert not failed & BOARD and {"E.10", "L.5"} <= failed, failed
    [finding] = messages(report, "E.10")
    assert finding.subject.endswith("(registrar.replaced)") and "already cast" in finding.message


def test_more_credentials_than_the_roll_commitment_fails(tmp_path, registrar_record):
    world = registrar_record.world

    def shrink_the_roll(entries):
        roll = nth(entries, "registrar.roll")
        body = roll["payload"]["body"]
        body["voters"] -= 2
        body["voters_per_style"]["north"] -= 2
        roll["payload"] = rg.sign_registrar_message(world.registrar_key, world.election_id, rg.ROLL, body)

    report = verified(edited(registrar_record.path, tmp_path / "record", shrink_the_roll, key_file=registrar_record.key_file))
    failed = failed_steps(report)
    assert not failed & BOARD and {"E.10", "L.5"} <= failed, failed
    subjects = {f.subject: f for f in messages(report, "E.10")}
    assert subjects["credentials issued"].expected == "at most 7" and subjects["credentials issued"].found == "8"
    assert subjects["ballot style north"].found == "3"


def test_a_wrong_registrar_key_fails_naming_both(tmp_path, registrar_record, clean_report):
    report = verified(registrar_record.path, registrar_key=OTHER_HEX)
    assert failed_steps(report) == {"E.9"}
    [finding] = messages(report, "E.9")
    assert OTHER_HEX in finding.expected and finding.found == registrar_record.registrar_hex
    result = run_cli(str(registrar_record.path), "--workers", "1", "--registrar-key", OTHER_HEX.lower())
    assert result.exit_code == 1 and "E.9" in result.output
    result = run_cli(str(registrar_record.path), "--registrar-key", "not-a-key")
    assert result.exit_code == 2 and "64 hex digits" in result.output


def test_without_a_pinned_key_the_registrar_is_reported_as_unverified(registrar_record):
    report = verified(registrar_record.path)
    assert failed_steps(report) == set()
    [unpinned] = [w for w in messages(report, "E.9", Status.PASSED) if "--registrar-key" in w.message]
    assert registrar_record.registrar_hex in unpinned.message


def test_an_election_without_a_registrar_passes_with_a_warning(tmp_path):
    report = verified(GOLDEN_V1)
    assert failed_steps(report) == set()
    [alone] = messages(report, "E.9", Status.PASSED)
    assert "administrator issued the credentials alone" in alone.message
    assert step(report, "E.10").status is Status.NOT_APPLICABLE
    result = run_cli(str(GOLDEN_V1), "--workers", "1", "--registrar-key", OTHER_HEX)
    assert result.exit_code == 1 and "names no registrar" in result.output


# --- W.2: the trust anchors name the registrar ------------------------------------------------------------


def _anchors(record: RegistrarRecord, registrar: str | None) -> TrustAnchors:
    signer = load_board_key(record.key_file, "board.test")
    origin = parse_checkpoint(parse_note((record.path / "checkpoint.txt").read_text()).text).origin
    created = read_entries(record.path)[0]["payload"]
    trustees = tuple((t["index"], t["identity_key"].lower()) for t in created["guardians"]["trustees"])
    return TrustAnchors(origin, (signer.verifier,), trustees, WitnessPolicy((), 0), "ab" * 32, registrar)


def _anchors_file(tmp_path: Path, record: RegistrarRecord, registrar: str | None) -> Path:
    path = tmp_path / "anchors.txt"
    signer = load_board_key(record.key_file, "board.test")
    path.write_text(sign_note(_anchors(record, registrar).text(), signer), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("named", ["the registrar", "another key", "none"])
def test_the_anchors_registrar_line_must_be_the_elections(tmp_path, registrar_record, named):
    registrar = {"the registrar": registrar_record.registrar_hex.lower(), "another key": OTHER_HEX.lower(), "none": None}[named]
    trust, _ = read_trust(anchors_file=_anchors_file(tmp_path, registrar_record, registrar))
    record = open_record(registrar_record.path, trust=trust)
    tally = Tally()
    run_check(w2_trust_anchors, (record,), tally, "witnesses")
    record.close()
    failures = [f for f in tally.counts["W.2"].failures if f.subject == "registrar"]
    if named == "the registrar":
        assert not tally.counts["W.2"].failed
    else:
        assert len(failures) == 1 and failures[0].found == f"registrar {registrar_record.registrar_hex.lower()}"


def test_a_registrar_key_contradicting_the_anchors_is_refused(tmp_path, registrar_record):
    path = _anchors_file(tmp_path, registrar_record, registrar_record.registrar_hex.lower())
    result = run_cli(str(registrar_record.path), "--anchors", str(path), "--registrar-key", OTHER_HEX)
    assert result.exit_code == 2 and "contradicts the trust anchors" in result.output
    result = run_cli(str(registrar_record.path), "--anchors", str(path), "--registrar-key", registrar_record.registrar_hex)
    assert result.exit_code != 2  # the same key is accepted (W.1/W.2 then run: the anchors' quorum 0 is met)
