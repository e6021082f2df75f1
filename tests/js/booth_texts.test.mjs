// The booth's choice of the manifest's texts in the voter's language (voting/booth/static/js/booth/manifest_text.js,
// issue 18: the voter's language when the manifest declares it, else its default, with a stated fallback; never
// a raw info key), and the schedule's sentences (schedule_view.js), with a catalogue that echoes each key.

import assert from 'node:assert/strict';
import test from 'node:test';

const KEYS = [
  'info.jurisdiction', 'info.date', 'info.notice', 'info.organizer', 'info.location', 'info.contact', 'info.description',
  'info.purpose', 'info.other', 'cancelled.no_votes',
];
const catalogue = Object.fromEntries(KEYS.map((key) => [key, key]));
Object.assign(catalogue, {
  'texts.fallback': 'not in %(language)s, shown in %(fallback)s',
  'schedule.opens': 'opens %(when)s (%(zone)s)',
  'schedule.closes': 'closes %(when)s (%(zone)s)',
  'schedule.closed': 'closed %(when)s (%(zone)s)',
  'schedule.late': 'late %(when)s (%(zone)s)',
  'cancelled.reason': 'reason: %(reason)s',
  'cancelled.when': 'cancelled %(when)s (%(zone)s)',
});
globalThis.document = { getElementById: (id) => (id === 'booth-strings' ? { textContent: JSON.stringify(catalogue) } : null) };

const texts = await import('../../voting/booth/static/js/booth/manifest_text.js');
const schedule = await import('../../voting/booth/static/js/booth/schedule_view.js');

const BILINGUAL = {
  label: 'city-2026',
  languages: ['en', 'fr', 'pt-BR'],
  title: { en: 'City election', fr: 'Élection municipale', 'pt-BR': 'Eleição municipal' },
  contests: [{ label: 'mayor', title: { en: 'Mayor', fr: 'Maire' }, votes_allowed: 1,
    options: [{ label: 'a', name: 'Alice Martin', description: { en: 'Teacher', fr: 'Enseignante' } }] }],
  ballot_styles: [{ label: 'south', name: { en: 'South Ward', fr: 'Quartier sud' }, contests: ['mayor'] }, { label: 'north', contests: ['mayor'] }],
  info: {
    jurisdiction: { en: 'Riverton', fr: 'Rivièreville' },
    polling: { label: { en: 'Polling', fr: 'Scrutin' }, value: { en: 'Online', fr: 'En ligne' } },
    'style.north': 'North Ward',
    custom_key: 'Something',
  },
};

test('the voter language is chosen when declared, by tag or by primary language', () => {
  assert.deepEqual(texts.textChoice(BILINGUAL, 'fr'), { languages: ['en', 'fr', 'pt-BR'], language: 'fr', wanted: 'fr', fallback: false });
  assert.equal(texts.textChoice(BILINGUAL, 'pt').language, 'pt-BR');
  assert.equal(texts.matchLanguage(['en', 'fr'], 'fr-CA'), 'fr');
  assert.equal(texts.matchLanguage(['en', 'fr'], ''), null);
});

test('an undeclared language falls back to the default (the first declared), with a stated sentence', () => {
  const choice = texts.textChoice(BILINGUAL, 'de');
  assert.deepEqual(choice, { languages: ['en', 'fr', 'pt-BR'], language: 'en', wanted: 'de', fallback: true });
  assert.deepEqual(texts.pickText(BILINGUAL.title, choice), { text: 'City election', lang: 'en' });
  const names = texts.languageNamer('de');
  assert.equal(texts.fallbackNotice(choice, names), 'not in Deutsch, shown in Englisch');
  assert.equal(texts.fallbackNotice(texts.textChoice(BILINGUAL, 'fr'), names), null);
});

test('a map without the chosen language shows its default text, marked with its language', () => {
  const choice = texts.textChoice(BILINGUAL, 'pt');
  assert.deepEqual(texts.pickText(BILINGUAL.contests[0].title, choice), { text: 'Mayor', lang: 'en' });
  assert.deepEqual(texts.pickText(BILINGUAL.title, choice), { text: 'Eleição municipal', lang: 'pt-BR' });
});

test('plain strings are the same in every language; labels only where no text exists', () => {
  const fr = texts.textChoice(BILINGUAL, 'fr');
  assert.deepEqual(texts.pickText('Alice Martin', fr), { text: 'Alice Martin', lang: null });
  assert.equal(texts.pickText('', fr), null);
  assert.equal(texts.pickText(['x'], fr), null);
  assert.deepEqual(texts.textOr(undefined, fr, 'mayor'), { text: 'mayor', lang: null });
  assert.deepEqual(texts.electionTitle(BILINGUAL, fr, 'id'), { text: 'Élection municipale', lang: 'fr' });
  assert.deepEqual(texts.electionTitle({ label: 'Old title' }, fr, 'id'), { text: 'Old title', lang: null });
  assert.deepEqual(texts.electionTitle({}, fr, 'id'), { text: 'id', lang: null });
});

test('a manifest without languages: its strings, no fallback, a map refused as no text', () => {
  const choice = texts.textChoice({ label: 'x' }, 'de');
  assert.deepEqual(choice, { languages: [], language: null, wanted: 'de', fallback: false });
  assert.equal(texts.pickText({ en: 'Mayor' }, choice), null);
  assert.deepEqual(texts.textChoice({ languages: ['EN'] }, 'en').languages, []); // not a tag: not declared
});

