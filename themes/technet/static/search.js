// eventref search page: direct hits (event ID, "Source ID", symbolic name),
// log-line lookup for pasted events, and Pagefind full-text search with filters.
// Everything is fetched relative to the page, so the site works under any base path.
import {
  parsePaste, lookup, looksLikePaste, fnv1a, normalize, directQuery, unknownSourceId, nearestIds, didYouMean, words, tooLong, slug,
  onePerEvent, needsMaps, valueInfo,
} from './lookup.js';
import { loadJson } from './data.js';

const app = document.getElementById('search-app');
const form = document.querySelector('.search-page-form');
const box = document.getElementById('q');
const status = document.getElementById('search-status');
const root = app.dataset.root;
const lang = app.dataset.lang;
const siteRoot = new URL(root, location.href);
const langRoot = new URL(`${lang}/`, siteRoot);
const t = (k) => app.dataset[`s${k[0].toUpperCase()}${k.slice(1)}`] || '';
const filterNames = ['source', 'category', 'level', 'version', 'log'];
const filterLabel = { source: 'filterSource', category: 'filterCategory', level: 'filterLevel', version: 'filterVersion', log: 'filterLog' };

// An offline copy (`eventref build --offline`): data from script twins, links
// to `…/index.html`, and no full-text search when opened from disk (file://).
const offline = app.dataset.offline === 'true';
const dirIndex = app.dataset.dirIndex || '';
const fromDisk = location.protocol === 'file:';
const json = (url) => loadJson(url, offline);
/** The page at directory path `u` (relative to the language root). */
const pageUrl = (u) => new URL(u + dirIndex, langRoot);
if (offline && fromDisk) {
  const notice = document.getElementById('offline-notice');
  if (notice) notice.hidden = false;
}

let metaPromise = null;
const meta = () => (metaPromise ??= json(new URL('lookup/meta.json', langRoot)));
const keyShard = async (key) => {
  const m = await meta();
  if (!m) return {};
  return (await json(new URL(`lookup/k/${fnv1a(key) % m.key_shards}.json`, langRoot))) || {};
};

/**
 * The events filed under `key` in the key shards. An event's whole entry is
 * filed under its ID; under its symbolic name is only its source and ID
 * (`{s, i}`, no `u`), whose entry is taken from the ID's shard.
 */
async function keyHits(key) {
  const list = (await keyShard(key))[key] || [];
  const hits = await Promise.all(list.map(async (h) => {
    if (h.u !== undefined) return h;
    const id = String(h.i);
    return ((await keyShard(id))[id] || []).find((e) => e.u !== undefined && e.s === h.s && e.i === h.i);
  }));
  return hits.filter(Boolean);
}

const cached = {};
const once = (name) => (cached[name] ??= json(new URL(`lookup/${name}.json`, langRoot)));
/** The sources of this language's events: [[name, url]], sorted by name. */
const sources = () => once('sources');

/** The source page of a source named `name`, if the reference has that source. */
async function sourceOf(name) {
  const want = slug(name);
  const list = (await sources()) || [];
  const hit = list.find(([s]) => slug(s) === want);
  return hit ? { name: hit[0], url: hit[1] } : null;
}

/**
 * Exact event ID, "Source ID" or symbolic name: { hits, notices }. A notice
 * says when the ID or the source and ID are not in this reference.
 */
async function directHits(q) {
  const d = directQuery(q);
  if (!d) return { hits: [], notices: [] };
  if (d.name) {
    const key = d.name.toLowerCase();
    return { hits: await keyHits(key), notices: [] };
  }
  const id = String(d.id);
  const all = d.id <= 65535 ? await keyHits(id) : [];
  if (d.source === undefined) {
    if (all.length) return { hits: all, notices: [] };
    const ids = (await once('ids')) || [];
    return { hits: [], notices: [{ kind: 'no-such-id', id: d.id, nearest: nearestIds(d.id, ids) }] };
  }
  const hits = all.filter((h) => slug(h.s) === slug(d.source));
  if (hits.length) return { hits, notices: [] };
  // "Send connector 5" is words, not a source: only a known source (or one
  // that looks like one, without spaces) is answered here.
  const src = await sourceOf(d.source);
  if (!src && /\s/.test(d.source)) return { hits: [], notices: [] };
  return { hits: [], notices: [{ kind: 'not-in-reference', source: d.source, id: d.id, sourcePage: src }] };
}

