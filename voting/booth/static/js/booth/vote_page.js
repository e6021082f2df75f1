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
//
// No dead ends. Every request has a timeout, and a slow one says "still trying" (api.js). A signed submission
// is kept, as its JSON text, in sessionStorage until the board answers: a retry (the "Try again" button, or
// the page reloaded while a request hung) sends those same bytes, never a new encryption, so that a lost
// answer becomes the board's first receipt again (docs/board.md: an identical resubmission gets its first
// receipt), not a second ballot or a refusal. Only a missing answer or a fault on the board's side offers a
// retry; a refusal says in words what to do instead. The election's state is read again when the
// credential is entered and before encrypting, so that a page opened before the close says so before the
// voter marks a ballot (or, at the latest, before anything is encrypted or sent).
//
// Voter login. When the context names "voter_login" (record format §11), the voter first signs in: the voter
// id from the organizers' letter, then the one-time code the board e-mails (voter_login.js). Every ballot then
// carries the session in `Authorization: Voter <session>`. A session that ends before the ballot is sent (or
// that the board no longer accepts) brings the sign-in back, and the same signed ballot is sent afterwards:
// the choices stay encrypted on this device, nothing is marked or encrypted again.

import { deriveCredentialKeys } from '../eg/credential.js';
import { CredentialError } from '../eg/errors.js';
import { planChoices } from '../eg/manifest.js';
import { buildSubmission, signSubmission } from '../eg/submission.js';
import { EncryptionWorker } from '../eg/worker_client.js';
import { ElectionApi, isRetryable, setSlowListener } from './api.js';
import { BallotForm, describeBallot, renderChoices } from './ballot_view.js';
import { byId, el, fill, focusHeading, groupCode, pageContext, show } from './dom.js';
import { t } from './i18n.js';
import { errorText, isClosedRefusal } from './errors_text.js';
import {
  clearError, credentialListVersion, pageTextChoice, phaseWords, setTitle, showElectionNotices, showError, showOrganizer, stillTryingIn,
} from './page_common.js';
import { isolated, styleName, textNode } from './manifest_text.js';
import { closedBySchedule, outsideHoursSentences } from './schedule_view.js';
import { checkReceiptInto, codeLinks, downloadReceipt, receiptSummary, renderReceipt } from './receipt_view.js';
import { hasWitnesses, loadAnchors, showAnchors, showWitnessVerdict, waitForWitnesses } from './witness_view.js';
import {
  LoginKeeper, channelSentences, isLoginRequired, loginRefusalText, normaliseLoginCode, normaliseVoterId,
} from './voter_login.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);
const logins = new LoginKeeper(electionId); // the voter login's session (sessionStorage of this tab only)
const RECEIPT_KEY = `evote-booth/${electionId}/receipt`;
const PENDING_KEY = `evote-booth/${electionId}/pending`; // { action, text }: a signed submission not yet answered
const STEPS = ['closed', 'pending', 'login', 'credential', 'ballot', 'review', 'encrypt', 'code', 'challenged', 'receipt'];

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
  pending: null, // { action, text }: a submission found unanswered when the page was loaded
  loginVoterId: null, // the voter id a code was last asked for
  afterLogin: null, // what the sign-in leads to: the credential step, or sending the kept ballot
};

/** Whether this election takes ballots from signed-in voters only (record format §11 voter_login). */
function needsLogin() {
  return Boolean(state.context?.voter_login);
}

function goto(step) {
  for (const name of STEPS) show(byId(`step-${name}`), name === step);
  focusHeading(byId(`step-${step}-heading`));
}

function readStored(key) {
  try {
    const text = window.sessionStorage.getItem(key);
    return text === null ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    if (value === null) window.sessionStorage.removeItem(key);
    else window.sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage unavailable (private mode): a retry still resends the copy kept in memory
  }
}

/** The closed step, in words: not started yet (with a schedule: when it opens), closed, counted, cancelled
 * (page_common.phaseWords). */
function showClosed(context, { whileVoting = false } = {}) {
  const words = phaseWords(context.phase, context);
  fill(byId('step-closed-heading'), words.heading);
  fill(byId('closed-reason'), whileVoting ? t('vote.closed_while_voting') : words.reason);
  fill(byId('closed-next'), words.next);
  state.encrypted = null;
  state.keys = null;
  goto('closed');
}

