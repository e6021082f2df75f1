// Small pieces shared by the election, lookup and check pages.

import { byId, fill } from './dom.js';
import { t } from './i18n.js';

/** A confirmation code as typed (spaces, dashes and case ignored) in record spelling, or null. */
export function normaliseCode(text) {
  const code = String(text ?? '').replace(/[\s-]+/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(code) ? code : null;
}

/** A confirmation code or its beginning (8 to 64 characters) as typed, in record spelling, or null. */
export function normalisePrefix(text) {
  const prefix = String(text ?? '').replace(/[\s-]+/g, '').toUpperCase();
  return /^[0-9A-F]{8,64}$/.test(prefix) ? prefix : null;
}

/** The election context from the board (record format §9), with the page status while it loads. */
export async function loadContext(api) {
  const status = byId('page-status');
  fill(status, t('page.loading'));
  const context = await api.context();
  fill(status);
  return context;
}

/** Puts the election's title (manifest label, as text) under the page heading and in the window title. */
export function setTitle(context, pageTitle) {
  const title = context.manifest?.label ?? context.election_id;
  const subtitle = document.getElementById('election-title');
  if (subtitle !== null) fill(subtitle, title);
  document.title = `${pageTitle} – ${title}`;
}

/**
 * The version of the election's credential list (record format §4.1): 2 when election.created has
 * "eligibility": { "version": 2, ... } (each credential bound to a ballot style and a weight; ballots signed
 * under evote/ballot/v3), 1 when it has none. Anything else is refused rather than guessed.
 */
export async function credentialListVersion(api) {
  const { eligibility } = await api.electionCreated();
  if (eligibility === undefined) return 1;
  if (eligibility !== null && typeof eligibility === 'object' && eligibility.version === 2) return 2;
  throw new Error('this election names a credential-list version this booth does not know');
}
