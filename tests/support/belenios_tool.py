"""Belenios records made by Belenios itself: Debian's ``belenios-tool`` (2.0) run as real processes, as
Belenios' own tests/tool/demo.sh, demo-threshold.sh and demo-nh.sh drive it, in a temporary directory.

* :func:`make_election` sets up an election (credentials with weights, simple or threshold trustees), casts
  the votes (and revotes), ends the voting, tallies, shuffles non-homomorphic questions, decrypts and adds
  the result; it returns an :class:`Election` with the ``.bel`` archive and the expected result.
* :func:`election_once` makes each kind of election once per test session (a cache in this module).
* :func:`read_members` / :func:`write_archive` take an archive apart and put it back together, byte for byte
  as Belenios writes it; :func:`mutate` rewrites one JSON value inside one file, and either keeps the hash
  chain consistent (renames the file to its new SHA256 and rewrites every reference, up to the last event) or
  leaves the reference dangling.
* :func:`tool_verify` runs ``belenios-tool election verify`` in the archive's directory.

Without belenios-tool, :func:`require_tool` fails the test under CI=true and skips it elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from support.environment import in_ci

TOOL = shutil.which("belenios-tool") or "/usr/bin/belenios-tool"
QUESTIONS = [
    {"answers": ["A1", "A2"], "min": 0, "max": 1, "question": "Q1?"},
    {"answers": ["B1", "B2", "B3"], "blank": True, "min": 1, "max": 2, "question": "Q2?"},
]
VOTES = [[[1, 0], [0, 1, 1, 0]], [[0, 1], [0, 1, 0, 0]], [[0, 0], [1, 0, 0, 0]]]
REVOTES = [(0, [[0, 1], [0, 0, 1, 1]])]  # voter 0 votes again: only this ballot counts


def require_tool() -> str:
    if os.path.exists(TOOL) and os.access(TOOL, os.X_OK):
        return TOOL
    reason = f"belenios-tool is not installed ({TOOL}; Debian package belenios-tool)"
    if in_ci():
        pytest.fail(reason + " (CI=true: .ci/run must install it)")
    pytest.skip(reason)


def run(args: list[str], cwd: Path, stdin: bytes | str | None = None) -> str:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [TOOL, *args], cwd=cwd, input=data if data is not None else b"", capture_output=True,
        env={**os.environ, "BELENIOS_USE_URANDOM": "1"}, timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"belenios-tool {' '.join(args)}: {done.stderr.decode()[-2000:]}")
    return done.stdout.decode()


def tool_verify(directory: Path) -> subprocess.CompletedProcess:
    """``belenios-tool election verify`` on the one archive of ``directory`` (returncode 0: it accepts it)."""
    return subprocess.run([TOOL, "election", "verify", "--dir", str(directory)], capture_output=True, text=True, timeout=600)


@dataclass
class Election:
    directory: Path
    uuid: str
    group: str
    questions: list[dict[str, Any]]
    weights: list[int]
    expected_result: list[Any] | None  # per question: the weighted counts, or (non-homomorphic) the sorted ballots
    trustee_ids: list[int] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.directory / f"{self.uuid}.bel"


def _expected(questions, votes, weights, revotes) -> list[list[int]]:
    last = {i: v for i, v in enumerate(votes)}
    for voter, vote in revotes:
        last[voter] = vote
    result = []
    for qi, q in enumerate(questions):
        if q.get("type") == "NonHomomorphic":  # the ballots' vectors, in shuffled order: sorted here
            result.append(sorted(v[qi] for v in last.values()))
            continue
        width = len(q["answers"]) + (1 if q.get("blank") else 0)
        result.append([sum(weights[i] * v[qi][j] for i, v in last.items()) for j in range(width)])
    return result


def make_election(
    directory: Path,
    group: str = "BELENIOS-2048",
    questions: list[dict[str, Any]] = QUESTIONS,
    votes: list[Any] = VOTES,
    weights: list[int] | None = None,
    threshold: tuple[int, int] | None = None,
    revotes: list[tuple[int, Any]] = REVOTES,
    tally: bool = True,
) -> Election:
    """An election run by belenios-tool in ``directory``; ``threshold=(k, n)``: n Pedersen trustees of whom
    k decrypt, beside one mandatory (server) key, as demo-threshold.sh; else two simple trustees."""
    require_tool()
    directory.mkdir(parents=True, exist_ok=True)
    weights = weights or [1] * len(votes)
    uuid = run(["setup", "generate-token"], directory).strip()
    g = ["--group", group]
    (directory / "voters.txt").write_text("".join(f"v{i}@example.org,v{i},{w}\n" for i, w in enumerate(weights)))
    run(["setup", "generate-credentials", "--uuid", uuid, *g, "--file", "voters.txt"], directory)
    (pub,) = directory.glob("*.pubcreds")
    pub.rename(directory / "public_creds.json")
    (priv,) = directory.glob("*.privcreds")
    creds = dict(line.split(" ", 1) for line in priv.read_text().split("\n") if line)
    privs = [creds[f"v{i}@example.org,v{i},{w}"] for i, w in enumerate(weights)]
    keys = _trustees(directory, g, threshold)
    (directory / "q.json").write_text(json.dumps({"description": "D", "name": "N", "questions": questions}))
    run(["setup", "make-election", "--uuid", uuid, *g, "--template", "q.json"], directory)
    run(["archive", "init"], directory)
    for name in ("election.json", "trustees.json", "public_creds.json", "public_keys.jsons"):
        (directory / name).unlink(missing_ok=True)
    for voter, vote in [*enumerate(votes), *revotes]:
        (directory / "cred").write_text(privs[voter] + "\n")
        (directory / "vote").write_text(json.dumps(vote))
        ballot = run(["election", "generate-ballot", "--privcred", "cred", "--ballot", "vote"], directory)
        run(["archive", "add-event", "--type=Ballot"], directory, ballot)
    election = Election(directory, uuid, group, questions, weights, _expected(questions, votes, weights, revotes))
    if tally:
        _tally(directory, keys, threshold)
    return election


def _trustees(directory: Path, g: list[str], threshold: tuple[int, int] | None) -> list[tuple[str, ...]]:
    """The trustees' private keys, as (command, file, ...) decrypt arguments, in trustee-id order."""
    if threshold is None:
        for _ in range(2):
            run(["setup", "generate-trustee-key", *g], directory)
        (directory / "public_keys.jsons").write_text("".join(p.read_text() for p in sorted(directory.glob("*.pubkey"))))
        run(["setup", "make-trustees"], directory)
        return [("decrypt", "--privkey", p.name) for p in sorted(directory.glob("*.privkey"))]
    k, n = threshold
    tk = ["setup", "generate-trustee-key-threshold", *g]
    for _ in range(n):
        run([*tk, "--step", "1"], directory)
    certs = "".join(p.read_text() for p in sorted(directory.glob("*.cert")))
    (directory / "certs.jsons").write_text(certs)
    run([*tk, "--certs", "certs.jsons", "--step", "2"], directory)
    polys = "".join(run([*tk, "--certs", "certs.jsons", "--key", p.name, "--step", "3", "--threshold", str(k)], directory)
                    for p in sorted(directory.glob("*.key")))
    (directory / "polynomials.jsons").write_text(polys)
    run([*tk, "--certs", "certs.jsons", "--step", "4", "--polynomials", "polynomials.jsons"], directory)
    outputs = "".join(run([*tk, "--certs", "certs.jsons", "--key", p.name, "--step", "5"], directory,
                          (directory / (p.stem + ".vinput")).read_text()) for p in sorted(directory.glob("*.key")))
    (directory / "threshold.json").write_text(
        run([*tk, "--certs", "certs.jsons", "--step", "6", "--polynomials", "polynomials.jsons"], directory, outputs))
    run(["setup", "generate-trustee-key", *g], directory)
    (directory / "public_keys.jsons").write_text("".join(p.read_text() for p in directory.glob("*.pubkey")))
    run(["setup", "make-trustees"], directory)
    (directory / "threshold.json").unlink()
    server: list[tuple[str, ...]] = [("decrypt", "--privkey", p.name) for p in directory.glob("*.privkey")]
    pedersen: list[tuple[str, ...]] = [("decrypt-threshold", "--key", p.name, "--decryption-key", p.stem + ".dkey")
                for p in sorted(directory.glob("*.key"))]
    return server + pedersen[:k]  # trustee 1 is the server's key, 2.. the Pedersen trustees (k of n decrypt)