/** The election's state now (record format §9 context); true when it is still open for voting. */
async function stillOpen() {
  const context = await api.context();
  Object.assign(state.context, { phase: context.phase, schedule: context.schedule ?? null, cancelled: context.cancelled ?? null });
  if (context.phase === 'open' && !closedBySchedule(context, Date.now())) return true;
  showClosed(context, { whileVoting: true });
  return false;
}

// --- loading ----------------------------------------------------------------------------------------

async function start() {
  const status = byId('page-status');
  fill(status, t('page.loading'));
  try {
    [state.context, state.listVersion] = await Promise.all([api.context(), credentialListVersion(api)]);
    showOrganizer(state.context);
    showElectionNotices(state.context);
  } catch (error) {
    fill(status);
    showError(byId('page-error'), error, start);
    return;
  }
  const context = state.context;
  setTitle(context, t('vote.title'));
  fill(status);
  const stored = readStored(RECEIPT_KEY);
  if (stored !== null && stored.election_id === electionId) {
    await showReceipt(stored);
    return;
  }
  const pending = readStored(PENDING_KEY);
  if (pending !== null && typeof pending.text === 'string' && (pending.action === 'cast' || pending.action === 'challenge')) {
    state.pending = pending;
    goto('pending');
    return;
  }
  if (context.phase !== 'open' || !context.K || !context.H_E || closedBySchedule(context, Date.now())) {
    showClosed(context);
    return;
  }
  state.worker = new EncryptionWorker();
  state.prepared = timed(() => state.worker.prepare({ electionPublicKey: context.K }));
  state.prepared.catch(() => {}); // reported when the voter encrypts
  if (state.listVersion === 1) renderStyles(context.manifest); // version 2: the credential's own style
  if (needsLogin() && logins.session() === null) {
    showLogin(() => goto('credential'));
    return;
  }
  goto('credential');
}

// --- before step 1: the voter login (voter_login.js) ---------------------------------------------------

