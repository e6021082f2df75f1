// Checks for the standalone check page: the proofs and hashes of a posted ballot, and the Benaloh challenge
// (re-encrypting a revealed challenged ballot from ξ_B and the choices and comparing with what was posted).
// Each check returns nothing or throws (InvalidProof, ChallengeMismatch, FormatError, NotInGroupError).

import { bytesEqual, bytesToHex } from './bytes.js';
import { ChallengeMismatch, FormatError, InvalidProof } from './errors.js';
import { elementToHex, scalarFromHex } from './group.js';
import { confirmationCode, contestHash, productCiphertext, electionInputs, encryptPlan } from './ballot.js';
import { parseEncryptedBallot } from './ballot_format.js';
import { planChoices } from './manifest.js';
import { verifyRangeProof } from './proofs.js';

/**
 * Checks a posted ballot: its format against the manifest, every selection's range proof (Verification 5),
 * every contest's limit proof (Verification 6), every contest hash (eq. 57) and the confirmation code
 * (eq. 58). Returns the parsed ballot.
 */
export async function verifyBallot({ manifest, ballot, electionPublicKey, extendedBaseHash, tables }) {
  const { H_E } = electionInputs({ electionPublicKey, extendedBaseHash, tables });
  const parsed = parseEncryptedBallot(ballot, manifest);
  const K = tables.K.base;
  for (const [i, c] of parsed.contests.entries()) {
    const field = `ballot.contests[${i}]`;
    for (const [j, s] of c.selections.entries()) {
      await verifyRangeProof({
        alpha: s.alpha, beta: s.beta, proof: s.proof, limit: c.contest.optionLimit, H_E, tables,
        field: `${field}.selections[${j}].proof`,
      });
    }
    const { alpha, beta } = productCiphertext(c.selections);
    await verifyRangeProof({
      alpha, beta, proof: c.limitProof, limit: c.contest.votesAllowed, H_E, tables,
      field: `${field}.limit_proof`,
    });
    const expected = await contestHash(H_E, c.contest.index, K, c.selections);
    if (!bytesEqual(expected, c.contestHash)) {
      throw new InvalidProof(`${field}.contest_hash: does not match the selections (eq. 57)`, {
        field: `${field}.contest_hash`, check: 'eq. 57', expected: bytesToHex(expected), found: bytesToHex(c.contestHash),
      });
    }
  }
  const code = await confirmationCode(H_E, parsed.contests.map((c) => c.contestHash), parsed.aux);
  if (!bytesEqual(code, parsed.confirmationCode)) {
    throw new InvalidProof('ballot.confirmation_code: does not match the contest hashes (eq. 58)', {
      field: 'ballot.confirmation_code', check: 'eq. 58',
      expected: bytesToHex(code), found: bytesToHex(parsed.confirmationCode),
    });
  }
  return parsed;
}

function mismatch(field, expected, found) {
  const message = `${field}: the revealed ballot does not re-encrypt to the posted value`;
  throw new ChallengeMismatch(message, { field, expected, found });
}

/**
 * Benaloh challenge check: verifyBallot, then re-encrypts the revealed choices with the revealed ξ_B
 * (`reveal` = { nonce, choices } of record format §5) and compares every ciphertext, contest hash, contest
 * data field and the confirmation code. Throws ChallengeMismatch with the field, recomputed (`expected`) and
 * posted (`found`) values at the first difference.
 */
export async function verifyChallengedBallot({ manifest, ballot, reveal, electionPublicKey, extendedBaseHash, tables }) {
  const parsed = await verifyBallot({ manifest, ballot, electionPublicKey, extendedBaseHash, tables });
  const { H_E } = electionInputs({ electionPublicKey, extendedBaseHash, tables });
  if (typeof reveal !== 'object' || reveal === null || Object.keys(reveal).sort().join() !== 'choices,nonce') {
    throw new FormatError('reveal: expected exactly the keys choices, nonce', { field: 'reveal' });
  }
  const ballotNonce = scalarFromHex(reveal.nonce, 'reveal.nonce');
  const plan = planChoices(manifest, parsed.style, reveal.choices);
  const again = await encryptPlan({ plan, ballotNonce, H_E, tables, aux: parsed.aux });
  for (const [i, c] of again.contests.entries()) {
    const field = `ballot.contests[${i}]`;
    const posted = parsed.contests[i];
    for (const [j, s] of c.selections.entries()) {
      for (const key of ['alpha', 'beta']) {
        if (s[key] !== posted.selections[j][key]) {
          mismatch(`${field}.selections[${j}].${key}`, elementToHex(s[key]), elementToHex(posted.selections[j][key]));
        }
      }
    }
    if (!bytesEqual(c.contestHash, posted.contestHash)) {
      mismatch(`${field}.contest_hash`, bytesToHex(c.contestHash), bytesToHex(posted.contestHash));
    }
    if (c.contestData.c0 !== posted.contestData.c0) {
      mismatch(`${field}.contest_data.c0`, elementToHex(c.contestData.c0), elementToHex(posted.contestData.c0));
    }
    for (const key of ['c1', 'c2']) {
      if (!bytesEqual(c.contestData[key], posted.contestData[key])) {
        mismatch(`${field}.contest_data.${key}`, bytesToHex(c.contestData[key]), bytesToHex(posted.contestData[key]));
      }
    }
  }
  if (!bytesEqual(again.confirmationCode, parsed.confirmationCode)) {
    mismatch('ballot.confirmation_code', bytesToHex(again.confirmationCode), bytesToHex(parsed.confirmationCode));
  }
}
