"""egk-ec records through the CLI: the integer-group sample verifies, records this verifier cannot check are
refused as not supported (exit 2), and changes that only the whole run sees fail. The P-256 sample: test_egk_ec_p256.py.

The samples are read where they lie (../shared/samples) and changed only in copies under tmp_path.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.egk_ec_support import DEVICE, b64, p256_sample_path, plus_one, sample_path, times_g
from support.verifier_support import copy_record, edit

from voting.verifier.cli import main
from voting.verifier.readers import FormatNotSupported, detect_format, open_record


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One CLI run on the integer-group sample, as an observer would type it, with its JSON report."""
    report_file = tmp_path_factory.mktemp("report") / "report.json"
    result = CliRunner().invoke(main, [str(sample_path()), "--workers", "2", "--json", str(report_file)])
    return result, json.loads(report_file.read_text())


def test_integer_group_sample_verifies(sample_run):
    result, report = sample_run
    assert result.exit_code == 0, result.output
    assert "VERIFIED: every check that applies to this record passed." in result.output
    assert report["record_format"] == "egk-ec" and report["result"] == "passed"
    assert report["statistics"]["ballots"] == 42 and report["statistics"]["challenged"] == 9
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    for step in ("5.D", "6.D", "7.B", "8.A", "9.B", "10.A", "12.B", "13.A", "14.B"):
        assert steps[step]["status"] == "passed" and steps[step]["passed"] > 0, step
    assert steps["7.G"]["not_applicable_because"] == ["the record does not chain confirmation codes"]


def test_report_says_the_system_and_conventions(sample_run):
    result, report = sample_run
    assert "(egk-ec)" in result.output
    assert "checked as: egk-ec 2.1.0, ElectionGuard v2.0.0, 4096-bit integer group" in result.output
    conventions = report["conventions"]
    assert conventions["name"].startswith("egk-ec 2.1.0, ElectionGuard v2.0.0, 4096-bit integer group")
    assert any("B_aux,1 = H_0 ∥ B_aux,0" in note for note in conventions["departures_from_spec"])


def test_format_is_detected_from_constants():
    assert detect_format(sample_path()) == "egk-ec"
    assert detect_format(p256_sample_path()) == "egk-ec"


def test_egk_ec_record_read_as_egk_is_refused():
    result = CliRunner().invoke(main, [str(sample_path()), "--format", "egk"])
    assert result.exit_code == 2 and "is an egk-ec record" in result.output and "--format egk-ec" in result.output


def test_directory_that_is_no_known_record_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a record")
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "format not supported:" in text and "is no election record this verifier knows" in text
    assert "this verifier reads the formats egk, egk-ec, evote" in text


def _constants(d):
    return d["constants"]


