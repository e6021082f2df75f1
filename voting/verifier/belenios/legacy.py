"""Reading a Belenios 1.x record: a directory of files, as ``belenios-tool verify --dir`` reads it (Belenios 1.0
to 1.20, election format "v0"; src/tool/tool_cmdline.ml, tool_election.ml at tags 1.x).

The directory holds ``election.json`` (one line: the ``election`` structure with its ``wrapped_pk``
``public_key: {group: {g, p, q}, y}``), the trustees (``trustees.json``, or before it ``public_keys.jsons``
and ``threshold.json``), ``public_creds.txt`` (one credential a line, ``,weight`` optional), ``ballots.jsons``
(one ballot a line: the last ballot of each voter) and, once tallied, ``result.json`` ({num_tallied,
encrypted_tally, partial_decryptions, result}). There is no event chain: a 1.x record is these files.

A :class:`LegacyRecord` offers what the 1.x checks (legacy_setup.py, legacy_ballots.py, legacy_tally.py) read:
``group``, ``public_key``, ``election``, ``fingerprint``, ``questions``, ``trustees`` (in 2.0's shape
``[["Single", key] | ["Pedersen", parameters], ...]``), ``credentials`` (the lines), ``ballots()`` streamed
line by line, ``result_file()``; ``problems`` says which file could not be read and why (BS.1 reports it).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..model import CannotRun
from ..readers.files import DEFAULT_LIMITS, FileRefused, Limits, parse_json, read_bytes, read_lines
from ..readers.unsupported import FormatNotSupported
from .groups import Group
from .legacy_proofs import wrapped_group
from .sections import BeleniosAccumulator

ELECTION, BALLOTS, CREDENTIALS, RESULT = "election.json", "ballots.jsons", "public_creds.txt", "result.json"
TRUSTEES, PUBLIC_KEYS, THRESHOLD = "trustees.json", "public_keys.jsons", "threshold.json"
DETECT_LIMIT = 1 << 20


def fingerprint_of(raw: bytes) -> str:
    """Spec 1.x §"Ballots": Hash_JSON(J) = base64(SHA256(J)), without padding (Belenios' sha256_b64)."""
    return base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def credential_key(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()[:20]


def _election_line(raw: bytes) -> bytes:
    """Belenios 1.x reads election.json as its first line: the fingerprint is that line's hash."""
    return raw.split(b"\n", 1)[0]


def is_legacy_belenios(path: str | Path) -> bool:
    """Cheap detection: a directory whose election.json holds a 1.x ``wrapped_pk`` ({group, y}) beside
    ballots.jsons, public_creds.txt or the trustees' keys."""
    root = Path(path)
    try:
        if not root.is_dir() or not any((root / name).is_file() for name in (BALLOTS, CREDENTIALS, TRUSTEES, PUBLIC_KEYS)):
            return False
        election = parse_json(_election_line(read_bytes(root, ELECTION, DETECT_LIMIT, "detection")))
    except (OSError, FileRefused, ValueError):
        return False
    key = election.get("public_key") if isinstance(election, dict) else None
    return isinstance(key, dict) and isinstance(key.get("group"), dict) and "y" in key


def open_legacy(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> LegacyRecord:
    return LegacyRecord(str(path), limits)


@dataclass(frozen=True)
class LegacyBallot:
    """One line of ballots.jsons, as sent to a worker."""

    index: int  # 1-based line number
    raw: bytes | None
    problem: str

    @property
    def subject(self) -> str:
        return f"ballot {self.index} ({BALLOTS} line {self.index})"


@dataclass
class LegacyAccumulator(BeleniosAccumulator):
    """A 2.0 accumulator (the weighted products of the ballots' ciphertexts, the counts) that keeps its group
    itself (a 1.x group may be none of the named ones) and each credential's first ballot, to find the
    ballots of a credential used twice."""

    group: Group | None = None
    first: dict[bytes, int] = field(default_factory=dict)
    duplicates: list[tuple[int, int]] = field(default_factory=list)  # (ballot, first ballot of its credential)

    def use_credential(self, key: bytes, index: int) -> None:
        if key in self.first:
            self.duplicates.append((index, self.first[key]))
        else:
            self.first[key] = index

    def count(self, group: Group, ciphertexts: list[list[tuple[Any, Any]]], weight: int) -> None:
        self.group = group
        self.add(group, ciphertexts, weight, ())

    def merge(self, other: BeleniosAccumulator) -> None:
        if not isinstance(other, LegacyAccumulator):
            raise TypeError("a 1.x accumulator merges with 1.x accumulators only")
        self.ballots += other.ballots
        self.tallied += other.tallied
        self.total_weight += other.total_weight
        self.duplicates.extend(other.duplicates)
        for key, index in other.first.items():
            self.use_credential(key, index)
        if other.group is not None:
            self.group, self.group_name = other.group, other.group_name
            self.merge_products(other.group, other.products)


@dataclass(frozen=True)
class LegacySetting:
    """Picklable: what each worker needs to check a 1.x ballot."""

    group: Group | None
    public_key: Any
    uuid: str
    fingerprint: str
    questions: tuple[Any, ...]
    weights: dict[bytes, int]  # credential_key(public credential) -> weight

    def new_accumulator(self) -> LegacyAccumulator:
        return LegacyAccumulator()


class LegacyRecord:
    format = "belenios"

    def __init__(self, location: str, limits: Limits):
        from .legacy_sections import LEGACY_NOTES, LEGACY_SECTIONS
        from .setup import parse_weight

        self.location, self.root, self.limits = location, Path(location), limits
        self.statistics: dict[str, Any] = {}
        self.notes: tuple[str, ...] = LEGACY_NOTES
        self.problems: dict[str, str] = {}  # file or part -> why it could not be read
        self.election_raw = self._read(ELECTION, "the election")
        self.election: Any = self._json(ELECTION, _election_line(self.election_raw or b""))
        self._refuse_unsupported()
        self.group: Group | None = None
        self.public_key: Any = None
        self._parse_key()
        self.trustees, self.trustees_origin = self._read_trustees()
        raw = self._read(CREDENTIALS, "the public credentials")
        self.credentials_raw = raw
        self.credentials: list[str] | None = None if raw is None else [
            line.strip() for line in raw.decode("utf-8", "replace").split("\n") if line.strip()]
        self.conventions = f"Belenios 1.x (directory record, election format v0), group {self.group.name if self.group else 'unreadable'}"
        self.sections = LEGACY_SECTIONS
        weights: dict[bytes, int] = {}
        for text in self.credentials or []:
            credential, _, weight = text.partition(",")
            try:
                weights[credential_key(credential)] = parse_weight(weight) if weight else 1
            except ValueError:
                continue
        uuid = self.election.get("uuid") if isinstance(self.election, dict) else ""
        self.setting = LegacySetting(self.group, self.public_key, str(uuid), self.fingerprint, tuple(self.questions), weights)

    # --- files ------------------------------------------------------------------------------------------
    def _read(self, name: str, kind: str, limit: int | None = None) -> bytes | None:
        try:
            return read_bytes(self.root, name, limit or self.limits.document, kind)
        except FileRefused as exc:
            self.problems[name] = exc.reason
            return None

    def _json(self, name: str, raw: bytes | None) -> Any:
        if raw is None:
            return None
        try:
            return parse_json(raw)
        except ValueError as exc:
            self.problems[name] = f"is not readable JSON: {exc}"
            return None

    def _refuse_unsupported(self) -> None:
        election = self.election
        if not isinstance(election, dict):
            return
        if "version" in election:
            raise FormatNotSupported(f"Belenios election version {str(election['version'])[:20]} in a directory record (Belenios 1.17 to 1.20)",
                                     "this verifier reads 1.x directory records in election format v0, and version 1 in .bel archives (2.0 on)")
        if any(isinstance(q, dict) and "type" in q for q in election.get("questions") or []):
            raise FormatNotSupported("Belenios 1.x non-homomorphic questions (shuffled in result.json)",
                                     "this verifier checks the homomorphic questions of 1.x directory records")

    def _parse_key(self) -> None:
        key = self.election.get("public_key") if isinstance(self.election, dict) else None
        try:
            self.group = wrapped_group(key.get("group") if isinstance(key, dict) else None)
        except ValueError as exc:
            self.problems["public_key.group"] = f"{ELECTION} public_key.group: {exc}"
            return
        try:
            self.public_key = self.group.parse(key.get("y") if isinstance(key, dict) else None)
        except (ValueError, AttributeError) as exc:
            self.problems["public_key.y"] = f"{ELECTION} public_key.y: {exc}"

    def _read_trustees(self) -> tuple[Any, str]:
        """trustees.json as it is; else public_keys.jsons' keys as Single trustees and threshold.json's
        parameters as one Pedersen item, as Belenios 1.x's ``mktrustees`` assembles them."""
        if (self.root / TRUSTEES).exists() or not ((self.root / PUBLIC_KEYS).exists() or (self.root / THRESHOLD).exists()):
            return self._json(TRUSTEES, self._read(TRUSTEES, "the trustees")), TRUSTEES
        trustees: list[Any] = []
        if (self.root / PUBLIC_KEYS).exists():
            raw = self._read(PUBLIC_KEYS, "the trustees' keys")
            for number, line in enumerate((raw or b"").split(b"\n"), start=1):
                if line.strip():
                    trustees.append(["Single", self._json(f"{PUBLIC_KEYS} line {number}", line)])
        if (self.root / THRESHOLD).exists():
            trustees.append(["Pedersen", self._json(THRESHOLD, self._read(THRESHOLD, "the threshold parameters"))])
        return trustees, f"{PUBLIC_KEYS} + {THRESHOLD}"

    # --- accessors ----------------------------------------------------------------------------------------
    @property
    def fingerprint(self) -> str:
        return fingerprint_of(_election_line(self.election_raw or b""))

    @property
    def questions(self) -> list[Any]:
        questions = self.election.get("questions") if isinstance(self.election, dict) else None
        return questions if isinstance(questions, list) else []

    def need_group(self) -> Group:
        if self.group is None:
            raise CannotRun("the election's group or public key is unreadable (BS.2)", f"{ELECTION} public_key")
        return self.group

    def trustee_keys(self) -> list[Any]:
        """The trustees' public key structures, flattened as a 2.0 record's (the trustees have the same shape)."""
        from .reader import BeleniosRecord

        return BeleniosRecord.trustee_keys(self)  # type: ignore[arg-type]

    def ballots(self) -> Iterator[LegacyBallot]:
        if not (self.root / BALLOTS).exists():
            return
        try:
            for number, line in enumerate(read_lines(self.root, BALLOTS, self.limits.ballot), start=1):
                if line.too_long:
                    yield LegacyBallot(number, None, f"the line is {line.length} bytes, more than the verifier reads for a ballot")
                elif line.body.strip():
                    yield LegacyBallot(number, line.body, "")
        except FileRefused as exc:
            self.problems[BALLOTS] = exc.reason

    def result_file(self) -> Any:
        """result.json's structure, None when the election is not tallied (no result.json)."""
        if not (self.root / RESULT).exists():
            return None
        return self._json(RESULT, self._read(RESULT, "the result"))

    def verified_result(self, accumulator: Any) -> dict[str, Any] | None:
        result = getattr(self, "verified", None)
        if result is None:
            return None
        questions = []
        for question, counts in zip(self.questions, result):
            names = (["blank"] if question.get("blank") else []) + list(question["answers"])
            questions.append({"question": question["question"],
                              "answers": [{"answer": a, "count": int(c)} for a, c in zip(names, counts)]})
        return {"questions": questions}
