// The result of a ranked or graded contest (record format §8.5 "Ranked and graded contests", §12.3): the
// method, the winners, the valid and voided ballots, and what the count did, in real tables with headers:
// the rounds of instant-runoff (who was eliminated or elected when, where the votes went), the stages of STV,
// Schulze's two matrices, the Borda points, the grades of majority judgment; then every lot and its seed.
// Names are text nodes (dom.js), sentences come from voting/booth/strings.py, numbers are the record's
// (exact: "0.33333" stays as written).

import { el } from './dom.js';
import { t } from './i18n.js';
import { isolated, textNode } from './manifest_text.js';

const METHODS = {
  irv: () => t('ranked.method_irv'),
  stv: () => t('ranked.method_stv_scottish'),
  schulze: () => t('ranked.method_schulze'),
  borda: () => t('ranked.method_borda'),
  majority_judgment: () => t('ranked.method_majority_judgment'),
};

// The voiding rule of docs/counting.md, by the reason the record states.
const VOID_RULES = {
  'R1/G1: wrong number of cells': () => t('ranked.void_cells'),
  'R2: rank out of range': () => t('ranked.void_range'),
  'R3: equal ranks': () => t('ranked.void_equal'),
  'R4: gap in ranks': () => t('ranked.void_gap'),
  blank: () => t('ranked.void_blank'),
  'G2: grade out of range': () => t('ranked.void_grade'),
};

const LOTS = {
  eliminate: (p) => t('ranked.lot_eliminate', p),
  exclude: (p) => t('ranked.lot_exclude', p),
  'surplus order': (p) => t('ranked.lot_surplus', p),
  winner: (p) => t('ranked.lot_winner', p),
};

const STAGES = {
  'first preferences': (p) => t('ranked.stage_first', p),
  surplus: (p) => t('ranked.stage_surplus', p),
  exclusion: (p) => t('ranked.stage_exclusion', p),
  'last vacancies': (p) => t('ranked.stage_last', p),
};

/** Names joined as the page's language joins them ("Alice, Bob and Carol"). */
function joined(ctx, items, type = 'conjunction') {
  return new Intl.ListFormat(ctx.lang, { style: 'long', type }).format(items);
}

function nameList(ctx, labels) {
  return joined(ctx, labels.map((label) => ctx.said(label)));
}

/** "Alice 2, Bob 1": each option's name and number, in the record's order. */
function numbers(ctx, pairs) {
  return joined(ctx, pairs.map(([label, n]) => `${ctx.said(label)} ${n}`), 'unit');
}

function headCell(content, number = false) {
  return el('th', { scope: 'col', class: number ? 'number' : null }, content);
}

/** A table that scrolls sideways on a narrow screen, reachable and named for keyboard and screen reader. */
function table(kind, caption, head, rows) {
  return el('div', { class: 'result-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    el('table', { class: 'result-table result-count', 'data-table': kind },
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, ...head)),
      el('tbody', {}, ...rows)));
}

function optionHeads(ctx, labels) {
  return labels.map((label) => headCell(textNode(ctx.name(label), ctx.lang), true));
}

// --- instant-runoff ---------------------------------------------------------------------------------------

function irvHappened(ctx, r) {
  if (r.elected === null && r.eliminated === null) return t('ranked.irv_no_one');
  if (r.elected !== null) {
    const votes = r.tallies[r.elected];
    const total = Object.values(r.tallies).reduce((a, b) => a + b, 0);
    return 2 * votes > total ? t('ranked.irv_elected_majority', { name: ctx.said(r.elected), votes, total })
      : t('ranked.irv_elected_last', { name: ctx.said(r.elected) });
  }
  const name = ctx.said(r.eliminated);
  const held = r.tallies[r.eliminated];
  if (held === 0) return t('ranked.irv_eliminated_none', { name });
  const parts = Object.entries(r.transfers).filter(([, n]) => n > 0).map(([label, n]) => `${ctx.said(label)} ${n}`);
  if (parts.length === 0) return t('ranked.irv_eliminated_exhausted', { name });
  if (r.exhausted_by_transfer > 0) parts.push(t('ranked.exhausted_n', { count: r.exhausted_by_transfer }));
  const transfers = joined(ctx, parts, 'unit');
  return held === 1 ? t('ranked.irv_eliminated_one', { name, transfers })
    : t('ranked.irv_eliminated', { name, votes: held, transfers });
}

