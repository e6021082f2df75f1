"""Verification 8: the encrypted tally is the product of the cast ballots (SPEC v2.0.0 §6.2.5, eq. 62).

In a version-2 evote election each counted ballot's encryptions are first raised to its credential's weight
(docs/record-format.md §8.3, an evote extension of Verification 8; with every weight 1 it is eq. 62 unchanged).

The products are formed while the ballots stream past: each worker multiplies the cast ballots of its
chunk (:func:`cast_products`), the chunks' products are multiplied together (:func:`merge_products`), and
:func:`v8_aggregation` compares the result with the record's encrypted tally.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..findings import Finding, failed, passed
from ..model import BallotRecord, BallotState, ElectionRecord, StreamSummary, TallyEntry, require
from .chaining import complete
from .credential_lists import list_in_force

Products = dict[tuple[str, str], tuple[Any, Any]]
"""(A, B) per (contest, option), as elements of the record's group."""


def cast_products(ballots: Iterable[BallotRecord]) -> Products:
    """(∏ α_j^{w_j}, ∏ β_j^{w_j}) mod p per (contest, option) over the cast ballots among ``ballots`` (eq. 62;
    w_j the ballot's weight, 1 except in a version-2 evote election, record-format §8.3)."""
    products: Products = {}
    for record in ballots:
        if record.state is not BallotState.CAST or record.ballot is None:
            continue
        w = record.weight
        for contest in record.ballot.contests:
            for selection in contest.selections:
                key = (contest.contest, selection.option)
                alpha, beta = selection.ciphertext.alpha, selection.ciphertext.beta
                if w != 1:
                    alpha, beta = alpha**w, beta**w
                pair = products.get(key)
                products[key] = (alpha, beta) if pair is None else (pair[0] * alpha, pair[1] * beta)
    return products


def merge_products(total: Products, part: Products) -> None:
    for key, (A, B) in part.items():
        pair = total.get(key)
        total[key] = (A, B) if pair is None else (pair[0] * A, pair[1] * B)


def v8_aggregation(record: ElectionRecord, summary: StreamSummary) -> Iterator[Finding]:
    """Verification 8 (Correctness of ballot aggregation).

    An election verifier must confirm for each option in each contest in the election manifest that the
    aggregate encryption (A, B) satisfies

    (8.A) A = (∏_j α_j) mod p,
    (8.B) B = (∏_j β_j) mod p,

    where the (α_j, β_j) are the corresponding encryptions on all cast ballots in the election record.

    evote extension (docs/record-format.md §8.3): in a version-2 election, with w_j the weight of ballot j's
    credential on the list in force when the election opened, A = (∏_j α_j^{w_j}) mod p and
    B = (∏_j β_j^{w_j}) mod p; with every w_j = 1 (version-1 elections, ElectionGuard records) this is
    eq. 62 unchanged.

    An option on no cast ballot aggregates to (1, 1). In the record's group. Precondition (8): the encrypted tally has one entry for
    every option of the manifest and no other; where the record lists the ballots it aggregated, the list is
    exactly the cast ballots. A cast ballot that could not be decoded fails 8.A and 8.B (its encryptions are
    unknown).
    """
    tally = require(record.encrypted_tally, "encrypted tally")
    manifest = require(require(record.parameters, "election parameters").manifest, "manifest")
    complete(summary)
    entries: dict[tuple[str, str], TallyEntry] = {}
    for entry in tally.entries:
        key = (entry.contest, entry.option)
        if key in entries:
            yield failed(
                "8", f"tally › {entry.contest} › {entry.option}", "the option appears twice in the encrypted tally", entry.where
            )
        elif (listed := manifest.contest(entry.contest)) is None or listed.option(entry.option) is None:
            yield failed(
                "8",
                f"tally › {entry.contest} › {entry.option}",
                "the encrypted tally has an option that is not in the manifest",
                entry.where,
            )
        entries[key] = entry
    weighted = ""
    if record.evote is not None and list_in_force(record.evote).styles_bound:
        weighted = ", each raised to its credential's weight (record-format §8.3)"
    undecoded, example = 0, ""
    for digest in summary.digests():
        if digest.state == BallotState.CAST.value and not digest.decoded:
            undecoded += 1
            example = example or digest.id
    for contest in manifest.contests:
        for option in contest.options:
            subject = f"tally › {contest.label} › {option.label}"
            tallied = entries.get((contest.label, option.label))
            if tallied is None:
                yield failed("8", subject, "the encrypted tally has no entry for this option of the manifest", tally.origin)
                continue
            if undecoded:
                for check in ("8.A", "8.B"):
                    yield failed(
                        check,
                        subject,
                        f"not verified: {undecoded} cast ballot(s) could not be decoded, e.g. {example}",
                        tallied.where,
                    )
                continue
            one = record.group.identity()
            A, B = (record.group.written(x) for x in summary.products.get((contest.label, option.label), (one, one)))
            for check, computed, written in (("8.A", A, tallied.A), ("8.B", B, tallied.B)):
                if computed == written:
                    yield passed(check, subject, f"over {summary.cast} cast ballots{weighted}", tallied.where)
                else:
                    yield failed(
                        check,
                        subject,
                        f"{check[-1]} is not the product over the {summary.cast} cast ballots{weighted}",
                        tallied.where,
                        expected=f"{int(computed):X}",
                        found=f"{written:X}",
                    )
    yield from _cast_ballot_list(tally.cast_ballot_ids, summary, tally.origin)


def _cast_ballot_list(listed: tuple[str, ...] | None, summary: StreamSummary, origin: str) -> Iterator[Finding]:
    """The record's list of aggregated ballots (egk: cast_ballot_ids) names exactly the cast ballots."""
    if listed is None:
        return
    clean = True
    remaining = set(listed)
    if len(remaining) != len(listed):
        clean = False
        yield failed("8", "tally ballot list", "the list of aggregated ballots names a ballot twice", origin)
    for digest in summary.digests():
        if digest.state != BallotState.CAST.value:
            if digest.id in remaining:
                clean = False
                remaining.discard(digest.id)
                yield failed("8", f"ballot {digest.id}", f"the tally lists a ballot that was not cast ({digest.state})", origin)
        elif digest.id in remaining:
            remaining.discard(digest.id)
        else:
            clean = False
            yield failed(
                "8", f"ballot {digest.id}", "a cast ballot is missing from the tally's list of aggregated ballots", origin
            )
    for ballot_id in sorted(remaining):
        clean = False
        yield failed("8", f"ballot {ballot_id}", "the tally lists a ballot that is not in the record", origin)
    if clean:
        yield passed("8", "tally ballot list", f"the {len(listed)} listed ballots are the cast ballots", origin)
