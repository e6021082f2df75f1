"""Reading a Belenios record (the election's ``<uuid>.bel``) into a :class:`BeleniosRecord` for the runner.

For the shuffle and non-homomorphic checks (section BM, voting/verifier/belenios/shuffle.py and
nonhomomorphic.py), a :class:`BeleniosRecord` ``record`` offers, all read lazily from the archive:

* ``record.group``: the :class:`~.groups.Group`; ``record.public_key``: the election key y (an element), or
  None when the election's ``public_key`` is unreadable; ``record.fingerprint``: the election's hash phi.
* ``record.questions``: the election's questions (raw JSON); ``record.nh_questions``: the indexes of the
  non-homomorphic ones (``{"type": "NonHomomorphic", "value": {...}}``).
* ``record.tallied_nh_ciphertexts()``: ``{question index: [(alpha, beta), ...]}``, the tallied ballots'
  (the last ballot of each credential, in ``last(B)`` order; the EncryptedTally may list them in another
  order, belenios-tool 2.0 orders them by credential: BT.3 checks it holds the same ciphertexts) ciphertexts of each non-homomorphic question;
  a ballot whose ciphertext cannot be parsed is left out (BB fails it).
* ``record.encrypted_tally()``: the EncryptedTally's ``encrypted_tally`` array (raw JSON) or None.
* ``record.shuffles()``: the Shuffle events in order, as :class:`Owned` (``owner`` int, ``payload`` the
  shuffle's JSON ``{ciphertexts, proofs}``, ``origin`` naming the data file); an unreadable one has
  ``payload=None`` and ``problem`` saying why.
* ``record.partial_decryptions()``: the PartialDecryption events in order, as :class:`Owned` (payload
  ``{decryption_factors, decryption_proofs}``); their factors for a non-homomorphic question apply to the last
  shuffle's ciphertexts (or the encrypted tally's when there is no shuffle).
* ``record.trustee_keys()``: the flattened trustees' public keys (owner i is ``trustee_keys()[i-1]``).
* ``record.result()``: the Result's ``result`` array (raw JSON) or None.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..model import RecordUnreadable
from ..readers.files import DEFAULT_LIMITS, FileRefused, Limits, open_file, open_given
from ..readers.unsupported import FormatNotSupported
from .archive import Archive, ArchiveUnreadable, Event
from .groups import GROUP_NAMES, Group, group_named
from .proofs import parse_ciphertext

_CREDENTIAL = re.compile(rb'"credential"\s*:\s*"([^"]{1,1300})"')


def find_archive(path: str | Path) -> Path:
    """The ``.bel`` file: the path itself, or the one ``.bel`` file of a directory."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.name.endswith(".bel"))
        if len(found) != 1:
            raise RecordUnreadable(f"{path}: a Belenios record directory holds exactly one .bel archive (found {len(found)})")
        try:  # the directory's archive is a file of the record: a link out of the directory is refused
            open_file(path, found[0].name).close()
        except FileRefused as refused:
            raise RecordUnreadable(f"{found[0]}: {refused.reason}") from None
        return found[0]
    return path


def _holds_no_archive(path: str | Path) -> bool:
    path = Path(path)
    return path.is_dir() and not any(p.name.endswith(".bel") for p in path.iterdir())


def is_belenios(path: str | Path) -> bool:
    """Cheap detection: a .bel file (or a directory with one) that starts with a tar member named BELENIOS;
    or a Belenios 1.x directory record (election.json with a wrapped_pk, beside ballots.jsons etc.: legacy.py)."""
    from .legacy import is_legacy_belenios

    try:
        if _holds_no_archive(path):
            return is_legacy_belenios(path)
        archive = find_archive(path)
        with open_given(archive) as handle:  # a regular file only: a named pipe never blocks the detection
            return handle.read(9) == b"BELENIOS\0"
    except (OSError, RecordUnreadable, FileRefused):
        return False


def fingerprint_of(raw: bytes) -> str:
    """§"Ballots": Hash_JSON(J) = base64(SHA256(J)) without padding."""
    return base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def credential_key(text: str) -> bytes:
    """A short key for a public credential (its SHA256), so the sets of credentials stay small."""
    return hashlib.sha256(text.encode()).digest()[:20]


@dataclass(frozen=True)
class Owned:
    owner: int | None
    payload: Any
    origin: str
    problem: str = ""


