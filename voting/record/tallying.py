"""Tally and decryption entries: `tally.encrypted`, `decryption.*` and `tally.result`
(record-format §8.2-8.4; SPEC §3.5-3.6)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..credential_list import MAX_WEIGHT
from ..decryption import DecryptionProof, GuardianCommitment
from ..elgamal import Ciphertext
from ..encoding import hex_bytes, hex_p, hex_q, parse_digest, parse_p, parse_q, parse_small_int, require_list
from ..encrypted_ballot import EncryptedBallot
from ..group import STANDARD, ElementModP, ElementModQ
from ..joint_decryption import DecryptionChallenge, DecryptionShare, Item
from ..manifest import Manifest
from ..membership import parse_elements
from ..tally import EncryptedTally
from .common import RecordError, exact, guardian_index, round_number

TALLY_ENCRYPTED = "tally.encrypted"
DECRYPTION_SHARE = "decryption.share"
DECRYPTION_CHALLENGE = "decryption.challenge"
DECRYPTION_RESPONSE = "decryption.response"
DECRYPTION_FAILED = "decryption.failed"
TALLY_RESULT = "tally.result"
MAX_BALLOTS = 10**9


def counted_digest(confirmation_codes: Iterable[bytes]) -> bytes:
    """SHA-256 over the counted ballots' confirmation codes in increasing seq (record-format §8.3)."""
    digest = hashlib.sha256()
    for code in confirmation_codes:
        digest.update(code)
    return digest.digest()


@dataclass(frozen=True)
class ChallengedRef:
    seq: int
    confirmation_code: bytes


@dataclass(frozen=True)
class TallyRecord:
    """The `tally.encrypted` entry."""

    tally: EncryptedTally
    digest: bytes
    challenged: tuple[ChallengedRef, ...]


def tally_payload(record: TallyRecord, manifest: Manifest) -> dict[str, Any]:
    weight = {} if record.tally.total_weight is None else {"total_weight": record.tally.total_weight}
    return {
        "ballot_count": record.tally.ballot_count,
        **weight,
        "counted_digest": hex_bytes(record.digest),
        "contests": [
            {
                "contest": contest.label,
                "options": [
                    {
                        "option": option.label,
                        "alpha": hex_p(record.tally.contests[contest.label][option.label].alpha),
                        "beta": hex_p(record.tally.contests[contest.label][option.label].beta),
                    }
                    for option in contest.options
                ],
            }
            for contest in manifest.contests
        ],
        "challenged": [{"seq": c.seq, "confirmation_code": hex_bytes(c.confirmation_code)} for c in record.challenged],
    }


def parse_tally(payload: object, manifest: Manifest, *, weighted: bool = False) -> TallyRecord:
    """A `tally.encrypted` payload; ``weighted`` (version-2 credential lists) requires its total_weight."""
    required = {"ballot_count", "counted_digest", "contests", "challenged"} | ({"total_weight"} if weighted else set())
    obj = exact(payload, "payload", required)
    count = parse_small_int(obj["ballot_count"], "ballot_count", maximum=MAX_BALLOTS)
    total_weight = None
    if weighted:
        total_weight = parse_small_int(obj["total_weight"], "total_weight", minimum=count, maximum=count * MAX_WEIGHT)
    contests_raw = require_list(obj["contests"], "contests", min_len=len(manifest.contests), max_len=len(manifest.contests))
    contests: dict[str, dict[str, Ciphertext]] = {}
    for ci, (raw, contest) in enumerate(zip(contests_raw, manifest.contests)):
        c = exact(raw, f"contests[{ci}]", {"contest", "options"})
        if c["contest"] != contest.label:
            raise RecordError(f"contests[{ci}].contest", f"expected {contest.label!r} (manifest order)")
        options_raw = require_list(
            c["options"], f"contests[{ci}].options", min_len=len(contest.options), max_len=len(contest.options)
        )
        contests[contest.label] = {}
        for oi, (o_raw, option) in enumerate(zip(options_raw, contest.options)):
            where = f"contests[{ci}].options[{oi}]"
            o = exact(o_raw, where, {"option", "alpha", "beta"})
            if o["option"] != option.label:
                raise RecordError(f"{where}.option", f"expected {option.label!r} (manifest order)")
            contests[contest.label][option.label] = Ciphertext(
                parse_p(o["alpha"], f"{where}.alpha"), parse_p(o["beta"], f"{where}.beta")
            )
    challenged = []
    for position, raw in enumerate(require_list(obj["challenged"], "challenged", max_len=MAX_BALLOTS)):
        c = exact(raw, f"challenged[{position}]", {"seq", "confirmation_code"})
        challenged.append(
            ChallengedRef(
                parse_small_int(c["seq"], f"challenged[{position}].seq", maximum=2**53 - 1),
                parse_digest(c["confirmation_code"], f"challenged[{position}].confirmation_code"),
            )
        )
    return TallyRecord(EncryptedTally(contests, count, total_weight), parse_digest(obj["counted_digest"], "counted_digest"), tuple(challenged))


