// Ballot encryption (SPEC v2.0.0 §3.3–3.4; record format §3): selection nonces (eq. 25), selection
// encryption (eq. 24), range and limit proofs (§3.3.5, §3.3.8), contest data (§3.3.6), contest hash (eq. 57),
// confirmation code (eq. 58), and `encryptBallot`, which returns the record's JSON with ξ_B kept apart.

import { bytesToBigInt, bytesToHex, hexToBytes } from './bytes.js';
import { encryptContestData, contestDataField, contestDataNonce } from './contest_data.js';
import { FormatError } from './errors.js';
import { elementToHex, modMul, modQ, randomScalar, scalarFromHex } from './group.js';
import { b4, bP, bQ, H, tag } from './hash.js';
import { choicesOfPlan, planChoices } from './manifest.js';
import { proveRange } from './proofs.js';
import { ballotToJson } from './ballot_format.js';

/** ξ_{i,j} = H(H_E; 0x20, ξ_B, ind_c(Λ_i), ind_o(λ_j)) as an integer in [0, 2^256) (SPEC eq. 25). */
export async function selectionNonce(H_E, ballotNonce, contestIndex, optionIndex) {
  return bytesToBigInt(await H(H_E, tag(0x20), bQ(ballotNonce), b4(contestIndex), b4(optionIndex)));
}

/** Enc(σ, ξ) = (α, β) = (g^ξ, K^(σ+ξ)) mod p (SPEC eq. 24); σ a small non-negative integer. */
export function encryptSelection({ sigma, xi, tables }) {
  if (!Number.isInteger(sigma) || sigma < 0) throw new RangeError('encryptSelection: σ must be a non-negative integer');
  return { alpha: tables.g.pow(xi), beta: tables.K.pow(BigInt(sigma) + xi) };
}

/** χ_l = H(H_E; 0x23, ind_c(Λ_l), K, α_1, β_1, ..., α_m, β_m) (SPEC eq. 57). */
export async function contestHash(H_E, contestIndex, K, ciphertexts) {
  const parts = [tag(0x23), b4(contestIndex), bP(K)];
  for (const { alpha, beta } of ciphertexts) parts.push(bP(alpha), bP(beta));
  return H(H_E, ...parts);
}

/**
 * H(B) = H(H_E; 0x24, χ_1, ..., χ_mB, B_aux) (SPEC eq. 58) with no length field before B_aux: the equation's
 * prose, which egk follows, not the §5.5.3 table (record format §3).
 */
export async function confirmationCode(H_E, contestHashes, aux = new Uint8Array(0)) {
  return H(H_E, tag(0x24), ...contestHashes, aux);
}

/**
 * The checked election inputs: H_E as 32 bytes, and `tables` (group.js buildTables) built for exactly the
 * given election public key.
 */
export function electionInputs({ electionPublicKey, extendedBaseHash, tables }) {
  const H_E = hexToBytes(extendedBaseHash, 'extendedBaseHash', 32);
  if (!tables || !tables.g || !tables.K) {
    throw new FormatError('tables: build them with buildTables(electionPublicKey)', { field: 'tables' });
  }
  if (typeof electionPublicKey !== 'string' || electionPublicKey !== elementToHex(tables.K.base)) {
    const field = 'electionPublicKey';
    throw new FormatError(`${field}: the tables were built for another election public key`, { field });
  }
  return { H_E, tables };
}

/**
 * The deterministic part of a ballot (everything but the proofs) from a plan (manifest.js planChoices) and
 * ξ_B: per contest the selections { option, sigma, xi, alpha, beta }, the contest hash and the contest data;
 * then the confirmation code. Shared by encryption and by the re-encryption of a challenged ballot.
 */
export async function encryptPlan({ plan, ballotNonce, H_E, tables, aux }) {
  const K = tables.K.base;
  const contests = [];
  for (const { contest, votes, status } of plan) {
    const selections = [];
    for (const [j, option] of contest.options.entries()) {
      const xi = await selectionNonce(H_E, ballotNonce, contest.index, option.index);
      selections.push({ option: option.label, sigma: votes[j], xi, ...encryptSelection({ sigma: votes[j], xi, tables }) });
    }
    const hash = await contestHash(H_E, contest.index, K, selections);
    const dataNonce = await contestDataNonce(H_E, ballotNonce, contest.index);
    const contestData = await encryptContestData({
      D: contestDataField(status), xi: dataNonce, contestIndex: contest.index, H_E, tables,
    });
    contests.push({ contest, selections, contestHash: hash, contestData });
  }
  const code = await confirmationCode(H_E, contests.map((c) => c.contestHash), aux);
  return { contests, aux, confirmationCode: code };
}

/** Product ciphertext (ᾱ, β̄) = (Π α_i, Π β_i) mod p of a contest's selections (SPEC §3.3.8). */
export function productCiphertext(ciphertexts) {
  let alpha = 1n;
  let beta = 1n;
  for (const ciphertext of ciphertexts) {
    alpha = modMul(alpha, ciphertext.alpha);
    beta = modMul(beta, ciphertext.beta);
  }
  return { alpha, beta };
}

/**
 * Encrypts a ballot for `style` with `choices` ({ contestLabel: [optionLabel, ...] }, see manifest.js).
 * `electionPublicKey` and `extendedBaseHash` are in record spelling; `tables` come from buildTables for that
 * key; `aux` is B_aux in hex (the booth leaves it empty).
 * Returns { ballot (record format §3 JSON), ballotNonce (ξ_B hex, secret: only for a Benaloh challenge reveal),
 * choices (canonical form, for the same reveal) }.
 * `testOnlyBallotNonce` (hex) and `testOnlyProofNonces(kind, contestLabel, optionLabel) -> { u, c }` (kind
 * 'selection' or 'limit'; optionLabel null for 'limit') replace the random nonces in known-answer tests only.
 */
export async function encryptBallot({
  manifest, style, choices, electionPublicKey, extendedBaseHash, tables, aux = '',
  testOnlyBallotNonce, testOnlyProofNonces,
}) {
  const inputs = electionInputs({ electionPublicKey, extendedBaseHash, tables });
  const auxBytes = hexToBytes(aux, 'aux');
  const plan = planChoices(manifest, style, choices);
  const ballotNonce = testOnlyBallotNonce === undefined
    ? randomScalar()
    : scalarFromHex(testOnlyBallotNonce, 'testOnlyBallotNonce');
  const encrypted = await encryptPlan({ plan, ballotNonce, ...inputs, aux: auxBytes });
  const nonces = testOnlyProofNonces ?? (() => undefined);
  for (const contest of encrypted.contests) {
    const label = contest.contest.label;
    for (const selection of contest.selections) {
      selection.proof = await proveRange({
        alpha: selection.alpha, beta: selection.beta, xi: selection.xi, ell: selection.sigma,
        limit: contest.contest.optionLimit, ...inputs,
        testOnlyNonces: nonces('selection', label, selection.option),
      });
    }
    const { alpha, beta } = productCiphertext(contest.selections);
    const xi = modQ(contest.selections.reduce((sum, s) => sum + s.xi, 0n)); // aggregate nonce (§3.3.8)
    const ell = contest.selections.reduce((sum, s) => sum + s.sigma, 0);
    contest.limitProof = await proveRange({
      alpha, beta, xi, ell,
      limit: contest.contest.votesAllowed, ...inputs,
      testOnlyNonces: nonces('limit', label, null),
    });
  }
  return {
    ballot: ballotToJson({ style, ...encrypted }),
    ballotNonce: bytesToHex(bQ(ballotNonce)),
    choices: choicesOfPlan(plan),
  };
}
