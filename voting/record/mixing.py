"""The mix's entries: ``mix.input`` and ``mix.shuffled`` (record-format §12.2), the rows digest and the tie
seed (§12.3).

A contest that declares a counting method (``Contest.counting``, record-format §12.1) is counted from each
voter's whole row. After the close the administrator posts the rows of the counted ballots that have the
contest (``mix.input``, recomputed by the board from the ballots); each mix server (a trustee) takes the last
output, shuffles and re-encrypts it and posts the result with its proof of shuffle (``mix.shuffled``,
docs/mixnet.md). The trustees then decrypt the last output's cells with the tally (record-format §12.3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Sequence

from ..elgamal import Ciphertext
from ..encoding import hex_bytes, hex_p, parse_digest, parse_small_int, require_list
from ..group import STANDARD, Group
from ..manifest import Contest, Manifest
from ..membership import parse_elements
from ..mixnet.proof import ShuffleProof, parse_shuffle_proof, proof_to_dict
from .common import RecordError, exact, guardian_index
from .phases import MIX_INPUT as MIX_INPUT
from .phases import MIX_SHUFFLED as MIX_SHUFFLED

MAX_ROWS = 10**7  # ten million voters; bounds the lists read from outside
TIE_SEED_DOMAIN = b"evote/tie-seed/v1\x00"

Row = tuple[Ciphertext, ...]


def counting_contests(manifest: Manifest) -> tuple[Contest, ...]:
    """The contests counted from mixed rows (those with ``counting``), in manifest order."""
    return tuple(c for c in manifest.contests if getattr(c, "counting", None) is not None)


def rows_digest(rows: Sequence[Row], group: Group = STANDARD) -> bytes:
    """D(rows) = SHA-256 over b(α, l_p) ∥ b(β, l_p) of every cell, row by row (record-format §12.2)."""
    digest = hashlib.sha256()
    size = group.p_bytes
    for row in rows:
        for cell in row:
            digest.update(int(cell.alpha.value).to_bytes(size, "big"))
            digest.update(int(cell.beta.value).to_bytes(size, "big"))
    return digest.digest()


def decrypted_rows_digest(rows: Sequence[Sequence[int]]) -> bytes:
    """R = SHA-256 over the decrypted rows sorted (each as b(v, 4) of its cells): the multiset of the votes,
    whatever order any mix put them in (record-format §12.3)."""
    digest = hashlib.sha256()
    for row in sorted(tuple(row) for row in rows):
        for value in row:
            digest.update(int(value).to_bytes(4, "big"))
    return digest.digest()


def tie_seed(H_E: bytes, label: str, input_digest: bytes, rows: Sequence[Sequence[int]]) -> bytes:
    """seed = SHA-256("evote/tie-seed/v1" ∥ 0x00 ∥ H_E ∥ b(len(label), 4) ∥ label ∥ D(mix.input) ∥ R), R the
    :func:`decrypted_rows_digest` of the decrypted rows (record-format §12.3).

    Nobody can grind it: no mix server changes the mix input or the votes (a shuffle only reorders and
    re-encrypts, and R is of the sorted rows), and the voters who fix the mix input cannot compute R before
    the trustees decrypt."""
    encoded = label.encode("utf-8")
    return hashlib.sha256(
        TIE_SEED_DOMAIN + H_E + len(encoded).to_bytes(4, "big") + encoded + input_digest + decrypted_rows_digest(rows)
    ).digest()


def rows_to_json(rows: Sequence[Row]) -> list[list[dict[str, str]]]:
    return [[{"alpha": hex_p(cell.alpha), "beta": hex_p(cell.beta)} for cell in row] for row in rows]


def parse_rows(raw: object, field: str, width: int, group: Group = STANDARD) -> tuple[Row, ...]:
    """Rows of ``width`` ciphertexts; every element's subgroup membership is checked in one batch."""
    rows_raw = require_list(raw, field, max_len=MAX_ROWS)
    values = []
    for i, row in enumerate(rows_raw):
        cells = require_list(row, f"{field}[{i}]", min_len=width, max_len=width)
        for k, cell in enumerate(cells):
            where = f"{field}[{i}][{k}]"
            obj = exact(cell, where, {"alpha", "beta"})
            values.extend((obj[part], f"{where}.{part}") for part in ("alpha", "beta"))
    elements = iter(parse_elements(values, group))
    return tuple(tuple(Ciphertext(next(elements), next(elements)) for _ in range(width)) for _ in rows_raw)


def _ranked_contest(manifest: Manifest, label: object, field: str) -> Contest:
    contest = manifest.contest(label) if isinstance(label, str) else None
    if contest is None or getattr(contest, "counting", None) is None:
        raise RecordError(field, "names no contest of the manifest with a counting method")
    return contest


# --- mix.input -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixInput:
    contest: str
    ballots: tuple[int, ...]  # the counted ballots' seqs, increasing
    rows: tuple[Row, ...]


def mix_input_payload(contest: str, seqs: Sequence[int], rows: Sequence[Row]) -> dict[str, Any]:
    return {"contest": contest, "ballots": list(seqs), "rows": rows_to_json(rows)}


def parse_mix_input(payload: object, manifest: Manifest) -> MixInput:
    obj = exact(payload, "payload", {"contest", "ballots", "rows"})
    contest = _ranked_contest(manifest, obj["contest"], "contest")
    seqs = tuple(
        parse_small_int(s, f"ballots[{i}]", maximum=2**53 - 1)
        for i, s in enumerate(require_list(obj["ballots"], "ballots", max_len=MAX_ROWS))
    )
    if list(seqs) != sorted(set(seqs)):
        raise RecordError("ballots", "distinct seqs in increasing order")
    rows = parse_rows(obj["rows"], "rows", len(contest.options))
    if len(rows) != len(seqs):
        raise RecordError("rows", f"one row per ballot: {len(seqs)} ballots, {len(rows)} rows")
    return MixInput(contest.label, seqs, rows)


# --- mix.shuffled ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixShuffled:
    guardian: int
    contest: str
    position: int  # 1 for the first mix of the contest
    input_digest: bytes
    rows: tuple[Row, ...]
    proof: ShuffleProof


def mix_shuffled_body(
    guardian: int, contest: str, position: int, input_digest: bytes, rows: Sequence[Row], proof: ShuffleProof
) -> dict[str, Any]:
    return {
        "guardian": guardian,
        "contest": contest,
        "position": position,
        "input_digest": hex_bytes(input_digest),
        "rows": rows_to_json(rows),
        "proof": proof_to_dict(proof),
    }


def parse_mix_shuffled(body: object, manifest: Manifest, n: int) -> MixShuffled:
    obj = exact(body, "body", {"guardian", "contest", "position", "input_digest", "rows", "proof"})
    guardian = guardian_index(obj["guardian"], "body.guardian", n)
    contest = _ranked_contest(manifest, obj["contest"], "body.contest")
    position = parse_small_int(obj["position"], "body.position", minimum=1, maximum=n)
    digest = parse_digest(obj["input_digest"], "body.input_digest")
    width = len(contest.options)
    rows = parse_rows(obj["rows"], "body.rows", width)
    proof = parse_shuffle_proof(obj["proof"], STANDARD, rows=len(rows), width=width, field="body.proof")
    return MixShuffled(guardian, contest.label, position, digest, rows, proof)
