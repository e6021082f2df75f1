// When voting opens and closes, and a cancelled election, in words (issue 18). The board's /context carries
// "schedule": { "opens_at", "closes_at" } (UTC, YYYY-MM-DDTHH:MM:SSZ; record format §8.2) or null, and
// "cancelled": { "reason", "at" } or null. Times are shown in the voter's time zone and booth language
// (Intl.DateTimeFormat), the zone named: "Voting closes on Thursday 3 December 2026 at 18:00 (Central European
// Time)". The board's phase decides whether voting is open; the device's clock only chooses the tense, and
// says "closed" once closes_at has passed even if the board has not yet appended its close entry (the board
// refuses ballots after closes_at by its own clock: 409 outside_voting_hours).

import { t } from './i18n.js';
import { isolated } from './manifest_text.js';

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const NOT_STARTED = ['keygen', 'confirming', 'ready'];
const ENDED = ['closed', 'tallying', 'tallied'];

/** A UTC time YYYY-MM-DDTHH:MM:SSZ as milliseconds since the epoch, or null. */
export function parseUtc(text) {
  const match = typeof text === 'string' ? UTC_TIME.exec(text) : null;
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19) ? ms : null; // no 31 February
}

/** The context's schedule as { opensAt, closesAt } in milliseconds, or null (none, or not readable). */
export function scheduleOf(context) {
  const opensAt = parseUtc(context?.schedule?.opens_at);
  const closesAt = parseUtc(context?.schedule?.closes_at);
  return opensAt !== null && closesAt !== null && opensAt < closesAt ? { opensAt, closesAt } : null;
}

/** Whether the election is cancelled (context.cancelled, or the phase "cancelled"). */
export function isCancelled(context) {
  return context?.phase === 'cancelled' || (context?.cancelled !== null && typeof context?.cancelled === 'object');
}

/**
 * What to say about the schedule at `now` (ms): a list of [key, ms] sentences (pure: the keys of strings.py).
 * Before opening "opens" and "closes"; a scheduled opening passed without an open election "late" and
 * "closes"; while open "closes"; after closes_at, or once the board closed the election, "closed". Nothing
 * for an election without a schedule, a cancelled one or one whose key ceremony failed.
 */
export function scheduleStatements(context, now) {
  const schedule = scheduleOf(context);
  if (schedule === null || isCancelled(context) || context.phase === 'keygen_failed') return [];
  const { opensAt, closesAt } = schedule;
  if (ENDED.includes(context.phase) || now >= closesAt) return [['schedule.closed', closesAt]];
  if (context.phase === 'open') return [['schedule.closes', closesAt]];
  if (NOT_STARTED.includes(context.phase)) {
    return now < opensAt ? [['schedule.opens', opensAt], ['schedule.closes', closesAt]] : [['schedule.late', opensAt], ['schedule.closes', closesAt]];
  }
  return [];
}

/**
 * Whether the device's clock says the scheduled close has passed while the board still says "open" (the
 * board refuses ballots after closes_at: the booth says voting has closed rather than let the voter mark a
 * ballot that cannot be recorded).
 */
export function closedBySchedule(context, now) {
  const schedule = scheduleOf(context);
  return schedule !== null && context.phase === 'open' && now >= schedule.closesAt;
}

/** The voter's time zone (the browser's), or undefined to let Intl use it. */
function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** A moment in the voter's language and time zone: { when: "Thursday 3 December 2026 at 18:00", zone }. */
export function formatMoment(ms, lang, timeZone = localZone()) {
  const date = new Date(ms);
  const when = new Intl.DateTimeFormat(lang, {
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone,
  }).format(date);
  const zoneName = (style) => new Intl.DateTimeFormat(lang, { timeZone, timeZoneName: style }).formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value ?? '';
  let zone = zoneName('longGeneric');
  if (zone === '' || /^(GMT|UTC)[+-]/.test(zone)) zone = zoneName('long') || zone || 'UTC';
  return { when, zone };
}

const SENTENCES = {
  'schedule.opens': (moment) => t('schedule.opens', moment),
  'schedule.closes': (moment) => t('schedule.closes', moment),
  'schedule.closed': (moment) => t('schedule.closed', moment),
  'schedule.late': (moment) => t('schedule.late', moment),
};

/** The schedule in sentences for the voter, in `lang` and the voter's time zone (empty without a schedule). */
export function scheduleSentences(context, lang, now = Date.now(), timeZone = localZone()) {
  return scheduleStatements(context, now).map(([key, ms]) => SENTENCES[key](formatMoment(ms, lang, timeZone)));
}

/**
 * After the board's 409 outside_voting_hours (its clock is outside [opens_at, closes_at)): whether voting has not
 * opened yet by this device's clock, and the sentence saying when it opens or when it closed (none without a
 * schedule).
 */
export function outsideHoursSentences(context, lang, now = Date.now(), timeZone = localZone()) {
  const schedule = scheduleOf(context);
  if (schedule === null) return { before: false, sentences: [] };
  const before = now < schedule.opensAt;
  const [key, ms] = before ? ['schedule.opens', schedule.opensAt] : ['schedule.closed', schedule.closesAt];
  return { before, sentences: [SENTENCES[key](formatMoment(ms, lang, timeZone))] };
}

/** A cancelled election in sentences: the reason given (the organizers' words, isolated), and when. */
export function cancelledSentences(context, lang, timeZone = localZone()) {
  const cancelled = context?.cancelled ?? {};
  const sentences = [];
  if (typeof cancelled.reason === 'string' && cancelled.reason !== '') {
    sentences.push(t('cancelled.reason', { reason: isolated(cancelled.reason) }));
  }
  const at = parseUtc(cancelled.at);
  if (at !== null) sentences.push(t('cancelled.when', formatMoment(at, lang, timeZone)));
  sentences.push(t('cancelled.no_votes'));
  return sentences;
}
