"""evote's sections of the checklist: every step B.1-B.5, L.1-L.9, E.1-E.8 is quoted by the function that
checks it, check ids have one format, and a check that is missing, raises or whose worker fails never passes."""

from __future__ import annotations

import re
from itertools import takewhile

import pytest
from support.evote_support import failed_steps, step  # noqa: F401
from test_verifier_parallel import failing_worker

import voting.verifier.checks as checks
from voting.verifier import open_record
from voting.verifier.checks import EVOTE_SECTIONS, all_steps, checklist_for, steps_of
from voting.verifier.findings import Finding, Status, passed, sort_key
from voting.verifier.run import verify

EVOTE_STEPS = {"B": 5, "L": 11, "E": 10, "M": 5}


def test_evote_sections_cover_their_steps_before_the_spec():
    expected = {f"{section}.{n}" for section, count in EVOTE_STEPS.items() for n in range(1, count + 1)}
    assert set(all_steps("evote")) == expected | set(all_steps("egk"))
    assert not expected & set(all_steps("egk"))
    assert [v.number for v in checklist_for("evote")] == ["B", "L", "E", "M", *range(1, 15)]


def test_each_evote_check_quotes_its_steps_and_is_named_after_them():
    """b1_b2_b4_entries confirms exactly B.1, B.2 and B.4; l_election_rules any steps of L."""
    for section in EVOTE_SECTIONS:
        letter = section.number.lower()
        for function in section.record + section.ballot + section.summary:
            doc = function.__doc__ or ""
            assert doc.startswith(f"Section {section.number} ("), function.__name__
            steps = set(steps_of(function))
            assert steps and all(s.startswith(f"{section.number}.") for s in steps), function.__name__
            lead = list(takewhile(lambda token: re.fullmatch(rf"{letter}\d*", token), function.__name__.split("_")))
            numbers = {f"{section.number}.{token[1:]}" for token in lead if token[1:]}
            assert lead and (not numbers or numbers == steps), function.__name__
            for step_id in steps:
                assert f"({step_id})" in doc


def test_check_ids_have_one_format_and_one_order():
    for check in ("B.1", "L.9", "E.6", "B", "5.D", "12", "BB.1", "HK"):  # two letters: other systems' sections
        Finding(check, Status.PASSED, "x")
    for bad in ("B.A", "b.1", "BBB.1", "Bb.1", "B-1", "B.1.2", "5.1"):
        with pytest.raises(ValueError):
            Finding(bad, Status.PASSED, "x")
    assert sorted(["5.D", "E.2", "1.A", "B.3", "L.1", "B", "14.B"], key=sort_key) == [
        "B",
        "B.3",
        "L.1",
        "E.2",
        "1.A",
        "5.D",
        "14.B",
    ]


def test_a_missing_evote_check_fails_its_steps(monkeypatch, rich):
    monkeypatch.setattr(
        checks, "EVOTE_RECORD_CHECKS", tuple(f for f in checks.EVOTE_RECORD_CHECKS if f.__name__ != "e2_revoting_rule")
    )
    report = verify(open_record(rich.path), workers=1)
    assert failed_steps(report) == {"E.2"}
    assert step(report, "E.2").count.failures[0].message.startswith("no result")


def l_raises(record):
    """Section L (broken on purpose).

    (L.1) The first entry is election.created.
    (L.4) keygen.result is recomputed.
    """
    yield passed("L.1", "half done")
    raise ZeroDivisionError("a bug")


def test_an_evote_check_that_raises_fails_its_steps(monkeypatch, rich):
    replaced = tuple(l_raises if f.__name__ == "l_election_rules" else f for f in checks.EVOTE_RECORD_CHECKS)
    monkeypatch.setattr(checks, "EVOTE_RECORD_CHECKS", replaced)
    report = verify(open_record(rich.path), workers=1)
    assert {"L.1", "L.4"} <= failed_steps(report)
    assert "ZeroDivisionError: a bug" in step(report, "L.4").count.failures[0].message


def test_a_failing_worker_fails_the_evote_ballot_and_summary_steps(rich):
    report = verify(open_record(rich.path), workers=2, chunk_worker=failing_worker)
    failed = failed_steps(report)
    assert {"5", "E.1", "E.4", "E.6", "8.A", "7.C"} <= failed
    assert "injected worker failure" in step(report, "E.1").count.failures[0].message
