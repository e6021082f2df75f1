// The group Z_p^r of the standard ElectionGuard 2.0 parameters: constants, modular arithmetic, fixed-base
// exponentiation tables, strict hex encoding of group elements and scalars, random scalars.
// SPEC v2.0.0 §3.1.1 (parameters), §5.1.1–5.1.2 (encodings), Note 3.4 (fixed-base tables).

import { FormatError, NotInGroupError } from './errors.js';

// p, q and g of SPEC v2.0.0 §3.1.1 (identical to egk's ParametersTestVector.json; the tests compare them).
const P_HEX = (
  'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF' +
  'B17217F7D1CF79ABC9E3B39803F2F6AF40F343267298B62D8A0D175B8BAAFA2B' +
  'E7B876206DEBAC98559552FB4AFA1B10ED2EAE35C138214427573B291169B825' +
  '3E96CA16224AE8C51ACBDA11317C387EB9EA9BC3B136603B256FA0EC7657F74B' +
  '72CE87B19D6548CAF5DFA6BD38303248655FA1872F20E3A2DA2D97C50F3FD5C6' +
  '07F4CA11FB5BFB90610D30F88FE551A2EE569D6DFC1EFA157D2E23DE1400B396' +
  '17460775DB8990E5C943E732B479CD33CCCC4E659393514C4C1A1E0BD1D6095D' +
  '25669B333564A3376A9C7F8A5E148E82074DB6015CFE7AA30C480A5417350D2C' +
  '955D5179B1E17B9DAE313CDB6C606CB1078F735D1B2DB31B5F50B5185064C18B' +
  '4D162DB3B365853D7598A1951AE273EE5570B6C68F96983496D4E6D330AF889B' +
  '44A02554731CDC8EA17293D1228A4EF98D6F5177FBCF0755268A5C1F9538B982' +
  '61AFFD446B1CA3CF5E9222B88C66D3C5422183EDC99421090BBB16FAF3D949F2' +
  '36E02B20CEE886B905C128D53D0BD2F9621363196AF503020060E49908391A0C' +
  '57339BA2BEBA7D052AC5B61CC4E9207CEF2F0CE2D7373958D762265890445744' +
  'FB5F2DA4B751005892D356890DEFE9CAD9B9D4B713E06162A2D8FDD0DF2FD608' +
  'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF'
);
const Q_HEX = (
  'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF43'
);
const G_HEX = (
  '36036FED214F3B50DC566D3A312FE4131FEE1C2BCE6D02EA39B477AC05F7F885' +
  'F38CFE77A7E45ACF4029114C4D7A9BFE058BF2F995D2479D3DDA618FFD910D3C' +
  '4236AB2CFDD783A5016F7465CF59BBF45D24A22F130F2D04FE93B2D58BB9C1D1' +
  'D27FC9A17D2AF49A779F3FFBDCA22900C14202EE6C99616034BE35CBCDD3E7BB' +
  '7996ADFE534B63CCA41E21FF5DC778EBB1B86C53BFBE99987D7AEA0756237FB4' +
  '0922139F90A62F2AA8D9AD34DFF799E33C857A6468D001ACF3B681DB87DC4242' +
  '755E2AC5A5027DB81984F033C4D178371F273DBB4FCEA1E628C23E52759BC776' +
  '5728035CEA26B44C49A65666889820A45C33DD37EA4A1D00CB62305CD541BE1E' +
  '8A92685A07012B1A20A746C3591A2DB3815000D2AACCFE43DC49E828C1ED7387' +
  '466AFD8E4BF1935593B2A442EEC271C50AD39F733797A1EA11802A2557916534' +
  '662A6B7E9A9E449A24C8CFF809E79A4D806EB681119330E6C57985E39B200B48' +
  '93639FDFDEA49F76AD1ACD997EBA13657541E79EC57437E504EDA9DD01106151' +
  '6C643FB30D6D58AFCCD28B73FEDA29EC12B01A5EB86399A593A9D5F450DE39CB' +
  '92962C5EC6925348DB54D128FD99C14B457F883EC20112A75A6A0581D3D80A3B' +
  '4EF09EC86F9552FFDA1653F133AA2534983A6F31B0EE4697935A6B1EA2F75B85' +
  'E7EBA151BA486094D68722B054633FEC51CA3F29B31E77E317B178B6B9D8AE0F'
);

export const P = BigInt('0x' + P_HEX);
export const Q = BigInt('0x' + Q_HEX);
export const G = BigInt('0x' + G_HEX);

/** Byte lengths l_p and l_q of SPEC §5.1.1–5.1.2. */
export const P_BYTES = 512;
export const Q_BYTES = 32;

const ELEMENT_HEX = /^[0-9A-F]{1024}$/;
const SCALAR_HEX = /^[0-9A-F]{64}$/;

/** a · b mod p. */
export function modMul(a, b) {
  return (a * b) % P;
}

/** x mod q, in [0, q), for any BigInt x (also negative). */
export function modQ(x) {
  const r = x % Q;
  return r < 0n ? r + Q : r;
}

/** base^exponent mod p for a non-negative exponent; left-to-right sliding window of 5 bits. */
export function modPow(base, exponent) {
  if (exponent < 0n) throw new RangeError('modPow: negative exponent');
  base %= P;
  if (exponent === 0n) return 1n;
  const bits = exponent.toString(2);
  // odd[i] = base^(2i+1)
  const odd = [base];
  const square = modMul(base, base);
  for (let i = 1; i < 16; i++) odd.push(modMul(odd[i - 1], square));
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = modMul(result, result);
      i += 1;
      continue;
    }
    // longest window bits[i..j] of at most 5 bits that ends in a 1
    let j = Math.min(i + 5, bits.length);
    while (bits[j - 1] === '0') j -= 1;
    const window = parseInt(bits.slice(i, j), 2);
    for (let k = i; k < j; k++) result = modMul(result, result);
    result = modMul(result, odd[(window - 1) >> 1]);
    i = j;
  }
  return result;
}

