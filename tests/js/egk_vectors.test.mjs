// Known-answer tests against egk's ElectionGuard 2.0 vectors and sample record, read where they lie in
// ../shared (skipped with a reason when absent; under CI=true absence fails). The checks themselves live in
// egk_checks.mjs so the Chromium test page runs the very same code.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

import { checkBallotChaining, checkBallotEncryption, checkConfirmationCode, checkParameters, checkSampleBallotProofs,
  parameterBaseHash } from './egk_checks.mjs';
import { EGK_SAMPLE, EGK_VECTORS, needs, readJson } from './support.mjs';

const vector = (name) => readJson(join(EGK_VECTORS, name));

test('p, q, g equal ParametersTestVector.json (SPEC §3.1.1)', needs(EGK_VECTORS), () => {
  checkParameters(vector('ParametersTestVector.json'));
});

test('H gives the v2.0 parameter base hash H_P of egk and electionguard-rust records', async () => {
  // H_P = H(b("v2.0.0", 32); 0x00, p, q, g); the value of egk's samples/.../election_config.json.
  assert.equal(await parameterBaseHash(), '2B3B025E50E09C119CBA7E9448ACD1CABC9447EF39BF06327D81C665CDD86296');
});

test('BallotEncryptionTestVector.json: nonces, ciphertexts, range and limit proofs', needs(EGK_VECTORS), async () => {
  assert.equal(await checkBallotEncryption(vector('BallotEncryptionTestVector.json')), 13);
});

test('ConfirmationCodeTestVector.json: contest hash and confirmation code', needs(EGK_VECTORS), async () => {
  assert.equal(await checkConfirmationCode(vector('ConfirmationCodeTestVector.json')), 2);
});

test('BallotChainingTestVector.json: chained confirmation codes', needs(EGK_VECTORS), async () => {
  assert.equal(await checkBallotChaining(vector('BallotChainingTestVector.json')), 36);
});

test('range proofs of egk sample record ballots verify with verifyRangeProof', needs(EGK_SAMPLE), async () => {
  const initialized = readJson(join(EGK_SAMPLE, 'election_initialized.json'));
  const folder = join(EGK_SAMPLE, 'encrypted_ballots');
  const [device] = readdirSync(folder);
  const ballot = readJson(join(folder, device, 'eballot-id-1.json'));
  assert.ok(await checkSampleBallotProofs(initialized, ballot) > 0);
});
