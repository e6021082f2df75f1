// Node-only helpers for the tests of the booth's cryptography library (voting/booth/static/js/eg/);
// the browser-safe fixtures are in fixtures.mjs and re-exported here.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { modMul, modPow, P } from '../../voting/booth/static/js/eg/group.js';
import { TEST_KEY, TEST_SECRET } from './fixtures.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Data from other projects is read where it lies, in ../shared beside the checkout (tests/conftest.py).
export const SHARED = resolve(REPO_ROOT, '..', 'shared');
export const EGK_VECTORS = join(SHARED, 'vectors', 'electionguard-2.0');
export const EGK_SAMPLE = join(SHARED, 'samples', 'egk-2.0-allAvailableJson');

const inCI = () => (process.env.CI ?? '').toLowerCase() === 'true';

/**
 * node:test options for a test that needs `path`: skipped with a reason when it is absent, except under
 * CI=true, where the test runs and `requirePath` makes it fail.
 */
export function needs(path) {
  if (existsSync(path) || inCI()) return {};
  return { skip: `${path} is absent: the project's shared data lies beside the checkout in ../shared` };
}

export function requirePath(path) {
  if (!existsSync(path)) {
    throw new Error(`${path} is absent (CI=true: a missing ../shared is a failure, never a skip)`);
  }
  return path;
}

export function readJson(path) {
  return JSON.parse(readFileSync(requirePath(path), 'utf8'));
}

export { makeManifest, sharedTestTables, TEST_H_E, TEST_KEY, TEST_SECRET } from './fixtures.mjs';

/** σ from (α, β) (hex) with the test secret: K^σ = β / α^s; σ searched in 0..max. */
export function decryptVote(alphaHex, betaHex, max) {
  const K = BigInt('0x' + TEST_KEY);
  const Ksigma = modMul(BigInt('0x' + betaHex), modPow(modPow(BigInt('0x' + alphaHex), TEST_SECRET), P - 2n));
  for (let sigma = 0, power = 1n; sigma <= max; sigma++, power = modMul(power, K)) if (power === Ksigma) return sigma;
  throw new Error('no small plaintext');
}
