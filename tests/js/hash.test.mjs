// Behaviour of hash.js: H is HMAC-SHA-256 (SPEC eq. 105) and the input encodings of SPEC §5.1.

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import test from 'node:test';

import { bytesToHex } from '../../voting/booth/static/js/eg/bytes.js';
import { FormatError } from '../../voting/booth/static/js/eg/errors.js';
import { Q } from '../../voting/booth/static/js/eg/group.js';
import { b4, bP, bQ, H, hmacSha256, sha256, tag, withLength } from '../../voting/booth/static/js/eg/hash.js';

const key = Uint8Array.from({ length: 32 }, (_, i) => i);

test('H(key; parts) is HMAC-SHA-256 over the concatenated parts, with or without the key cache', async () => {
  const parts = [tag(0x21), bQ(5n), Uint8Array.of(1, 2, 3)];
  const expected = createHmac('sha256', key).update(Buffer.concat(parts)).digest('hex').toUpperCase();
  assert.equal(bytesToHex(await H(key, ...parts)), expected);
  assert.equal(bytesToHex(await H(key, ...parts)), expected); // cached key
  assert.equal(bytesToHex(await hmacSha256(key, Buffer.concat(parts))), expected);
  assert.equal(bytesToHex(await sha256(Uint8Array.of(97, 98, 99))), createHash('sha256').update('abc').digest('hex').toUpperCase());
});

test('H takes only 32-byte keys (SPEC §5.2)', async () => {
  await assert.rejects(H(new Uint8Array(31), tag(0)), FormatError);
  await assert.rejects(H('00'.repeat(32), tag(0)), FormatError);
});

test('encodings follow SPEC §5.1 examples', () => {
  assert.equal(bP(15n).length, 512);
  assert.equal(bytesToHex(bP(15n)), '0'.repeat(1022) + '0F');
  assert.equal(bytesToHex(bQ(16n)), '0'.repeat(62) + '10');
  assert.equal(bytesToHex(bQ(Q - 1n)), 'F'.repeat(62) + '42');
  assert.equal(bytesToHex(b4(5)), '00000005');
  assert.equal(bytesToHex(b4(2 ** 31 - 1)), '7FFFFFFF');
  assert.equal(bytesToHex(withLength('ElectionGuard')), '0000000D456C656374696F6E4775617264');
  // eq. 50's "contest data" (with a space, as egk hashes it); the §5.5.3 table prints 5F ("contest_data").
  assert.equal(bytesToHex(withLength('contest data')), '0000000C636F6E7465737420' + '64617461');
  assert.equal(bytesToHex(withLength(Uint8Array.of(1, 2))), '000000020102');
});

test('small integers outside [0, 2^31) are rejected', () => {
  for (const bad of [-1, 2 ** 31, 1.5, '3', 3n]) assert.throws(() => b4(bad), FormatError);
  assert.throws(() => bQ(2n ** 256n), FormatError);
  assert.throws(() => bP(-1n), FormatError);
});