/** True when x is in Z_p^r: an integer with 0 < x < p and x^q mod p = 1 (SPEC §3, Verification 5.A). */
export function isGroupElement(x) {
  return typeof x === 'bigint' && x > 0n && x < P && modPow(x, Q) === 1n;
}

/** Throws NotInGroupError naming `field` unless x is in Z_p^r. */
export function requireGroupElement(x, field) {
  if (!isGroupElement(x)) throw new NotInGroupError(`${field}: not an element of the group Z_p^r`, { field });
  return x;
}

/**
 * Element of Z_p^r from its record spelling: exactly 1024 upper-case hex digits (b(x, 512)), then range and
 * membership checks. `forbidOne` rejects the identity (used for the election public key K).
 */
export function elementFromHex(hex, field, { forbidOne = false } = {}) {
  if (typeof hex !== 'string') throw new FormatError(`${field}: expected a hex string`, { field });
  if (!ELEMENT_HEX.test(hex)) {
    throw new FormatError(`${field}: expected exactly 1024 upper-case hex digits`, { field });
  }
  const x = requireGroupElement(BigInt('0x' + hex), field);
  if (forbidOne && x === 1n) throw new NotInGroupError(`${field}: must not be the identity 1`, { field });
  return x;
}

/** Element of Z_q from exactly 64 upper-case hex digits (b(x, 32)), with 0 <= x < q. */
export function scalarFromHex(hex, field) {
  if (typeof hex !== 'string') throw new FormatError(`${field}: expected a hex string`, { field });
  if (!SCALAR_HEX.test(hex)) throw new FormatError(`${field}: expected exactly 64 upper-case hex digits`, { field });
  const x = BigInt('0x' + hex);
  if (x >= Q) throw new FormatError(`${field}: not below q`, { field });
  return x;
}

/** Record spelling of an element of Z_p: upper-case hex of b(x, 512). */
export function elementToHex(x) {
  if (typeof x !== 'bigint' || x < 0n || x >= P) throw new RangeError('elementToHex: not in [0, p)');
  return x.toString(16).toUpperCase().padStart(2 * P_BYTES, '0');
}

/** Record spelling of an element of Z_q: upper-case hex of b(x, 32). */
export function scalarToHex(x) {
  if (typeof x !== 'bigint' || x < 0n || x >= Q) throw new RangeError('scalarToHex: not in [0, q)');
  return x.toString(16).toUpperCase().padStart(2 * Q_BYTES, '0');
}

/** Uniformly random element of Z_q: 256 bits from crypto.getRandomValues, rejected until below q. */
export function randomScalar() {
  const bytes = new Uint8Array(Q_BYTES);
  for (;;) {
    globalThis.crypto.getRandomValues(bytes);
    let hex = '';
    for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
    const x = BigInt('0x' + hex);
    if (x < Q) return x;
  }
}

const WINDOW_BITS = 8;
const ROWS = 256 / WINDOW_BITS; // exponents below 2^256 (q < 2^256)
const DIGITS = 1 << WINDOW_BITS;

/**
 * Fixed-base exponentiation table for one base (g or K), SPEC Note 3.4: row i holds base^(d · 256^i) for
 * d = 1..255, so base^e for e < 2^256 is the product of at most 32 table entries. Build once per base
 * (32 × 255 multiplications) and reuse for every encryption and proof.
 */
export class FixedBaseTable {
  /** `base` must be in Z_p^r (callers validate it): `pow` relies on its order being q. */
  constructor(base) {
    if (typeof base !== 'bigint' || base <= 0n || base >= P) throw new RangeError('FixedBaseTable: base not in (0, p)');
    this.base = base;
    this.rows = [];
    let rowBase = base;
    for (let i = 0; i < ROWS; i++) {
      const row = new Array(DIGITS);
      row[0] = 1n;
      row[1] = rowBase;
      for (let d = 2; d < DIGITS; d++) row[d] = modMul(row[d - 1], rowBase);
      this.rows.push(row);
      rowBase = modMul(row[DIGITS - 1], rowBase); // base^(256^(i+1))
    }
  }

  /** base^e mod p; e is reduced mod q first (bases have order q), so any BigInt is accepted. */
  pow(e) {
    let exponent = modQ(e);
    let result = 1n;
    for (let i = 0; i < ROWS && exponent > 0n; i++) {
      const digit = Number(exponent & 0xffn);
      exponent >>= 8n;
      if (digit !== 0) result = result === 1n ? this.rows[i][digit] : modMul(result, this.rows[i][digit]);
    }
    return result;
  }
}

let generatorTable = null;

/**
 * Tables for g and for the election public key K, given in its record spelling (1024 upper-case hex digits;
 * K must be in Z_p^r and not 1). The g table is built once and shared; the K table once per election key.
 * Returns a frozen `{ g, K }` of FixedBaseTable; `tables.K.base` is K.
 */
export function buildTables(electionPublicKey) {
  const K = elementFromHex(electionPublicKey, 'electionPublicKey', { forbidOne: true });
  if (generatorTable === null) generatorTable = new FixedBaseTable(G);
  return Object.freeze({ g: generatorTable, K: new FixedBaseTable(K) });
}
