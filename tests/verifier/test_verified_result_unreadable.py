"""The verified result (voting/verifier/result.py) is stated from readable totals only."""

from __future__ import annotations

import dataclasses

import pytest

from voting.verifier import open_record, verify
from voting.verifier.model import Decryption, Unreadable
from voting.verifier.result import NoResult, verified_result


def test_an_unreadable_total_gives_no_result_naming_it(rich):
    """A decrypted total that could not be read is a NoResult with the reader's reason, not an AttributeError
    (the message once asked Unreadable for a ``where`` it does not have)."""
    record = open_record(rich.path)
    try:
        report = verify(record, workers=1)
        assert report.passed
        tally = record.decrypted_tally
        assert isinstance(tally, Decryption)
        first = tally.contests[0]
        unreadable = Unreadable("entries.jsonl seq 99 (tally.result)", "contests[0].options[0].t", "expected an integer")
        broken = dataclasses.replace(first, selections=(unreadable, *first.selections[1:]))
        record.decrypted_tally = dataclasses.replace(tally, contests=(broken, *tally.contests[1:]))
        with pytest.raises(NoResult, match=r"cannot be read \(entries.jsonl seq 99 \(tally.result\): contests\[0\]"):
            verified_result(record, report)
    finally:
        record.close()
