// A receipt (record format §9) on screen: a sentence saying what it means under the election's revote rule,
// its technical facts (for the "Details for checking" disclosure), the check of the board's signed
// checkpoint and inclusion proof, a JSON download (everything) and the QR code (made by the server from the
// public lookup URL).

import { verifyReceipt } from './board_proofs.js';
import { codeNode, el, facts, fill } from './dom.js';
import { t } from './i18n.js';

/** The URLs of the booth pages and QR codes for a confirmation code (relative to this page). */
export function codeLinks(code) {
  const base = new URL('./', window.location.href);
  return {
    lookup: new URL(`lookup?code=${code}`, base).href,
    check: new URL(`check?code=${code}`, base).href,
    lookupQr: new URL(`qr/lookup/${code}.svg`, base).href,
    checkQr: new URL(`qr/check/${code}.svg`, base).href,
  };
}

/**
 * What a cast ballot's receipt means, promising only what is true: under the rule "last" a later cast
 * replaces it; under "first" it is the one that counts (a later one is refused).
 */
export function receiptSummary(revoteRule) {
  return revoteRule === 'first' ? t('receipt.summary_first') : t('receipt.summary_last');
}

/** The receipt's technical facts, for the "Details for checking" disclosure. */
export function receiptFacts(receipt) {
  return [
    [t('receipt.election'), receipt.election_id],
    [t('receipt.code'), codeNode(receipt.confirmation_code)],
    [t('receipt.kind'), receipt.kind],
    [t('receipt.seq'), String(receipt.seq)],
    [t('receipt.entry_hash'), el('code', {}, receipt.entry_hash)],
    [t('receipt.checkpoint'), t('receipt.checkpoint_size', { size: receipt.inclusion_proof?.tree_size ?? '?' })],
    ...(typeof receipt.cosigned_checkpoint === 'string'
      ? [[t('receipt.cosigned'), t('receipt.checkpoint_size', { size: receipt.cosigned_inclusion_proof?.tree_size ?? '?' })]] : []),
  ];
}

/** Checks the receipt against the board key of `context`; writes the outcome into `statusNode`. */
export async function checkReceiptInto(statusNode, receipt, context) {
  try {
    await verifyReceipt(receipt, { electionId: context.election_id, board: context.board });
    statusNode.className = 'verdict ok';
    fill(statusNode, t('receipt.verified'));
    return true;
  } catch (error) {
    statusNode.className = 'verdict bad';
    fill(statusNode, t('receipt.not_verified', { reason: error.message }));
    return false;
  }
}

/** Offers `receipt` as a JSON file download (public content only). */
export function downloadReceipt(receipt) {
  const blob = new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: `evote-receipt-${receipt.election_id}-${receipt.confirmation_code.slice(0, 8)}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Renders the receipt's facts into a <dl>. */
export function renderReceipt(dl, receipt) {
  facts(dl, receiptFacts(receipt));
}
