// Election information: the manifest's texts, the phase, the contests and options, the trustees and the
// board's key, all from the board's /context (record format §9) and all shown as text; and the election's
// trust anchors (their fingerprint for the voter to compare with the voting card, the witnesses they name,
// and whether the booth code they name is the code this site says it serves); with a voter login, how voters
// sign in and which channels the cards and the codes travel by (voter_login.js).

import { bytesToHex, concatBytes, hexToBytes } from '../eg/bytes.js';
import { ElectionApi } from './api.js';
import { describeBallot, descriptionNode } from './ballot_view.js';
import { noteKeyId } from './board_proofs.js';
import { alertMessage, byId, el, facts, fill, pageContext, show } from './dom.js';
import { closedBySchedule } from './schedule_view.js';
import { errorText } from './errors_text.js';
import { t } from './i18n.js';
import { electionTitle, infoItems, isolated, textChoice, textNode, textOr } from './manifest_text.js';
import { loadContext, showSchedule } from './page_common.js';
import { rankedBlock } from './result_ranked.js';
import { channelSentences } from './voter_login.js';
import { loadAnchors, showAnchors } from './witness_view.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);

const PHASES = ['keygen', 'keygen_failed', 'confirming', 'ready', 'open', 'closed', 'tallying', 'tallied', 'cancelled'];

export function phaseText(phase) {
  return PHASES.includes(phase) ? t(`phase.${phase}`) : String(phase);
}

/** A calendar date written YYYY-MM-DD (an old manifest's "date"), in the page's language; other values as
 * they are. */
function dateText(value, lang) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.text);
  if (match === null) return value;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return value;
  return { text: new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(date), lang: null };
}

/** The manifest's info block as facts: the labels and values in the page's language (never a raw key). */
function infoPairs(manifest, choice, lang) {
  return infoItems(manifest, choice).map(({ key, label, value }) =>
    [textNode(label, lang), textNode(key === 'date' ? dateText(value, lang) : value, lang)]);
}

function contestBlock(contest) {
  const { lang } = pageContext();
  return el('div', { class: 'review-contest' },
    el('h3', {}, textNode(contest.titleText, lang)),
    descriptionNode(contest.description, 'contest-description'),
    el('p', {}, contest.votesAllowed === 1 ? t('ballot.rule_one') : t('ballot.rule_up_to', { allowed: contest.votesAllowed })),
    el('ul', {}, ...contest.options.map((option) => el('li', {}, textNode(option.nameText, lang),
      descriptionNode(option.description, 'option-description')))));
}

// The result once tallied (record format §8.5): a table per contest, with a bar per option drawn by CSS
// (its width set through CSSOM, which the page's style-src policy allows), the winners or the tie, and the
// turnout in the record format's words.
function turnoutWords() {
  return {
    credentials_issued: t('turnout.credentials_issued'),
    ballots_counted: t('turnout.ballots_counted'),
    ballots_challenged: t('turnout.ballots_challenged'),
    ballots_superseded: t('turnout.ballots_superseded'),
  };
}

function percent(share) {
  const { lang } = pageContext();
  return new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share);
}

