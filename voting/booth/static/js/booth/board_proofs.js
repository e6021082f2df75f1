// What a voter's browser checks about the board (docs/record-format.md §6, §9): a checkpoint is a signed
// note by the board's key for the election's origin; an entry is in the log it commits to (RFC 9162
// inclusion proof); a newer checkpoint extends an older one (consistency proof); an entry's hash is
// recomputed from its fields. Each check returns its result or throws BoardProofError with evidence.
// Mirrors bulletin_board/{note,checkpoint,merkle_verify,entry}.py; tests/test_booth_board_proofs.py
// checks the two against each other.

import { bytesEqual, bytesToHex, concatBytes, hexToBytes, utf8 } from '../eg/bytes.js';
import { sha256 } from '../eg/hash.js';

export class BoardProofError extends Error {
  constructor(message, evidence = {}) {
    super(message);
    this.name = 'BoardProofError';
    Object.assign(this, evidence);
  }
}

const SIGNATURE_PREFIX = '\u2014 ';
const NAME = /^[^\s+]{1,128}$/;

function base64ToBytes(text) {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new BoardProofError('not base64');
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

function u32(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function u64(n) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** key_id = SHA-256(name ∥ "\n" ∥ 0x01 ∥ public key)[0:4] (§6.3). */
export async function noteKeyId(name, publicKey) {
  return (await sha256(concatBytes(utf8(name), utf8('\n'), Uint8Array.of(1), publicKey))).slice(0, 4);
}

/** Splits a signed note into its text and signature lines (no signature checked). */
export function parseNote(note) {
  if (typeof note !== 'string') throw new BoardProofError('checkpoint: the note is not text');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new BoardProofError('checkpoint: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (text.startsWith('\n') || text.includes('\n\n') || !block.endsWith('\n')) {
    throw new BoardProofError('checkpoint: malformed note');
  }
  const signatures = block.slice(0, -1).split('\n').map((line, i) => {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new BoardProofError(`checkpoint: signature line ${i + 1} is malformed`);
    const parts = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (parts.length !== 2 || !NAME.test(parts[0])) throw new BoardProofError(`checkpoint: signature line ${i + 1} is malformed`);
    const data = base64ToBytes(parts[1]);
    if (data.length < 5) throw new BoardProofError(`checkpoint: signature line ${i + 1} is too short`);
    return { name: parts[0], keyId: data.slice(0, 4), signature: data.slice(4) };
  });
  return { text, signatures };
}

/** The checkpoint body "<origin>\n<size>\n<base64 root>\n" as { origin, size, root (bytes) }. */
export function parseCheckpointBody(text) {
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '') throw new BoardProofError('checkpoint: the body is not three lines');
  const [origin, size, root] = lines;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size)) throw new BoardProofError('checkpoint: bad size');
  const rootBytes = base64ToBytes(root);
  if (rootBytes.length !== 32) throw new BoardProofError('checkpoint: the root is not 32 bytes');
  return { origin, size: Number(size), root: rootBytes };
}

/**
 * Checks that the board's key signed a note: a signature line with the board's key name and key id must be
 * present and every such line must verify (Ed25519 over the note text). Returns the text.
 */
export async function verifyBoardSignature(note, { keyName, publicKeyHex, what = 'checkpoint' }) {
  const { text, signatures } = parseNote(note);
  const publicKey = hexToBytes(publicKeyHex, 'board.public_key', 32);
  const keyId = await noteKeyId(keyName, publicKey);
  const ours = signatures.filter((s) => s.name === keyName && bytesEqual(s.keyId, keyId));
  if (ours.length === 0) throw new BoardProofError(`${what}: not signed by the board key`, { keyName });
  const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  for (const s of ours) {
    if (!await crypto.subtle.verify({ name: 'Ed25519' }, key, s.signature, utf8(text))) {
      throw new BoardProofError(`${what}: the board signature does not verify`, { keyName });
    }
  }
  return text;
}

/**
 * Checks a signed checkpoint: a signature line with the board's key name and key id must be present and
 * every such line must verify (Ed25519 over the note text); the origin must be `origin`.
 * Returns { origin, size, root }.
 */
export async function verifyCheckpoint(note, { keyName, publicKeyHex, origin }) {
  const text = await verifyBoardSignature(note, { keyName, publicKeyHex });
  const checkpoint = parseCheckpointBody(text);
  if (checkpoint.origin !== origin) {
    throw new BoardProofError('checkpoint: for another log', { expected: origin, found: checkpoint.origin });
  }
  return checkpoint;
}

async function nodeHash(left, right) {
  return sha256(concatBytes(Uint8Array.of(1), left, right));
}

