// Test fixtures shared by the Node tests and the Chromium test page (no Node-only imports here).

import { buildTables, elementToHex, G, modPow } from '../../voting/booth/static/js/eg/group.js';

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