function names(labels, byLabel) {
  const listed = labels.map((label) => byLabel[label]);
  return listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(', ')} ${t('result.and')} ${listed.at(-1)}`;
}

function outcomeText(contest, byLabel) {
  if (contest.tie) {
    const tied = names(contest.tie.options, byLabel);
    return contest.tie.seats === 1 ? t('result.tie_one', { names: tied })
      : t('result.tie_many', { names: tied, seats: contest.tie.seats });
  }
  if (contest.number_elected === null) return t('result.no_winner');
  return t('result.elected', { names: names(contest.winners, byLabel) });
}

/**
 * The result's contest and option names in the page's language, from the manifest by label (the board's result
 * names them in the manifest's default language).
 */
function resultNames(manifest, lang) {
  const choice = textChoice(manifest, lang);
  const contests = new Map();
  for (const contest of manifest?.contests ?? []) {
    contests.set(contest.label, {
      title: textOr(contest.title, choice, contest.label),
      options: new Map((contest.options ?? []).map((option) => [option.label, textOr(option.name, choice, option.label)])),
      grades: (contest.counting?.grades ?? []).map((grade, g) => textOr(grade, choice, String(g))),
    });
  }
  return contests;
}

function resultBlock(contest, names) {
  const { lang } = pageContext();
  const known = names.get(contest.contest);
  const title = known?.title ?? { text: contest.title, lang: null };
  const nameOf = (option) => known?.options.get(option.option) ?? { text: option.name, lang: null };
  if (contest.counting) {  // a ranked or graded contest (record format §8.5, §12.3)
    const byOption = new Map(contest.options.map((option) => [option.option, nameOf(option)]));
    return rankedBlock(contest, { lang, title, name: (label) => byOption.get(label), grades: known?.grades ?? [] });
  }
  const byLabel = Object.fromEntries(contest.options.map((option) => [option.option, isolated(nameOf(option))]));
  const tied = new Set(contest.tie ? contest.tie.options : []);
  const rows = contest.options.map((option) => {
    const bar = el('span', { class: 'result-bar' });
    bar.style.width = `${(option.share * 100).toFixed(1)}%`;
    const mark = tied.has(option.option) ? t('result.mark_tied') : contest.winners.includes(option.option) ? t('result.mark_elected') : '';
    return el('tr', { 'data-option': option.option },
      el('th', { scope: 'row' }, textNode(nameOf(option), lang)),
      el('td', { class: 'number' }, String(option.votes)),
      el('td', { class: 'number' }, percent(option.share)),
      el('td', {}, mark),
      el('td', { class: 'bar-cell', 'aria-hidden': 'true' }, bar));
  });
  return el('div', { class: 'review-contest', 'data-contest': contest.contest },
    el('table', { class: 'result-table' },
      el('caption', {}, contest.votes === 1 ? t('result.caption_one', { title: isolated(title) })
        : t('result.caption', { title: isolated(title), votes: contest.votes })),
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, t('result.option')),
        el('th', { scope: 'col' }, t('result.votes')),
        el('th', { scope: 'col' }, t('result.share')),
        el('th', { scope: 'col' }, t('result.outcome')),
        el('td', {}))),
      el('tbody', {}, ...rows)),
    el('p', { class: 'result-outcome' }, outcomeText(contest, byLabel)));
}

function showResult(result, manifest) {
  if (result.weighted && result.total_weight !== result.turnout?.ballots_counted) {  // some weight above 1
    fill(byId('result-weighted'), t('result.weighted', { total: result.total_weight }));
    show(byId('result-weighted'));
  }
  const names = resultNames(manifest, pageContext().lang);
  const mixed = result.contests.some((contest) => contest.counting) ? el('p', { class: 'result-mixed' }, t('ranked.mixed')) : null;
  fill(byId('result-contests'), mixed, ...result.contests.map((contest) => resultBlock(contest, names)));
  facts(byId('turnout'), Object.entries(turnoutWords()).map(([key, words]) => [words, String(result.turnout[key])]));
  fill(byId('verify-command'), `evote-verify ${window.location.origin}/${electionId}`);
  show(byId('result-section'));
}

/**
 * The board's verifier key in the form `evote-verify --board-key` reads (record format §6.3, the C2SP
 * note verifier key): `<name>+<key id, 8 hex digits>+<base64(0x01 ∥ public key)>`.
 */
export async function verifierKey(name, publicKeyHex) {
  const publicKey = hexToBytes(publicKeyHex, 'board.public_key', 32);
  const keyData = concatBytes(Uint8Array.of(1), publicKey);
  return `${name}+${bytesToHex(await noteKeyId(name, publicKey)).toLowerCase()}+${btoa(String.fromCharCode(...keyData))}`;
}

/** Copies the key to the clipboard; where the browser refuses, selects it for the voter to copy. */
async function copyKey(key, node, status) {
  try {
    await navigator.clipboard.writeText(key);
    fill(status, t('board.key_copied'));
  } catch {
    window.getSelection()?.selectAllChildren(node);
    fill(status, t('board.key_selected'));
  }
}

async function showBoardKey(board) {
  facts(byId('board-facts'), [
    [t('board.origin'), board.origin],
    [t('board.key_name'), board.key_name],
  ]);
  const key = await verifierKey(board.key_name, board.public_key);
  const keyNode = fill(byId('board-verifier-key'), key);
  fill(byId('board-key-command'), `evote-verify --board-key ${key} ${window.location.origin}/${electionId}`);
  const button = byId('board-key-copy');
  const status = byId('board-key-copy-status');
  button.addEventListener('click', () => copyKey(key, keyNode, status));
  show(button);
}

async function main() {
  let context;
  try {
    context = await loadContext(api);
  } catch (error) {
    alertMessage(byId('page-error'), errorText(error));
    return;
  }
  const manifest = context.manifest;
  const { lang } = pageContext();
  const choice = textChoice(manifest, lang);
  const title = electionTitle(manifest, choice, electionId);
  fill(byId('election-title'), textNode(title, lang));
  document.title = `${t('election.title')} – ${isolated(title)}`;
  facts(byId('election-facts'), [
    [t('election.identifier'), context.election_id],
    ...infoPairs(manifest, choice, lang),
    [t('election.phase'), phaseText(context.phase)],
    // Once tallied, the result's turnout gives the counts in the words of record-format §8.5.
    ...(context.result ? [] : [
      [t('election.ballots_cast'), String(context.counts?.cast ?? 0)],
      [t('election.ballots_challenged'), String(context.counts?.challenged ?? 0)],
      [t('election.credentials'), String(context.counts?.credentials ?? 0)],
    ]),
  ]);
  showSchedule(byId('election-schedule'), context);
  show(byId('vote-link'), context.phase === 'open' && !closedBySchedule(context, Date.now()));
  if (context.voter_login) {
    fill(byId('login-info'), ...channelSentences(context.voter_login).map((sentence) => el('p', {}, sentence)));
    show(byId('login-section'));
  }
  // Every contest once, as on the first ballot style that lists it.
  const seen = new Set();
  const contests = manifest.ballot_styles.flatMap((style) => describeBallot(manifest, style.label))
    .filter((contest) => !seen.has(contest.label) && seen.add(contest.label));
  fill(byId('contests'), ...contests.map(contestBlock));
  fill(byId('trustees'), ...(context.trustees ?? []).map((trustee) => el('li', {}, trustee.name)));
  await showBoardKey(context.board).catch(() => fill(byId('board-verifier-key'), t('board.key_unreadable')));
  if (context.result) showResult(context.result, manifest);
  show(byId('election-details'));
  await showTrust(context);
}

/** The trust anchors' fingerprint and witnesses, and the booth hash they name beside the one in the footer. */
async function showTrust(context) {
  const loaded = await loadAnchors(api, context);
  showAnchors(byId('anchors-info'), loaded);
  if (loaded.anchors !== null) {
    const served = byId('booth-code-hash').textContent.trim();
    const named = `sha256:${loaded.anchors.boothSha256}`;
    const node = byId('booth-code-check');
    node.className = served === named ? 'verdict ok' : 'verdict bad';
    fill(node, served === named ? t('anchors.booth_matches') : t('anchors.booth_differs', { hash: named }));
    show(node);
  }
}

main();
