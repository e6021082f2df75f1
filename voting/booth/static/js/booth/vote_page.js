// The booth: credential → ballot → review → encryption (in the module worker) → confirmation code →
// cast or Benaloh challenge → receipt.
//
// The credential comes first: the booth derives its public key and looks that one key up on the board
// (GET …/credentials/<public key>, record format §9), so that a credential that is not on the list, was
// revoked, or (revote rule "first") has already cast a ballot is refused before anything is marked. In an
// election whose credential list is version 2 (election.created's "eligibility", record format §4.1) the
// list binds the credential to one ballot style: the voter sees that ballot only, and the ballot is signed
// under evote/ballot/v3, which covers the style. A version-1 list binds no style: the voter chooses it, as
// the voting card says, and the ballot is signed under evote/ballot/v2.
//
// What stays on this device: the credential (only its derived, non-extractable signing key is kept, in
// memory), the choices and the ballot nonce ξ_B. The board receives the encrypted ballot and the signature;
// a challenge also sends ξ_B and the choices, as the challenge requires. After a cast, only the public
// receipt is kept (sessionStorage), so a reload or the Back button shows the receipt instead of voting
// again; an encryption is posted at most under one action, and a challenged one is never cast.

import { deriveCredentialKeys } from '../eg/credential.js';
import { CredentialError } from '../eg/errors.js';
import { planChoices } from '../eg/manifest.js';
import { buildSubmission, signSubmission } from '../eg/submission.js';
import { EncryptionWorker } from '../eg/worker_client.js';
import { ElectionApi } from './api.js';
import { BallotForm, describeBallot, renderChoices } from './ballot_view.js';
import { alertMessage, byId, codeNode, el, facts, fill, focusHeading, groupCode, pageContext, show } from './dom.js';
import { t } from './i18n.js';
import { errorText, refusalText } from './errors_text.js';
import { credentialListVersion } from './page_common.js';
import { checkReceiptInto, codeLinks, downloadReceipt, renderReceipt } from './receipt_view.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);
const RECEIPT_KEY = `evote-booth/${electionId}/receipt`;
const STEPS = ['closed', 'credential', 'ballot', 'review', 'encrypt', 'code', 'challenged', 'receipt'];

const state = {
  context: null,
  listVersion: null, // 1 or 2 (record format §4.1): 2 binds each credential to a ballot style
  worker: null,
  prepared: null, // promise: the worker's tables for K
  keys: null, // { privateKey (non-extractable CryptoKey), publicKey }
  style: null,
  contests: null, // describeBallot(manifest, style)
  form: null,
  choices: null,
  encrypted: null, // { ballot, ballotNonce, choices, action: null | 'cast' | 'challenge', submission }
  posting: false,
  receipt: null, // after a cast (public)
};

function goto(step) {
  for (const name of STEPS) show(byId(`step-${name}`), name === step);
  focusHeading(byId(`step-${step}-heading`));
}

function readStoredReceipt() {
  try {
    const text = window.sessionStorage.getItem(RECEIPT_KEY);
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

// --- loading ----------------------------------------------------------------------------------------

async function start() {
  const status = byId('page-status');
  try {
    [state.context, state.listVersion] = await Promise.all([api.context(), credentialListVersion(api)]);
  } catch (error) {
    fill(status);
    alertMessage(byId('page-error'), errorText(error));
    return;
  }
  const context = state.context;
  const title = context.manifest?.label ?? electionId;
  fill(byId('election-title'), title);
  document.title = `${t('vote.title')} – ${title}`;
  fill(status);
  const stored = readStoredReceipt();
  if (stored !== null && stored.election_id === electionId) {
    await showReceipt(stored);
    return;
  }
  if (context.phase !== 'open' || !context.K || !context.H_E) {
    fill(byId('closed-reason'), t('vote.closed', { phase: context.phase }));
    goto('closed');
    return;
  }
  state.worker = new EncryptionWorker();
  state.prepared = timed(() => state.worker.prepare({ electionPublicKey: context.K }));
  state.prepared.catch(() => {}); // reported when the voter encrypts
  if (state.listVersion === 1) renderStyles(context.manifest); // version 2: the credential's own style
  goto('credential');
}

async function timed(action) {
  const begin = performance.now();
  await action();
  return performance.now() - begin;
}

function renderStyles(manifest) {
  const styles = manifest.ballot_styles.map((s) => s.label);
  const wanted = new URLSearchParams(window.location.search).get('style');
  if (styles.length === 1 || styles.includes(wanted)) {
    state.style = styles.includes(wanted) ? wanted : styles[0];
    return;
  }
  const options = styles.map((label, i) => el('div', { class: 'choice' },
    el('input', { type: 'radio', id: `style-${i + 1}`, name: 'ballot-style', value: label, checked: i === 0 }),
    el('label', { for: `style-${i + 1}` }, label)));
  fill(byId('style-options'), ...options);
  show(byId('style-choice'));
}

function chosenStyle() {
  if (state.style !== null) return state.style;
  return document.querySelector('input[name="ballot-style"]:checked')?.value ?? null;
}

/**
 * Why the board's entry for this credential (ElectionApi.credential) keeps it from voting here, or null:
 * not on the list, revoked, or already cast under the revote rule "first" (challenges never count).
 */
function refusalOf(listed) {
  if (listed === null) return t('credential.unknown');
  if (listed.status !== 'eligible') return t('credential.revoked');
  const cast = Array.isArray(listed.ballots) && listed.ballots.some((b) => b.kind === 'ballot.cast');
  if (state.context.revote_rule === 'first' && cast) return t('credential.used');
  if (state.listVersion === 2 && !state.context.manifest.ballot_styles.some((s) => s.label === listed.style)) {
    return t('credential.no_style');
  }
  return null;
}

// --- step 1: credential -----------------------------------------------------------------------------

function credentialError(message) {
  const input = byId('credential-input');
  const error = byId('credential-error');
  fill(error, message ?? '');
  show(error, Boolean(message));
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'credential-hint credential-error');
    input.focus();
  } else {
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'credential-hint');
  }
}

