// The start page: the elections on this board, as links to their information pages, each with its title in
// the voter's language and when voting opens or closes (from its /context). A cancelled election is left out
// of the list (marked so in the board's list, or by its context); it stays reachable by its identifier, and
// every page of it says that it was cancelled.

import { ElectionApi, listElections } from './api.js';
import { byId, el, fill, pageContext } from './dom.js';
import { errorText } from './errors_text.js';
import { t } from './i18n.js';
import { electionTitle, textChoice, textNode } from './manifest_text.js';
import { isCancelled, scheduleSentences } from './schedule_view.js';

const DETAILED = 50; // contexts fetched for the first elections only: a long list shows identifiers beyond

/** Whether the board's list marks the election as cancelled (its "cancelled" entry, or its phase). */
export function listedAsCancelled(election) {
  return Boolean(election?.cancelled) || election?.phase === 'cancelled';
}

function item(election, context, base, lang) {
  const id = election.election_id;
  const href = new URL(`${encodeURIComponent(id)}/`, base).href;
  if (context === null) return el('li', { class: 'election-list-item' }, el('a', { href }, id));
  const title = electionTitle(context.manifest, textChoice(context.manifest, lang), id);
  const schedule = scheduleSentences(context, lang);
  return el('li', { class: 'election-list-item' },
    el('a', { href }, textNode(title, lang)), ' ',
    title.text === id ? null : el('span', { class: 'election-id' }, '(', el('bdi', { dir: 'ltr' }, id), ')'),
    schedule.length ? el('p', { class: 'schedule' }, schedule.join(' ')) : null);
}

async function main() {
  const { apiBase, lang } = pageContext();
  const status = byId('elections-status');
  try {
    const listed = (await listElections(apiBase)).filter((election) => !listedAsCancelled(election));
    const contexts = await Promise.all(listed.map((election, i) => (i < DETAILED
      ? new ElectionApi(apiBase, election.election_id).context().catch(() => null) : Promise.resolve(null))));
    const shown = listed.map((election, i) => [election, contexts[i]]).filter(([, context]) => context === null || !isCancelled(context));
    fill(status, shown.length === 0 ? t('index.none') : '');
    const base = new URL('elections/', window.location.href);
    fill(byId('elections-list'), ...shown.map(([election, context]) => item(election, context, base, lang)));
  } catch (error) {
    fill(status, errorText(error));
  }
}

main();