/** Log-line lookup: fetch only the template shards of the paste's words. { results, notices } */
async function pasteLookup(q) {
  const m = await meta();
  if (!m) return { results: [], notices: [] };
  const paste = parsePaste(q);
  // One entry per template: an event has one per version of its message.
  const found = new Map();
  const key = (e) => `${e.s}\u0000${e.i}\u0000${e.m}`;
  const add = (e) => found.set(key(e), e);
  // The key shards hold each event's current template: it goes first among its
  // event's templates, as in src/search/lookup/site.rs, so that ties keep it.
  const current = new Set();
  if (paste.id !== null) {
    for (const e of await keyHits(String(paste.id))) {
      add(e);
      current.add(key(e));
    }
  }
  if (paste.message) {
    // The same keys as src/search.rs files templates under: pairs of consecutive
    // words, and the few single words some template is filed under.
    const unigrams = new Set(m.unigrams);
    const words = normalize(paste.message).toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || [];
    const shards = new Set([fnv1a('') % m.template_shards]);
    words.forEach((w, i) => {
      if (unigrams.has(w)) shards.add(fnv1a(w) % m.template_shards);
      if (i + 1 < words.length) shards.add(fnv1a(`${w} ${words[i + 1]}`) % m.template_shards);
    });
    const lists = await Promise.all([...shards].map((s) => json(new URL(`lookup/t/${s}.json`, langRoot))));
    for (const list of lists) for (const e of list || []) add(e);
  }
  const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  const entries = [...found.values()].sort((a, b) => cmp(a.s, b.s) || a.i - b.i
    || current.has(key(b)) - current.has(key(a)) || cmp(a.m, b.m));
  const templates = entries.map((e) => ({ source: e.s, id: e.i, message: e.m }));
  const ranked = lookup(paste, templates);
  const notices = [];
  // A source and ID this reference lacks: say so (the key shard of the ID was
  // fetched, so every template with that ID is among the candidates).
  const unknown = paste.id !== null ? unknownSourceId(paste, templates) : null;
  if (unknown) notices.push({ kind: 'not-in-reference', source: unknown[0], id: unknown[1], sourcePage: await sourceOf(unknown[0]) });
  // Show the best matches; a far weaker match (a template that is mostly insertion strings) is noise.
  const best = ranked.length ? ranked[0].score : 0;
  const owner = (i) => `${entries[i].s}\u0000${entries[i].i}`;
  const kept = onePerEvent(ranked, owner).filter((r) => r.score >= best / 2).slice(0, 10);
  // Coded values are decoded with the language's value maps, fetched only when a result has one.
  const maps = needsMaps(kept.map((r) => entries[r.index])) ? await once('maps') : null;
  const results = kept.map((r) => {
    const e = entries[r.index];
    const values = r.values.map(([name, value]) => ({ name, value, ...valueInfo(e.f, name, value, maps) }));
    return { ...e, score: r.score, values, basis: r.basis };
  });
  return { results, notices };
}

let pagefind = null;
async function loadPagefind() {
  if (pagefind === null && fromDisk) pagefind = false;
  if (pagefind === null) {
    try {
      // One bundle per language; a large language's index comes in parts
      // (src/search.rs bounds the records per part), merged into the first.
      const parts = (await meta())?.index_parts || 1;
      const bundle = new URL(`pagefind/${lang}/`, siteRoot);
      pagefind = await import(new URL('pagefind.js', bundle).href);
      await pagefind.options({ baseUrl: siteRoot.pathname });
      await pagefind.init();
      for (let k = 1; k < parts; k++) {
        await pagefind.mergeIndex(new URL(`${k}/`, bundle).pathname, { baseUrl: siteRoot.pathname });
      }
      // Load the filter index now: search results only carry filter counts after this.
      await pagefind.filters();
    } catch {
      pagefind = false;
    }
  }
  return pagefind;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

/** A lookup match in words: "matches the message template exactly, 2 values". */
function why(e) {
  const b = e.basis || {};
  const n = e.values ? e.values.length : 0;
  const head = b.by === 'source-and-id' ? t('matchSourceId') : b.by === 'id' ? t('matchId')
    : n === 0 ? t('matchMessageText') : t('matchMessage');
  if (!n) return head;
  const cat = new Intl.PluralRules(lang).select(n);
  const form = app.dataset[`sValues${cat[0].toUpperCase()}${cat.slice(1)}`] ?? app.dataset.sValuesOther ?? '{count}';
  return `${head}, ${form.replace('{count}', String(n))}`;
}

function hitItem(e, extra) {
  const li = el('li', { class: 'hit' });
  li.append(el('a', { href: pageUrl(e.u).href, text: `${e.s} ${e.i}`, class: 'hit-title' }));
  if (e.n) li.append(' ', el('code', { text: e.n }));
  if (e.basis) li.append(' ', el('span', { class: 'hit-why', text: why(e) }));
  li.append(el('p', { class: 'hit-message', text: e.m, dir: 'auto' }));
  if (extra) li.append(extra);
  return li;
}

function valuesTable(e) {
  if (!e.values || !e.values.length) return null;
  const table = el('table', { class: 'values' });
  table.append(el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('insertionString') }),
    el('th', { scope: 'col', text: t('value') }), el('th', { scope: 'col', text: t('meaning') }))));
  const body = el('tbody');
  // As `eventref lookup` prints them: "%2 (LogonType)", "3 (Network)", "99 (not in the value map)".
  for (const { name, value, field, decoded, notInMap } of e.values) {
    const insert = el('td', {}, el('var', { class: 'insert', text: name }));
    if (field) insert.append(' (', el('code', { class: 'field', text: field }), ')');
    const cell = el('td', {}, el('mark', { class: 'value', text: value }));
    if (decoded !== null) cell.append(' (', el('span', { class: 'decoded', text: decoded, dir: 'auto' }), ')');
    else if (notInMap) cell.append(' ', el('span', { class: 'not-in-map', text: `(${t('lookupNotInMap')})` }));
    body.append(el('tr', {}, insert, cell, el('td', { text: (e.p || {})[name] || '', dir: 'auto' })));
  }
  table.append(body);
  return table;
}

