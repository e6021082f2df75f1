// Promise-based client for worker.js: one request per call, answers matched by id.
//
//   const booth = new EncryptionWorker();
//   await booth.prepare({ electionPublicKey });           // builds the g and K tables in the worker
//   const { ballot, ballotNonce, choices } = await booth.encrypt({ manifest, style, choices, ... });
//
// A failed request rejects with the library error rebuilt from the worker's message (errors.js fromMessage);
// a worker that dies (script error) rejects every pending request.

import { fromMessage, VotingError } from './errors.js';

export class EncryptionWorker {
  constructor(url = new URL('./worker.js', import.meta.url)) {
    this.worker = new Worker(url, { type: 'module' });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.addEventListener('message', (event) => {
      const { id, ok, result, ms, error } = event.data ?? {};
      const waiter = this.pending.get(id);
      if (waiter === undefined) return;
      this.pending.delete(id);
      if (ok) waiter.resolve({ result, ms });
      else waiter.reject(fromMessage(error));
    });
    this.worker.addEventListener('error', (event) => {
      const failure = new VotingError(`encryption worker failed: ${event.message ?? 'script error'}`);
      for (const waiter of this.pending.values()) waiter.reject(failure);
      this.pending.clear();
    });
  }

  /** Sends one request; resolves { result, ms } (ms: time spent in the worker). */
  request(type, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...args });
    });
  }

  async prepare({ electionPublicKey }) {
    return (await this.request('prepare', { electionPublicKey })).result;
  }

  async encrypt({ manifest, style, choices, electionPublicKey, extendedBaseHash, aux }) {
    return (await this.request('encrypt', { manifest, style, choices, electionPublicKey, extendedBaseHash, aux })).result;
  }

  async verifyChallenge({ manifest, ballot, reveal, electionPublicKey, extendedBaseHash }) {
    return (await this.request('verifyChallenge', { manifest, ballot, reveal, electionPublicKey, extendedBaseHash })).result;
  }

  terminate() {
    this.worker.terminate();
    const failure = new VotingError('encryption worker terminated');
    for (const waiter of this.pending.values()) waiter.reject(failure);
    this.pending.clear();
  }
}
