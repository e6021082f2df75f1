"""The checklist itself: it covers SPEC §6.2 Verifications 1-14 step by step, cites steps in one format,
and never lets a step pass silently — a check that is missing, produces nothing or raises fails."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.verifier_support import absent_guardian_record, copy_record, failed_steps, record_tally  # noqa: F401

import voting.verifier.run as run
from voting.verifier.checks import BALLOT_CHECKS, CHECKLIST, RECORD_CHECKS, SUMMARY_CHECKS, all_steps, steps_of
from voting.verifier.findings import Finding, Status, Tally, failed, passed
from voting.verifier.readers.egk import open_egk
from voting.verifier.spool import Spool, duplicates

SPEC_STEPS = {
    1: "ABCDEFGH",
    2: "ABC",
    3: "AB",
    4: "A",
    5: "ABCD",
    6: "ABCD",
    7: "ABCDEFG",
    8: "AB",
    9: "AB",
    10: "ABCDE",
    11: "AB",
    12: "AB",
    13: "ABCDEF",
    14: "AB",
}


def test_checklist_covers_every_step_of_verifications_1_to_14():
    assert [v.number for v in CHECKLIST] == list(range(1, 15))
    expected = {f"{n}.{letter}" for n, letters in SPEC_STEPS.items() for letter in letters}
    assert set(all_steps()) == expected


def test_each_check_is_named_after_its_verification_and_quotes_it():
    for function in RECORD_CHECKS + BALLOT_CHECKS + SUMMARY_CHECKS:
        number = int(re.match(r"v(\d+)_", function.__name__).group(1))
        doc = function.__doc__ or ""
        assert doc.startswith("Verification"), function.__name__
        for step in steps_of(function):
            covered = range(12, 15) if function.__name__.startswith("v12_v13_v14") else [number]
            assert int(step.split(".")[0]) in covered, (function.__name__, step)
            assert f"({step})" in doc


def test_finding_ids_are_spec_steps_or_verification_numbers():
    for check in ("5.D", "12", "14.B"):
        Finding(check, Status.PASSED, "x")
    for bad in ("5.d", "5-D", "eq. 74", "", "5.DD"):
        with pytest.raises(ValueError):
            Finding(bad, Status.PASSED, "x")


def test_tally_keeps_the_first_failures_and_counts_the_rest():
    tally = Tally(keep=2)
    other = Tally(keep=2)
    for n in range(3):
        tally.add(failed("5.D", f"ballot {n}", "bad"))
        other.add(failed("5.D", f"ballot {n + 3}", "bad"))
    tally.add(passed("5.D", "ballot 9"))
    tally.merge(other)
    count = tally.counts["5.D"]
    assert (count.passed, count.failed, count.omitted) == (1, 6, 4)
    assert [f.subject for f in count.failures] == ["ballot 0", "ballot 1"]


@given(st.lists(st.tuples(st.binary(min_size=1, max_size=2), st.text(max_size=3)), max_size=60), st.integers(1, 7))
def test_external_duplicates_match_a_plain_count(pairs, run_size):
    expected = {}
    for key, label in pairs:
        expected.setdefault(key, []).append(label)
    found = {key: (labels, count) for key, labels, count in duplicates(pairs, run_size=run_size, keep=100)}
    assert found == {k: (v, len(v)) for k, v in expected.items() if len(v) > 1}


def test_spool_reads_back_in_order():
    with Spool() as spool:
        for n in range(1000):
            spool.append((n, str(n)))
        assert list(spool) == [(n, str(n)) for n in range(1000)]
        assert list(spool)[-1] == (999, "999")


def test_a_missing_check_fails_its_steps(monkeypatch, absent_guardian_record):
    monkeypatch.setattr(run, "RECORD_CHECKS", tuple(f for f in RECORD_CHECKS if f.__name__ != "v4_extended_base_hash"))
    report = run.verify(open_egk(absent_guardian_record), workers=1)
    assert failed_steps(report) == {"4.A"}
    (finding,) = [f for v in report.verifications for s in v.steps if s.id == "4.A" for f in s.count.failures]
    assert finding.message.startswith("no result")


def v4_raises(record):
    """Verification 4, broken on purpose.

    (4.A) H_E = H(H_B; 0x12, K).
    """
    yield passed("4.A", "half done")
    raise ZeroDivisionError("a bug")


def test_a_check_that_raises_fails_its_steps(monkeypatch, absent_guardian_record):
    monkeypatch.setattr(
        run, "RECORD_CHECKS", tuple(v4_raises if f.__name__ == "v4_extended_base_hash" else f for f in RECORD_CHECKS)
    )
    report = run.verify(open_egk(absent_guardian_record), workers=1)
    assert failed_steps(report) == {"4.A"}
    (finding,) = [f for v in report.verifications for s in v.steps if s.id == "4.A" for f in s.count.failures]
    assert "ZeroDivisionError: a bug" in finding.message


def test_unreadable_configuration_fails_verification_1_naming_the_file(tmp_path, absent_guardian_record):
    root = copy_record(absent_guardian_record, tmp_path / "record")
    (root / "election_config.json").unlink()
    tally = record_tally(root, upto=4)
    assert {f"1.{letter}" for letter in "ABCDEFGH"} <= failed_steps(tally)
    assert all("election_config.json" in f.message for f in tally.counts["1.A"].failures)
