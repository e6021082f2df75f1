"""Mutation tests on an exported evote record: one value changed at a time, twice over.

* As a careless forger: the value is changed in entries.jsonl and nothing else — the hash chain breaks at that
  entry (B.1; B.4 too when entries are moved), while the signed checkpoint still holds (B.2, B.3 pass).
* As a dishonest board operator with the board's key file: every entry is re-hashed and re-linked, the Merkle
  root recomputed and a new checkpoint signed — the board checks pass, and the content check that covers the
  value must fail (the ids listed with each case; others may fail too, as a consequence).
"""

from __future__ import annotations

import json

import pytest
from support.evote_support import board_checks, failed_in, failed_steps, verified  # noqa: F401
from support.evote_tools import copy_export, edited, flip_hex, nth
from support.verifier_support import times_g

from voting.credentials import contest_data_digest, derive_voter_key


def _selection(entries, n=0):
    return nth(entries, "ballot.cast", n)["payload"]["ballot"]["contests"][0]["selections"][0]


def ballot_alpha(entries):
    selection = _selection(entries)
    selection["alpha"] = times_g(selection["alpha"])


def ballot_proof(entries):
    proof = _selection(entries)["proof"]
    proof["c"][0], proof["v"][0] = flip_hex(proof["c"][0]), flip_hex(proof["v"][0])


def tally_proof(entries):
    proof = nth(entries, "tally.result")["payload"]["contests"][0]["options"][0]["proof"]
    proof["c"], proof["v"] = flip_hex(proof["c"]), flip_hex(proof["v"])


def commitment(entries):
    body = nth(entries, "keygen.commitments", 1)["payload"]["body"]
    body["commitments"][1] = times_g(body["commitments"][1])


def partial_decryption(entries):
    item = nth(entries, "decryption.share", -1)["payload"]["body"]["items"][0]
    item["M"] = times_g(item["M"])


def tally_count(entries):
    nth(entries, "tally.result")["payload"]["contests"][0]["options"][0]["t"] += 1


def listed_credential(entries):
    """The first voter's key on the list is replaced by another (the list stays sorted)."""
    voter = nth(entries, "ballot.cast")["payload"]["credential"]
    listed = nth(entries, "credentials.published")["payload"]["credentials"]
    listed[listed.index(voter)] = "F" * 63 + "E"
    listed.sort()


def ballot_credential(entries):
    """The first ballot claims the second voter's credential (on the list, but it did not sign)."""
    nth(entries, "ballot.cast", 0)["payload"]["credential"] = nth(entries, "ballot.cast", 1)["payload"]["credential"]


def ballot_signature(entries):
    payload = nth(entries, "ballot.cast", 2)["payload"]
    payload["signature"] = flip_hex(payload["signature"])


def ballot_contest_data(entries):
    """C1 of a cast ballot's contest data: outside the confirmation code (EG eq. 59), inside the voter's signature."""
    data = nth(entries, "ballot.cast", 0)["payload"]["ballot"]["contests"][0]["contest_data"]
    data["c1"] = flip_hex(data["c1"])


def trustee_signature(entries):
    payload = nth(entries, "keygen.confirmed", 2)["payload"]
    payload["signature"] = flip_hex(payload["signature"])


def entry_order(entries):
    """election.closed moves before the last ballot (the times stay in order, as an operator would keep them)."""
    closed = entries.index(nth(entries, "election.closed"))
    entries[closed - 1], entries[closed] = entries[closed], entries[closed - 1]
    entries[closed - 1]["received_at"], entries[closed]["received_at"] = (
        entries[closed]["received_at"],
        entries[closed - 1]["received_at"],
    )


def failed_round_blames_honest_trustee(entries):
    nth(entries, "decryption.failed")["payload"]["faulty"][0]["guardian"] = 1


def joint_key(entries):
    payload = nth(entries, "keygen.result")["payload"]
    payload["K"] = times_g(payload["K"])


def adjudication(entries):
    """keygen.result blames trustee 2, whom trustee 3 complained about, although its revealed share is good."""
    nth(entries, "keygen.result")["payload"] = {"status": "failed", "faulty": [{"guardian": 2, "reason": "bad share"}]}


def manifest_hash(entries):
    hashes = nth(entries, "election.created")["payload"]["hashes"]
    hashes["H_M"] = flip_hex(hashes["H_M"])


def revealed_nonce(entries):
    reveal = nth(entries, "ballot.challenged", 0)["payload"]["reveal"]
    reveal["nonce"] = flip_hex(reveal["nonce"])


def challenged_contest_data(entries):
    data = nth(entries, "tally.result")["payload"]["challenged"][0]["contests"][0]["contest_data"]
    data["beta"] = times_g(data["beta"])


def encrypted_tally(entries):
    option = nth(entries, "tally.encrypted")["payload"]["contests"][0]["options"][0]
    option["alpha"] = times_g(option["alpha"])


def counted_digest(entries):
    payload = nth(entries, "tally.encrypted")["payload"]
    payload["counted_digest"] = flip_hex(payload["counted_digest"])


def total_weight_in_version_1(entries):
    """A version-1 election's tally claims a total weight: its ballots all weigh 1 (record-format §8.3)."""
    nth(entries, "tally.encrypted")["payload"]["total_weight"] = 5


def revote_rule(entries):
    """Under "first", voter 3's second cast must have been refused, and the first one counts."""
    nth(entries, "election.created")["payload"]["revote_rule"] = "first"


