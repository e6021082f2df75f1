// The manifest's display texts in the voter's language (record format §2, issue 18). A manifest may declare
// "languages": ["en", "fr", ...], the first its default; each display text (the title, contest titles and
// descriptions, option names and descriptions, ballot style names, the info block's labels and values) is then
// a plain string (the same in every language: a name) or a map { tag: text } that holds at least the default.
// The booth shows the voter's booth language when the manifest declares it (the same tag, or a tag of the same
// primary language: "pt" finds "pt-BR"), else the default language, and says so (fallbackNotice). A map text
// that lacks the chosen language shows its default-language text, marked with its own lang. Labels are
// identifiers, never shown where a text exists. Everything here is pure except textNode (a DOM element).

import { el } from './dom.js';
import { t } from './i18n.js';

const TAG = /^[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}))?$/;

/** The manifest's declared languages (its "languages", the first the default), or [] for a manifest without. */
export function declaredLanguages(manifest) {
  const list = manifest?.languages;
  if (!Array.isArray(list) || list.length === 0) return [];
  return list.every((tag) => typeof tag === 'string' && TAG.test(tag)) ? [...list] : [];
}

/** The declared tag that serves booth language `lang`: the same tag, else the first of the same primary
 * language, else null. */
export function matchLanguage(languages, lang) {
  if (typeof lang !== 'string' || lang === '') return null;
  if (languages.includes(lang)) return lang;
  const primary = lang.split('-')[0].toLowerCase();
  return languages.find((tag) => tag.split('-')[0] === primary) ?? null;
}

/**
 * Which language the manifest's texts are shown in for booth language `lang`: { languages, language (the tag
 * used, null for a manifest that declares none), wanted (lang), fallback (true when lang is not declared and the
 * default is shown instead) }.
 */
export function textChoice(manifest, lang) {
  const languages = declaredLanguages(manifest);
  if (languages.length === 0) return { languages, language: null, wanted: lang, fallback: false };
  const match = matchLanguage(languages, lang);
  return { languages, language: match ?? languages[0], wanted: lang, fallback: match === null };
}

/**
 * One display text in the chosen language: { text, lang } where lang is the tag of a map's text (null for a plain
 * string, which is the same in every language), or null when the value is no usable text.
 */
export function pickText(value, choice) {
  if (typeof value === 'number' && Number.isFinite(value)) return { text: String(value), lang: null };
  if (typeof value === 'string') return value === '' ? null : { text: value, lang: null };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  for (const tag of [choice.language, ...choice.languages]) {
    if (tag !== null && Object.hasOwn(value, tag) && typeof value[tag] === 'string' && value[tag] !== '') {
      return { text: value[tag], lang: tag };
    }
  }
  return null; // a map without the declared languages: the board refuses such a manifest
}

/** A text, or `fallback` (a label) as a plain text when the value is none. */
export function textOr(value, choice, fallback) {
  return pickText(value, choice) ?? { text: String(fallback), lang: null };
}

// Keys of an old manifest's "info" (plain strings, no label) that the booth names in the voter's language.
// "style.<label>" keys were the old way to name ballot styles: they name the style, not an info line.
const INFO_LABELS = {
  jurisdiction: () => t('info.jurisdiction'),
  date: () => t('info.date'),
  notice: () => t('info.notice'),
  organizer: () => t('info.organizer'),
  location: () => t('info.location'),
  contact: () => t('info.contact'),
  description: () => t('info.description'),
  purpose: () => t('info.purpose'),
};

/**
 * The info block as [{ label, value }] (each a pickText result): an entry { label, value } gives both texts; a
 * plain text under a known key gets that key's name in the booth language; under another key the line is
 * labelled "More information". A raw key is never shown. "style.<label>" entries name ballot styles instead.
 */
export function infoItems(manifest, choice) {
  const info = manifest?.info;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) return [];
  const items = [];
  for (const [key, raw] of Object.entries(info)) {
    if (key.startsWith('style.')) continue;
    const labelled = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && Object.hasOwn(raw, 'value');
    const value = pickText(labelled ? raw.value : raw, choice);
    if (value === null) continue;
    const label = (labelled ? pickText(raw.label, choice) : null)
      ?? { text: Object.hasOwn(INFO_LABELS, key) ? INFO_LABELS[key]() : t('info.other'), lang: null };
    items.push({ key, label, value });
  }
  return items;
}

/** The election's title: "title", else "label" (an identifier, but the only title an old manifest has). */
export function electionTitle(manifest, choice, fallback) {
  return pickText(manifest?.title, choice) ?? textOr(manifest?.label, choice, fallback);
}

/** A ballot style's display name: its "name", else the old info key "style.<label>", else its label. */
export function styleName(manifest, label, choice) {
  const style = (manifest?.ballot_styles ?? []).find((s) => s?.label === label);
  return pickText(style?.name, choice) ?? pickText(manifest?.info?.[`style.${label}`], choice) ?? { text: String(label), lang: null };
}

/** The sentence saying that the texts are shown in the default language, or null when no fallback is needed.
 * `names(tag)` gives a language's name in the page language. */
export function fallbackNotice(choice, names) {
  if (!choice.fallback) return null;
  return t('texts.fallback', { language: names(choice.wanted), fallback: names(choice.language) });
}

/** A language's name in the page's language (Intl.DisplayNames), or the tag itself. */
export function languageNamer(pageLang) {
  let names = null;
  try {
    names = new Intl.DisplayNames([pageLang], { type: 'language' });
  } catch {
    names = null;
  }
  return (tag) => {
    try {
      return names?.of(tag) ?? tag;
    } catch {
      return tag;
    }
  };
}

/** A text as a bidi-isolated element (<bdi>: its own direction, whatever the page's), with its language when
 * that is not the page's. */
export function textNode(picked, pageLang, tag = 'bdi') {
  const lang = picked.lang && picked.lang !== pageLang ? picked.lang : null;
  return el(tag, { lang, dir: tag === 'bdi' ? null : 'auto' }, picked.text);
}

const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

function pageDirection() {
  return globalThis.document?.documentElement?.dir === 'rtl' ? 'rtl' : 'ltr';
}

/**
 * A text for a sentence or the window title, wrapped in first-strong isolates (U+2068 … U+2069) whenever its
 * direction may differ from the page's (a right-to-left page, or right-to-left letters in the text), so that
 * "Mayor" keeps its place in an Arabic sentence; a left-to-right text in a left-to-right page is left as it is.
 */
export function isolated(picked, pageDir = pageDirection()) {
  const text = typeof picked === 'string' ? picked : picked.text;
  return pageDir === 'rtl' || RIGHT_TO_LEFT.test(text) ? `\u2068${text}\u2069` : text;
}
