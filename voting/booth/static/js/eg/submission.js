// Ballot submission (record format §5): the exact bytes the voter's Ed25519 key signs, signing, checking,
// and the submission envelope.

import { concatBytes, hexToBytes, bytesToHex, utf8 } from './bytes.js';
import { FormatError, InvalidSignature } from './errors.js';
import { b4, sha256, withLength } from './hash.js';

const DOMAIN = utf8('evote/ballot/v2');
const STYLED_DOMAIN = utf8('evote/ballot/v3'); // version-2 credential lists bind each credential to a style
const CONTEST_DATA_DOMAIN = utf8('evote/contest-data/v1');
const ACTIONS = new Set(['cast', 'challenge']);

function requireAction(action) {
  if (!ACTIONS.has(action)) throw new FormatError('action: expected "cast" or "challenge"', { field: 'action' });
  return action;
}

/**
 * D = SHA-256("evote/contest-data/v1" ∥ 0x00 ∥ b(m, 4) ∥ for each of the ballot's m contests in order:
 * b(len(C0), 4) ∥ C0 ∥ b(len(C1), 4) ∥ C1 ∥ b(len(C2), 4) ∥ C2), over the ballot's JSON (record format §5).
 * The confirmation code does not cover the contest data (SPEC eq. 59); D puts it under the voter's signature.
 */
export async function contestDataDigest(ballot) {
  const contests = ballot?.contests;
  if (!Array.isArray(contests)) throw new FormatError('ballot.contests: expected a list', { field: 'ballot.contests' });
  const parts = [CONTEST_DATA_DOMAIN, Uint8Array.of(0), b4(contests.length)];
  contests.forEach((contest, i) => {
    const data = contest?.contest_data ?? {};
    for (const name of ['c0', 'c1', 'c2']) {
      parts.push(withLength(hexToBytes(data[name], `ballot.contests[${i}].contest_data.${name}`)));
    }
  });
  return sha256(concatBytes(...parts));
}

/**
 * The bytes the voter signs (record format §5), with H_E given as 64 upper-case hex digits, H(B) the ballot's
 * confirmation code and D its contestDataDigest. Without `styleSigned` (elections with a version-1 list):
 *   "evote/ballot/v2" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥ H(B) ∥ D.
 * With `styleSigned` (version-2 lists, which bind each credential to a ballot style S = ballot.style, UTF-8):
 *   "evote/ballot/v3" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥ b(len(S), 4) ∥ S ∥ H(B) ∥ D.
 */
export async function submissionMessage({ electionId, extendedBaseHash, action, ballot, styleSigned = false }) {
  if (typeof electionId !== 'string' || electionId.length === 0) {
    throw new FormatError('electionId: expected a non-empty string', { field: 'electionId' });
  }
  let styled = new Uint8Array(0);
  if (styleSigned) {
    if (typeof ballot?.style !== 'string' || ballot.style.length === 0) {
      throw new FormatError('ballot.style: expected a non-empty string', { field: 'ballot.style' });
    }
    styled = withLength(ballot.style);
  }
  return concatBytes(
    styleSigned ? STYLED_DOMAIN : DOMAIN, Uint8Array.of(0), withLength(electionId),
    hexToBytes(extendedBaseHash, 'extendedBaseHash', 32),
    withLength(requireAction(action)),
    styled,
    hexToBytes(ballot?.confirmation_code, 'ballot.confirmation_code', 32),
    await contestDataDigest(ballot),
  );
}

/** Ed25519 signature (128 upper-case hex digits) of the submission message with credential.js's privateKey. */
export async function signSubmission({ privateKey, electionId, extendedBaseHash, action, ballot, styleSigned = false }) {
  const message = await submissionMessage({ electionId, extendedBaseHash, action, ballot, styleSigned });
  return bytesToHex(new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'Ed25519' }, privateKey, message)));
}

/** Checks a submission signature against the credential's public key (hex); throws InvalidSignature. */
export async function verifySubmission({ publicKey, signature, electionId, extendedBaseHash, action, ballot, styleSigned = false }) {
  const message = await submissionMessage({ electionId, extendedBaseHash, action, ballot, styleSigned });
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', hexToBytes(publicKey, 'credential', 32), { name: 'Ed25519' }, false, ['verify']);
  const ok = await subtle.verify({ name: 'Ed25519' }, key, hexToBytes(signature, 'signature', 64), message);
  if (!ok) throw new InvalidSignature('signature: does not verify under the credential public key', { field: 'signature' });
}

/**
 * The submission envelope { action, ballot, credential, signature[, reveal] }; `reveal` ({ nonce, choices },
 * the Benaloh challenge disclosure) is allowed only with action "challenge".
 */
export function buildSubmission({ action, ballot, credential, signature, reveal }) {
  requireAction(action);
  hexToBytes(credential, 'credential', 32);
  hexToBytes(signature, 'signature', 64);
  const envelope = { action, ballot, credential, signature };
  if (reveal !== undefined) {
    if (action !== 'challenge') throw new FormatError('reveal: allowed only with action "challenge"', { field: 'reveal' });
    envelope.reveal = { nonce: reveal.nonce, choices: reveal.choices };
  }
  return envelope;
}
