"""Errors keep their type, message and evidence across a process boundary (pickling, as worker pools do)."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

from voting.errors import (
    DecryptionError,
    EncodingError,
    InvalidBallot,
    InvalidProof,
    ManifestError,
    NonStandardGroupError,
    NotInGroupError,
    ShareError,
)

ERRORS = [
    EncodingError("ballot.aux", "expected an even number of hex digits"),
    NotInGroupError("ballot.contests[0].selections[1].alpha", "is not in the order-q subgroup"),
    NonStandardGroupError("only the standard group"),
    InvalidProof("5.D", "the challenge is not the sum", expected="AB", found="CD"),
    ManifestError("contests[2].label", "duplicate contest label"),
    InvalidBallot("ballot.contests[1].limit_proof", "check 6.D: ...", check="6.D"),
    ShareError(1, 3, "the share does not match"),
    DecryptionError("2 guardian(s) available, the quorum is k = 3"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__


def _raise_invalid_ballot(_: int) -> None:
    raise InvalidBallot("ballot.contests[0].selections[0].proof", "check 5.D: mismatch", check="5.D")


def test_error_from_a_worker_process_reaches_the_caller():
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        with pytest.raises(InvalidBallot) as err:
            pool.submit(_raise_invalid_ballot, 0).result()
    assert err.value.field == "ballot.contests[0].selections[0].proof" and err.value.check == "5.D"
