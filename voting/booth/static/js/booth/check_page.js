// The standalone check of a challenged ballot (Benaloh challenge, SPEC v2.0.0 §3.6.5): from a confirmation
// code (the ballot is fetched from the board) or the posted JSON, re-encrypt the revealed choices with the
// revealed ξ_B in the module worker (eg/verify.js verifyChallengedBallot: proofs, contest hashes,
// confirmation code and every ciphertext compared), check the voter's signature, and show the choices.

import { verifySubmission } from '../eg/submission.js';
import { EncryptionWorker } from '../eg/worker_client.js';
import { ElectionApi } from './api.js';
import { describeBallot, renderChoices } from './ballot_view.js';
import { byId, el, facts, fill, focusHeading, groupCode, pageContext, show } from './dom.js';
import { t } from './i18n.js';
import {
  clearError, credentialListVersion, normaliseCode, loadContext, reportSlowRequests, setTitle, showError,
} from './page_common.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);
let context = null;
let listVersion = null; // 2: ballots signed under evote/ballot/v3 (record format §5)
let worker = null;
let busy = false;

/** The submission and where it came from, from the form: { submission, seq|null } or throws a message. */
async function readInput() {
  const codeText = byId('check-code').value;
  const jsonText = byId('check-json').value.trim();
  if (jsonText !== '') {
    let value;
    try {
      value = JSON.parse(jsonText);
    } catch {
      throw new Error(t('check.bad_json'));
    }
    if (value && typeof value === 'object' && value.payload && typeof value.kind === 'string') {
      return { submission: value.payload, kind: value.kind, seq: value.seq ?? null }; // a board entry
    }
    if (value && typeof value === 'object' && value.ballot) return { submission: value, kind: null, seq: null };
    throw new Error(t('check.bad_json'));
  }
  const code = normaliseCode(codeText);
  if (code === null) throw new Error(t('code.invalid'));
  const found = await api.lookup(code);
  if (found === null) throw new Error(t('lookup.not_found'));
  const entry = await api.entry(found.receipt.seq);
  return { submission: entry.payload, kind: entry.kind, seq: entry.seq };
}

function verdict(kind, message) {
  const node = byId('check-verdict');
  node.className = `verdict ${kind}`;
  fill(node, message);
}

async function check(event) {
  event.preventDefault();
  if (busy) return;
  busy = true;
  const button = byId('check-submit');
  button.disabled = true;
  clearError(byId('page-error'));
  show(byId('check-result'), false);
  fill(byId('page-status'), t('check.running'));
  try {
    if (context === null) context = await loadContext(api);
    if (listVersion === null) listVersion = await credentialListVersion(api);
    const { submission, kind, seq } = await readInput();
    await showResult(submission, kind, seq);
  } catch (error) {
    fill(byId('page-status'));
    showError(byId('page-error'), error, () => byId('check-form').requestSubmit());
  } finally {
    busy = false;
    button.disabled = false;
  }
}

async function showResult(submission, kind, seq) {
  const ballot = submission?.ballot;
  const code = typeof ballot?.confirmation_code === 'string' ? ballot.confirmation_code : '';
  facts(byId('check-facts'), [[t('receipt.code'), el('code', {}, code ? groupCode(code) : '?')]]);
  facts(byId('check-details-facts'), [[t('receipt.seq'), seq === null ? t('check.not_from_board') : String(seq)]]);
  fill(byId('check-choices'));
  const reveal = submission?.reveal;
  if (submission?.action === 'cast' || kind === 'ballot.cast') {
    verdict('bad', t('check.is_cast'));
  } else if (reveal === undefined) {
    verdict('bad', t('check.no_reveal'));
  } else {
    if (worker === null) worker = new EncryptionWorker();
    try {
      await worker.verifyChallenge({
        manifest: context.manifest, ballot, reveal, electionPublicKey: context.K, extendedBaseHash: context.H_E,
      });
      await verifySubmission({
        publicKey: submission.credential, signature: submission.signature, electionId,
        extendedBaseHash: context.H_E, action: 'challenge', ballot, styleSigned: listVersion === 2,
      });
      verdict('ok', t('check.ok'));
      renderChoices(byId('check-choices'), describeBallot(context.manifest, ballot.style), normaliseChoices(reveal.choices), 'h4');
    } catch (error) {
      verdict('bad', t('check.failed', { reason: error.message }));
    }
  }
  fill(byId('page-status'), t('check.finished'));
  show(byId('check-result'));
  focusHeading(byId('check-result-heading'));
}

/** Reveal choices in either form of record format §5, as lists of option labels. */
function normaliseChoices(choices) {
  const out = {};
  for (const [contest, chosen] of Object.entries(choices ?? {})) {
    out[contest] = Array.isArray(chosen) ? chosen
      : Object.entries(chosen).flatMap(([option, votes]) => Array(Number(votes)).fill(option));
  }
  return out;
}

async function main() {
  try {
    context = await loadContext(api);
    setTitle(context, t('check.title'));
  } catch (error) {
    fill(byId('page-status'));
    showError(byId('page-error'), error, main);
    return;
  }
  const code = new URLSearchParams(window.location.search).get('code');
  if (code) {
    byId('check-code').value = code;
    byId('check-form').requestSubmit();
  }
}

byId('check-form').addEventListener('submit', check);
reportSlowRequests();
main();
