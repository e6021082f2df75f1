"""egk's encrypted ballots and decryptions: streaming the ballot files, and decoding them in the workers.

Files: ``encrypted_ballots/<device>/eballot-<id>.json`` (egk ``EncryptedBallotJson.kt``), a device's
``ballot_chain.json`` (its ballots in chain order), ``challenged_ballots/dballot-<id>.json`` and ``tally.json``
(``DecryptedTallyOrBallotJson.kt``). Ballot state ``CAST`` is cast, ``SPOILED`` challenged, ``UNKNOWN`` neither.
egk-ec writes the same documents in its own :class:`~.egk_json.Dialect` (``CHALLENGED`` for challenged).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ...elgamal import Ciphertext
from ...encrypted_ballot import EncryptedBallot, EncryptedContest, EncryptedSelection
from ...errors import EncodingError
from ...group import ElementModP, ElementModQ
from ...hashed_elgamal import HashedCiphertext
from ...manifest import Contest, Manifest
from ...proofs.range import RangeProof
from ..model import (
    BallotRecord,
    BallotState,
    Chaining,
    ContestDataDecryption,
    DecryptedContest,
    DecryptedSelection,
    Decryption,
    Defect,
    DeviceChain,
    RawBallot,
    Unreadable,
    WrittenContestData,
)
from . import egk_json as j
from .egk_json import EGK, Dialect
from .files import Limits, load_json

BALLOTS = "encrypted_ballots"
CHALLENGED = "challenged_ballots"
BALLOT = "a ballot file"  # the size limit's name in a refusal


def parse_decryption(doc: Any, origin: str, dialect: Dialect = EGK) -> Decryption:
    """egk's DecryptedTallyOrBallot (tally.json, dballot-*.json); unreadable items become :class:`Unreadable`."""
    contests = []
    for n, raw in enumerate(j.items(doc, "contests", "")):
        where = f"contests[{n}]"
        selections: list[DecryptedSelection | Unreadable] = []
        for m, selection in enumerate(j.items(raw, "selections", where)):
            sw = f"{where}.selections[{m}]"
            try:
                vote = selection.get("encrypted_vote") if isinstance(selection, dict) else None
                proof = j.get(selection, "proof", sw)
                selections.append(
                    DecryptedSelection(
                        option=j.text(selection, "selection_id", sw),
                        value=j.small_int(selection, "tally", sw),
                        element=dialect.tally_element(selection, "b_over_m", sw),
                        c=dialect.digest(proof, "challenge", f"{sw}.proof"),
                        v=dialect.scalar(proof, "response", f"{sw}.proof"),
                        ciphertext=None if vote is None else _pair(vote, f"{sw}.encrypted_vote", dialect),
                        where=sw,
                    )
                )
            except EncodingError as exc:
                selections.append(Unreadable(origin, exc.field, exc.reason))
        contest_data = None
        if raw.get("decrypted_contest_data") is not None:
            contest_data = _contest_data_decryption(
                raw["decrypted_contest_data"], f"{where}.decrypted_contest_data", origin, dialect
            )
        contests.append(DecryptedContest(j.text(raw, "contest_id", where), tuple(selections), contest_data, where))
    ballot_id = doc.get("id") if isinstance(doc.get("id"), str) else None
    return Decryption(tuple(contests), origin, ballot_id)


def _pair(vote: Any, where: str, dialect: Dialect) -> tuple[int, int]:
    """An ElGamal ciphertext (α, β) written as {"pad": α, "data": β}."""
    return dialect.element(vote, "pad", where), dialect.element(vote, "data", where)


def _contest_data_decryption(raw: Any, where: str, origin: str, dialect: Dialect) -> ContestDataDecryption | Unreadable:
    try:
        proof = j.get(raw, "proof", where)
        return ContestDataDecryption(
            encrypted=written_contest_data(
                j.get(raw, "encrypted_contest_data", where), f"{where}.encrypted_contest_data", dialect
            ),
            beta=dialect.element(raw, "beta", where),
            c=dialect.digest(proof, "challenge", f"{where}.proof"),
            v=dialect.scalar(proof, "response", f"{where}.proof"),
            where=where,
        )
    except EncodingError as exc:
        return Unreadable(origin, exc.field, exc.reason)


def written_contest_data(raw: Any, where: str, dialect: Dialect = EGK) -> WrittenContestData:
    return WrittenContestData(
        dialect.element(raw, "c0", where),
        dialect.data(raw, "c1", where),
        dialect.digest(raw, "c2", where),
        (("numBytes", j.small_int(raw, "numBytes", where)),),
    )


def natural(path: Path | str) -> list:
    """Sort key: "eballot-id-2" before "eballot-id-10"."""
    name = path if isinstance(path, str) else path.name
    return [int(part) if part.isdecimal() else part for part in re.split(r"(\d+)", name)]


def ballot_names(directory: Path) -> list[str]:
    """The ballot file names in ``directory``, in natural order (names, not paths: one short string each)."""
    with os.scandir(directory) as entries:
        return sorted((e.name for e in entries if e.name.startswith("eballot-") and e.name.endswith(".json")), key=natural)


