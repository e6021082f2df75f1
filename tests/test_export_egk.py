"""An election created from an egk-schema manifest, run on the board and exported both ways (docs/export-egk.md).

One election (module fixture): tests/export_egk/manifest-egk.json, n = 3, k = 2, two ballot styles, a revote,
a challenged ballot the trustees decrypt and one opened with its nonce, tallied by trustees 1 and 2. It is
exported with ``evote record export`` (evote's layout) and ``--format egk``; both verify under evote-verify
with the same H_M, H_B and H_E, and the egk export's ballots pass the booth's JavaScript proof checks in Node.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.board_world import make_app
from support.booth_js_support import REPO_ROOT, require_node
from support.evote_support import failed_steps, run_cli, step, verified
from support.evote_world import EvoteWorld

from bulletin_board.cli import main as evote
from voting.errors import ManifestError
from voting.hashing import manifest_hash, parameter_base_hash
from voting.manifest import parse_manifest
from voting.manifest_egk import egk_manifest_file
from voting.record.common import RecordError
from voting.record.election import define_election, parse_election_created
from voting.verifier.findings import Status

MANIFEST_FILE = Path(__file__).parent / "export_egk" / "manifest-egk.json"
MANIFEST_TEXT = MANIFEST_FILE.read_text(encoding="utf-8")
ELECTION = "riverton-egk"
NORTH = {"mayor": ["mayor-okafor"], "north-council": ["council-dan", "council-eve"], "measure-a": ["measure-a-yes"]}


class EgkWorld(EvoteWorld):
    """An election defined from an egk manifest file's text (record-format §2.2), voting in either style."""

    def _define(self, election_id, manifest, roster, k, revote_rule):
        return define_election(election_id, None, roster, k, revote_rule, egk_manifest_text=manifest)

    def vote(self, credential, choices, style, action="cast", reveal=False):
        payload, _ = self.submission(credential, choices, action, reveal, style=style)
        return self.expect(self.client.post(f"/api/v1/elections/{self.election_id}/ballots", json=payload), 201)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """(evote export, egk export, the egk command's output, the board's directory)."""
    base = tmp_path_factory.mktemp("egk-export")
    app = make_app(base)
    world = EgkWorld(app.test_client(), election_id=ELECTION, n=3, k=2, voters=5, manifest=MANIFEST_TEXT)
    world.keygen()
    world.open()
    c = world.credentials
    world.vote(c[0], NORTH, "north")
    world.vote(c[1], {"mayor": ["mayor-lindqvist"], "measure-a": ["measure-a-no"]}, "town")
    world.vote(c[2], {"mayor": ["mayor-lindqvist"]}, "north")
    world.vote(c[2], {"mayor": ["mayor-okafor"], "north-council": ["council-fay"]}, "north")  # a revote: this one counts
    world.vote(c[3], NORTH, "north", action="challenge")  # the trustees decrypt it
    world.vote(c[4], {"mayor": ["mayor-okafor"]}, "town", action="challenge", reveal=True)  # opened by the voter
    world.close_and_tally()
    world.decrypt(available={1, 2})
    evote_record = world.export(app, base / "evote")
    egk_record = base / "egk"
    result = export_egk(base, egk_record)
    assert result.exit_code == 0, result.output
    return evote_record, egk_record, result.output, base


def export_egk(base: Path, out: Path, election: str = ELECTION):
    arguments = ["record", "export", election, "--format", "egk", "--out", str(out), "--db", f"sqlite:///{base / 'board.sqlite3'}",
                 "--key-file", str(base / "board.key"), "--origin", "board.test"]  # fmt: skip
    return CliRunner().invoke(evote, arguments)


def hashes_of_evote(record: Path) -> dict[str, str]:
    entries = [json.loads(line) for line in (record / "entries.jsonl").read_text().splitlines()]
    created = entries[0]["payload"]["hashes"]
    result = next(e for e in entries if e["kind"] == "keygen.result")["payload"]
    return {"H_M": created["H_M"], "H_B": created["H_B"], "H_E": result["H_E"]}


def hashes_of_egk(record: Path) -> dict[str, str]:
    config = json.loads((record / "election_config.json").read_text())
    initialized = json.loads((record / "election_initialized.json").read_text())
    return {"H_M": config["manifest_hash"], "H_B": config["election_base_hash"], "H_E": initialized["extended_base_hash"]}


# --- (a) the egk manifest -----------------------------------------------------------------------------


def test_h_m_is_egks_over_the_file_bytes_of_egks_own_sample(egk_sample_record):
    """On egk's own record: the election's H_M and H_B are exactly egk's (its file's bytes, SPEC eqs. 6-7)."""
    text = (egk_sample_record / "manifest.json").read_text(encoding="utf-8")
    config = json.loads((egk_sample_record / "election_config.json").read_text())
    trustees = [{"index": i, "name": f"guardian{i}", "identity_key": f"{i:064X}"} for i in (1, 2, 3)]
    definition = define_election("egk-sample", None, trustees, config["quorum"], egk_manifest_text=text)
    assert definition.parameters.H_M.hex().upper() == config["manifest_hash"]
    assert definition.parameters.H_B.hex().upper() == config["election_base_hash"]
    assert len(definition.manifest.contests) == 20 and definition.manifest.ballot_styles[0].label == "ballotStyle"