@dataclass(frozen=True)
class BallotItem:
    """One Ballot event, as sent to a worker: its raw payload and whether ``last(B)`` tallies it."""

    index: int  # 1-based among the Ballot events
    event: Event
    raw: bytes | None
    problem: str  # why the payload could not be read
    tallied: bool


def open_belenios(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Any:
    """A :class:`BeleniosRecord` of a .bel archive, or a 1.x directory record's :class:`.legacy.LegacyRecord`."""
    from .legacy import is_legacy_belenios, open_legacy

    if _holds_no_archive(path) and is_legacy_belenios(path):
        return open_legacy(path, limits)
    location = find_archive(path)
    try:
        archive = Archive(str(location), limits.document)
    except ArchiveUnreadable as exc:
        raise RecordUnreadable(f"{location}: not a Belenios archive: {exc}") from None
    version = archive.header.get("version") if isinstance(archive.header, dict) else None
    if version != 1:
        raise FormatNotSupported(f"Belenios archive version {version!r}", "this verifier reads archive version 1 (Belenios 2.0 to 3.x)")
    return BeleniosRecord(str(path), archive, limits)


class BeleniosRecord:
    format = "belenios"

    def __init__(self, location: str, archive: Archive, limits: Limits):
        from .sections import SECTIONS, BeleniosSetting

        self.location, self.archive, self.limits = location, archive, limits
        self.statistics: dict[str, Any] = {}
        self.notes: tuple[str, ...] = NOTES
        self.setup: dict[str, Any] = {}
        self.problems: dict[str, str] = {}  # part -> why it could not be read (BS.1 reports them)
        self._read_setup()
        name = self.election.get("group") if isinstance(self.election, dict) else None
        if isinstance(name, dict) or (isinstance(name, str) and name not in GROUP_NAMES):
            raise FormatNotSupported(f"Belenios election in group {str(name)[:80]}",
                                     f"this verifier implements the groups {', '.join(GROUP_NAMES)}")
        if isinstance(self.election, dict) and self.election.get("version") not in (1, None):
            raise FormatNotSupported(f"Belenios election version {self.election.get('version')!r}", "this verifier reads election version 1")
        self.group: Group = group_named(name if isinstance(name, str) else "BELENIOS-2048")
        self.conventions = f"Belenios 2.0 (archive version 1), group {self.group.name}"
        self.public_key = self._parse_public_key()
        self.sections = SECTIONS
        self.setting = BeleniosSetting.of(self)

    # --- setup ------------------------------------------------------------------------------------------
    def _read_setup(self) -> None:
        self.election: Any = None
        self.election_raw = b""
        self.trustees: Any = None
        self.credentials: Any = None
        setups = self.archive.of_type("Setup")
        if not setups:
            self.problems["setup"] = "the archive has no Setup event"
            return
        try:
            self.setup = self.archive.json(setups[0].payload)
            if not isinstance(self.setup, dict):
                raise ValueError("setup_data is not an object")
        except (KeyError, ValueError) as exc:
            self.problems["setup"] = f"setup_data: {exc}"
            return
        for part in ("election", "trustees", "credentials"):
            try:
                raw = self.archive.data(self.setup.get(part))
                if part == "election":
                    self.election_raw = raw
                from ..readers.files import parse_json

                setattr(self, part, parse_json(raw))
            except (KeyError, ValueError) as exc:
                self.problems[part] = f"setup_data.{part}: {exc}"

    def _parse_public_key(self) -> Any:
        try:
            return self.group.parse(self.election.get("public_key"))
        except (ValueError, AttributeError) as exc:
            self.problems["public_key"] = f"election.public_key: {exc}"
            return None

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.election_raw)

    @property
    def questions(self) -> list[Any]:
        questions = self.election.get("questions") if isinstance(self.election, dict) else None
        return questions if isinstance(questions, list) else []

    @property
    def nh_questions(self) -> list[int]:
        return [i for i, q in enumerate(self.questions) if isinstance(q, dict) and q.get("type") == "NonHomomorphic"]

    def trustee_keys(self) -> list[Any]:
        """The trustees' ``trustee_public_key`` structures, flattened (Single ones, then each Pedersen's
        verification keys), as Belenios numbers partial decryptions' owners (1-based)."""
        keys: list[Any] = []
        for item in self.trustees if isinstance(self.trustees, list) else []:
            if isinstance(item, list) and len(item) == 2 and item[0] == "Single":
                keys.append(item[1])
            elif isinstance(item, list) and len(item) == 2 and item[0] == "Pedersen" and isinstance(item[1], dict):
                keys.extend(item[1].get("verification_keys") or [])
            else:
                keys.append(None)
        return keys

    # --- ballots ------------------------------------------------------------------------------------------
    def ballot_events(self) -> list[Event]:
        return self.archive.of_type("Ballot")

    def _last_heights(self) -> dict[bytes, int]:
        """last(B): for each credential, the height of its last Ballot event (read from the raw payloads)."""
        last: dict[bytes, int] = {}
        for event in self.ballot_events():
            where = self.archive.data_index.get(event.payload or "")
            if where is None or where.size > self.limits.ballot:
                continue
            match = _CREDENTIAL.search(self.archive.read_at(where))
            if match:
                last[credential_key(match.group(1).decode("utf-8", "replace"))] = event.height
        return last

    def ballots(self) -> Iterator[BallotItem]:
        last = self._last_heights()
        for index, event in enumerate(self.ballot_events(), start=1):
            raw, problem = None, ""
            where = self.archive.data_index.get(event.payload or "")
            if event.payload is None:
                problem = "the Ballot event has no payload"
            elif where is None:
                problem = f"no data file {event.payload}.data.json in the archive"
            elif where.size > self.limits.ballot:
                problem = f"the ballot is {where.size} bytes, more than the verifier reads"
            else:
                raw = self.archive.read_at(where)
            match = _CREDENTIAL.search(raw or b"")
            tallied = match is not None and last.get(credential_key(match.group(1).decode("utf-8", "replace"))) == event.height
            yield BallotItem(index, event, raw, problem, tallied)

    def tallied_nh_ciphertexts(self) -> dict[int, list[tuple[Any, Any]]]:
        from ..readers.files import parse_json

        result: dict[int, list[tuple[Any, Any]]] = {i: [] for i in self.nh_questions}
        for item in self.ballots():
            if not item.tallied or item.raw is None:
                continue
            try:
                answers = parse_json(item.raw)["answers"]
                parsed = {i: parse_ciphertext(self.group, answers[i]["choices"]) for i in result}
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            for i, ciphertext in parsed.items():
                result[i].append(ciphertext)
        return result

    # --- tally ----------------------------------------------------------------------------------------------
    def sized_tally(self) -> Any:
        events = self.archive.of_type("EncryptedTally")
        return self.archive.json(events[0].payload) if events else None

    def encrypted_tally(self) -> Any:
        sized = self.sized_tally()
        return self.archive.json(sized.get("encrypted_tally")) if isinstance(sized, dict) else None

    def _owned(self, kind: str) -> list[Owned]:
        found = []
        for event in self.archive.of_type(kind):
            origin = event.origin
            try:
                owned = self.archive.json(event.payload)
                origin = f"{event.payload}.data.json (owner {owned.get('owner')})"
                owner = owned.get("owner")
                payload = self.archive.json(owned.get("payload"))
                found.append(Owned(owner if isinstance(owner, int) else None, payload, f"{owned.get('payload')}.data.json"))
            except (KeyError, ValueError, AttributeError) as exc:
                found.append(Owned(None, None, origin, str(exc)))
        return found

    def shuffles(self) -> list[Owned]:
        return self._owned("Shuffle")

    def partial_decryptions(self) -> list[Owned]:
        return self._owned("PartialDecryption")

    def result(self) -> Any:
        events = self.archive.of_type("Result")
        if not events:
            return None
        value = self.archive.json(events[-1].payload)
        return value.get("result") if isinstance(value, dict) else value

    def verified_result(self, accumulator: Any) -> dict[str, Any] | None:
        from .tally import verified_result

        return verified_result(self, accumulator)


NOTES = (
    "Eligibility: the record holds public credentials only; that each belongs to one eligible voter is the "
    "credential authority's word (Belenios' trust model: the server and the credential authority not both "
    "dishonest), and the list of voters is not published.",
    "The credential fingerprint shown under BC should be compared with the one the credential authority "
    "published when it sent the credentials.",
    "Ballots the server refused, or never recorded, cannot be seen in the record: each voter checks that her "
    "smart ballot tracker is in the archive.",
)


