"""The checklist of a Belenios 1.x directory record: the same sections and step ids as a 2.0 archive's (BS, BC,
BB, BT, BR), each step checked under Belenios 1.x's own conventions (legacy_proofs.py); a step with no 1.x
counterpart is not applicable, with the reason."""

from __future__ import annotations

from ..systems import Section
from .legacy_ballots import check_ballot, check_counted
from .legacy_setup import check_credentials, check_election, check_files, check_trustees
from .legacy_tally import check_decryptions, check_encrypted_tally, check_result, no_decoded_ballots, no_shuffled_tally

SPEC = "Belenios spec (doc/specification.tex, 1.x)"

LEGACY_SECTIONS = (
    Section("BS", "Record files and election setup", f"{SPEC} §Election, §Trustee keys, §Threshold decryption support",
            record=(check_files, check_election, check_trustees)),
    Section("BC", "Public credentials", f"{SPEC} §Credentials", record=(check_credentials,)),
    Section("BB", "Ballots", f"{SPEC} §Ballots, §Signatures, §Encrypted answers, §Proofs of interval membership, "
            "§Proofs of possibly-blank votes", ballot=(check_ballot,), summary=(check_counted,)),
    Section("BT", "Encrypted tally and partial decryptions", f"{SPEC} §Tally, §Election result",
            summary=(check_encrypted_tally, check_decryptions, no_shuffled_tally)),
    Section("BR", "Result", f"{SPEC} §Election result", summary=(check_result, no_decoded_ballots)),
)

LEGACY_NOTES = (
    "Belenios 1.x record: a directory of files, with no hash chain of events; that no ballot was removed or "
    "replaced after a voter checked it is shown only by the voter finding her smart ballot tracker in ballots.jsons.",
    "Eligibility: the record holds public credentials only; that each belongs to one eligible voter is the "
    "credential authority's word, and the list of voters is not published.",
    "The fingerprint of public_creds.txt shown under BC should be compared with the one the credential "
    "authority published.",
    "Belenios 1.x's hashes name neither the group nor the election: its proofs are checked as 1.x wrote them "
    "(the weaknesses Belenios 2.0 fixed by hashing the group and the election fingerprint apply to these records).",
)
