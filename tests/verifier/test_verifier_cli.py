"""evote-verify: exit codes 0/1/2, the JSON and HTML reports, and reasons instead of tracebacks."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from click.testing import CliRunner
from support.verifier_support import absent_guardian_record, copy_record, edit, plus_one  # noqa: F401

from voting.verifier.cli import main

HOSTILE = "<img src=x onerror=alert(1)>"


def run(*args: str):
    return CliRunner().invoke(main, [*args], catch_exceptions=False)


class _Tags(HTMLParser):
    """Collects tags and attribute names, to check the HTML is well-formed and loads nothing."""

    def __init__(self):
        super().__init__()
        self.tags, self.open, self.sources = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.sources += [v for k, v in attrs if k in ("src", "href") and v and not v.startswith("#")]
        if tag not in ("meta", "br", "img", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"


def test_passing_record_exits_0_and_writes_both_reports(tmp_path, absent_guardian_record):
    json_file, html_file = tmp_path / "r.json", tmp_path / "r.html"
    result = run(str(absent_guardian_record), "--workers", "1", "--json", str(json_file), "--html", str(html_file))
    assert result.exit_code == 0, result.output
    assert "VERIFIED" in result.output and "Traceback" not in result.output
    assert " 5. Well-formedness of selection encryptions (§6.2.4): passed" in result.output
    report = json.loads(json_file.read_text())
    assert report["result"] == "passed" and report["record_format"] == "egk"
    assert [v["verification"] for v in report["verifications"]] == list(range(1, 15))
    parser = _Tags()
    parser.feed(html_file.read_text())
    parser.close()
    assert parser.open == [] and "script" not in parser.tags and parser.sources == []


def test_failing_record_exits_1_with_evidence_and_escapes_labels(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    edit(root, "tally.json", lambda d: d["contests"][1]["selections"][0].update(selection_id=HOSTILE))
    edit(
        root,
        "tally.json",
        lambda d: d["contests"][0]["selections"][0]["proof"].update(
            challenge=plus_one(d["contests"][0]["selections"][0]["proof"]["challenge"])
        ),
    )
    json_file, html_file = tmp_path / "r.json", tmp_path / "r.html"
    result = run(str(root), "--workers", "1", "--json", str(json_file), "--html", str(html_file))
    assert result.exit_code == 1, result.output
    assert "NOT VERIFIED" in result.output
    assert "9.B tally › mayor › alice" in result.output and "expected" in result.output and "found" in result.output
    report = json.loads(json_file.read_text())
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    assert steps["9.B"]["status"] == "failed" and steps["10.C"]["failures"][0]["found"] == HOSTILE
    html = html_file.read_text()
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    parser = _Tags()
    parser.feed(html)
    assert "img" not in parser.tags and parser.sources == []


def test_unreadable_records_exit_2_with_a_reason(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.json").write_text("{}")
    for path, reason in [
        (tmp_path / "missing", "is not a directory"),
        (tmp_path / "file.json", "is not a directory"),
        (tmp_path / "empty", "is not an egk election record"),
    ]:
        result = run(str(path))
        assert result.exit_code == 2, result.output
        assert reason in result.output and "Traceback" not in result.output


def test_an_egk_record_read_as_evote_is_not_a_record(absent_guardian_record):
    result = run("--format", "evote", str(absent_guardian_record))
    assert result.exit_code == 2 and "is not an evote record: it has no entries.jsonl" in result.output


def test_record_with_a_corrupt_file_fails_naming_it(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    (root / "election_initialized.json").write_text("{not json")
    json_file = tmp_path / "r.json"
    result = run(str(root), "--workers", "1", "--json", str(json_file))
    assert result.exit_code == 1 and "Traceback" not in result.output
    steps = {s["id"]: s for v in json.loads(json_file.read_text())["verifications"] for s in v["steps"]}
    for step in ("2.A", "3.B", "4.A", "5.D", "9.B"):
        assert steps[step]["status"] == "failed"
        assert "election_initialized.json" in steps[step]["failures"][0]["message"] + steps[step]["failures"][0].get("origin", "")
    assert steps["1.G"]["status"] == "passed"  # what does not depend on the unreadable file is still checked


def test_unwritable_report_exits_2(tmp_path, absent_guardian_record):
    result = run(str(absent_guardian_record), "--workers", "1", "--json", str(tmp_path / "no" / "such" / "dir" / "r.json"))
    assert result.exit_code == 2 and "cannot write the report" in result.output
