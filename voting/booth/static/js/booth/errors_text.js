// One sentence for the voter from any error: the board unreachable, the board's refusal (its own message,
// shown as text), or anything else. Messages never contain the credential, the choices or a nonce: the
// libraries' errors are written so (eg/errors.js), and the board's only name fields.

import { BoardRefusal, BoardUnreachable } from './api.js';
import { t } from './i18n.js';

export function errorText(error) {
  if (error instanceof BoardUnreachable) return t('error.unreachable');
  if (error instanceof BoardRefusal) return t('error.refused', { message: error.message });
  return error?.message ?? String(error);
}

// Refusals that pressing the same button again at once cannot cure get a sentence of their own, without the
// booth's "try again" line: the credential's limits (the board's codes rate_limited_<kind>, docs/board.md
// "Rate limits and abuse"), the limit on the voter's network address, and an election that is closing or
// closed. The board's own message is not shown for these: the per-address one names a setting and seconds.
const FINAL_REFUSALS = {
  rate_limited_casts: () => t('limit.casts'),
  rate_limited_challenges: () => t('limit.challenges'),
  rate_limited_sealed_challenges: () => t('limit.challenges'),
  rate_limited: () => t('limit.address'),
  election_closing: () => t('post.closed'),
  election_not_open: () => t('post.closed'),
};

/** The sentence for a refusal listed above, or null for any other error. */
export function refusalText(error) {
  if (!(error instanceof BoardRefusal) || !Object.hasOwn(FINAL_REFUSALS, error.code ?? '')) return null;
  return FINAL_REFUSALS[error.code]();
}
