// Node benchmark of the booth's ballot encryption: fixed-base table build time, then the median time to
// encrypt a 10-option ballot (one contest, votes_allowed 1) with all proofs. Prints one JSON object.
// Usage: node benchmarks/bench_booth_js.mjs [runs]   (normally run by benchmarks/bench_booth_js.py)

import { encryptBallot } from '../voting/booth/static/js/eg/ballot.js';
import { buildTables } from '../voting/booth/static/js/eg/group.js';
import { makeManifest, TEST_H_E, TEST_KEY } from '../tests/js/fixtures.mjs';

const runs = Number(process.argv[2] ?? 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;

let start = performance.now();
const tables = buildTables(TEST_KEY); // first call: the g table and the K table
const tablesMs = performance.now() - start;
start = performance.now();
buildTables(TEST_KEY); // g is shared now: the K table alone
const keyTableMs = performance.now() - start;

const manifest = makeManifest([[1, 10]]);
const times = [];
for (let i = 0; i < runs + 1; i++) {
  start = performance.now();
  await encryptBallot({
    manifest, style: 'all', choices: { 'contest-1': [`option-1-${1 + (i % 10)}`] },
    electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E, tables,
  });
  if (i > 0) times.push(performance.now() - start); // the first run warms up the JIT
}
console.log(JSON.stringify({
  runtime: `node ${process.version}`,
  tables_g_and_K_ms: round(tablesMs),
  table_K_only_ms: round(keyTableMs),
  runs,
  encrypt_median_ms: round(median(times)),
  encrypt_min_ms: round(Math.min(...times)),
  encrypt_max_ms: round(Math.max(...times)),
}));
