// Behaviour of group.js and bytes.js: strict record spelling, Z_p^r membership, fixed-base tables, random
// scalars.

import assert from 'node:assert/strict';
import test from 'node:test';

import { bigIntToBytes, bytesToBigInt, bytesToHex, hexToBytes } from '../../voting/booth/static/js/eg/bytes.js';
import { FormatError, NotInGroupError } from '../../voting/booth/static/js/eg/errors.js';
import {
  buildTables, elementFromHex, elementToHex, FixedBaseTable, G, isGroupElement, modPow, P, Q, randomScalar,
  scalarFromHex, scalarToHex,
} from '../../voting/booth/static/js/eg/group.js';
import { TEST_KEY } from './support.mjs';

const hex1024 = (x) => x.toString(16).toUpperCase().padStart(1024, '0');
const hex64 = (x) => x.toString(16).toUpperCase().padStart(64, '0');

function throwsNaming(fn, Class, field) {
  assert.throws(fn, (error) => error instanceof Class && error.field === field && error.message.includes(field));
}

test('q = 2^256 - 189, g and a test key are group elements, p - 1 is not', () => {
  assert.equal(Q, 2n ** 256n - 189n);
  assert.equal((P - 1n) % Q, 0n);
  assert.ok(isGroupElement(G));
  assert.ok(isGroupElement(1n));
  assert.ok(!isGroupElement(P - 1n)); // (-1)^q = -1 for odd q
  assert.ok(!isGroupElement(2n)); // 2 generates more than the order-q subgroup
});

test('elementFromHex round-trips a group element', () => {
  assert.equal(elementFromHex(hex1024(G), 'g'), G);
  assert.equal(elementToHex(G), hex1024(G));
  assert.equal(elementFromHex(TEST_KEY, 'K', { forbidOne: true }).toString(16).length > 0, true);
});

test('elementFromHex rejects 0, p, p - 1, a non-member, and 1 where forbidden', () => {
  throwsNaming(() => elementFromHex(hex1024(0n), 'alpha'), NotInGroupError, 'alpha');
  throwsNaming(() => elementFromHex('F'.repeat(1024), 'alpha'), NotInGroupError, 'alpha'); // 2^4096 - 1 > p
  throwsNaming(() => elementFromHex(bytesToHex(bigIntToBytes(P, 512)), 'alpha'), NotInGroupError, 'alpha');
  throwsNaming(() => elementFromHex(hex1024(P - 1n), 'beta'), NotInGroupError, 'beta');
  throwsNaming(() => elementFromHex(hex1024(2n), 'beta'), NotInGroupError, 'beta');
  throwsNaming(() => elementFromHex(hex1024(1n), 'electionPublicKey', { forbidOne: true }), NotInGroupError, 'electionPublicKey');
  assert.equal(elementFromHex(hex1024(1n), 'alpha'), 1n);
});

test('elementFromHex rejects wrong length, lower case, 0x prefix and non-strings', () => {
  const good = hex1024(G);
  throwsNaming(() => elementFromHex(good.slice(1), 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex('0' + good, 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex(good.toLowerCase(), 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex(good.slice(0, -1) + 'a', 'K'), FormatError, 'K'); // mixed case
  throwsNaming(() => elementFromHex('0x' + good.slice(2), 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex(' ' + good.slice(1), 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex(G, 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex(12, 'K'), FormatError, 'K');
  throwsNaming(() => elementFromHex(null, 'K'), FormatError, 'K');
});

test('scalarFromHex accepts [0, q) in 64 upper-case digits only', () => {
  assert.equal(scalarFromHex(hex64(0n), 'v'), 0n);
  assert.equal(scalarFromHex(hex64(Q - 1n), 'v'), Q - 1n);
  assert.equal(scalarToHex(Q - 1n), 'F'.repeat(62) + '42');
  throwsNaming(() => scalarFromHex(hex64(Q), 'v'), FormatError, 'v');
  throwsNaming(() => scalarFromHex('F'.repeat(64), 'v'), FormatError, 'v');
  throwsNaming(() => scalarFromHex(hex64(5n).slice(1), 'v'), FormatError, 'v');
  throwsNaming(() => scalarFromHex('0' + hex64(5n), 'v'), FormatError, 'v');
  throwsNaming(() => scalarFromHex('ab'.repeat(32), 'v'), FormatError, 'v');
  throwsNaming(() => scalarFromHex(5, 'v'), FormatError, 'v');
});

test('hexToBytes is strict and bytes helpers round-trip', () => {
  assert.deepEqual(hexToBytes('', 'aux'), new Uint8Array(0));
  assert.deepEqual(hexToBytes('00FF10', 'aux'), Uint8Array.of(0, 255, 16));
  assert.equal(bytesToHex(Uint8Array.of(0, 255, 16)), '00FF10');
  throwsNaming(() => hexToBytes('0FF', 'aux'), FormatError, 'aux');
  throwsNaming(() => hexToBytes('00ff', 'aux'), FormatError, 'aux');
  throwsNaming(() => hexToBytes('00FF', 'c1', 32), FormatError, 'c1');
  assert.equal(bytesToBigInt(bigIntToBytes(8572345n, 512)), 8572345n);
  assert.equal(bytesToHex(bigIntToBytes(8572345n, 512)).slice(-8), '0082CDB9'); // SPEC §5.1.1 example
  assert.throws(() => bigIntToBytes(256n, 1), FormatError);
});

test('modPow agrees with plain square-and-multiply', () => {
  const plain = (b, e) => {
    let r = 1n;
    for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
    return r;
  };
  for (const e of [0n, 1n, 2n, 31n, 32n, 0xDEADBEEFn, Q - 1n, Q, Q + 5n, randomScalar()]) {
    assert.equal(modPow(G, e), plain(G, e));
  }
});

test('fixed-base tables agree with modPow for g and K, reducing exponents mod q', () => {
  const tables = buildTables(TEST_KEY);
  const K = tables.K.base;
  for (const e of [0n, 1n, 255n, 256n, Q - 1n, Q, 2n ** 256n - 1n, randomScalar(), randomScalar()]) {
    assert.equal(tables.g.pow(e), modPow(G, e % Q));
    assert.equal(tables.K.pow(e), modPow(K, e % Q));
  }
  assert.equal(tables.g.pow(-1n), modPow(G, Q - 1n));
  assert.equal(buildTables(TEST_KEY).g, tables.g, 'the g table is built once and shared');
  assert.ok(tables.K instanceof FixedBaseTable);
});

test('buildTables validates the election public key', () => {
  throwsNaming(() => buildTables(hex1024(1n)), NotInGroupError, 'electionPublicKey');
  throwsNaming(() => buildTables(hex1024(P - 1n)), NotInGroupError, 'electionPublicKey');
  throwsNaming(() => buildTables(TEST_KEY.toLowerCase()), FormatError, 'electionPublicKey');
});

test('randomScalar gives distinct values below q', () => {
  const seen = new Set();
  for (let i = 0; i < 64; i++) {
    const x = randomScalar();
    assert.ok(x >= 0n && x < Q);
    seen.add(x);
  }
  assert.equal(seen.size, 64);
});