function irvDetails(ctx, contest) {
  const labels = contest.options.map((o) => o.option);
  const rows = contest.counting.rounds.map((r) => el('tr', { 'data-round': r.number },
    el('th', { scope: 'row' }, t('ranked.round_n', { number: r.number })),
    ...labels.map((label) => el('td', { class: 'number' }, label in r.tallies ? String(r.tallies[label]) : t('ranked.out'))),
    el('td', { class: 'number' }, String(r.exhausted)),
    el('td', { class: 'happened' }, irvHappened(ctx, r))));
  const head = [headCell(t('ranked.round')), ...optionHeads(ctx, labels), headCell(t('ranked.exhausted'), true), headCell(t('ranked.happened'))];
  return [table('rounds', t('ranked.rounds_caption', { title: ctx.title }), head, rows)];
}

// --- single transferable vote -------------------------------------------------------------------------------

function stvHappened(ctx, s) {
  const said = [];
  const values = Object.entries(s.transfer_values).map(([from, to]) => `${from} → ${to}`);
  if (values.length > 0) said.push(t('ranked.transfer_values', { values: joined(ctx, values, 'unit') }));
  if (s.action === 'surplus' || s.action === 'exclusion') {
    const received = Object.entries(s.transfers);
    said.push(received.length > 0 ? t('ranked.received', { list: numbers(ctx, received.map(([l, v]) => [l, `+${v}`])) })
      : t('ranked.nothing_passed'));
    if (s.non_transferable !== '0') said.push(t('ranked.non_transferable', { value: s.non_transferable }));
    if (s.rounding !== '0') said.push(t('ranked.rounding', { value: s.rounding }));
  }
  if (s.action === 'last vacancies') said.push(t('ranked.last_vacancies'));
  if (s.elected.length > 0) said.push(t('result.elected', { names: nameList(ctx, s.elected) }));
  return said.join(' ');
}

function stvDetails(ctx, contest) {
  const labels = contest.options.map((o) => o.option);
  const rows = contest.counting.stages.map((s) => el('tr', { 'data-stage': s.number },
    el('th', { scope: 'row' }, STAGES[s.action]({ number: s.number, name: s.candidate === null ? '' : ctx.said(s.candidate) })),
    ...labels.map((label) => el('td', { class: 'number' }, String(s.totals[label]))),
    el('td', { class: 'happened' }, stvHappened(ctx, s))));
  const head = [headCell(t('ranked.stage')), ...optionHeads(ctx, labels), headCell(t('ranked.happened'))];
  return [
    el('p', {}, t('ranked.quota', { quota: contest.counting.quota })),
    table('stages', t('ranked.stages_caption', { title: ctx.title }), head, rows),
  ];
}

// --- Schulze, Borda, majority judgment ---------------------------------------------------------------------

function ranking(ctx, groups) {
  return t('ranked.ranking', {
    order: groups.map((g) => (g.length > 1 ? t('ranked.tied_group', { names: nameList(ctx, g) }) : ctx.said(g[0]))).join(' > '),
  });
}

function matrix(ctx, kind, caption, labels, values) {
  const rows = labels.map((row, i) => el('tr', {},
    el('th', { scope: 'row' }, textNode(ctx.name(row), ctx.lang)),
    ...labels.map((_, j) => el('td', { class: 'number' }, i === j ? '—' : String(values[i][j])))));
  return table(kind, caption, [el('td', {}), ...optionHeads(ctx, labels)], rows);
}

function schulzeDetails(ctx, contest) {
  const labels = contest.options.map((o) => o.option);
  const c = contest.counting;
  return [
    matrix(ctx, 'pairwise', t('ranked.pairwise_caption', { title: ctx.title }), labels, c.pairwise),
    matrix(ctx, 'paths', t('ranked.paths_caption', { title: ctx.title }), labels, c.strongest_paths),
    el('p', {}, ranking(ctx, c.ranking)),
  ];
}

function bordaDetails(ctx, contest) {
  const c = contest.counting;
  const rows = contest.options.map((o) => el('tr', {},
    el('th', { scope: 'row' }, textNode(ctx.name(o.option), ctx.lang)), el('td', { class: 'number' }, String(c.scores[o.option]))));
  return [
    table('points', t('ranked.points_caption', { title: ctx.title }), [headCell(t('result.option')), headCell(t('ranked.points'), true)], rows),
    el('p', {}, ranking(ctx, c.ranking)),
  ];
}

