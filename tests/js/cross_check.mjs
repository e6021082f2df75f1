// Command-line bridge for tests/test_booth_js_cross.py: the Python core and this library must agree byte
// for byte. Reads one JSON request on stdin, writes one JSON answer on stdout.
//   node tests/js/cross_check.mjs encrypt          { manifest, style, choices, electionPublicKey, extendedBaseHash,
//                                                    testOnlyBallotNonce?, testOnlyProofNonces? }
//        -> { ballot, ballotNonce, choices }.  testOnlyProofNonces: { "selection|<contest>|<option>": { u, c },
//           "limit|<contest>": { u, c } } with hex scalars.
//   node tests/js/cross_check.mjs verifyChallenge  { manifest, ballot, reveal, electionPublicKey, extendedBaseHash }
//        -> { ok: true } or { ok: false, error: { name, field, ... } }
//   node tests/js/cross_check.mjs sign             { credential, electionId, extendedBaseHash, action, ballot,
//                                                    styleSigned? }
//        -> { publicKey, signature }  (styleSigned: the evote/ballot/v3 message, which covers ballot.style)
//   node tests/js/cross_check.mjs submit           { manifest, style, choices, electionPublicKey, extendedBaseHash,
//                                                    credential, electionId, action, reveal (boolean), styleSigned? }
//        -> the submission envelope of record format §5, as the booth builds it

import { encryptBallot } from '../../voting/booth/static/js/eg/ballot.js';
import { deriveCredentialKeys } from '../../voting/booth/static/js/eg/credential.js';
import { buildSubmission, signSubmission } from '../../voting/booth/static/js/eg/submission.js';
import { toMessage } from '../../voting/booth/static/js/eg/errors.js';
import { buildTables } from '../../voting/booth/static/js/eg/group.js';
import { verifyChallengedBallot } from '../../voting/booth/static/js/eg/verify.js';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const mode = process.argv[2];
const tables = mode === 'sign' ? null : buildTables(request.electionPublicKey);

if (mode === 'sign') {
  const { privateKey, publicKey } = await deriveCredentialKeys(request.credential, request.electionId);
  process.stdout.write(JSON.stringify({ publicKey, signature: await signSubmission({ privateKey, ...request }) }));
} else if (mode === 'submit') {
  const { ballot, ballotNonce, choices } = await encryptBallot({ ...request, tables });
  const { privateKey, publicKey } = await deriveCredentialKeys(request.credential, request.electionId);
  const signature = await signSubmission({ privateKey, ...request, ballot });
  const reveal = request.reveal ? { nonce: ballotNonce, choices } : undefined;
  process.stdout.write(JSON.stringify(buildSubmission({ action: request.action, ballot, credential: publicKey, signature, reveal })));
} else if (mode === 'encrypt') {
  const injected = request.testOnlyProofNonces;
  const testOnlyProofNonces = injected && ((kind, contest, option) => {
    const entry = injected[kind === 'limit' ? `limit|${contest}` : `selection|${contest}|${option}`];
    return { u: entry.u.map((x) => BigInt('0x' + x)), c: entry.c.map((x) => BigInt('0x' + x)) };
  });
  const result = await encryptBallot({ ...request, tables, testOnlyProofNonces });
  process.stdout.write(JSON.stringify(result));
} else if (mode === 'verifyChallenge') {
  try {
    await verifyChallengedBallot({ ...request, tables });
    process.stdout.write(JSON.stringify({ ok: true }));
  } catch (error) {
    process.stdout.write(JSON.stringify({ ok: false, error: toMessage(error) }));
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
