"""The browser booth's cryptography (voting/booth/static/js/eg/, run in Node) against the Python core
(`voting`): the same injected nonces give the identical encrypted-ballot JSON, each side accepts the other's
ballots and challenge reveals, the booth derives the core's credential keys, and the core's board checks
accept the booth's submissions (docs/record-format.md §3-5)."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess

import pytest
import rfc8785
from support.booth_js_support import REPO_ROOT, require_node

from voting.ballot import make_ballot
from voting.ballot_checks import check_ballot
from voting.challenge import open_challenged_ballot
from voting.context import ElectionContext
from voting.credentials import (
    InvalidSignature,
    ballot_signature_message,
    contest_data_digest,
    derive_voter_key,
    format_credential,
    parse_public_key,
    verify_signature,
)
from voting.encoding import hex_p, hex_q
from voting.encrypt import encrypt_ballot
from voting.encrypted_ballot import ballot_to_json, parse_encrypted_ballot
from voting.errors import InvalidBallot, VotingError
from voting.group import STANDARD, ElementModQ, g_pow
from voting.manifest import parse_manifest
from voting.randomness import insecure_replay_for_tests
from voting.record.submission import build_submission, check_submission, parse_submission

H_E = bytes(range(32))
SECRET = ElementModQ.parse(0x5EED_CAFE_0000_0001, STANDARD)  # published test secret: tests only
CONTEXT = ElectionContext(g_pow(SECRET, STANDARD), H_E)
MANIFEST_DOC = {
    "label": "Cross-check election",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "votes_allowed": 1, "options": [{"label": f"candidate-{i}"} for i in range(1, 11)]},
        {"label": "council", "votes_allowed": 2, "options": [{"label": "dan"}, {"label": "eve"}, {"label": "fay"}]},
        {"label": "budget", "votes_allowed": 3, "option_limit": 2, "options": [{"label": "parks"}, {"label": "roads"}]},
    ],
    "ballot_styles": [
        {"label": "north", "contests": ["mayor", "council", "budget"]},
        {"label": "south", "contests": ["budget", "mayor"]},
    ],
}
MANIFEST = parse_manifest(MANIFEST_DOC)
ELECTION = {"electionPublicKey": hex_p(CONTEXT.K), "extendedBaseHash": H_E.hex().upper()}


def node(mode: str, request: dict) -> dict:
    executable = require_node()
    completed = subprocess.run(
        [executable, "tests/js/cross_check.mjs", mode],
        cwd=REPO_ROOT,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    return json.loads(completed.stdout)


def fixed_scalar(*label: object) -> ElementModQ:
    """A fixed test nonce derived from its place in the ballot (defeats all secrecy: tests only)."""
    digest = hashlib.sha256("|".join(map(str, label)).encode()).digest()
    return ElementModQ.reduce(int.from_bytes(digest, "big"), STANDARD)


def nonce_schedule(style: str, choices: dict) -> tuple[list[ElementModQ], dict]:
    """The same proof nonces for both sides: Python's replay order (per proof u_0..u_R, then c_j for j ≠ ℓ)
    and the library's testOnlyProofNonces map."""
    plain = make_ballot(MANIFEST, style, choices)
    sequence: list[ElementModQ] = []
    by_place: dict[str, dict] = {}

    def proof(key: str, limit: int, ell: int) -> None:
        u = [fixed_scalar(key, "u", j) for j in range(limit + 1)]
        c = [fixed_scalar(key, "c", j) for j in range(limit + 1)]
        sequence.extend(u + [c[j] for j in range(limit + 1) if j != ell])
        by_place[key] = {"u": [hex_q(x) for x in u], "c": [hex_q(x) for x in c]}

    for contest in plain.contests:
        label = contest.contest.label
        for option, sigma in zip(contest.contest.options, contest.votes):
            proof(f"selection|{label}|{option.label}", contest.contest.option_limit, sigma)
        proof(f"limit|{label}", contest.contest.votes_allowed, sum(contest.votes))
    return sequence, by_place


CASES = [
    ("north", {"mayor": ["candidate-7"], "council": ["fay", "dan"], "budget": ["roads", "roads", "parks"]}),
    ("north", {"council": ["eve"]}),
    ("south", {"budget": ["parks"], "mayor": []}),
]


@pytest.mark.parametrize(("style", "choices"), CASES)
def test_same_nonces_give_identical_ballot_json(style: str, choices: dict) -> None:
    ballot_nonce = hashlib.sha256(f"ballot nonce {style} {choices}".encode()).digest()
    sequence, by_place = nonce_schedule(style, choices)
    python = encrypt_ballot(
        CONTEXT,
        make_ballot(MANIFEST, style, choices),
        ballot_nonce=ballot_nonce,
        random=insecure_replay_for_tests(sequence),
    )
    python_json = ballot_to_json(python.ballot)
    js = node(
        "encrypt",
        {
            "manifest": MANIFEST_DOC,
            "style": style,
            "choices": choices,
            **ELECTION,
            "testOnlyBallotNonce": ballot_nonce.hex().upper(),
            "testOnlyProofNonces": by_place,
        },
    )
    assert js["ballot"] == python_json
    assert rfc8785.dumps(js["ballot"]) == rfc8785.dumps(python_json)
    assert js["ballotNonce"] == ballot_nonce.hex().upper()


