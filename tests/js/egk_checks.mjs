// Known-answer checks against egk's ElectionGuard 2.0 test vectors (../shared/vectors/electionguard-2.0,
// see its README). Shared by the Node tests (egk_vectors.test.mjs) and the Chromium test page, so each check
// takes the parsed JSON and throws on the first difference.
//
// egk departs from the spec's index encoding in some of these files. Our product code follows the spec
// (1-based indices as b(i, 4)); egk's variants are rebuilt HERE, in test code only, from the library's
// exported primitives (H, encodings, encryptSelection, proveRange):
//   - BallotEncryption and ConfirmationCode: selection nonce H(H_E; 0x20 ∥ ξ_B ∥ contest_id ∥ selection_id)
//     with the raw UTF-8 label bytes and no length fields; the ConfirmationCode contest hash puts the raw
//     contest label bytes where b(ind_c, 4) belongs.
//   - BallotChaining: b(sequence_order, 4) with egk's 0-based sequence orders, for nonces and contest hash.

import { confirmationCode, contestHash, encryptSelection, productCiphertext, selectionNonce }
  from '../../voting/booth/static/js/eg/ballot.js';
import { bytesToBigInt, bytesToHex, concatBytes, hexToBytes, utf8 } from '../../voting/booth/static/js/eg/bytes.js';
import { buildTables, elementToHex, G, modQ, P, Q, scalarToHex } from '../../voting/booth/static/js/eg/group.js';
import { bP, bQ, H, tag } from '../../voting/booth/static/js/eg/hash.js';
import { proveRange, verifyRangeProof } from '../../voting/booth/static/js/eg/proofs.js';

function expectEqual(found, expected, what) {
  if (found !== expected) throw new Error(`${what}: expected ${expected}, found ${found}`);
}

const hexInt = (hex) => BigInt('0x' + hex);

/** egk's selection nonce: H(H_E; 0x20 ∥ ξ_B ∥ contest_id ∥ selection_id), raw UTF-8 labels (egk variant). */
async function egkLabelNonce(H_E, ballotNonce, contestId, selectionId) {
  return bytesToBigInt(await H(H_E, tag(0x20), bQ(ballotNonce), utf8(contestId), utf8(selectionId)));
}

/** egk's contest hash in ConfirmationCodeTestVector: raw label bytes in place of b(ind_c, 4) (egk variant). */
async function egkLabelContestHash(H_E, contestId, K, ciphertexts) {
  const parts = [tag(0x23), utf8(contestId), bP(K)];
  for (const { alpha, beta } of ciphertexts) parts.push(bP(alpha), bP(beta));
  return H(H_E, ...parts);
}

/** ParametersTestVector.json: p, q, g hard-coded in group.js equal egk's (= SPEC §3.1.1). */
export function checkParameters(vector) {
  const primes = vector.parameter_base_hash.primes;
  expectEqual(bytesToHex(bP(P)), primes.large_prime, 'p');
  expectEqual(bytesToHex(bQ(Q)), primes.small_prime, 'q');
  expectEqual(bytesToHex(bP(G)), primes.generator, 'g');
}

/** The v2.0 parameter base hash H_P = H(b("v2.0.0", 32); 0x00, p, q, g), as in egk's v2.0 election records. */
export async function parameterBaseHash() {
  const version = new Uint8Array(32);
  version.set(utf8('v2.0.0'));
  return bytesToHex(await H(version, tag(0x00), bP(P), bQ(Q), bP(G)));
}

/**
 * BallotEncryptionTestVector.json: selection nonces, (α, β), range proofs from the injected u/c nonces, and
 * the contest limit proof over the product ciphertext with the summed nonce. Returns the number of checks.
 */
export async function checkBallotEncryption(vector) {
  const K = vector.joint_public_key;
  const tables = buildTables(K);
  const H_E = hexToBytes(vector.extended_base_hash, 'extended_base_hash', 32);
  let checks = 0;
  for (const [b, expected] of vector.expected_encrypted_ballots.entries()) {
    const ballot = vector.ballots[b];
    const ballotNonce = hexInt(expected.ballotNonce);
    for (const [i, contest] of expected.contests.entries()) {
      const plain = ballot.contests[i];
      const selections = [];
      for (const [j, sel] of contest.selections.entries()) {
        const where = `${expected.ballotId}/${contest.contestId}/${sel.selectionId}`;
        const sigma = plain.selections[j].vote;
        const xi = await egkLabelNonce(H_E, ballotNonce, contest.contestId, sel.selectionId);
        expectEqual(bytesToHex(bQ(xi)), sel.expected_selection_nonce, `${where} selection nonce`);
        const { alpha, beta } = encryptSelection({ sigma, xi, tables });
        expectEqual(elementToHex(alpha), sel.expected_encrypted_vote.pad, `${where} alpha`);
        expectEqual(elementToHex(beta), sel.expected_encrypted_vote.data, `${where} beta`);
        await checkProof({ alpha, beta, xi, ell: sigma, limit: 1, H_E, tables, proofs: sel.expected_proof.proofs, where });
        selections.push({ alpha, beta, xi, sigma });
        checks += 4;
      }
      const { alpha, beta } = productCiphertext(selections);
      const xi = modQ(selections.reduce((s, x) => s + x.xi, 0n));
      const ell = selections.reduce((s, x) => s + x.sigma, 0);
      await checkProof({
        alpha, beta, xi, ell, limit: plain.votes_allowed, H_E, tables, proofs: contest.expected_proof.proofs,
        where: `${expected.ballotId}/${contest.contestId} limit proof`,
      });
      checks += 1;
    }
  }
  return checks;
}

