// An election's trust anchors (bulletin_board/log_format/trust_anchors.py), read and checked in the voter's
// browser: a signed note, published out of band and served by the board at GET …/elections/<id>/anchors,
//
//   evote trust anchors v1
//   origin <election origin>
//   board <board verifier key>          (repeats after a key transition, the current key last)
//   trustee <index> <64 hex digits>     (repeats; the trustee's guardian index)
//   registrar <64 lowercase hex>       (optional)
//   witness <cosigner verifier key>     (repeats)
//   witness-quorum <k>
//   booth sha256:<64 hex digits>
//
// signed by the board's key. Its fingerprint, "sha256:" + hex SHA-256 of the text (signatures excluded), is
// what the voting card and the organizers' site print: the page shows it for the voter to compare, because
// anchors fetched from the board are only as good as that comparison. The witness policy (keys, quorum)
// the booth counts cosignatures against comes from here, never from the board's own description.

import { bytesToHex, utf8 } from '../eg/bytes.js';
import { sha256 } from '../eg/hash.js';
import { BoardProofError, parseCosignerKey, parseNote, splitVerifierKey, verifyBoardSignature } from './board_proofs.js';

const HEADER = 'evote trust anchors v1';
const HEX64 = /^[0-9a-f]{64}$/;
const VERIFIER_KEY = /^[^\s+]{1,128}\+[0-9a-f]{8}\+[A-Za-z0-9+/]+={0,2}$/;
const MAX_WITNESSES = 64;

/** "sha256:<hex>" of the anchors' text (the note without its signatures). */
export async function anchorsFingerprint(text) {
  return `sha256:${bytesToHex(await sha256(utf8(text))).toLowerCase()}`;
}

/**
 * The anchors' text as { origin, boardKeys: [verifier key text], trustees: [[index, key]], registrar,
 * policy: { witnesses: [parseCosignerKey], quorum }, boothSha256 }; throws BoardProofError naming the
 * first bad line. The same rules as parse_anchors.
 */
export async function parseAnchors(text) {
  const lines = text.split('\n');
  if (lines.at(-1) !== '' || lines[0] !== HEADER) throw new BoardProofError(`anchors: must start with '${HEADER}'`);
  const out = { origin: null, boardKeys: [], trustees: [], registrar: null, witnessKeys: [], quorum: null, boothSha256: null };
  for (const [i, line] of lines.slice(1, -1).entries()) {
    const space = line.indexOf(' ');
    const word = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? '' : line.slice(space + 1);
    const where = `anchors line ${i + 2}`;
    if (word === 'origin' && out.origin === null && rest !== '') out.origin = rest;
    else if (word === 'board' && VERIFIER_KEY.test(rest)) out.boardKeys.push(rest);
    else if (word === 'trustee') {
      const [index, key, ...extra] = rest.split(' ');
      if (extra.length || !/^[1-9][0-9]{0,2}$/.test(index ?? '') || !HEX64.test(key ?? '')) {
        throw new BoardProofError(`${where}: a trustee line is 'trustee <index> <64 lowercase hex digits>'`);
      }
      out.trustees.push([Number(index), key]);
    } else if (word === 'registrar' && out.registrar === null && /^[0-9a-f]{64}$/.test(rest)) out.registrar = rest;
    else if (word === 'witness') out.witnessKeys.push(rest);
    else if (word === 'witness-quorum' && out.quorum === null && /^(0|[1-9][0-9]{0,2})$/.test(rest)) out.quorum = Number(rest);
    else if (word === 'booth' && out.boothSha256 === null && rest.startsWith('sha256:') && HEX64.test(rest.slice(7))) out.boothSha256 = rest.slice(7);
    else throw new BoardProofError(`${where}: unexpected, repeated or malformed line '${word.slice(0, 40)}'`);
  }
  if (out.origin === null || out.boardKeys.length === 0 || out.quorum === null || out.boothSha256 === null) {
    throw new BoardProofError('anchors: must name the origin, the board key, the witness quorum and the booth hash');
  }
  const witnesses = [];
  for (const key of out.witnessKeys) witnesses.push(await parseCosignerKey(key));
  if (witnesses.length > MAX_WITNESSES) throw new BoardProofError(`anchors: at most ${MAX_WITNESSES} witnesses`);
  if (new Set(witnesses.map((w) => bytesToHex(w.publicKey))).size !== witnesses.length
      || new Set(witnesses.map((w) => w.name)).size !== witnesses.length) {
    throw new BoardProofError('anchors: a witness is listed twice');
  }
  if (out.quorum > witnesses.length) throw new BoardProofError('anchors: the quorum is larger than the number of witnesses');
  const { witnessKeys, quorum, ...rest } = out;
  return { ...rest, policy: { witnesses, quorum } };
}

/** Whether the verifier key text "<name>+<id>+base64(0x01 ∥ key)" is the board's as /context describes it. */
function boardKeyMatches(keyText, board) {
  const [name, , data] = splitVerifierKey(keyText);
  let bytes;
  try {
    bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
  } catch {
    return false;
  }
  return name === board.key_name && bytes.length === 33 && bytes[0] === 1
    && bytesToHex(bytes.slice(1)) === String(board.public_key).toUpperCase();
}

/**
 * Checks a signed anchors note for this election and board: the board that serves the election (its key
 * from /context) is the anchors' current board key, it signed the note, and the origin is the election's.
 * Returns { ...parseAnchors, fingerprint }; throws BoardProofError.
 */
export async function openAnchors(note, { electionId, board }) {
  const { text } = parseNote(note);
  const anchors = await parseAnchors(text);
  const origin = `${board.origin}/elections/${electionId}`;
  if (anchors.origin !== origin) throw new BoardProofError('anchors: for another election', { expected: origin, found: anchors.origin });
  if (!boardKeyMatches(anchors.boardKeys.at(-1), board)) throw new BoardProofError("anchors: the board's key is not the one they name");
  // the same signature rule as a checkpoint's: a line by the board key exists and every such line verifies
  await verifyBoardSignature(note, { keyName: board.key_name, publicKeyHex: board.public_key, what: 'anchors' });
  return { ...anchors, fingerprint: await anchorsFingerprint(text) };
}
