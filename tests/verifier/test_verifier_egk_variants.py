"""egk's departures from the SPEC's byte layouts (voting/verifier/readers/egk_variants.py), checked against
egk's own vector ../shared/vectors/electionguard-2.0/DecryptBallotTestVector.json, which the SPEC layout
does not verify."""

from __future__ import annotations

import json

import pytest

from voting.context import ElectionContext
from voting.decryption import DecryptionProof, verify_contest_data_decryption
from voting.encoding import parse_digest, parse_p, parse_q
from voting.errors import InvalidProof
from voting.hashed_elgamal import HashedCiphertext
from voting.manifest import Contest, Option
from voting.verifier.model import WrittenContestData
from voting.verifier.readers.egk_variants import egk_contest_data_challenge, egk_open_contest_data


def _contest_data(egk_vectors):
    vector = json.loads((egk_vectors / "DecryptBallotTestVector.json").read_text())
    context = ElectionContext(parse_p(vector["joint_public_key"], "K"), parse_digest(vector["extended_base_hash"], "H_E"))
    items = []
    for contest in vector["expected_decrypted_ballot"]["contests"]:
        data = contest["decrypted_contest_data"]
        encrypted = data["encrypted_contest_data"]
        written = WrittenContestData(
            int(encrypted["c0"], 16),
            bytes.fromhex(encrypted["c1"]),
            bytes.fromhex(encrypted["c2"]),
            (("numBytes", encrypted["numBytes"]),),
        )
        label = contest["contest_id"]
        items.append(
            (
                label,
                written,
                parse_p(data["beta"], "beta"),
                DecryptionProof(parse_digest(data["proof"]["challenge"], "c"), parse_q(data["proof"]["response"], "v")),
            )
        )
    assert items
    return context, items


def test_egk_contest_data_challenge_verifies_egk_proofs(egk_vectors):
    context, items = _contest_data(egk_vectors)
    for _, written, beta, proof in items:
        ciphertext = HashedCiphertext(parse_p(f"{written.C0:01024X}", "C0"), written.C1, written.C2)
        verify_contest_data_decryption(context, ciphertext, beta, proof, step=14, challenge=egk_contest_data_challenge)
        with pytest.raises(InvalidProof) as spec_layout:  # the SPEC's b(C1, l_p), b(C2, l_p) layout does not
            verify_contest_data_decryption(context, ciphertext, beta, proof, step=14)
        assert spec_layout.value.check == "14.B"


def test_egk_contest_data_kdf_opens_egk_ciphertexts(egk_vectors):
    context, items = _contest_data(egk_vectors)
    for label, written, beta, _ in items:
        contest = Contest(label, 0, label, 1, 1, (Option("x", 0, "x"),))
        plain = egk_open_contest_data(context, contest, written, int(beta.value))
        assert plain is not None and len(plain) == dict(written.extra)["numBytes"]
        assert egk_open_contest_data(context, contest, written, int((beta * beta).value)) is None  # a wrong β: MAC fails
        other = Contest(label + "x", 0, label, 1, 1, contest.options)  # egk's KDF context is the contest's label
        assert egk_open_contest_data(context, other, written, int(beta.value)) is None
