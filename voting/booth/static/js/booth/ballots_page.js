// The public list of confirmation codes (record format §9, GET /elections/<id>/ballots), a page at a time:
// each ballot's position on the board, its code in groups of four and its status in plain words. The page
// to show is ?start=<position> (the board's "next"); anything else in it shows the first page.

import { ElectionApi } from './api.js';
import { byId, codeNode, el, fill, pageContext, show } from './dom.js';
import { t } from './i18n.js';
import { loadContext, reportSlowRequests, setTitle, showError } from './page_common.js';

const { apiBase, electionId } = pageContext();
const api = new ElectionApi(apiBase, electionId);
const PAGE_SIZE = 50;

function statusText(status) {
  const key = { cast: 'lookup.status_cast', superseded: 'lookup.status_superseded', challenged: 'lookup.status_challenged' }[status];
  return key ? t(key) : status;
}

function startOfPage() {
  const start = new URLSearchParams(window.location.search).get('start') ?? '0';
  return /^(0|[1-9][0-9]{0,14})$/.test(start) ? Number(start) : 0;
}

async function main() {
  try {
    const context = await loadContext(api);
    setTitle(context, t('ballots.title'));
    const start = startOfPage();
    fill(byId('page-status'), t('ballots.loading'));
    const page = await api.ballots({ start, limit: PAGE_SIZE });
    fill(byId('page-status'));
    const { ballots } = page;
    let summary = t('ballots.past_end');
    if (ballots.length > 0) summary = t('ballots.page', { first: ballots[0].seq, last: ballots[ballots.length - 1].seq });
    else if (start === 0) summary = t('ballots.empty');
    fill(byId('ballots-summary'), summary);
    fill(byId('ballots-rows'), ...ballots.map((ballot) => el('tr', {},
      el('td', {}, String(ballot.seq)), el('td', {}, codeNode(ballot.confirmation_code)), el('td', {}, statusText(ballot.status)))));
    show(byId('ballots-first-item'), start !== 0);
    show(byId('ballots-next-item'), page.next !== null);
    if (page.next !== null) byId('ballots-next').setAttribute('href', `?start=${Number(page.next)}`);
    show(byId('ballots-list'));
  } catch (error) {
    fill(byId('page-status'));
    showError(byId('page-error'), error, main);
  }
}

reportSlowRequests();
main();
