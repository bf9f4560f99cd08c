// eventref /go/: where Event Viewer's "Event Log Online Help" link lands.
//
// Event Viewer appends the event's details to the URL an administrator set:
//   go/?CoName=…&ProdName=…&ProdVer=…&FileName=…&FileVer=…&EvtSrc=Service%20Control%20Manager&EvtID=7036&LCID=1031
// This script reads them (names in any case), keeps the low 16 bits of the
// event ID (Event Viewer may pass the 32-bit value with its qualifier bits),
// maps the locale ID to one of the site's languages (the default when none
// fits), finds the event in that language's lookup tables and replaces this
// page with the event's article. When the reference does not have the event it
// goes to the search page for the source and ID, whose #not-in-reference notice
// says so. Only files of this site are fetched, relative to this page.
import { fnv1a, slug } from './lookup.js';
import { loadJson } from './data.js';

// Windows locale IDs: the primary language (low 10 bits) → language subtag.
const PRIMARY = {
  0x01: 'ar', 0x02: 'bg', 0x03: 'ca', 0x04: 'zh', 0x05: 'cs', 0x06: 'da', 0x07: 'de', 0x08: 'el', 0x09: 'en',
  0x0a: 'es', 0x0b: 'fi', 0x0c: 'fr', 0x0d: 'he', 0x0e: 'hu', 0x0f: 'is', 0x10: 'it', 0x11: 'ja', 0x12: 'ko',
  0x13: 'nl', 0x14: 'nb', 0x15: 'pl', 0x16: 'pt', 0x18: 'ro', 0x19: 'ru', 0x1a: 'hr', 0x1b: 'sk', 0x1d: 'sv',
  0x1e: 'th', 0x1f: 'tr', 0x20: 'ur', 0x21: 'id', 0x22: 'uk', 0x24: 'sl', 0x25: 'et', 0x26: 'lv', 0x27: 'lt',
  0x29: 'fa', 0x2a: 'vi', 0x2d: 'eu', 0x39: 'hi', 0x3e: 'ms', 0x56: 'gl',
};
// Full locale IDs whose region or script a site may use as its language code.
const FULL = {
  0x0404: ['zh-TW', 'zh-Hant'], 0x0804: ['zh-CN', 'zh-Hans'], 0x0c04: ['zh-HK', 'zh-Hant'], 0x1004: ['zh-SG', 'zh-Hans'],
  0x0416: ['pt-BR'], 0x0816: ['pt-PT'], 0x0409: ['en-US'], 0x0809: ['en-GB'], 0x0c0a: ['es-ES'], 0x080a: ['es-MX'],
  0x040c: ['fr-FR'], 0x0c0c: ['fr-CA'], 0x0407: ['de-DE'], 0x0807: ['de-CH'], 0x0c07: ['de-AT'], 0x0414: ['nb-NO', 'no'],
  0x0814: ['nn-NO', 'nn'], 0x081a: ['sr-Latn'], 0x0c1a: ['sr-Cyrl'], 0x241a: ['sr-Latn'], 0x281a: ['sr-Cyrl'],
};

/** The query parameters, by lower-case name (the first of repeated names wins). */
export function params(search) {
  const out = new Map();
  for (const [k, v] of new URLSearchParams(search)) {
    const key = k.toLowerCase();
    if (!out.has(key)) out.set(key, v.trim());
  }
  return out;
}

/** An event ID as Event Viewer may send it (decimal, signed or not, or hex): its low 16 bits, or null. */
export function eventId(v) {
  if (!v) return null;
  const t = v.trim();
  if (/^-?\d{1,10}$/.test(t)) return Number(t) & 0xffff;
  if (/^0x[0-9a-f]{1,8}$/i.test(t)) return Number.parseInt(t.slice(2), 16) & 0xffff;
  return null;
}

/** The site language for a Windows locale ID (decimal or 0x hex), else `fallback`. */
export function languageFor(lcid, languages, fallback) {
  const t = (lcid || '').trim();
  const n = /^\d{1,10}$/.test(t) ? Number(t) : /^0x[0-9a-f]{1,8}$/i.test(t) ? Number.parseInt(t.slice(2), 16) : NaN;
  if (!Number.isInteger(n)) return fallback;
  const primary = PRIMARY[n & 0x3ff];
  if (!primary) return fallback;
  const want = [...(FULL[n & 0xffff] || []), primary].map((c) => c.toLowerCase());
  for (const w of want) {
    const exact = languages.find((l) => l.toLowerCase() === w);
    if (exact) return exact;
  }
  return languages.find((l) => l.toLowerCase().split('-')[0] === primary) || fallback;
}

/** Where to send the reader: the event's page, or the search page with a notice. */
export async function destination(query, app, base) {
  const p = params(query);
  const languages = app.dataset.languages.split(' ').filter(Boolean);
  const lang = languageFor(p.get('lcid'), languages, app.dataset.default);
  const siteRoot = new URL(app.dataset.root, base);
  const langRoot = new URL(`${lang}/`, siteRoot);
  // An offline copy: data from script twins, links to `…/index.html`.
  const offline = app.dataset.offline === 'true';
  const dirIndex = app.dataset.dirIndex || '';
  const json = (url) => loadJson(url, offline);
  const source = p.get('evtsrc') || '';
  const id = eventId(p.get('evtid'));
  if (id === null) {
    return source ? new URL(`search/${dirIndex}?q=${encodeURIComponent(source)}`, langRoot) : new URL(dirIndex, langRoot);
  }
  const q = source ? `${source} ${id}` : String(id);
  const results = new URL(`search/${dirIndex}?q=${encodeURIComponent(q)}`, langRoot);
  const meta = await json(new URL('lookup/meta.json', langRoot));
  if (meta && meta.key_shards) {
    const shard = (await json(new URL(`lookup/k/${fnv1a(String(id)) % meta.key_shards}.json`, langRoot))) || {};
    // Entries (with a page, `u`) only: a symbolic name that is all digits
    // files a reference to its event under the same key.
    const hits = (shard[String(id)] || []).filter((h) => h.u !== undefined && (!source || slug(h.s) === slug(source)));
    // One event: its page. Several (an ID without a source): the search page lists them.
    if (hits.length === 1) return new URL(hits[0].u + dirIndex, langRoot);
    if (hits.length > 1) return results;
  }
  results.hash = 'not-in-reference';
  return results;
}

const app = typeof document === 'undefined' ? null : document.getElementById('go');
if (app) {
  const status = document.getElementById('go-status');
  destination(location.search, app, location.href).then((url) => {
    status.textContent = url.href;
    location.replace(url.href);
  });
}
