// Runs the booth's board checks (voting/booth/static/js/booth/board_proofs.js) on the cases that
// tests/test_booth_board_proofs.py made with the board's Python code; prints { name: "ok" | error } as JSON.
//   node tests/js/board_proofs_check.mjs cases.json

import { readFile } from 'node:fs/promises';
import { hexToBytes, bytesToHex } from '../../voting/booth/static/js/eg/bytes.js';
import { entryHash, verifyConsistency, verifyReceipt } from '../../voting/booth/static/js/booth/board_proofs.js';

const cases = JSON.parse(await readFile(process.argv[2], 'utf8'));
const results = {};
for (const c of cases) {
  try {
    if (c.type === 'receipt') {
      await verifyReceipt(c.receipt, { electionId: c.election_id, board: c.board });
    } else if (c.type === 'consistency') {
      await verifyConsistency(c.old_size, c.new_size, hexToBytes(c.old_root, 'old', 32), hexToBytes(c.new_root, 'new', 32),
        c.proof.map((h) => hexToBytes(h, 'proof', 32)));
    } else if (c.type === 'entry') {
      const hash = bytesToHex(await entryHash(c.entry));
      if (hash !== c.entry.entry_hash) throw new Error(`entry hash ${hash} differs from ${c.entry.entry_hash}`);
    }
    results[c.name] = 'ok';
  } catch (error) {
    results[c.name] = `${error.name}: ${error.message}`;
  }
}
process.stdout.write(JSON.stringify(results));
