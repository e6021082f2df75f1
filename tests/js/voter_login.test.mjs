// The booth's voter login helpers (voting/booth/static/js/booth/voter_login.js) and the answer of "Was anything
// cast in my name?" (cast_in_my_name.js), with a catalogue that echoes each key and its values.

import assert from 'node:assert/strict';
import test from 'node:test';

const KEYS = [
  'login.how', 'login.cards_post', 'login.cards_hand', 'login.cards_email', 'login.same_mailbox', 'login.wait_some',
  'login.wait_minute', 'login.wrong_code_one', 'login.wrong_code_some', 'login.code_locked', 'login.code_expired',
  'login.rate_limited', 'login.code_format', 'login.voter_id_invalid', 'mine.unknown', 'mine.none', 'mine.revoked',
  'mine.some_one', 'mine.advice',
];
const catalogue = Object.fromEntries(KEYS.map((key) => [key, key]));
Object.assign(catalogue, { 'login.wait_minutes': 'login.wait_minutes:%(minutes)s', 'login.wrong_code': 'login.wrong_code:%(count)s', 'mine.some': 'mine.some:%(count)s' });
globalThis.document = { getElementById: (id) => (id === 'booth-strings' ? { textContent: JSON.stringify(catalogue) } : null) };

const { BoardRefusal } = await import('../../voting/booth/static/js/booth/api.js');
const login = await import('../../voting/booth/static/js/booth/voter_login.js');
const { verdictFor } = await import('../../voting/booth/static/js/booth/cast_in_my_name.js');

test('codes are 8 digits, spaces and dashes ignored', () => {
  assert.equal(login.normaliseLoginCode(' 1234 5678 '), '12345678');
  assert.equal(login.normaliseLoginCode('1234-5678'), '12345678');
  for (const bad of ['1234567', '123456789', '1234567a', '', null]) assert.equal(login.normaliseLoginCode(bad), null);
});

test('refusals in words: tries left, locked, expired, rate limit with its wait', () => {
  const refusal = (code, extra = {}) => new BoardRefusal(401, { code, field: 'code' }, extra);
  assert.equal(login.loginRefusalText(refusal('wrong_code', { triesLeft: 4 })), 'login.wrong_code:4');
  assert.equal(login.loginRefusalText(refusal('wrong_code', { triesLeft: 1 })), 'login.wrong_code_one');
  assert.equal(login.loginRefusalText(refusal('code_locked', { triesLeft: 0 })), 'login.code_locked');
  assert.equal(login.loginRefusalText(refusal('code_expired')), 'login.code_expired');
  assert.equal(login.loginRefusalText(new BoardRefusal(429, { code: 'rate_limited' }, { retryAfter: 301 })), 'login.rate_limited login.wait_minutes:6');
  assert.equal(login.loginRefusalText(new BoardRefusal(429, { code: 'rate_limited' }, { retryAfter: 20 })), 'login.rate_limited login.wait_minute');
  assert.equal(login.loginRefusalText(new BoardRefusal(429, { code: 'rate_limited' })), 'login.rate_limited login.wait_some');
  assert.equal(login.loginRefusalText(new BoardRefusal(400, { code: 'invalid_input', field: 'voter_id' })), 'login.voter_id_invalid');
  assert.equal(login.loginRefusalText(new BoardRefusal(409, { code: 'something_else' })), null);
  assert.equal(login.loginRefusalText(new Error('x')), null);
  assert.ok(login.isLoginRequired(new BoardRefusal(401, { code: 'login_required' })));
  assert.ok(!login.isLoginRequired(new BoardRefusal(403, { code: 'login_bound_to_other_credential' })));
});

test('the channels: cards by e-mail say that the mailbox holds both', () => {
  assert.deepEqual(login.channelSentences({ method: 'email-code', cards_by: 'post' }), ['login.how', 'login.cards_post']);
  assert.deepEqual(login.channelSentences({ method: 'email-code', cards_by: 'hand' }), ['login.how', 'login.cards_hand']);
  assert.deepEqual(login.channelSentences({ method: 'email-code', cards_by: 'email' }), ['login.how', 'login.cards_email', 'login.same_mailbox']);
  assert.deepEqual(login.channelSentences(null), []);
});

test('the session is kept in the given storage until it nears its end, and forgotten when expired', () => {
  const items = new Map();
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) };
  const keeper = new login.LoginKeeper('e-1', storage);
  assert.equal(keeper.session(), null);
  const now = Date.parse('2026-05-01T10:00:00Z');
  keeper.keep('V001', { session: 's'.repeat(43), expires_at: '2026-05-01T11:00:00Z', style: 'north', weight: 2 });
  assert.equal(keeper.session(now), 's'.repeat(43));
  assert.equal(keeper.session(Date.parse('2026-05-01T10:59:50Z')), null); // within the margin: sign in again
  const again = new login.LoginKeeper('e-1', storage); // a reload of the tab
  assert.equal(again.session(now), 's'.repeat(43));
  assert.equal(again.current.style, 'north');
  assert.equal(new login.LoginKeeper('e-2', storage).session(now), null); // per election
  again.expire();
  assert.equal(again.session(now), null);
  assert.equal(again.voterId(), 'V001');
  assert.equal(items.size, 0);
});

test('"Was anything cast in my name?": unknown, none, one, several', () => {
  assert.deepEqual(verdictFor(null), { kind: 'bad', sentences: ['mine.unknown'] });
  assert.deepEqual(verdictFor({ status: 'eligible', ballots: [] }), { kind: 'ok', sentences: ['mine.none'] });
  assert.deepEqual(verdictFor({ status: 'revoked', ballots: [] }), { kind: 'ok', sentences: ['mine.none', 'mine.revoked'] });
  const ballot = { confirmation_code: 'AB'.repeat(32), seq: 9, kind: 'ballot.cast', status: 'cast' };
  assert.deepEqual(verdictFor({ status: 'eligible', ballots: [ballot] }), { kind: 'warn', sentences: ['mine.some_one', 'mine.advice'] });
  assert.deepEqual(verdictFor({ status: 'eligible', ballots: [ballot, ballot] }).sentences, ['mine.some:2', 'mine.advice']);
});