def test_python_accepts_a_random_booth_ballot_and_its_challenge_reveal() -> None:
    js = node("encrypt", {"manifest": MANIFEST_DOC, "style": "north", "choices": CASES[0][1], **ELECTION})
    ballot = parse_encrypted_ballot(js["ballot"], MANIFEST)
    check_ballot(ballot, MANIFEST, CONTEXT)
    nonce = bytes.fromhex(js["ballotNonce"])
    plain = open_challenged_ballot(ballot, MANIFEST, CONTEXT, nonce, js["choices"])
    assert plain == make_ballot(MANIFEST, "north", CASES[0][1])
    other = copy.deepcopy(js["choices"])
    other["mayor"] = ["candidate-1"]
    with pytest.raises(InvalidBallot):
        open_challenged_ballot(ballot, MANIFEST, CONTEXT, nonce, other)


def test_booth_verifier_accepts_a_python_challenged_ballot_and_rejects_a_false_reveal() -> None:
    choices = {"mayor": ["candidate-2"], "council": ["eve", "fay"], "budget": {"parks": 2}}
    result = encrypt_ballot(CONTEXT, make_ballot(MANIFEST, "north", choices))
    ballot = ballot_to_json(result.ballot)
    # The booth's reveal lists option labels, an option once per vote (manifest.js).
    reveal = {
        "nonce": result.ballot_nonce.hex().upper(),
        "choices": {"mayor": ["candidate-2"], "council": ["eve", "fay"], "budget": ["parks", "parks"]},
    }
    request = {"manifest": MANIFEST_DOC, "ballot": ballot, "reveal": reveal, **ELECTION}
    assert node("verifyChallenge", request) == {"ok": True}
    reveal["choices"]["budget"] = ["parks", "roads"]
    answer = node("verifyChallenge", request)
    assert answer["ok"] is False
    assert answer["error"]["name"] == "ChallengeMismatch"
    assert answer["error"]["field"] == "ballot.contests[2].selections[0].beta"


ELECTION_ID = "springfield-2026"
CREDENTIAL = format_credential(bytes(range(100, 116)))


@pytest.mark.parametrize("style_signed", [False, True], ids=["v2 message", "v3 message (styled)"])
def test_booth_derives_the_core_credential_key_and_signs_the_core_message(style_signed: bool) -> None:
    """The same bytes signed: evote/ballot/v2 for version-1 lists, evote/ballot/v3 with the style for version 2
    (record format §5); a v3 signature does not pass as v2, nor for another style."""
    request = {
        "styleSigned": style_signed,
        "credential": CREDENTIAL.lower().replace("-", " "),
        "electionId": ELECTION_ID,
        "extendedBaseHash": H_E.hex().upper(),
        "action": "challenge",
        "ballot": {
            "style": "Quartier nord–est",  # not ASCII: the length is of its UTF-8 bytes
            "confirmation_code": "AB" * 32,
            "contests": [{"contest_data": {"c0": "0A" * 512, "c1": "1B" * 64, "c2": "2C" * 32}}],
        },
    }
    js = node("sign", request)
    voter = derive_voter_key(CREDENTIAL, ELECTION_ID)
    assert js["publicKey"] == voter.public_key_hex
    digest = contest_data_digest(request["ballot"])
    key, signature = parse_public_key(js["publicKey"], "credential"), bytes.fromhex(js["signature"])

    def message(style):
        return ballot_signature_message(ELECTION_ID, H_E, "challenge", bytes.fromhex("AB" * 32), digest, style)

    signed = "Quartier nord–est" if style_signed else None
    verify_signature(key, message(signed), signature)
    for other in {None, "Quartier nord–est", "north"} - {signed}:
        with pytest.raises(InvalidSignature):
            verify_signature(key, message(other), signature)


def booth_submission(action: str, reveal: bool, style_signed: bool = False) -> dict:
    return node(
        "submit",
        {
            "manifest": MANIFEST_DOC,
            "style": "north",
            "choices": CASES[0][1],
            **ELECTION,
            "credential": CREDENTIAL,
            "electionId": ELECTION_ID,
            "action": action,
            "reveal": reveal,
            "styleSigned": style_signed,
        },
    )


@pytest.mark.parametrize("style_signed", [False, True], ids=["version-1 list", "version-2 list"])
@pytest.mark.parametrize("action", ["cast", "challenge"])
def test_core_accepts_the_booth_submission(action: str, style_signed: bool) -> None:
    """The board's parse_submission and check_submission (signature, Verifications 5-7) pass, with the
    signature the election's list version asks for, and only with that one."""
    submission = parse_submission(booth_submission(action, reveal=False, style_signed=style_signed), MANIFEST)
    assert submission.credential == derive_voter_key(CREDENTIAL, ELECTION_ID).public_key_hex
    check_submission(submission, ELECTION_ID, MANIFEST, CONTEXT, style_signed=style_signed)
    with pytest.raises(VotingError):
        check_submission(submission, ELECTION_ID, MANIFEST, CONTEXT, style_signed=not style_signed)


def test_core_accepts_the_booth_challenge_reveal() -> None:
    submission = parse_submission(booth_submission("challenge", reveal=True), MANIFEST)
    check_submission(submission, ELECTION_ID, MANIFEST, CONTEXT)


def test_booth_verifier_accepts_a_core_reveal_in_the_mapping_form() -> None:
    choices = {"mayor": ["candidate-3"], "council": ["dan"], "budget": {"roads": 2}}
    result = encrypt_ballot(CONTEXT, make_ballot(MANIFEST, "north", choices))
    payload = build_submission(
        result.ballot,
        derive_voter_key(CREDENTIAL, ELECTION_ID),
        ELECTION_ID,
        H_E,
        "challenge",
        reveal_nonce=result.ballot_nonce,
        reveal_choices=choices,
    )
    request = {"manifest": MANIFEST_DOC, "ballot": payload["ballot"], "reveal": payload["reveal"], **ELECTION}
    assert node("verifyChallenge", request) == {"ok": True}
