"""Benchmark of the booth's in-browser ballot encryption (voting/booth/static/js/eg/).

Median time to encrypt a 10-option ballot (one contest, votes_allowed 1) with all range and limit proofs,
with the fixed-base tables for g and K built beforehand (their build time reported separately):
in headless Chromium (Debian's /usr/bin/chromium through Playwright, in the real module worker) and in Node.
Goal: at most 1 s in Chromium.

    python3 benchmarks/bench_booth_js.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from booth_js_support import REPO_ROOT, browser_unavailable_reason, node_executable, run_page, serve  # noqa: E402

GOAL_MS = 1000.0


def bench_node(runs: int) -> dict:
    node = node_executable()
    if node is None:
        return {"skipped": "node is not on PATH"}
    completed = subprocess.run(
        [node, "benchmarks/bench_booth_js.mjs", str(runs)], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


def bench_chromium(runs: int) -> dict:
    reason = browser_unavailable_reason()
    if reason is not None:
        return {"skipped": reason}
    with serve() as base:
        results, errors = run_page(f"{base}/benchmarks/bench_page.html?runs={runs}", timeout_ms=600_000)
    if errors or "error" in results:
        raise SystemExit(f"Chromium benchmark failed: {results.get('error')} {errors}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed encryptions (after one warm-up)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    figures = {"chromium": bench_chromium(args.runs), "node": bench_node(args.runs)}
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, result in figures.items():
            if "skipped" in result:
                print(f"{name:9} skipped: {result['skipped']}")
                continue
            print(
                f"{name:9} {result['runtime']}: tables g+K {result['tables_g_and_K_ms']} ms; "
                f"encrypt 10-option ballot median {result['encrypt_median_ms']} ms "
                f"(min {result['encrypt_min_ms']}, max {result['encrypt_max_ms']}, {result['runs']} runs)"
            )
    chromium = figures["chromium"]
    if "encrypt_median_ms" in chromium and chromium["encrypt_median_ms"] > GOAL_MS:
        print(f"Chromium median {chromium['encrypt_median_ms']} ms is above the {GOAL_MS:.0f} ms goal", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