async function checkProof({ alpha, beta, xi, ell, limit, H_E, tables, proofs, where }) {
  const testOnlyNonces = { u: proofs.map((p) => hexInt(p.u_nonce)), c: proofs.map((p) => hexInt(p.c_nonce)) };
  const proof = await proveRange({ alpha, beta, xi, ell, limit, H_E, tables, testOnlyNonces });
  for (const [j, p] of proofs.entries()) {
    expectEqual(scalarToHex(proof.c[j]), p.expected_challenge, `${where} c_${j}`);
    expectEqual(scalarToHex(proof.v[j]), p.expected_response, `${where} v_${j}`);
  }
  await verifyRangeProof({ alpha, beta, proof, limit, H_E, tables, field: where });
}

/** ConfirmationCodeTestVector.json: contest hashes (egk label variant) and H(B) with B_aux, no length field. */
export async function checkConfirmationCode(vector) {
  const K = vector.joint_public_key;
  const tables = buildTables(K);
  const H_E = hexToBytes(vector.extended_base_hash, 'extended_base_hash', 32);
  let checks = 0;
  for (const [b, expected] of vector.expected_encrypted_ballots.entries()) {
    const ballot = vector.ballots[b];
    const ballotNonce = hexInt(expected.ballotNonce);
    const hashes = [];
    for (const [i, contest] of ballot.contests.entries()) {
      const ciphertexts = [];
      for (const sel of contest.selections) {
        const xi = await egkLabelNonce(H_E, ballotNonce, contest.contest_id, sel.selection_id);
        ciphertexts.push(encryptSelection({ sigma: sel.vote, xi, tables }));
      }
      const chi = await egkLabelContestHash(H_E, contest.contest_id, tables.K.base, ciphertexts);
      expectEqual(bytesToHex(chi), expected.contests[i].expected_contestHash, `${expected.ballotId} contest hash`);
      hashes.push(chi);
      checks += 1;
    }
    const code = await confirmationCode(H_E, hashes, hexToBytes(expected.codeBaux, 'codeBaux'));
    expectEqual(bytesToHex(code), expected.expected_confirmationCode, `${expected.ballotId} confirmation code`);
    checks += 1;
  }
  return checks;
}

/**
 * BallotChainingTestVector.json: egk's chain H_0 = H(H_E; 0x24 ∥ B_aux,0), first B_aux = H_0 alone, later
 * B_aux,j = H_{j−1} ∥ B_aux,0; nonces and contest hashes with egk's 0-based sequence orders as b(i, 4).
 */
export async function checkBallotChaining(vector) {
  const K = vector.joint_public_key;
  const tables = buildTables(K);
  const H_E = hexToBytes(vector.extended_base_hash, 'extended_base_hash', 32);
  const baux0 = Uint8Array.from(vector.configBaux0, (x) => ((x % 256) + 256) % 256); // signed bytes
  let previous = await H(H_E, tag(0x24), baux0); // H_0
  let checks = 0;
  for (const [b, expected] of vector.expected_encrypted_ballots.entries()) {
    const ballot = vector.ballots[b];
    const aux = b === 0 ? previous : concatBytes(previous, baux0);
    expectEqual(bytesToHex(aux), expected.codeBaux, `${expected.ballotId} B_aux`);
    const ballotNonce = hexInt(expected.ballotNonce);
    const hashes = [];
    for (const [i, contest] of ballot.contests.entries()) {
      const ciphertexts = [];
      for (const sel of contest.selections) {
        const xi = await selectionNonce(H_E, ballotNonce, contest.sequence_order, sel.sequence_order);
        ciphertexts.push(encryptSelection({ sigma: sel.vote, xi, tables }));
      }
      const chi = await contestHash(H_E, contest.sequence_order, tables.K.base, ciphertexts);
      expectEqual(bytesToHex(chi), expected.contests[i].expected_contestHash, `${expected.ballotId} contest hash`);
      hashes.push(chi);
      checks += 1;
    }
    previous = await confirmationCode(H_E, hashes, aux);
    expectEqual(bytesToHex(previous), expected.expected_confirmationCode, `${expected.ballotId} confirmation code`);
    checks += 2;
  }
  return checks;
}

/**
 * A few ballots of egk's sample election record: every range proof and limit proof verifies under
 * verifyRangeProof (a third party's proofs against our checker). Returns the number of proofs checked.
 */
export async function checkSampleBallotProofs(initialized, ballot, { maxContests = 2 } = {}) {
  const tables = buildTables(initialized.joint_public_key);
  const H_E = hexToBytes(initialized.extended_base_hash, 'extended_base_hash', 32);
  const parseProof = (p) => ({ c: p.proofs.map((x) => hexInt(x.challenge)), v: p.proofs.map((x) => hexInt(x.response)) });
  let checks = 0;
  for (const contest of ballot.contests.slice(0, maxContests)) {
    const ciphertexts = contest.selections.map((s) => ({ alpha: hexInt(s.encrypted_vote.pad), beta: hexInt(s.encrypted_vote.data) }));
    for (const [j, s] of contest.selections.entries()) {
      await verifyRangeProof({ ...ciphertexts[j], proof: parseProof(s.proof), limit: 1, H_E, tables, field: s.selection_id });
      checks += 1;
    }
    const { alpha, beta } = productCiphertext(ciphertexts);
    await verifyRangeProof({ alpha, beta, proof: parseProof(contest.proof), limit: contest.votes_allowed, H_E, tables, field: contest.contest_id });
    checks += 1;
  }
  return checks;
}
