"""evote side of benchmarks/compare_electionguard.py: one election end to end with the core, timed by phase.

Phases, each with its wall-clock and CPU seconds for the whole batch (the caller divides by its selection
counts and takes medians):

* ``key_ceremony``: n guardian polynomials, commitments with Schnorr proofs, Verification 2 of every
  guardian's commitments, every share sent (hashed ElGamal) and received (decrypted and checked against the
  sender's commitments, eq. 21), K, the key shares P(i), the public key shares g^P(i) and H_E.
* ``tables``: the fixed-base table for K (built once per election and process; not part of ``encrypt`` or
  ``verify_*``, which use it). g's table is built once per process before any run (compare_electionguard.py).
* ``encrypt``: ``make_ballot`` + ``encrypt_ballot`` for every ballot (range proofs, limit proofs, contest
  data, contest hashes, confirmation code).
* ``verify_1``: for every ballot, from its JSON object: ``parse_encrypted_ballot`` (canonical hex, scalars
  in Z_q, batched subgroup membership of every α, β: checks 5.A/6.A) and ``check_ballot``
  (Verifications 5, 6, 7.A, 7.B), in this process.
* ``verify_2``: the same with the ballots split over two worker processes
  (``concurrent.futures.ProcessPoolExecutor``; a worker's exception is re-raised here by ``result()``).
  The pool is started and warmed up before the clock starts. Its CPU seconds are those of the busier
  worker: what the pool's wall time would be with a core free for each worker (on a shared machine the
  wall time can be much longer).
* ``tally``: ``aggregate`` (eq. 62) over the parsed ballots.
* ``decrypt``: ``decrypt_locally`` with the guardians of ``available`` only (both rounds, every guardian's
  responses checked, eqs. 74-75), then T = B·M^-1 and the discrete log of every tally entry; the result
  must equal the expected tally.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Sequence

from _timing import Stopwatch

from voting.ballot import make_ballot
from voting.ballot_checks import check_ballot
from voting.context import ElectionContext
from voting.election import ElectionParameters
from voting.elgamal import discrete_log
from voting.encrypt import encrypt_ballot
from voting.encrypted_ballot import ballot_to_json, parse_encrypted_ballot
from voting.group import STANDARD, ElementModP, ElementModQ
from voting.joint_decryption import decrypt_locally
from voting.key_ceremony import GuardianPolynomial, joint_public_key, key_share, public_key_share, receive_share, send_share
from voting.manifest import Manifest, parse_manifest
from voting.tally import aggregate

Choices = list[tuple[str, dict[str, list[str]]]]


def key_ceremony(params: ElectionParameters) -> tuple[ElectionContext, dict[int, ElementModQ], dict[int, ElementModP]]:
    """The guardians' side of SPEC §3.2 run in one process: (context, key shares P(i), g^P(i))."""
    n, k, H_P = params.n, params.k, params.H_P
    polynomials = {i: GuardianPolynomial.generate(i, k, params.group) for i in range(1, n + 1)}
    commitments = {i: p.commit(H_P) for i, p in polynomials.items()}
    for c in commitments.values():
        c.verify(H_P, k)  # Verification 2 by every guardian (and anyone)
    received = {l: {l: polynomials[l].evaluate(l)} for l in polynomials}
    for i, sender in polynomials.items():
        for l in polynomials:
            if l != i:
                encrypted = send_share(H_P, sender, commitments[l])
                received[l][i] = receive_share(H_P, polynomials[l], commitments[i], encrypted)
    K = joint_public_key(c.public_key for c in commitments.values())
    shares = {l: key_share(l, received[l]) for l in polynomials}
    public = {i: public_key_share(commitments.values(), i) for i in polynomials}
    return params.context(K), shares, public


_WORKER: dict[str, Any] = {}


def _init_worker(manifest_document: dict[str, Any], K: int, H_E: bytes) -> None:
    """Worker start: the manifest and context (the fixed-base tables come with the fork, or are built once)."""
    manifest = parse_manifest(manifest_document)
    context = ElectionContext(ElementModP.parse(K, STANDARD), H_E)
    context.g_table, context.K_table
    _WORKER.update(manifest=manifest, context=context)


def _warm_up(seconds: float) -> int:
    time.sleep(seconds)  # both workers sleep at once, so each of them has started and run its initializer
    return multiprocessing.current_process().pid


def _verify_share(ballots: Sequence[dict[str, Any]]) -> tuple[int, float]:
    """A worker's task: its share of the ballots checked, and the CPU seconds it spent on them."""
    start = time.process_time()
    count = verify_ballots(ballots)
    return count, time.process_time() - start


def verify_ballots(
    ballots: Sequence[dict[str, Any]], manifest: Manifest | None = None, context: ElectionContext | None = None
) -> int:
    """Parse and check every ballot JSON object; raises on the first invalid one. Returns the count."""
    manifest = manifest or _WORKER["manifest"]
    context = context or _WORKER["context"]
    for obj in ballots:
        check_ballot(parse_encrypted_ballot(obj, manifest, context.group), manifest, context)
    return len(ballots)


def run_election(
    manifest: Manifest,
    ballots: Choices,
    expected: dict[str, dict[str, int]],
    *,
    guardians: int,
    quorum: int,
    available: Sequence[int],
    workers: int,
) -> dict[str, dict[str, float]]:
    """One election end to end: {"seconds": wall seconds per phase, "cpu_seconds": CPU seconds per phase}."""
    clock = Stopwatch()
    params = ElectionParameters(manifest, guardians, quorum)

    with clock.phase("key_ceremony"):
        context, shares, public = key_ceremony(params)

    with clock.phase("tables"):
        context.g_table, context.K_table

    with clock.phase("encrypt"):
        encrypted = [encrypt_ballot(context, make_ballot(manifest, style, choices)).ballot for style, choices in ballots]
    documents = [ballot_to_json(b) for b in encrypted]

    with clock.phase("verify_1"):
        verify_ballots(documents, manifest, context)

    # "fork" so that workers inherit the tables just built (a verifier that spawns builds them once per worker)
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_init_worker,
        initargs=(manifest.document, int(context.K.value), context.H_E),
    ) as pool:
        pids = set(pool.map(_warm_up, [0.3] * workers))
        if len(pids) != workers:
            raise RuntimeError(f"expected {workers} warm worker processes, got {len(pids)}")
        with clock.phase("verify_2"):
            futures = [pool.submit(_verify_share, documents[w::workers]) for w in range(workers)]
            results = [f.result() for f in futures]
    checked = sum(count for count, _ in results)
    if checked != len(documents):
        raise RuntimeError(f"the workers checked {checked} of {len(documents)} ballots")
    clock.cpu["verify_2"] = max(cpu for _, cpu in results)  # the workers' CPU, not this (waiting) process's

    with clock.phase("tally"):
        tally = aggregate(manifest, encrypted)

    with clock.phase("decrypt"):
        entries = list(tally.items())
        results = decrypt_locally([ct for _, _, ct in entries], {i: shares[i] for i in available}, public, context, quorum)
        decrypted: dict[str, dict[str, int]] = {}
        for (contest, option, ct), result in zip(entries, results):
            T = ct.beta * result.M.inverse()
            decrypted.setdefault(contest, {})[option] = discrete_log(T, context.K, tally.ballot_count)
    if decrypted != expected:
        raise RuntimeError(f"evote's tally {decrypted} differs from the expected {expected}")
    return {"seconds": clock.wall, "cpu_seconds": clock.cpu}
