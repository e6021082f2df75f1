// The encrypted ballot's JSON (record format §3): writing it, and reading it back strictly (exact keys,
// record spelling of every value, group membership of every element) against the manifest.

import { bytesToHex, hexToBytes } from './bytes.js';
import { FormatError } from './errors.js';
import { elementFromHex, elementToHex, scalarFromHex, scalarToHex } from './group.js';
import { styleContests } from './manifest.js';

function proofToJson(proof) {
  return { c: proof.c.map(scalarToHex), v: proof.v.map(scalarToHex) };
}

/**
 * Record JSON of an encrypted ballot from its parts ({ style, contests: [{ contest, selections: [{ option,
 * alpha, beta, proof }], limitProof, contestHash, contestData: { c0, c1, c2 } }], aux, confirmationCode }).
 */
export function ballotToJson({ style, contests, aux, confirmationCode }) {
  return {
    style,
    contests: contests.map((c) => ({
      contest: c.contest.label,
      selections: c.selections.map((s) => ({
        option: s.option, alpha: elementToHex(s.alpha), beta: elementToHex(s.beta), proof: proofToJson(s.proof),
      })),
      limit_proof: proofToJson(c.limitProof),
      contest_hash: bytesToHex(c.contestHash),
      contest_data: { c0: elementToHex(c.contestData.c0), c1: bytesToHex(c.contestData.c1), c2: bytesToHex(c.contestData.c2) },
    })),
    aux: bytesToHex(aux),
    confirmation_code: bytesToHex(confirmationCode),
  };
}

function requireKeys(value, keys, field) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`${field}: expected an object`, { field });
  }
  const found = Object.keys(value).sort();
  const wanted = [...keys].sort();
  if (found.length !== wanted.length || found.some((key, i) => key !== wanted[i])) {
    throw new FormatError(`${field}: expected exactly the keys ${wanted.join(', ')}`, { field });
  }
  return value;
}

function mismatch(field, label) {
  throw new FormatError(`${field}: expected ${label} at this position`, { field });
}

function requireList(value, length, field) {
  if (!Array.isArray(value) || value.length !== length) {
    throw new FormatError(`${field}: expected a list of ${length}`, { field });
  }
  return value;
}

function parseProof(json, limit, field) {
  requireKeys(json, ['c', 'v'], field);
  return {
    c: requireList(json.c, limit + 1, `${field}.c`).map((x, j) => scalarFromHex(x, `${field}.c[${j}]`)),
    v: requireList(json.v, limit + 1, `${field}.v`).map((x, j) => scalarFromHex(x, `${field}.v[${j}]`)),
  };
}

/**
 * Reads an encrypted ballot's JSON against the manifest: the style's contests in increasing contest index,
 * each with all its options in order, no other keys; elements in Z_p^r (SPEC Verification 5.A), scalars in
 * Z_q, hashes 32 bytes. Returns the parts ballotToJson takes, with `contest` the manifest.js contest object.
 * Throws FormatError or NotInGroupError naming the field.
 */
export function parseEncryptedBallot(json, manifest) {
  requireKeys(json, ['style', 'contests', 'aux', 'confirmation_code'], 'ballot');
  if (typeof json.style !== 'string') throw new FormatError('ballot.style: expected a string', { field: 'ballot.style' });
  const expected = styleContests(manifest, json.style);
  const contests = requireList(json.contests, expected.length, 'ballot.contests').map((c, i) => {
    const field = `ballot.contests[${i}]`;
    const contest = expected[i];
    requireKeys(c, ['contest', 'selections', 'limit_proof', 'contest_hash', 'contest_data'], field);
    if (c.contest !== contest.label) mismatch(`${field}.contest`, contest.label);
    const selections = requireList(c.selections, contest.options.length, `${field}.selections`).map((s, j) => {
      const sField = `${field}.selections[${j}]`;
      const option = contest.options[j];
      requireKeys(s, ['option', 'alpha', 'beta', 'proof'], sField);
      if (s.option !== option.label) mismatch(`${sField}.option`, option.label);
      return {
        option: option.label,
        alpha: elementFromHex(s.alpha, `${sField}.alpha`),
        beta: elementFromHex(s.beta, `${sField}.beta`),
        proof: parseProof(s.proof, contest.optionLimit, `${sField}.proof`),
      };
    });
    requireKeys(c.contest_data, ['c0', 'c1', 'c2'], `${field}.contest_data`);
    return {
      contest,
      selections,
      limitProof: parseProof(c.limit_proof, contest.votesAllowed, `${field}.limit_proof`),
      contestHash: hexToBytes(c.contest_hash, `${field}.contest_hash`, 32),
      contestData: {
        c0: elementFromHex(c.contest_data.c0, `${field}.contest_data.c0`),
        c1: hexToBytes(c.contest_data.c1, `${field}.contest_data.c1`, 32),
        c2: hexToBytes(c.contest_data.c2, `${field}.contest_data.c2`, 32),
      },
    };
  });
  return {
    style: json.style,
    contests,
    aux: hexToBytes(json.aux, 'ballot.aux'),
    confirmationCode: hexToBytes(json.confirmation_code, 'ballot.confirmation_code', 32),
  };
}