async function submitCredential(event) {
  event.preventDefault();
  const input = byId('credential-input');
  const button = byId('credential-submit');
  const text = input.value;
  const length = text.replace(/[\s-]+/g, '').length;
  if (length === 0) return credentialError(t('credential.empty'));
  if (length !== 28) return credentialError(t('credential.length', { count: length }));
  button.disabled = true;
  let keys;
  let listed;
  try {
    keys = await deriveCredentialKeys(text, electionId);
  } catch (error) {
    button.disabled = false;
    return credentialError(error instanceof CredentialError ? t('credential.typo') : errorText(error));
  }
  fill(byId('credential-status'), t('credential.checking'));
  try {
    listed = await api.credential(keys.publicKey); // the public key only: it is on the list and on each ballot
  } catch (error) {
    listed = error;
  } finally {
    fill(byId('credential-status'));
    button.disabled = false;
  }
  if (listed instanceof Error) return credentialError(errorText(listed));
  const refusal = refusalOf(listed);
  if (refusal !== null) return credentialError(refusal); // nothing marked; the typed text stays to compare
  state.keys = keys;
  input.value = ''; // the credential itself is not kept
  input.type = 'password';
  byId('credential-show').checked = false;
  credentialError(null);
  const style = state.listVersion === 2 ? listed.style : chosenStyle();
  if (state.contests === null || style !== state.style) {
    state.style = style;
    state.contests = describeBallot(state.context.manifest, style);
    state.form = new BallotForm(byId('ballot-contests'), byId('ballot-announcer'), state.contests);
  }
  const several = state.context.manifest.ballot_styles.length > 1;
  fill(byId('ballot-style'), several ? t('ballot.style', { style }) : '');
  show(byId('ballot-style'), several);
  goto('ballot');
}

// --- steps 2 and 3: ballot and review ---------------------------------------------------------------

function submitBallot(event) {
  event.preventDefault();
  const choices = state.form.choices();
  try {
    planChoices(state.context.manifest, state.style, choices); // the same check the encryption makes
  } catch (error) {
    fill(byId('ballot-announcer'), errorText(error));
    return;
  }
  state.choices = choices;
  renderChoices(byId('review-list'), state.contests, choices);
  goto('review');
}

// --- step 4: encryption ------------------------------------------------------------------------------

function progress(value, message) {
  byId('encrypt-progress').value = value;
  fill(byId('encrypt-status'), message);
}

async function encrypt() {
  const button = byId('review-encrypt');
  if (button.disabled) return;
  button.disabled = true;
  goto('encrypt');
  const context = state.context;
  try {
    progress(1, t('encrypt.preparing'));
    const tablesMs = await state.prepared;
    progress(2, t('encrypt.running'));
    const begin = performance.now();
    const result = await state.worker.encrypt({
      manifest: context.manifest, style: state.style, choices: state.choices,
      electionPublicKey: context.K, extendedBaseHash: context.H_E,
    });
    const encryptMs = performance.now() - begin;
    state.encrypted = { ...result, action: null, submission: null };
    progress(3, t('encrypt.done'));
    const code = byId('code-value');
    fill(code, groupCode(result.ballot.confirmation_code));
    // Timings (public) for benchmarks/bench_booth_js.py.
    byId('step-code').dataset.encryptMs = encryptMs.toFixed(1);
    byId('step-code').dataset.tablesMs = tablesMs.toFixed(1);
    resetPostControls();
    goto('code');
  } catch (error) {
    progress(0, '');
    alertMessage(byId('page-error'), errorText(error));
    goto('review');
  } finally {
    button.disabled = false;
  }
}

