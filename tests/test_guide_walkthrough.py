"""The administrator's guide, section 8 ("A whole election, command by command"), run as written.

Every ``sh`` block preceded by ``<!-- walkthrough -->`` in docs/guide-administrator.md is taken in order and
run in one bash shell (``set -e``: any command that fails stops it), as a reader pasting them into one terminal
would: a real board (``evote board serve ... &``), three ``evote-trustee`` processes for the key ceremony and the
decryption, ``evote vote``, the board's own scheduled open and close, ``evote-verify``, and a cancel. The test
adapts only what a reader's machine decides: HOME is a temporary directory holding ``evote``, a link to this
repository (the guide copies docs/examples/ from ``~/evote``), and the board's port 8000 becomes a free one.
Then it checks what the guide says the reader sees: the trustees' last lines, the result in two languages,
the verified result, one close entry appended by the board after the extended close, and the cancel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.environment import REPO_ROOT
from support.processes import free_port

pytestmark = pytest.mark.slow
GUIDE = REPO_ROOT / "docs" / "guide-administrator.md"
MARKER = "<!-- walkthrough -->"
BLOCK_START = "### walkthrough block"
TRUSTEES = ("ada", "bruno", "chen")


def walkthrough_blocks() -> list[str]:
    text = GUIDE.read_text()
    blocks = re.findall(rf"{re.escape(MARKER)}\n```sh\n(.*?)\n```", text, re.S)
    assert len(blocks) == text.count(MARKER), f"every {MARKER} in {GUIDE.name} must be followed at once by a ```sh block"
    return blocks


def script(blocks: list[str], port: int) -> str:
    lines = ["set -e"]
    for number, block in enumerate(blocks, start=1):
        lines += [f"echo '{BLOCK_START} {number}'", re.sub(r"\b8000\b", str(port), block)]
    lines.append(f"echo '{BLOCK_START} end'")
    assert any(re.search(r"\b8000\b", block) for block in blocks), "the walkthrough's board listens on port 8000"
    return "\n".join(lines) + "\n"


def environment(home: Path) -> dict[str, str]:
    """The caller's environment without evote's settings (the guide sets its own), HOME in the test's
    directory and the installed commands (evote, evote-trustee, evote-verify) first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVOTE_", "PYTEST_"))}
    env["HOME"] = str(home)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def stop_group(process: subprocess.Popen) -> None:
    """End what the walkthrough left running (the trustees' commands, a board if a block failed): the
    shell's own process group, started for this test."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for_lines(paths: list[Path], text: str, timeout: float = 30) -> None:
    """The trustees' background commands end a moment after the block that started them."""
    deadline = time.monotonic() + timeout
    while not all(path.is_file() and text in path.read_text() for path in paths):
        if time.monotonic() > deadline:
            tails = {path.name: path.read_text()[-1500:] if path.is_file() else None for path in paths}
            raise AssertionError(f"no {text!r} in each of {tails}")
        time.sleep(0.3)


def test_the_administrators_walkthrough_runs_as_written(tmp_path):
    for tool in ("bash", "curl", "jq", "date", "awk"):
        assert shutil.which(tool), f"the walkthrough needs {tool}"
    for command in ("evote", "evote-trustee", "evote-verify"):
        assert (Path(sys.executable).parent / command).is_file(), f"{command} is not installed beside {sys.executable}"
    home = tmp_path / "home"
    home.mkdir()
    (home / "evote").symlink_to(REPO_ROOT)
    blocks = walkthrough_blocks()
    (tmp_path / "walkthrough.sh").write_text(script(blocks, free_port()))
    work = home / "lakeside"

    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        shell = subprocess.Popen(["bash", str(tmp_path / "walkthrough.sh")], cwd=home, env=environment(home), stdout=stdout,
                                 stderr=stderr, start_new_session=True)  # fmt: skip
    try:
        try:
            returncode = shell.wait(timeout=240)
        except subprocess.TimeoutExpired:
            returncode = None
        output = out.read_text()
        started = re.findall(rf"^{BLOCK_START} (\S+)$", output, re.M)
        board_log = (work / "board.log").read_text()[-2000:] if (work / "board.log").is_file() else ""
        assert returncode == 0 and started and started[-1] == "end", (
            f"the walkthrough stopped in block {started[-1] if started else '?'} of {len(blocks)} "
            f"(exit status {returncode}):\n{blocks[int(started[-1]) - 1] if started and started[-1] != 'end' else ''}\n"
            f"--- stdout\n{output[-5000:]}\n--- stderr\n{err.read_text()[-5000:]}\n--- board.log\n{board_log}"
        )
        wait_for_lines([work / f"{name}-decrypt.log" for name in TRUSTEES], "the tally is decrypted and published")
    finally:
        stop_group(shell)

    said = dict(zip(started, re.split(rf"^{BLOCK_START} \S+\n", output, flags=re.M)[1:]))

    def said_by(command: str) -> str:
        """What the block holding ``command`` printed."""
        return next(text for number, text in said.items() if number != "end" and command in blocks[int(number) - 1])

    for name in TRUSTEES:
        assert "key ceremony complete" in (work / f"{name}-keygen.log").read_text()
    assert "created lakeside-2026:" in said_by("evote election create manifest.json --id lakeside-2026 ")
    assert said_by("evote vote").count("confirmation code:") == 3
    assert "now closes it at" in said_by("evote election extend")
    results = said_by("evote election result")
    assert "Adaeze Okafor: 2 votes, 66.7%  elected" in results and "Présidence du conseil (3 votes)" in results
    verified = said_by("evote-verify record/")
    assert "VERIFIED: every check that applies to this record passed." in verified
    assert verified.split("Verified result")[1].count("elected") == 3 and "Priya Gupta: 1 vote, 100.0%  elected" in verified
    assert "CANCELLED" in said_by("evote election cancel")

    # the board opened and closed the election itself, once, after the extended close
    entries = [json.loads(line) for line in (work / "record" / "entries.jsonl").read_text().splitlines()]
    kinds = [entry["kind"] for entry in entries]
    assert kinds.count("election.opened") == 1 and kinds.count("election.closed") == 1 and kinds.count("election.extended") == 1
    assert kinds.index("election.extended") < kinds.index("election.closed") < kinds.index("tally.encrypted")
    assert kinds.count("ballot.cast") == 3