def decryption_items(manifest: Manifest, tally: EncryptedTally, challenged: Sequence[EncryptedBallot]) -> list[Item]:
    """The items of a decryption round in record-format §8.4 order."""
    items: list[Item] = [tally.contests[c.label][o.label] for c in manifest.contests for o in c.options]
    for ballot in challenged:
        items.extend(ballot.ciphertexts())
        items.extend(contest.contest_data for contest in ballot.contests)
    return items


# --- decryption rounds -------------------------------------------------------------------------------


def share_body(share: DecryptionShare, round_: int) -> dict[str, Any]:
    return {
        "guardian": share.i,
        "round": round_,
        "items": [{"M": hex_p(M), "a": hex_p(c.a), "b": hex_p(c.b)} for M, c in zip(share.partials, share.commitments)],
    }


def parse_share(body: object, n: int, item_count: int) -> tuple[int, DecryptionShare]:
    obj = exact(body, "body", {"guardian", "round", "items"})
    i = guardian_index(obj["guardian"], "body.guardian", n)
    round_ = round_number(obj["round"], "body.round")
    raw = require_list(obj["items"], "body.items", min_len=item_count, max_len=item_count)
    values = []
    for position, item in enumerate(raw):
        where = f"body.items[{position}]"
        e = exact(item, where, {"M", "a", "b"})
        values.extend((e[name], f"{where}.{name}") for name in ("M", "a", "b"))
    elements = parse_elements(values, STANDARD)
    partials = tuple(elements[0::3])
    commitments = tuple(GuardianCommitment(a, b) for a, b in zip(elements[1::3], elements[2::3]))
    return round_, DecryptionShare(i, partials, commitments)


def challenge_payload(challenge: DecryptionChallenge, round_: int) -> dict[str, Any]:
    return {
        "round": round_,
        "guardians": list(challenge.available),
        "items": [{"M": hex_p(M), "c": hex_bytes(c)} for M, c in zip(challenge.M, challenge.c)],
    }


def parse_challenge(payload: object, n: int, item_count: int) -> tuple[int, DecryptionChallenge]:
    obj = exact(payload, "payload", {"round", "guardians", "items"})
    round_ = round_number(obj["round"], "round")
    guardians = [
        guardian_index(i, f"guardians[{p}]", n)
        for p, i in enumerate(require_list(obj["guardians"], "guardians", min_len=1, max_len=n))
    ]
    if guardians != sorted(set(guardians)):
        raise RecordError("guardians", "distinct indices in increasing order")
    raw = require_list(obj["items"], "items", min_len=item_count, max_len=item_count)
    Ms, cs = [], []
    for position, item in enumerate(raw):
        e = exact(item, f"items[{position}]", {"M", "c"})
        Ms.append((e["M"], f"items[{position}].M"))
        cs.append(parse_digest(e["c"], f"items[{position}].c"))
    return round_, DecryptionChallenge(tuple(guardians), tuple(parse_elements(Ms, STANDARD)), tuple(cs))


def response_body(guardian: int, round_: int, responses: Sequence[ElementModQ]) -> dict[str, Any]:
    return {"guardian": guardian, "round": round_, "responses": [hex_q(v) for v in responses]}


def parse_response(body: object, n: int, item_count: int) -> tuple[int, int, tuple[ElementModQ, ...]]:
    obj = exact(body, "body", {"guardian", "round", "responses"})
    i = guardian_index(obj["guardian"], "body.guardian", n)
    round_ = round_number(obj["round"], "body.round")
    raw = require_list(obj["responses"], "body.responses", min_len=item_count, max_len=item_count)
    return i, round_, tuple(parse_q(v, f"body.responses[{p}]") for p, v in enumerate(raw))


def failed_payload(round_: int, faulty: Sequence[tuple[int, str]]) -> dict[str, Any]:
    return {"round": round_, "faulty": [{"guardian": i, "reason": reason} for i, reason in faulty]}


def parse_failed(payload: object, n: int) -> tuple[int, tuple[tuple[int, str], ...]]:
    obj = exact(payload, "payload", {"round", "faulty"})
    round_ = round_number(obj["round"], "round")
    faulty = []
    for position, raw in enumerate(require_list(obj["faulty"], "faulty", min_len=1, max_len=n)):
        e = exact(raw, f"faulty[{position}]", {"guardian", "reason"})
        if not isinstance(e["reason"], str) or not 0 < len(e["reason"]) <= 300:
            raise RecordError(f"faulty[{position}].reason", "a reason of 1 to 300 characters")
        faulty.append((guardian_index(e["guardian"], f"faulty[{position}].guardian", n), e["reason"]))
    return round_, tuple(faulty)


