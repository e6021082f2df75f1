"""Belenios elections with non-homomorphic questions, shuffled and tallied by Debian's belenios-tool 2.0.

:func:`make_nh_election` runs the steps of Belenios' own tests/tool/demo-nh.sh (tag 2.0) with a small
election: credentials, trustee keys, an election with one homomorphic and one non-homomorphic question,
ballots, the encrypted tally, one Shuffle event per shuffler, the partial decryptions and the result. The
archive it returns is the one `belenios-tool election verify` accepts (the oracle).

Belenios 2.0 knows finite-field groups only, and its non-homomorphic answers need a group with an
``embedding``: RFC-3526-2048 (BELENIOS-2048 has none; Ed25519 arrived with Belenios 2.1). The Ed25519
shuffles of the tests are made by :func:`reference_shuffle`, a deliberately literal transcription of the
spec's GenShuffle and GenShuffleProof, used only to test the verifier.

:class:`Archive` edits such an archive the way a dishonest server would: it changes one payload, or
reorders events, then reseals every file name (the SHA256 of its content), every reference to a changed
payload, and every event's ``parent`` and ``height``, so that only the mutated value is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from support.belenios_tool import read_members, require_tool, run, tool_verify, write_archive
from voting.verifier.belenios import shuffle as sh
from voting.verifier.belenios.groups import Group

NH_GROUP = "RFC-3526-2048"
QUESTIONS = {
    "description": "Shuffled test election",
    "name": "NH test",
    "questions": [
        {"answers": ["Yes", "No"], "min": 0, "max": 1, "question": "Homomorphic?"},
        {"type": "NonHomomorphic", "value": {"answers": ["Red", "Green", "Blue"], "question": "Rank the colours"}},
    ],
}
VOTES = ("[[1,0],[1,2,3]]", "[[0,1],[3,1,2]]", "[[1,0],[2,3,1]]", "[[0,0],[3,2,1]]", "[[0,1],[1,3,2]]")


def add_event(directory: Path, kind: str, payload: str = "") -> None:
    run(["archive", "add-event", f"--type={kind}"], directory, payload)


def make_nh_election(directory: Path, *, trustees: int = 2, shufflers: Sequence[int] = (1, 2), votes: Sequence[str] = VOTES) -> Path:
    """An archive ``<uuid>.bel`` in ``directory``: the election of :data:`QUESTIONS` in RFC-3526-2048, one
    ballot per vote, a Shuffle event by each trustee of ``shufflers`` in that order, every trustee's partial
    decryption and the result. Returns the archive's path."""
    require_tool()
    directory.mkdir(parents=True, exist_ok=True)
    group = f"--group={NH_GROUP}"
    uuid = run(["setup", "generate-token"], directory).strip()
    run(["setup", "generate-credentials", f"--uuid={uuid}", group, f"--count={len(votes)}"], directory)
    (pub,), (priv,) = directory.glob("*.pubcreds"), directory.glob("*.privcreds")
    pub.rename(directory / "public_creds.json")
    keys: list[Path] = []
    for _ in range(trustees):
        run(["setup", "generate-trustee-key", group], directory)
        keys.append(sorted(set(directory.glob("*.privkey")) - set(keys))[0])
    (directory / "public_keys.jsons").write_text("".join(k.with_suffix(".pubkey").read_text() for k in keys))
    run(["setup", "make-trustees"], directory)
    (directory / "questions.json").write_text(json.dumps(QUESTIONS))
    run(["setup", "make-election", f"--uuid={uuid}", group, "--template=questions.json"], directory)
    run(["archive", "init"], directory)
    for name in ("election.json", "trustees.json", "public_creds.json", "public_keys.jsons"):
        (directory / name).unlink()
    for line, vote in zip(priv.read_text().split("\n"), votes):
        (directory / "cred.txt").write_text(line.split(" ", 1)[1] + "\n")
        (directory / "vote.txt").write_text(vote + "\n")
        add_event(directory, "Ballot", run(["election", "generate-ballot", "--privcred=cred.txt", "--ballot=vote.txt"], directory))
    add_event(directory, "EndBallots")
    add_event(directory, "EncryptedTally", run(["election", "compute-encrypted-tally"], directory))
    for trustee in shufflers:
        add_event(directory, "Shuffle", run(["election", "shuffle", f"--trustee-id={trustee}"], directory))
    add_event(directory, "EndShuffles")
    for number, key in enumerate(keys, start=1):
        add_event(directory, "PartialDecryption", run(["election", "decrypt", f"--privkey={key.name}", f"--trustee-id={number}"], directory))
    add_event(directory, "Result", run(["election", "compute-result"], directory))
    return directory / f"{uuid}.bel"