def device_dirs(root: Path) -> list[Path]:
    directory = root / BALLOTS
    return sorted((d for d in directory.iterdir() if d.is_dir()), key=natural) if directory.is_dir() else []


@dataclass
class BallotFiles:
    root: Path
    chaining: Chaining | None
    decryptions: dict[str, Path]
    limits: Limits

    def count(self) -> int:
        directory = self.root / BALLOTS
        if not directory.is_dir():
            return 0
        return len(ballot_names(directory)) + sum(len(ballot_names(device)) for device in device_dirs(self.root))

    def stream(self) -> Iterator[RawBallot]:
        """Every encrypted ballot, device by device; a chained device's ballots in its chain's order."""
        listed: dict[str, tuple[str, ...]] = {}
        if self.chaining is not None:
            listed = {d.device: d.listed_ids for d in self.chaining.devices if isinstance(d, DeviceChain) and d.listed_ids}
        directory = self.root / BALLOTS
        if directory.is_dir():
            for name in ballot_names(directory):
                yield self._raw(directory / name, None, None)
        for device in device_dirs(self.root):
            names = ballot_names(device)
            order = listed.get(device.name, ())
            unlisted = set(names)
            for position, ballot_id in enumerate(order):
                name = f"eballot-{ballot_id.replace(' ', '_')}.json"
                if name in unlisted:
                    unlisted.discard(name)
                    yield self._raw(device / name, device.name, position)
            for name in names:
                if name in unlisted:
                    yield self._raw(device / name, device.name, None)

    def _raw(self, path: Path, device: str | None, position: int | None) -> RawBallot:
        """One ballot file, read through :mod:`.files`: a file that is refused (not a regular file of the record,
        too large, nested too deeply) is an :class:`Unreadable` payload, and fails this ballot only.

        The ballot's id is the ``ballot_id`` written inside the file (the one its decryption, the tally's list
        and the chain name), else the one in its file name (the decoder then reports it missing).
        """
        origin = str(path.relative_to(self.root))
        ballot_id = path.name[len("eballot-") : -len(".json")]
        payload: Any = load_json(self.root, origin, self.limits.ballot, BALLOT)
        if isinstance(payload, dict) and isinstance(payload.get("ballot_id"), str):
            ballot_id = payload["ballot_id"]
        decryption: Any = None
        decryption_origin = None
        decryption_path = self.decryptions.get(ballot_id)
        if decryption_path is not None:
            decryption_origin = str(decryption_path.relative_to(self.root))
            decryption = load_json(self.root, decryption_origin, self.limits.ballot, BALLOT)
        return RawBallot(ballot_id, origin, payload, device, position, decryption, decryption_origin)