# --- tally.result ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecryptedValue:
    """t (or σ) with T = K^t (or S) and the joint proof (c, v) of Verification 9 (or 12)."""

    value: int
    T: ElementModP
    proof: DecryptionProof


@dataclass(frozen=True)
class DecryptedContestData:
    beta: ElementModP
    proof: DecryptionProof
    status: int | None  # None when the MAC did not verify (reported, never hidden)


@dataclass(frozen=True)
class DecryptedBallot:
    seq: int
    selections: dict[str, dict[str, DecryptedValue]]
    contest_data: dict[str, DecryptedContestData]


@dataclass(frozen=True)
class TallyResult:
    round: int
    contests: dict[str, dict[str, DecryptedValue]]
    challenged: tuple[DecryptedBallot, ...]
    mixed: dict[str, tuple[tuple[DecryptedValue, ...], ...]] = field(default_factory=dict)  # record-format §12.3


def _proof_json(proof: DecryptionProof) -> dict[str, str]:
    return {"c": hex_bytes(proof.c), "v": hex_q(proof.v)}


def _parse_proof(obj: object, field: str) -> DecryptionProof:
    e = exact(obj, field, {"c", "v"})
    return DecryptionProof(parse_digest(e["c"], f"{field}.c"), parse_q(e["v"], f"{field}.v"))


def result_payload(result: TallyResult, manifest: Manifest, challenged: Sequence[EncryptedBallot]) -> dict[str, Any]:
    def values(contest_label: str, options: dict[str, DecryptedValue], value_key: str, element_key: str) -> list[dict[str, Any]]:
        contest = manifest.contest(contest_label)
        return [
            {
                "option": o.label,
                value_key: options[o.label].value,
                element_key: hex_p(options[o.label].T),
                "proof": _proof_json(options[o.label].proof),
            }
            for o in contest.options
        ]

    return {
        "round": result.round,
        "contests": [
            {"contest": c.label, "options": values(c.label, result.contests[c.label], "t", "T")} for c in manifest.contests
        ],
        "challenged": [
            {
                "seq": decrypted.seq,
                "contests": [
                    {
                        "contest": contest.contest,
                        "selections": values(contest.contest, decrypted.selections[contest.contest], "sigma", "S"),
                        "contest_data": {
                            "beta": hex_p(decrypted.contest_data[contest.contest].beta),
                            "proof": _proof_json(decrypted.contest_data[contest.contest].proof),
                            "status": decrypted.contest_data[contest.contest].status,
                        },
                    }
                    for contest in ballot.contests
                ],
            }
            for decrypted, ballot in zip(result.challenged, challenged, strict=True)
        ],
        **_mixed_json(result, manifest),
    }


def _counting_labels(manifest: Manifest) -> list[str]:
    return [c.label for c in manifest.contests if getattr(c, "counting", None) is not None]


def _mixed_json(result: TallyResult, manifest: Manifest) -> dict[str, Any]:
    """``"mixed"``: the decrypted cells of each counting contest's last mix output (record-format §12.3)."""
    labels = _counting_labels(manifest)
    if not labels:
        return {}
    return {
        "mixed": [
            {
                "contest": label,
                "rows": [
                    [{"value": cell.value, "T": hex_p(cell.T), "proof": _proof_json(cell.proof)} for cell in row]
                    for row in result.mixed[label]
                ],
            }
            for label in labels
        ]
    }


def parse_mixed(raw: object, manifest: Manifest, rows: dict[str, int]) -> dict[str, tuple[tuple[DecryptedValue, ...], ...]]:
    """``tally.result``'s ``mixed``: ``rows[label]`` rows of the contest's width, values 0..R."""
    labels = _counting_labels(manifest)
    entries = require_list(raw, "mixed", min_len=len(labels), max_len=len(labels))
    mixed = {}
    for ci, (entry, label) in enumerate(zip(entries, labels)):
        contest = manifest.contest(label)
        assert contest is not None
        e = exact(entry, f"mixed[{ci}]", {"contest", "rows"})
        if e["contest"] != label:
            raise RecordError(f"mixed[{ci}].contest", f"expected {label!r} (manifest order)")
        count = rows.get(label, 0)
        rows_raw = require_list(e["rows"], f"mixed[{ci}].rows", min_len=count, max_len=count)
        cells = []
        for ri, row in enumerate(rows_raw):
            for k, cell in enumerate(require_list(row, f"mixed[{ci}].rows[{ri}]", min_len=len(contest.options), max_len=len(contest.options))):
                where = f"mixed[{ci}].rows[{ri}][{k}]"
                c = exact(cell, where, {"value", "T", "proof"})
                cells.append((parse_small_int(c["value"], f"{where}.value", maximum=contest.option_limit),
                              _parse_proof(c["proof"], f"{where}.proof"), (c["T"], f"{where}.T")))  # fmt: skip
        Ts = iter(parse_elements([T for _, _, T in cells], STANDARD))
        values = iter(DecryptedValue(value, next(Ts), proof) for value, proof, _ in cells)
        parsed = [tuple(next(values) for _ in contest.options) for _ in rows_raw]
        mixed[label] = tuple(parsed)
    return mixed


