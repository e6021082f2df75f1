// Ranked and graded contests on the ballot (record format §12.1): the voter ranks candidates 1st, 2nd, … or
// gives each a grade, in plain words (never the method's name). Each cell of the row is encrypted as any
// selection: a candidate's rank (0 when not ranked) or the position of its grade (0 the lowest).
//
// Ranking: each candidate has a <select> ("Not ranked", "1st choice", "2nd choice", …), which the keyboard
// (arrow keys) and touch (the system's picker) both work, and the ranking so far is listed in order. Giving a
// candidate a rank puts it at that place and moves the others down (no two candidates share a rank); taking
// a rank away moves the later ones up (ranks have no gaps). A rank that would leave a gap, or a candidate
// more than the contest allows ranked, is refused and the reason shown beside the contest and announced.
// Every move is announced in a polite status line. Grading: one radio group per candidate, the lowest grade
// chosen from the start (docs/counting.md: a candidate left ungraded gets the lowest grade).

import { el, fill, pageContext } from './dom.js';
import { t } from './i18n.js';
import { isolated, textNode } from './manifest_text.js';

const NO_FORM = ''; // form="": the input's form owner is none (as ballot_view.js)

// One string per ordinal plural category, each key written out (tests/test_booth_i18n.py finds every key used).
const RANK_WORDS = {
  zero: (rank) => t('ballot.rank_zero', { rank }),
  one: (rank) => t('ballot.rank_one', { rank }),
  two: (rank) => t('ballot.rank_two', { rank }),
  few: (rank) => t('ballot.rank_few', { rank }),
  many: (rank) => t('ballot.rank_many', { rank }),
  other: (rank) => t('ballot.rank_other', { rank }),
};

/** "1st choice", "2nd choice", … in the page's language (its ordinal plural rules pick the string). */
export function rankWords(rank, lang = pageContext().lang) {
  let kind = 'other';
  try {
    kind = new Intl.PluralRules(lang, { type: 'ordinal' }).select(rank);
  } catch {
    // an unknown language tag: the 'other' form
  }
  return (RANK_WORDS[kind] || RANK_WORDS.other)(rank);
}

/** The cell values (manifest option order) of `chosen`: a list of labels (an option once per unit) or an
 * object of label to value (record format §5), as a reveal or the form gives them. */
export function cellsOf(contest, chosen) {
  const cells = new Map(contest.options.map((o) => [o.label, 0]));
  if (Array.isArray(chosen)) for (const label of chosen) cells.set(label, (cells.get(label) ?? 0) + 1);
  else for (const [label, value] of Object.entries(chosen ?? {})) cells.set(label, Number(value));
  return contest.options.map((o) => cells.get(o.label));
}

function ruleText(contest) {
  const { counting, options } = contest;
  if (!counting.ranked) return t('ballot.rule_graded', { lowest: isolated(counting.gradeTexts[0]) });
  return counting.maxRank >= options.length ? t('ballot.rule_ranked') : t('ballot.rule_ranked_up_to', { ranks: counting.maxRank });
}

/**
 * Renders a contest with counting as a fieldset; returns the part BallotForm keeps: { contest, fieldset,
 * cells() (the values in manifest order) }. `refuse(part, reason)` shows and announces a refusal.
 */
export function countedContest(contest, id, refuse) {
  const rule = el('p', { class: 'contest-rule', id: `${id}-rule` }, ruleText(contest));
  const message = el('p', { class: 'contest-message', id: `${id}-message` });
  const status = el('p', { class: 'rank-status', id: `${id}-status`, role: 'status', 'aria-live': 'polite' });
  const part = { contest, message, count: null, clear: null };
  const body = contest.counting.ranked ? rankedBody(contest, id, part, status, refuse) : gradedBody(contest, id, part);
  part.fieldset = el('fieldset', { class: `contest ${contest.counting.ranked ? 'ranked' : 'graded'}`, id, 'aria-describedby': `${id}-rule` },
    el('legend', {}, textNode(contest.titleText, pageContext().lang)), descriptionOf(contest), rule, ...body, message, status);
  return part;
}

function descriptionOf(contest) {
  return contest.description === null ? null : el('p', { class: 'contest-description' }, textNode(contest.description, pageContext().lang));
}

function nameOf(option) {
  return isolated(option.nameText);
}

