// Encryption of the contest data field D (SPEC v2.0.0 §3.3.6–3.3.7, eqs. 49–55) with evote's one-block D
// (record format §3): byte 0 is the format version 1, byte 1 the contest status, 30 zero bytes.

import { bytesToBigInt, concatBytes, utf8 } from './bytes.js';
import { b4, bP, bQ, H, hmacSha256, tag, withLength } from './hash.js';

const BLOCK_BYTES = 32;
const FORMAT_VERSION = 1;
const BLOCKS = 1; // b_D
const LABEL = utf8('data enc keys'); // b("data enc keys", 13)
const CONTEXT = utf8('contest data'); // b("contest data", 12)

/** evote's contest data field D: one 32-byte block [1, status, 0 × 30]. */
export function contestDataField(status) {
  if (!Number.isInteger(status) || status < 0 || status > 3) throw new RangeError('contest data: unknown status');
  const D = new Uint8Array(BLOCKS * BLOCK_BYTES);
  D[0] = FORMAT_VERSION;
  D[1] = status;
  return D;
}

/** ξ = H(H_E; 0x20, ξ_B, ind_c(Λ), "contest data") as an integer (SPEC eq. 50; the string is length-prefixed). */
export async function contestDataNonce(H_E, ballotNonce, contestIndex) {
  return bytesToBigInt(await H(H_E, tag(0x20), bQ(ballotNonce), b4(contestIndex), withLength('contest data')));
}

/**
 * Hashed ElGamal encryption of D (eqs. 51–55): (α, β) = (g^ξ, K^ξ), k = H(H_E; 0x22, K, α, β),
 * k_i = HMAC(k, b(i,4) ∥ Label ∥ 0x00 ∥ Context ∥ b((b_D+1)·256, 4)) with Context = "contest data" ∥ b(ind_c, 4),
 * C0 = α, C1 = D_1 ⊕ k_1 ∥ ..., C2 = HMAC(k_0, b(C0, 512) ∥ C1).
 * Returns { c0: BigInt, c1: Uint8Array, c2: Uint8Array(32) }.
 */
export async function encryptContestData({ D, xi, contestIndex, H_E, tables }) {
  if (!(D instanceof Uint8Array) || D.length === 0 || D.length % BLOCK_BYTES !== 0) {
    throw new RangeError('contest data: D must be whole 32-byte blocks');
  }
  const blocks = D.length / BLOCK_BYTES;
  const alpha = tables.g.pow(xi);
  const beta = tables.K.pow(xi);
  const k = await H(H_E, tag(0x22), bP(tables.K.base), bP(alpha), bP(beta));
  const suffix = concatBytes(LABEL, tag(0x00), CONTEXT, b4(contestIndex), b4((blocks + 1) * 256));
  const keys = [];
  for (let i = 0; i <= blocks; i++) keys.push(await hmacSha256(k, concatBytes(b4(i), suffix)));
  const c1 = new Uint8Array(D.length);
  for (let i = 0; i < D.length; i++) c1[i] = D[i] ^ keys[1 + Math.floor(i / BLOCK_BYTES)][i % BLOCK_BYTES];
  const c2 = await hmacSha256(keys[0], concatBytes(bP(alpha), c1));
  return { c0: alpha, c1, c2 };
}
