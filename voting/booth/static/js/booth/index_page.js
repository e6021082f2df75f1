// The start page: the elections on this board, as links to their information pages.

import { listElections } from './api.js';
import { byId, el, fill, pageContext } from './dom.js';
import { errorText } from './errors_text.js';
import { t } from './i18n.js';

async function main() {
  const { apiBase } = pageContext();
  const status = byId('elections-status');
  try {
    const elections = await listElections(apiBase);
    fill(status, elections.length === 0 ? t('index.none') : '');
    const base = new URL('elections/', window.location.href);
    fill(byId('elections-list'), ...elections.map((election) => el('li', {},
      el('a', { href: new URL(`${encodeURIComponent(election.election_id)}/`, base).href }, election.election_id))));
  } catch (error) {
    fill(status, errorText(error));
  }
}

main();
