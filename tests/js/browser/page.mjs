// Chromium checks of the booth's cryptography library (driven by tests/test_booth_js.py). Runs on load:
// encryption of a 10-option ballot in the real module worker, checked by the reference verifier and by
// verify.js; worker error reporting; credentials and Ed25519 in the browser; and, when the page is opened
// with ?vectors=<url>, the egk known-answer checks shared with the Node tests.
// Results: JSON in #results, and body[data-done="true"] when finished.

import { EncryptionWorker } from '../../../voting/booth/static/js/eg/worker_client.js';
import { ChoiceError } from '../../../voting/booth/static/js/eg/errors.js';
import { verifyBallot, verifyChallengedBallot } from '../../../voting/booth/static/js/eg/verify.js';
import { deriveCredentialKeys, formatCredential, parseCredential } from '../../../voting/booth/static/js/eg/credential.js';
import { signSubmission, submissionMessage } from '../../../voting/booth/static/js/eg/submission.js';
import { checkBallotChaining, checkBallotEncryption, checkConfirmationCode, checkParameters, parameterBaseHash }
  from '../egk_checks.mjs';
import { makeManifest, sharedTestTables, TEST_H_E, TEST_KEY } from '../fixtures.mjs';
import { referenceVerifyBallot } from '../reference_verifier.mjs';

const results = {};
const violations = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective} ${event.blockedURI}`));

async function check(name, body) {
  const start = performance.now();
  try {
    const detail = await body();
    results[name] = { ok: true, detail: detail ?? null, ms: Math.round(performance.now() - start) };
  } catch (error) {
    results[name] = { ok: false, detail: `${error?.name}: ${error?.message}`, ms: Math.round(performance.now() - start) };
  }
}

function expect(condition, what) {
  if (!condition) throw new Error(`expected ${what}`);
}

const election = { electionPublicKey: TEST_KEY, extendedBaseHash: TEST_H_E };
const manifest = makeManifest([[1, 10]]);
const worker = new EncryptionWorker();

await check('worker_encrypts_verifiable_ballot', async () => {
  const prepared = await worker.request('prepare', { electionPublicKey: TEST_KEY });
  const { result, ms } = await worker.request('encrypt', {
    manifest, style: 'all', choices: { 'contest-1': ['option-1-7'] }, ...election,
  });
  const { ballot, ballotNonce, choices } = result;
  expect(ballot.contests[0].selections.length === 10, '10 selections');
  await referenceVerifyBallot({ manifest, ballot, ...election });
  const tables = sharedTestTables();
  await verifyBallot({ manifest, ballot, ...election, tables });
  await verifyChallengedBallot({ manifest, ballot, reveal: { nonce: ballotNonce, choices }, ...election, tables });
  await worker.verifyChallenge({ manifest, ballot, reveal: { nonce: ballotNonce, choices }, ...election });
  // Handed to the Python core as well (tests/test_booth_js.py), which checks the same ballot and reveal.
  return { tableBuildMs: Math.round(prepared.ms), encryptMs: Math.round(ms), manifest, ballot, reveal: { nonce: ballotNonce, choices }, ...election };
});

await check('worker_reports_errors', async () => {
  let error = null;
  try {
    await worker.encrypt({ manifest, style: 'all', choices: { 'contest-1': ['option-1-1', 'option-1-2'] }, ...election });
  } catch (e) {
    error = e;
  }
  expect(error instanceof ChoiceError && error.contest === 'contest-1', 'a ChoiceError naming contest-1 for an overvote');
  try {
    await worker.request('nonsense');
    error = null;
  } catch (e) {
    error = e;
  }
  expect(error?.field === 'type', 'an error for an unknown request type');
  try {
    await worker.prepare({ electionPublicKey: '01'.padStart(1024, '0') });
    error = null;
  } catch (e) {
    error = e;
  }
  expect(error?.name === 'NotInGroupError' && error.field === 'electionPublicKey', 'K = 1 refused');
  return null;
});

await check('credential_and_signature', async () => {
  const r = crypto.getRandomValues(new Uint8Array(16));
  const text = await formatCredential(r);
  const parsed = await parseCredential(text.toLowerCase());
  expect(parsed.every((x, i) => x === r[i]), 'credential round trip');
  const { privateKey, publicKey } = await deriveCredentialKeys(text, 'browser-election');
  const ballot = { confirmation_code: 'C0'.repeat(32), contests: [{ contest_data: { c0: '0A'.repeat(512), c1: '1B'.repeat(32), c2: '2C'.repeat(32) } }] };
  const args = { electionId: 'browser-election', extendedBaseHash: TEST_H_E, action: 'cast', ballot };
  const signature = await signSubmission({ privateKey, ...args });
  const key = await crypto.subtle.importKey('raw', Uint8Array.from(publicKey.match(/../g), (h) => parseInt(h, 16)), { name: 'Ed25519' }, false, ['verify']);
  const sig = Uint8Array.from(signature.match(/../g), (h) => parseInt(h, 16));
  expect(await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, await submissionMessage(args)), 'the signature to verify');
  return null;
});

const vectors = new URLSearchParams(location.search).get('vectors');
if (vectors) {
  const load = async (name) => {
    const response = await fetch(new URL(name, new URL(vectors, location.href)));
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    return response.json();
  };
  await check('egk_parameters', async () => {
    checkParameters(await load('ParametersTestVector.json'));
    expect(await parameterBaseHash() === '2B3B025E50E09C119CBA7E9448ACD1CABC9447EF39BF06327D81C665CDD86296', 'H_P v2.0');
  });
  await check('egk_ballot_encryption', async () => checkBallotEncryption(await load('BallotEncryptionTestVector.json')));
  await check('egk_confirmation_code', async () => checkConfirmationCode(await load('ConfirmationCodeTestVector.json')));
  await check('egk_ballot_chaining', async () => checkBallotChaining(await load('BallotChainingTestVector.json')));
}

worker.terminate();
results.csp_violations = { ok: violations.length === 0, detail: violations, ms: 0 };
document.getElementById('results').textContent = JSON.stringify(results, null, 2);
document.getElementById('status').textContent = Object.values(results).every((r) => r.ok) ? 'all passed' : 'FAILED';
document.body.dataset.done = 'true';
