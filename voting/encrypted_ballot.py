"""The encrypted ballot: data model and its canonical JSON form (docs/record-format.md §3).

Parsing validates everything that comes from outside before any check runs: the structure against the
manifest (the style's contests in index order, every option once, R + 1 and L + 1 proof parts), canonical
hex, scalars in Z_q, and membership of every α, β and contest-data C0 in Z_p^r, in one batch per ballot
(:mod:`voting.membership`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .elgamal import Ciphertext
from .encoding import (
    hex_bytes,
    hex_p,
    hex_q,
    parse_bytes,
    parse_digest,
    parse_p_unchecked_membership,
    parse_q,
    require_keys,
    require_list,
)
from .errors import EncodingError, InvalidBallot
from .group import STANDARD, ElementModP, Group
from .hashed_elgamal import HashedCiphertext
from .manifest import Manifest
from .membership import check_members
from .proofs.range import RangeProof

MAX_AUX_BYTES = 1024
CONTEST_DATA_BYTES = 32


@dataclass(frozen=True)
class EncryptedSelection:
    option: str
    ciphertext: Ciphertext
    proof: RangeProof


@dataclass(frozen=True)
class EncryptedContest:
    contest: str
    selections: tuple[EncryptedSelection, ...]
    limit_proof: RangeProof
    contest_hash: bytes
    contest_data: HashedCiphertext


@dataclass(frozen=True)
class EncryptedBallot:
    style: str
    contests: tuple[EncryptedContest, ...]
    aux: bytes
    confirmation_code: bytes

    def ciphertexts(self) -> list[Ciphertext]:
        return [s.ciphertext for c in self.contests for s in c.selections]


def proof_to_json(proof: RangeProof) -> dict[str, list[str]]:
    return {"c": [hex_q(c) for c in proof.c], "v": [hex_q(v) for v in proof.v]}


def ballot_to_json(ballot: EncryptedBallot) -> dict[str, Any]:
    return {
        "style": ballot.style,
        "contests": [
            {
                "contest": contest.contest,
                "selections": [
                    {
                        "option": s.option,
                        "alpha": hex_p(s.ciphertext.alpha),
                        "beta": hex_p(s.ciphertext.beta),
                        "proof": proof_to_json(s.proof),
                    }
                    for s in contest.selections
                ],
                "limit_proof": proof_to_json(contest.limit_proof),
                "contest_hash": hex_bytes(contest.contest_hash),
                "contest_data": {
                    "c0": hex_p(contest.contest_data.C0),
                    "c1": hex_bytes(contest.contest_data.C1),
                    "c2": hex_bytes(contest.contest_data.C2),
                },
            }
            for contest in ballot.contests
        ],
        "aux": hex_bytes(ballot.aux),
        "confirmation_code": hex_bytes(ballot.confirmation_code),
    }


def parse_range_proof(obj: object, field: str, parts: int, group: Group = STANDARD) -> RangeProof:
    """A range proof with exactly ``parts`` = R + 1 challenges and responses, each in Z_q (checks 5.B/5.C)."""
    written = require_keys(obj, field, {"c", "v"})
    cs = require_list(written["c"], f"{field}.c", min_len=parts, max_len=parts)
    vs = require_list(written["v"], f"{field}.v", min_len=parts, max_len=parts)
    return RangeProof(
        tuple(parse_q(c, f"{field}.c[{j}]", group) for j, c in enumerate(cs)),
        tuple(parse_q(v, f"{field}.v[{j}]", group) for j, v in enumerate(vs)),
    )


def parse_encrypted_ballot(
    obj: object, manifest: Manifest, group: Group = STANDARD, *, membership_checked_by_board: bool = False
) -> EncryptedBallot:
    """Validate and decode an encrypted ballot; raises :class:`EncodingError` or :class:`InvalidBallot`.

    ``membership_checked_by_board`` skips the subgroup checks of α and β for ballots the board already
    validated when it accepted them (its own tally recomputation); everyone else checks them.
    """
    written = require_keys(obj, "ballot", {"style", "contests", "aux", "confirmation_code"})
    style = manifest.style(written["style"]) if isinstance(written["style"], str) else None
    if style is None:
        raise InvalidBallot("ballot.style", "is not a ballot style of this election")
    expected_contests = manifest.contests_of(style)
    raw_contests = require_list(
        written["contests"], "ballot.contests", min_len=len(expected_contests), max_len=len(expected_contests)
    )
    pending: list[tuple[Any, str]] = []  # (value, field) whose subgroup membership is checked in one batch
    contests = []
    for ci, (raw, contest) in enumerate(zip(raw_contests, expected_contests)):
        where = f"ballot.contests[{ci}]"
        require_keys(raw, where, {"contest", "selections", "limit_proof", "contest_hash", "contest_data"})
        if raw["contest"] != contest.label:
            raise InvalidBallot(
                f"{where}.contest", f"expected contest {contest.label!r} at this position of style {style.label!r}"
            )
        raw_selections = require_list(
            raw["selections"], f"{where}.selections", min_len=len(contest.options), max_len=len(contest.options)
        )
        selections = []
        for si, (raw_sel, option) in enumerate(zip(raw_selections, contest.options)):
            sw = f"{where}.selections[{si}]"
            require_keys(raw_sel, sw, {"option", "alpha", "beta", "proof"})
            if raw_sel["option"] != option.label:
                raise InvalidBallot(f"{sw}.option", f"expected option {option.label!r} at this position")
            alpha = parse_p_unchecked_membership(raw_sel["alpha"], f"{sw}.alpha", group)
            beta = parse_p_unchecked_membership(raw_sel["beta"], f"{sw}.beta", group)
            pending += [(alpha, f"{sw}.alpha"), (beta, f"{sw}.beta")]
            proof = parse_range_proof(raw_sel["proof"], f"{sw}.proof", contest.option_limit + 1, group)
            selections.append(
                EncryptedSelection(
                    option.label, Ciphertext(ElementModP.computed(alpha, group), ElementModP.computed(beta, group)), proof
                )
            )
        limit_proof = parse_range_proof(raw["limit_proof"], f"{where}.limit_proof", contest.votes_allowed + 1, group)
        data = require_keys(raw["contest_data"], f"{where}.contest_data", {"c0", "c1", "c2"})
        c1 = parse_bytes(data["c1"], f"{where}.contest_data.c1")
        if len(c1) != CONTEST_DATA_BYTES:
            raise EncodingError(f"{where}.contest_data.c1", f"expected {CONTEST_DATA_BYTES} bytes")
        c0 = parse_p_unchecked_membership(data["c0"], f"{where}.contest_data.c0", group)
        pending.append((c0, f"{where}.contest_data.c0"))
        contest_data = HashedCiphertext(ElementModP.computed(c0, group), c1, parse_digest(data["c2"], f"{where}.contest_data.c2"))
        contests.append(
            EncryptedContest(
                contest.label,
                tuple(selections),
                limit_proof,
                parse_digest(raw["contest_hash"], f"{where}.contest_hash"),
                contest_data,
            )
        )
    if not membership_checked_by_board:
        check_members([v for v, _ in pending], group, [f for _, f in pending])  # checks 5.A / 6.A and C0 ∈ Z_p^r
    aux = parse_bytes(written["aux"], "ballot.aux", max_bytes=MAX_AUX_BYTES)
    return EncryptedBallot(
        style.label, tuple(contests), aux, parse_digest(written["confirmation_code"], "ballot.confirmation_code")
    )
