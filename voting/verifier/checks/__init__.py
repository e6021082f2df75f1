"""The checklist: SPEC v2.0.0 §6.2, Verifications 1-14, in order; for evote records, first evote's own
sections B (the board), L (the election's rules), E (eligibility and counting) and M (the mix),
docs/record-format.md.

Each verification lists the functions that carry out its steps, by where they run:

* ``record`` functions take the :class:`~voting.verifier.model.ElectionRecord` (parameters, keys, tallies);
* ``ballot`` functions take one decoded ballot and run in the workers, ballot by ballot;
* ``summary`` functions take the record and the :class:`~voting.verifier.model.StreamSummary` gathered while
  the ballots streamed past (duplicates, chains, aggregation).

Every function's docstring quotes the steps it confirms as "(5.A) ..." or "(B.1) ..."; those are the steps
it must report on (:func:`steps_of`). Pre-encrypted ballots (Verifications 15-18) are not part of this
verifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .aggregation import v8_aggregation
from .ballots import v5_selection_proofs, v6_contest_limits, v7_confirmation_codes
from .board import b1_b2_b4_entries, b3_checkpoint_signature, b5_log_extends_saved_checkpoint
from .chaining import v7_ballot_chains, v7_unique_confirmation_codes
from .challenged import v12_every_challenged_ballot_decrypted, v12_v13_v14_challenged_ballots
from .credential_authority import e9_e10_credential_authority
from .eligibility import (
    e1_e3_credential_list,
    e2_revoting_rule,
    e4_tally_counts_the_counted_ballots,
    e5_ballot_signature,
    e6_no_copied_ballots,
)
from .key_ceremony import v2_guardian_keys, v3_joint_key, v4_extended_base_hash
from .mix import m1_mix_input, m2_shuffle_proofs, m3_enough_mix_servers, m4_decrypted_rows, m5_count
from .parameters import v1_parameters
from .rules import l_election_rules
from .styles import e7_ballot_styles, e8_weight_privacy
from .tally import v9_tally_decryption, v10_contests_of_ballots_in_tally, v10_tally_values_and_labels, v11_contest_data
from .witnessed_close import w4_close_witnessed
from .witnesses import w1_checkpoint_cosigned, w2_trust_anchors


@dataclass(frozen=True)
class Verification:
    number: int | str  # the SPEC's verification number, or an evote section letter
    title: str
    section: str
    record: tuple[Callable, ...] = ()
    ballot: tuple[Callable, ...] = ()
    summary: tuple[Callable, ...] = ()


CHECKLIST: tuple[Verification, ...] = (
    Verification(1, "Parameter validation", "§6.2.1", record=(v1_parameters,)),
    Verification(2, "Guardian public-key validation", "§6.2.2", record=(v2_guardian_keys,)),
    Verification(3, "Election public-key validation", "§6.2.2", record=(v3_joint_key,)),
    Verification(4, "Extended base hash validation", "§6.2.3", record=(v4_extended_base_hash,)),
    Verification(5, "Well-formedness of selection encryptions", "§6.2.4", ballot=(v5_selection_proofs,)),
    Verification(6, "Adherence to vote limits", "§6.2.4", ballot=(v6_contest_limits,)),
    Verification(
        7,
        "Validation of confirmation codes",
        "§6.2.4",
        ballot=(v7_confirmation_codes,),
        summary=(v7_unique_confirmation_codes, v7_ballot_chains),
    ),
    Verification(8, "Correctness of ballot aggregation", "§6.2.5", summary=(v8_aggregation,)),
    Verification(9, "Correctness of tally decryptions", "§6.2.5", record=(v9_tally_decryption,)),
    Verification(
        10,
        "Validation of correct decryption of tallies",
        "§6.2.5",
        record=(v10_tally_values_and_labels,),
        summary=(v10_contests_of_ballots_in_tally,),
    ),
    Verification(11, "Correctness of decryptions of contest data", "§6.2.6", record=(v11_contest_data,)),
    Verification(
        12,
        "Correctness of decryptions for challenged ballots",
        "§6.2.7",
        ballot=(v12_v13_v14_challenged_ballots,),
        summary=(v12_every_challenged_ballot_decrypted,),
    ),
    Verification(13, "Validation of correct decryption of challenged ballots", "§6.2.7"),
    Verification(14, "Correctness of contest data decryptions for challenged ballots", "§6.2.7"),
)
"""Verifications 13 and 14 are carried out by the functions listed under 12 (one pass over each ballot)."""

EVOTE_SECTIONS: tuple[Verification, ...] = (
    Verification(
        "B",
        "Bulletin board integrity",
        "record-format §6-7",
        record=(b1_b2_b4_entries, b3_checkpoint_signature, b5_log_extends_saved_checkpoint),
    ),
    Verification("L", "The election's rules", "record-format §8", record=(l_election_rules,)),
    Verification(
        "E",
        "Eligibility and counting",
        "record-format §4-5, §8.3, §11",  # E.7, E.8: version-2 elections (§4.1); E.9, E.10: the registrar (§11)
        record=(e2_revoting_rule, e9_e10_credential_authority),
        ballot=(e5_ballot_signature,),
        summary=(
            e1_e3_credential_list,
            e4_tally_counts_the_counted_ballots,
            e6_no_copied_ballots,
            e7_ballot_styles,
            e8_weight_privacy,
        ),
    ),
    Verification(
        "M",
        "The mix",
        "record-format §12; docs/mixnet.md",
        record=(m1_mix_input, m2_shuffle_proofs, m3_enough_mix_servers, m4_decrypted_rows, m5_count),
    ),
)
"""evote's own sections, checked before the SPEC's verifications on evote records (docs/record-format.md). M's
record checks read the counting of E (the reader applies the revoting rule while it reads the entries)."""

WITNESS_SECTION = Verification(
    "W",
    "Witnesses and trust anchors",
    "issue 16; docs/verification-checks.md section W",
    record=(w1_checkpoint_cosigned, w2_trust_anchors, w4_close_witnessed),
)
"""Section W, after B, only when the verification requires a witness policy (--witness, --anchors)."""

RECORD_CHECKS = tuple(f for v in CHECKLIST for f in v.record)
BALLOT_CHECKS = tuple(f for v in CHECKLIST for f in v.ballot)
SUMMARY_CHECKS = tuple(f for v in CHECKLIST for f in v.summary)
EVOTE_RECORD_CHECKS = tuple(f for v in EVOTE_SECTIONS for f in v.record)
EVOTE_BALLOT_CHECKS = tuple(f for v in EVOTE_SECTIONS for f in v.ballot)
EVOTE_SUMMARY_CHECKS = tuple(f for v in EVOTE_SECTIONS for f in v.summary)
WITNESS_RECORD_CHECKS = WITNESS_SECTION.record

_ID = r"(?:\d+\.[A-Z]|[A-Z]{1,2}\.\d+)"
_STEP = re.compile(rf"^\s*\(({_ID})\)\s+(.*?)(?=^\s*\({_ID}\)|^\s*$|\Z)", re.S | re.M)


def steps_of(function: Callable) -> dict[str, str]:
    """The steps a check function confirms, with their text, read from its docstring."""
    return {step: " ".join(text.split()) for step, text in _STEP.findall(function.__doc__ or "")}


def checklist_for(format: str, witnessed: bool = False) -> tuple[Verification, ...]:
    """The checklist of a record format: evote records add sections B, L and E before Verifications 1-14;
    with a witness policy (``witnessed``) section W follows B."""
    if format != "evote":
        return CHECKLIST
    if witnessed:
        return EVOTE_SECTIONS[:1] + (WITNESS_SECTION,) + EVOTE_SECTIONS[1:] + CHECKLIST
    return EVOTE_SECTIONS + CHECKLIST


def all_steps(format: str = "egk", witnessed: bool = False) -> dict[str, str]:
    """Every numbered or lettered step of the format's checklist, with its words."""
    steps: dict[str, str] = {}
    for v in checklist_for(format, witnessed):
        for function in v.record + v.ballot + v.summary:
            steps.update(steps_of(function))
    return steps


def verification(number: int | str) -> Verification:
    return next(v for v in EVOTE_SECTIONS + (WITNESS_SECTION,) + CHECKLIST if v.number == number)


PRECONDITIONS: dict[int | str, str] = {
    1: "n and k are consistent (1 <= k <= n)",
    2: "the record has exactly the guardians 1..n, each with k commitments and proofs",
    5: "each ballot is readable and has exactly the contests and options of its ballot style",
    6: "each contest's limit proof is readable",
    7: "ballot ids are unique; contest hashes and codes are readable",
    8: "the encrypted tally has exactly the manifest's options; its list of aggregated ballots is the cast ballots",
    9: "every decrypted option has its (A, B) in the encrypted tally, and copies of (A, B) agree",
    10: "no contest or option appears twice in the decrypted tally",
    11: "β opens the contest data (C2 = HMAC(k_0, C0 ∥ C1))",
    12: "every challenged ballot, and only challenged ballots, are decrypted, contest by contest and option by option",
    13: "the revealed choices of a nonce-opened ballot are a valid ballot",
    14: "every contest data field of a challenged ballot is decrypted, and β opens it",
}
"""What the bare verification number ("5") stands for in findings: the preconditions of its lettered steps."""