def tool_verifies(archive: Path) -> tuple[bool, str]:
    """`belenios-tool election verify` on a copy of the archive alone: (accepted, what it said)."""
    require_tool()
    work = archive.parent / f"verify-{secrets.token_hex(4)}"
    work.mkdir()
    shutil.copy(archive, work / archive.name)
    try:
        done = tool_verify(work)
        return done.returncode == 0, done.stdout + done.stderr
    finally:
        shutil.rmtree(work)


# -- editing an archive, resealed


@dataclass
class Entry:
    name: str  # "BELENIOS", "<sha256>.data.json" or "<sha256>.event.json"
    content: bytes
    mtime: int = 0

    @property
    def kind(self) -> str:
        return "header" if self.name == "BELENIOS" else self.name.split(".", 1)[1].split(".")[0]

    def json(self) -> Any:
        return json.loads(self.content)


_HASH = re.compile(rb'"([0-9a-f]{64})"')


class Archive:
    """A Belenios archive's files in order, editable, written back resealed (see the module docstring)."""

    def __init__(self, path: Path):
        self.path = path
        self.entries = [Entry(name, body, mtime) for name, body, mtime in read_members(path)]

    def data(self, digest: str) -> Entry:
        return next(e for e in self.entries if e.name == f"{digest}.data.json")

    def events(self, kind: str | None = None) -> list[Entry]:
        return [e for e in self.entries if e.kind == "event" and (kind is None or e.json()["type"] == kind)]

    def payload(self, event: Entry) -> Entry:
        return self.data(event.json()["payload"])

    def owned_payload(self, event: Entry) -> Entry:
        """The payload of an owned structure (Shuffle, PartialDecryption events)."""
        return self.data(self.payload(event).json()["payload"])

    def edit(self, entry: Entry, change: Callable[[Any], Any]) -> None:
        """Replace the JSON of ``entry`` by ``change(json)`` (which may edit in place), written compactly."""
        value = entry.json()
        value = change(value) or value
        entry.content = json.dumps(value, separators=(",", ":")).encode()

    def swap(self, first: Entry, second: Entry) -> None:
        """Exchange two events in the chain, each moved with the data files just before it."""
        groups = self._groups()
        a = next(i for i, g in enumerate(groups) if g[-1] is first)
        b = next(i for i, g in enumerate(groups) if g[-1] is second)
        groups[a], groups[b] = groups[b], groups[a]
        self.entries = [e for g in groups for e in g]

    def drop(self, event: Entry) -> None:
        """Remove an event from the chain, with the data files just before it."""
        self.entries = [e for g in self._groups() if g[-1] is not event for e in g]

    def _groups(self) -> list[list[Entry]]:
        """The entries cut after each event (and after the header): an event with the data files before it."""
        groups: list[list[Entry]] = [[]]
        for entry in self.entries:
            groups[-1].append(entry)
            if entry.kind in ("event", "header"):
                groups.append([])
        return [g for g in groups if g]

    def write(self, path: Path) -> Path:
        """Reseal (new names, references, parents and heights) and write the archive to ``path``, without the
        end-of-archive blocks: Belenios appends to its archives and reads a zero block as a bad header."""
        renamed: dict[bytes, bytes] = {}
        parent: str | None = None
        height = 0
        for entry in self.entries:
            if entry.kind == "header":
                continue
            content = _HASH.sub(lambda m: b'"' + renamed.get(m.group(1), m.group(1)) + b'"', entry.content)
            if entry.kind == "event":
                event = json.loads(content)
                ordered = {"parent": parent, "height": height, "type": event["type"], "payload": event.get("payload")}
                content = json.dumps({k: v for k, v in ordered.items() if v is not None}, separators=(",", ":")).encode()
                height += 1
            digest = hashlib.sha256(content).hexdigest()
            old = entry.name.split(".", 1)[0].encode()
            if digest.encode() != old:
                renamed[old] = digest.encode()
            entry.name, entry.content = f"{digest}.{entry.name.split('.', 1)[1]}", content
            if entry.kind == "event":
                parent = digest
        write_archive([(e.name, e.content, e.mtime) for e in self.entries], path)
        return path


