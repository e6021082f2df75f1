// One sentence for the voter from any error, saying what happened and what to do next: no answer (retry),
// a fault on the board's side (retry), a refusal (no retry: the same request gets the same answer), or
// anything else. Messages never contain the credential, the choices or a nonce: the libraries' errors are
// written so (eg/errors.js), and the board's only name fields.

import { BoardRefusal, BoardUnavailable, BoardUnreachable } from './api.js';
import { t } from './i18n.js';

export { isRetryable } from './api.js';

export function errorText(error) {
  if (error instanceof BoardUnreachable) return t('error.unreachable');
  if (error instanceof BoardUnavailable) return t('error.unavailable');
  if (error instanceof BoardRefusal) return refusalText(error) ?? t('error.refused', { message: error.message });
  return error?.message ?? String(error);
}

// Refusals that pressing the same button again at once cannot cure get a sentence of their own: the voter
// login's refusals of a ballot, the credential's limits (the board's codes rate_limited_<kind>, docs/board.md "Rate limits and abuse"), the
// limit on the voter's network address, and an election that is closing or closed. The board's own message
// is not shown for these: the per-address one names a setting and seconds.
const FINAL_REFUSALS = {
  rate_limited_casts: () => t('limit.casts'),
  rate_limited_challenges: () => t('limit.challenges'),
  rate_limited_sealed_challenges: () => t('limit.challenges'),
  rate_limited: () => t('limit.address'),
  election_closing: () => t('post.closed'),
  election_not_open: () => t('post.closed'),
  // the board refuses ballots outside the election's schedule, by its own clock (issue 18)
  outside_voting_hours: () => t('post.outside_hours'),
  // an election with voter login (voter_login.js): the board binds a login to the one voting card it casts with
  login_required: () => t('login.required'),
  login_bound_to_other_credential: () => t('login.bound_other_card'),
  credential_bound_to_other_login: () => t('login.card_bound_other_voter'),
  login_style_mismatch: () => t('login.style_mismatch'),
};

/** The sentence for a refusal listed above, or null for any other error. */
export function refusalText(error) {
  if (!(error instanceof BoardRefusal) || !Object.hasOwn(FINAL_REFUSALS, error.code ?? '')) return null;
  return FINAL_REFUSALS[error.code]();
}

/** Whether the error says that the election does not take ballots now (closed, or outside its voting hours). */
export function isClosedRefusal(error) {
  return error instanceof BoardRefusal && ['election_closing', 'election_not_open', 'outside_voting_hours'].includes(error.code);
}
