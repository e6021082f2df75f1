// Election information: the manifest's texts, the phase, the contests and options, the trustees and the
// board's key, all from the board's /context (record format §9) and all shown as text.

import { ElectionApi } from './api.js';
import { describeBallot } from './ballot_view.js';
import { alertMessage, byId, el, facts, fill, pageContext, show } from './dom.js';
import { errorText } from './errors_text.js';
import { t } from './i18n.js';
import { loadContext } from './page_common.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);

const PHASES = ['keygen', 'keygen_failed', 'confirming', 'ready', 'open', 'closed', 'tallying', 'tallied'];

export function phaseText(phase) {
  return PHASES.includes(phase) ? t(`phase.${phase}`) : String(phase);
}

function infoPairs(info) {
  if (info === null || typeof info !== 'object') return [];
  return Object.entries(info).filter(([, value]) => ['string', 'number'].includes(typeof value))
    .map(([key, value]) => [key, String(value)]);
}

function contestBlock(contest) {
  return el('div', { class: 'review-contest' },
    el('h3', {}, contest.title),
    el('p', {}, contest.votesAllowed === 1 ? t('ballot.rule_one') : t('ballot.rule_up_to', { allowed: contest.votesAllowed })),
    el('ul', {}, ...contest.options.map((option) => el('li', {}, option.name))));
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
  const title = manifest?.label ?? electionId;
  fill(byId('election-title'), title);
  document.title = `${t('election.title')} – ${title}`;
  facts(byId('election-facts'), [
    [t('election.identifier'), context.election_id],
    ...infoPairs(manifest.info),
    [t('election.phase'), phaseText(context.phase)],
    [t('election.ballots_cast'), String(context.counts?.cast ?? 0)],
    [t('election.ballots_challenged'), String(context.counts?.challenged ?? 0)],
    [t('election.credentials'), String(context.counts?.credentials ?? 0)],
  ]);
  show(byId('vote-link'), context.phase === 'open');
  // Every contest once, as on the first ballot style that lists it.
  const seen = new Set();
  const contests = manifest.ballot_styles.flatMap((style) => describeBallot(manifest, style.label))
    .filter((contest) => !seen.has(contest.label) && seen.add(contest.label));
  fill(byId('contests'), ...contests.map(contestBlock));
  fill(byId('trustees'), ...(context.trustees ?? []).map((trustee) => el('li', {}, trustee.name)));
  facts(byId('board-facts'), [
    [t('board.origin'), context.board.origin],
    [t('board.key_name'), context.board.key_name],
    [t('board.public_key'), el('code', {}, context.board.public_key)],
  ]);
  show(byId('election-details'));
}

main();
