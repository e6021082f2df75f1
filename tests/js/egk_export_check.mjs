// The booth's proof checks (voting/booth/static/js/eg/verify.js verifyBallot), run in Node over the encrypted
// ballots of a record in egk's layout (evote record export --format egk; tests/test_export_egk.py).
//   node tests/js/egk_export_check.mjs DIR
//   -> { K, H_E, ballots: [{ file, ok: true } | { file, ok: false, error: { name, field, ... } }] }
// Everything comes from the record's files: K and H_E from election_initialized.json, the contests, their
// limits and the ballot styles from egk's manifest.json (translated here, independently of the Python
// translation in voting/manifest_egk.py), each ballot from its eballot-<id>.json. Range proofs (Verifications
// 5, 6), contest hashes (eq. 57) and confirmation codes (eq. 58) are checked by the booth's own code.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { toMessage } from '../../voting/booth/static/js/eg/errors.js';
import { buildTables } from '../../voting/booth/static/js/eg/group.js';
import { verifyBallot } from '../../voting/booth/static/js/eg/verify.js';

const dir = process.argv[2];
const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));

/** egk's manifest as the booth's manifest (record format §2): contests by sequence_order, which must be 1..m. */
function boothManifest(egk) {
  const contests = [...egk.contests].sort((a, b) => a.sequence_order - b.sequence_order);
  contests.forEach((c, i) => {
    if (c.sequence_order !== i + 1) throw new Error(`contest ${c.object_id}: sequence_order ${c.sequence_order} is not ${i + 1}`);
  });
  const districts = new Map();
  for (const c of contests) districts.set(c.electoral_district_id, [...(districts.get(c.electoral_district_id) ?? []), c.object_id]);
  return {
    contests: contests.map((c) => ({
      label: c.object_id,
      votes_allowed: c.votes_allowed,
      option_limit: c.option_selection_limit ?? 1,
      options: [...c.ballot_selections].sort((a, b) => a.sequence_order - b.sequence_order).map((s) => ({ label: s.object_id })),
    })),
    ballot_styles: egk.ballot_styles.map((s) => ({
      label: s.object_id,
      contests: s.geopolitical_unit_ids.flatMap((unit) => districts.get(unit) ?? []),
    })),
  };
}

/** egk's EncryptedBallotJson as the booth's ballot JSON (record format §3): the same values, other names. */
function boothBallot(egk) {
  const proof = (p) => ({ c: p.proofs.map((x) => x.challenge), v: p.proofs.map((x) => x.response) });
  return {
    style: egk.ballot_style_id,
    contests: egk.contests.map((c) => ({
      contest: c.contest_id,
      selections: c.selections.map((s) => ({
        option: s.selection_id, alpha: s.encrypted_vote.pad, beta: s.encrypted_vote.data, proof: proof(s.proof),
      })),
      limit_proof: proof(c.proof),
      contest_hash: c.contest_hash,
      contest_data: { c0: c.encrypted_contest_data.c0, c1: c.encrypted_contest_data.c1, c2: c.encrypted_contest_data.c2 },
    })),
    aux: egk.code_baux,
    confirmation_code: egk.confirmation_code,
  };
}

const initialized = read('election_initialized.json');
const electionPublicKey = initialized.joint_public_key;
const extendedBaseHash = initialized.extended_base_hash;
const tables = buildTables(electionPublicKey);
const manifest = boothManifest(read('manifest.json'));
const ballots = [];
for (const device of readdirSync(join(dir, 'encrypted_ballots')).sort()) {
  for (const name of readdirSync(join(dir, 'encrypted_ballots', device)).sort()) {
    if (!name.startsWith('eballot-')) continue;
    const file = `encrypted_ballots/${device}/${name}`;
    try {
      await verifyBallot({ manifest, ballot: boothBallot(read(file)), electionPublicKey, extendedBaseHash, tables });
      ballots.push({ file, ok: true });
    } catch (error) {
      ballots.push({ file, ok: false, error: toMessage(error) });
    }
  }
}
process.stdout.write(JSON.stringify({ K: electionPublicKey, H_E: extendedBaseHash, ballots }));