def test_the_egk_manifest_is_translated_for_the_booth_and_the_tally():
    _, document = egk_manifest_file(MANIFEST_TEXT)
    manifest = parse_manifest(document)
    assert [c.label for c in manifest.contests] == ["mayor", "north-council", "measure-a"]
    assert [s.contest_labels for s in manifest.ballot_styles] == [("mayor", "north-council", "measure-a"), ("mayor", "measure-a")]
    council = manifest.contest("north-council")
    assert (council.votes_allowed, council.option_limit, council.number_elected) == (2, 1, 2)
    assert [o.name for o in council.options] == ["Dan Ito", "Eve Moreau", "Fay Osei"]


def test_h_m_covers_every_byte_of_the_file_and_the_translation_is_checked():
    trustees = [{"index": i, "name": f"T{i}", "identity_key": f"{i:064X}"} for i in (1, 2)]
    definition = define_election("e", None, trustees, 2, egk_manifest_text=MANIFEST_TEXT)
    assert definition.parameters.H_M == manifest_hash(parameter_base_hash(), MANIFEST_TEXT.encode("utf-8"))
    respaced = define_election("e", None, trustees, 2, egk_manifest_text=MANIFEST_TEXT.replace("    ", "  "))
    assert respaced.parameters.H_M != definition.parameters.H_M
    payload = json.loads(json.dumps(definition.to_payload()))
    assert parse_election_created(payload).parameters.H_M == definition.parameters.H_M
    payload["manifest"]["contests"][0]["votes_allowed"] = 2  # the booth would read another manifest than H_M covers
    with pytest.raises(RecordError, match="not the translation"):
        parse_election_created(payload)


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["contests"][1].update(sequence_order=5), "sequence_order"),
        (lambda d: d["contests"][0]["ballot_selections"][1].update(sequence_order=1), "sequence_order"),
        (lambda d: d.update(spec_version="v1.0"), "spec_version"),
        (lambda d: d["contests"][0].pop("votes_allowed"), "votes_allowed"),
    ],
    ids=["contest-index-gap", "selection-index-twice", "spec-version", "no-votes-allowed"],
)
def test_an_egk_manifest_evote_cannot_number_is_refused_naming_the_field(change, field):
    document = json.loads(MANIFEST_TEXT)
    change(document)
    with pytest.raises(ManifestError) as caught:
        egk_manifest_file(json.dumps(document, indent=4))
    assert field in f"{caught.value.field} {caught.value.reason}"


def test_the_board_api_accepts_an_election_created_from_an_egk_manifest(tmp_path):
    app = make_app(tmp_path)
    EgkWorld(app.test_client(), election_id="api-egk", n=1, k=1, voters=1, manifest=MANIFEST_TEXT)


# --- (b), (d) the export and its checks -------------------------------------------------------------------


def test_the_export_holds_egks_files_and_says_what_it_cannot_hold(exported):
    _, egk, output, _ = exported
    names = {str(p.relative_to(egk)) for p in egk.rglob("*") if p.is_file()}
    assert {"constants.json", "election_config.json", "manifest.json", "election_initialized.json", "encrypted_tally.json",
            "tally.json"} <= names  # fmt: skip
    assert len([n for n in names if n.startswith("encrypted_ballots/evote-board/eballot-")]) == 6
    assert len([n for n in names if n.startswith("challenged_ballots/dballot-")]) == 1
    assert (egk / "manifest.json").read_bytes() == MANIFEST_FILE.read_bytes()  # the bytes hashed into H_M
    states = sorted(json.loads(p.read_text())["state"] for p in (egk / "encrypted_ballots").rglob("eballot-*.json"))
    assert states == ["CAST", "CAST", "CAST", "SPOILED", "UNKNOWN", "UNKNOWN"]  # a revote's first ballot; a nonce reveal
    assert "not in egk's layout" in output and "credentials" in output and "opened with their ballot nonce" in output
    config = json.loads((egk / "election_config.json").read_text())
    assert config["metadata"]["evote.conventions"] == "SPEC v2.0.0" and config["chain_confirmation_codes"] is False


def test_both_exports_verify_with_the_same_hashes(exported):
    evote_record, egk, output, _ = exported
    evote_hashes, egk_hashes = hashes_of_evote(evote_record), hashes_of_egk(egk)
    assert evote_hashes == egk_hashes
    for name, value in egk_hashes.items():
        assert f"{name} {value}" in output
    report = verified(evote_record)
    assert not failed_steps(report), failed_steps(report)
    egk_report = verified(egk, format="egk")
    assert not failed_steps(egk_report), failed_steps(egk_report)


