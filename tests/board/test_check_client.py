"""BoardClient.wait_for_check: the client's side of an entry the board checks outside the request (record-format
§12.2), against scripted answers (the real board: tests/board/test_async_checks.py)."""

from __future__ import annotations

import pytest

from bulletin_board.log_format.client import BoardClient, BoardClientError

CHECK = "0123456789abcdef0123456789abcdef"


class Scripted(BoardClient):
    def __init__(self, answers: list[dict]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.answers, self.asked = answers, []

    def check(self, election_id: str, check: str) -> dict:
        self.asked.append((election_id, check))
        return self.answers.pop(0)


def test_an_appended_entry_is_its_seq_at_once():
    client = Scripted([])
    assert client.wait_for_check("e", {"seq": 7, "entry_hash": "AB"}) == 7 and client.asked == []


def test_a_check_is_polled_until_appended_with_progress():
    checking = {"check": CHECK, "kind": "mix.shuffled", "status": "checking"}
    client = Scripted([checking, checking, {**checking, "status": "appended", "seq": 12}])
    waits: list[float] = []
    assert client.wait_for_check("e", checking, poll_seconds=0.001, progress=waits.append) == 12
    assert client.asked == [("e", CHECK)] * 3 and len(waits) == 3 and waits == sorted(waits)


def test_a_refused_check_raises_with_the_boards_code_and_field():
    checking = {"check": CHECK, "kind": "mix.shuffled", "status": "checking"}
    refused = {**checking, "status": "refused",
               "error": {"code": "rule_violation", "field": "body.proof", "message": "body.proof: the proof of shuffle fails"}}
    with pytest.raises(BoardClientError) as raised:
        Scripted([refused]).wait_for_check("e", checking, poll_seconds=0.001)
    assert (raised.value.code, raised.value.field) == ("rule_violation", "body.proof")
    assert "the proof of shuffle fails" in str(raised.value)


@pytest.mark.parametrize("answer", [None, [], {"status": "checking"}, {"status": "lost", "check": CHECK}, {"seq": "7"}])
def test_an_answer_that_is_neither_an_entry_nor_a_check_is_refused_in_words(answer):
    with pytest.raises(BoardClientError, match="neither an entry nor a check"):
        Scripted([]).wait_for_check("e", answer, poll_seconds=0.001)


def test_a_check_that_never_ends_times_out():
    checking = {"check": CHECK, "kind": "mix.shuffled", "status": "checking"}
    with pytest.raises(BoardClientError, match="did not finish"):
        Scripted([checking] * 1000).wait_for_check("e", checking, poll_seconds=0.001, timeout=0.01)
