"""Reading a Helios election record into a :class:`HeliosRecord` for the runner (voting/verifier/systems.py).

Two forms of the same documents, each as helios-server serves it (legacy datatypes, helios/datatypes/legacy.py):

* **a directory**: ``election.json`` (``/helios/elections/<uuid>``), ``trustees.json`` (``/trustees/``),
  ``ballots.json`` (a JSON array of each voter's last cast vote, ``/ballots/<voter>/last``; streamed) or
  ``ballots.jsonl`` (one cast vote per line), and optionally ``voters.json`` (``/voters/``, one array),
  ``encrypted_tally.json`` (the legacy ``Tally``: ``{"num_tallied", "tally"}``) and ``result.json`` (``/result``).
* **a pyrios bundle** (google/pyrios ``ElectionBundle``): one ``.json`` file, an object whose fields
  ``election``, ``voters`` (pages), ``votes``, ``results``, ``trustees`` hold the documents base64-encoded (as Go
  writes ``[]byte``) or as plain JSON; ``election`` comes first, as pyrios writes it. Its votes are streamed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..model import RecordUnreadable
from ..readers.files import DEFAULT_LIMITS, FileRefused, Limits, open_file, open_given, parse_json, read_bytes, read_lines
from ..readers.unsupported import FormatNotSupported
from .group import Group, hash_b64, json_hash, parse_integer
from .stream import Malformed, members

ELECTION, TRUSTEES, VOTERS, BALLOTS, BALLOT_LINES, TALLY, RESULT = (
    "election.json", "trustees.json", "voters.json", "ballots.json", "ballots.jsonl", "encrypted_tally.json", "result.json")
_BUNDLE = re.compile(rb'\s*\{\s*"election"\s*:\s*("eyJ|\{)')
_DETECT_LIMIT = 1 << 20


def is_helios(path: str | Path) -> bool:
    """Cheap detection: a directory whose election.json has Helios' shape (a uuid, questions, and a public key
    ``{p, q, g, y}``) beside trustees.json or the cast votes; or a file that starts as a pyrios bundle does."""
    path = Path(path)
    try:
        if path.is_dir():
            if not any((path / name).exists() for name in (TRUSTEES, BALLOTS, BALLOT_LINES)):
                return False
            return _election_shape(parse_json(read_bytes(path, ELECTION, _DETECT_LIMIT, "the election")))
        with open_given(path) as handle:  # a regular file only: a named pipe never blocks the detection
            return _BUNDLE.match(handle.read(64)) is not None
    except (OSError, ValueError, FileRefused):
        return False


def _election_shape(election: Any) -> bool:
    key = election.get("public_key") if isinstance(election, dict) else None
    return (isinstance(key, dict) and {"p", "q", "g", "y"} <= set(key) and isinstance(election.get("questions"), list)
            and "uuid" in election)


@dataclass(frozen=True)
class CastVote:
    """One cast vote as sent to a worker: its position, raw JSON (None when unreadable, ``problem`` says why)."""

    index: int
    raw: bytes | None
    problem: str
    origin: str  # "ballots.json[3]"

    @property
    def subject(self) -> str:
        return f"cast vote {self.origin}"


def open_helios(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> HeliosRecord:
    if not is_helios(path):
        raise RecordUnreadable(f"{path} is not a Helios record (election.json with a public key {{p, q, g, y}}, "
                               "or a pyrios bundle)")
    source = _Directory(Path(path), limits) if Path(path).is_dir() else _Bundle(Path(path), limits)
    return HeliosRecord(str(path), source)


class _Directory:
    def __init__(self, root: Path, limits: Limits):
        self.root, self.limits = root, limits
        self.ballots_name = BALLOTS if (root / BALLOTS).exists() or not (root / BALLOT_LINES).exists() else BALLOT_LINES
        self.names = {"election": ELECTION, "trustees": TRUSTEES, "voters": VOTERS, "tally": TALLY, "result": RESULT,
                      "ballots": self.ballots_name}

    def raw(self, part: str) -> bytes | None:
        """The document's bytes; None when an optional one is absent; FileRefused when it cannot be read."""
        name = self.names[part]
        if part in ("voters", "tally", "result") and not (self.root / name).exists():
            return None
        return read_bytes(self.root, name, self.limits.document, name)

    def voters(self) -> list[Any] | None:
        raw = self.raw("voters")
        return None if raw is None else parse_json(raw)

    def ballots(self) -> Iterator[CastVote]:
        name = self.ballots_name
        if name == BALLOT_LINES:
            for index, line in enumerate(read_lines(self.root, name, self.limits.ballot)):
                origin = f"{name} line {index + 1}"
                yield CastVote(index, None if line.too_long else line.body, "longer than the verifier reads" if line.too_long else "", origin)
            return
        with open_file(self.root, name) as handle:
            for index, raw in _stream(handle, self.limits.ballot):
                yield CastVote(index, raw, "" if raw is not None else "longer than the verifier reads", f"{name}[{index}]")