function rankedBody(contest, id, part, status, refuse) {
  const { maxRank } = contest.counting;
  let order = []; // option positions, the 1st choice first
  const selects = contest.options.map((option, j) => {
    const choices = [el('option', { value: 0 }, t('ballot.not_ranked'))];
    for (let rank = 1; rank <= maxRank; rank++) choices.push(el('option', { value: rank }, rankWords(rank)));
    return el('select', { id: `${id}-option-${j + 1}`, form: NO_FORM, 'aria-describedby': `${id}-rule ${id}-message` }, ...choices);
  });
  const summary = el('ol', { class: 'ranking', id: `${id}-ranking` });
  const summaryHeading = el('p', { class: 'ranking-heading', id: `${id}-ranking-heading` }, t('ballot.your_ranking'));
  const clear = el('button', { type: 'button', class: 'secondary clear-choice', id: `${id}-clear` }, t('ballot.clear_ranking'));

  const show = () => {
    selects.forEach((select, j) => { select.value = String(order.indexOf(j) + 1); });
    fill(summary, ...order.map((j, k) => el('li', {}, `${rankWords(k + 1)}: `, textNode(contest.options[j].nameText, pageContext().lang))));
    summaryHeading.hidden = order.length === 0;
    clear.hidden = order.length === 0;
  };
  const moved = (before, changed) => order.filter((j, k) => j !== changed && before.includes(j) && before.indexOf(j) !== k)
    .map((j) => t('ballot.rank_moves', { name: nameOf(contest.options[j]), rank: rankWords(order.indexOf(j) + 1) }));
  const change = (j, rank) => {
    const before = order;
    const others = order.filter((x) => x !== j);
    if (rank > others.length + 1) {
      show(); // back to the rank it had
      return refuse(part, t('ballot.rank_gap', { next: rankWords(others.length + 1) }));
    }
    if (rank > 0 && others.length >= maxRank) {
      show();
      return refuse(part, t('ballot.rank_full', { ranks: maxRank }));
    }
    order = rank === 0 ? others : [...others.slice(0, rank - 1), j, ...others.slice(rank - 1)];
    show();
    fill(part.message);
    const name = nameOf(contest.options[j]);
    const said = rank === 0 ? t('ballot.rank_removed', { name }) : t('ballot.rank_given', { name, rank: rankWords(rank) });
    fill(status, [said, ...moved(before, j)].join(' '));
    return undefined;
  };
  selects.forEach((select, j) => select.addEventListener('change', () => change(j, Number(select.value))));
  clear.addEventListener('click', () => {
    order = [];
    show();
    fill(part.message);
    fill(status, t('ballot.ranking_cleared'));
    selects[0].focus();
  });
  part.cells = () => contest.options.map((_, j) => order.indexOf(j) + 1);
  part.clear = clear;
  show();
  const items = contest.options.map((option, j) => el('li', {}, el('div', { class: 'rank-choice' },
    el('label', { for: selects[j].id }, textNode(option.nameText, pageContext().lang)), selects[j]), descriptionNode(option, selects[j])));
  return [el('ul', { class: 'choices' }, ...items), summaryHeading, summary, clear];
}

function descriptionNode(option, input) {
  if (option.description === null) return null;
  const id = `${input.id}-description`;
  input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') ?? ''} ${id}`.trim());
  return el('p', { class: 'option-description', id }, textNode(option.description, pageContext().lang));
}

function gradedBody(contest, id, part) {
  const { gradeTexts } = contest.counting;
  const groups = contest.options.map((option, j) => {
    const name = `${id}-option-${j + 1}-grade`;
    const radios = gradeTexts.map((grade, g) => el('input', { type: 'radio', id: `${name}-${g}`, name, form: NO_FORM, value: g, checked: g === 0 }));
    const legend = el('legend', {}, textNode(option.nameText, pageContext().lang));
    const fieldset = el('fieldset', { class: 'grade-option', id: `${id}-option-${j + 1}` }, legend,
      el('div', { class: 'grades' }, ...radios.map((radio, g) => el('div', { class: 'choice' }, radio,
        el('label', { for: radio.id }, textNode(gradeTexts[g], pageContext().lang))))));
    return { radios, item: el('li', {}, fieldset, descriptionNode(option, fieldset)) };
  });
  part.cells = () => groups.map(({ radios }) => Math.max(0, radios.findIndex((radio) => radio.checked)));
  return [el('ul', { class: 'choices' }, ...groups.map((g) => g.item))];
}

/** The review of a counted contest's `chosen` (list or object, record format §5): the ranking in order, or
 * each candidate's grade; null items when nothing is ranked (the caller says the contest is blank). */
export function reviewCounted(contest, chosen, lang) {
  const cells = cellsOf(contest, chosen);
  if (!contest.counting.ranked) {
    const items = contest.options.map((o, j) => el('li', {}, textNode(o.nameText, lang), ': ',
      textNode(contest.counting.gradeTexts[cells[j]] ?? { text: String(cells[j]), lang: null }, lang)));
    return { list: el('ul', {}, ...items), ranked: contest.options.length };
  }
  const ranked = contest.options.map((o, j) => [cells[j], o]).filter(([rank]) => rank > 0).sort((a, b) => a[0] - b[0]);
  if (ranked.length === 0) return { list: null, ranked: 0 };
  const items = ranked.map(([rank, o]) => el('li', {}, `${rankWords(rank, lang)}: `, textNode(o.nameText, lang)));
  return { list: el('ol', { class: 'ranking' }, ...items), ranked: ranked.length };
}