def test_an_election_without_a_decrypted_challenge_passes_every_check_in_egks_layout(tmp_path):
    """Nothing in it depends on the conventions where evote and egk differ (docs/export-egk.md): every check passes."""
    app = make_app(tmp_path)
    world = EgkWorld(app.test_client(), election_id="plain-egk", n=1, k=1, voters=2, manifest=MANIFEST_TEXT)
    world.keygen()
    world.open()
    world.vote(world.credentials[0], NORTH, "north")
    world.vote(world.credentials[1], {"measure-a": ["measure-a-no"]}, "town")
    world.close_and_tally()
    world.decrypt(available={1})
    result = export_egk(tmp_path, tmp_path / "egk", "plain-egk")
    assert result.exit_code == 0, result.output
    assert not failed_steps(verified(tmp_path / "egk", format="egk"))
    assert run_cli("--format", "egk", str(tmp_path / "egk"), "--workers", "1").exit_code == 0


def test_the_egk_export_is_checked_under_the_conventions_it_declares(exported):
    """The egk reader reads evote.conventions (docs/export-egk.md): the report says so, and without the
    declaration the trustee-decrypted challenge's contest data fails under egk's conventions (14, 14.B)."""
    _, egk, _, _ = exported
    report = verified(egk, format="egk")
    assert "declares (evote.conventions)" in report.conventions
    undeclared = egk.parent / "egk-undeclared"
    shutil.copytree(egk, undeclared)
    config = json.loads((undeclared / "election_config.json").read_text())
    del config["metadata"]["evote.conventions"]
    (undeclared / "election_config.json").write_text(json.dumps(config, indent=2))
    assert failed_steps(verified(undeclared, format="egk")) == {"14", "14.B"}


def test_evote_verify_recomputes_the_same_hashes_from_each_export(exported):
    """1.G (H_M from the manifest bytes), 1.H (H_B) and 4.A (H_E from K) pass on both exports, whose recorded values
    are the same: each verifier run recomputed them from its own layout's files."""
    evote_record, egk, _, _ = exported
    for report in (verified(evote_record), verified(egk, format="egk")):
        assert {step(report, check).status for check in ("1.G", "1.H", "4.A")} == {Status.PASSED}
    assert run_cli("--format", "egk", str(egk), "--workers", "1").output.count("passed") >= 10


def test_the_booths_javascript_accepts_every_exported_ballot(exported):
    _, egk, _, _ = exported
    answer = node("tests/js/egk_export_check.mjs", str(egk))
    assert answer["H_E"] == hashes_of_egk(egk)["H_E"]
    assert [b for b in answer["ballots"] if not b["ok"]] == []
    assert len(answer["ballots"]) == 6


def test_the_booths_javascript_refuses_a_tampered_exported_ballot(exported, tmp_path):
    _, egk, _, _ = exported
    copy = shutil.copytree(egk, tmp_path / "egk")
    path = next((copy / "encrypted_ballots").rglob("eballot-*.json"))
    ballot = json.loads(path.read_text())
    ballot["contests"][0]["selections"][0]["proof"]["proofs"][0]["response"] = flip(ballot["contests"][0]["selections"][0]["proof"]["proofs"][0]["response"])
    path.write_text(json.dumps(ballot))
    answer = node("tests/js/egk_export_check.mjs", str(copy))
    refused = [b for b in answer["ballots"] if not b["ok"]]
    assert [b["file"] for b in refused] == [str(path.relative_to(copy))]


@pytest.mark.parametrize(
    "file, change, step",
    [
        ("election_config.json", lambda d: d.update(manifest_hash=flip(d["manifest_hash"])), "1.G"),
        ("election_initialized.json", lambda d: d.update(extended_base_hash=flip(d["extended_base_hash"])), "4.A"),
        ("tally.json", lambda d: d["contests"][0]["selections"][0].update(tally=d["contests"][0]["selections"][0]["tally"] + 1), "10"),
    ],
    ids=["manifest-hash", "extended-base-hash", "a-decrypted-total"],
)
def test_one_value_changed_in_the_egk_export_fails_verification(exported, tmp_path, file, change, step):
    _, egk, _, _ = exported
    copy = shutil.copytree(egk, tmp_path / "egk")
    document = json.loads((copy / file).read_text())
    change(document)
    (copy / file).write_text(json.dumps(document, indent=2))
    failed = failed_steps(verified(copy, format="egk"))
    assert any(s == step or s.startswith(f"{step}.") for s in failed), failed
    assert run_cli("--format", "egk", str(copy), "--workers", "1").exit_code == 1


def test_a_manifest_in_evotes_schema_is_refused_with_the_reason(tmp_path):
    app = make_app(tmp_path)
    world = EvoteWorld(app.test_client(), election_id="evote-schema", n=1, k=1, voters=1)
    world.keygen()
    result = export_egk(tmp_path, tmp_path / "egk", "evote-schema")
    assert result.exit_code == 2
    assert "egk hashes its own manifest schema into H_M" in result.output and "--manifest-schema egk" in result.output
    assert not (tmp_path / "egk").exists()


# --- helpers ----------------------------------------------------------------------------------------------


def flip(hex_text: str) -> str:
    return ("0" if hex_text[0] != "0" else "1") + hex_text[1:]


def node(script: str, *arguments: str) -> dict:
    executable = require_node()
    done = subprocess.run([executable, script, *arguments], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-5000:]
    return json.loads(done.stdout)

