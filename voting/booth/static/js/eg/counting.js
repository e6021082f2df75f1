// A contest's counting method (record format §12.1; the same rules as voting/manifest_counting.py): ranked
// contests (irv, stv, schulze, borda), whose cell is the rank given to an option (1 the first preference, 0
// unranked), and graded ones (majority_judgment), whose cell is the position of the option's grade (0 the
// lowest). Such a contest has no votes_allowed, option_limit or number_elected: R and L are derived, R = ranks
// and L = ranks·(ranks+1)/2, or R = grades − 1 and L = R × options. The encryption is that of every contest
// (one ciphertext per option with its proof 0..R, the contest's proof 0..L); a row that is not a ranking is
// voided after the count (docs/counting.md), so the booth refuses to encrypt one.

import { ChoiceError, ManifestError } from './errors.js';

export const RANKED_METHODS = Object.freeze(['irv', 'stv', 'schulze', 'borda']);
export const GRADED_METHOD = 'majority_judgment';
const STV_RULE_SETS = ['scottish'];
const FIELDS = { irv: ['ranks'], stv: ['ranks', 'rule_set', 'seats'], schulze: ['ranks'], borda: ['ranks'], [GRADED_METHOD]: ['grades'] };
const REQUIRED = { stv: ['rule_set', 'seats'], [GRADED_METHOD]: ['grades'] };
const MIN_GRADES = 2;
const MAX_GRADES = 10;
const MAX_LIMIT = 1000; // as voting/manifest_counting.py MAX_LIMIT
export const DERIVED_FIELDS = Object.freeze(['votes_allowed', 'option_limit', 'number_elected']);

function invalid(field, message) {
  throw new ManifestError(`${field}: ${message}`, { field });
}

function integer(value, field, low, high) {
  if (!Number.isInteger(value) || value < low || value > high) invalid(field, `expected an integer from ${low} to ${high}`);
  return value;
}

/**
 * The counting of raw contest `contest` at `field` (contests[i]) with `options` options:
 * { method, ranked, maxRank (ranked: how many options may be ranked), grades (graded: how many), seats,
 *   optionLimit (R), votesAllowed (L) }. Throws ManifestError naming the field.
 */
export function parseCounting(contest, field, options) {
  for (const name of DERIVED_FIELDS) {
    if (Object.hasOwn(contest, name)) invalid(`${field}.${name}`, 'a contest with counting has no such field: its limits are derived from counting');
  }
  const at = `${field}.counting`;
  const raw = contest.counting;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid(at, 'expected a JSON object');
  const { method } = raw;
  if (!Object.hasOwn(FIELDS, method)) invalid(`${at}.method`, `expected one of ${Object.keys(FIELDS).join(', ')}`);
  for (const key of REQUIRED[method] ?? []) if (!Object.hasOwn(raw, key)) invalid(`${at}.${key}`, `is missing (method ${method} needs it)`);
  for (const key of Object.keys(raw)) {
    if (key !== 'method' && !FIELDS[method].includes(key)) invalid(`${at}.${key}`, `is not a field of method ${method}`);
  }
  const ranked = RANKED_METHODS.includes(method);
  const maxRank = Object.hasOwn(raw, 'ranks') ? integer(raw.ranks, `${at}.ranks`, 1, options) : options;
  let seats = 1;
  if (method === 'stv') {
    if (!STV_RULE_SETS.includes(raw.rule_set)) invalid(`${at}.rule_set`, `expected one of ${STV_RULE_SETS.join(', ')}`);
    if (options < 2) invalid(`${at}.seats`, 'STV needs at least two options');
    seats = integer(raw.seats, `${at}.seats`, 1, options - 1);
  }
  let grades = 0;
  if (!ranked) {
    if (!Array.isArray(raw.grades) || raw.grades.length < MIN_GRADES || raw.grades.length > MAX_GRADES) {
      invalid(`${at}.grades`, `expected a list of ${MIN_GRADES} to ${MAX_GRADES} grades, the lowest first`);
    }
    grades = raw.grades.length;
  }
  const optionLimit = ranked ? maxRank : grades - 1;
  const votesAllowed = ranked ? (maxRank * (maxRank + 1)) / 2 : optionLimit * options;
  if (votesAllowed > MAX_LIMIT) invalid(ranked ? `${at}.ranks` : `${at}.grades`, `the derived limit ${votesAllowed} exceeds ${MAX_LIMIT}`);
  return Object.freeze({ method, ranked, maxRank: ranked ? maxRank : null, grades, seats, optionLimit, votesAllowed });
}

/**
 * Refuses (ChoiceError naming the contest) the cells `votes` of a ranked contest that are not a ranking:
 * two options with one rank, or a gap (ranks must be 1, 2, …, k). Graded cells need no check beyond 0..R.
 */
export function checkRow(contest, votes) {
  if (!contest.counting?.ranked) return;
  const ranks = votes.filter((rank) => rank !== 0);
  const fail = (message) => { throw new ChoiceError(`choices.${contest.label}: ${message}`, { contest: contest.label }); };
  if (new Set(ranks).size !== ranks.length) fail('two options have the same rank');
  if (ranks.length > 0 && Math.max(...ranks) !== ranks.length) fail('the ranks have a gap (they must be 1, 2, 3… in order)');
}
