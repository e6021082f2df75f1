"""Side-by-side performance of evote and electionguard-python 1.4.0 on the same election (a benchmark, not a test).

    python benchmarks/compare_electionguard.py [--ballots N] [--repeat R] [--json FILE]

What it does, in one invocation:

1. makes (or reuses) a Python 3.10 venv with electionguard 1.4.0 under ~/.cache/evote-bench (see _eg14_env.py);
2. reads one of our manifests (default benchmarks/manifest_bench.json), converts it to electionguard 1.x's
   format (_eg14_convert.py) and draws N ballots of choices, the same for both sides;
3. R times, alternating which side goes first, runs the whole election on each side: key ceremony
   (3 guardians, quorum 2), encrypt the N ballots, verify them, tally, decrypt the tally with guardian 3
   absent. electionguard runs as a subprocess (_eg14_driver.py, JSON on stdout), evote in this process
   (_evote_side.py). Each side checks that its decrypted tally equals the choices drawn;
4. prints medians over the R runs per selection and their ratio electionguard / evote, twice: by wall clock
   and by the CPU time of the measured process (steadier on a shared machine), plus single-operation
   calibrations (modexp, fixed-base exponentiation, subgroup checks) and the verification limit they imply,
   measured in the same invocation.

Selections are counted the same way on both sides: a *real option selection* is one option of one contest on
one ballot. electionguard 1.x also encrypts and proves L placeholder selections per contest; their cost is
included in its times, but they are not counted as selections. Decryption is per tally entry (one per
option of the manifest; electionguard's tally has no placeholders either).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import gmpy2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from _eg14_convert import expected_tally, make_choices, to_eg14_ballots, to_eg14_manifest, to_eg14_tally  # noqa: E402
from _eg14_env import cache_dir, ensure_venv  # noqa: E402
from _evote_side import run_election  # noqa: E402
from _timing import median_seconds, table  # noqa: E402

from voting.context import ElectionContext  # noqa: E402
from voting.fixed_base import table_for  # noqa: E402
from voting.group import STANDARD, g_pow, generator  # noqa: E402
from voting.manifest import Manifest, parse_manifest  # noqa: E402
from voting.membership import check_members  # noqa: E402

GUARDIANS, QUORUM, ABSENT = 3, 2, 3
WORKERS = 2


def run_eg14(python: Path, job_file: Path) -> dict[str, Any]:
    result = subprocess.run([str(python), str(HERE / "_eg14_driver.py"), str(job_file)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-6000:])
        raise SystemExit(f"the electionguard driver failed (exit {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def calibrate() -> dict[str, float]:
    """Single operations in this process, CPU seconds (as the verification they are compared with)."""
    p, q = STANDARD.p, STANDARD.q
    context = ElectionContext(g_pow(STANDARD.random_scalar()), secrets.token_bytes(32))
    context.K_table
    base = context.K.value
    exponents = iter([gmpy2.mpz(secrets.randbelow(int(q))) for _ in range(64)] * 1000)
    members = [g_pow(STANDARD.random_scalar()).value for _ in range(40)]
    cpu = time.process_time
    return {
        "modexp": median_seconds(lambda: gmpy2.powmod(base, next(exponents), p), number=40, clock=cpu),
        "fixed_base": median_seconds(lambda: context.K_table.pow_value(next(exponents)), number=200, clock=cpu),
        "subgroup_check": median_seconds(lambda: gmpy2.powmod(base, q, p), number=40, clock=cpu),
        "batched_subgroup_check": median_seconds(lambda: check_members(members, STANDARD, ["x"] * 40), repeat=5, clock=cpu) / 40,
    }


def verification_limit(
    manifest: Manifest, ballots: list[tuple[str, dict[str, list[str]]]], unit: dict[str, float]
) -> dict[str, float]:
    """Seconds per real selection that the exponentiations of a textbook verification cost.

    ``per_01_proof``: one 0/1 proof, 4 variable-base + 4 fixed-base exponentiations + 2 subgroup checks;
    ``per_01_proof_batched``: the same with the two subgroup checks batched; ``this_election``: every proof of
    these ballots counted the same way (selection proofs and the contest-limit proofs, 2(L+1) variable-base +
    2(L+1) fixed-base per contest), batched membership of every alpha, beta and contest-data C0, per real
    selection. evote shares each base's squarings between its exponents (voting.powers), so it can beat
    these counts.
    """
    m, f, b = unit["modexp"], unit["fixed_base"], unit["batched_subgroup_check"]
    var = fixed = members = selections = 0
    for style_label, _ in ballots:
        for contest in manifest.contests_of(manifest.style(style_label)):
            options, L = len(contest.options), contest.votes_allowed
            var += 4 * options + 2 * (L + 1)
            fixed += 4 * options + 2 * (L + 1)
            members += 2 * options + 1
            selections += options
    return {
        "per_01_proof": 4 * m + 4 * f + 2 * unit["subgroup_check"],
        "per_01_proof_batched": 4 * m + 4 * f + 2 * b,
        "this_election": (var * m + fixed * f + members * b) / selections,
    }


CLOCKS = ("seconds", "cpu_seconds")


def comparison_rows(
    clock: str, eg_runs: list[dict[str, Any]], ours: list[dict[str, Any]], selections: int, tally_entries: int, checks: float
) -> list[dict[str, Any]]:
    """One table's rows from the runs' ``clock`` ("seconds": wall, "cpu_seconds": CPU), medians per phase."""
    cpu = clock == "cpu_seconds"

    def eg(phase: str) -> list[float]:
        return [run[clock][phase] for run in eg_runs]

    def ev(phase: str) -> list[float]:
        return [run[clock][phase] for run in ours]

    normal_flow = [run[clock]["cast"] + run[clock]["tally_validated"] - run[clock]["tally_plain"] for run in eg_runs]
    spec = [
        # (label, unit, divisor, evote samples, electionguard samples or None, goal)
        (f"key ceremony (n = {GUARDIANS}, k = {QUORUM})", "ms/election", 1, ev("key_ceremony"), eg("key_ceremony"), None),
        ("encryption", "ms/selection", selections, ev("encrypt"), eg("encrypt"), 10),
        ("verification, 1 core (EG: is_valid_encryption once)", "ms/selection", selections, ev("verify_1"), eg("verify_once"), 3),
        (
            f"verification, {WORKERS} workers{' (busier worker)' if cpu else ''} (EG: 1 process)",
            "ms/selection",
            selections,
            ev("verify_2"),
            eg("verify_once"),
            5,
        ),
        (
            f"verification in the normal flow (EG: cast + tally_ballots = {checks:g}x)",
            "ms/selection",
            selections,
            ev("verify_1"),
            normal_flow,
            None,
        ),
        (
            "tally aggregation (EG: batch_append, no validation)",
            "ms/selection",
            selections,
            ev("tally"),
            None if cpu else eg("tally_plain"),  # electionguard accumulates in its process pool: no CPU figure
            None,
        ),
        (
            f"tally decryption, {QUORUM} of {GUARDIANS} guardians",
            "ms/tally entry",
            tally_entries,
            ev("decrypt"),
            eg("decrypt"),
            10,
        ),
        ("evote fixed-base table for K (once per election)", "ms/election", 1, ev("tables"), None, None),
    ]
    rows = []
    for label, unit_label, divisor, ours_s, theirs_s, goal in spec:
        ours_ms = statistics.median(ours_s) * 1e3 / divisor
        theirs_ms = statistics.median(theirs_s) * 1e3 / divisor if theirs_s else None
        rows.append(
            {
                "phase": label,
                "unit": unit_label,
                "evote_ms": ours_ms,
                "electionguard_ms": theirs_ms,
                "ratio": theirs_ms / ours_ms if theirs_ms else None,
                "ratio_per_run": sorted(t / o for t, o in zip(theirs_s, ours_s)) if theirs_s else [],
                "goal": goal,
            }
        )
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    return table(
        [
            (
                r["phase"],
                r["unit"],
                f"{r['evote_ms']:.2f}",
                f"{r['electionguard_ms']:.2f}" if r["electionguard_ms"] else "-",
                f"{r['ratio']:.1f}x" if r["ratio"] else "-",
                f"{r['ratio_per_run'][0]:.1f}-{r['ratio_per_run'][-1]:.1f}" if r["ratio_per_run"] else "-",
                f">= {r['goal']}x" if r["goal"] else "",
            )
            for r in rows
        ],
        ("phase", "unit", "evote", "EG 1.4.0", "EG/evote", "per run", "goal"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=12, help="ballots per election (default 12)")
    parser.add_argument("--repeat", type=int, default=3, help="elections per side; medians are reported (default 3)")
    parser.add_argument("--json", type=Path, help="also write the table and environment to this JSON file")
    parser.add_argument(
        "--manifest", type=Path, default=HERE / "manifest_bench.json", help="one of our manifests (option_limit 1)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the ballot choices")
    parser.add_argument("--python310", help="Python 3.10 interpreter for electionguard's venv (found automatically otherwise)")
    parser.add_argument(
        "--eg-logging",
        choices=["quiet", "shipped"],
        default="quiet",
        help="quiet (default): electionguard's info/debug logging dropped before it is formatted; shipped: as the wheel configures it",
    )
    args = parser.parse_args()
    if args.ballots < WORKERS or args.repeat < 1:
        parser.error(f"need --ballots >= {WORKERS} and --repeat >= 1")

    python = ensure_venv(args.python310, log=lambda line: print(line, file=sys.stderr))
    manifest = parse_manifest(json.loads(args.manifest.read_text()))
    ballots = make_choices(manifest, args.ballots, args.seed)
    expected = expected_tally(manifest, ballots)
    job = {
        "manifest": to_eg14_manifest(manifest),
        "guardians": GUARDIANS,
        "quorum": QUORUM,
        "absent": ABSENT,
        "ballots": to_eg14_ballots(ballots),
        "expected_tally": to_eg14_tally(expected),
        "logging": args.eg_logging,
    }
    available = [i for i in range(1, GUARDIANS + 1) if i != ABSENT]

    load_before = os.getloadavg()
    started = time.process_time()
    table_for(generator(STANDARD))  # g's table: once per process, like an import; K's is built per election
    g_table_seconds = time.process_time() - started
    eg_runs: list[dict[str, Any]] = []
    ours: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(dir=cache_dir()) as tmp:
        job_file = Path(tmp) / "job.json"
        job_file.write_text(json.dumps(job))
        for r in range(args.repeat):
            sides = ["eg", "evote"] if r % 2 == 0 else ["evote", "eg"]
            for side in sides:
                started = time.perf_counter()
                if side == "eg":
                    eg_runs.append(run_eg14(python, job_file))
                else:
                    ours.append(
                        run_election(
                            manifest, ballots, expected, guardians=GUARDIANS, quorum=QUORUM, available=available, workers=WORKERS
                        )
                    )
                print(f"run {r + 1}/{args.repeat} {side}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    unit = calibrate()
    load_after = os.getloadavg()

    counts = eg_runs[0]["counts"]
    selections = sum(len(manifest.contest(c).options) for _, choices in ballots for c in choices)
    if counts["real_selections"] != selections or counts["ballots"] != args.ballots:
        raise SystemExit(f"selection counts differ: electionguard {counts}, evote {selections} real selections")
    tally_entries = sum(len(c.options) for c in manifest.contests)
    if counts["tally_selections"] != tally_entries:
        raise SystemExit(f"tally sizes differ: electionguard {counts['tally_selections']}, evote {tally_entries}")

    checks_per_ballot = counts["verifications_per_ballot_in_cast"] + counts["verifications_per_ballot_in_tally_ballots"]
    tables = {clock: comparison_rows(clock, eg_runs, ours, selections, tally_entries, checks_per_ballot) for clock in CLOCKS}

    limit = verification_limit(manifest, ballots, unit)
    measured_verify = statistics.median(o["cpu_seconds"]["verify_1"] for o in ours) / selections
    versions = eg_runs[0]["versions"]
    environment = {
        "cpu": _cpu_model(),
        "nproc": _nproc(),
        "python": platform.python_version(),
        "gmpy2": gmpy2.version(),
        "gmp": gmpy2.mp_version(),
        "electionguard": versions,
        "ballots": args.ballots,
        "repeat": args.repeat,
        "real_selections": selections,
        "electionguard_placeholder_selections": counts["placeholder_selections"],
        "tally_entries": tally_entries,
        "manifest": str(args.manifest.relative_to(HERE.parent) if args.manifest.is_relative_to(HERE.parent) else args.manifest),
        "seed": args.seed,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }
    command = "python benchmarks/compare_electionguard.py " + " ".join(sys.argv[1:])
    print(f"\n{command}")
    print(
        f"{args.ballots} ballots, {selections} real option selections (+{counts['placeholder_selections']} electionguard "
        f"placeholders), {tally_entries} tally entries; medians of {args.repeat} runs per side, interleaved\n"
    )
    print("wall clock (what a user waits; grows with whatever else runs on the machine):")
    print(render(tables["seconds"]))
    print("\nCPU time of the measured process (the 2-worker row: the busier worker's), less sensitive to other load:")
    print(render(tables["cpu_seconds"]))
    print(f"\nevote's fixed-base table for g, built once per process before the runs: {g_table_seconds * 1e3:.0f} ms CPU")
    print("calibration (this process, median CPU ms): " + ", ".join(f"{k} {v * 1e3:.3f}" for k, v in unit.items()))
    speedup = statistics.median(o["seconds"]["verify_1"] / o["seconds"]["verify_2"] for o in ours)
    print(f"evote verification with {WORKERS} workers: {speedup:.2f}x its 1-process speed (median of the per-run ratios)")
    print(
        "verification limit from the exponentiation count, selections/s/core: "
        f"{1 / limit['per_01_proof']:.0f} (one 0/1 proof, per-element subgroup checks), "
        f"{1 / limit['per_01_proof_batched']:.0f} (batched), {1 / limit['this_election']:.0f} (these ballots incl. limit proofs, "
        f"batched); evote measured {1 / measured_verify:.0f} = "
        f"{limit['per_01_proof'] / measured_verify:.2f} / {limit['per_01_proof_batched'] / measured_verify:.2f} / "
        f"{limit['this_election'] / measured_verify:.2f} of those limits (CPU time)"
    )
    print(
        f"environment: {environment['cpu']}, nproc {environment['nproc']}, Python {environment['python']} "
        f"(EG: {versions['python']}), gmpy2 {environment['gmpy2']} {environment['gmp']} (EG: {versions['gmpy2']} {versions['gmp']}), "
        f"electionguard {versions['electionguard']} logging {versions['logging']}; "
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "command": command,
                    "environment": environment,
                    "rows_wall": tables["seconds"],
                    "rows_cpu": tables["cpu_seconds"],
                    "calibration_ms": {k: v * 1e3 for k, v in unit.items()},
                    "g_table_ms_cpu": g_table_seconds * 1e3,
                    "verification_limit_ms": {k: v * 1e3 for k, v in limit.items()},
                    "verification_parallel_speedup": speedup,
                    "verification_measured_ms": measured_verify * 1e3,
                    "electionguard_counts": counts,
                    "raw": {"evote": ours, "electionguard": [{c: run[c] for c in CLOCKS} for run in eg_runs]},
                },
                indent=2,
            )
            + "\n"
        )


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _nproc() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
