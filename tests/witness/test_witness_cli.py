"""``evote-witness`` on the command line: keys, configuration errors (one line, exit 1), the evidence cap."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest
from support.processes import env
from support.witness_board_log import BoardLog
from support.witness_processes import write_witness_config

from witness.app import build_service
from witness.config import load_config


def witness_cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "witness.cli", *args], cwd=cwd, env=env(), capture_output=True, text=True,
                          timeout=60)


def test_init_writes_a_private_key_and_prints_only_the_public_vkey(tmp_path):
    made = witness_cli("init", "--dir", str(tmp_path / "w"), "--name", "witness.example.org/w1", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    key_file = tmp_path / "w" / "witness.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_text().strip().split("+")[-1]
    assert made.stdout.startswith("witness.example.org/w1+") and secret not in made.stdout + made.stderr
    again = witness_cli("key", "--dir", str(tmp_path / "w"), cwd=tmp_path)
    assert again.stdout == made.stdout
    config_key = witness_cli("key", "--config", str(tmp_path / "w" / "witness.toml"), cwd=tmp_path)
    assert config_key.stdout == made.stdout
    refused = witness_cli("init", "--dir", str(tmp_path / "w"), "--name", "witness.example.org/w1", cwd=tmp_path)
    assert refused.returncode == 1 and "already exists" in refused.stderr


BOARD_KEY = BoardLog().vkey


@pytest.mark.parametrize("config, field", [
    ('name = "w"\nkey_file = "witness.key"\nport = 1\n', "port: unknown setting"),
    ('key_file = "witness.key"\n', "name: is required"),
    ('name = "has space"\nkey_file = "witness.key"\n', "name:"),
    ('name = "w"\nkey_file = "witness.key"\ndatabase_url = "mysql://x"\n', "database_url:"),
    ('name = "w"\nkey_file = "witness.key"\n[[boards]]\norigin_prefix = "b"\nkeys = ["nonsense"]\n', "boards[0].keys[0]:"),
    ('name = "w"\nkey_file = "witness.key"\n[[boards]]\norigin_prefix = "b/"\nkeys = ["' + BOARD_KEY + '"]\n', "boards[0].origin_prefix:"),
    ('name = "w"\nkey_file = "witness.key"\n[[boards]]\norigin_prefix = "b"\nkeys = ["' + BOARD_KEY + '"]\nurl = "ftp://x"\n', "boards[0].url:"),
    ('name = "w"\nkey_file = "missing.key"\n', "key_file:"),
    ('name = "other"\nkey_file = "witness.key"\n', "name:"),
    ("name = [", "config:"),
])
def test_a_bad_configuration_is_one_line_naming_the_field_and_exit_1(tmp_path, config, field):
    witness_cli("init", "--dir", str(tmp_path), "--name", "w", cwd=tmp_path)
    (tmp_path / "bad.toml").write_text(config)
    result = witness_cli("check-config", "--config", str(tmp_path / "bad.toml"), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("evote-witness: error: ") and field in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_are_one_line_too(tmp_path):
    result = witness_cli("serve", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "--config" in result.stderr


def test_the_evidence_kept_per_origin_is_capped(tmp_path):
    log = BoardLog(size=10)
    config = write_witness_config(tmp_path, "witness.test/cap", [("board.test", log.vkey)], extra="max_evidence_per_origin = 2")
    service = build_service(load_config(config))
    assert service.add_checkpoint(log.body(0)).status == 200
    for number in range(5):  # five different forks of the same size
        outcome = service.add_checkpoint(log.fork(f"forged {number}", at=number).extend(10 - number).body(10))
        assert (outcome.status, outcome.evidence_kept) == (409, number < 2)
    assert len(service.store.evidence(log.origin)) == 2