function show(section, items) {
  const s = document.getElementById(section);
  const list = s.querySelector('.hits');
  list.replaceChildren(...items);
  s.hidden = items.length === 0;
}

const selectedFilters = {};

async function renderFilters(pf, counts) {
  const f = document.getElementById('filters');
  const groups = f.querySelector('.filter-groups');
  const focused = document.activeElement && f.contains(document.activeElement) ? document.activeElement.id : null;
  groups.replaceChildren();
  for (const name of filterNames) {
    const values = counts[name];
    if (!values || !Object.keys(values).length) continue;
    const fs = el('fieldset', { class: 'filter-group' }, el('legend', { text: t(filterLabel[name]) }));
    for (const [value, n] of Object.entries(values).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (n === 0 && !(selectedFilters[name] || []).includes(value)) continue;
      const id = `f-${name}-${fnv1a(value)}`;
      const box = el('input', { type: 'checkbox', id, name, value });
      box.checked = (selectedFilters[name] || []).includes(value);
      box.addEventListener('change', () => {
        const cur = new Set(selectedFilters[name] || []);
        if (box.checked) cur.add(value); else cur.delete(value);
        selectedFilters[name] = [...cur];
        run(false);
      });
      fs.append(el('div', { class: 'filter' }, box, el('label', { for: id, text: `${value} (${n})` })));
    }
    groups.append(fs);
  }
  f.hidden = groups.children.length === 0;
  // Rebuilding the checkboxes must not lose the keyboard focus.
  if (focused) document.getElementById(focused)?.focus();
}

/** "12 results", with the page language's plural rules. */
function countText(n) {
  const cat = new Intl.PluralRules(lang).select(n);
  const pick = app.dataset[`sCount${cat[0].toUpperCase()}${cat.slice(1)}`] ?? app.dataset.sCountOther ?? '{count}';
  return pick.replace('{count}', String(n));
}

/** Notices as paragraphs: why nothing matched, nearest IDs, a source's events, did-you-mean. */
function showNotices(notices) {
  const box = document.getElementById('search-notices');
  const searchLink = (q, text) => {
    const u = new URL(location.href);
    u.searchParams.set('q', q);
    return el('a', { href: u.href, text });
  };
  const ps = notices.map((n) => {
    const p = el('p', { class: `notice notice-${n.kind}` });
    if (n.kind === 'lookup-no-match') p.textContent = t('lookupNoMatch');
    else if (n.kind === 'too-long') p.textContent = t('pasteTooLong');
    else if (n.kind === 'no-such-id') {
      p.append(t('noSuchId').replace('{id}', String(n.id)));
      if (n.nearest.length) {
        p.append(' ', t('nearestIds'));
        n.nearest.forEach((i, k) => p.append(k ? ', ' : ' ', searchLink(String(i), String(i))));
      }
    } else if (n.kind === 'not-in-reference') {
      p.append(t('notInReference').replace('{event}', `${n.source} ${n.id}`));
      if (n.sourcePage) p.append(' ', el('a', { href: pageUrl(n.sourcePage.url).href, text: t('sourceEventsInReference').replace('{source}', n.sourcePage.name) }));
    } else if (n.kind === 'did-you-mean') {
      p.append(t('didYouMean'), ' ', searchLink(n.query, n.query));
    }
    return p;
  });
  box.replaceChildren(...ps);
  box.hidden = ps.length === 0;
}

/** Did-you-mean for the words of `q` that no article uses: a corrected query, or null. */
async function suggestion(q) {
  const ws = words(q);
  if (!ws.length) return null;
  const vocab = await once('words');
  if (!vocab) return null;
  let changed = false;
  let out = q;
  for (const w of new Set(ws)) {
    const s = didYouMean(w, vocab);
    if (s) {
      changed = true;
      out = out.split(/([^\p{Alphabetic}]+)/u).map((part) => (part.toLowerCase() === w ? s : part)).join('');
    }
  }
  return changed ? out : null;
}

