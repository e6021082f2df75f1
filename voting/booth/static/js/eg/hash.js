// The hash function H and the byte encodings of its inputs. SPEC v2.0.0 §5.1–5.4:
// H(B0; B1) = HMAC-SHA-256(B0, B1) with a 32-byte key B0 (eq. 105), inputs concatenated without separators.
// Only WebCrypto (crypto.subtle) is used, so every hash is asynchronous.

import { bigIntToBytes, concatBytes, utf8 } from './bytes.js';
import { FormatError } from './errors.js';
import { P_BYTES, Q_BYTES } from './group.js';

const subtle = () => globalThis.crypto.subtle;
const HMAC_SHA256 = { name: 'HMAC', hash: 'SHA-256' };

// Imported HMAC keys for the public hash keys (H_P, H_E), by hex; a few elections at most per page.
const keyCache = new Map();
const KEY_CACHE_SIZE = 8;

function keyHex(key) {
  let hex = '';
  for (const byte of key) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function importHmacKey(key) {
  return subtle().importKey('raw', key, HMAC_SHA256, false, ['sign']);
}

function requireHashKey(key) {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new FormatError('H: the key must be 32 bytes (SPEC §5.2)', { field: 'key' });
  }
}

/**
 * H(key; parts...) = HMAC-SHA-256(key, part_1 ∥ part_2 ∥ ...), a 32-byte Uint8Array (SPEC eq. 105).
 * For public keys only (H_P, H_E): the imported key is cached. Secret keys go through `hmacSha256`.
 */
export async function H(key, ...parts) {
  requireHashKey(key);
  const id = keyHex(key);
  let imported = keyCache.get(id);
  if (imported === undefined) {
    imported = importHmacKey(key);
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value);
    keyCache.set(id, imported);
  }
  const mac = await subtle().sign('HMAC', await imported, concatBytes(...parts));
  return new Uint8Array(mac);
}

/** HMAC-SHA-256(key, message) with a key that is never cached (contest data keys, credential derivation). */
export async function hmacSha256(key, message) {
  const imported = await importHmacKey(key);
  return new Uint8Array(await subtle().sign('HMAC', imported, message));
}

/** SHA-256(message). */
export async function sha256(message) {
  return new Uint8Array(await subtle().digest('SHA-256', message));
}

/** One domain-separation byte, e.g. 0x21. */
export function tag(byte) {
  return Uint8Array.of(byte);
}

/** b(x, 512): an element of Z_p (SPEC §5.1.1). */
export function bP(x) {
  return bigIntToBytes(x, P_BYTES, 'element of Z_p');
}

/** b(x, 32): an element of Z_q (SPEC §5.1.2). */
export function bQ(x) {
  return bigIntToBytes(x, Q_BYTES, 'element of Z_q');
}

/** b(i, 4): a small integer 0 <= i < 2^31 (SPEC §5.1.3). */
export function b4(i) {
  if (!Number.isInteger(i) || i < 0 || i >= 2 ** 31) {
    throw new FormatError('small integer: not an integer in [0, 2^31)', { field: 'small integer' });
  }
  return Uint8Array.of((i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff);
}

/** b(len(s), 4) ∥ s: a string (UTF-8) or byte array with its 4-byte length in front (SPEC §5.1.4–5.1.5). */
export function withLength(value) {
  const bytes = typeof value === 'string' ? utf8(value) : value;
  return concatBytes(b4(bytes.length), bytes);
}