function majorityJudgmentDetails(ctx, contest) {
  const c = contest.counting;
  const grade = (g) => ctx.grades[g] ?? { text: String(c.grades[g] ?? g), lang: null };
  const rows = contest.options.map((o) => el('tr', {},
    el('th', { scope: 'row' }, textNode(ctx.name(o.option), ctx.lang)),
    ...c.grade_counts[o.option].map((n) => el('td', { class: 'number' }, String(n))),
    el('td', {}, o.option in c.majority_grades ? textNode(grade(c.majority_grades[o.option]), ctx.lang) : '—')));
  const head = [headCell(t('result.option')), ...c.grades.map((_, g) => headCell(textNode(grade(g), ctx.lang), true)), headCell(t('ranked.majority_grade'))];
  const ties = c.tie_breaks.map((tie) => el('p', {}, t('ranked.tie_break', {
    names: nameList(ctx, tie.candidates),
    grade: isolated(grade(tie.steps[0][tie.candidates[0]])),
    steps: tie.steps.map((step, k) => t('ranked.step', {
      number: k + 1, list: joined(ctx, Object.entries(step).map(([l, g]) => `${ctx.said(l)} ${isolated(grade(g))}`), 'unit') })).join('; '),
  })));
  return [table('grades', t('ranked.grades_caption', { title: ctx.title }), head, rows), ...ties, el('p', {}, ranking(ctx, c.ranking))];
}

const DETAILS = { irv: irvDetails, stv: stvDetails, schulze: schulzeDetails, borda: bordaDetails, majority_judgment: majorityJudgmentDetails };

// --- the block ---------------------------------------------------------------------------------------------------

function voidedText(ctx, voided) {
  const byRule = new Map();
  for (const v of voided) byRule.set(v.reason, (byRule.get(v.reason) ?? 0) + 1);
  const parts = [...byRule].map(([reason, count]) => t('ranked.void_item', { count, rule: VOID_RULES[reason]?.() ?? reason }));
  return t('ranked.voided', { list: joined(ctx, parts, 'unit') });
}

function lotItems(ctx, lots) {
  return lots.map((lot) => el('li', {}, LOTS[lot.purpose]({ stage: lot.stage, names: nameList(ctx, lot.among), name: ctx.said(lot.chosen) }),
    ' ', el('bdi', { dir: 'ltr' }, el('code', { class: 'digest' }, lot.digest))));
}

/**
 * The block of one ranked or graded contest. `ctx`: { lang, title (picked text), name(label) → picked text,
 * grades (picked texts, the lowest first) }.
 */
export function rankedBlock(contest, pageCtx) {
  const ctx = { ...pageCtx, said: (label) => isolated(pageCtx.name(label)) };
  ctx.title = isolated(pageCtx.title);
  const c = contest.counting;
  const method = METHODS[c.method]?.() ?? c.words;
  const counted = c.method === 'stv' ? t('ranked.counted_by_seats', { method, seats: contest.number_elected })
    : t('ranked.counted_by', { method });
  const outcome = contest.winners.length === 0 ? t('ranked.no_winner')
    : contest.winners.length > 1 ? t('ranked.elected_order', { names: nameList(ctx, contest.winners) })
      : t('result.elected', { names: nameList(ctx, contest.winners) });
  const lots = c.lots.length === 0 ? [] : [
    el('p', {}, t('ranked.lots'), ' ', el('bdi', { dir: 'ltr' }, el('code', { class: 'digest' }, c.seed))),
    el('ul', { class: 'result-lots' }, ...lotItems(ctx, c.lots)),
  ];
  return el('div', { class: 'review-contest', 'data-contest': contest.contest, 'data-method': c.method },
    el('h3', {}, textNode(pageCtx.title, ctx.lang)),
    el('p', { class: 'result-method' }, `${counted} ${t('ranked.ballots', { rows: c.rows, valid: c.valid, voided: c.voided.length })}`),
    el('p', { class: 'result-outcome' }, outcome),
    c.voided.length > 0 ? el('p', { class: 'result-voided' }, voidedText(ctx, c.voided)) : null,
    ...DETAILS[c.method](ctx, contest),
    ...lots);
}
