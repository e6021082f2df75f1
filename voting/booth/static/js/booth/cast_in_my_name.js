// "Was anything cast in my name?" (issue 17 item 5; VEleS Art. 5(2)(b)): a voter who did not vote, or wants
// to be sure nobody else voted with their voting card, types the credential; this browser derives the card's
// public key (eg/credential.js, record format §4) and asks the public board for that one key
// (GET …/credentials/<public key>, record format §9): the ballots cast or challenged with it, each with its
// confirmation code and status, and the time the board received it (GET …/entries/<seq>). The credential
// never leaves this device (the input has no name, no form is ever submitted, only the public key is sent),
// and the field is emptied once the answer is shown. Only reads: it works on a mirror as on the board.

import { deriveCredentialKeys } from '../eg/credential.js';
import { CredentialError } from '../eg/errors.js';
import { byId, codeNode, el, fill, focusHeading, show } from './dom.js';
import { errorText, isRetryable } from './errors_text.js';
import { t } from './i18n.js';

/** The status of one of the credential's ballots in words (the look-up page's words). */
export function ballotStatusText(status) {
  if (status === 'cast') return t('lookup.status_cast');
  if (status === 'superseded') return t('lookup.status_superseded');
  if (status === 'challenged') return t('lookup.status_challenged');
  return String(status);
}

/** The board's `received_at` (microseconds since the epoch) as "YYYY-MM-DD HH:MM UTC", or null. */
export function receivedText(receivedAt) {
  if (!Number.isFinite(receivedAt)) return null;
  const iso = new Date(Math.floor(receivedAt / 1000)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * The answer for the board's entry of one credential (ElectionApi.credential; null: not on the list):
 * { kind: 'ok' | 'warn' | 'bad', sentences: [...] }.
 */
export function verdictFor(listed) {
  if (listed === null) return { kind: 'bad', sentences: [t('mine.unknown')] };
  const ballots = Array.isArray(listed.ballots) ? listed.ballots : [];
  const revoked = listed.status === 'revoked' ? [t('mine.revoked')] : [];
  if (ballots.length === 0) return { kind: 'ok', sentences: [t('mine.none'), ...revoked] };
  const counted = ballots.length === 1 ? t('mine.some_one') : t('mine.some', { count: ballots.length });
  return { kind: 'warn', sentences: [counted, ...revoked, t('mine.advice')] };
}

function credentialError(message) {
  const input = byId('mine-credential');
  const error = byId('mine-credential-error');
  fill(error, message ?? '');
  show(error, Boolean(message));
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'mine-credential-hint mine-credential-error');
    input.focus();
  } else {
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'mine-credential-hint');
  }
}

async function ballotItem(api, ballot) {
  let when = null;
  try {
    when = receivedText((await api.entry(ballot.seq)).received_at);
  } catch {
    when = null; // the code and status are the answer; the time is a courtesy
  }
  const words = when === null ? ballotStatusText(ballot.status)
    : t('mine.ballot_when', { status: ballotStatusText(ballot.status), when });
  return el('li', {}, codeNode(ballot.confirmation_code), ' ', el('span', {}, words), ' ',
    el('a', { href: `?code=${ballot.confirmation_code}` }, t('lookup.open_match')));
}

/** Wires the form of the look-up page's "Was anything cast in my name?" section. */
export function setUpCastInMyName(api, electionId) {
  let busy = false;
  const input = byId('mine-credential');
  byId('mine-show').addEventListener('change', (event) => {
    input.type = event.target.checked ? 'text' : 'password';
  });
  byId('mine-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    const text = input.value;
    const length = text.replace(/[\s-]+/g, '').length;
    if (length === 0) return credentialError(t('credential.empty'));
    if (length !== 28) return credentialError(t('credential.length', { count: length }));
    busy = true;
    const button = byId('mine-submit');
    const status = byId('mine-status');
    button.disabled = true;
    show(byId('mine-result'), false);
    try {
      let publicKey;
      try {
        ({ publicKey } = await deriveCredentialKeys(text, electionId));
      } catch (error) {
        return credentialError(error instanceof CredentialError ? t('credential.typo') : errorText(error));
      }
      fill(status, t('mine.checking'));
      let listed;
      let items;
      try {
        listed = await api.credential(publicKey); // the public key only
        items = await Promise.all((listed?.ballots ?? []).map((ballot) => ballotItem(api, ballot)));
      } catch (error) {
        fill(status);
        return credentialError(isRetryable(error) ? `${errorText(error)} ${t('login.retry')}` : errorText(error));
      }
      fill(status, t('lookup.finished'));
      credentialError(null);
      if (listed !== null) {
        input.value = ''; // the answer is shown: the credential is not kept on the page
        input.type = 'password';
        byId('mine-show').checked = false;
      }
      const verdict = verdictFor(listed);
      const node = byId('mine-verdict');
      node.className = `verdict ${verdict.kind}`;
      fill(node, verdict.sentences[0]);
      fill(byId('mine-ballots'), ...items);
      show(byId('mine-ballots'), items.length > 0);
      fill(byId('mine-advice'), ...verdict.sentences.slice(1).map((sentence) => el('p', {}, sentence)));
      show(byId('mine-result'));
      focusHeading(byId('mine-result-heading'));
      return undefined;
    } finally {
      busy = false;
      button.disabled = false;
    }
  });
}
