// Look up a ballot by confirmation code, its beginning or a receipt (record format §9): whether it is on the board, its
// status (cast, superseded, challenged) and where (seq, entry hash), with the board's proofs checked here:
// the signed checkpoint and inclusion proof of the board's receipt, the entry's hash recomputed from the
// entry itself, and for a pasted receipt, that it matches and that the board's log extends its checkpoint.
// The beginning of a code (at least 8 characters) lists every ballot whose code starts with it: it finds a
// ballot, but only the whole code, which the receipt holds, shows which one is the voter's.
// When the election's trust anchors name witnesses, the receipt (the pasted one, else the board's) is also
// checked against a checkpoint the witnesses cosigned; a receipt that was not yet confirmed is completed
// here (witness_view.js: cosigned checkpoint, inclusion and consistency proofs, all checked in this browser)
// and can be downloaded again, completed.
// The section "Was anything cast in my name?" (cast_in_my_name.js) lists the ballots of a credential from its
// public key, derived here: the credential never leaves the browser.

import { ElectionApi } from './api.js';
import { BoardProofError, entryHash, verifyCheckpoint, verifyConsistency, verifyReceipt } from './board_proofs.js';
import { hexToBytes, bytesToHex } from '../eg/bytes.js';
import { byId, codeNode, el, facts, fill, focusHeading, pageContext, show } from './dom.js';
import { t } from './i18n.js';
import { clearError, loadContext, normaliseCode, normalisePrefix, reportSlowRequests, setTitle, showError } from './page_common.js';
import { setUpCastInMyName } from './cast_in_my_name.js';
import { downloadReceipt } from './receipt_view.js';
import { hasWitnesses, loadAnchors, showAnchors, showWitnessVerdict, witnessReceipt } from './witness_view.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);
let context = null;
let trust = null; // loadAnchors(): the election's checked trust anchors, or why there are none
let completed = null; // a pasted receipt completed with the witnesses' confirmation, to download
let busy = false;
const MAX_MATCHES = 50;

async function readInput() {
  const receiptText = byId('lookup-receipt').value.trim();
  if (receiptText !== '') {
    let receipt;
    try {
      receipt = JSON.parse(receiptText);
    } catch {
      throw new Error(t('lookup.bad_receipt'));
    }
    const code = normaliseCode(receipt?.confirmation_code);
    if (code === null) throw new Error(t('lookup.bad_receipt'));
    return { code, receipt };
  }
  const prefix = normalisePrefix(byId('lookup-code').value);
  if (prefix === null) throw new Error(t('lookup.code_invalid'));
  return prefix.length === 64 ? { code: prefix, receipt: null } : { prefix };
}

/** Runs `check` and records a line "✓ label" or "✗ label: reason"; returns whether it passed. */
async function record(lines, label, check) {
  try {
    await check();
    lines.push({ ok: true, text: t('lookup.check_ok', { check: label }) });
    return true;
  } catch (error) {
    lines.push({ ok: false, text: t('lookup.check_failed', { check: label, reason: error.message }) });
    return false;
  }
}

function statusText(status) {
  const key = { cast: 'lookup.status_cast', superseded: 'lookup.status_superseded', challenged: 'lookup.status_challenged' }[status];
  return key ? t(key) : status;
}

/**
 * What the ballot's status means, as a sentence that promises only what is true now: a cast ballot under
 * the rule "last" counts unless its voter votes again while voting is open.
 */
function statusSentence(status) {
  if (status === 'cast') {
    return context.revote_rule === 'last' && context.phase === 'open' ? t('lookup.found_cast_last') : t('lookup.found_cast');
  }
  if (status === 'superseded') return t('lookup.found_superseded');
  if (status === 'challenged') return t('lookup.found_challenged');
  return statusText(status);
}

function verdict(kind, message) {
  const node = byId('lookup-verdict');
  node.className = `verdict ${kind}`;
  fill(node, message);
}

