"""Parallel verification: the result does not depend on the number of workers, and a worker that fails
fails the verification (never swallowed). Dask runs against a local in-process cluster."""

from __future__ import annotations

import os

import pytest
from support.environment import require_module
from support.verifier_support import absent_guardian_record, comparable, copy_record, edit, failed_steps, plus_one  # noqa: F401

from voting.verifier.findings import Status
from voting.verifier.readers.egk import open_egk
from voting.verifier.run import verify

DEVICE = "encrypted_ballots/device1"


def failing_worker(setting, decoder, raws):
    """Put in place of the chunk worker: raises like a worker with a bug would."""
    raise RuntimeError("injected worker failure")


def dying_worker(setting, decoder, raws):
    """Put in place of the chunk worker: the worker process dies."""
    os._exit(3)


def _broken_copy(tmp_path, source):
    root = copy_record(source, tmp_path / "record")
    edit(
        root,
        f"{DEVICE}/eballot-b2.json",
        lambda d: d["contests"][1]["selections"][0]["proof"]["proofs"][0].update(
            response=plus_one(d["contests"][1]["selections"][0]["proof"]["proofs"][0]["response"])
        ),
    )
    return root


def test_one_and_two_workers_give_the_same_report(tmp_path, absent_guardian_record):
    root = _broken_copy(tmp_path, absent_guardian_record)
    one = verify(open_egk(root), workers=1, chunk_size=1)
    two = verify(open_egk(root), workers=2, chunk_size=1)
    assert not one.passed and failed_steps(one) == {"5.D"}
    assert comparable(one) == comparable(two)


def _assert_stopped(report, reason: str):
    assert not report.passed
    steps = {s.id: s for v in report.verifications for s in v.steps}
    assert steps["5"].status is Status.FAILED
    assert any(reason in f.message for f in steps["5"].count.failures)
    for step in ("7.C", "8.A", "8.B", "10.E"):  # nothing that needs every ballot may pass
        assert steps[step].status is Status.FAILED, step
        assert any("not all verified" in f.message for f in steps[step].count.failures)


def test_exception_in_a_worker_process_fails_the_run(absent_guardian_record):
    report = verify(open_egk(absent_guardian_record), workers=2, chunk_size=1, chunk_worker=failing_worker)
    _assert_stopped(report, "RuntimeError: injected worker failure")


def test_exception_inline_fails_the_run(absent_guardian_record):
    report = verify(open_egk(absent_guardian_record), workers=1, chunk_worker=failing_worker)
    _assert_stopped(report, "RuntimeError: injected worker failure")


def test_worker_process_that_dies_fails_the_run(absent_guardian_record):
    report = verify(open_egk(absent_guardian_record), workers=2, chunk_size=1, chunk_worker=dying_worker)
    _assert_stopped(report, "BrokenProcessPool")


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = require_module("distributed", "Dask is an optional extra: pip install 'evote[dask]'")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster


def test_dask_cluster_gives_the_same_report(tmp_path, absent_guardian_record, dask_cluster):
    root = _broken_copy(tmp_path, absent_guardian_record)
    local = verify(open_egk(root), workers=1, chunk_size=1)
    remote = verify(open_egk(root), scheduler=dask_cluster.scheduler_address, chunk_size=1)
    assert remote.statistics["scheduler"] == dask_cluster.scheduler_address
    assert comparable(local) == comparable(remote)


def test_exception_on_a_dask_worker_fails_the_run(absent_guardian_record, dask_cluster):
    report = verify(open_egk(absent_guardian_record), scheduler=dask_cluster.scheduler_address, chunk_worker=failing_worker)
    _assert_stopped(report, "injected worker failure")


def test_unreachable_scheduler_fails_the_run(absent_guardian_record):
    dask = require_module("dask", "Dask is an optional extra: pip install 'evote[dask]'")
    require_module("distributed", "Dask is an optional extra: pip install 'evote[dask]'")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        report = verify(open_egk(absent_guardian_record), scheduler="tcp://127.0.0.1:9")
    assert not report.passed
    (stopped,) = [f for v in report.verifications for s in v.steps if s.id == "5" for f in s.count.failures]
    assert "after 0 ballots" in stopped.message and "127.0.0.1:9" in stopped.message
