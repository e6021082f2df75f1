// The parts of the manifest the booth needs (record format §2, SPEC v2.0.0 §3.1.3), and the check of a
// voter's choices against it (§3.3.3). Choices are { contestLabel: [optionLabel, ...] } (record format §5):
// an option listed k times receives k votes (k <= option_limit R); a contest left out gets no selection.
// The form { contestLabel: { optionLabel: votes } } is read as well (voting/ballot.py accepts both).

import { checkRow, parseCounting } from './counting.js';
import { ChoiceError, ManifestError } from './errors.js';

const MAX_SELECTION_LIMIT = 1000; // as voting/manifest.py

/** Contest status byte of evote's contest data (record format §3). */
export const CONTEST_STATUS = Object.freeze({ normal: 0, undervote: 1, nullVote: 2, overvote: 3 });

function invalid(field, message) {
  throw new ManifestError(`${field}: ${message}`, { field });
}

function requireLabel(label, field) {
  // 1 to 128 characters, no leading/trailing whitespace, no control or format characters (record format §2;
  // the same rule as voting/manifest.py).
  if (typeof label !== 'string' || label.length < 1 || [...label].length > 128 || label.trim() !== label ||
      /\p{C}/u.test(label)) {
    invalid(field, 'labels are 1 to 128 characters without surrounding whitespace or control characters');
  }
  return label;
}

