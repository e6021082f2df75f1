"""Fuzzing ballot submission (``POST /api/v1/elections/<id>/ballots``) and the receipt lookup
(``GET /api/v1/elections/<id>/ballots/<code>``), docs/record-format.md §9.

Valid submissions (a cast and a challenge opened with its nonce) are mutated field by field and as bytes,
and random bodies are posted. Every input must be answered with a 4xx in the board's error shape and leave
the election's log exactly as it was; only the unchanged submission itself may be accepted. Each fuzzer
counts the examples that reached the submission's parser, the credential's signature check, the ballot's
proofs, and the lookup of a confirmation code in the board's index (reach.py), and requires a share of them.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.board_world import BoardWorld

from bulletin_board.elections import ballots as ballot_index
from voting.credentials import derive_voter_key
from voting.errors import VotingError
from voting.record import submission as submission_module
from voting.record.submission import parse_submission

from .fuzz_support import (
    assert_clean_refusal,
    assert_no_traceback,
    board_head,
    decoded,
    fuzz_board_app,
    fuzz_settings,
    is_redirect,
    json_values,
    mutated,
    post_raw,
    raw_mutations,
    reencoded,
    strictly_equal,
)
from .reach import At, Reach

CHOICES = {"mayor": ["alice"], "council": ["dan", "eve"]}


@pytest.fixture(scope="module")
def ballots(tmp_path_factory):
    """An open election (one trustee), two valid submissions never posted, and one posted ballot's code."""
    app = fuzz_board_app(tmp_path_factory.mktemp("fuzz-ballots"))
    world = BoardWorld(app.test_client(), election_id="fuzz-ballots", n=1, k=1, voters=3)
    world.keygen()
    world.open()
    cast, _ = world.submission(world.credentials[0], CHOICES)
    challenge, _ = world.submission(world.credentials[1], {"mayor": ["bob"]}, action="challenge", reveal=True)
    posted = world.cast(world.credentials[2], {"mayor": ["bob"], "council": ["fay"]})["receipt"]
    voters = {cast["credential"]: world.credentials[0], challenge["credential"]: world.credentials[1]}
    return {"app": app, "world": world, "valid": [cast, challenge], "voters": voters, "code": posted["confirmation_code"]}


def resigned(ballots, document):
    """The voter's own signature over a mutated submission that still decodes: what a voter with a valid
    credential can post, so the fuzzer reaches the ballot's proofs and the board's rules behind the signature."""
    world = ballots["world"]
    named = document.get("credential") if isinstance(document, dict) else None
    credential = ballots["voters"].get(named) if isinstance(named, str) else None
    if credential is None:
        return document
    try:
        submission = parse_submission(document, world.definition.manifest)
    except VotingError:
        return document
    voter = derive_voter_key(credential, world.election_id)
    state = world.state()
    document = dict(
        document,
        signature=voter.sign_ballot(
            world.election_id, state.context.H_E, submission.action, submission.ballot.confirmation_code, submission.contest_data
        ),
    )
    return document


def _post_and_check(ballots, data: bytes, acceptable=()) -> None:
    """Post ``data``: it must be refused cleanly with the log unchanged, unless it is one of ``acceptable``."""
    app, world = ballots["app"], ballots["world"]
    before = board_head(app, world.election_id)
    response = post_raw(world.client, f"/api/v1/elections/{world.election_id}/ballots", data)
    if response.status_code in (200, 201):
        assert any(strictly_equal(decoded(data), document) for document in acceptable), (
            f"a changed submission was accepted: {data[:300]!r}"
        )
        assert_no_traceback(response.get_data(as_text=True))
        return
    assert_clean_refusal(response)
    assert board_head(app, world.election_id) == before, "a refused submission changed the log"


def submission_reach(what: str) -> Reach:
    """The submission's parser (voting/record/submission.py), the credential's signature check behind it and
    the ballot's proofs behind that (Verifications 5-7): each one reached only if the step before passed."""
    return Reach(
        what,
        parser=At(submission_module, "exact"),
        signature=At(submission_module, "verify_signature"),
        proofs=At(submission_module, "check_ballot"),
    )


