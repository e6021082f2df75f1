// Behaviour of credential.js and submission.js (record format §4–5): credential round trip and typo
// detection, key derivation, and the submission signature, checked with WebCrypto directly.

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import test from 'node:test';

import { CREDENTIAL_ALPHABET, credentialSeed, deriveCredentialKeys, formatCredential, parseCredential }
  from '../../voting/booth/static/js/eg/credential.js';
import { CredentialError, FormatError, InvalidSignature } from '../../voting/booth/static/js/eg/errors.js';
import { buildSubmission, signSubmission, submissionMessage, verifySubmission }
  from '../../voting/booth/static/js/eg/submission.js';

const r = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 255);
const ELECTION = 'springfield-2026';
const H_E = '5E'.repeat(32);
const CODE = 'C0'.repeat(32);
// Two contests' contest data (C0 512 bytes, C1 of the data's length, C2 the 32-byte MAC), as in a posted ballot.
const BALLOT = {
  confirmation_code: CODE,
  contests: [
    { contest_data: { c0: '0A'.repeat(512), c1: '1B'.repeat(32), c2: '2C'.repeat(32) } },
    { contest_data: { c0: '3D'.repeat(512), c1: '4E'.repeat(64), c2: '5F'.repeat(32) } },
  ],
};

/** D of record format §5, computed here with Node's own SHA-256, independently of submission.js. */
function expectedContestData(ballot) {
  const length = (n) => Buffer.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  const parts = [Buffer.from('evote/contest-data/v1'), Buffer.of(0), length(ballot.contests.length)];
  for (const { contest_data: data } of ballot.contests) {
    for (const name of ['c0', 'c1', 'c2']) parts.push(length(data[name].length / 2), Buffer.from(data[name], 'hex'));
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest();
}

/** Independent encoding from record format §4 (bit string, node:crypto). */
function expectedCredential(random) {
  const check = createHash('sha256').update(Buffer.concat([Buffer.from('evote/credential-check/v1'), random])).digest();
  const bits = [...random].map((b) => b.toString(2).padStart(8, '0')).join('') +
    check[0].toString(2).padStart(8, '0') + check[1].toString(2).padStart(8, '0').slice(0, 4);
  const chars = bits.match(/.{5}/g).map((five) => CREDENTIAL_ALPHABET[parseInt(five, 2)]).join('');
  return chars.match(/.{4}/g).join('-');
}

test('credentials round-trip and match the record format bit layout', async () => {
  const text = await formatCredential(r);
  assert.match(text, /^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.equal(text, expectedCredential(r));
  assert.deepEqual(await parseCredential(text), r);
  for (let i = 0; i < 20; i++) {
    const random = crypto.getRandomValues(new Uint8Array(16));
    assert.deepEqual(await parseCredential(await formatCredential(random)), random);
  }
});

test('parsing ignores case, spaces and dashes and reads I, L as 1 and O as 0', async () => {
  const text = await formatCredential(r);
  assert.deepEqual(await parseCredential(` ${text.toLowerCase().replace(/-/g, ' ')} `), r);
  assert.deepEqual(await parseCredential(text.replace(/-/g, '')), r);
  const loose = text.replace(/1/g, 'l').replace(/0/g, 'O');
  assert.deepEqual(await parseCredential(loose), r);
  assert.deepEqual(await parseCredential(text.replace(/1/g, 'I')), r);
});

test('every single-character typo and every adjacent transposition is detected without echoing the text', async () => {
  const text = (await formatCredential(r)).replace(/-/g, '');
  let tried = 0;
  const rejects = async (candidate) => {
    tried += 1;
    await assert.rejects(parseCredential(candidate), (e) => {
      assert.ok(e instanceof CredentialError);
      for (let k = 0; k + 4 <= candidate.length; k++) assert.ok(!e.message.includes(candidate.slice(k, k + 4)));
      return true;
    });
  };
  for (let i = 0; i < text.length; i++) {
    for (const ch of CREDENTIAL_ALPHABET) if (ch !== text[i]) await rejects(text.slice(0, i) + ch + text.slice(i + 1));
    if (i + 1 < text.length && text[i] !== text[i + 1]) {
      await rejects(text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2));
    }
  }
  assert.ok(tried > 28 * 31);
  await assert.rejects(parseCredential(text.slice(1)), CredentialError); // too short
  await assert.rejects(parseCredential(text + '0'), CredentialError); // too long
  await assert.rejects(parseCredential(text.slice(0, -1) + 'U'), CredentialError); // not in the alphabet
  await assert.rejects(parseCredential(42), CredentialError);
});

test('the Ed25519 seed is HMAC-SHA-256("evote/credential/v1", b(len(id), 4) ∥ id ∥ r)', async () => {
  const id = Buffer.from(ELECTION);
  const expected = createHmac('sha256', 'evote/credential/v1')
    .update(Buffer.concat([Buffer.from([0, 0, 0, id.length]), id, r])).digest();
  assert.deepEqual(Buffer.from(await credentialSeed(r, ELECTION)), expected);
  await assert.rejects(credentialSeed(r, ''), FormatError);
});

test('derived keys sign the exact submission bytes; the signature verifies with WebCrypto', async () => {
  const { privateKey, publicKey } = await deriveCredentialKeys(await formatCredential(r), ELECTION);
  assert.match(publicKey, /^[0-9A-F]{64}$/);
  assert.equal(privateKey.extractable, false);
  const again = await deriveCredentialKeys((await formatCredential(r)).toLowerCase(), ELECTION);
  assert.equal(again.publicKey, publicKey);
  assert.notEqual((await deriveCredentialKeys(await formatCredential(r), 'other-election')).publicKey, publicKey);

  const message = await submissionMessage({ electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: BALLOT });
  const id = Buffer.from(ELECTION);
  assert.deepEqual(Buffer.from(message), Buffer.concat([
    Buffer.from('evote/ballot/v2'), Buffer.of(0), Buffer.of(0, 0, 0, id.length), id, Buffer.from(H_E, 'hex'),
    Buffer.of(0, 0, 0, 4), Buffer.from('cast'), Buffer.from(CODE, 'hex'), expectedContestData(BALLOT)]));

  const signature = await signSubmission({ privateKey, electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: BALLOT });
  assert.match(signature, /^[0-9A-F]{128}$/);
  const key = await crypto.subtle.importKey('raw', Buffer.from(publicKey, 'hex'), { name: 'Ed25519' }, false, ['verify']);
  assert.ok(await crypto.subtle.verify({ name: 'Ed25519' }, key, Buffer.from(signature, 'hex'), message));
  const challengeMessage = await submissionMessage({ electionId: ELECTION, extendedBaseHash: H_E, action: 'challenge', ballot: BALLOT });
  assert.ok(!await crypto.subtle.verify({ name: 'Ed25519' }, key, Buffer.from(signature, 'hex'), challengeMessage));

  const claim = { publicKey, signature, electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: BALLOT };
  await verifySubmission(claim);
  await assert.rejects(verifySubmission({ ...claim, action: 'challenge' }), InvalidSignature);
  await assert.rejects(verifySubmission({ ...claim, ballot: { ...BALLOT, confirmation_code: 'C1' + CODE.slice(2) } }), InvalidSignature);
  // the contest data is signed too: one changed byte of C1 in the second contest and the signature fails
  const contests = structuredClone(BALLOT.contests);
  contests[1].contest_data.c1 = '4F' + contests[1].contest_data.c1.slice(2);
  await assert.rejects(verifySubmission({ ...claim, ballot: { ...BALLOT, contests } }), InvalidSignature);
  await assert.rejects(verifySubmission({ ...claim, ballot: { ...BALLOT, contests: BALLOT.contests.slice(0, 1) } }), InvalidSignature);
  await assert.rejects(signSubmission({ ...claim, privateKey, action: 'spoil' }), (e) => e.field === 'action');
  await assert.rejects(signSubmission({ ...claim, privateKey, ballot: { confirmation_code: CODE } }), (e) => e.field === 'ballot.contests');
});

test('a version-2 election signs the ballot style under evote/ballot/v3', async () => {
  const { privateKey, publicKey } = await deriveCredentialKeys(await formatCredential(r), ELECTION);
  const styled = { ...BALLOT, style: 'süd ward' }; // UTF-8: 9 bytes for 8 characters
  const message = await submissionMessage({ electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: styled, styleSigned: true });
  const id = Buffer.from(ELECTION);
  const style = Buffer.from('süd ward', 'utf8');
  assert.deepEqual(Buffer.from(message), Buffer.concat([
    Buffer.from('evote/ballot/v3'), Buffer.of(0), Buffer.of(0, 0, 0, id.length), id, Buffer.from(H_E, 'hex'),
    Buffer.of(0, 0, 0, 4), Buffer.from('cast'), Buffer.of(0, 0, 0, style.length), style, Buffer.from(CODE, 'hex'),
    expectedContestData(BALLOT)]));
  // without styleSigned the style is not signed and the domain stays v2, whatever the ballot holds
  const unstyled = await submissionMessage({ electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: styled });
  assert.deepEqual(Buffer.from(unstyled.slice(0, 15)), Buffer.from('evote/ballot/v2'));

  const signature = await signSubmission({ privateKey, electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: styled, styleSigned: true });
  const claim = { publicKey, signature, electionId: ELECTION, extendedBaseHash: H_E, action: 'cast', ballot: styled, styleSigned: true };
  await verifySubmission(claim);
  await assert.rejects(verifySubmission({ ...claim, ballot: { ...styled, style: 'north' } }), InvalidSignature);
  await assert.rejects(verifySubmission({ ...claim, styleSigned: false }), InvalidSignature);
  await assert.rejects(signSubmission({ ...claim, privateKey, ballot: BALLOT }), (e) => e.field === 'ballot.style');
});

test('buildSubmission allows reveal only with a challenge', () => {
  const base = { ballot: {}, credential: 'AB'.repeat(32), signature: 'CD'.repeat(64) };
  const reveal = { nonce: '01'.repeat(32), choices: { mayor: ['alice'] } };
  assert.deepEqual(Object.keys(buildSubmission({ ...base, action: 'cast' })), ['action', 'ballot', 'credential', 'signature']);
  assert.deepEqual(buildSubmission({ ...base, action: 'challenge', reveal }).reveal, reveal);
  assert.throws(() => buildSubmission({ ...base, action: 'cast', reveal }), (e) => e.field === 'reveal');
  assert.throws(() => buildSubmission({ ...base, action: 'cast', signature: 'cd'.repeat(64) }), (e) => e.field === 'signature');
});
