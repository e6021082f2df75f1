// Behaviour of proofs.js: range proofs 0..R verify under verifyRangeProof and under the literal reference
// verifier of the tests, and changing any one field (α, β, any c_j, any v_j) makes both checks fail.

import assert from 'node:assert/strict';
import test from 'node:test';

import { encryptSelection } from '../../voting/booth/static/js/eg/ballot.js';
import { hexToBytes } from '../../voting/booth/static/js/eg/bytes.js';
import { InvalidProof } from '../../voting/booth/static/js/eg/errors.js';
import { G, modMul, P, Q, randomScalar } from '../../voting/booth/static/js/eg/group.js';
import { proveRange, verifyRangeProof } from '../../voting/booth/static/js/eg/proofs.js';
import { referenceVerifyRange } from './reference_verifier.mjs';
import { sharedTestTables, TEST_H_E } from './support.mjs';

const H_E = hexToBytes(TEST_H_E, 'H_E', 32);

async function proven(sigma, limit) {
  const tables = sharedTestTables();
  const xi = randomScalar();
  const { alpha, beta } = encryptSelection({ sigma, xi, tables });
  const proof = await proveRange({ alpha, beta, xi, ell: sigma, limit, H_E, tables });
  return { alpha, beta, proof, limit, tables };
}

function reference({ alpha, beta, proof, limit, tables }) {
  // The reference reads proofs in record hex; values out of Z_q keep 64 digits.
  const hex = (x) => x.toString(16).toUpperCase().padStart(64, '0');
  return referenceVerifyRange({
    K: tables.K.base, H_E: TEST_H_E, alpha, beta, limit, where: 'test', proof: { c: proof.c.map(hex), v: proof.v.map(hex) },
  });
}

async function bothVerify(claim) {
  await verifyRangeProof({ ...claim, H_E });
  await reference(claim);
}

async function bothReject(claim, check) {
  await assert.rejects(verifyRangeProof({ ...claim, H_E }), (e) => e instanceof InvalidProof && e.check === check);
  await assert.rejects(reference(claim), /^Error: reference check/);
}

for (const [sigma, limit] of [[0, 1], [1, 1], [0, 3], [2, 3], [3, 3]]) {
  test(`a proof that Enc(${sigma}) is in 0..${limit} verifies under both verifiers`, async () => {
    const claim = await proven(sigma, limit);
    assert.equal(claim.proof.c.length, limit + 1);
    await bothVerify(claim);
  });
}

test('changing alpha, beta, any c_j or any v_j makes both checks fail', async () => {
  const claim = await proven(1, 2);
  const bump = (x) => (x + 1n) % Q;
  await bothReject({ ...claim, alpha: modMul(claim.alpha, G) }, '5.D');
  await bothReject({ ...claim, beta: modMul(claim.beta, G) }, '5.D');
  await bothReject({ ...claim, alpha: P - 1n }, '5.A');
  await bothReject({ ...claim, beta: 0n }, '5.A');
  for (let j = 0; j <= claim.limit; j++) {
    const c = [...claim.proof.c];
    c[j] = bump(c[j]);
    await bothReject({ ...claim, proof: { ...claim.proof, c } }, '5.D');
    const v = [...claim.proof.v];
    v[j] = bump(v[j]);
    await bothReject({ ...claim, proof: { ...claim.proof, v } }, '5.D');
  }
});

test('verifyRangeProof rejects out-of-range values and wrong lengths before any arithmetic', async () => {
  const claim = await proven(0, 1);
  await bothReject({ ...claim, proof: { ...claim.proof, v: [claim.proof.v[0], Q] } }, '5.C');
  await assert.rejects(verifyRangeProof({ ...claim, H_E, proof: { ...claim.proof, c: [claim.proof.c[0], Q] } }),
    (e) => e.check === '5.B');
  await assert.rejects(verifyRangeProof({ ...claim, H_E, limit: 2 }), (e) => e.check === 'length');
});

test('a proof for a plaintext above the limit cannot be made, and a false claim does not verify', async () => {
  const tables = sharedTestTables();
  const xi = randomScalar();
  const { alpha, beta } = encryptSelection({ sigma: 2, xi, tables });
  await assert.rejects(proveRange({ alpha, beta, xi, ell: 2, limit: 1, H_E, tables }), RangeError);
  // Claiming ℓ = 1 for an encryption of 2 yields a proof that does not verify.
  const proof = await proveRange({ alpha, beta, xi, ell: 1, limit: 1, H_E, tables });
  await bothReject({ alpha, beta, proof, limit: 1, tables }, '5.D');
});

test('injected test nonces make proofs deterministic, random ones do not', async () => {
  const tables = sharedTestTables();
  const xi = 12345n;
  const { alpha, beta } = encryptSelection({ sigma: 1, xi, tables });
  const testOnlyNonces = { u: [7n, 8n], c: [9n, 10n] };
  const one = await proveRange({ alpha, beta, xi, ell: 1, limit: 1, H_E, tables, testOnlyNonces });
  const two = await proveRange({ alpha, beta, xi, ell: 1, limit: 1, H_E, tables, testOnlyNonces });
  assert.deepEqual(one, two);
  assert.equal(one.c[0], 9n); // c_j for j ≠ ℓ is the injected one
  const three = await proveRange({ alpha, beta, xi, ell: 1, limit: 1, H_E, tables });
  assert.notDeepEqual(one, three);
});
