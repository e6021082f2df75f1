// Small pieces shared by the election, lookup and check pages.

import { isRetryable, setSlowListener } from './api.js';
import { byId, el, fill } from './dom.js';
import { errorText } from './errors_text.js';
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

/**
 * Shows `error` in the alert `region` in words; when sending the same request again may succeed (no answer,
 * or a fault on the board's side) a "Try again" button runs `retry`. A refusal gets no such button.
 */
export function showError(region, error, retry = null, retryNote = null) {
  const retryable = retry !== null && isRetryable(error);
  const button = retryable ? el('button', { type: 'button', class: 'retry-button' }, t('net.try_again')) : null;
  const text = retryable && retryNote !== null ? `${errorText(error)} ${retryNote}` : errorText(error);
  fill(region, el('p', {}, text), button);
  region.hidden = false;
  if (button !== null) {
    button.addEventListener('click', () => {
      fill(region);
      region.hidden = true;
      retry();
    });
  }
  return button;
}

/** Hides an alert region filled by showError. */
export function clearError(region) {
  fill(region);
  region.hidden = true;
}

/**
 * While a request takes longer than usual, `node` (a status region) says that the booth is still trying;
 * its previous text comes back when the request ends.
 */
export function stillTryingIn(node) {
  let saved = null;
  return (slow) => {
    if (slow) {
      saved = [...node.childNodes];
      fill(node, t('net.still_trying'));
      node.classList.add('still-trying');
    } else {
      node.classList.remove('still-trying');
      if (node.textContent === t('net.still_trying')) fill(node, ...(saved ?? []));
      saved = null;
    }
  };
}

/** Every slow request of the page says "still trying" in the page's status line (#page-status). */
export function reportSlowRequests() {
  setSlowListener(stillTryingIn(byId('page-status')));
}

/** The election context from the board (record format §9), with the page status while it loads. */
export async function loadContext(api) {
  const status = byId('page-status');
  fill(status, t('page.loading'));
  const context = await api.context();
  fill(status);
  showOrganizer(context);
  return context;
}

/** Who runs the election, at the foot of the page: name, contact, help and privacy links (record format
 * §8.2 `organizer`; display text only, never markup). Elections without one show nothing. */
export function showOrganizer(context) {
  const organizer = context?.organizer;
  const box = document.getElementById('organizer');
  if (box === null || !organizer) return;
  const links = [
    [organizer.help_url, t('organizer.help')],
    [organizer.privacy_url, t('organizer.privacy')],
  ].filter(([url]) => typeof url === 'string' && url.startsWith('https://'));
  const isolate = (text) => `\u2068${text}\u2069`; // first-strong isolate: a name in another script keeps its order
  fill(box,
    el('p', {}, t('organizer.by', { name: isolate(organizer.name) })),
    el('p', {}, t('organizer.contact', { contact: isolate(organizer.contact) })),
    ...(links.length ? [el('p', {}, ...links.flatMap(([url, words], n) => [n ? ' · ' : '', el('a', { href: url }, words)]))] : []));
  box.hidden = false;
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

/**
 * The state of an election in words for a voter (context.phase, record format §9): { heading, reason,
 * next }. Only "open" takes ballots; before it voting has not started, after it voting has closed.
 */
export function phaseWords(phase) {
  if (['keygen', 'confirming', 'ready'].includes(phase)) {
    return { heading: t('vote.not_started'), reason: t('vote.not_started_reason'), next: t('vote.not_started_next') };
  }
  if (phase === 'keygen_failed') {
    return { heading: t('vote.not_started'), reason: t('vote.failed_reason'), next: t('vote.contact') };
  }
  if (phase === 'tallied') return { heading: t('vote.closed'), reason: t('vote.tallied_reason'), next: t('vote.see_results') };
  if (phase === 'closed' || phase === 'tallying') {
    return { heading: t('vote.closed'), reason: t('vote.counting_reason'), next: t('vote.see_results_later') };
  }
  return { heading: t('vote.not_open'), reason: t('vote.not_open_reason'), next: t('vote.contact') };
}
