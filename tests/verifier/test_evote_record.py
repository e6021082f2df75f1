"""evote records made by our own stack verify: through the CLI and its reports, with 1 and 2 workers, from
an export directory and from the board's URL, and while the election is still open."""

from __future__ import annotations

import json
import shutil
import sqlite3

from nacl.signing import SigningKey
from support.board_world import make_app
from support.evote_support import failed_in, failed_steps, run_cli, serve_app, step, verified  # noqa: F401
from support.evote_world import simple_election
from support.verifier_support import comparable

from bulletin_board.log_format.note import NoteSigner
from voting.verifier import open_record, verify
from voting.verifier.findings import Status
from voting.verifier.readers import detect_format, split_board_url

SECTIONS = ["B", "L", "E", "M", *range(1, 15)]


def test_rich_record_verifies_with_reports(tmp_path, rich):
    json_file, html_file = tmp_path / "r.json", tmp_path / "r.html"
    result = run_cli(str(rich.path), "--workers", "1", "--json", str(json_file), "--html", str(html_file))
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.output and " B. Bulletin board integrity (record-format §6-7): passed" in result.output
    report = json.loads(json_file.read_text())
    assert report["result"] == "passed" and report["record_format"] == "evote"
    assert [v["verification"] for v in report["verifications"]] == SECTIONS
    stats = report["statistics"]
    assert (stats["ballots"], stats["cast"], stats["challenged"], stats["entries"]) == (8, 5, 2, 46)
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    assert steps["L.8"]["passed"] == 1  # the decryption.failed that names trustee 3
    assert steps["L.3"]["passed"] == 17  # commitments, shares, checks, the share reveal, confirmations
    assert steps["E.1"]["passed"] == 8 and steps["E.5"]["passed"] == 8
    counting = open_record(rich.path).evote.counting
    assert counting.superseded == (24,) and counting.counted == {22, 23, 27, 28, 29}  # voter 3 revoted at seq 27
    assert steps["12.A"]["passed"] == 5 and steps["12.A"]["not_applicable"] == 1  # sealed: decrypted; revealed: nonce
    assert steps["13.A"]["passed"] == 6
    assert steps["B.5"]["status"] == "not applicable"
    html = html_file.read_text()
    assert "Bulletin board integrity" in html and "credential" in html


def test_one_and_two_workers_give_the_same_report(rich):
    one = verify(open_record(rich.path), workers=1, chunk_size=2)
    two = verify(open_record(rich.path), workers=2, chunk_size=2)
    assert one.passed and comparable(one) == comparable(two)


def test_format_is_detected_and_urls_split(tmp_path, rich):
    (tmp_path / "election_config.json").write_text("{}")
    assert detect_format(rich.path) == "evote" and detect_format(tmp_path) == "egk"
    assert detect_format("http://127.0.0.1:5000/e1") == "evote"
    assert split_board_url("http://h:1/e-1") == ("http://h:1", "e-1")
    assert split_board_url("https://h/prefix/api/v1/elections/e-1/") == ("https://h/prefix", "e-1")
    result = run_cli("ftp://h/e")
    assert result.exit_code == 2


def test_record_signed_by_another_key_than_the_board_key_given(tmp_path, rich):
    other = NoteSigner("board.test", SigningKey(bytes(32))).verifier.to_string()
    report = verified(rich.path, board_key=other)
    assert failed_steps(report) == {"B.3"}
    (finding,) = step(report, "B.3").count.failures
    assert "signed by another key than the board's" in finding.message
    key_file = tmp_path / "board-key.json"
    shutil.copy(rich.path / "board-key.json", key_file)
    result = run_cli(str(rich.path), "--workers", "1", "--board-key", str(key_file))
    assert result.exit_code == 0 and "board key: --board-key" in result.output


def test_election_read_from_the_board_url(rich):
    with serve_app(rich.app) as url:
        result = run_cli(f"{url}/{rich.election_id}", "--workers", "1")
        assert result.exit_code == 0, result.output
        assert "board key: published by the board" in result.output
        result = run_cli("--board", url, "--election", rich.election_id, "--workers", "1")
        assert result.exit_code == 0, result.output
        assert run_cli(f"{url}/no-such-election").exit_code == 2


def test_a_board_that_serves_a_broken_chain_fails_b1(tmp_path, rich):
    """The board's database is edited behind its back: the download stops at the broken link."""
    directory = tmp_path / "board"
    directory.mkdir()
    shutil.copy(rich.key_file, directory / "board.key")
    with sqlite3.connect(rich.path.parent / "board.sqlite3") as source, sqlite3.connect(directory / "board.sqlite3") as db:
        source.backup(db)
        (payload,) = db.execute("SELECT payload FROM entries WHERE election_id = ? AND seq = 23", (rich.election_id,)).fetchone()
        db.execute(
            "UPDATE entries SET payload = ? WHERE election_id = ? AND seq = 23",
            (bytes(payload).replace(b'"action":"cast"', b'"action":"CAST"'), rich.election_id),
        )
    with serve_app(make_app(directory)) as url:
        report = verified(f"{url}/{rich.election_id}")
    assert {"B.1", "B.2"} <= failed_steps(report)
    messages = [f.message for f in step(report, "B.1").count.failures]
    assert any("broken hash chain" in m and "stopped after 23 entries" in m for m in messages)


def test_an_open_election_verifies_with_the_tally_steps_not_applicable_yet(tmp_path):
    world, app = simple_election(tmp_path, close=False)
    world.cast(world.credentials[2], {"mayor": ["alice"]}, action="challenge")  # sealed: decrypted after the tally
    path = world.export(app, tmp_path / "record")
    report = verified(path)
    assert report.passed, failed_steps(report)
    for check in ("8.A", "9.B", "10.A", "12.B", "14.B", "L.7", "L.9", "E.4"):
        assert step(report, check).status is Status.NOT_APPLICABLE, check
    assert "tallied yet" in step(report, "8.A").count.reasons[0]
    assert "have not decrypted the challenged ballots yet" in step(report, "12.B").count.reasons[0]
    assert step(report, "5.D").count.passed == 15  # the three ballots cast so far, 5 options each
    assert report.statistics["stage"].startswith("open")
