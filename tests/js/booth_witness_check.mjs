// Runs the booth's witness checks (static/js/booth/{board_proofs,trust_anchors,witness_view}.js) on the cases
// tests/test_booth_witness_js.py made with the board's Python library; prints { name: result } as JSON.
//   node tests/js/booth_witness_check.mjs cases.json

import { readFile } from 'node:fs/promises';
import { cosignaturesIn, parseCosignerKey } from '../../voting/booth/static/js/booth/board_proofs.js';
import { openAnchors } from '../../voting/booth/static/js/booth/trust_anchors.js';
import { witnessReceipt } from '../../voting/booth/static/js/booth/witness_view.js';

/** A stand-in for ElectionApi that answers from the case's precomputed board answers. */
function fakeApi(board) {
  return {
    async cosignedCheckpoint() { return board.cosigned ?? null; },
    async inclusion(seq, size) { return { proof: board.inclusion[`${seq}/${size}`] }; },
    async consistency(oldSize, newSize) { return { proof: board.consistency[`${oldSize}/${newSize}`] }; },
  };
}

const cases = JSON.parse(await readFile(process.argv[2], 'utf8'));
const results = {};
for (const c of cases) {
  try {
    if (c.type === 'cosignatures') {
      const witnesses = await Promise.all(c.keys.map(parseCosignerKey));
      const { valid, problems } = await cosignaturesIn(c.note, witnesses);
      results[c.name] = { valid: valid.map((v) => [v.name, String(v.timestamp)]).sort(), problems: problems.length };
    } else if (c.type === 'anchors') {
      const anchors = await openAnchors(c.note, { electionId: c.election_id, board: c.board });
      results[c.name] = {
        fingerprint: anchors.fingerprint, quorum: anchors.policy.quorum,
        witnesses: anchors.policy.witnesses.map((w) => w.name), booth: anchors.boothSha256,
      };
    } else if (c.type === 'receipt') {
      const anchors = await openAnchors(c.anchors, { electionId: c.context.election_id, board: c.context.board });
      const result = await witnessReceipt(fakeApi(c.board), c.receipt, c.context, anchors);
      results[c.name] = { state: result.state, valid: result.valid ?? null, completed: result.completed ?? null };
    }
  } catch (error) {
    results[c.name] = { error: `${error.name}: ${error.message}` };
  }
}
process.stdout.write(JSON.stringify(results));
