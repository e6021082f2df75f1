// The ballot as a form, built from the manifest (record format §2) with text nodes only, and the voter's
// marks read back as choices { contestLabel: [optionLabel, ...] } (eg/manifest.js). The form never lets a
// contest go over votes_allowed (L) or an option over option_limit (R): the mark that would overvote is
// refused and the reason shown next to the contest and announced. Undervotes and blank contests are allowed.
// A contest where one option can be chosen (votes_allowed 1, option limit 1) gets radio buttons, with a
// button to clear the choice (a blank contest is allowed); others get checkboxes, or number fields when an
// option may receive several votes. Only radio buttons have a name (a radio group needs one, and gives the
// arrow keys); every input belongs to no form (form="" names none), so even a form submitted without this
// script sends nothing.

import { styleContests } from '../eg/manifest.js';
import { el, fill, pageContext } from './dom.js';
import { t } from './i18n.js';
import { isolated, pickText, textChoice, textNode, textOr } from './manifest_text.js';
import { countedContest, reviewCounted } from './ranked_view.js';

/**
 * The contests of `style` with their display texts in booth language `lang` (manifest_text.js: the voter's
 * language when the manifest declares it, else its default):
 * [{ label, index, votesAllowed, optionLimit, counting, title, titleText, description, options: [{ label, index,
 * name, nameText, description }] }], where title and name are strings, titleText and nameText { text, lang },
 * the descriptions { text, lang } or null, and counting null or eg/counting.js's with gradeTexts ({ text, lang }
 * per grade, the lowest first).
 */
export function describeBallot(manifest, style, lang = pageContext().lang) {
  const choice = textChoice(manifest, lang);
  const rawContests = new Map(manifest.contests.map((c) => [c.label, c]));
  return styleContests(manifest, style).map((contest) => {
    const raw = rawContests.get(contest.label);
    const rawOptions = new Map(raw.options.map((o) => [o.label, o]));
    const titleText = textOr(raw.title, choice, raw.label);
    const counting = contest.counting === null ? null
      : { ...contest.counting, gradeTexts: (raw.counting.grades ?? []).map((grade, g) => textOr(grade, choice, String(g))) };
    return {
      ...contest,
      counting,
      title: titleText.text,
      titleText,
      description: pickText(raw.description, choice),
      options: contest.options.map((option) => {
        const rawOption = rawOptions.get(option.label);
        const nameText = textOr(rawOption.name, choice, rawOption.label);
        return { ...option, name: nameText.text, nameText, description: pickText(rawOption.description, choice) };
      }),
    };
  });
}

/** A contest's or option's description as a paragraph, or null. */
export function descriptionNode(description, className, id = null) {
  if (description === null) return null;
  return el('p', { class: className, id }, textNode(description, pageContext().lang));
}

function ruleText(contest) {
  if (contest.optionLimit > 1) {
    return t('ballot.rule_cumulative', { allowed: contest.votesAllowed, per_option: contest.optionLimit });
  }
  return contest.votesAllowed === 1 ? t('ballot.rule_one') : t('ballot.rule_up_to', { allowed: contest.votesAllowed });
}

const NO_FORM = ''; // form="": the input's form owner is none

/** Whether one option, and only one, can be chosen in `contest`: radio buttons. */
export function isSingleChoice(contest) {
  return contest.votesAllowed === 1 && contest.optionLimit === 1;
}

export class BallotForm {
  /** Renders `contests` (describeBallot) into `container`; `announcer` is a role="alert" region. */
  constructor(container, announcer, contests) {
    this.contests = contests;
    this.announcer = announcer;
    this.parts = contests.map((contest, i) => this.renderContest(contest, i));
    fill(container, ...this.parts.map((part) => part.fieldset));
  }

  renderContest(contest, i) {
    const id = `contest-${i + 1}`;
    if (contest.counting !== null) return countedContest(contest, id, (part, reason) => this.refuse(part, reason));
    const single = isSingleChoice(contest);
    const rule = el('p', { class: 'contest-rule', id: `${id}-rule` }, ruleText(contest));
    const count = el('p', { class: 'contest-count', id: `${id}-count` });
    const message = el('p', { class: 'contest-message', id: `${id}-message` });
    const inputs = contest.options.map((option, j) => {
      const inputId = `${id}-option-${j + 1}`;
      let input;
      if (contest.optionLimit > 1) {
        input = el('input', { type: 'number', id: inputId, form: NO_FORM, min: 0, max: contest.optionLimit, step: 1, value: 0,
          inputmode: 'numeric', 'aria-describedby': `${id}-rule ${id}-message` });
      } else if (single) {
        input = el('input', { type: 'radio', id: inputId, form: NO_FORM, name: `${id}-choice` });
      } else {
        input = el('input', { type: 'checkbox', id: inputId, form: NO_FORM, 'aria-describedby': `${id}-message` });
      }
      const name = textNode(option.nameText, pageContext().lang);
      const label = el('label', { for: inputId }, contest.optionLimit > 1 ? t('ballot.votes_for', { name: isolated(option.nameText) }) : name);
      const description = descriptionNode(option.description, 'option-description', `${inputId}-description`);
      if (description !== null) input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') ?? ''} ${inputId}-description`.trim());
      return { option, input, item: el('li', {}, el('div', { class: 'choice' }, input, label), description) };
    });
    const clear = single ? el('button', { type: 'button', class: 'secondary clear-choice', id: `${id}-clear` }, t('ballot.clear')) : null;
    const fieldset = el('fieldset', { class: 'contest', id, 'aria-describedby': `${id}-rule ${id}-count` },
      el('legend', {}, textNode(contest.titleText, pageContext().lang)), descriptionNode(contest.description, 'contest-description'), rule, el('ul', { class: 'choices' }, ...inputs.map((x) => x.item)), clear, count, message);
    const part = { contest, inputs, count, message, fieldset, clear };
    if (clear !== null) {
      clear.addEventListener('click', () => {
        for (const { input } of inputs) input.checked = false;
        this.update(part);
        inputs[0]?.input.focus(); // back into the group, which now has no choice
      });
    }
    for (const { input } of inputs) {
      if (input.type === 'radio') {
        input.addEventListener('change', () => this.update(part));
      } else if (input.type === 'checkbox') {
        input.addEventListener('click', (event) => {
          if (input.checked && this.total(part) > contest.votesAllowed) {
            event.preventDefault(); // the box stays unchecked
            this.refuse(part);
          } else {
            this.update(part);
          }
        });
      } else {
        input.dataset.previous = '0';
        input.addEventListener('input', () => this.numberChanged(part, input));
      }
    }
    this.update(part);
    return part;
  }

