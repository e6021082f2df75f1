"""Section M: the mix, from the counted ballots to the count (docs/record-format.md §12, docs/mixnet.md).

Contests with a counting method are counted from each voter's whole row: the rows of the counted ballots go into a
cascade of mixes (``mix.input``, ``mix.shuffled``), the trustees decrypt every cell of the last output, and anyone
counts the decrypted rows. Each check reads the record itself (:mod:`.mix_parts`), whatever section L decided, so
a forged mix fails here naming its server even when the replay already refused it.
"""

from __future__ import annotations

from typing import Any, Iterator

from ...encoding import parse_digest, parse_small_int
from ...errors import EncodingError, InvalidProof
from ...record import mixing as mx
from ..findings import Finding, Status, failed, not_applicable, passed
from ..model import CannotRun, DecryptedSelection, Decryption, DoesNotApplyYet, ElectionRecord, Unreadable, require
from ..readers.evote_parts import element, get, items, response
from .common import election_context, in_Zq
from .mix_count import count_contest, winners_of
from .mix_parts import ContestMix, counted_rows, manifest_of, mix_entries, parts_of, shuffle_checker
from .tally import decryption_proof_finding, value_finding

NO_COUNTING = "the manifest has no contest with a counting method (record-format §12.1)"


def _tallied(record: ElectionRecord) -> bool:
    return parts_of(record).first("tally.encrypted") is not None


def _mixes(record: ElectionRecord) -> dict[str, ContestMix]:
    """Each contest with counting; without any, none of section M's steps applies (run_check says why)."""
    contests = mix_entries(record)
    if not contests:
        raise DoesNotApplyYet(NO_COUNTING)
    return contests


def _not_yet(record: ElectionRecord, step: str, subject: str, problem: str, where: str) -> Finding:
    """A missing mix part: not yet before tally.encrypted (the mix comes after the close), a failure after it."""
    if _tallied(record):
        return failed(step, subject, problem, where)
    return not_applicable(step, subject, f"{problem}; the election has no encrypted tally yet (the mix comes after the close)")


def m1_mix_input(record: ElectionRecord) -> Iterator[Finding]:
    """Section M (The mix), its input.

    (M.1) Each contest with counting has one mix.input, and it is exactly the counted ballots' rows of that contest
    (record-format §12.2): its ballots are the ballots counted under the revoting rule (E.2, the verifier's own
    counting) that have the contest, in increasing seq, and row j holds ballot j's ciphertexts (α, β) of the
    contest in manifest option order.
    """
    for label, mix in _mixes(record).items():
        subject = f"contest {label!r} › mix.input"
        where = f"entries.jsonl: seq {mix.input_seq} (mix.input)" if mix.input_seq is not None else "entries.jsonl"
        if mix.input is None:
            yield _not_yet(record, "M.1", subject, mix.input_problem, where)
            continue
        seqs, rows = counted_rows(parts_of(record), manifest_of(record))[label]
        if mix.input.ballots != seqs:
            missing, extra = sorted(set(seqs) - set(mix.input.ballots)), sorted(set(mix.input.ballots) - set(seqs))
            yield failed("M.1", subject, "the ballots are not the counted ballots that have the contest, in seq order", where,
                         expected=f"{len(seqs)} ballots; missing here: {missing or 'none'}", found=f"{len(mix.input.ballots)} ballots; not counted: {extra or 'none'}")  # fmt: skip
            continue
        changed = [j for j, (posted, counted) in enumerate(zip(mix.input.rows, rows)) if posted != counted]
        if changed:
            j = changed[0]
            yield failed("M.1", subject, f"row {j} is not the ciphertexts of the ballot at seq {seqs[j]}", f"{where}: rows[{j}]",
                         expected=f"ballot seq {seqs[j]}'s contest {label!r}", found=f"{len(changed)} row(s) differ, first row {j}")  # fmt: skip
            continue
        yield passed("M.1", subject, f"{len(seqs)} rows: the counted ballots that have the contest", where)


def m2_shuffle_proofs(record: ElectionRecord) -> Iterator[Finding]:
    """Section M (The mix), the cascade.

    (M.2) Every mix.shuffled of a contest comes at its place (position m for the m-th mix of the contest), names
    the digest of the previous output (the mix input's rows for m = 1; D(rows) of record-format §12.2) and has as
    many rows, and its proof of shuffle verifies with the commitment generators derived from H_E and K
    (docs/mixnet.md, Alg. 4.6 CheckProof, per column); a failure names the mix server (trustee index and name),
    the contest and the position.
    """
    context = None
    for label, mix in _mixes(record).items():
        if not mix.mixes:
            yield not_applicable("M.2", f"contest {label!r}", "no mix of this contest was posted (M.3 counts the mixes)")
            continue
        previous = mix.input.rows if mix.input is not None else None
        for position, posted in enumerate(mix.mixes, start=1):
            subject = f"contest {label!r} › mix {position} by {posted.server}"
            if previous is None:
                yield failed(
                    "M.2",
                    subject,
                    "not verified: the rows it mixed cannot be read (the mix input, or the mix before)",
                    posted.where,
                )
                continue
            if posted.body is None:
                yield failed("M.2", subject, posted.problem, posted.where)
                previous = None
                continue
            context = context or election_context(record)
            yield _one_mix(record, subject, posted.where, position, previous, posted.body, context)
            previous = posted.body.rows


