// Independent witnesses in the voter's words (issue 16; docs/booth.md "Witnesses and trust anchors").
//
// The policy (which witnesses, how many must cosign) comes from the election's trust anchors, checked here
// (trust_anchors.js), never from the board's own description. A receipt is shown as confirmed by witnesses
// only when this browser has verified, itself: a checkpoint signed by the board, cosigned by at least the
// quorum of distinct listed witnesses (cosignature/v1), that includes the ballot's entry (inclusion proof)
// and lies on one history with the receipt's own checkpoint (consistency proof). A board that merely says
// so, or a receipt that the board alone "completed", is never shown as witnessed.
//
// Receipt fields (optional; docs/booth.md): "cosigned_checkpoint" (the note, board signature and
// cosignature lines) and "cosigned_inclusion_proof" { leaf_index, tree_size, hashes } linking the entry to it.

import { hexToBytes } from '../eg/bytes.js';
import { BoardRefusal, BoardUnavailable, BoardUnreachable } from './api.js';
import { BoardProofError, leafHash, verifyCheckpoint, verifyConsistency, verifyCosignedCheckpoint, verifyInclusion } from './board_proofs.js';
import { el, fill } from './dom.js';
import { t } from './i18n.js';
import { openAnchors } from './trust_anchors.js';

/**
 * The election's trust anchors: { anchors: null, error: null } when the election has none (the board's
 * /context names no anchors fingerprint, or /anchors answers 404), { anchors } once checked, { error } when
 * they cannot be read or checked.
 */
export async function loadAnchors(api, context) {
  if (typeof context?.anchors !== 'string' || context.anchors === '') return { anchors: null, error: null };
  try {
    const note = await api.anchors();
    if (note === null) return { anchors: null, error: null };
    return { anchors: await openAnchors(note, { electionId: context.election_id, board: context.board }), error: null };
  } catch (error) {
    return { anchors: null, error };
  }
}

/** Whether the anchors require witnesses at all (a quorum of 0 witnesses requires none). */
export function hasWitnesses(anchors) {
  return anchors !== null && anchors.policy.quorum > 0;
}

function proofHashes(list, field) {
  if (!Array.isArray(list)) throw new BoardProofError(`${field}: not a list`);
  return list.map((h, i) => hexToBytes(h, `${field}[${i}]`, 32));
}

/** Checks a cosigned checkpoint for `receipt` and the proofs that tie it to the ballot and the receipt. */
async function checkCosigned(api, receipt, context, anchors, note, inclusion) {
  const board = context.board;
  const origin = `${board.origin}/elections/${context.election_id}`;
  const cosigned = await verifyCosignedCheckpoint(note, {
    keyName: board.key_name, publicKeyHex: board.public_key, origin, policy: anchors.policy,
  });
  const { checkpoint } = cosigned;
  if (checkpoint.size <= receipt.seq) throw new BoardProofError('witnesses: the cosigned checkpoint does not cover the ballot');
  const hashes = inclusion ?? (await api.inclusion(receipt.seq, checkpoint.size)).proof;
  const leaf = await leafHash(hexToBytes(receipt.entry_hash, 'entry_hash', 32));
  await verifyInclusion(receipt.seq, checkpoint.size, leaf, proofHashes(hashes, 'inclusion'), checkpoint.root);
  // the receipt's checkpoint and the cosigned one lie on one history, whichever is larger
  const own = await verifyCheckpoint(receipt.checkpoint, { keyName: board.key_name, publicKeyHex: board.public_key, origin });
  const [older, newer] = own.size <= checkpoint.size ? [own, checkpoint] : [checkpoint, own];
  const proof = older.size === newer.size ? [] : (await api.consistency(older.size, newer.size)).proof;
  await verifyConsistency(older.size, newer.size, older.root, newer.root, proofHashes(proof, 'consistency'));
  return { ...cosigned, hashes };
}

/**
 * What the witnesses say about a receipt, checked in this browser:
 *   { state: 'none' }                         the anchors name no witnesses (or there are no anchors)
 *   { state: 'witnessed', valid, completed }  at least the quorum cosigned a checkpoint holding the ballot;
 *                                             `completed` is the receipt with the cosigned fields
 *   { state: 'short', valid }                 a cosigned checkpoint, but fewer than the quorum of valid cosignatures
 *   { state: 'pending', reason }              no cosigned checkpoint holding the ballot yet, or no answer
 *   { state: 'failed', reason }               a proof or signature did not verify
 */