test('ballot styles: the display name, else the old "style.<label>" info line, else the label', () => {
  const fr = texts.textChoice(BILINGUAL, 'fr');
  assert.equal(texts.styleName(BILINGUAL, 'south', fr).text, 'Quartier sud');
  assert.equal(texts.styleName(BILINGUAL, 'north', fr).text, 'North Ward');
  assert.equal(texts.styleName(BILINGUAL, 'east', fr).text, 'east');
});

test('info lines: labels and values in the language, known keys named, never a raw key', () => {
  const items = texts.infoItems(BILINGUAL, texts.textChoice(BILINGUAL, 'fr'));
  assert.deepEqual(items.map(({ label, value }) => [label.text, value.text]), [
    ['info.jurisdiction', 'Rivièreville'], ['Scrutin', 'En ligne'], ['info.other', 'Something'],
  ]);
  const old = texts.infoItems({ info: { date: '2026-11-03', notice: 'Bring ID', n: 3, bad: null } }, texts.textChoice({}, 'en'));
  assert.deepEqual(old.map(({ key, label, value }) => [key, label.text, value.text]),
    [['date', 'info.date', '2026-11-03'], ['notice', 'info.notice', 'Bring ID'], ['n', 'info.other', '3']]);
});

test('isolation: a right-to-left page or right-to-left letters get first-strong isolates, nothing else', () => {
  assert.equal(texts.isolated({ text: 'Mayor' }, 'ltr'), 'Mayor');
  assert.equal(texts.isolated({ text: 'Mayor' }, 'rtl'), '\u2068Mayor\u2069');
  assert.equal(texts.isolated('عمدة', 'ltr'), '\u2068عمدة\u2069');
});

const at = (text) => schedule.parseUtc(text);
const SCHEDULED = { schedule: { opens_at: '2026-12-01T08:00:00Z', closes_at: '2026-12-03T17:00:00Z' } };

test('UTC times are read strictly', () => {
  assert.equal(at('2026-12-03T17:00:00Z'), Date.UTC(2026, 11, 3, 17));
  for (const bad of ['2026-02-31T00:00:00Z', '2026-12-03 17:00:00Z', '2026-12-03T17:00:00+01:00', null]) assert.equal(at(bad), null);
  assert.equal(schedule.scheduleOf({ schedule: { opens_at: '2026-12-03T17:00:00Z', closes_at: '2026-12-01T08:00:00Z' } }), null);
});

test('the schedule in sentences: tense from the phase and the clock', () => {
  const statements = (phase, now) => schedule.scheduleStatements({ ...SCHEDULED, phase }, at(now)).map(([key]) => key);
  assert.deepEqual(statements('ready', '2026-11-30T00:00:00Z'), ['schedule.opens', 'schedule.closes']);
  assert.deepEqual(statements('ready', '2026-12-02T00:00:00Z'), ['schedule.late', 'schedule.closes']);
  assert.deepEqual(statements('open', '2026-12-02T00:00:00Z'), ['schedule.closes']);
  assert.deepEqual(statements('open', '2026-12-03T17:00:00Z'), ['schedule.closed']);
  assert.deepEqual(statements('tallied', '2026-12-02T00:00:00Z'), ['schedule.closed']);
  assert.deepEqual(statements('cancelled', '2026-12-02T00:00:00Z'), []);
  assert.deepEqual(schedule.scheduleStatements({ phase: 'open', schedule: null }, 0), []);
  assert.ok(schedule.closedBySchedule({ ...SCHEDULED, phase: 'open' }, at('2026-12-03T17:00:01Z')));
  assert.ok(!schedule.closedBySchedule({ ...SCHEDULED, phase: 'open' }, at('2026-12-03T16:59:59Z')));
});

test('times in the voter\'s zone and language, the zone named', () => {
  const [sentence] = schedule.scheduleSentences({ ...SCHEDULED, phase: 'open' }, 'fr', at('2026-12-02T00:00:00Z'), 'Europe/Paris');
  assert.match(sentence, /^closes jeudi 3 décembre 2026 à 18:00 \(.*Europe centrale\)$/);
  const { when, zone } = schedule.formatMoment(at('2026-12-03T17:00:00Z'), 'en', 'America/New_York');
  assert.match(when, /Thursday, December 3, 2026 at 12:00\sPM/);
  assert.equal(zone, 'Eastern Time');
});

test('a cancelled election: the reason, when, and what it means', () => {
  const context = { phase: 'cancelled', cancelled: { reason: 'Wrong trustee key', at: '2026-12-02T09:30:00Z' } };
  assert.ok(schedule.isCancelled(context) && schedule.isCancelled({ phase: 'x', cancelled: {} }) && !schedule.isCancelled({ phase: 'open', cancelled: null }));
  const sentences = schedule.cancelledSentences(context, 'en', 'UTC');
  assert.equal(sentences[0], 'reason: Wrong trustee key');
  assert.match(sentences[1], /^cancelled Wednesday, December 2, 2026 at 9:30\sAM \(/);
  assert.equal(sentences[2], 'cancelled.no_votes');
});