def _one_mix(record: ElectionRecord, subject: str, where: str, position: int, previous, body: mx.MixShuffled, context) -> Finding:
    if body.position != position:
        return failed(
            "M.2",
            subject,
            "posted at another place of the cascade",
            where,
            expected=f"position {position}",
            found=f"position {body.position}",
        )
    digest = mx.rows_digest(previous)
    if body.input_digest != digest:
        return failed("M.2", subject, "input_digest is not the digest of the previous output", f"{where}: body.input_digest",
                      expected=digest.hex().upper(), found=body.input_digest.hex().upper())  # fmt: skip
    if len(body.rows) != len(previous):
        return failed("M.2", subject, "the output has another number of rows than its input", f"{where}: body.rows",
                      expected=f"{len(previous)} rows", found=f"{len(body.rows)} rows")  # fmt: skip
    try:
        shuffle_checker(parts_of(record)).check(previous, body.rows, body.proof, context)
    except InvalidProof as exc:
        return failed("M.2", subject, f"the proof of shuffle fails ({exc.check}): {exc}", f"{where}: body.proof",
                      expected=exc.expected, found=exc.found)  # fmt: skip
    width = len(body.rows[0]) if body.rows else 0
    return passed("M.2", subject, f"proof of shuffle verified: {len(body.rows)} rows of {width} ciphertexts", where)


def m3_enough_mix_servers(record: ElectionRecord) -> Iterator[Finding]:
    """Section M (The mix), the mix servers.

    (M.3) Each contest with counting whose mix input has N >= 1 rows was mixed by at least k distinct trustees,
    none twice (record-format §12.2: if fewer than k trustees are dishonest, one mix is honest); N = 0 needs no mix.
    """
    k = require(record.parameters, "election parameters").k
    for label, mix in _mixes(record).items():
        subject = f"contest {label!r} › mix servers"
        if mix.input is None:
            yield _not_yet(record, "M.3", subject, f"not verified: {mix.input_problem}", "entries.jsonl")
            continue
        if not mix.input.rows:
            yield passed("M.3", subject, "the mix input has no rows: no mix is needed", "entries.jsonl")
            continue
        servers = [m.body.guardian for m in mix.mixes if m.body is not None]
        twice = sorted({s for s in servers if servers.count(s) > 1})
        if twice:
            yield failed("M.3", subject, f"trustee(s) {twice} mixed the contest more than once", "entries.jsonl")
        elif len(servers) < k:
            yield _not_yet(
                record,
                "M.3",
                subject,
                f"mixed by {len(servers)} trustee(s) {servers}; at least k = {k} are needed",
                "entries.jsonl",
            )
        else:
            names = ", ".join(m.server for m in mix.mixes)
            yield passed("M.3", subject, f"{len(servers)} distinct mix servers (k = {k}): {names}", "entries.jsonl")


def decrypted_rows(record: ElectionRecord) -> dict[str, list[list[DecryptedSelection]]]:
    """tally.result's ``mixed`` (record-format §12.3): contest label -> rows of cells as written."""
    require(record.decrypted_tally, "decrypted tally")
    parts = parts_of(record)
    if "mixed rows" in parts.memo:
        return parts.memo["mixed rows"]
    entry = parts.first("tally.result")
    assert entry is not None  # the decrypted tally is read from it
    origin = f"entries.jsonl: seq {entry.seq} (tally.result)"
    labels = list(mix_entries(record))
    try:
        found = items(entry.payload, "mixed", "")
        if [get(c, "contest", f"mixed[{i}]") for i, c in enumerate(found)] != labels:
            raise EncodingError("mixed", f"expected one object per contest with counting, in manifest order: {labels}")
        options = {label: [o.label for o in manifest_of(record).contest(label).options] for label in labels}  # type: ignore[union-attr]
        mixed = {label: [[_cell(cell, f"mixed[{ci}].rows[{ri}][{k}]", options[label], k) for k, cell in enumerate(items({"r": row}, "r", f"mixed[{ci}].rows[{ri}]"))]
                         for ri, row in enumerate(items(c, "rows", f"mixed[{ci}]"))]
                 for ci, (label, c) in enumerate(zip(labels, found))}  # fmt: skip
    except EncodingError as exc:
        raise CannotRun(f"tally.result's decrypted rows cannot be read: {exc}", origin) from None
    parts.memo["mixed rows"] = mixed
    return mixed


def _cell(raw: Any, at: str, options: list[str], k: int) -> DecryptedSelection:
    if k >= len(options):
        raise EncodingError(at, f"a row has {len(options)} cells, one per option")
    proof = get(raw, "proof", at)
    return DecryptedSelection(
        option=options[k],
        value=parse_small_int(get(raw, "value", at), f"{at}.value"),
        element=element(get(raw, "T", at), f"{at}.T"),
        c=parse_digest(get(proof, "c", f"{at}.proof"), f"{at}.proof.c"),
        v=response(get(proof, "v", f"{at}.proof"), f"{at}.proof.v"),
        ciphertext=None,
        where=at,
    )