class _Bundle:
    def __init__(self, path: Path, limits: Limits):
        self.path, self.limits = path, limits
        name = path.name
        self.names = {part: f"{name} › {field}" for part, field in (
            ("election", "election"), ("trustees", "trustees"), ("voters", "voters"), ("result", "results"),
            ("ballots", "votes"), ("tally", "encrypted_tally"))}
        try:
            with open_given(path) as handle:
                self.fields = dict(members(handle, limits.document, skip=frozenset({"votes"})))
        except (Malformed, FileRefused, OSError) as exc:
            raise RecordUnreadable(f"{path}: not a readable pyrios bundle: {exc}") from None

    def raw(self, part: str) -> bytes | None:
        field = self.names[part].rpartition(" › ")[2]
        if field not in self.fields:
            if part in ("voters", "tally", "result"):
                return None
            raise FileRefused(self.names[part], "the bundle has no such field")
        raw = self.fields[field]
        if raw is None:
            raise FileRefused(self.names[part], "longer than the verifier reads")
        return _unwrap(raw)

    def voters(self) -> list[Any] | None:
        raw = self.raw("voters")
        if raw is None:
            return None
        voters: list[Any] = []
        for page in parse_json(raw):
            value = parse_json(_base64(page)) if isinstance(page, str) else page
            voters.extend(value if isinstance(value, list) else [value])
        return voters

    def ballots(self) -> Iterator[CastVote]:
        with open_given(self.path) as handle:
            for index, raw in members(handle, self.limits.ballot * 2, under="votes"):
                origin = f"{self.names['ballots']}[{index}]"
                try:
                    yield CastVote(int(index), None if raw is None else _unwrap(raw), "" if raw is not None else
                                   "longer than the verifier reads", origin)
                except ValueError as exc:
                    yield CastVote(int(index), None, str(exc), origin)


def _unwrap(raw: bytes) -> bytes:
    """A bundle field: a JSON string holds the document base64-encoded (Go's []byte); anything else is the JSON."""
    return _base64(parse_json(raw)) if raw.startswith(b'"') else raw


def _base64(text: Any) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError) as exc:
        raise ValueError(f"not base64: {exc}") from None


def _stream(handle, limit: int) -> Iterator[tuple[int, bytes | None]]:
    for index, raw in members(handle, limit):
        yield int(index), raw


