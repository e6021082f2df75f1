// The voter login of an election whose context names "voter_login" (record format §11; the board's side is
// bulletin_board/voter_login.py, its routes web/api_login.py): before a ballot is accepted the voter signs in
// with the voter id printed on the letter or card from the organizers and a one-time code that the board
// e-mails to the address on the voter roll. The board answers with a session, which every ballot (cast or
// challenge) then carries in the header `Authorization: Voter <session>`.
//
// The session is a bearer secret for an hour: it is kept in memory and in sessionStorage (this tab only, gone
// when the tab closes, so that a reload while a ballot is on its way can still send it), never in a cookie, a
// URL or localStorage, and never logged. Everything a refusal says is in words, never the board's codes.

import { BoardRefusal } from './api.js';
import { t } from './i18n.js';

export const CODE_DIGITS = 8;
const MARGIN_MS = 30_000; // a session this close to its end is renewed before a ballot is sent

/** The code as typed (spaces and dashes ignored), 8 digits, or null. */
export function normaliseLoginCode(text) {
  const digits = String(text ?? '').replace(/[\s-]+/g, '');
  return new RegExp(`^[0-9]{${CODE_DIGITS}}$`).test(digits) ? digits : null;
}

/** The voter id as typed, without surrounding spaces, or null when empty. */
export function normaliseVoterId(text) {
  const id = String(text ?? '').trim();
  return id === '' ? null : id;
}

/**
 * What the election's login assumes, in sentences: how the voting cards travel (context.voter_login.cards_by)
 * and that the codes come by e-mail; with cards by e-mail too, that whoever reads the mailbox holds both.
 */
export function channelSentences(voterLogin) {
  if (voterLogin === null || typeof voterLogin !== 'object') return [];
  const sentences = [t('login.how')];
  if (voterLogin.cards_by === 'post') sentences.push(t('login.cards_post'));
  else if (voterLogin.cards_by === 'hand') sentences.push(t('login.cards_hand'));
  else if (voterLogin.cards_by === 'email') sentences.push(t('login.cards_email'), t('login.same_mailbox'));
  return sentences;
}

/** "Please wait …" for a Retry-After of `seconds` (or null: a few minutes). */
export function waitText(seconds) {
  if (!Number.isFinite(seconds)) return t('login.wait_some');
  if (seconds <= 60) return t('login.wait_minute');
  return t('login.wait_minutes', { minutes: Math.ceil(seconds / 60) });
}

/**
 * The sentence for a refusal of a code request or a code check, or null for an error that is not one of
 * these (errors_text.js then speaks of it): a wrong code with the tries left, a code locked or expired, a rate
 * limit with how long to wait, a malformed voter id or code.
 */
export function loginRefusalText(error) {
  if (!(error instanceof BoardRefusal)) return null;
  switch (error.code) {
    case 'wrong_code':
      if (error.triesLeft === 1) return t('login.wrong_code_one');
      if (Number.isInteger(error.triesLeft) && error.triesLeft > 1) return t('login.wrong_code', { count: error.triesLeft });
      return t('login.wrong_code_some');
    case 'code_locked':
      return t('login.code_locked');
    case 'code_expired':
      return t('login.code_expired');
    case 'rate_limited':
      return `${t('login.rate_limited')} ${waitText(error.retryAfter)}`;
    case 'invalid_input':
      return error.field === 'code' ? t('login.code_format') : t('login.voter_id_invalid');
    default:
      return null;
  }
}

/** Whether a ballot was refused because its login is missing or expired (sign in again, then resend it). */
export function isLoginRequired(error) {
  return error instanceof BoardRefusal && error.status === 401 && error.code === 'login_required';
}

/**
 * The election's login session: { voterId, session, expiresAt (ms), style, weight } in memory and in sessionStorage under
 * `evote-booth/<election id>/login`.
 */
export class LoginKeeper {
  constructor(electionId, storage = globalThis.sessionStorage) {
    this.key = `evote-booth/${electionId}/login`;
    this.storage = storage;
    this.current = null;
    try {
      const stored = JSON.parse(storage?.getItem(this.key) ?? 'null');
      if (stored && typeof stored.session === 'string' && typeof stored.voterId === 'string' && Number.isFinite(stored.expiresAt)) {
        this.current = { voterId: stored.voterId, session: stored.session, expiresAt: stored.expiresAt,
          style: stored.style ?? null, weight: stored.weight ?? null };
      }
    } catch {
      // no storage or not JSON: no session
    }
  }

  /** Keeps the board's answer to a code check for `voterId` ({ session, expires_at, style, weight }). */
  keep(voterId, answer) {
    const expiresAt = Date.parse(answer.expires_at);
    this.current = {
      voterId, session: answer.session, expiresAt: Number.isFinite(expiresAt) ? expiresAt : Date.now() + 3_600_000,
      style: typeof answer.style === 'string' ? answer.style : null, weight: Number.isInteger(answer.weight) ? answer.weight : null,
    };
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.current));
    } catch {
      // storage unavailable: the session stays in memory
    }
  }

  /** The session token while it is valid (with a margin), else null. */
  session(now = Date.now()) {
    return this.current !== null && this.current.expiresAt - MARGIN_MS > now ? this.current.session : null;
  }

  /** The voter id last signed in with (to fill the form again), or null. */
  voterId() {
    return this.current?.voterId ?? null;
  }

  /** Forgets the session (expired or refused), keeping the voter id in memory to fill the form again. */
  expire() {
    if (this.current !== null) this.current = { ...this.current, session: null, expiresAt: 0 };
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // nothing stored
    }
  }
}