def _parse_values(
    raw_list: object, field: str, labels: Sequence[str], value_key: str, element_key: str, limit: int
) -> dict[str, DecryptedValue]:
    raw = require_list(raw_list, field, min_len=len(labels), max_len=len(labels))
    result = {}
    for position, (entry, label) in enumerate(zip(raw, labels)):
        where = f"{field}[{position}]"
        e = exact(entry, where, {"option", value_key, element_key, "proof"})
        if e["option"] != label:
            raise RecordError(f"{where}.option", f"expected {label!r} (manifest order)")
        result[label] = DecryptedValue(
            parse_small_int(e[value_key], f"{where}.{value_key}", maximum=limit),
            parse_p(e[element_key], f"{where}.{element_key}"),
            _parse_proof(e["proof"], f"{where}.proof"),
        )
    return result


def parse_result(
    payload: object, manifest: Manifest, challenged: Sequence[tuple[int, EncryptedBallot]], mixed_rows: dict[str, int] | None = None
) -> TallyResult:
    """A ``tally.result``; ``mixed_rows`` gives each counting contest's number of mixed rows (record-format §12.3)."""
    counting = bool(_counting_labels(manifest))
    obj = exact(payload, "payload", {"round", "contests", "challenged"} | ({"mixed"} if counting else set()))
    round_ = round_number(obj["round"], "round")
    contests_raw = require_list(obj["contests"], "contests", min_len=len(manifest.contests), max_len=len(manifest.contests))
    contests = {}
    for ci, (raw, contest) in enumerate(zip(contests_raw, manifest.contests)):
        c = exact(raw, f"contests[{ci}]", {"contest", "options"})
        if c["contest"] != contest.label:
            raise RecordError(f"contests[{ci}].contest", f"expected {contest.label!r} (manifest order)")
        contests[contest.label] = _parse_values(
            c["options"], f"contests[{ci}].options", [o.label for o in contest.options], "t", "T", MAX_BALLOTS * MAX_WEIGHT * 1000
        )
    raw_challenged = require_list(obj["challenged"], "challenged", min_len=len(challenged), max_len=len(challenged))
    decrypted = []
    for bi, (raw, (seq, ballot)) in enumerate(zip(raw_challenged, challenged)):
        where = f"challenged[{bi}]"
        b = exact(raw, where, {"seq", "contests"})
        if b["seq"] != seq:
            raise RecordError(f"{where}.seq", f"expected {seq} (the order of tally.encrypted)")
        raw_contests = require_list(
            b["contests"], f"{where}.contests", min_len=len(ballot.contests), max_len=len(ballot.contests)
        )
        selections, data = {}, {}
        for ci, (raw_contest, contest) in enumerate(zip(raw_contests, ballot.contests)):
            cw = f"{where}.contests[{ci}]"
            c = exact(raw_contest, cw, {"contest", "selections", "contest_data"})
            if c["contest"] != contest.contest:
                raise RecordError(f"{cw}.contest", f"expected {contest.contest!r}")
            selections[contest.contest] = _parse_values(
                c["selections"], f"{cw}.selections", [s.option for s in contest.selections], "sigma", "S", 1000
            )
            d = exact(c["contest_data"], f"{cw}.contest_data", {"beta", "proof", "status"})
            status = d["status"]
            if status is not None:
                status = parse_small_int(status, f"{cw}.contest_data.status", maximum=255)
            data[contest.contest] = DecryptedContestData(
                parse_p(d["beta"], f"{cw}.contest_data.beta"), _parse_proof(d["proof"], f"{cw}.contest_data.proof"), status
            )
        decrypted.append(DecryptedBallot(seq, selections, data))
    mixed = parse_mixed(obj["mixed"], manifest, mixed_rows or {}) if counting else {}
    return TallyResult(round_, contests, tuple(decrypted), mixed)