/** A field's error sentence, tied to it by aria-describedby and announced by focusing it; null clears it. */
function fieldError(inputId, message) {
  const input = byId(inputId);
  const error = byId(`${inputId}-error`);
  fill(error, message ?? '');
  show(error, Boolean(message));
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${inputId}-hint ${inputId}-error`);
    input.focus();
  } else {
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', `${inputId}-hint`);
  }
}

/** The sign-in step; `then` runs once signed in. `again`: a session ended while a ballot waits to be sent. */
function showLogin(then, { again = false } = {}) {
  state.afterLogin = then;
  show(byId('login-again'), again);
  fill(byId('login-channels'), ...channelSentences(state.context.voter_login).map((sentence) => el('p', {}, sentence)));
  byId('login-voter-id').value = state.loginVoterId ?? logins.voterId() ?? '';
  byId('login-code').value = '';
  fieldError('login-voter-id', null);
  fieldError('login-code', null);
  show(byId('login-code-part'), false);
  goto('login');
}

/** The refusal of a code request or check, in words beside the field (a closed election: the closed step). */
function loginFailure(error, inputId) {
  if (isClosedRefusal(error)) {
    showClosed({ phase: 'closed' }, { whileVoting: true });
    return;
  }
  const words = loginRefusalText(error) ?? errorText(error);
  fieldError(inputId, isRetryable(error) ? `${words} ${t('login.retry')}` : words);
}

async function askForCode(voterId, { status, inputId }) {
  fill(status, t('login.sending'));
  setSlowListener(stillTryingIn(status));
  try {
    await api.requestLoginCode(voterId);
  } catch (error) {
    fill(status);
    loginFailure(error, inputId);
    return false;
  }
  fill(status);
  state.loginVoterId = voterId;
  return true;
}

async function submitVoterId(event) {
  event.preventDefault();
  const button = byId('login-id-submit');
  if (button.disabled) return;
  const voterId = normaliseVoterId(byId('login-voter-id').value);
  if (voterId === null) return fieldError('login-voter-id', t('login.voter_id_empty'));
  fieldError('login-voter-id', null);
  button.disabled = true;
  try {
    if (!(await askForCode(voterId, { status: byId('login-id-status'), inputId: 'login-voter-id' }))) return undefined;
  } finally {
    button.disabled = false;
  }
  byId('login-code').value = '';
  fieldError('login-code', null);
  fill(byId('login-code-status'));
  show(byId('login-code-part'));
  focusHeading(byId('login-code-heading'));
  return undefined;
}

async function resendCode() {
  const button = byId('login-resend');
  if (button.disabled || state.loginVoterId === null) return;
  button.disabled = true;
  fieldError('login-code', null);
  try {
    if (await askForCode(state.loginVoterId, { status: byId('login-code-status'), inputId: 'login-code' })) {
      byId('login-code').value = '';
      fill(byId('login-code-status'), t('login.resent'));
      byId('login-code').focus();
    }
  } finally {
    button.disabled = false;
  }
}

function otherVoterId() {
  show(byId('login-code-part'), false);
  fieldError('login-code', null);
  const input = byId('login-voter-id');
  input.select();
  input.focus();
}

async function submitCode(event) {
  event.preventDefault();
  const button = byId('login-code-submit');
  if (button.disabled) return;
  const code = normaliseLoginCode(byId('login-code').value);
  if (code === null) return fieldError('login-code', t('login.code_format'));
  fieldError('login-code', null);
  button.disabled = true;
  const status = byId('login-code-status');
  fill(status, t('login.checking'));
  setSlowListener(stillTryingIn(status));
  let answer;
  try {
    answer = await api.verifyLoginCode(state.loginVoterId, code);
  } catch (error) {
    fill(status);
    loginFailure(error, 'login-code');
    return undefined;
  } finally {
    button.disabled = false;
  }
  fill(status);
  logins.keep(state.loginVoterId, answer);
  byId('login-code').value = ''; // used once: nothing to keep
  const then = state.afterLogin ?? (() => goto('credential'));
  state.afterLogin = null;
  then();
  return undefined;
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
  const choice = pageTextChoice(state.context);
  const options = styles.map((label, i) => el('div', { class: 'choice' },
    el('input', { type: 'radio', id: `style-${i + 1}`, name: 'ballot-style', value: label, checked: i === 0 }),
    el('label', { for: `style-${i + 1}` }, textNode(styleName(manifest, label, choice), pageContext().lang))));
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
  const login = logins.current;
  if (needsLogin() && typeof login?.style === 'string' && state.listVersion === 2
      && (listed.style !== login.style || listed.weight !== login.weight)) {
    return t('login.style_mismatch'); // the board would refuse it at the cast (login_style_mismatch)
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
  setSlowListener(stillTryingIn(byId('credential-status')));
  let open;
  try {
    // the public key only: it is on the list and on each ballot; and whether voting is still open
    [listed, open] = await Promise.all([api.credential(keys.publicKey), stillOpen()]);
  } catch (error) {
    listed = error;
  } finally {
    fill(byId('credential-status'));
    button.disabled = false;
  }
  if (listed instanceof Error) {
    // pressing Continue again retries; a refusal says what to do instead
    return credentialError(isRetryable(listed) ? `${errorText(listed)} ${t('credential.retry')}` : errorText(listed));
  }
  if (!open) return undefined; // the closed step says so, before anything is marked
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
  const named = isolated(styleName(state.context.manifest, style, pageTextChoice(state.context)));
  fill(byId('ballot-style'), several ? t('ballot.style', { style: named }) : ''); // the style's display name
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
  clearError(byId('page-error'));
  const context = state.context;
  setSlowListener(stillTryingIn(byId('review-status')));
  try {
    if (!(await stillOpen())) return; // closed while the voter was marking: nothing is encrypted or sent
  } catch (error) {
    showError(byId('page-error'), error, encrypt);
    button.disabled = false;
    return;
  }
  goto('encrypt');
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
    showError(byId('page-error'), error);
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
  clearError(byId('post-error'));
}

async function post(action) {
  const encrypted = state.encrypted;
  if (state.posting || encrypted === null) return;
  if (encrypted.action !== null && encrypted.action !== action) return; // never both actions for one encryption
  state.posting = true;
  encrypted.action = action;
  byId('cast-button').disabled = true;
  byId('challenge-button').disabled = true;
  clearError(byId('post-error'));
  fill(byId('post-status'), action === 'cast' ? t('post.casting') : t('post.challenging'));
  try {
    if (encrypted.submission === null) {
      const signature = await signSubmission({
        privateKey: state.keys.privateKey, electionId, extendedBaseHash: state.context.H_E, action, ballot: encrypted.ballot,
        styleSigned: state.listVersion === 2, // evote/ballot/v3: the signature covers the ballot's style
      });
      const reveal = action === 'challenge' ? { nonce: encrypted.ballotNonce, choices: encrypted.choices } : undefined;
      const submission = buildSubmission({ action, ballot: encrypted.ballot, credential: state.keys.publicKey, signature, reveal });
      encrypted.submission = { action, text: JSON.stringify(submission) }; // these bytes, and no others, are sent
      store(PENDING_KEY, encrypted.submission);
    }
  } catch (error) {
    state.posting = false;
    fill(byId('post-status'));
    showError(byId('post-error'), error);
    return;
  }
  await send(encrypted.submission, { step: 'code', status: byId('post-status'), error: byId('post-error'), choices: encrypted.choices });
  state.posting = false;
}

/**
 * Sends a kept submission ({ action, text }) and shows what came of it: the receipt, the challenged ballot,
 * the closed step, or the failure in words in `where.error`, with a "Try again" button that sends the
 * identical text when retrying may help (no answer, a fault on the board's side), and none for a refusal.
 */
async function send(submission, where) {
  const { action, text } = submission;
  if (needsLogin() && logins.session() === null) return signInAgain(submission, where); // ended before sending
  fill(where.status, action === 'cast' ? t('post.casting') : t('post.challenging'));
  let receipt;
  try {
    ({ receipt } = await api.postBallot(text, { onSlow: stillTryingIn(where.status), session: logins.session() }));
  } catch (error) {
    fill(where.status);
    if (isLoginRequired(error)) {
      logins.expire();
      return signInAgain(submission, where); // nothing was recorded: the same ballot goes once signed in
    }
    if (!isRetryable(error)) store(PENDING_KEY, null); // the board answered: this submission is done with
    if (error?.code === 'outside_voting_hours') {
      // the board's clock is outside the voting hours: not yet open, or closed; said with the schedule's times
      const { before, sentences } = outsideHoursSentences(state.context, pageContext().lang);
      showClosed({ ...state.context, phase: before ? 'ready' : 'closed' }, { whileVoting: !before });
      fill(byId('closed-reason'), [errorText(error), ...sentences].join(' '));
      return;
    }
    if (isClosedRefusal(error)) {
      showClosed({ phase: 'closed' }, { whileVoting: true });
      fill(byId('closed-reason'), errorText(error));
      return;
    }
    const button = showError(where.error, error, () => send(submission, where), t('post.retry_same'));
    if (button === null) refusalNext(action, where.error, error);
    return undefined;
  }
  store(PENDING_KEY, null);
  state.encrypted = null; // this encryption is spent
  if (action === 'cast') {
    state.keys = null;
    state.choices = null;
    store(RECEIPT_KEY, receipt); // the receipt is still shown and downloadable if storage is unavailable
    await showReceipt(receipt);
  } else {
    const posted = JSON.parse(text);
    showChallenged(receipt, where.choices ?? listChoices(posted.reveal?.choices), posted.ballot?.style);
  }
  return undefined;
}

/** The sign-in again, then the kept submission sent as it is, from the step it was sent from. */
function signInAgain(submission, where) {
  fill(where.status);
  showLogin(() => {
    goto(where.step);
    send(submission, where);
  }, { again: true });
}

const OTHER_CARD = new Set(['login_bound_to_other_credential', 'credential_bound_to_other_login', 'login_style_mismatch']);

/**
 * After a refusal, the way on: a refused challenge can still be followed by a new ballot to cast; a voting
 * card the voter login refuses leaves typing another credential (the sign-in is kept).
 */
function refusalNext(action, region, error) {
  if (OTHER_CARD.has(error?.code)) {
    const other = el('button', { type: 'button', class: 'secondary' }, t('login.other_card'));
    other.addEventListener('click', startOver);
    region.append(other);
    return;
  }
  if (action !== 'challenge' || state.keys === null) return;
  const button = el('button', { type: 'button', class: 'secondary' }, t('post.mark_new'));
  button.addEventListener('click', markAgain);
  region.append(button);
}

// --- the challenged ballot -------------------------------------------------------------------------------

/** Reveal choices in either form of record format §5, as lists of option labels. */
function listChoices(choices) {
  const out = {};
  for (const [contest, chosen] of Object.entries(choices ?? {})) {
    out[contest] = Array.isArray(chosen) ? chosen
      : Object.entries(chosen).flatMap(([option, votes]) => Array(Number(votes)).fill(option));
  }
  return out;
}

function showChallenged(receipt, choices, style) {
  const links = codeLinks(receipt.confirmation_code);
  fill(byId('challenged-code'), groupCode(receipt.confirmation_code));
  renderReceipt(byId('challenged-facts'), receipt);
  if (state.contests === null) state.contests = describeBallot(state.context.manifest, style);
  renderChoices(byId('challenged-choices'), state.contests, choices, 'h4');
  const link = byId('challenged-check-link');
  link.href = links.check;
  fill(link, links.check);
  byId('challenged-qr').src = links.checkQr;
  byId('challenged-share').onclick = () => shareLink(links.check, byId('challenged-share-status'));
  const boardUrl = new URL(apiBase, window.location.href).origin;
  fill(byId('challenged-verify-command'),
    `evote record export ${electionId} --board ${boardUrl} --out ${electionId}-record\nevote-verify ${electionId}-record`);
  goto('challenged');
}

function markAgain() {
  if (state.keys === null) {
    startOver(); // after a reload the credential is no longer in memory: enter it again
    return;
  }
  resetPostControls();
  byId('encrypt-progress').value = 0;
  fill(byId('encrypt-status'));
  goto('ballot');
}

// --- the receipt -----------------------------------------------------------------------------------------

async function showReceipt(receipt) {
  state.receipt = receipt;
  fill(byId('receipt-summary'), receiptSummary(state.context.revote_rule));
  fill(byId('receipt-code'), groupCode(receipt.confirmation_code));
  renderReceipt(byId('receipt-facts'), receipt);
  const links = codeLinks(receipt.confirmation_code);
  byId('receipt-lookup-link').href = links.lookup;
  byId('receipt-qr').src = links.lookupQr;
  byId('receipt-share').onclick = () => shareLink(links.lookup, byId('receipt-share-status'));
  show(byId('revote'), state.context.revote_rule === 'last' && state.context.phase === 'open');
  goto('receipt');
  fill(byId('receipt-check'), t('receipt.checking'));
  if (await checkReceiptInto(byId('receipt-check'), receipt, state.context)) await showWitnesses(receipt);
}

/**
 * The witnesses' confirmation of the receipt: the booth waits a few seconds, with a progress line, for a
 * checkpoint cosigned by the quorum of the trust anchors' witnesses that covers the ballot, checks it here and
 * adds it to the receipt (kept and downloadable); otherwise the receipt keeps the board's checkpoint alone
 * and says it is not yet confirmed (the look-up page completes it later).
 */
async function showWitnesses(receipt) {
  const node = byId('receipt-witness');
  const loaded = await loadAnchors(api, state.context);
  showAnchors(byId('receipt-anchors'), loaded);
  if (!hasWitnesses(loaded.anchors)) return; // showAnchors says why: no anchors, no witnesses, or a failed check
  show(node);
  fill(node, t('witness.waiting', { seconds: 0 }));
  const result = await waitForWitnesses(api, receipt, state.context, loaded.anchors, {
    onWait: (elapsed) => fill(node, t('witness.waiting', { seconds: Math.round(elapsed / 1000) })),
  });
  if (result.state === 'witnessed' && result.completed !== receipt && state.receipt === receipt) {
    state.receipt = result.completed;
    store(RECEIPT_KEY, result.completed);
    renderReceipt(byId('receipt-facts'), result.completed);
  }
  showWitnessVerdict(node, result, loaded.anchors);
}

/** On a phone, the system's share sheet; elsewhere the clipboard; where both are refused, the address itself
 * for the voter to select (a QR code cannot be scanned by the device that shows it). */
async function shareLink(url, status) {
  fill(status);
  if (typeof navigator.share === 'function') {
    try {
      await navigator.share({ url });
      return;
    } catch (error) {
      if (error?.name === 'AbortError') return; // the voter closed the share sheet
    }
  }
  try {
    await navigator.clipboard.writeText(url);
    fill(status, t('share.copied'));
  } catch {
    fill(status, el('bdi', { dir: 'ltr' }, url));
  }
}

function startOver() {
  store(RECEIPT_KEY, null);
  store(PENDING_KEY, null);
  window.location.reload();
}

function retryPending() {
  const button = byId('pending-retry');
  if (button.disabled) return;
  button.disabled = true;
  send(state.pending, { step: 'pending', status: byId('pending-status'), error: byId('pending-error'), choices: null })
    .finally(() => { button.disabled = false; });
}

// --- wiring ------------------------------------------------------------------------------------------------

setSlowListener(stillTryingIn(byId('page-status'))); // until a step names its own status line
byId('login-id-form').addEventListener('submit', submitVoterId);
byId('login-code-form').addEventListener('submit', submitCode);
byId('login-resend').addEventListener('click', resendCode);
byId('login-other-id').addEventListener('click', otherVoterId);
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
byId('pending-retry').addEventListener('click', retryPending);
byId('pending-discard').addEventListener('click', startOver);

start();