class HeliosRecord:
    """A Helios record: its documents parsed (except the cast votes, streamed), and what could not be read."""

    format = "helios"

    def __init__(self, location: str, source: Any):
        from .sections import SECTIONS, HeliosSetting

        self.location, self.source = location, source
        self.names: dict[str, str] = source.names
        self.problems: dict[str, str] = {}  # part -> why it could not be read (HK.1 reports them)
        self.election_raw = b""
        self.election: Any = self._load("election")
        self.trustees: Any = self._load("trustees")
        self.voters: Any = self._load_voters()
        self.encrypted_tally: Any = self._load("tally")
        self.result: Any = self._load("result")
        if isinstance(self.election, dict) and isinstance(self.election.get("questions"), list):
            kinds = {q.get("tally_type", "homomorphic") for q in self.election["questions"] if isinstance(q, dict)}
            if kinds - {"homomorphic"}:
                raise FormatNotSupported(f"Helios questions with tally_type {sorted(kinds - {'homomorphic'})}",
                                         "this verifier checks Helios' homomorphic tally only")
        self.group, self.public_key = self._public_key()
        self.conventions = "Helios v3 (helios-server's legacy JSON: SHA-1 challenges, SHA-256 document hashes)"
        self.notes = NOTES
        self.counts: list[list[int]] | None = None  # the decrypted counts, set by HR.1
        self.statistics: dict[str, Any] = {
            "election": self.election.get("uuid") if isinstance(self.election, dict) else None,
            "election fingerprint": self.election_hash,
            "group": self.group.describe() if self.group else None,
            "trustees": len(self.trustees) if isinstance(self.trustees, list) else None,
        }
        self.sections = SECTIONS
        self.setting = HeliosSetting.of(self)
        self.ballot_count = None

    def _load(self, part: str) -> Any:
        try:
            raw = self.source.raw(part)
            if raw is None:
                return None
            if part == "election":
                self.election_raw = raw
            return parse_json(raw)
        except FileRefused as exc:
            self.problems[part] = f"{exc.name}: {exc.reason}"
        except ValueError as exc:
            self.problems[part] = f"{self.names[part]}: not readable JSON: {exc}"
        return None

    def _load_voters(self) -> Any:
        try:
            return self.source.voters()
        except FileRefused as exc:
            self.problems["voters"] = f"{exc.name}: {exc.reason}"
        except (ValueError, TypeError) as exc:
            self.problems["voters"] = f"{self.names['voters']}: not readable: {exc}"
        return None

    def _public_key(self) -> tuple[Group | None, Any]:
        key = self.election.get("public_key") if isinstance(self.election, dict) else None
        try:
            if not isinstance(key, dict):
                raise ValueError("the election has no public key {p, q, g, y}")
            group = Group.of(*(parse_integer(key.get(name)) for name in ("p", "q", "g")))
            if group.q < 2 or group.p < 5:
                raise ValueError("p or q is too small to be a group")
            return group, parse_integer(key.get("y"))
        except ValueError as exc:
            self.problems["public_key"] = f"{self.names['election']} public_key: {exc}"
            return None, None

    @property
    def election_hash(self) -> str | None:
        """election_hash as helios-server computes it: hash_b64 of Helios' JSON of the election document."""
        return json_hash(self.election) if isinstance(self.election, dict) else None

    @property
    def raw_election_hash(self) -> str:
        """pyrios' election hash: of the document's bytes as served (equal to the above when unreformatted)."""
        return hash_b64(self.election_raw)

    @property
    def questions(self) -> list[Any]:
        questions = self.election.get("questions") if isinstance(self.election, dict) else None
        return questions if isinstance(questions, list) else []

    def ballots(self) -> Iterator[CastVote]:
        return self.source.ballots()

    def verified_result(self, accumulator: Any) -> dict[str, Any] | None:
        if self.counts is None:
            return None
        return {"questions": [
            {"question": str(question.get("question", "")),
             "answers": [{"answer": str(name), "count": count} for name, count in zip(question.get("answers", []), counts)]}
            for question, counts in zip(self.questions, self.counts)]}


NOTES = (
    "Helios' proofs hash only their commitments (weak Fiat-Shamir): the statement proven (the election key, the "
    "ciphertext, the decryption factor) is not in the hash, so a prover who chooses the statement after the "
    "commitments can forge a proof of a false statement. A passing proof is only consistent with an honest prover.",
    "Eligibility: a Helios record holds voter ids and hashes of login ids, not credentials the verifier can check; "
    "that each cast vote came from the eligible voter it names is the Helios server's word.",
    "The voter list cannot be checked against any authority: the record's voters.json is whatever the server "
    "published, and voters_hash, when set, only fixes that list.",
    "Each voter checks that her ballot tracker (vote_hash) is among the cast votes: votes the server dropped or "
    "never recorded cannot be seen in the record.",
)
