// Behaviour of ballot.js and manifest.js: encryptBallot's output follows record format §3, decrypts (with the
// test election secret) to the choices and the right contest data, verifies under the reference verifier,
// and choices that do not fit the manifest are refused with an error naming contest and option.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import test from 'node:test';

import { encryptBallot } from '../../voting/booth/static/js/eg/ballot.js';
import { ChoiceError, FormatError, ManifestError } from '../../voting/booth/static/js/eg/errors.js';
import { modPow, Q } from '../../voting/booth/static/js/eg/group.js';
import { referenceVerifyBallot } from './reference_verifier.mjs';
import { decryptVote, makeManifest, sharedTestTables, TEST_H_E, TEST_KEY, TEST_SECRET } from './support.mjs';

const election = () => ({ electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E, tables: sharedTestTables() });

const hex = (bytes) => Buffer.from(bytes).toString('hex').toUpperCase();
const bytes = (hexText) => Buffer.from(hexText, 'hex');
const b4 = (i) => Buffer.from([(i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255]);
const p512 = (hexText) => bytes(hexText.padStart(1024, '0'));

/** D from contest data with the test secret, written from SPEC eqs. 51–55 with node:crypto's HMAC. */
function decryptContestData({ c0, c1, c2 }, contestIndex) {
  const beta = modPow(BigInt('0x' + c0), TEST_SECRET); // K^ξ = (g^ξ)^s
  const hmac = (key, ...parts) => createHmac('sha256', key).update(Buffer.concat(parts)).digest();
  const k = hmac(bytes(TEST_H_E), Buffer.of(0x22), p512(TEST_KEY), p512(c0), p512(beta.toString(16)));
  const fixed = [Buffer.from('data enc keys'), Buffer.of(0), Buffer.from('contest data'), b4(contestIndex), b4(512)];
  const k0 = hmac(k, b4(0), ...fixed);
  const k1 = hmac(k, b4(1), ...fixed);
  assert.equal(hex(hmac(k0, p512(c0), bytes(c1))), c2, 'C2 = HMAC(k0, C0 ∥ C1)');
  return [...bytes(c1)].map((x, i) => x ^ k1[i]);
}

test('a 10-option ballot has the record layout, decrypts to the choice and verifies', async () => {
  const manifest = makeManifest([[1, 10]]);
  const { ballot, ballotNonce, choices } = await encryptBallot({ manifest, style: 'all', choices: { 'contest-1': ['option-1-4'] }, ...election() });
  assert.deepEqual(Object.keys(ballot), ['style', 'contests', 'aux', 'confirmation_code']);
  assert.equal(ballot.style, 'all');
  assert.equal(ballot.aux, '');
  assert.match(ballot.confirmation_code, /^[0-9A-F]{64}$/);
  assert.match(ballotNonce, /^[0-9A-F]{64}$/);
  assert.ok(BigInt('0x' + ballotNonce) < Q);
  assert.deepEqual(choices, { 'contest-1': ['option-1-4'] });
  const [contest] = ballot.contests;
  assert.deepEqual(Object.keys(contest), ['contest', 'selections', 'limit_proof', 'contest_hash', 'contest_data']);
  assert.deepEqual(contest.selections.map((s) => s.option), manifest.contests[0].options.map((o) => o.label));
  for (const s of contest.selections) {
    assert.deepEqual(Object.keys(s), ['option', 'alpha', 'beta', 'proof']);
    assert.match(s.alpha, /^[0-9A-F]{1024}$/);
    assert.match(s.beta, /^[0-9A-F]{1024}$/);
    assert.equal(s.proof.c.length, 2);
    for (const x of [...s.proof.c, ...s.proof.v]) assert.match(x, /^[0-9A-F]{64}$/);
  }
  assert.deepEqual(Object.keys(contest.contest_data), ['c0', 'c1', 'c2']);
  assert.match(contest.contest_data.c1, /^[0-9A-F]{64}$/);
  assert.deepEqual(contest.selections.map((s) => decryptVote(s.alpha, s.beta, 1)), [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(decryptContestData(contest.contest_data, 1), [1, 0, ...Array(30).fill(0)]);
  await referenceVerifyBallot({ manifest, ballot, electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E });
});

test('contest indices come from the manifest, contests follow manifest order, and statuses are recorded', async () => {
  // Style lists contest-3 before contest-2 and leaves out contest-1; contest-3 has L = 3, R = 2.
  const manifest = makeManifest([[1, 2], [2, 3], [3, 4, 2]], [{ label: 'east', contests: ['contest-3', 'contest-2'] }]);
  const { ballot, choices } = await encryptBallot({
    manifest, style: 'east', ...election(),
    choices: { 'contest-3': ['option-3-2', 'option-3-1', 'option-3-2'], 'contest-2': [] },
  });
  assert.deepEqual(ballot.contests.map((c) => c.contest), ['contest-2', 'contest-3']);
  assert.deepEqual(choices, { 'contest-2': [], 'contest-3': ['option-3-1', 'option-3-2', 'option-3-2'] });
  const [second, third] = ballot.contests;
  assert.equal(third.selections[0].proof.c.length, 3); // 0..R with R = 2
  assert.equal(third.limit_proof.c.length, 4); // 0..L with L = 3
  assert.deepEqual(third.selections.map((s) => decryptVote(s.alpha, s.beta, 2)), [1, 2, 0, 0]);
  assert.deepEqual(decryptContestData(second.contest_data, 2).slice(0, 2), [1, 2]); // null vote
  assert.deepEqual(decryptContestData(third.contest_data, 3).slice(0, 2), [1, 0]); // normal
  await referenceVerifyBallot({ manifest, ballot, electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E });

  const under = await encryptBallot({ manifest, style: 'east', ...election(), choices: { 'contest-3': ['option-3-4'] } });
  assert.deepEqual(decryptContestData(under.ballot.contests[1].contest_data, 3).slice(0, 2), [1, 1]); // undervote
});

test('choices may also map option labels to vote counts, as voting/ballot.py reads them', async () => {
  const manifest = makeManifest([[3, 4, 2]]);
  const args = { manifest, style: 'all', ...election(), testOnlyBallotNonce: '03'.repeat(32) };
  const listed = await encryptBallot({ ...args, choices: { 'contest-1': ['option-1-2', 'option-1-1', 'option-1-2'] } });
  const mapped = await encryptBallot({ ...args, choices: { 'contest-1': { 'option-1-1': 1, 'option-1-2': 2, 'option-1-4': 0 } } });
  assert.equal(mapped.ballot.confirmation_code, listed.ballot.confirmation_code);
  assert.deepEqual(mapped.choices, listed.choices); // the reveal is always written as a list (record format §5)
  for (const bad of [{ 'option-1-1': -1 }, { 'option-1-1': 1.5 }, { 'option-1-1': '1' }]) {
    await assert.rejects(encryptBallot({ ...args, choices: { 'contest-1': bad } }),
      (e) => e instanceof ChoiceError && e.contest === 'contest-1' && e.option === 'option-1-1');
  }
  await assert.rejects(encryptBallot({ ...args, choices: { 'contest-1': { 'option-1-1': 3 } } }), (e) => e.option === 'option-1-1');
  await assert.rejects(encryptBallot({ ...args, choices: { 'contest-1': { 'option-1-1': 2, 'option-1-3': 2 } } }),
    (e) => e instanceof ChoiceError && e.message.includes('overvote'));
});

test('injected nonces make the ballot reproducible; random ones do not', async () => {
  const manifest = makeManifest([[1, 3]]);
  const args = { manifest, style: 'all', choices: { 'contest-1': ['option-1-2'] }, ...election() };
  const testOnlyProofNonces = (kind, contest, option) => ({ u: [1n, 2n], c: [3n, option === null ? 4n : BigInt(option.length)] });
  const one = await encryptBallot({ ...args, testOnlyBallotNonce: '01'.repeat(32), testOnlyProofNonces });
  const two = await encryptBallot({ ...args, testOnlyBallotNonce: '01'.repeat(32), testOnlyProofNonces });
  assert.deepEqual(one, two);
  const three = await encryptBallot(args);
  assert.notEqual(three.ballot.confirmation_code, one.ballot.confirmation_code);
  assert.notEqual(three.ballotNonce, one.ballotNonce);
});

test('a non-empty B_aux enters the confirmation code', async () => {
  const manifest = makeManifest([[1, 2]]);
  const args = { manifest, style: 'all', choices: {}, ...election(), testOnlyBallotNonce: '02'.repeat(32) };
  const plain = await encryptBallot(args);
  const withAux = await encryptBallot({ ...args, aux: 'C0FFEE' });
  assert.equal(withAux.ballot.aux, 'C0FFEE');
  assert.equal(withAux.ballot.contests[0].contest_hash, plain.ballot.contests[0].contest_hash);
  assert.notEqual(withAux.ballot.confirmation_code, plain.ballot.confirmation_code);
  await assert.rejects(encryptBallot({ ...args, aux: 'c0ffee' }), (e) => e instanceof FormatError && e.field === 'aux');
});

async function refused(choices, Class, fields, manifest = makeManifest([[2, 3], [1, 2, 2]], [
  { label: 'north', contests: ['contest-1'] }, { label: 'both', contests: ['contest-1', 'contest-2'] }]), style = 'north') {
  await assert.rejects(encryptBallot({ manifest, style, choices, ...election() }), (e) => {
    assert.ok(e instanceof Class, `${e.name}: ${e.message}`);
    for (const [key, value] of Object.entries(fields)) {
      assert.equal(e[key], value);
      assert.ok(e.message.includes(value), e.message);
    }
    return true;
  });
}

test('choices that do not fit the manifest are refused, naming the contest and option', async () => {
  await refused({ 'contest-9': [] }, ChoiceError, { contest: 'contest-9' }); // unknown contest
  await refused({ 'contest-2': ['option-2-1'] }, ChoiceError, { contest: 'contest-2' }); // not on the style
  await refused({ 'contest-1': ['option-1-9'] }, ChoiceError, { contest: 'contest-1', option: 'option-1-9' });
  await refused({ 'contest-1': ['option-2-1'] }, ChoiceError, { contest: 'contest-1', option: 'option-2-1' });
  await refused({ 'contest-1': ['option-1-1', 'option-1-2', 'option-1-3'] }, ChoiceError, { contest: 'contest-1' }); // overvote
  await refused({ 'contest-1': ['option-1-1', 'option-1-1'] }, ChoiceError, { contest: 'contest-1', option: 'option-1-1' }); // R = 1
  await refused({ 'contest-2': ['option-2-2', 'option-2-2', 'option-2-2'] }, ChoiceError, { contest: 'contest-2', option: 'option-2-2' }, undefined, 'both'); // R = 2
  await refused({ 'contest-1': 'option-1-1' }, ChoiceError, { contest: 'contest-1' });
  await refused({ constructor: [] }, ChoiceError, { contest: 'constructor' });
  await refused(['contest-1'], ChoiceError, { field: 'choices' });
  await refused({}, ManifestError, { field: 'style' }, undefined, 'south'); // unknown ballot style
});

test('malformed manifests are refused naming the field', async () => {
  const bad = (edit, field) => {
    const manifest = makeManifest([[1, 2]]);
    edit(manifest);
    return refused({}, ManifestError, { field }, manifest, 'all');
  };
  await bad((m) => { m.contests[0].votes_allowed = 0; }, 'contests[0].votes_allowed');
  await bad((m) => { m.contests[0].votes_allowed = '1'; }, 'contests[0].votes_allowed');
  await bad((m) => { m.contests[0].votes_allowed = 3; }, 'contests[0].votes_allowed'); // above R × options
  await bad((m) => { m.contests[0].option_limit = 1.5; }, 'contests[0].option_limit');
  await bad((m) => { m.contests[0].option_limit = 1001; }, 'contests[0].option_limit');
  await bad((m) => { m.contests[0].options[0].label = 'zero\u200bwidth'; }, 'contests[0].options[0].label');
  await bad((m) => { m.contests[0].options[1].label = 'option-1-1'; }, 'contests[0].options[1].label');
  await bad((m) => { m.contests[0].options[0].label = ' padded'; }, 'contests[0].options[0].label');
  await bad((m) => { m.contests[0].label = 'x'.repeat(129); }, 'contests[0].label');
  await bad((m) => { m.contests[0].options = []; }, 'contests[0].options');
  await bad((m) => { m.ballot_styles[0].contests = ['contest-1', 'contest-1']; }, 'style');
});

test('election inputs are checked: key spelling, tables for another key, H_E spelling', async () => {
  const manifest = makeManifest([[1, 2]]);
  const args = { manifest, style: 'all', choices: {}, ...election() };
  await assert.rejects(encryptBallot({ ...args, electionPublicKey: TEST_KEY.toLowerCase() }), (e) => e.field === 'electionPublicKey');
  await assert.rejects(encryptBallot({ ...args, electionPublicKey: 'AB'.repeat(512) }), (e) => e.field === 'electionPublicKey');
  await assert.rejects(encryptBallot({ ...args, extendedBaseHash: 'ab'.repeat(32) }), (e) => e.field === 'extendedBaseHash');
  await assert.rejects(encryptBallot({ ...args, extendedBaseHash: 'AB'.repeat(31) }), (e) => e.field === 'extendedBaseHash');
  await assert.rejects(encryptBallot({ ...args, tables: undefined }), (e) => e.field === 'tables');
  await assert.rejects(encryptBallot({ ...args, testOnlyBallotNonce: 'F'.repeat(64) }), (e) => e.field === 'testOnlyBallotNonce');
});