def m4_decrypted_rows(record: ElectionRecord) -> Iterator[Finding]:
    """Section M (The mix), the decryption of the rows.

    (M.4) tally.result's "mixed" decrypts every cell of each contest's last mix output (record-format §12.3), row
    by row, with the checks of Verifications 9 and 10 on each cell: v in Z_q, the proof of SPEC eq. 71 with (α, β)
    the cell of the last output and M = β·T⁻¹, T = K^value, and 0 <= value <= R (the contest's option limit).
    """
    contests = _mixes(record)
    mixed, context = decrypted_rows(record), election_context(record)
    origin = f"entries.jsonl: seq {parts_of(record).first('tally.result').seq} (tally.result)"  # type: ignore[union-attr]
    for label, mix in contests.items():
        subject = f"contest {label!r} › decrypted rows"
        output, rows, limit = mix.output(), mixed[label], mix.contest.option_limit
        if len(rows) != len(output):
            yield failed("M.4", subject, "not one decrypted row per row of the last mix output", origin,
                         expected=f"{len(output)} rows", found=f"{len(rows)} rows")  # fmt: skip
            continue
        problems = 0
        for r, (cells, row) in enumerate(zip(rows, output)):
            for k, (cell, ciphertext) in enumerate(zip(cells, row)):
                cell_subject, where = f"{subject} › row {r} › {cell.option}", f"{origin}: {cell.where}"
                for finding in (
                    in_Zq("M.4", cell.v, cell_subject, where, context.group),
                    decryption_proof_finding("M.4", cell_subject, where, context, int(ciphertext.alpha.value), int(ciphertext.beta.value), cell, step=9),
                    value_finding("M.4", cell_subject, where, context, cell),
                    _in_range(cell, limit, cell_subject, where),
                ):  # fmt: skip
                    if finding.status is Status.FAILED:
                        problems += 1
                        yield (
                            finding
                            if finding.check == "M.4"
                            else failed(
                                "M.4", cell_subject, finding.message, where, expected=finding.expected, found=finding.found
                            )
                        )
            if len(cells) != len(row):
                problems += 1
                yield failed("M.4", f"{subject} › row {r}", "not one decrypted cell per ciphertext of the row", origin)
        if not problems:
            yield passed(
                "M.4",
                subject,
                f"{len(rows)} rows of {len(mix.contest.options)} cells: proofs (eq. 71), T = K^value, 0..{limit}",
                origin,
            )


def _in_range(cell: DecryptedSelection, limit: int, subject: str, where: str) -> Finding:
    if 0 <= cell.value <= limit:
        return passed("M.4", subject, origin=where)
    return failed(
        "M.4", subject, "the value is not a rank or grade of the contest", where, expected=f"0..{limit}", found=str(cell.value)
    )


def m5_count(record: ElectionRecord) -> Iterator[Finding]:
    """Section M (The mix), the count.

    (M.5) Each contest with counting is counted again from its decrypted rows with voting/counting by the
    manifest's method (docs/counting.md), the lots drawn with the tie seed of record-format §12.3 from H_E, the
    contest's label and the digest of the last mix output; the column sums of the decrypted rows equal the
    contest's homomorphic totals in tally.result (its t, Verifications 9-10). The record states no count of its
    own (every surface recomputes it, §12.3): the winners, voided rows, lots and every round are reported.
    """
    contests = _mixes(record)
    mixed, context = decrypted_rows(record), election_context(record)
    tally: Decryption = require(record.decrypted_tally, "decrypted tally")
    totals = {(c.contest, s.option): s.value for c in tally.contests for s in c.selections if not isinstance(s, Unreadable)}
    counts = parts_of(record).memo.setdefault("counts", {})
    for label, mix in contests.items():
        subject = f"contest {label!r} › count ({mix.contest.counting.method})"  # type: ignore[union-attr]
        rows = [[cell.value for cell in row] for row in mixed[label]]
        wrong = [(o.label, totals.get((label, o.label)), sum(row[k] for row in rows)) for k, o in enumerate(mix.contest.options)
                 if totals.get((label, o.label)) != sum(row[k] for row in rows)]  # fmt: skip
        if wrong:
            option, total, summed = wrong[0]
            yield failed("M.5", subject, f"the decrypted rows do not add up to the contest's totals (option {option!r})", "tally.result",
                         expected=f"t = {total} (the homomorphic total)", found=f"{summed} (the sum of the decrypted cells)")  # fmt: skip
            continue
        count = count_contest(mix.contest, rows, context.H_E, mx.rows_digest(mix.input.rows if mix.input is not None else ()))
        counts[label] = count
        voided = len(count["voided"])
        elected = ", ".join(winners_of(count)) or "no winner: no valid ballot"
        yield passed("M.5", subject, f"elected {elected}; {len(rows)} rows, {voided} voided; "
                     f"tie seed {count['seed'][:16]}…", "tally.result")  # fmt: skip