@dataclass(frozen=True)
class EgkBallotDecoder:
    """Decodes egk's encrypted ballots (``EncryptedBallotJson.kt``) in the workers, written in ``dialect``.

    Group elements are range-checked here (0 < x < p); their membership in Z_p^r is checked for a whole chunk
    at once by the caller before any check sees the ballot.
    """

    manifest: Manifest | None
    dialect: Dialect = EGK

    def decode(self, raw: RawBallot) -> BallotRecord:
        doc = raw.payload
        decryption = self._decryption(raw)
        if isinstance(doc, Unreadable):
            return BallotRecord(
                id=raw.id,
                origin=raw.origin,
                state=BallotState.OTHER,
                style="",
                ballot=None,
                defects=(Defect("5", "", f"{doc.reason}"),),
                device=raw.device,
                chain_position=raw.chain_position,
                decryption=decryption,
            )
        if not isinstance(doc, dict):
            doc = {}  # every field below is then missing, and reported so
        state_text = doc.get("state")
        known = self.dialect.state(state_text) if isinstance(state_text, str) else None
        state = BallotState.OTHER if known is None else known
        style_id = doc.get("ballot_style_id")
        style = style_id if isinstance(style_id, str) else ""
        defects: list[Defect] = []
        if known is None:
            defects.append(Defect("5", "state", f"unknown ballot state {state_text!r}"))
        if not isinstance(doc.get("ballot_id"), str):
            defects.append(Defect("5", "ballot_id", "is missing: the ballot does not say which ballot it is"))
        ballot: EncryptedBallot | None = None
        try:
            ballot = self._ballot(doc, style)
        except EncodingError as exc:
            defects.append(Defect(_check_of(exc.field), exc.field, exc.reason))
        return BallotRecord(
            id=raw.id,
            origin=raw.origin,
            state=state,
            style=style,
            ballot=None if defects else ballot,
            defects=tuple(defects),
            device=raw.device,
            chain_position=raw.chain_position,
            decryption=decryption,
        )

    def _decryption(self, raw: RawBallot) -> Decryption | Unreadable | None:
        if raw.decryption is None:
            return None
        origin = raw.decryption_origin or ""
        if isinstance(raw.decryption, Unreadable):
            return raw.decryption
        try:
            return parse_decryption(raw.decryption, origin, self.dialect)
        except EncodingError as exc:
            return Unreadable(origin, exc.field, exc.reason)

    def _ballot(self, doc: dict[str, Any], style_label: str) -> EncryptedBallot:
        manifest = self.manifest
        if manifest is None:
            raise EncodingError("", "the manifest cannot be read, so the ballot cannot be decoded")
        if doc.get("is_preencrypt"):
            raise EncodingError("is_preencrypt", "pre-encrypted ballots (Verifications 15-18) are not verified by this verifier")
        style = manifest.style(style_label)
        if style is None:
            raise EncodingError("ballot_style_id", f"{style_label!r} is not a ballot style of the manifest")
        expected = manifest.contests_of(style)
        written = j.items(doc, "contests", "")
        labels = [c.get("contest_id") if isinstance(c, dict) else None for c in written]
        if labels != [c.label for c in expected]:
            raise EncodingError(
                "contests",
                f"expected the contests {[c.label for c in expected]} of style {style_label!r} in index order, found {labels}",
            )
        contests = tuple(self._contest(raw, contest, f"contests[{n}]") for n, (raw, contest) in enumerate(zip(written, expected)))
        aux = self.dialect.aux(doc, "code_baux", "")
        return EncryptedBallot(style.label, contests, aux, self.dialect.digest(doc, "confirmation_code", ""))

    def _contest(self, raw: Any, contest: Contest, where: str) -> EncryptedContest:
        repeated = {"sequence_order": contest.index, "votes_allowed": contest.votes_allowed}
        for key in self.dialect.contest_repeats:
            if j.small_int(raw, key, where) != (value := repeated[key]):
                raise EncodingError(f"{where}.{key}", f"is {raw[key]!r}, the manifest says {value}")
        written = j.items(raw, "selections", where)
        labels = [s.get("selection_id") if isinstance(s, dict) else None for s in written]
        if labels != [o.label for o in contest.options]:
            raise EncodingError(
                f"{where}.selections", f"expected the options {[o.label for o in contest.options]} in index order, found {labels}"
            )
        selections = []
        for m, (selection, option) in enumerate(zip(written, contest.options)):
            sw = f"{where}.selections[{m}]"
            if j.small_int(selection, "sequence_order", sw) != option.index:
                raise EncodingError(f"{sw}.sequence_order", f"the manifest says {option.index}")
            alpha, beta = _pair(j.get(selection, "encrypted_vote", sw), f"{sw}.encrypted_vote", self.dialect)
            ciphertext = Ciphertext(self._pending(alpha), self._pending(beta))
            proof = _range_proof(j.get(selection, "proof", sw), f"{sw}.proof", self.dialect)
            selections.append(EncryptedSelection(option.label, ciphertext, proof))
        data = written_contest_data(j.get(raw, "encrypted_contest_data", where), f"{where}.encrypted_contest_data", self.dialect)
        return EncryptedContest(
            contest.label,
            tuple(selections),
            _range_proof(j.get(raw, "proof", where), f"{where}.proof", self.dialect),
            self.dialect.digest(raw, "contest_hash", where),
            HashedCiphertext(self._pending(data.C0), data.C1, data.C2),
        )

    def _pending(self, x: int) -> ElementModP:
        """Range-checked (on P-256: decoded) by the dialect, membership still to be checked for the whole chunk
        (see the decoder's docstring)."""
        return self.dialect.group.recorded(x)


def _range_proof(raw: Any, where: str, dialect: Dialect) -> RangeProof:
    parts = j.items(raw, "proofs", where)
    if not parts:
        raise EncodingError(f"{where}.proofs", "a range proof has at least one part")
    cs, vs = [], []
    group: Any = dialect.group  # its scalars are ElementModQ (only q and q_bytes are used)
    for n, part in enumerate(parts):
        cs.append(
            ElementModQ.reduce(int.from_bytes(dialect.digest(part, "challenge", f"{where}.proofs[{n}]"), "big"), group)
        )  # 0 <= c_j < 2^256
        v = dialect.scalar(part, "response", f"{where}.proofs[{n}]")
        if v >= group.q:
            raise EncodingError(f"{where}.proofs[{n}].response", "v_j is not in Z_q")
        vs.append(ElementModQ.reduce(v, group))
    return RangeProof(tuple(cs), tuple(vs))


def _check_of(field: str) -> str:
    """The SPEC step that covers an undecodable ballot field."""
    limit = re.fullmatch(r"contests\[\d+\]\.proof\..*", field)
    if field.endswith((".pad", ".data")) and ".encrypted_vote" in field:
        return "5.A"
    if ".challenge" in field:
        return "6.B" if limit else "5.B"
    if ".response" in field:
        return "6.C" if limit else "5.C"
    if field.endswith("contest_hash"):
        return "7.A"
    if field in ("code_baux", "confirmation_code"):
        return "7.B"
    return "5"
