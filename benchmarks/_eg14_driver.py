"""electionguard-python 1.4.0 side of benchmarks/compare_electionguard.py (a benchmark driver, not a test).

Runs inside the Python 3.10 virtual environment that compare_electionguard.py creates; never imported by evote.

    <eg14-venv>/bin/python benchmarks/_eg14_driver.py JOB.json

JOB.json (written by compare_electionguard.py) holds the manifest already converted to electionguard 1.x's
format, the plaintext ballots, the guardian numbers and the expected tally. One invocation runs one election
end to end with electionguard's own public API and prints a single JSON object on stdout:

    {"seconds": {phase: wall seconds}, "cpu_seconds": {phase: CPU seconds}, "counts": {...}, "versions": {...}}

Phases (each timed once; the caller repeats invocations and takes medians). CPU seconds are this process's
(threads included): electionguard's decryption threads count, the process pool of its tally does not.

* ``key_ceremony``: 3 ``Guardian.from_nonce`` + ``KeyCeremonyOrchestrator.perform_full_ceremony`` +
  ``publish_joint_key`` + ``ElectionBuilder.build`` (manifest hash, context).
* ``encrypt``: ``EncryptionMediator.encrypt`` for every ballot (placeholders and proofs included).
* ``verify_once``: ``CiphertextBallot.is_valid_encryption(manifest_hash, K, Q̄)`` once per ballot: the
  disjunctive Chaum-Pedersen proof of every selection (placeholders included) with its six
  ``is_valid_residue`` subgroup checks, each contest's constant Chaum-Pedersen proof and the crypto hashes.
* ``cast``: ``BallotBox.cast`` for every ballot (validates each ballot once, as above, then stores it).
* ``tally_validated``: ``tally_ballots(store, ...)``, i.e. ``CiphertextTally.batch_append(..., True)``, the
  normal flow: validates every ballot again, then accumulates through electionguard's process pool.
* ``tally_plain``: ``CiphertextTally.batch_append(..., False)`` (accumulation only).
* ``decrypt``: the guardian with sequence order ``absent`` is missing; the others run
  ``TallyCeremonyOrchestrator.perform_compensated_decryption_setup`` and the mediator's
  ``get_plaintext_tally`` (share proofs checked, discrete logs); the result must equal the expected tally.

Every phase fails loudly: a ``None`` from electionguard (its way of signalling failure) raises here.
"""

from __future__ import annotations

import json
import sys

from _timing import Stopwatch  # benchmarks/_timing.py, plain Python that runs on 3.10 too

REAL_STDOUT = sys.stdout
sys.stdout = sys.stderr  # electionguard logs to stdout; keep stdout for the one JSON result


def _require(value, what):
    if value is None or value is False:
        raise RuntimeError(f"electionguard returned {value!r} for {what}")
    return value