export async function witnessReceipt(api, receipt, context, anchors) {
  if (!hasWitnesses(anchors)) return { state: 'none' };
  try {
    let best = null;
    if (typeof receipt.cosigned_checkpoint === 'string') {
      const proof = receipt.cosigned_inclusion_proof ?? {};
      if (proof.leaf_index !== receipt.seq) throw new BoardProofError('witnesses: the inclusion proof is for another entry');
      best = await checkCosigned(api, receipt, context, anchors, receipt.cosigned_checkpoint, proof.hashes ?? null);
      if (best.checkpoint.size !== proof.tree_size) throw new BoardProofError('witnesses: the inclusion proof is for another checkpoint');
      if (best.met) return { state: 'witnessed', valid: best.valid.length, completed: receipt };
    }
    const served = await api.cosignedCheckpoint(receipt.seq + 1, { onSlow: () => {} });
    if (served === null) return best === null ? { state: 'pending', reason: null } : { state: 'short', valid: best.valid.length };
    const found = await checkCosigned(api, receipt, context, anchors, served.note, null);
    if (!found.met) return { state: 'short', valid: Math.max(found.valid.length, best?.valid.length ?? 0) };
    const completed = {
      ...receipt,
      cosigned_checkpoint: served.note,
      cosigned_inclusion_proof: { leaf_index: receipt.seq, tree_size: found.checkpoint.size, hashes: found.hashes },
    };
    return { state: 'witnessed', valid: found.valid.length, completed };
  } catch (error) {
    if (error instanceof BoardUnreachable || error instanceof BoardUnavailable || error instanceof BoardRefusal) {
      return { state: 'pending', reason: error.message };
    }
    return { state: 'failed', reason: error.message };
  }
}

/**
 * Waits for the witnesses after a cast: asks every `intervalMs` (the board cosigns in batches, about every
 * second) until a witnessed answer, a failure, or `waitMs`; `onWait(elapsedMs)` after each attempt.
 */
export async function waitForWitnesses(api, receipt, context, anchors, { waitMs = 8_000, intervalMs = 700, onWait = () => {} } = {}) {
  const begin = performance.now();
  for (;;) {
    const result = await witnessReceipt(api, receipt, context, anchors);
    const elapsed = performance.now() - begin;
    if (['none', 'witnessed', 'failed'].includes(result.state) || elapsed + intervalMs > waitMs) return result;
    onWait(elapsed);
    await new Promise((resolve) => { window.setTimeout(resolve, intervalMs); });
  }
}

/** The verdict sentence of `result` in `node` (class verdict ok/bad, or plain for "not yet"). */
export function showWitnessVerdict(node, result, anchors) {
  const named = anchors?.policy.witnesses.length ?? 0;
  const quorum = anchors?.policy.quorum ?? 0;
  if (result.state === 'witnessed') {
    node.className = 'verdict ok';
    fill(node, t('witness.confirmed', { valid: result.valid, named, quorum }));
  } else if (result.state === 'failed') {
    node.className = 'verdict bad';
    fill(node, t('witness.failed', { reason: result.reason }));
  } else if (result.state === 'short') {
    node.className = 'witness-status';
    fill(node, t('witness.short', { valid: result.valid, named, quorum }));
  } else if (result.state === 'pending') {
    node.className = 'witness-status';
    fill(node, t('witness.not_yet'));
  } else {
    node.className = 'witness-status';
    fill(node, t('witness.none'));
  }
}

/**
 * The anchors for the voter to compare: their fingerprint, the witnesses they name, and what to do with
 * them; or that the election has no independent witnesses; or that the anchors could not be checked.
 */
export function showAnchors(container, { anchors, error }) {
  if (error) {
    fill(container, el('p', { class: 'verdict bad' }, t('anchors.bad', { reason: error.message })));
  } else if (anchors === null) {
    fill(container, el('p', {}, t('witness.none')), el('p', {}, t('anchors.none_card')));
  } else {
    const witnesses = anchors.policy.witnesses.map((w) => w.name).join(', ');
    fill(container,
      el('p', {}, hasWitnesses(anchors)
        ? t('anchors.witnesses', { quorum: anchors.policy.quorum, named: anchors.policy.witnesses.length, names: witnesses })
        : t('witness.none')),
      el('p', {}, t('anchors.fingerprint'), ' ', el('bdi', { dir: 'ltr' }, el('code', { class: 'fingerprint' }, anchors.fingerprint))),
      el('p', { class: 'notice' }, t('anchors.compare')));
  }
  container.hidden = false;
}
