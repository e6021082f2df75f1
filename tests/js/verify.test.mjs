// Behaviour of verify.js and ballot_format.js: a posted ballot is read strictly and its proofs and hashes
// checked; a revealed challenged ballot re-encrypts to exactly what was posted, and any difference is
// reported with the field, the recomputed value and the posted one.

import assert from 'node:assert/strict';
import test from 'node:test';

import { encryptBallot } from '../../voting/booth/static/js/eg/ballot.js';
import { ballotToJson, parseEncryptedBallot } from '../../voting/booth/static/js/eg/ballot_format.js';
import { ChallengeMismatch, FormatError, InvalidProof, NotInGroupError } from '../../voting/booth/static/js/eg/errors.js';
import { verifyBallot, verifyChallengedBallot } from '../../voting/booth/static/js/eg/verify.js';
import { makeManifest, sharedTestTables, TEST_H_E, TEST_KEY } from './support.mjs';

const election = () => ({ electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E, tables: sharedTestTables() });
const manifest = makeManifest([[1, 3], [2, 3]]);
let encrypted = null;

async function challenged() {
  encrypted ??= await encryptBallot({
    manifest, style: 'all', choices: { 'contest-1': ['option-1-3'], 'contest-2': ['option-2-1'] }, ...election(),
  });
  return { ballot: structuredClone(encrypted.ballot), reveal: { nonce: encrypted.ballotNonce, choices: encrypted.choices } };
}

const flip = (hex) => (hex[0] === 'A' ? 'B' : 'A') + hex.slice(1);

test('parseEncryptedBallot and ballotToJson round-trip', async () => {
  const { ballot } = await challenged();
  assert.deepEqual(ballotToJson(parseEncryptedBallot(ballot, manifest)), ballot);
});

test('a revealed challenged ballot passes the check', async () => {
  const { ballot, reveal } = await challenged();
  await verifyChallengedBallot({ manifest, ballot, reveal, ...election() });
});

test('other choices or another nonce in the reveal are a mismatch naming the first differing field', async () => {
  const { ballot, reveal } = await challenged();
  const otherChoice = { ...reveal, choices: { ...reveal.choices, 'contest-2': ['option-2-2'] } };
  await assert.rejects(verifyChallengedBallot({ manifest, ballot, reveal: otherChoice, ...election() }), (e) =>
    e instanceof ChallengeMismatch && e.field === 'ballot.contests[1].selections[0].beta' &&
    e.found === ballot.contests[1].selections[0].beta && e.expected !== e.found);
  const otherNonce = { ...reveal, nonce: flip(reveal.nonce) };
  await assert.rejects(verifyChallengedBallot({ manifest, ballot, reveal: otherNonce, ...election() }),
    (e) => e instanceof ChallengeMismatch && e.field === 'ballot.contests[0].selections[0].alpha');
  const undervote = { ...reveal, choices: { 'contest-1': ['option-1-3'], 'contest-2': [] } };
  await assert.rejects(verifyChallengedBallot({ manifest, ballot, reveal: undervote, ...election() }),
    (e) => e instanceof ChallengeMismatch && e.field === 'ballot.contests[1].selections[0].beta');
  await assert.rejects(verifyChallengedBallot({ manifest, ballot, reveal: { ...reveal, extra: 1 }, ...election() }),
    (e) => e instanceof FormatError && e.field === 'reveal');
});

test('contest data not covered by proofs is still compared in a challenge', async () => {
  const { ballot, reveal } = await challenged();
  ballot.contests[0].contest_data.c1 = flip(ballot.contests[0].contest_data.c1);
  await verifyBallot({ manifest, ballot, ...election() }); // proofs and hashes do not cover C1
  await assert.rejects(verifyChallengedBallot({ manifest, ballot, reveal, ...election() }),
    (e) => e instanceof ChallengeMismatch && e.field === 'ballot.contests[0].contest_data.c1');
});

test('tampered ciphertexts, proofs and hashes fail verifyBallot with the failing check', async () => {
  const cases = [
    [(b) => { b.contests[0].selections[1].proof.v[0] = b.contests[0].selections[0].proof.v[0]; }, InvalidProof, 'ballot.contests[0].selections[1].proof'],
    [(b) => { b.contests[1].limit_proof.c[2] = b.contests[1].limit_proof.c[1]; }, InvalidProof, 'ballot.contests[1].limit_proof'],
    [(b) => { [b.contests[0].selections[0].alpha, b.contests[0].selections[1].alpha] = [b.contests[0].selections[1].alpha, b.contests[0].selections[0].alpha]; }, InvalidProof, 'ballot.contests[0].selections[0].proof'],
    [(b) => { b.contests[0].contest_hash = flip(b.contests[0].contest_hash); }, InvalidProof, 'ballot.contests[0].contest_hash'],
    [(b) => { b.confirmation_code = flip(b.confirmation_code); }, InvalidProof, 'ballot.confirmation_code'],
    [(b) => { b.aux = '00'; }, InvalidProof, 'ballot.confirmation_code'],
    [(b) => { b.contests[0].selections[0].beta = 'F'.repeat(1024); }, NotInGroupError, 'ballot.contests[0].selections[0].beta'],
    [(b) => { b.contests[0].selections[0].beta = b.contests[0].selections[0].beta.toLowerCase(); }, FormatError, 'ballot.contests[0].selections[0].beta'],
    [(b) => { b.contests[0].contest_data.c2 = 'AB'; }, FormatError, 'ballot.contests[0].contest_data.c2'],
    [(b) => { b.contests[0].extra = 1; }, FormatError, 'ballot.contests[0]'],
    [(b) => { b.contests.reverse(); }, FormatError, 'ballot.contests[0].contest'],
    [(b) => { b.contests[0].selections.pop(); }, FormatError, 'ballot.contests[0].selections'],
    [(b) => { b.contests[0].selections[0].proof.c.push(b.contests[0].selections[0].proof.c[0]); }, FormatError, 'ballot.contests[0].selections[0].proof.c'],
  ];
  for (const [edit, Class, field] of cases) {
    const { ballot } = await challenged();
    edit(ballot);
    await assert.rejects(verifyBallot({ manifest, ballot, ...election() }), (e) => {
      assert.ok(e instanceof Class, `${field}: got ${e.name} ${e.message}`);
      assert.equal(e.field, field);
      return true;
    });
  }
});
