// Small pieces shared by the election, lookup and check pages.

import { isRetryable, setSlowListener } from './api.js';
import { byId, el, fill, pageContext } from './dom.js';
import { errorText } from './errors_text.js';
import { t } from './i18n.js';
import { electionTitle, fallbackNotice, isolated, languageNamer, textChoice, textNode } from './manifest_text.js';
import { cancelledSentences, closedBySchedule, isCancelled, scheduleSentences } from './schedule_view.js';

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
  showElectionNotices(context);
  return context;
}

/** The manifest's texts for this page's language (manifest_text.js textChoice). */
export function pageTextChoice(context) {
  return textChoice(context?.manifest, pageContext().lang);
}

/**
 * The notices every page of an election shows above its heading: a cancelled election (with the reason given
 * and when), and manifest texts shown in the manifest's default language because the voter's is not among its
 * languages ("This election's texts are not available in Deutsch; they are shown in English.").
 */
export function showElectionNotices(context) {
  const { lang } = pageContext();
  const cancelled = document.getElementById('cancelled-notice');
  if (cancelled !== null) {
    if (isCancelled(context)) {
      fill(cancelled, el('p', {}, el('strong', {}, t('cancelled.heading'))),
        ...cancelledSentences(context, lang).map((sentence) => el('p', {}, sentence)));
    }
    cancelled.hidden = !isCancelled(context);
  }
  const texts = document.getElementById('texts-notice');
  if (texts !== null) {
    const notice = fallbackNotice(pageTextChoice(context), languageNamer(lang));
    fill(texts, notice ?? '');
    texts.hidden = notice === null;
  }
}

/** The schedule in sentences for this page (schedule_view.js), into `node` (hidden when there is none). */
export function showSchedule(node, context) {
  const sentences = scheduleSentences(context, pageContext().lang);
  fill(node, ...sentences.map((sentence, i) => (i ? ` ${sentence}` : sentence)));
  node.hidden = sentences.length === 0;
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

/** Puts the election's title (the manifest's, in the page's language, as text) under the page heading and in
 * the window title. */
export function setTitle(context, pageTitle) {
  const title = electionTitle(context.manifest, pageTextChoice(context), context.election_id);
  const subtitle = document.getElementById('election-title');
  if (subtitle !== null) fill(subtitle, textNode(title, pageContext().lang));
  document.title = `${pageTitle} – ${isolated(title)}`;
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
 * next }. Only "open" takes ballots; before it voting has not started (with a schedule: when it opens), after
 * it voting has closed; a cancelled election says so, with the reason given.
 */
export function phaseWords(phase, context = null) {
  const { lang } = pageContext();
  const scheduled = context === null ? [] : scheduleSentences({ ...context, phase }, lang);
  if (phase === 'cancelled' || (context !== null && isCancelled(context))) {
    const [reason, ...rest] = cancelledSentences(context, lang);
    return { heading: t('cancelled.heading'), reason, next: rest.join(' ') };
  }
  if (['keygen', 'confirming', 'ready'].includes(phase)) {
    if (scheduled.length > 0) return { heading: t('vote.not_started'), reason: scheduled.join(' '), next: t('vote.come_back') };
    return { heading: t('vote.not_started'), reason: t('vote.not_started_reason'), next: t('vote.not_started_next') };
  }
  if (phase === 'keygen_failed') {
    return { heading: t('vote.not_started'), reason: t('vote.failed_reason'), next: t('vote.contact') };
  }
  const when = scheduled.length > 0 ? ` ${scheduled.join(' ')}` : '';
  if (phase === 'tallied') return { heading: t('vote.closed'), reason: t('vote.tallied_reason') + when, next: t('vote.see_results') };
  if (phase === 'closed' || phase === 'tallying') {
    return { heading: t('vote.closed'), reason: t('vote.counting_reason') + when, next: t('vote.see_results_later') };
  }
  if (phase === 'open' && context !== null && closedBySchedule(context, Date.now())) {
    // open by the board's word, but its scheduled close has passed by this device's clock
    return { heading: t('vote.closed'), reason: `${scheduled.join(' ')} ${t('vote.counting_reason')}`, next: t('vote.see_results_later') };
  }
  return { heading: t('vote.not_open'), reason: t('vote.not_open_reason'), next: t('vote.contact') };
}