function requireLimit(value, field, high) {
  if (!Number.isInteger(value) || value < 1 || value > high) invalid(field, `expected an integer from 1 to ${high}`);
  return value;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseContest(contest, i) {
  const field = `contests[${i}]`;
  if (!isPlainObject(contest)) invalid(field, 'expected an object');
  const label = requireLabel(contest.label, `${field}.label`);
  if (!Array.isArray(contest.options) || contest.options.length === 0) invalid(`${field}.options`, 'expected a non-empty list');
  const seen = new Set();
  const options = contest.options.map((option, j) => {
    const optionField = `${field}.options[${j}]`;
    if (!isPlainObject(option)) invalid(optionField, 'expected an object');
    const optionLabel = requireLabel(option.label, `${optionField}.label`);
    if (seen.has(optionLabel)) invalid(`${optionField}.label`, 'duplicate option label');
    seen.add(optionLabel);
    return Object.freeze({ label: optionLabel, index: j + 1 });
  });
  if (Object.hasOwn(contest, 'counting')) {
    const counting = parseCounting(contest, field, options.length); // record format §12.1: L and R derived
    const { votesAllowed, optionLimit } = counting;
    return Object.freeze({ label, index: i + 1, votesAllowed, optionLimit, options: Object.freeze(options), counting });
  }
  const optionLimit = requireLimit(contest.option_limit ?? 1, `${field}.option_limit`, MAX_SELECTION_LIMIT);
  const votesAllowed = requireLimit(contest.votes_allowed, `${field}.votes_allowed`,
    Math.min(MAX_SELECTION_LIMIT, optionLimit * options.length));
  return Object.freeze({ label, index: i + 1, votesAllowed, optionLimit, options: Object.freeze(options), counting: null });
}

/**
 * The contests of ballot style `style`, in increasing contest index:
 * [{ label, index (1-based ind_c), votesAllowed (L), optionLimit (R), options: [{ label, index }], counting }],
 * counting null or counting.js parseCounting's (a ranked or graded contest, whose L and R are derived).
 * Validates what encryption relies on and throws ManifestError naming the field.
 */
export function styleContests(manifest, style) {
  if (!isPlainObject(manifest) || !Array.isArray(manifest.contests) || !Array.isArray(manifest.ballot_styles)) {
    invalid('manifest', 'expected an object with contests and ballot_styles lists');
  }
  const contests = new Map();
  manifest.contests.forEach((raw, i) => {
    const contest = parseContest(raw, i);
    if (contests.has(contest.label)) invalid(`contests[${i}].label`, 'duplicate contest label');
    contests.set(contest.label, contest);
  });
  const styles = manifest.ballot_styles.filter((s) => isPlainObject(s) && s.label === style);
  if (typeof style !== 'string' || styles.length !== 1) invalid('style', 'not a ballot style of the manifest');
  const listed = styles[0].contests;
  if (!Array.isArray(listed)) invalid('style', `ballot style ${style} has no contests list`);
  const chosen = new Set();
  for (const label of listed) {
    if (!contests.has(label)) invalid('style', `ballot style ${style} lists an unknown contest ${JSON.stringify(label)}`);
    if (chosen.has(label)) invalid('style', `ballot style ${style} lists contest ${label} twice`);
    chosen.add(label);
  }
  return [...contests.values()].filter((contest) => chosen.has(contest.label));
}

/**
 * Checks `choices` against the style's contests and returns, per contest (same order as styleContests):
 * { contest, votes: [σ_1..σ_m] (numbers, manifest option order), status (CONTEST_STATUS) }.
 * Throws ChoiceError naming the contest (and option) for an unknown contest or option, a contest not on the
 * style, more than votes_allowed selections (overvote) or more than option_limit votes for one option.
 */
export function planChoices(manifest, style, choices) {
  const contests = styleContests(manifest, style);
  if (!isPlainObject(choices)) {
    throw new ChoiceError('choices: expected an object of contest label to option labels', { field: 'choices' });
  }
  const onStyle = new Set(contests.map((contest) => contest.label));
  const known = new Set(manifest.contests.map((contest) => contest.label));
  for (const label of Object.keys(choices)) {
    if (!known.has(label)) refuse(label, `unknown contest ${JSON.stringify(label)}`);
    if (!onStyle.has(label)) refuse(label, `contest ${label} is not on ballot style ${style}`);
  }
  return contests.map((contest) => {
    const votes = contestVotes(contest, Object.hasOwn(choices, contest.label) ? choices[contest.label] : []);
    const total = votes.reduce((sum, k) => sum + k, 0);
    if (total > contest.votesAllowed) {
      refuse(contest.label, `${total} selections, votes_allowed is ${contest.votesAllowed} (overvote)`);
    }
    checkRow(contest, votes); // a ranking: no two options with one rank, no gap
    const status = total === 0 ? CONTEST_STATUS.nullVote
      : total < contest.votesAllowed ? CONTEST_STATUS.undervote : CONTEST_STATUS.normal;
    return { contest, votes, status };
  });
}

/** Votes per option (manifest order) from a list of option labels or an object of option label to votes. */
function contestVotes(contest, chosen) {
  const position = new Map(contest.options.map((option, j) => [option.label, j]));
  const votes = contest.options.map(() => 0);
  const add = (label, count) => {
    const j = typeof label === 'string' ? position.get(label) : undefined;
    if (j === undefined) refuse(contest.label, `unknown option ${JSON.stringify(label)}`, String(label));
    votes[j] += count;
    if (votes[j] > contest.optionLimit) {
      refuse(contest.label, `option ${label} selected more than option_limit ${contest.optionLimit} times`, label);
    }
  };
  if (Array.isArray(chosen)) {
    for (const label of chosen) add(label, 1);
  } else if (isPlainObject(chosen)) {
    for (const [label, count] of Object.entries(chosen)) {
      if (!Number.isInteger(count) || count < 0) refuse(contest.label, `option ${label}: votes are non-negative integers`, label);
      add(label, count);
    }
  } else {
    refuse(contest.label, 'expected a list of option labels');
  }
  return votes;
}

function refuse(contest, message, option) {
  throw new ChoiceError(`choices.${contest}: ${message}`, { contest, option });
}

/**
 * The canonical choices object of a plan: every contest of the style, options in manifest order; a ranked
 * contest as { option: rank } for its ranked options, a graded one as { option: grade } for every option
 * (record format §5's object form: the cell's value), any other as a list of option labels.
 */
export function choicesOfPlan(plan) {
  return Object.fromEntries(plan.map(({ contest, votes }) => {
    if (contest.counting !== null) {
      const cells = contest.options.map((option, j) => [option.label, votes[j]]);
      return [contest.label, Object.fromEntries(contest.counting.ranked ? cells.filter(([, v]) => v > 0) : cells)];
    }
    return [contest.label, contest.options.flatMap((option, j) => Array(votes[j]).fill(option.label))];
  }));
}