def test_mutated_submissions_are_refused_cleanly(ballots):
    reach = submission_reach("mutated submissions")

    @fuzz_settings(120, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        original = data.draw(st.sampled_from(ballots["valid"]), label="valid submission")
        raw = data.draw(raw_mutations(original), label="body")
        # The opening of a challenged ballot is optional and outside the voter's signature (record-format §5):
        # the same challenge without its reveal is another valid submission, never a changed one.
        unrevealed = [{k: v for k, v in original.items() if k != "reveal"}] if "reveal" in original else []
        with reach.example():
            _post_and_check(ballots, raw, unrevealed)

    with reach.watching():
        examples()
    reach.require(parser=0.08)  # most changes break the JSON or an encoding: the parser's refusals are the point


def voters_own_variant(original: dict, document: object) -> list:
    """``document`` as an acceptable submission when it differs from ``original`` only inside contest data or
    by leaving out a challenge's optional reveal.

    Contest data (C0, C1, C2, SPEC eq. 56) is the voter's device's own: only a holder of the election secret
    can check its MAC, so a voter who signs other contest data has made another ballot of their own, not a
    changed one (changed by anybody else, it fails the signature: the fuzzer above). The reveal is outside
    the signature and optional (record-format §5).
    """

    def shape(data: object) -> object:  # the values' places and types, and the fixed lengths of C0 and C2
        if not isinstance(data, dict):
            return data
        return {k: [type(v).__name__, len(v) if k in ("c0", "c2") and isinstance(v, str) else None] for k, v in data.items()}

    def blank(submission: dict) -> dict:
        contests = [{**contest, "contest_data": shape(contest["contest_data"])} for contest in submission["ballot"]["contests"]]
        return {**submission, "ballot": {**submission["ballot"], "contests": contests}}

    try:
        if len(document["ballot"]["contests"]) != len(original["ballot"]["contests"]):
            return []
        reference = {k: v for k, v in original.items() if k != "reveal" or "reveal" in document}
        reference["signature"] = document["signature"]
        return [document] if strictly_equal(blank(document), blank(reference)) else []
    except (KeyError, TypeError, AttributeError):
        return []


def _signature(path: tuple) -> bool:
    return path[:1] == ("signature",)


def _outside_the_ballot(path: tuple) -> bool:
    """The credential and signature: another voter's key or a changed signature is not a changed ballot."""
    return path[:1] in (("signature",), ("credential",))


def test_mutated_submissions_signed_by_the_voter_are_refused_cleanly(ballots):
    reach = submission_reach("mutated submissions the voter signed")

    @fuzz_settings(60, deadline_seconds=10)
    @given(data=st.data())
    def examples(data):
        original = data.draw(st.sampled_from(ballots["valid"]), label="valid submission")
        # The voter signs again whatever it sent (a changed signature alone would be no change at all), and
        # half the changes keep every value well formed, so that they reach the ballot's proofs.
        changed = st.one_of(mutated(original, skip=_signature), reencoded(original, skip=_outside_the_ballot))
        document = resigned(ballots, data.draw(changed, label="mutated"))
        assert not strictly_equal(document, original), "the strategy returned the valid submission"
        with reach.example():
            _post_and_check(ballots, json.dumps(document).encode(), voters_own_variant(original, document))

    with reach.watching():
        examples()
    reach.require(parser=0.6, signature=0.2, proofs=0.2)


def test_random_json_submissions_are_refused_cleanly(ballots):
    """Any JSON body is refused cleanly; bodies shaped like a submission (its four fields, random values) must
    reach the parser itself. The two are fuzzed apart: mixed in one run, how many shaped bodies Hypothesis
    draws varies from run to run (5 to 31 of 60 were seen), and a reach fraction over the mix flakes."""
    anything = submission_reach("random bodies")
    fields = st.sampled_from(["action", "ballot", "credential", "signature", "reveal"])

    @fuzz_settings(40, deadline_seconds=5)
    @given(body=st.one_of(json_values, st.dictionaries(fields, json_values)))
    def any_body(body):
        with anything.example():
            _post_and_check(ballots, json.dumps(body).encode())

    with anything.watching():
        any_body()
    anything.require()  # refused cleanly, the log unchanged; how far a random body gets is not the point here

    shaped_reach = submission_reach("random submissions")
    shaped = st.fixed_dictionaries(
        {"action": json_values, "ballot": json_values, "credential": json_values, "signature": json_values},
        optional={"reveal": json_values},
    )  # a submission's fields with random values: what the parser itself must refuse

    @fuzz_settings(40, deadline_seconds=5)
    @given(body=shaped)
    def shaped_body(body):
        with shaped_reach.example():
            _post_and_check(ballots, json.dumps(body).encode())

    with shaped_reach.watching():
        shaped_body()
    # Not all: the strict JSON reader (web/views.py) refuses integers beyond 2^53 and lone surrogates first.
    shaped_reach.require(parser=0.6)


def test_lookup_with_any_code_is_clean(ballots):
    world = ballots["world"]
    reach = Reach("receipt lookups", index=At(ballot_index, "lookup"))
    codes = st.one_of(
        st.text(min_size=1, max_size=80),
        st.text("0123456789ABCDEFabcdef", min_size=60, max_size=68),
        st.text("0123456789ABCDEF", min_size=64, max_size=64),  # the form of a code: looked up in the index
        st.just(ballots["code"]),
    )

    @fuzz_settings(80, deadline_seconds=5)
    @given(code=codes, election=st.sampled_from([True, True, True, False]))
    def examples(code, election):
        election_id = world.election_id if election else "no-such-election"
        with reach.example():
            response = world.client.get(f"/api/v1/elections/{election_id}/ballots/{urllib.parse.quote(code, safe='')}")
            if response.status_code == 200:
                assert code == ballots["code"] and election, (code, response.get_json())
                reach.mark("found")
                return
        if is_redirect(response):  # Werkzeug merges "//" (a code "/" decodes to one) with a redirect; nothing is read
            return
        error = assert_clean_refusal(response)
        assert response.status_code in (400, 404, 405), (response.status_code, error)

    with reach.watching():
        examples()
    reach.require(index=0.1, some=("found",))  # the one code on the board, which Hypothesis tries once or twice


def test_the_posted_ballot_is_found(ballots):
    """The lookup fuzzer's one accepted input really is served (so the fuzzer's 200 branch is reachable)."""
    world = ballots["world"]
    found = world.expect(world.client.get(f"/api/v1/elections/{world.election_id}/ballots/{ballots['code']}"), 200)
    assert found["status"] == "cast"
