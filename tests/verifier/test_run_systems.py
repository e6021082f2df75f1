"""The runner of other systems' checklists (voting/verifier/run_systems.py), on a made-up system
(tests/support/toy_system.py): streaming in order through workers, failing closed, and weak Fiat-Shamir
steps reported as "consistent", never "passed"."""

from __future__ import annotations

import json

from support.environment import require_module
from support.toy_system import ToyRecord

from voting.verifier.html import render_html
from voting.verifier.run_systems import verify_system


def _steps(report):
    return {s.id: s for v in report.verifications for s in v.steps}


def test_a_consistent_record_is_consistent_not_passed_and_states_its_result():
    report = verify_system(ToyRecord(range(0, 40, 2), sum(range(0, 40, 2))), workers=1, chunk_size=3)
    assert report.outcome == "consistent"
    data = report.to_json()
    assert data["result"] == "consistent"
    assert data["result_means"] == "proofs consistent under Helios' weak Fiat-Shamir"
    steps = {s["id"]: s for v in data["verifications"] for s in v["steps"]}
    assert steps["TK.1"]["status"] == "consistent" and steps["TK.1"]["means"] == data["result_means"]
    assert steps["TS.1"]["status"] == "passed" and steps["TS.1"]["passed"] == 20
    assert report.verified_result["questions"][0]["answers"][0]["count"] == sum(range(0, 40, 2))
    page = render_html(report)
    assert "Consistent, not verified" in page and "Verified.</strong>" not in page
    assert "a toy cannot prove anything" in page


def test_workers_merge_chunks_in_stream_order():
    values = list(range(0, 200, 2))
    one = verify_system(ToyRecord(values, sum(values)), workers=1, chunk_size=7)
    two = verify_system(ToyRecord(values, sum(values)), workers=2, chunk_size=7)
    assert one.verified_result["order"] == two.verified_result["order"] == list(range(100))
    assert json.dumps(one.to_json()["verifications"]) == json.dumps(two.to_json()["verifications"])


def test_a_bad_ballot_fails_naming_it_and_no_result_is_stated():
    report = verify_system(ToyRecord([2, 4, 7, 8], 21), workers=1)
    assert report.outcome == "failed"
    failure = _steps(report)["TS.1"].count.failures[0]
    assert failure.subject == "ballot 2" and failure.origin == "ballots[2]" and failure.found == "7"
    assert report.verified_result is None and "did not pass" in report.no_result_because


def test_a_wrong_total_fails_the_summary_step():
    report = verify_system(ToyRecord([2, 4], 8), workers=1)
    assert _steps(report)["TS.2"].count.failed == 1 and report.outcome == "failed"


def test_a_step_nobody_reports_on_fails_as_no_result():
    report = verify_system(ToyRecord([2], 2, silent=True), workers=1)
    failure = _steps(report)["TK.2"].count.failures[0]
    assert "no result" in failure.message and report.outcome == "failed"


def test_a_check_that_raises_fails_its_steps():
    report = verify_system(ToyRecord([2], 2, explode=True), workers=1)
    failure = _steps(report)["TK.3"].count.failures[0]
    assert "KeyError" in failure.message and report.outcome == "failed"


def test_a_reader_that_breaks_mid_stream_fails_the_ballot_steps():
    class Broken(ToyRecord):
        def ballots(self):
            yield from super().ballots()
            raise OSError("disk gone")

    report = verify_system(Broken([2, 4], 6), workers=1, chunk_size=1)
    failure = _steps(report)["TS.1"].count.failures[0]
    assert "ballot verification stopped after" in failure.message and "disk gone" in failure.message
    assert report.outcome == "failed"


def test_a_dask_cluster_gives_the_same_report(tmp_path):
    distributed = require_module("distributed", "Dask is an optional extra: pip install 'evote[dask]'")
    values = list(range(0, 60, 2))
    local = verify_system(ToyRecord(values, sum(values)), workers=1, chunk_size=4)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        remote = verify_system(ToyRecord(values, sum(values)), scheduler=cluster.scheduler_address, chunk_size=4)
    assert remote.verified_result == local.verified_result
    assert json.dumps(remote.to_json()["verifications"]) == json.dumps(local.to_json()["verifications"])
    assert remote.statistics["scheduler"] == cluster.scheduler_address