MUTATIONS = [
    (ballot_alpha, {"5.D"}),
    (ballot_proof, {"5.D"}),
    (tally_proof, {"9.B", "L.9"}),
    (commitment, {"2.C", "L.2"}),
    (partial_decryption, {"L.2", "L.7"}),
    (tally_count, {"10.A", "L.9"}),
    (listed_credential, {"E.1"}),
    (ballot_credential, {"E.5", "E.4"}),
    (ballot_signature, {"E.5"}),
    (ballot_contest_data, {"E.5"}),
    (trustee_signature, {"L.2"}),
    (entry_order, {"L.6"}),
    (failed_round_blames_honest_trustee, {"L.8"}),
    (joint_key, {"3.B", "L.4"}),
    (adjudication, {"L.4"}),
    (manifest_hash, {"1.G", "L.1"}),
    (revealed_nonce, {"13.A"}),
    (challenged_contest_data, {"14.B", "L.9"}),
    (encrypted_tally, {"8.A"}),
    (counted_digest, {"E.4"}),
    (revote_rule, {"E.2", "E.4"}),
    (total_weight_in_version_1, {"E.4", "L.7"}),
]
BOARD = {"B.1", "B.2", "B.3", "B.4"}


@pytest.mark.parametrize("change", [m for m, _ in MUTATIONS], ids=lambda m: m.__name__)
def test_a_changed_value_breaks_the_hash_chain(tmp_path, rich, change):
    record = edited(rich.path, tmp_path / "record", change, key_file=None)
    failed = failed_in(board_checks(record))
    expected = {"B.1", "B.2", "B.4"} if change is entry_order else {"B.1"}  # moved leaves change the root too
    assert failed == expected


@pytest.mark.parametrize("change,checks", MUTATIONS, ids=[m.__name__ for m, _ in MUTATIONS])
def test_a_resigned_change_fails_the_check_that_covers_it(tmp_path, rich, change, checks):
    record = edited(rich.path, tmp_path / "record", change, key_file=rich.key_file)
    report = verified(record)
    failed = failed_steps(report)
    assert not failed & BOARD, failed
    assert checks <= failed, failed


def _insert_before_close(entries, payload):
    closed = entries.index(nth(entries, "election.closed"))
    entries.insert(closed, {"kind": "ballot.cast", "payload": payload, "received_at": entries[closed]["received_at"]})


def test_a_valid_ballot_the_tally_left_out_fails_e4(tmp_path, rich):
    """A ballot properly signed by an eligible voter, slipped in before closing: the tally did not count it."""
    world = rich.world
    payload, _ = world.submission(world.credentials[0], {"mayor": ["bob"], "council": []})
    report = verified(edited(rich.path, tmp_path / "record", lambda e: _insert_before_close(e, payload), key_file=rich.key_file))
    failed = failed_steps(report)
    assert not failed & BOARD and {"E.4", "8.A"} <= failed and "E.5" not in failed and "5.D" not in failed


def test_a_copied_ballot_fails_e6(tmp_path, rich):
    """Voter 1 signs and casts a copy of voter 2's encrypted ballot."""
    world = rich.world

    def copy_ballot(entries):
        original = nth(entries, "ballot.cast", 1)["payload"]
        voter = derive_voter_key(world.credentials[0], world.election_id)
        H_E = bytes.fromhex(nth(entries, "keygen.result")["payload"]["H_E"])
        code = bytes.fromhex(original["ballot"]["confirmation_code"])
        copy = {
            **original,
            "credential": voter.public_key_hex,
            "signature": voter.sign_ballot(world.election_id, H_E, "cast", code, contest_data_digest(original["ballot"])),
        }
        _insert_before_close(entries, copy)

    report = verified(edited(rich.path, tmp_path / "record", copy_ballot, key_file=rich.key_file))
    failed = failed_steps(report)
    assert not failed & BOARD and {"E.6", "7.C"} <= failed and "E.5" not in failed


@pytest.mark.parametrize(
    "change",
    [
        lambda manifest: manifest.update(version=True),  # Python's True == 1: found by the record fuzzer
        lambda manifest: manifest.update(size=float(manifest["size"])),
        lambda manifest: manifest.update(extra=None),  # a key record-format §6 does not define
    ],
    ids=["version true", "size float", "unknown key"],
)
def test_a_changed_export_manifest_fails_b4(tmp_path, rich, change):
    record = copy_export(rich.path, tmp_path / "record")
    manifest = json.loads((record / "manifest.json").read_bytes())
    change(manifest)
    (record / "manifest.json").write_text(json.dumps(manifest))
    assert failed_in(board_checks(record)) == {"B.4"}


def _trustee_index_array(entries):
    nth(entries, "election.created")["payload"]["guardians"]["trustees"][0]["index"] = [1]


def _guardians_array(entries):
    payload = nth(entries, "election.created")["payload"]
    payload["guardians"] = [payload["guardians"]]


@pytest.mark.parametrize("change", [_trustee_index_array, _guardians_array], ids=["trustee index array", "guardians array"])
@pytest.mark.parametrize("resigned", [False, True], ids=["careless", "re-signed"])
def test_a_malformed_trustee_list_fails_l1_and_does_not_stop_the_verifier(tmp_path, rich, change, resigned):
    """The trustees' names are read for the findings' subjects: a list of any shape is read without an
    exception (an unhashable index once raised TypeError, an array of guardians AttributeError, out of the reader)."""
    record = edited(rich.path, tmp_path / "record", change, key_file=rich.key_file if resigned else None)
    failed = failed_steps(verified(record))
    assert "L.1" in failed
    assert ("B.1" in failed) is not resigned
