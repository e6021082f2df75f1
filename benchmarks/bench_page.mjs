// Chromium benchmark of the booth's ballot encryption in the real module worker (run by
// benchmarks/bench_booth_js.py): table build time on 'prepare', then `runs` encryptions of a 10-option ballot.
// Reports the time spent in the worker and the round trip seen by the page. ?runs=N (default 15).

import { EncryptionWorker } from '../voting/booth/static/js/eg/worker_client.js';
import { makeManifest, TEST_H_E, TEST_KEY } from '../tests/js/fixtures.mjs';

const runs = Number(new URLSearchParams(location.search).get('runs') ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const out = {};
try {
  const worker = new EncryptionWorker();
  let start = performance.now();
  const prepared = await worker.request('prepare', { electionPublicKey: TEST_KEY });
  out.tables_g_and_K_ms = round(prepared.ms);
  out.prepare_round_trip_ms = round(performance.now() - start);
  const manifest = makeManifest([[1, 10]]);
  const inWorker = [];
  const roundTrip = [];
  for (let i = 0; i < runs + 1; i++) {
    start = performance.now();
    const { ms } = await worker.request('encrypt', {
      manifest, style: 'all', choices: { 'contest-1': [`option-1-${1 + (i % 10)}`] },
      electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E,
    });
    if (i > 0) {
      inWorker.push(ms);
      roundTrip.push(performance.now() - start);
    }
  }
  worker.terminate();
  Object.assign(out, {
    runtime: navigator.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent,
    runs,
    encrypt_median_ms: round(median(inWorker)),
    encrypt_min_ms: round(Math.min(...inWorker)),
    encrypt_max_ms: round(Math.max(...inWorker)),
    round_trip_median_ms: round(median(roundTrip)),
  });
} catch (error) {
  out.error = `${error.name}: ${error.message}`;
}
document.getElementById('results').textContent = JSON.stringify(out);
document.getElementById('status').textContent = out.error ? 'FAILED' : 'done';
document.body.dataset.done = 'true';