def main(job_path: str) -> None:
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)

    import electionguard
    import gmpy2
    from electionguard.ballot import (
        CiphertextBallot,
        PlaintextBallot,
        PlaintextBallotContest,
        PlaintextBallotSelection,
    )
    from electionguard.ballot_box import BallotBox
    from electionguard.data_store import DataStore
    from electionguard.decryption_mediator import DecryptionMediator
    from electionguard.encrypt import EncryptionDevice, EncryptionMediator
    from electionguard.key_ceremony import CeremonyDetails
    from electionguard.key_ceremony_mediator import KeyCeremonyMediator
    from electionguard.logs import ElectionGuardLog
    from electionguard.manifest import Manifest
    from electionguard.serialize import from_raw
    from electionguard.tally import CiphertextTally, tally_ballots
    from electionguard_tools.helpers.election_builder import ElectionBuilder
    from electionguard_tools.helpers.key_ceremony_orchestrator import KeyCeremonyOrchestrator
    from electionguard_tools.helpers.tally_ceremony_orchestrator import TallyCeremonyOrchestrator

    if job["logging"] == "quiet":
        # electionguard 1.4.0 formats every info/debug message with inspect.stack() before the logger's
        # level is consulted; a deployment that logs at WARNING would still pay for it. "quiet" drops
        # info/debug before formatting so that only the cryptography and bookkeeping are timed
        # (warnings, i.e. failures, still go through).
        ElectionGuardLog.info = lambda self, *args, **kwargs: None
        ElectionGuardLog.debug = lambda self, *args, **kwargs: None

    verifications = {"count": 0}
    original_is_valid = CiphertextBallot.is_valid_encryption

    def counting_is_valid(self, *args, **kwargs):
        verifications["count"] += 1
        return original_is_valid(self, *args, **kwargs)

    CiphertextBallot.is_valid_encryption = counting_is_valid

    manifest = from_raw(Manifest, json.dumps(job["manifest"]))
    _require(manifest.is_valid(), "Manifest.is_valid()")
    n, k = job["guardians"], job["quorum"]
    clock = Stopwatch()

    # Key ceremony
    with clock.phase("key_ceremony"):
        details = CeremonyDetails(n, k)
        guardians = KeyCeremonyOrchestrator.create_guardians(details)
        key_mediator = KeyCeremonyMediator("benchmark-mediator", details)
        KeyCeremonyOrchestrator.perform_full_ceremony(guardians, key_mediator)
        joint_key = _require(key_mediator.publish_joint_key(), "publish_joint_key")
        builder = ElectionBuilder(n, k, manifest)
        builder.set_public_key(joint_key.joint_public_key)
        builder.set_commitment_hash(joint_key.commitment_hash)
        internal_manifest, context = _require(builder.build(), "ElectionBuilder.build")

    plaintexts = [
        PlaintextBallot(
            b["object_id"],
            b["style"],
            [
                PlaintextBallotContest(contest_id, [PlaintextBallotSelection(selection_id, 1) for selection_id in chosen])
                for contest_id, chosen in b["choices"].items()
            ],
        )
        for b in job["ballots"]
    ]

    # Encryption
    device = EncryptionDevice(20260001, 12345, 45678, "benchmark")
    encrypter = EncryptionMediator(internal_manifest, context, device)
    with clock.phase("encrypt"):
        encrypted = [_require(encrypter.encrypt(ballot), f"encrypt {ballot.object_id}") for ballot in plaintexts]

    # One verification of every ballot
    with clock.phase("verify_once"):
        for ballot in encrypted:
            _require(
                ballot.is_valid_encryption(
                    internal_manifest.manifest_hash, context.elgamal_public_key, context.crypto_extended_base_hash
                ),
                f"is_valid_encryption {ballot.object_id}",
            )

    # The normal flow: cast into the ballot box, then tally_ballots
    verifications["count"] = 0
    store = DataStore()
    box = BallotBox(internal_manifest, context, store)
    with clock.phase("cast"):
        for ballot in encrypted:
            _require(box.cast(ballot), f"BallotBox.cast {ballot.object_id}")
    verifications_in_cast = verifications["count"]

    verifications["count"] = 0
    with clock.phase("tally_validated"):
        tally = _require(tally_ballots(store, internal_manifest, context), "tally_ballots")
    verifications_in_tally = verifications["count"]

    with clock.phase("tally_plain"):
        plain_tally = CiphertextTally("benchmark-plain", internal_manifest, context)
        _require(plain_tally.batch_append(store.items(), False), "batch_append(should_validate=False)")

    # Decryption of the tally with one guardian absent
    absent = job["absent"]
    available = [g for g in guardians if g.sequence_order != absent]
    all_keys = [g.share_key() for g in guardians]
    with clock.phase("decrypt"):
        decryption_mediator = DecryptionMediator("benchmark-decryption", context)
        TallyCeremonyOrchestrator.perform_compensated_decryption_setup(available, all_keys, decryption_mediator, context, tally)
        result = _require(decryption_mediator.get_plaintext_tally(tally, manifest), "get_plaintext_tally")

    decrypted = {
        contest_id: {selection_id: selection.tally for selection_id, selection in contest.selections.items()}
        for contest_id, contest in result.contests.items()
    }
    if decrypted != job["expected_tally"]:
        raise RuntimeError(f"electionguard's tally {decrypted} differs from the expected {job['expected_tally']}")

    selections = [s for b in encrypted for c in b.contests for s in c.ballot_selections]
    real = sum(1 for s in selections if not s.is_placeholder_selection)
    counts = {
        "ballots": len(encrypted),
        "real_selections": real,
        "placeholder_selections": len(selections) - real,
        "tally_selections": sum(len(c.selections) for c in tally.contests.values()),
        "verifications_per_ballot_in_cast": verifications_in_cast / len(encrypted),
        "verifications_per_ballot_in_tally_ballots": verifications_in_tally / len(encrypted),
        "guardians_available": [g.sequence_order for g in available],
    }
    versions = {
        "electionguard": electionguard.__version__ if hasattr(electionguard, "__version__") else _dist_version("electionguard"),
        "python": sys.version.split()[0],
        "gmpy2": gmpy2.version(),
        "gmp": gmpy2.mp_version(),
        "logging": job["logging"],
    }
    REAL_STDOUT.write(
        json.dumps({"seconds": clock.wall, "cpu_seconds": clock.cpu, "counts": counts, "versions": versions}) + "\n"
    )
    REAL_STDOUT.flush()


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: _eg14_driver.py JOB.json")
    main(sys.argv[1])