async function lookup(event) {
  event.preventDefault();
  if (busy) return;
  busy = true;
  const button = byId('lookup-submit');
  button.disabled = true;
  clearError(byId('page-error'));
  show(byId('lookup-result'), false);
  show(byId('lookup-witness'), false);
  show(byId('lookup-anchors'), false);
  show(byId('lookup-download-completed'), false);
  try {
    if (context === null) context = await loadContext(api);
    fill(byId('page-status'), t('lookup.running'));
    const input = await readInput();
    fill(byId('lookup-note'));
    fill(byId('lookup-matches'));
    if (input.prefix) await showMatches(input.prefix);
    else await showResult(input.code, input.receipt, await api.lookup(input.code));
    fill(byId('page-status'), t('lookup.finished'));
    show(byId('lookup-result'));
    focusHeading(byId('lookup-result-heading'));
  } catch (error) {
    fill(byId('page-status'));
    showError(byId('page-error'), error, () => byId('lookup-form').requestSubmit());
  } finally {
    busy = false;
    button.disabled = false;
  }
}

/** The ballots whose code starts with `prefix`: one is looked up in full, several are listed with a warning. */
async function showMatches(prefix) {
  const page = await api.ballots({ prefix, limit: MAX_MATCHES });
  const more = page.next !== null;
  if (page.ballots.length === 1 && !more) {
    const code = page.ballots[0].confirmation_code;
    await showResult(code, null, await api.lookup(code));
    fill(byId('lookup-note'), t('lookup.prefix_one'));
    return;
  }
  if (page.ballots.length === 0) {
    verdict('bad', t('lookup.prefix_none'));
    facts(byId('lookup-facts'), [[t('lookup.prefix'), codeNode(prefix)]]);
    renderLines([]);
    facts(byId('lookup-details-facts'), []);
    return;
  }
  verdict('warn', t('lookup.prefix_many', { count: page.ballots.length }));
  facts(byId('lookup-facts'), [[t('lookup.prefix'), codeNode(prefix)]]);
  renderLines([]);
  facts(byId('lookup-details-facts'), []);
  fill(byId('lookup-note'), more ? t('lookup.prefix_more') : null);
  fill(byId('lookup-matches'), ...page.ballots.map((ballot) => el('li', {},
    codeNode(ballot.confirmation_code), ' ',
    el('span', {}, t('lookup.match_status', { status: statusText(ballot.status), seq: ballot.seq })), ' ',
    el('a', { href: `?code=${ballot.confirmation_code}` }, t('lookup.open_match')))));
}

