// Voter credentials (record format §4): 128 random bits r plus a 12-bit check value, written as 28 Crockford
// base-32 characters in groups of four; the Ed25519 signing key derived from r and the election identifier.
// Error messages never repeat the credential or any part of it.

import { bytesToHex, concatBytes, utf8 } from './bytes.js';
import { CredentialError, FormatError } from './errors.js';
import { hmacSha256, sha256, withLength } from './hash.js';

export const CREDENTIAL_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_BYTES = 16;
const CHECK_BITS = 12;
const CHARACTERS = 28; // (128 + 12) / 5
const CHECK_PREFIX = utf8('evote/credential-check/v1');
const SEED_KEY = utf8('evote/credential/v1');
// PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410): SEQUENCE { 0, { id-Ed25519 }, OCTET STRING { seed } }.
const PKCS8_ED25519_PREFIX = Uint8Array.of(
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);

const DECODE = new Map([...CREDENTIAL_ALPHABET].map((ch, i) => [ch, i]));
DECODE.set('I', 1);
DECODE.set('L', 1);
DECODE.set('O', 0);

/** The 12-bit check value: the first 12 bits of SHA-256("evote/credential-check/v1" ∥ r). */
async function checkValue(r) {
  const digest = await sha256(concatBytes(CHECK_PREFIX, r));
  return (digest[0] << 4) | (digest[1] >> 4);
}

function requireRandom(r) {
  if (!(r instanceof Uint8Array) || r.length !== RANDOM_BYTES) {
    throw new CredentialError('credential: the random part must be 16 bytes', { field: 'credential' });
  }
}

/** The credential string for 16 random bytes r: 28 characters in groups of four, joined by dashes. */
export async function formatCredential(r) {
  requireRandom(r);
  let value = 0n;
  for (const byte of r) value = (value << 8n) | BigInt(byte);
  value = (value << BigInt(CHECK_BITS)) | BigInt(await checkValue(r));
  let text = '';
  for (let i = CHARACTERS - 1; i >= 0; i--) text += CREDENTIAL_ALPHABET[Number((value >> BigInt(5 * i)) & 31n)];
  return text.match(/.{4}/g).join('-');
}

/**
 * The 16 random bytes r of a credential string. Ignores case, whitespace and dashes, reads I and L as 1 and
 * O as 0; throws CredentialError for another character, a wrong length or a check value that does not match
 * (most typing errors).
 */
export async function parseCredential(text) {
  if (typeof text !== 'string') throw new CredentialError('credential: expected a string', { field: 'credential' });
  const compact = text.toUpperCase().replace(/[\s-]+/g, '');
  if (compact.length !== CHARACTERS) {
    const message = `credential: expected ${CHARACTERS} characters besides dashes and spaces, got ${compact.length}`;
    throw new CredentialError(message, { field: 'credential' });
  }
  let value = 0n;
  for (let i = 0; i < CHARACTERS; i++) {
    const digit = DECODE.get(compact[i]);
    if (digit === undefined) {
      throw new CredentialError(`credential: character ${i + 1} is not in the credential alphabet`, { field: 'credential' });
    }
    value = (value << 5n) | BigInt(digit);
  }
  const check = Number(value & BigInt((1 << CHECK_BITS) - 1));
  value >>= BigInt(CHECK_BITS);
  const r = new Uint8Array(RANDOM_BYTES);
  for (let i = RANDOM_BYTES - 1; i >= 0; i--) {
    r[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  if (check !== await checkValue(r)) {
    const message = 'credential: the check value does not match; please check for a typing error';
    throw new CredentialError(message, { field: 'credential' });
  }
  return r;
}

/** The Ed25519 seed HMAC-SHA-256("evote/credential/v1", b(len(id), 4) ∥ id ∥ r) (record format §4). */
export async function credentialSeed(r, electionId) {
  requireRandom(r);
  if (typeof electionId !== 'string' || electionId.length === 0) {
    throw new FormatError('electionId: expected a non-empty string', { field: 'electionId' });
  }
  return hmacSha256(SEED_KEY, concatBytes(withLength(electionId), r));
}

function base64UrlToBytes(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * The voter's Ed25519 key pair for an election from the credential string: { privateKey (non-extractable
 * WebCrypto CryptoKey, usage 'sign'), publicKey (64 upper-case hex digits, as on the credential list) }.
 */
export async function deriveCredentialKeys(credential, electionId) {
  const seed = await credentialSeed(await parseCredential(credential), electionId);
  const pkcs8 = concatBytes(PKCS8_ED25519_PREFIX, seed);
  seed.fill(0);
  const subtle = globalThis.crypto.subtle;
  // Exportable once to read the public key (JWK `x`), then imported again without export rights for signing.
  const exportable = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
  const { x } = await subtle.exportKey('jwk', exportable);
  const privateKey = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  pkcs8.fill(0);
  return { privateKey, publicKey: bytesToHex(base64UrlToBytes(x)) };
}
