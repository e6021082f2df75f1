// Range proofs 0..R (selections, SPEC v2.0.0 §3.3.5) and 0..L (contest selection limit, §3.3.8), and their
// check (Verifications 5 and 6). A proof is { c: [c_0..c_R], v: [v_0..v_R] } of BigInts in Z_q.

import { InvalidProof } from './errors.js';
import { bP, H, tag } from './hash.js';
import { bytesToBigInt } from './bytes.js';
import { isGroupElement, modMul, modPow, modQ, Q, randomScalar } from './group.js';

const CHALLENGE_TAG = 0x21;

/** c = H(H_E; 0x21, K, α, β, a_0, b_0, ..., a_R, b_R) as an integer in [0, 2^256) (SPEC eqs. 46, 56). */
async function challenge(H_E, K, alpha, beta, commitments) {
  const parts = [tag(CHALLENGE_TAG), bP(K), bP(alpha), bP(beta)];
  for (const [a, b] of commitments) parts.push(bP(a), bP(b));
  return bytesToBigInt(await H(H_E, ...parts));
}

function requireRangeLimit(limit) {
  if (!Number.isInteger(limit) || limit < 1 || limit >= 2 ** 31) {
    throw new RangeError('range proof: the limit must be an integer in [1, 2^31)');
  }
}

/**
 * Proves that (α, β) = (g^ξ, K^(ℓ+ξ)) encrypts ℓ with 0 <= ℓ <= limit (SPEC §3.3.5 eqs. 44–48; with the
 * contest's product ciphertext and summed nonce this is the limit proof of §3.3.8, eq. 56).
 * `tables` are the fixed-base tables { g, K } of group.js's buildTables.
 * `testOnlyNonces` = { u: [u_0..u_R], c: [c_0..c_R] } (BigInts; c[ℓ] unused) replaces the random u_j and
 * c_j; only known-answer tests pass it.
 */
export async function proveRange({ alpha, beta, xi, ell, limit, H_E, tables, testOnlyNonces }) {
  requireRangeLimit(limit);
  if (!Number.isInteger(ell) || ell < 0 || ell > limit) throw new RangeError('range proof: plaintext out of range');
  const K = tables.K.base;
  const u = [];
  const c = [];
  for (let j = 0; j <= limit; j++) {
    u.push(testOnlyNonces ? modQ(testOnlyNonces.u[j]) : randomScalar());
    c.push(j === ell ? 0n : testOnlyNonces ? modQ(testOnlyNonces.c[j]) : randomScalar());
  }
  const commitments = [];
  for (let j = 0; j <= limit; j++) {
    if (j === ell) {
      commitments.push([tables.g.pow(u[j]), tables.K.pow(u[j])]); // eq. 44
    } else {
      const t = modQ(u[j] + BigInt(ell - j) * c[j]); // eq. 45
      commitments.push([tables.g.pow(u[j]), tables.K.pow(t)]);
    }
  }
  const cTotal = await challenge(H_E, K, alpha, beta, commitments);
  let others = 0n;
  for (let j = 0; j <= limit; j++) if (j !== ell) others += c[j];
  c[ell] = modQ(cTotal - others); // eq. 47
  const v = u.map((uj, j) => modQ(uj - c[j] * modQ(xi))); // eq. 48
  return { c, v };
}

/**
 * Checks a range proof 0..limit for (α, β) (Verification 5, or 6 for the product ciphertext): membership of
 * α and β (5.A), c_j and v_j in Z_q (5.B, 5.C), then a_j = g^{v_j} α^{c_j}, b_j = K^{(v_j − j c_j) mod q} β^{c_j}
 * (5.1, 5.2), c from eq. 46 (5.3) and c ≡ Σ c_j (mod q) (5.D). Returns nothing; throws InvalidProof naming
 * `field` and the failed check.
 */
export async function verifyRangeProof({ alpha, beta, proof, limit, H_E, tables, field = 'proof' }) {
  requireRangeLimit(limit);
  if (!isGroupElement(alpha)) throw new InvalidProof(`${field}: alpha is not in Z_p^r (5.A)`, { field, check: '5.A' });
  if (!isGroupElement(beta)) throw new InvalidProof(`${field}: beta is not in Z_p^r (5.A)`, { field, check: '5.A' });
  const { c, v } = proof;
  if (!Array.isArray(c) || !Array.isArray(v) || c.length !== limit + 1 || v.length !== limit + 1) {
    throw new InvalidProof(`${field}: expected ${limit + 1} challenges and responses`, { field, check: 'length' });
  }
  for (let j = 0; j <= limit; j++) {
    if (typeof c[j] !== 'bigint' || c[j] < 0n || c[j] >= Q) {
      throw new InvalidProof(`${field}: c_${j} is not in Z_q (5.B)`, { field, check: '5.B' });
    }
    if (typeof v[j] !== 'bigint' || v[j] < 0n || v[j] >= Q) {
      throw new InvalidProof(`${field}: v_${j} is not in Z_q (5.C)`, { field, check: '5.C' });
    }
  }
  const commitments = [];
  let sum = 0n;
  for (let j = 0; j <= limit; j++) {
    const a = modMul(tables.g.pow(v[j]), modPow(alpha, c[j]));
    const w = modQ(v[j] - BigInt(j) * c[j]);
    const b = modMul(tables.K.pow(w), modPow(beta, c[j]));
    commitments.push([a, b]);
    sum += c[j];
  }
  const cTotal = await challenge(H_E, tables.K.base, alpha, beta, commitments);
  // The prover sets c_ℓ = (c − Σ_{j≠ℓ} c_j) mod q, so the sum matches c reduced mod q (c < 2^256 may exceed q).
  if (modQ(sum) !== modQ(cTotal)) {
    throw new InvalidProof(`${field}: the challenges do not sum to the hash c (5.D)`, { field, check: '5.D' });
  }
}