async function showResult(code, pasted, found) {
  const lines = [];
  const board = context.board;
  const origin = `${board.origin}/elections/${electionId}`;
  const pastedValid = pasted === null ? null
    : await record(lines, t('lookup.check_pasted_receipt'), () => verifyReceipt(pasted, { electionId, board }));
  if (found === null) {
    verdict('bad', pastedValid ? t('lookup.missing_with_receipt') : t('lookup.not_found'));
    facts(byId('lookup-facts'), [[t('receipt.code'), codeNode(code)]]);
    facts(byId('lookup-details-facts'), []);
    renderLines(lines);
    return;
  }
  const { receipt, status } = found;
  let checkpoint = null;
  await record(lines, t('lookup.check_inclusion'), async () => {
    checkpoint = await verifyReceipt(receipt, { electionId, board });
  });
  const entry = await api.entry(receipt.seq);
  await record(lines, t('lookup.check_entry'), async () => {
    const hash = bytesToHex(await entryHash(entry));
    if (hash !== receipt.entry_hash) throw new BoardProofError(t('lookup.entry_hash_differs'));
    if (entry.payload?.ballot?.confirmation_code !== code || !String(entry.kind).startsWith('ballot.')) {
      throw new BoardProofError(t('lookup.entry_other_ballot'));
    }
  });
  if (pasted !== null && pastedValid) {
    await record(lines, t('lookup.check_same_entry'), async () => {
      if (pasted.seq !== receipt.seq || pasted.entry_hash !== receipt.entry_hash) throw new BoardProofError(t('lookup.receipt_differs'));
      const old = await verifyCheckpoint(pasted.checkpoint, { keyName: board.key_name, publicKeyHex: board.public_key, origin });
      const current = await verifyCheckpoint((await api.checkpoint()).note, { keyName: board.key_name, publicKeyHex: board.public_key, origin });
      const proof = await api.consistency(old.size, current.size);
      await verifyConsistency(old.size, current.size, old.root, current.root, proof.proof.map((h, i) => hexToBytes(h, `proof[${i}]`, 32)));
    });
  }
  const witnessed = await checkWitnesses(lines, pasted !== null && pastedValid ? pasted : receipt, pasted);
  const allOk = lines.every((line) => line.ok);
  verdict(allOk ? 'ok' : 'bad', allOk ? `${t('lookup.found')} ${statusSentence(status)}` : t('lookup.found_unverified'));
  facts(byId('lookup-facts'), [
    [t('receipt.code'), codeNode(code)],
    [t('lookup.status'), statusText(status)],
  ]);
  facts(byId('lookup-details-facts'), [
    [t('receipt.seq'), String(receipt.seq)],
    [t('receipt.kind'), entry.kind],
    [t('receipt.entry_hash'), el('code', {}, receipt.entry_hash)],
    [t('lookup.received_at'), new Date(Math.floor(entry.received_at / 1000)).toISOString()],
    [t('receipt.checkpoint'), t('receipt.checkpoint_size', { size: checkpoint?.size ?? receipt.inclusion_proof?.tree_size ?? '?' })],
  ]);
  renderLines(lines);
  showWitnessVerdict(byId('lookup-witness'), witnessed, trust.anchors);
  show(byId('lookup-witness'), hasWitnesses(trust.anchors));
  showAnchors(byId('lookup-anchors'), trust);
}

/**
 * The witnesses' confirmation of `checked` (a receipt), as a check line when it is confirmed or fails;
 * a pasted receipt completed here is offered for download.
 */
async function checkWitnesses(lines, checked, pasted) {
  if (trust === null) trust = await loadAnchors(api, context);
  const result = await witnessReceipt(api, checked, context, trust.anchors);
  if (result.state === 'witnessed') lines.push({ ok: true, text: t('lookup.check_ok', { check: t('lookup.check_witnessed') }) });
  if (result.state === 'failed') {
    lines.push({ ok: false, text: t('lookup.check_failed', { check: t('lookup.check_witnessed'), reason: result.reason }) });
  }
  completed = result.state === 'witnessed' && checked === pasted && result.completed !== pasted ? result.completed : null;
  show(byId('lookup-download-completed'), completed !== null);
  return result;
}

function renderLines(lines) {
  fill(byId('lookup-checks'), ...lines.map((line) => el('li', { class: line.ok ? 'ok' : 'bad' }, line.text)));
  const details = byId('lookup-details');
  show(details, lines.length > 0 || byId('lookup-details-facts').childElementCount > 0);
  details.open = lines.some((line) => !line.ok); // a failed check is shown, not hidden
}

async function loadFile(event) {
  const file = event.target.files?.[0];
  if (!file) return;
  byId('lookup-receipt').value = await file.text();
}

async function main() {
  try {
    context = await loadContext(api);
    setTitle(context, t('lookup.title'));
  } catch (error) {
    fill(byId('page-status'));
    showError(byId('page-error'), error, main);
    return;
  }
  const code = new URLSearchParams(window.location.search).get('code');
  if (code) {
    byId('lookup-code').value = code;
    byId('lookup-form').requestSubmit();
  }
}

byId('lookup-form').addEventListener('submit', lookup);
byId('lookup-download-completed').addEventListener('click', () => completed && downloadReceipt(completed));
byId('lookup-file').addEventListener('change', loadFile);
setUpCastInMyName(api, electionId);
reportSlowRequests();
main();