def _tally(directory: Path, keys: list[tuple[str, ...]], threshold: tuple[int, int] | None) -> None:
    run(["archive", "add-event", "--type=EndBallots"], directory)
    run(["archive", "add-event", "--type=EncryptedTally"], directory, run(["election", "compute-encrypted-tally"], directory))
    if any(isinstance(q, dict) and q.get("type") == "NonHomomorphic" for q in json.loads((directory / "q.json").read_text())["questions"]):
        for owner in (1, 2):
            run(["archive", "add-event", "--type=Shuffle"], directory, run(["election", "shuffle", f"--trustee-id={owner}"], directory))
        run(["archive", "add-event", "--type=EndShuffles"], directory)
    for trustee_id, (command, *args) in enumerate(keys, start=1):
        if threshold is not None and command == "decrypt-threshold":
            trustee_id = 1 + int(_pedersen_index(directory, args[1]))
        factor = run(["election", command, *args, "--trustee-id", str(trustee_id)], directory)
        run(["archive", "add-event", "--type=PartialDecryption"], directory, factor)
    run(["archive", "add-event", "--type=Result"], directory, run(["election", "compute-result"], directory))


def _pedersen_index(directory: Path, key_file: str) -> int:
    """The 1-based position of a threshold trustee's key among the sorted .key files (its certificate's order)."""
    return [p.name for p in sorted(directory.glob("*.key"))].index(key_file) + 1


