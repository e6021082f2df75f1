"""What each ``mix.input`` must hold (record-format §12.2), recomputed from the ballot entries: the board checks
the administrator's ``mix.input`` against it, and the trustees check the board's before they mix or decrypt.
The verifier has its own (voting/verifier), as for the counted ballots of the tally."""

from __future__ import annotations

from typing import Callable, Iterable

from ..manifest import Manifest
from .counting import CAST_KIND, count, header_of
from .mixing import MixInput, Row, counting_contests
from .submission import parse_submission


def mix_inputs_from_entries(
    manifest: Manifest, revote_rule: str, ballot_entries: Callable[[], Iterable[tuple[int, str, dict]]]
) -> dict[str, MixInput]:
    """What each contest's ``mix.input`` must hold, recomputed from the ballot entries (seq, kind, payload in
    increasing seq, read twice): the counted ballots (record-format §8.3) that have the contest, in seq order,
    each row its ciphertexts of the contest in manifest option order."""
    contests = counting_contests(manifest)
    counted = count((header_of(seq, kind, payload) for seq, kind, payload in ballot_entries()), revote_rule).counted_seqs
    seqs: dict[str, list[int]] = {c.label: [] for c in contests}
    rows: dict[str, list[Row]] = {c.label: [] for c in contests}
    for seq, kind, payload in ballot_entries():
        if kind != CAST_KIND or seq not in counted:
            continue
        ballot = parse_submission(payload, manifest, membership_checked_by_board=True).ballot
        for encrypted in ballot.contests:
            if encrypted.contest not in seqs:
                continue
            by_option = {s.option: s.ciphertext for s in encrypted.selections}
            contest = manifest.contest(encrypted.contest)
            assert contest is not None  # parse_submission checked the ballot against the manifest
            seqs[contest.label].append(seq)
            rows[contest.label].append(tuple(by_option[o.label] for o in contest.options))
    return {c.label: MixInput(c.label, tuple(seqs[c.label]), tuple(rows[c.label])) for c in contests}
