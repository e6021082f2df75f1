// Ranked and graded contests in the booth's library (record format §12.1, eg/counting.js): the limits are
// derived from `counting`, each cell is encrypted with its range proof 0..R (R > 1) and the contest's proof
// 0..L, the cells decrypt to the ranks or grades, the ballot verifies under the reference verifier, and a
// row that is not a ranking (equal ranks, a gap) is refused before anything is encrypted.

import assert from 'node:assert/strict';
import test from 'node:test';

import { encryptBallot } from '../../voting/booth/static/js/eg/ballot.js';
import { ChoiceError, ManifestError } from '../../voting/booth/static/js/eg/errors.js';
import { styleContests } from '../../voting/booth/static/js/eg/manifest.js';
import { referenceVerifyBallot } from './reference_verifier.mjs';
import { decryptVote, sharedTestTables, TEST_H_E, TEST_KEY } from './support.mjs';

const election = () => ({ electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E, tables: sharedTestTables() });

function rankedManifest(counting, options = 4) {
  return {
    label: 'Ranked test election',
    spec_version: 'v2.0.0',
    contests: [{ label: 'council', counting, options: Array.from({ length: options }, (_, j) => ({ label: `c${j + 1}` })) }],
    ballot_styles: [{ label: 'all', contests: ['council'] }],
  };
}

/** The manifest as the reference verifier reads it: the derived limits written out. */
function withLimits(manifest) {
  const [contest] = styleContests(manifest, 'all');
  const raw = manifest.contests[0];
  return { ...manifest, contests: [{ ...raw, votes_allowed: contest.votesAllowed, option_limit: contest.optionLimit }] };
}

test('a ranked contest derives R = ranks and L = ranks·(ranks+1)/2, a graded one R = grades − 1 and L = R × options', () => {
  const limits = (counting, options) => {
    const [c] = styleContests(rankedManifest(counting, options), 'all');
    return [c.optionLimit, c.votesAllowed, c.counting.ranked];
  };
  assert.deepEqual(limits({ method: 'irv' }, 4), [4, 10, true]);
  assert.deepEqual(limits({ method: 'schulze', ranks: 2 }, 4), [2, 3, true]);
  assert.deepEqual(limits({ method: 'stv', rule_set: 'scottish', seats: 2 }, 5), [5, 15, true]);
  assert.deepEqual(limits({ method: 'majority_judgment', grades: ['Reject', 'Fair', 'Good'] }, 4), [2, 8, false]);
});

test('a ranking is encrypted cell by cell with proofs 0..R and 0..L, and decrypts to the ranks', async () => {
  const manifest = rankedManifest({ method: 'irv' });
  const { ballot, choices } = await encryptBallot({ manifest, style: 'all', choices: { council: { c3: 1, c1: 2, c4: 3 } }, ...election() });
  const [contest] = ballot.contests;
  for (const s of contest.selections) assert.equal(s.proof.c.length, 5); // 0..R, R = 4
  assert.equal(contest.limit_proof.c.length, 11); // 0..L, L = 10
  assert.deepEqual(contest.selections.map((s) => decryptVote(s.alpha, s.beta, 4)), [2, 0, 1, 3]);
  assert.deepEqual(choices, { council: { c1: 2, c3: 1, c4: 3 } }); // the reveal: { option: rank }, manifest order
  await referenceVerifyBallot({ manifest: withLimits(manifest), ballot, electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E });
  // the top of both ranges: every option ranked, the last rank R in one cell and the sum L
  const full = await encryptBallot({ manifest, style: 'all', choices: { council: { c1: 4, c2: 3, c3: 2, c4: 1 } }, ...election() });
  assert.deepEqual(full.ballot.contests[0].selections.map((s) => decryptVote(s.alpha, s.beta, 4)), [4, 3, 2, 1]);
  await referenceVerifyBallot({ manifest: withLimits(manifest), ballot: full.ballot, electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E });
});

test('grades are encrypted as their positions, every option graded', async () => {
  const manifest = rankedManifest({ method: 'majority_judgment', grades: ['Reject', 'Fair', 'Good', 'Excellent'] }, 3);
  const { ballot, choices } = await encryptBallot({ manifest, style: 'all', choices: { council: { c1: 3, c3: 1 } }, ...election() });
  const [contest] = ballot.contests;
  assert.equal(contest.selections[0].proof.c.length, 4); // R = 3
  assert.equal(contest.limit_proof.c.length, 10); // L = 9
  assert.deepEqual(contest.selections.map((s) => decryptVote(s.alpha, s.beta, 3)), [3, 0, 1]);
  assert.deepEqual(choices, { council: { c1: 3, c2: 0, c3: 1 } });
  await referenceVerifyBallot({ manifest: withLimits(manifest), ballot, electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E });
});

test('a row that is not a ranking is refused, naming the contest', async () => {
  const manifest = rankedManifest({ method: 'borda', ranks: 3 });
  const refused = (council, words) => assert.rejects(encryptBallot({ manifest, style: 'all', choices: { council }, ...election() }),
    (e) => e instanceof ChoiceError && e.contest === 'council' && e.message.includes(words));
  await refused({ c1: 1, c2: 1 }, 'same rank');
  await refused({ c1: 1, c2: 3 }, 'gap');
  await refused({ c1: 2 }, 'gap');
  await refused({ c1: 4 }, 'option_limit'); // beyond ranks
  await refused(['c1', 'c2'], 'same rank'); // a list gives each option 1
  const blank = await encryptBallot({ manifest, style: 'all', choices: {}, ...election() });
  assert.deepEqual(blank.choices, { council: {} });
});

test('a malformed counting is refused naming the field', async () => {
  const bad = async (edit, field) => {
    const manifest = rankedManifest({ method: 'irv' });
    edit(manifest.contests[0]);
    await assert.rejects(encryptBallot({ manifest, style: 'all', choices: {}, ...election() }),
      (e) => e instanceof ManifestError && e.field === field && e.message.startsWith(field));
  };
  await bad((c) => { c.votes_allowed = 10; }, 'contests[0].votes_allowed');
  await bad((c) => { c.option_limit = 4; }, 'contests[0].option_limit');
  await bad((c) => { c.number_elected = 1; }, 'contests[0].number_elected');
  await bad((c) => { c.counting = 'irv'; }, 'contests[0].counting');
  await bad((c) => { c.counting = { method: 'approval' }; }, 'contests[0].counting.method');
  await bad((c) => { c.counting.ranks = 5; }, 'contests[0].counting.ranks');
  await bad((c) => { c.counting.ranks = 0; }, 'contests[0].counting.ranks');
  await bad((c) => { c.counting.seats = 1; }, 'contests[0].counting.seats');
  await bad((c) => { c.counting = { method: 'stv', seats: 1 }; }, 'contests[0].counting.rule_set');
  await bad((c) => { c.counting = { method: 'stv', rule_set: 'scottish', seats: 4 }; }, 'contests[0].counting.seats');
  await bad((c) => { c.counting = { method: 'majority_judgment', grades: ['Only'] }; }, 'contests[0].counting.grades');
  await bad((c) => { c.counting = { method: 'majority_judgment' }; }, 'contests[0].counting.grades');
});