/** leaf(i) = SHA-256(0x00 ∥ entry_hash_i) (§6.3). */
export async function leafHash(entryHash) {
  return sha256(concatBytes(Uint8Array.of(0), entryHash));
}

/** RFC 9162 §2.1.3.2: throws unless `proof` links `leaf` at `index` to `root` of a tree of `size`. */
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new BoardProofError(`inclusion: index ${index} is outside a tree of size ${size}`);
  }
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new BoardProofError('inclusion: a proof element is not 32 bytes');
    if (sn === 0n) throw new BoardProofError('inclusion: the proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new BoardProofError('inclusion: the proof is too short');
  if (!bytesEqual(r, root)) {
    throw new BoardProofError('inclusion: the proof leads to another root', { expected: bytesToHex(root), found: bytesToHex(r) });
  }
}

/** RFC 9162 §2.1.4.2: throws unless the tree (newSize, newRoot) extends (oldSize, oldRoot). */
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof) {
  if (!(oldSize >= 0 && oldSize <= newSize)) throw new BoardProofError('consistency: the new tree is smaller');
  if (oldSize === newSize) {
    if (proof.length !== 0 || !bytesEqual(oldRoot, newRoot)) throw new BoardProofError('consistency: same size, other root');
    return;
  }
  if (oldSize === 0) {
    if (proof.length !== 0) throw new BoardProofError('consistency: the proof must be empty');
    return;
  }
  if (proof.length === 0) throw new BoardProofError('consistency: the proof is empty');
  const path = [...proof];
  if ((oldSize & (oldSize - 1)) === 0) path.unshift(oldRoot);
  let fn = BigInt(oldSize - 1);
  let sn = BigInt(newSize - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new BoardProofError('consistency: the proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new BoardProofError('consistency: the proof is too short');
  if (!bytesEqual(fr, oldRoot) || !bytesEqual(sr, newRoot)) throw new BoardProofError('consistency: the proof leads to other roots');
}

/**
 * RFC 8785 canonical JSON of a value made of objects, arrays, strings, booleans, null and safe integers
 * (the only values a board payload may hold, §6.1): keys sorted by UTF-16 code units, no whitespace, and
 * JSON.stringify's string escapes, which are RFC 8785's.
 */
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BoardProofError('payload: a number that is not a safe integer');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  throw new BoardProofError(`payload: a value of type ${typeof value}`);
}

/** entry_hash of §6.2 recomputed from an entry as the API returns it ({ seq, kind, payload, prev_hash, received_at }). */
export async function entryHash(entry) {
  const payload = utf8(canonicalJson(entry.payload));
  const kind = utf8(entry.kind);
  return sha256(concatBytes(
    utf8('evote/entry/v1'), Uint8Array.of(0), u64(entry.seq), hexToBytes(entry.prev_hash, 'prev_hash', 32),
    u32(kind.length), kind, u64(entry.received_at), u64(payload.length), payload,
  ));
}

/**
 * Checks a receipt (record format §9) against the board's key from /context: the checkpoint is signed by
 * that key for this election's origin, and the inclusion proof places entry_hash at leaf `seq` under the
 * checkpoint's root. Returns the checkpoint { origin, size, root }.
 */
export async function verifyReceipt(receipt, { electionId, board }) {
  if (typeof receipt !== 'object' || receipt === null) throw new BoardProofError('receipt: not an object');
  if (receipt.election_id !== electionId) {
    throw new BoardProofError('receipt: for another election', { expected: electionId, found: receipt.election_id });
  }
  for (const key of ['origin', 'key_name', 'public_key']) {
    if (receipt.board?.[key] !== board[key]) {
      throw new BoardProofError(`receipt: board.${key} is not the board's`, { expected: board[key], found: receipt.board?.[key] });
    }
  }
  const checkpoint = await verifyCheckpoint(receipt.checkpoint, {
    keyName: board.key_name, publicKeyHex: board.public_key, origin: `${board.origin}/elections/${electionId}`,
  });
  const proof = receipt.inclusion_proof ?? {};
  if (proof.leaf_index !== receipt.seq || proof.tree_size !== checkpoint.size || !Array.isArray(proof.hashes)) {
    throw new BoardProofError('receipt: the inclusion proof is not for this entry and checkpoint');
  }
  const leaf = await leafHash(hexToBytes(receipt.entry_hash, 'entry_hash', 32));
  await verifyInclusion(receipt.seq, checkpoint.size, leaf, proof.hashes.map((h, i) => hexToBytes(h, `hashes[${i}]`, 32)), checkpoint.root);
  return checkpoint;
}

// --- witness cosignatures: C2SP tlog-cosignature, cosignature/v1 (bulletin_board/log_format/cosignature.py) ---

const ALG_COSIGNATURE_V1 = 0x04;
const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** key_id = SHA-256(name ∥ "\n" ∥ 0x04 ∥ public key)[0:4] (algorithm byte 0x04, not the board's 0x01). */
export async function cosignatureKeyId(name, publicKey) {
  return (await sha256(concatBytes(utf8(name), utf8('\n'), Uint8Array.of(ALG_COSIGNATURE_V1), publicKey))).slice(0, 4);
}

/** The bytes a cosignature/v1 signs: "cosignature/v1\n", "time <t>\n", then the checkpoint body. */
export function cosignedMessage(body, timestamp) {
  return utf8(`cosignature/v1\ntime ${BigInt(timestamp)}\n${body}`);
}

/** "<name>+<key id>+<base64 key data>" in its three parts (the base64 data may itself hold '+'). */
export function splitVerifierKey(text) {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  return second < 0 ? [text] : [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

/**
 * A witness's verifier key "<name>+<key id, 8 hex digits>+base64(0x04 ∥ Ed25519 key)" as
 * { name, publicKey, keyId }; throws BoardProofError for anything else (a wrong key id included).
 */
export async function parseCosignerKey(text) {
  const parts = typeof text === 'string' ? splitVerifierKey(text.trim()) : [];
  if (parts.length !== 3 || !NAME.test(parts[0]) || !/^[0-9a-f]{8}$/.test(parts[1])) {
    throw new BoardProofError('witness key: not <name>+<8 hex digits>+<base64 key>');
  }
  const data = base64ToBytes(parts[2]);
  if (data.length !== 33 || data[0] !== ALG_COSIGNATURE_V1) {
    throw new BoardProofError('witness key: not 0x04 (cosignature/v1) followed by a 32-byte Ed25519 key');
  }
  const publicKey = data.slice(1);
  const keyId = await cosignatureKeyId(parts[0], publicKey);
  if (bytesToHex(keyId).toLowerCase() !== parts[1]) throw new BoardProofError('witness key: the key id does not match');
  return { name: parts[0], publicKey, keyId };
}

/**
 * The valid cosignatures in a signed checkpoint `note` by the listed `witnesses` (parseCosignerKey's),
 * each witness counted once: { valid: [{ name, timestamp (BigInt) }], problems: [text] }. Lines of other
 * keys (the board's, unlisted witnesses') are ignored, as C2SP says; a line with a listed witness's name and
 * key id that does not verify is a problem, never a cosignature.
 */
export async function cosignaturesIn(note, witnesses) {
  const { text, signatures } = parseNote(note);
  const found = new Map();
  const problems = [];
  for (const s of signatures) {
    for (const witness of witnesses) {
      if (s.name !== witness.name || !bytesEqual(s.keyId, witness.keyId)) continue;
      if (s.signature.length !== 8 + 64) {
        problems.push(`cosignature by ${witness.name} is not 76 bytes`);
        continue;
      }
      const timestamp = new DataView(s.signature.buffer, s.signature.byteOffset, 8).getBigUint64(0);
      if (timestamp > MAX_TIMESTAMP) {
        problems.push(`cosignature by ${witness.name} has a timestamp above 2^63 - 1`);
        continue;
      }
      const key = await crypto.subtle.importKey('raw', witness.publicKey, { name: 'Ed25519' }, false, ['verify']);
      if (!await crypto.subtle.verify({ name: 'Ed25519' }, key, s.signature.slice(8), cosignedMessage(text, timestamp))) {
        problems.push(`cosignature by ${witness.name} (${bytesToHex(witness.keyId).toLowerCase()}) does not verify`);
        continue;
      }
      const id = bytesToHex(witness.publicKey);
      if (!found.has(id)) found.set(id, { name: witness.name, timestamp });
    }
  }
  return { valid: [...found.values()], problems };
}

/**
 * A checkpoint that the board signed (verifyCheckpoint) and that witnesses cosigned, counted against a
 * policy { witnesses, quorum } (from the trust anchors): { checkpoint, valid, problems, met }. It never
 * throws for missing cosignatures: `met` says whether at least `quorum` distinct listed witnesses vouch.
 */
export async function verifyCosignedCheckpoint(note, { keyName, publicKeyHex, origin, policy }) {
  const checkpoint = await verifyCheckpoint(note, { keyName, publicKeyHex, origin });
  const { valid, problems } = await cosignaturesIn(note, policy.witnesses);
  return { checkpoint, valid, problems, met: policy.quorum > 0 && valid.length >= policy.quorum };
}
