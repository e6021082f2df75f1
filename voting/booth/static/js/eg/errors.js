// Errors of the booth's cryptography library.
//
// Every error names the field (or contest/option) it is about and carries public evidence only: no choice,
// nonce or credential ever appears in a message. `toMessage()` gives a plain object that survives
// postMessage (the worker reports errors that way; `fromMessage` rebuilds them on the other side).

export class VotingError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = new.target.name;
    for (const [key, value] of Object.entries(details)) {
      if (value !== undefined) this[key] = value;
    }
  }

  toMessage() {
    const out = { name: this.name, message: this.message };
    for (const key of ['field', 'contest', 'option', 'check', 'expected', 'found']) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

/** A value has the wrong type or spelling (hex case, width, JSON type, unknown or missing key). */
export class FormatError extends VotingError {}

/** A value meant to be in Z_p^r is not: SPEC v2.0.0 §3, 0 < x < p and x^q mod p = 1. */
export class NotInGroupError extends VotingError {}

/** The manifest is malformed (labels, limits, ballot styles). */
export class ManifestError extends VotingError {}

/** The voter's choices do not fit the manifest: unknown contest or option, wrong style, over a limit. */
export class ChoiceError extends VotingError {}

/** A proof does not verify; `check` names the SPEC verification step that failed. */
export class InvalidProof extends VotingError {}

/** An Ed25519 submission signature does not verify. */
export class InvalidSignature extends VotingError {}

/** A re-encrypted challenged ballot differs from the posted one; `expected` is recomputed, `found` posted. */
export class ChallengeMismatch extends VotingError {}

/** A credential string is malformed or its check value does not match (the text itself is never echoed). */
export class CredentialError extends VotingError {}

const CLASSES = {
  VotingError, FormatError, NotInGroupError, ManifestError, ChoiceError, InvalidProof, InvalidSignature,
  ChallengeMismatch, CredentialError,
};

/** Rebuilds an error reported by `toMessage()`; unknown names become a plain VotingError. */
export function fromMessage(data) {
  const { name, message, ...details } = data ?? {};
  const Class = CLASSES[name] ?? VotingError;
  const error = new Class(String(message ?? 'unknown error'), details);
  if (!CLASSES[name] && name) error.name = String(name);
  return error;
}

/** Plain-object form of any thrown value, for postMessage. Non-library errors keep name and message only. */
export function toMessage(error) {
  if (error instanceof VotingError) return error.toMessage();
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
