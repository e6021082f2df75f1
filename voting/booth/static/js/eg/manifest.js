// The parts of the manifest the booth needs (record format §2, SPEC v2.0.0 §3.1.3), and the check of a
// voter's choices against it (§3.3.3). Choices are { contestLabel: [optionLabel, ...] }: an option listed k
// times receives k votes (k <= option_limit R); a contest left out of the object gets no selection.

import { ChoiceError, ManifestError } from './errors.js';

const MAX_SELECTION_LIMIT = 1000; // as voting/manifest.py

/** Contest status byte of evote's contest data (record format §3). */
export const CONTEST_STATUS = Object.freeze({ normal: 0, undervote: 1, nullVote: 2, overvote: 3 });

function requireLabel(label, field) {
  // 1 to 128 characters, no leading/trailing whitespace, no control or format characters (record format §2;
  // the same rule as voting/manifest.py).
  if (typeof label !== 'string' || label.length < 1 || [...label].length > 128 || label.trim() !== label ||
      /\p{C}/u.test(label)) {
    throw new ManifestError(`${field}: labels are 1 to 128 characters without surrounding whitespace or control characters`, { field });
  }
  return label;
}

function requireLimit(value, field, high) {
  if (!Number.isInteger(value) || value < 1 || value > high) {
    throw new ManifestError(`${field}: expected an integer from 1 to ${high}`, { field });
  }
  return value;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The contests of ballot style `style`, in increasing contest index:
 * [{ label, index (1-based ind_c), votesAllowed (L), optionLimit (R), options: [{ label, index }] }].
 * Validates what encryption relies on and throws ManifestError naming the field.
 */
export function styleContests(manifest, style) {
  if (!isPlainObject(manifest) || !Array.isArray(manifest.contests) || !Array.isArray(manifest.ballot_styles)) {
    throw new ManifestError('manifest: expected an object with contests and ballot_styles lists', { field: 'manifest' });
  }
  const contests = new Map();
  manifest.contests.forEach((contest, i) => {
    const field = `contests[${i}]`;
    if (!isPlainObject(contest)) throw new ManifestError(`${field}: expected an object`, { field });
    const label = requireLabel(contest.label, `${field}.label`);
    if (contests.has(label)) throw new ManifestError(`${field}.label: duplicate contest label`, { field: `${field}.label` });
    if (!Array.isArray(contest.options) || contest.options.length === 0) {
      throw new ManifestError(`${field}.options: expected a non-empty list`, { field: `${field}.options` });
    }
    const seen = new Set();
    const options = contest.options.map((option, j) => {
      const optionField = `${field}.options[${j}]`;
      if (!isPlainObject(option)) throw new ManifestError(`${optionField}: expected an object`, { field: optionField });
      const optionLabel = requireLabel(option.label, `${optionField}.label`);
      if (seen.has(optionLabel)) {
        throw new ManifestError(`${optionField}.label: duplicate option label`, { field: `${optionField}.label` });
      }
      seen.add(optionLabel);
      return Object.freeze({ label: optionLabel, index: j + 1 });
    });
    const optionLimit = requireLimit(contest.option_limit ?? 1, `${field}.option_limit`, MAX_SELECTION_LIMIT);
    const votesAllowed = requireLimit(contest.votes_allowed, `${field}.votes_allowed`,
      Math.min(MAX_SELECTION_LIMIT, optionLimit * options.length));
    contests.set(label, Object.freeze({ label, index: i + 1, votesAllowed, optionLimit, options: Object.freeze(options) }));
  });
  const styles = manifest.ballot_styles.filter((s) => isPlainObject(s) && s.label === style);
  if (typeof style !== 'string' || styles.length !== 1) {
    throw new ManifestError('style: not a ballot style of the manifest', { field: 'style' });
  }
  const listed = styles[0].contests;
  if (!Array.isArray(listed)) throw new ManifestError(`ballot style ${style}: expected a contests list`, { field: 'style' });
  const chosen = new Set();
  for (const label of listed) {
    if (!contests.has(label)) throw new ManifestError(`ballot style ${style}: unknown contest ${JSON.stringify(label)}`, { field: 'style' });
    if (chosen.has(label)) throw new ManifestError(`ballot style ${style}: contest ${label} listed twice`, { field: 'style' });
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
  if (!isPlainObject(choices)) throw new ChoiceError('choices: expected an object of contest label to option labels', { field: 'choices' });
  const byLabel = new Map(contests.map((contest) => [contest.label, contest]));
  const known = new Set(manifest.contests.map((contest) => contest.label));
  for (const label of Object.keys(choices)) {
    if (!known.has(label)) throw new ChoiceError(`choices: unknown contest ${JSON.stringify(label)}`, { contest: label });
    if (!byLabel.has(label)) {
      throw new ChoiceError(`choices: contest ${label} is not on ballot style ${style}`, { contest: label });
    }
  }
  return contests.map((contest) => {
    const selected = Object.hasOwn(choices, contest.label) ? choices[contest.label] : [];
    if (!Array.isArray(selected)) {
      throw new ChoiceError(`choices.${contest.label}: expected a list of option labels`, { contest: contest.label });
    }
    const position = new Map(contest.options.map((option, j) => [option.label, j]));
    const votes = contest.options.map(() => 0);
    for (const label of selected) {
      const j = typeof label === 'string' ? position.get(label) : undefined;
      if (j === undefined) {
        throw new ChoiceError(`choices.${contest.label}: unknown option ${JSON.stringify(label)}`, { contest: contest.label, option: String(label) });
      }
      votes[j] += 1;
      if (votes[j] > contest.optionLimit) {
        throw new ChoiceError(`choices.${contest.label}: option ${label} selected more than option_limit ${contest.optionLimit} times`, { contest: contest.label, option: label });
      }
    }
    if (selected.length > contest.votesAllowed) {
      throw new ChoiceError(`choices.${contest.label}: ${selected.length} selections, votes_allowed is ${contest.votesAllowed} (overvote)`, { contest: contest.label });
    }
    const status = selected.length === 0 ? CONTEST_STATUS.nullVote
      : selected.length < contest.votesAllowed ? CONTEST_STATUS.undervote : CONTEST_STATUS.normal;
    return { contest, votes, status };
  });
}

/** The canonical choices object of a plan: every contest of the style, options in manifest order. */
export function choicesOfPlan(plan) {
  return Object.fromEntries(plan.map(({ contest, votes }) => [
    contest.label, contest.options.flatMap((option, j) => Array(votes[j]).fill(option.label)),
  ]));
}
