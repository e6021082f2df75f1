// Ballot submission (record format §5): the exact bytes the voter's Ed25519 key signs, signing, checking,
// and the submission envelope.

import { concatBytes, hexToBytes, bytesToHex, utf8 } from './bytes.js';
import { FormatError, InvalidSignature } from './errors.js';
import { withLength } from './hash.js';

const DOMAIN = utf8('evote/ballot/v1');
const ACTIONS = new Set(['cast', 'challenge']);

function requireAction(action) {
  if (!ACTIONS.has(action)) throw new FormatError('action: expected "cast" or "challenge"', { field: 'action' });
  return action;
}

/**
 * "evote/ballot/v1" ∥ 0x00 ∥ b(len(id), 4) ∥ id ∥ H_E ∥ b(len(action), 4) ∥ action ∥ H(B), with H_E and the
 * confirmation code H(B) given as 64 upper-case hex digits.
 */
export function submissionMessage({ electionId, extendedBaseHash, action, confirmationCode }) {
  if (typeof electionId !== 'string' || electionId.length === 0) {
    throw new FormatError('electionId: expected a non-empty string', { field: 'electionId' });
  }
  return concatBytes(
    DOMAIN, Uint8Array.of(0), withLength(electionId),
    hexToBytes(extendedBaseHash, 'extendedBaseHash', 32),
    withLength(requireAction(action)),
    hexToBytes(confirmationCode, 'confirmationCode', 32),
  );
}

/** Ed25519 signature (128 upper-case hex digits) of the submission message with credential.js's privateKey. */
export async function signSubmission({ privateKey, electionId, extendedBaseHash, action, confirmationCode }) {
  const message = submissionMessage({ electionId, extendedBaseHash, action, confirmationCode });
  return bytesToHex(new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'Ed25519' }, privateKey, message)));
}

/** Checks a submission signature against the credential's public key (hex); throws InvalidSignature. */
export async function verifySubmission({ publicKey, signature, electionId, extendedBaseHash, action, confirmationCode }) {
  const message = submissionMessage({ electionId, extendedBaseHash, action, confirmationCode });
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