// --- step 5: cast or challenge -------------------------------------------------------------------------

function resetPostControls() {
  byId('cast-button').disabled = false;
  byId('challenge-button').disabled = false;
  fill(byId('post-status'));
  alertMessage(byId('post-error'), '');
}

async function post(action) {
  const encrypted = state.encrypted;
  if (state.posting || encrypted === null) return;
  if (encrypted.action !== null && encrypted.action !== action) return; // never both actions for one encryption
  state.posting = true;
  encrypted.action = action;
  const cast = byId('cast-button');
  const challenge = byId('challenge-button');
  cast.disabled = true;
  challenge.disabled = true;
  alertMessage(byId('post-error'), '');
  fill(byId('post-status'), action === 'cast' ? t('post.casting') : t('post.challenging'));
  try {
    if (encrypted.submission === null) {
      const signature = await signSubmission({
        privateKey: state.keys.privateKey, electionId, extendedBaseHash: state.context.H_E, action, ballot: encrypted.ballot,
        styleSigned: state.listVersion === 2, // evote/ballot/v3: the signature covers the ballot's style
      });
      const reveal = action === 'challenge' ? { nonce: encrypted.ballotNonce, choices: encrypted.choices } : undefined;
      encrypted.submission = buildSubmission({ action, ballot: encrypted.ballot, credential: state.keys.publicKey, signature, reveal });
    }
    // A retry sends the identical submission: the board answers with the same receipt, nothing appended.
    const { receipt } = await api.postBallot(encrypted.submission);
    state.encrypted = null; // this encryption is spent
    if (action === 'cast') {
      state.keys = null;
      state.choices = null;
      try {
        window.sessionStorage.setItem(RECEIPT_KEY, JSON.stringify(receipt));
      } catch {
        // storage unavailable (private mode): the receipt is still shown and downloadable
      }
      await showReceipt(receipt);
    } else {
      showChallenged(receipt, encrypted.choices);
    }
  } catch (error) {
    fill(byId('post-status'));
    alertMessage(byId('post-error'), refusalText(error) ?? `${errorText(error)} ${t('post.retry')}`);
    (action === 'cast' ? cast : challenge).disabled = false; // retry the same action only
  } finally {
    state.posting = false;
  }
}

// --- the challenged ballot -------------------------------------------------------------------------------

function showChallenged(receipt, choices) {
  const links = codeLinks(receipt.confirmation_code);
  facts(byId('challenged-facts'), [
    [t('receipt.code'), codeNode(receipt.confirmation_code)],
    [t('receipt.seq'), String(receipt.seq)],
  ]);
  renderChoices(byId('challenged-choices'), state.contests, choices, 'h4');
  const link = byId('challenged-check-link');
  link.href = links.check;
  fill(link, links.check);
  byId('challenged-qr').src = links.checkQr;
  const boardUrl = new URL(apiBase, window.location.href).origin;
  fill(byId('challenged-verify-command'),
    `evote record export ${electionId} --board ${boardUrl} --out ${electionId}-record\nevote-verify ${electionId}-record`);
  goto('challenged');
}

function markAgain() {
  resetPostControls();
  byId('encrypt-progress').value = 0;
  fill(byId('encrypt-status'));
  goto('ballot');
}

// --- the receipt -----------------------------------------------------------------------------------------

async function showReceipt(receipt) {
  state.receipt = receipt;
  renderReceipt(byId('receipt-facts'), receipt);
  const links = codeLinks(receipt.confirmation_code);
  byId('receipt-lookup-link').href = links.lookup;
  byId('receipt-qr').src = links.lookupQr;
  show(byId('revote'), state.context.revote_rule === 'last' && state.context.phase === 'open');
  goto('receipt');
  fill(byId('receipt-check'), t('receipt.checking'));
  await checkReceiptInto(byId('receipt-check'), receipt, state.context);
}

function startOver() {
  try {
    window.sessionStorage.removeItem(RECEIPT_KEY);
  } catch {
    // nothing stored
  }
  window.location.reload();
}

// --- wiring ------------------------------------------------------------------------------------------------

byId('credential-form').addEventListener('submit', submitCredential);
byId('credential-show').addEventListener('change', (event) => {
  byId('credential-input').type = event.target.checked ? 'text' : 'password';
});
byId('ballot-form').addEventListener('submit', submitBallot);
byId('review-back').addEventListener('click', () => goto('ballot'));
byId('review-encrypt').addEventListener('click', encrypt);
byId('cast-button').addEventListener('click', () => post('cast'));
byId('challenge-button').addEventListener('click', () => post('challenge'));
byId('again-button').addEventListener('click', markAgain);
byId('receipt-download').addEventListener('click', () => downloadReceipt(state.receipt));
byId('revote-button').addEventListener('click', startOver);

start();