_CACHE: dict[str, Election] = {}
_ROOT: list[Path] = []


def election_once(kind: str, **options: Any) -> Election:
    """The election of ``kind`` made once per session (never modified: copy it with :func:`copy_election`)."""
    if kind not in _CACHE:
        if not _ROOT:
            _ROOT.append(Path(tempfile.mkdtemp(prefix="belenios-")))
        _CACHE[kind] = make_election(_ROOT[0] / kind, **options)
    return _CACHE[kind]


def copy_election(election: Election, directory: Path) -> Path:
    """A copy of the election's archive alone in ``directory``; returns the copy's path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / election.path.name
    shutil.copyfile(election.path, target)
    return target


# --- taking an archive apart and back together ------------------------------------------------------------

def read_members(path: Path) -> list[tuple[str, bytes, int]]:
    """(name, contents, mtime) of every file of the archive, in order."""
    data, members, position = path.read_bytes(), [], 0
    while position + 512 <= len(data) and data[position:position + 512] != bytes(512):
        header = data[position:position + 512]
        name = header[:100].split(b"\0", 1)[0].decode()
        size, mtime = int(header[124:135], 8), int(header[136:147], 8)
        members.append((name, data[position + 512:position + 512 + size], mtime))
        position += 512 + (size + 511) // 512 * 512
    return members


def write_archive(members: list[tuple[str, bytes, int]], path: Path) -> None:
    """Write the members as Belenios' archive.ml writes them (mode 0644, uid/gid 0, type '0')."""
    out = bytearray()
    for name, body, mtime in members:
        header = bytearray(512)
        for offset, text in ((0, name), (100, "0000644"), (108, "0000000"), (116, "0000000"),
                             (124, f"{len(body):011o}"), (136, f"{mtime:011o}"), (148, " " * 8), (156, "0")):
            header[offset:offset + len(text)] = text.encode()
        header[148:156] = f"{sum(header):06o}\0 ".encode()
        out += header + body + bytes(-len(body) % 512)
    path.write_bytes(bytes(out))


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def mutate(path: Path, select: Callable[[str, Any], bool], change: Callable[[Any], Any], rehash: bool = True) -> str:
    """Rewrite the first file whose (name, JSON) ``select`` accepts with ``change(json)`` (compact JSON, as
    Belenios writes). ``rehash``: rename it to its new SHA256 and rewrite every reference to the old name,
    files after it renamed in turn (events chained anew); else only its contents change. Returns the name."""
    members = read_members(path)
    renames: dict[str, str] = {}
    target = None
    for index, (name, body, mtime) in enumerate(members):
        if target is None and name != "BELENIOS" and select(name, json.loads(body)):
            body = json.dumps(change(json.loads(body)), separators=(",", ":"), ensure_ascii=False).encode()
            target = name
        elif renames:
            text = body.decode()
            for old, new in renames.items():
                text = text.replace(old, new)
            body = text.encode()
        if rehash and name != "BELENIOS" and (target is not None):
            old, new = name.split(".", 1)[0], _digest(body)
            if old != new:
                renames[old] = new
                name = f"{new}.{name.split('.', 1)[1]}"
        members[index] = (name, body, mtime)
    if target is None:
        raise ValueError("no file matched the mutation")
    write_archive(members, path)
    return target
