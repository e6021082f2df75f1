// Module Web Worker around ballot encryption, so the page stays responsive while it runs.
// Start it with `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })` or worker_client.js.
//
// Requests  { id, type, ...arguments }:
//   'prepare'         { electionPublicKey }                                       -> { }
//   'encrypt'         { manifest, style, choices, electionPublicKey, extendedBaseHash, aux? }
//                                                          -> { ballot, ballotNonce, choices } (ballot.js)
//   'verifyChallenge' { manifest, ballot, reveal, electionPublicKey, extendedBaseHash } -> { }  (verify.js)
// Replies   { id, ok: true, result, ms }  or  { id, ok: false, error: { name, message, field?, ... } }.
// The g and K tables are built once per election key (on 'prepare' or the first request) and reused.
// Errors are always answered, never swallowed; their messages carry no secret (errors.js).

import { encryptBallot } from './ballot.js';
import { FormatError, toMessage } from './errors.js';
import { buildTables } from './group.js';
import { verifyChallengedBallot } from './verify.js';

let current = null; // { electionPublicKey, tables }

function tablesFor(electionPublicKey) {
  if (current === null || current.electionPublicKey !== electionPublicKey) {
    current = null;
    current = { electionPublicKey, tables: buildTables(electionPublicKey) };
  }
  return current.tables;
}

const handlers = {
  prepare({ electionPublicKey }) {
    tablesFor(electionPublicKey);
    return {};
  },
  encrypt({ manifest, style, choices, electionPublicKey, extendedBaseHash, aux }) {
    const tables = tablesFor(electionPublicKey);
    return encryptBallot({ manifest, style, choices, electionPublicKey, extendedBaseHash, tables, aux });
  },
  async verifyChallenge({ manifest, ballot, reveal, electionPublicKey, extendedBaseHash }) {
    const tables = tablesFor(electionPublicKey);
    await verifyChallengedBallot({ manifest, ballot, reveal, electionPublicKey, extendedBaseHash, tables });
    return {};
  },
};

self.addEventListener('message', async (event) => {
  const { id, type, ...args } = event.data ?? {};
  const start = performance.now();
  try {
    if (typeof type !== 'string' || !Object.hasOwn(handlers, type)) {
      throw new FormatError('worker: unknown request type', { field: 'type' });
    }
    const result = await handlers[type](args);
    self.postMessage({ id, ok: true, result, ms: performance.now() - start });
  } catch (error) {
    self.postMessage({ id, ok: false, error: toMessage(error) });
  }
});