# -- a literal reference shuffle (tests only), spec 2.0 §"Shuffle algorithms"


def reference_shuffle(group: Group, pk: Any, fingerprint: str, e: Sequence[sh.Ciphertext]) -> tuple[list[sh.Ciphertext], list[Any]]:
    """GenShuffle then GenShuffleProof, step by step as the spec's tables write them: the shuffled ciphertexts
    and the proof in Belenios' JSON shape (strings of the group's canonical text)."""
    q, g, n = group.q, group.g, len(e)
    rand = lambda: secrets.randbelow(q)  # noqa: E731
    items = list(range(n))
    psi = []
    for i in range(n):
        k = i + secrets.randbelow(n - i)
        psi.append(items[k])
        items[k] = items[i]
    r_prime = [rand() for _ in range(n)]
    reenc = [(group.mul(a, group.pow(g, r)), group.mul(b, group.pow(pk, r))) for (a, b), r in zip(e, r_prime)]
    e_prime = [reenc[psi[i]] for i in range(n)]
    h, hs = sh.independent_generators(group, n)
    c: list[Any] = [None] * n
    r: list[int] = [0] * n
    for i in range(n):
        r[psi[i]] = rand()
        c[psi[i]] = group.mul(group.pow(g, r[psi[i]]), hs[i])
    str_c = sh.serialize_ciphertexts(group, e) + sh.serialize_ciphertexts(group, e_prime) + sh.serialize_elements(group, c)
    u = sh.nizkp_challenges(group, n, f"shuffle-challenges|{fingerprint}|{str_c}")
    u_prime = [u[psi[i]] for i in range(n)]
    r_hat = [rand() for _ in range(n)]
    c_hat, previous = [], h
    for i in range(n):
        previous = group.mul(group.pow(g, r_hat[i]), group.pow(previous, u_prime[i]))
        c_hat.append(previous)
    w1, w2, w3, w4 = rand(), rand(), rand(), rand()
    w_hat, w_prime = [rand() for _ in range(n)], [rand() for _ in range(n)]
    t1, t2 = group.pow(g, w1), group.pow(g, w2)
    t3 = group.mul(group.pow(g, w3), group.prod(group.pow(x, w) for x, w in zip(hs, w_prime)))
    t41 = group.mul(group.inv(group.pow(pk, w4)), group.prod(group.pow(b, w) for (_, b), w in zip(e_prime, w_prime)))
    t42 = group.mul(group.inv(group.pow(g, w4)), group.prod(group.pow(a, w) for (a, _), w in zip(e_prime, w_prime)))
    chain = [h, *c_hat[:-1]]
    t_hat = [group.mul(group.pow(g, w_hat[i]), group.pow(chain[i], w_prime[i])) for i in range(n)]
    str_t = sh.serialize_elements(group, [t1, t2, t3, t41, t42]) + sh.serialize_elements(group, t_hat)
    str_y = str_c + sh.serialize_elements(group, c_hat) + group.to_text(pk)
    ch = sh.nizkp_challenge(group, f"shuffle-challenge|{fingerprint}|{str_t}{str_y}")
    v = [1] * n
    for i in range(n - 2, -1, -1):
        v[i] = u_prime[i + 1] * v[i + 1] % q
    s1 = (w1 + ch * sum(r)) % q
    s2 = (w2 + ch * sum(a * b for a, b in zip(r_hat, v))) % q
    s3 = (w3 + ch * sum(a * b for a, b in zip(r, u))) % q
    s4 = (w4 + ch * sum(a * b for a, b in zip(r_prime, u))) % q
    s_hat = [(w_hat[i] + ch * r_hat[i]) % q for i in range(n)]
    s_prime = [(w_prime[i] + ch * u_prime[i]) % q for i in range(n)]
    text, num = group.to_text, str
    proof = [
        [text(t1), text(t2), text(t3), [text(t41), text(t42)], [text(x) for x in t_hat]],
        [num(s1), num(s2), num(s3), num(s4), [num(x) for x in s_hat], [num(x) for x in s_prime]],
        [text(x) for x in c],
        [text(x) for x in c_hat],
    ]
    return e_prime, proof