REFUSED = {  # what changes: (file, change, words the refusal must say)
    "group type": ("constants.json", lambda d: d.update(type="EllipticCurve", name="P-384"), "elliptic-curve group P-384"),
    "group of unknown type": ("constants.json", lambda d: d.update(type="Lattice"), "a group of type 'Lattice'"),
    "group name": ("constants.json", lambda d: d.update(name="Integer3072 (low memory use)"), "'Integer3072 (low memory use)'"),
    "protocolVersion": ("constants.json", lambda d: d.update(protocolVersion="v2.1.0"), "protocolVersion 'v2.1.0'"),
    "large prime p": (
        "constants.json",
        lambda d: _constants(d).update(largePrime=format(int(_constants(d)["largePrime"], 16) - 2, "x")),
        "constants.largePrime is not the p of SPEC §3.1.1",
    ),
    "small prime q": (
        "constants.json",
        lambda d: _constants(d).update(smallPrime=format(int(_constants(d)["smallPrime"], 16) - 2, "x")),
        "constants.smallPrime is not the q",
    ),
    "cofactor r": (
        "constants.json",
        lambda d: _constants(d).update(cofactor=format(int(_constants(d)["cofactor"], 16) + 1, "x")),
        "constants.cofactor is not the r",
    ),
    "generator g": (
        "constants.json",
        lambda d: _constants(d).update(generator=format(int(_constants(d)["generator"], 16) ** 2 % (1 << 4096), "x")),
        "constants.generator is not the g",
    ),
    "config_version": ("election_config.json", lambda d: d.update(config_version="2.2.0"), "config_version '2.2.0'"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_unsupported_group_or_version_is_refused(tmp_path, name):
    filename, change, words = REFUSED[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, filename, change)
    with pytest.raises(FormatNotSupported) as refused:
        open_record(root)
    assert str(refused.value).startswith("format not supported: egk-ec record") and words in str(refused.value)


UNREADABLE_CONSTANTS = {  # malformed constants.json: the group cannot be known, so nothing can be read
    "upper-case hex": (lambda d: _constants(d).update(smallPrime=_constants(d)["smallPrime"].upper()), "constants.smallPrime"),
    "leading zero": (lambda d: _constants(d).update(generator="0" + _constants(d)["generator"]), "constants.generator"),
    "missing constant": (lambda d: _constants(d).pop("cofactor"), "constants.cofactor: is missing"),
    "extra constant": (lambda d: _constants(d).update(h="1"), "has constants the integer group does not: ['h']"),
    "type not text": (lambda d: d.update(type=1), "type: expected a string"),
}


@pytest.mark.parametrize("name", UNREADABLE_CONSTANTS)
def test_malformed_constants_are_refused_naming_the_field(tmp_path, name):
    change, words = UNREADABLE_CONSTANTS[name]
    root = copy_record(sample_path(), tmp_path / "record")
    edit(root, "constants.json", change)
    result = CliRunner().invoke(main, [str(root), "--format", "egk-ec"])
    assert result.exit_code == 2 and "cannot read the record" in result.output, result.output
    assert words in " ".join(result.output.split()) and "Traceback" not in result.output


# --- changes that only the whole run sees (7.C, 8, the ballots' states) ----------------------------


def _selection(doc, contest=0, selection=0):
    return doc["contests"][contest]["selections"][selection]


@pytest.fixture(scope="module")
def mutated_run(tmp_path_factory):
    """One CLI run on a copy where: cast ballot id-2 is marked challenged, challenged ballot id-9 cast, id-4 has
    id-5's confirmation code, one encrypted tally entry changed and one id dropped from the tally's list."""
    tmp = tmp_path_factory.mktemp("mutated")
    root = copy_record(sample_path(), tmp / "record")
    edit(root, f"{DEVICE}/eballot-id-2.json", lambda d: d.update(state="CHALLENGED"))
    edit(root, f"{DEVICE}/eballot-id-9.json", lambda d: d.update(state="CAST"))
    code = json.loads((root / DEVICE / "eballot-id-5.json").read_text())["confirmation_code"]
    edit(root, f"{DEVICE}/eballot-id-4.json", lambda d: d.update(confirmation_code=code))
    edit(
        root,
        "encrypted_tally.json",
        lambda d: _selection(d, 2, 0)["encrypted_vote"].update(pad=times_g(_selection(d, 2, 0)["encrypted_vote"]["pad"])),
    )
    edit(root, "encrypted_tally.json", lambda d: d["cast_ballot_ids"].remove("id-3"))
    report_file = tmp / "report.json"
    result = CliRunner().invoke(main, [str(root), "--workers", "2", "--json", str(report_file)])
    return result, {s["id"]: s for v in json.loads(report_file.read_text())["verifications"] for s in v["steps"]}


def _subjects(steps, step):
    return {f["subject"] for f in steps[step].get("failures", [])}


def test_whole_run_mutations_fail(mutated_run):
    result, steps = mutated_run
    assert result.exit_code == 1 and "NOT VERIFIED" in result.output
    assert "ballot id-2" in _subjects(steps, "12")  # a challenged ballot without a decryption
    assert "ballot id-9" in _subjects(steps, "12")  # a decryption of a ballot that is not challenged
    assert any("id-4" in f["found"] and "id-5" in f["found"] for f in steps["7.C"]["failures"])
    assert "ballot id-4" in _subjects(steps, "7.B")
    assert "tally › contest3 › selection5" in _subjects(steps, "8.A")
    assert steps["8.B"]["status"] == "failed"


def test_base64_helpers_keep_the_width():
    value = b64(bytes(31) + b"\xff")
    assert plus_one(value) == b64(bytes(30) + b"\x01\x00")
