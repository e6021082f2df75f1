// Shared helpers for the Node tests of the booth's cryptography library (voting/booth/static/js/eg/).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildTables, elementToHex, G, modPow } from '../../voting/booth/static/js/eg/group.js';

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

// A test election key K = g^s for a fixed, published s (it defeats all secrecy: tests only), so tests can
// decrypt what the library encrypts.
export const TEST_SECRET = 0x5eed_7e57_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0000_0001n;
export const TEST_KEY = elementToHex(modPow(G, TEST_SECRET));
export const TEST_H_E = '5E'.repeat(32);

let testTables = null;
/** Fixed-base tables for TEST_KEY, built on first use. */
export function sharedTestTables() {
  if (testTables === null) testTables = buildTables(TEST_KEY);
  return testTables;
}

/** A manifest with one contest per entry of `contests` ([votesAllowed, optionCount, optionLimit?]). */
export function makeManifest(contests, styles) {
  return {
    label: 'Test election',
    spec_version: 'v2.0.0',
    contests: contests.map(([votesAllowed, count, optionLimit = 1], i) => ({
      label: `contest-${i + 1}`,
      title: `Contest ${i + 1}`,
      votes_allowed: votesAllowed,
      option_limit: optionLimit,
      options: Array.from({ length: count }, (_, j) => ({ label: `option-${i + 1}-${j + 1}`, name: `Option ${j + 1}` })),
    })),
    ballot_styles: styles ?? [{ label: 'all', contests: contests.map((_, i) => `contest-${i + 1}`) }],
    info: { jurisdiction: 'Testville', date: '2026-11-03' },
  };
}