  numberChanged(part, input) {
    const { contest } = part;
    const value = Number(input.value);
    if (input.value === '' || !Number.isInteger(value) || value < 0) return; // still typing; read as 0 on review
    if (value > contest.optionLimit) {
      input.value = input.dataset.previous;
      this.refuse(part, t('ballot.option_limit', { per_option: contest.optionLimit }));
      return;
    }
    if (this.total(part) > contest.votesAllowed) {
      input.value = input.dataset.previous;
      this.refuse(part);
      return;
    }
    input.dataset.previous = String(value);
    this.update(part);
  }

  votesOf(input) {
    if (input.type === 'checkbox' || input.type === 'radio') return input.checked ? 1 : 0;
    const value = Number(input.value);
    return Number.isInteger(value) && value > 0 ? value : 0;
  }

  total(part) {
    return part.inputs.reduce((sum, { input }) => sum + this.votesOf(input), 0);
  }

  update(part) {
    const chosen = this.total(part);
    fill(part.count, t('ballot.count', { chosen, allowed: part.contest.votesAllowed }));
    fill(part.message);
    if (part.clear !== null) part.clear.hidden = chosen === 0;
  }

  refuse(part, reason) {
    const text = reason ?? t('ballot.overvote', { allowed: part.contest.votesAllowed, contest: isolated(part.contest.titleText) });
    fill(part.message, text);
    fill(this.announcer);
    // A fresh text node in the alert region, so that the same message is announced again.
    window.setTimeout(() => fill(this.announcer, text), 50);
  }

  /** The marks as choices { contestLabel: [optionLabel, ...] } (an option listed once per vote); a ranked or
   * graded contest as { optionLabel: rank or grade } (record format §5's object form). */
  choices() {
    const out = {};
    for (const part of this.parts) {
      if (part.contest.counting !== null) {
        const cells = part.contest.options.map((option, j) => [option.label, part.cells()[j]]);
        out[part.contest.label] = Object.fromEntries(part.contest.counting.ranked ? cells.filter(([, v]) => v > 0) : cells);
        continue;
      }
      const chosen = part.inputs.flatMap(({ option, input }) => Array(this.votesOf(input)).fill(option.label));
      if (chosen.length > 0) out[part.contest.label] = chosen;
    }
    return out;
  }
}

/**
 * A review of `choices` against `contests` (describeBallot): per contest a heading, the chosen names and a
 * note for a blank contest or an undervote.
 */
export function renderChoices(container, contests, choices, headingLevel = 'h3') {
  const blocks = contests.map((contest) => {
    if (contest.counting !== null) return reviewCountedBlock(contest, choices[contest.label], headingLevel);
    const chosen = choices[contest.label] ?? [];
    const counts = new Map();
    for (const label of chosen) counts.set(label, (counts.get(label) ?? 0) + 1);
    const { lang } = pageContext();
    const items = contest.options.filter((o) => counts.has(o.label)).map((o) => el('li', {},
      counts.get(o.label) > 1 ? t('review.votes', { name: isolated(o.nameText), votes: counts.get(o.label) }) : textNode(o.nameText, lang)));
    let note = null;
    if (chosen.length === 0) note = el('p', { class: 'review-note' }, t('review.blank'));
    else if (chosen.length < contest.votesAllowed) {
      note = el('p', { class: 'review-note' }, t('review.undervote', { chosen: chosen.length, allowed: contest.votesAllowed }));
    }
    return el('div', { class: 'review-contest' }, el(headingLevel, {}, textNode(contest.titleText, lang)),
      items.length > 0 ? el('ul', {}, ...items) : null, note);
  });
  fill(container, ...blocks);
}

function reviewCountedBlock(contest, chosen, headingLevel) {
  const { lang } = pageContext();
  const { list, ranked } = reviewCounted(contest, chosen, lang);
  let note = null;
  if (ranked === 0) note = el('p', { class: 'review-note' }, t('review.blank'));
  else if (contest.counting.ranked && ranked < contest.counting.maxRank) {
    note = el('p', { class: 'review-note' }, t('review.ranked_some', { ranked, ranks: contest.counting.maxRank }));
  }
  return el('div', { class: 'review-contest' }, el(headingLevel, {}, textNode(contest.titleText, lang)), list, note);
}
