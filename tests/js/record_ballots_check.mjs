// The booth's JavaScript judges every ballot of an evote export (issue 14: a second implementation in CI).
//   node tests/js/record_ballots_check.mjs RECORD_DIR
// RECORD_DIR is an `evote record export` directory (record format §7). The entries are read line by line:
// election.created gives the manifest and the election id, keygen.result K and H_E (record format §8.2);
// then every ballot.cast and ballot.challenged entry goes through the booth's own checks:
//   verifySubmission (submission.js): the voter's Ed25519 signature under "evote/ballot/v2" (record format §5);
//   verifyBallot (verify.js): format, range and limit proofs, contest hashes, confirmation code (§3, SPEC
//     Verifications 5-7), or verifyChallengedBallot, which does the same and then re-encrypts a `reveal`.
// Prints { "<seq>": "ok" | "<error name>: <message>" } as JSON, one key per ballot entry, and exits 0.
// A record it cannot read (not an export, a line that is not JSON, seq out of order, the election or its
// key given twice) is no judgement on ballots: a message on stderr and exit status 2.
// Nothing here re-implements a check: this file only feeds the record's values to the booth's modules.

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { buildSubmission, verifySubmission } from '../../voting/booth/static/js/eg/submission.js';
import { FormatError } from '../../voting/booth/static/js/eg/errors.js';
import { buildTables } from '../../voting/booth/static/js/eg/group.js';
import { verifyBallot, verifyChallengedBallot } from '../../voting/booth/static/js/eg/verify.js';

const ACTION_OF_KIND = { 'ballot.cast': 'cast', 'ballot.challenged': 'challenge' };

class UnreadableRecord extends Error {}

/** The export's manifest.json (record format §7): format, version, election id and the entries file. */
async function readExportManifest(directory) {
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8'));
  if (manifest?.format !== 'evote-board-record' || manifest.version !== 1) {
    throw new UnreadableRecord('manifest.json: expected format "evote-board-record", version 1');
  }
  const entries = manifest.files?.entries;
  if (typeof entries !== 'string' || entries.includes('/') || entries.includes('\\')) {
    throw new UnreadableRecord('manifest.json: files.entries must name a file of the export directory');
  }
  return { electionId: manifest.election_id, entriesPath: join(directory, entries) };
}

/**
 * The election's context for the booth's checks once election.created and a complete keygen.result have
 * been read; otherwise a FormatError saying what is missing (every later ballot reports it).
 */
function electionContext(election, keygen) {
  if (election === null) throw new FormatError('record: no election.created entry before this ballot');
  if (keygen === null || keygen.status !== 'complete') {
    throw new FormatError('record: no complete keygen.result entry before this ballot');
  }
  return {
    manifest: election.manifest,
    electionId: election.election_id,
    electionPublicKey: keygen.K,
    extendedBaseHash: keygen.H_E,
    tables: buildTables(keygen.K), // validates K: 1024 upper-case hex digits, in Z_p^r, not 1
  };
}

/** One ballot entry through the booth's checks; returns nothing or throws the booth's error. */
async function checkBallot(kind, submission, context) {
  const { manifest, electionId, electionPublicKey, extendedBaseHash, tables } = context;
  const action = ACTION_OF_KIND[kind];
  if (submission?.action !== action) {
    throw new FormatError(`payload.action: a ${kind} entry holds action "${action}"`, { field: 'payload.action' });
  }
  // The envelope as the booth builds it (reveal only with a challenge); the payload has nothing else.
  const envelope = buildSubmission(submission);
  const extra = Object.keys(submission).filter((key) => !Object.hasOwn(envelope, key));
  if (extra.length > 0) throw new FormatError(`payload: unexpected keys ${extra.join(', ')}`, { field: 'payload' });
  const { ballot, credential, signature, reveal } = submission;
  await verifySubmission({ publicKey: credential, signature, electionId, extendedBaseHash, action, ballot });
  const election = { manifest, ballot, electionPublicKey, extendedBaseHash, tables };
  if (reveal === undefined) {
    await verifyBallot(election);
  } else {
    await verifyChallengedBallot({ ...election, reveal });
  }
}

async function checkRecord(directory) {
  const { electionId, entriesPath } = await readExportManifest(directory);
  const lines = createInterface({ input: createReadStream(entriesPath, 'utf8'), crlfDelay: Infinity });
  const results = {};
  let election = null;
  let keygen = null;
  let context = null;
  let position = 0;
  for await (const line of lines) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw new UnreadableRecord(`entries line ${position + 1}: not JSON (${error.message})`);
    }
    if (entry?.seq !== position) throw new UnreadableRecord(`entries line ${position + 1}: expected seq ${position}`);
    position += 1;
    if (entry.kind === 'election.created' || entry.kind === 'keygen.result') {
      if ((entry.kind === 'election.created' ? election : keygen) !== null) {
        throw new UnreadableRecord(`seq ${entry.seq}: a second ${entry.kind} entry`);
      }
      if (entry.kind === 'election.created') {
        election = entry.payload;
        if (election?.election_id !== electionId) {
          throw new UnreadableRecord(`seq ${entry.seq}: election_id differs from manifest.json's ${JSON.stringify(electionId)}`);
        }
      } else {
        keygen = entry.payload;
      }
      context = null;
    } else if (Object.hasOwn(ACTION_OF_KIND, entry.kind)) {
      try {
        context ??= electionContext(election, keygen);
        await checkBallot(entry.kind, entry.payload, context);
        results[entry.seq] = 'ok';
      } catch (error) {
        results[entry.seq] = `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
      }
    }
  }
  return results;
}

try {
  if (process.argv.length !== 3) throw new UnreadableRecord('usage: node tests/js/record_ballots_check.mjs RECORD_DIR');
  process.stdout.write(JSON.stringify(await checkRecord(process.argv[2])) + '\n');
} catch (error) {
  process.stderr.write(`record_ballots_check: ${error.message}\n`);
  process.exitCode = 2;
}