let generation = 0;
async function run(updateUrl = true) {
  const q = box.value;
  const mine = ++generation;
  if (updateUrl) {
    const u = new URL(location.href);
    if (q.trim()) u.searchParams.set('q', q); else u.searchParams.delete('q');
    history.replaceState(null, '', u);
  }
  const textHeading = document.getElementById('text-results-h');
  textHeading.textContent = textHeading.dataset.plain;
  if (!q.trim()) {
    for (const s of ['direct-hits', 'lookup-results', 'text-results']) show(s, []);
    showNotices([]);
    status.textContent = '';
    return;
  }
  if (tooLong(q)) {
    for (const s of ['direct-hits', 'lookup-results', 'text-results']) show(s, []);
    document.getElementById('filters').hidden = true;
    showNotices([{ kind: 'too-long' }]);
    status.textContent = t('pasteTooLong');
    return;
  }
  status.textContent = t('searching');
  const pasted = looksLikePaste(q);
  const [direct, looked] = await Promise.all([directHits(q), pasted ? pasteLookup(q) : Promise.resolve({ results: [], notices: [] })]);
  if (mine !== generation) return;
  const notices = [...direct.notices, ...looked.notices];
  const pastedMessage = pasted ? parsePaste(q).message : null;
  if (pasted && looked.results.length === 0 && !looked.notices.length) notices.unshift({ kind: 'lookup-no-match' });
  show('direct-hits', direct.hits.map((e) => hitItem(e)));
  show('lookup-results', looked.results.map((e) => hitItem(e, valuesTable(e))));
  showNotices(notices);
  // Pages already shown as exact or lookup matches are not counted (or shown) twice.
  const shown = new Set([...direct.hits, ...looked.results].map((e) => pageUrl(e.u).href));
  let textCount = 0;
  // A pasted event is answered by the lookup; full-text search of its values
  // would only add noise. Without a lookup answer, search the message's words.
  const textQuery = !pasted ? q : looked.results.length || !pastedMessage ? null : normalize(pastedMessage).split(' ').slice(0, 12).join(' ');
  if (pasted && textQuery) textHeading.textContent = t('resultsTextFallback');
  // Pagefind (about 170 KB with its filters) is only fetched when full-text search runs.
  const pf = textQuery ? await loadPagefind() : pagefind !== false;
  if (pf && textQuery) {
    const filters = Object.fromEntries(Object.entries(selectedFilters).filter(([, v]) => v.length).map(([k, v]) => [k, { any: v }]));
    const r = await pf.search(textQuery, { filters });
    if (mine !== generation) return;
    const data = await Promise.all((r ? r.results.slice(0, 20) : []).map((x) => x.data()));
    if (mine !== generation) return;
    const fresh = data.filter((d) => !shown.has(new URL(d.url, location.href).href));
    textCount = r ? r.results.length - (data.length - fresh.length) : 0;
    show('text-results', fresh.map((d) => {
      const li = el('li', { class: 'hit' });
      li.append(el('a', { href: d.url, class: 'hit-title', text: d.meta.title || d.url }));
      if (d.meta.level) li.append(' ', el('span', { class: 'hit-level', text: d.meta.level }));
      const ex = el('p', { class: 'hit-excerpt' });
      ex.innerHTML = d.excerpt; // Pagefind escapes the text; only <mark> is markup.
      li.append(ex);
      return li;
    }));
    await renderFilters(pf, (r && r.filters) || {});
  }
  const total = direct.hits.length + looked.results.length + textCount;
  status.textContent = total ? countText(total) + (pf ? '' : ` ${t('unavailable')}`) : (pf ? t('noResults') : `${t('noResults')} ${t('unavailable')}`);
  document.getElementById('text-results').hidden = !pf || !textQuery || textCount === 0;
  if (!textQuery) document.getElementById('filters').hidden = true;
  // Words that no article uses: suggest the closest words the reference does use.
  const dq = directQuery(q);
  if (!pasted && !direct.hits.length && !(dq && dq.id !== undefined)) {
    const better = await suggestion(q);
    if (mine !== generation) return;
    if (better) showNotices([...notices, { kind: 'did-you-mean', query: better }]);
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  run();
});
let timer = null;
box.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(() => run(), 200);
});
box.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !looksLikePaste(box.value)) {
    ev.preventDefault();
    run();
  }
});
const initial = new URL(location.href).searchParams.get('q');
if (initial) {
  box.value = initial;
  run(false);
}
app.dataset.ready = 'true';
