// Byte arrays and their upper-case hex spelling (record format §1). SPEC v2.0.0 §5.1.

import { FormatError } from './errors.js';

const HEX_BYTE = /^(?:[0-9A-F]{2})*$/;
const encoder = new TextEncoder();

/** Upper-case hex of a byte array. */
export function bytesToHex(bytes) {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out.toUpperCase();
}

/**
 * Bytes of an upper-case, even-length hex string; `length` (in bytes), when given, is enforced.
 * Lower-case or mixed case, a 0x prefix and odd lengths are rejected (record format §1).
 */
export function hexToBytes(hex, field, length) {
  if (typeof hex !== 'string') throw new FormatError(`${field}: expected an upper-case hex string`, { field });
  if (!HEX_BYTE.test(hex)) {
    throw new FormatError(`${field}: expected upper-case hex of whole bytes (0-9, A-F, even length)`, { field });
  }
  if (length !== undefined && hex.length !== 2 * length) {
    throw new FormatError(`${field}: expected exactly ${2 * length} hex digits, got ${hex.length}`, { field });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Concatenation a ∥ b ∥ ... of byte arrays. */
export function concatBytes(...parts) {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return encoder.encode(text);
}

/** Big-endian b(x, length) of a non-negative BigInt (SPEC eq. 98); throws if x does not fit. */
export function bigIntToBytes(x, length, field = 'value') {
  if (typeof x !== 'bigint' || x < 0n || x >= 1n << BigInt(8 * length)) {
    throw new FormatError(`${field}: not an integer in [0, 2^${8 * length})`, { field });
  }
  const hex = x.toString(16).padStart(2 * length, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The non-negative integer a byte array represents, big-endian (SPEC eq. 97). */
export function bytesToBigInt(bytes) {
  if (bytes.length === 0) return 0n;
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return BigInt('0x' + hex);
}

/** Constant-pattern equality of two byte arrays (lengths are public). */
export function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
