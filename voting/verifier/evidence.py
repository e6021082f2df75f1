"""Evidence of a fork: what two checkpoints signed by the board prove (issue 16, item 4).

An honest append-only log has exactly one tree of each size, and each tree extends every smaller one.

* **Same size, different roots**, both validly signed by the board: proof of a fork by itself.
* **Different sizes**: the board signed both, and a consistency proof it supplied does not verify. That is
  proof of a fork only together with the entries (a proof can be wrong while the log is sound), or if the
  board cannot produce any valid consistency proof between the two. Given the entries of one branch (an export
  the board signed, ``--record DIR``) the verifier recomputes the roots of their prefixes at both sizes: a
  prefix root that differs from a checkpoint the board signed for that size makes the evidence
  self-contained; prefixes equal to both checkpoints show there is no fork (only a wrong proof).

Input: a witness's evidence record (its ``GET /evidence`` answer, one record or the list:
``{"origin", "kind", "held_note", "submitted_note", "old_size", "proof": [base64]}``), or two signed
checkpoint notes (two files, or one file holding both separated by an empty line). Nothing here trusts the
witness: its ``kind`` is reported, never believed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from bulletin_board.log_format.checkpoint import SignedCheckpoint, verify_checkpoint
from bulletin_board.log_format.errors import BoardError
from bulletin_board.log_format.merkle_hash import RootAccumulator, leaf_hash
from bulletin_board.log_format.merkle_verify import verify_consistency
from bulletin_board.log_format.note import NoteVerifier

from ..encoding import hex_bytes
from .readers.files import DEFAULT_LIMITS, FileRefused, parse_json, read_bytes, read_given, read_lines

_HASH = re.compile(r"[0-9A-F]{64}")


class EvidenceUnreadable(Exception):
    """The evidence (or the record given with it) cannot be read at all (the command exits 2)."""


@dataclass(frozen=True)
class Evidence:
    """Two checkpoint notes the board is said to have signed, and what came with them."""

    label: str  # where it was read
    first: str  # the witness's held checkpoint, or the first note given
    second: str  # the checkpoint submitted to the witness, or the second note
    proof: tuple[bytes, ...] | None = None  # the consistency proof the board supplied, if any
    old_size: int | None = None  # the size that proof starts from
    kind: str | None = None  # what the witness says it is (reported, not believed)


@dataclass(frozen=True)
class Branch:
    """An export of one branch, signed by the board: its size, and its prefix roots at the sizes asked."""

    label: str
    size: int
    roots: dict[int, bytes]


@dataclass(frozen=True)
class Verdict:
    fork: bool
    says: tuple[str, ...]  # plain sentences: what the evidence proves


def read_evidence(paths: Sequence[Path]) -> list[Evidence]:
    """The evidence in one JSON file (a record or a list of them), or in signed notes (two files, or one
    file holding two); raises :class:`EvidenceUnreadable`."""
    texts = [_text(p) for p in paths]
    if len(paths) == 2:
        return [Evidence(f"{paths[0]} and {paths[1]}", texts[0], texts[1])]
    if len(paths) != 1:
        raise EvidenceUnreadable("give one evidence file (JSON, or two notes) or two checkpoint notes")
    text = texts[0]
    if text.lstrip().startswith(("{", "[")):
        try:
            data = parse_json(text)
        except ValueError as exc:
            raise EvidenceUnreadable(f"{paths[0]} is not JSON: {exc}") from None
        if isinstance(data, dict) and isinstance(data.get("evidence"), list):
            data = data["evidence"]
        records = data if isinstance(data, list) else [data]
        if not records:
            raise EvidenceUnreadable(f"{paths[0]} holds no evidence record")
        return [_record(item, f"{paths[0]} record {n}") for n, item in enumerate(records, 1)]
    return [_two_notes(text, str(paths[0]))]


def _text(path: Path) -> str:
    try:
        return read_given(path, DEFAULT_LIMITS.small, "an evidence file").decode("utf-8")
    except FileRefused as exc:
        raise EvidenceUnreadable(f"{path}: {exc.reason}") from None
    except UnicodeDecodeError:
        raise EvidenceUnreadable(f"{path} is not UTF-8 text") from None


def _record(item: Any, label: str) -> Evidence:
    if not isinstance(item, dict) or not isinstance(item.get("held_note"), str) or not isinstance(item.get("submitted_note"), str):
        raise EvidenceUnreadable(f"{label} is not a witness's evidence record (held_note and submitted_note are needed)")
    proof = None
    if item.get("proof") is not None:
        try:
            proof = tuple(base64.b64decode(h, validate=True) for h in item["proof"])
        except (binascii.Error, TypeError, ValueError):
            raise EvidenceUnreadable(f"{label}: proof is not a list of base64 hashes") from None
    old_size = item.get("old_size")
    if old_size is not None and (not isinstance(old_size, int) or isinstance(old_size, bool) or old_size < 0):
        raise EvidenceUnreadable(f"{label}: old_size is not a size")
    kind = item.get("kind")
    return Evidence(label, item["held_note"], item["submitted_note"], proof, old_size, kind if isinstance(kind, str) else None)


def _two_notes(text: str, label: str) -> Evidence:
    """One file with two notes: 'body, empty line, signatures, empty line, body, empty line, signatures'."""
    chunks = text.split("\n\n")
    if len(chunks) != 4:
        raise EvidenceUnreadable(f"{label} is neither JSON nor two signed notes separated by an empty line")
    return Evidence(label, chunks[0] + "\n\n" + chunks[1] + "\n", chunks[2] + "\n\n" + chunks[3].rstrip("\n") + "\n")


def read_branch(root: Path, keys: Sequence[NoteVerifier], origin: str, sizes: Sequence[int]) -> Branch | str:
    """The export at ``root`` as a branch signed by the board: its prefix roots at ``sizes``; or why it is
    not one (a string). Raises :class:`EvidenceUnreadable` when it cannot be read at all."""
    try:
        note = read_bytes(root, "checkpoint.txt", DEFAULT_LIMITS.small, "a checkpoint").decode("utf-8")
    except (FileRefused, UnicodeDecodeError) as exc:
        raise EvidenceUnreadable(f"--record {root}: checkpoint.txt cannot be read: {exc}") from None
    try:
        signed = verify_checkpoint(note, tuple(keys), origin=origin)
    except BoardError as exc:
        return f"its checkpoint.txt is not the board's for {origin}: {exc}"
    accumulator = RootAccumulator()
    roots: dict[int, bytes] = {}
    wanted = set(sizes)
    if 0 in wanted:
        roots[0] = accumulator.root()
    try:
        for number, line in enumerate(read_lines(root, "entries.jsonl", DEFAULT_LIMITS.entry), 1):
            value = _entry_hash(line.body)
            if value is None:
                return f"entries.jsonl line {number} has no readable entry_hash"
            accumulator.append_leaf(leaf_hash(value))
            if accumulator.size in wanted:
                roots[accumulator.size] = accumulator.root()
    except FileRefused as exc:
        raise EvidenceUnreadable(f"--record {root}: {exc}") from None
    if accumulator.size != signed.size or accumulator.root() != signed.root:
        return (f"its {accumulator.size} entries do not make the tree of its signed checkpoint (size {signed.size}, "
                f"root {hex_bytes(signed.root)})")
    return Branch(str(root), signed.size, roots)


def _entry_hash(body: bytes) -> bytes | None:
    try:
        item = parse_json(body)
    except ValueError:
        return None
    value = item.get("entry_hash") if isinstance(item, dict) else None
    return bytes.fromhex(value) if isinstance(value, str) and _HASH.fullmatch(value) else None


def judge(evidence: Evidence, keys: Sequence[NoteVerifier], origin: str | None,
          branch_at: Any = None) -> Verdict:
    """What ``evidence`` proves about the board whose keys are ``keys`` (and whose log is ``origin``, when
    known). ``branch_at(origin, sizes)`` reads the export of one branch (:func:`read_branch`), if given."""
    checked: list[SignedCheckpoint] = []
    for which, note in (("first", evidence.first), ("second", evidence.second)):
        try:
            checked.append(verify_checkpoint(note, tuple(keys), origin=origin))
        except BoardError as exc:
            return Verdict(False, (f"The {which} checkpoint is not signed by the board key for this log: {exc}. "
                                   "A checkpoint the board did not sign proves nothing about the board: this is not "
                                   "evidence of a fork.",))
    a, b = checked
    said = [f"Both checkpoints are validly signed by the board ({', '.join(k.name + '+' + k.key_id.hex() for k in keys)})"
            f" for {a.origin}: size {a.size} root {hex_bytes(a.root)}, and size {b.size} root {hex_bytes(b.root)}."]
    if evidence.kind:
        said.append(f"The witness filed it as {evidence.kind!r} (reported, not relied on).")
    if a.origin != b.origin:
        return Verdict(False, (*said, f"They are checkpoints of two different logs ({a.origin}, {b.origin}): not a fork."))
    if a.size == b.size:
        if a.root == b.root:
            return Verdict(False, (*said, "It is the same checkpoint twice: no fork."))
        return Verdict(True, (*said, f"PROOF OF A FORK: the board signed two different trees of the same size {a.size}. "
                              "This proves it by itself: an append-only log has one tree of each size, and anyone can "
                              "check both signatures with the board's public key."))
    small, large = (a, b) if a.size < b.size else (b, a)
    if evidence.proof is not None:
        start = evidence.old_size if evidence.old_size is not None else small.size
        if start != small.size:
            said.append(f"The consistency proof supplied starts at size {start}, not {small.size}: it is not a proof "
                        "between these two checkpoints.")
        else:
            try:
                verify_consistency(small.size, large.size, small.root, large.root, list(evidence.proof))
                return Verdict(False, (*said, f"The board's consistency proof ({len(evidence.proof)} hashes) verifies: the "
                                       f"tree of size {large.size} extends the tree of size {small.size}. No fork."))
            except BoardError as exc:
                said.append(f"The board signed both checkpoints, and the consistency proof it supplied from size "
                            f"{small.size} to {large.size} does not verify ({exc}).")
    else:
        said.append("No consistency proof came with them.")
    said.append("On its own this is not proof of a fork (a proof can be wrong while the log is sound): it becomes "
                "proof together with the entries of either branch (--record DIR), or if the board cannot produce "
                f"a consistency proof from size {small.size} to {large.size} that verifies "
                f"(GET /api/v1/elections/<id>/consistency?old={small.size}&new={large.size}).")
    if branch_at is None:
        return Verdict(False, tuple(said))
    return _with_branch(said, small, large, branch_at(small.origin, (small.size, large.size)))


def _with_branch(said: list[str], small: SignedCheckpoint, large: SignedCheckpoint, branch: Branch | str) -> Verdict:
    if isinstance(branch, str):
        return Verdict(False, (*said, f"The export given cannot settle it: {branch}."))
    intro = f"The export {branch.label} is a log of {branch.size} entries signed by the board;"
    for checkpoint in (small, large):
        root = branch.roots.get(checkpoint.size)
        if root is not None and root != checkpoint.root:
            return Verdict(True, (*said, f"{intro} the root of its first {checkpoint.size} entries is {hex_bytes(root)}, "
                                  f"but the board also signed root {hex_bytes(checkpoint.root)} for size "
                                  f"{checkpoint.size}. PROOF OF A FORK, self-contained: two signed trees that no "
                                  "single append-only log can both contain (the export's signed checkpoint, its "
                                  "entries, and this checkpoint)."))
    if large.size <= branch.size:
        return Verdict(False, (*said, f"{intro} its prefixes of sizes {small.size} and {large.size} have exactly the "
                               "two checkpoints' roots: both are of one log. The supplied proof was wrong, not the log: "
                               "no fork."))
    return Verdict(False, (*said, f"{intro} it agrees with the checkpoint of size {small.size} but is shorter than "
                           f"{large.size}: the entries of the other branch are needed to decide."))
