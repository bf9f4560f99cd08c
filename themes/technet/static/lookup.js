// eventref log-line lookup, in the browser. The same algorithm as src/search/lookup/;
// both run the shared vectors in tests/lookup-vectors.json.
//
// Matching rules: case-insensitive (per character), whitespace runs collapsed,
// trailing periods ignored; the template's literal pieces must appear in order
// (the first at the start, the last at the end, each middle one at its first
// occurrence) and each insertion string takes what lies between. No regex runs
// over the reader's text: every scan here is linear in its length (times a
// template piece's length at most), and input over 64 KB is refused.
//
// Score: the share of the pasted text covered by the template's literal text
// (rounded to 3 decimals); an exact source and ID from a text block or XML
// scores 2 (1.5 for the ID alone). A message match only counts when it is
// confident (see `confident`): otherwise nothing in this reference matches.

const chars = (s) => [...s].length;

/** The most text lookup reads (UTF-8 bytes), like MAX_PASTE_BYTES in src/lookup.rs. */
export const MAX_PASTE_BYTES = 64 * 1024;
export const tooLong = (s) => s.length > MAX_PASTE_BYTES / 3 && new TextEncoder().encode(s).length > MAX_PASTE_BYTES;

// Rust's char::is_whitespace.
const WS = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
const isSpace = (c) => WS.test(c);

export function normalize(s) {
  const out = s.split(WS).filter(Boolean).join(' ');
  let end = out.length;
  while (end > 0 && (out[end - 1] === '.' || out[end - 1] === ' ')) end--;
  return out.slice(0, end);
}

/** Per-character case folding, like `fold` in src/lookup.rs. */
const fold = (c) => {
  const l = c.toLowerCase();
  return l.length === c.length || chars(l) === 1 ? l : [...l][0];
};
const isAlnum = (c) => /^[\p{Alphabetic}\p{N}]$/u.test(c);

/** Split a message template into text and insertion strings, like src/message.rs. */
export function parseTemplate(t) {
  const out = [];
  let text = '';
  let i = 0;
  const flush = () => { if (text) { out.push({ kind: 'text', text }); text = ''; } };
  while (i < t.length) {
    const c = t[i];
    if (c === '%' && i + 1 < t.length) {
      if (t[i + 1] === '%') { text += '%%'; i += 2; continue; }
      const m = /^[1-9][0-9]?/.exec(t.slice(i + 1, i + 3));
      if (m) {
        let end = i + 1 + m[0].length;
        const name = t.slice(i, end);
        if (t[end] === '!') {
          const close = t.indexOf('!', end + 1);
          if (close >= 0) end = close + 1;
        }
        flush();
        out.push({ kind: 'insert', name, raw: t.slice(i, end) });
        i = end;
        continue;
      }
    }
    if (c === '{') {
      const m = /^\{[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z0-9_]+)*\}/.exec(t.slice(i));
      if (m) {
        flush();
        out.push({ kind: 'insert', name: m[0], raw: m[0] });
        i += m[0].length;
        continue;
      }
    }
    const cp = t.codePointAt(i);
    text += String.fromCodePoint(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  flush();
  return out;
}

export function inserts(t) {
  const seen = [];
  for (const s of parseTemplate(t)) if (s.kind === 'insert' && !seen.includes(s.name)) seen.push(s.name);
  return seen;
}

function piece(text) {
  const cs = [...text].map(fold);
  const spaceAfter = cs.map((c, k) => (c === '.' || c === ':') && k + 1 < cs.length && isAlnum(cs[k + 1]));
  return { cs, spaceAfter, maxLen: cs.length + spaceAfter.filter(Boolean).length };
}

/** Where piece `p` ends if it matches the folded input at `at`, else -1. */
function matchAt(p, input, at) {
  let pos = at;
  for (let k = 0; k < p.cs.length; k++) {
    if (input[pos] !== p.cs[k]) return -1;
    pos++;
    if (p.spaceAfter[k] && input[pos] === ' ') pos++;
  }
  return pos;
}

function compile(template) {
  const pieces = [''];
  let literalLen = 0;
  let literalAlnum = 0;
  let anchor = '';
  const names = [];
  for (const seg of parseTemplate(normalize(template))) {
    if (seg.kind === 'text') {
      const cs = [...seg.text];
      literalLen += cs.length;
      literalAlnum += cs.filter(isAlnum).length;
      const lower = [...seg.text.trim()].map(fold).join('');
      if (chars(lower) > chars(anchor)) anchor = lower;
      pieces[pieces.length - 1] += seg.text;
    } else {
      names.push(seg.name);
      pieces.push('');
    }
  }
  return { pieces: pieces.map(piece), literalLen, literalAlnum, anchor, names };
}

/** The insert values (untrimmed) if the compiled template matches, else null. */
function matchInput(c, orig, input) {
  const n = input.length;
  let pos = matchAt(c.pieces[0], input, 0);
  if (pos < 0) return null;
  const k = c.pieces.length;
  if (k === 1) return pos === n ? [] : null;
  const values = [];
  for (const p of c.pieces.slice(1, k - 1)) {
    let start = -1;
    let end = -1;
    for (let s = pos; s <= n; s++) {
      end = matchAt(p, input, s);
      if (end >= 0) { start = s; break; }
    }
    if (start < 0) return null;
    values.push(orig.slice(pos, start).join(''));
    pos = end;
  }
  const last = c.pieces[k - 1];
  let start = -1;
  for (let s = Math.max(n - last.maxLen, pos); s <= n; s++) {
    if (matchAt(last, input, s) === n) { start = s; break; }
  }
  if (start < 0) return null;
  values.push(orig.slice(pos, start).join(''));
  return values;
}

// The confidence rule, the same constants as src/lookup.rs.
export const MIN_LITERAL = 4;
export const MIN_EXPLAINED = 0.2;
export const MIN_SHARE = 0.25;
export const VALUE_WEIGHT = 4;

/** Whether a message match is confident (see `confident` in src/lookup.rs). */
export function confident(literalAlnum, inserts, explained) {
  const share = literalAlnum / Math.max(literalAlnum + VALUE_WEIGHT * inserts, 1);
  return literalAlnum >= MIN_LITERAL && explained >= MIN_EXPLAINED && share >= MIN_SHARE;
}

const round3 = (x) => Math.round(x * 1000) / 1000;
const cache = new Map();
const compiled = (m) => {
  let c = cache.get(m);
  if (!c) {
    if (cache.size > 5000) cache.clear();
    c = compile(m);
    cache.set(m, c);
  }
  return c;
};

/** Every template whose literal text matches, confident or not; best first. */
export function allMatches(text, templates) {
  const orig = [...normalize(text)];
  const input = orig.map(fold);
  const lower = input.join('');
  const total = Math.max(orig.length, 1);
  const out = [];
  templates.forEach((t, index) => {
    const c = compiled(t.message);
    if (!lower.includes(c.anchor)) return;
    const found = matchInput(c, orig, input);
    if (!found) return;
    const values = [];
    c.names.forEach((name, i) => {
      if (!values.some(([k]) => k === name)) values.push([name, found[i].trim()]);
    });
    out.push({
      index,
      score: round3(Math.min(c.literalLen, total) / total),
      values,
      basis: { by: 'message', literal: c.literalAlnum, inserts: values.length },
    });
  });
  out.sort((a, b) => b.score - a.score || a.index - b.index);
  return out;
}

/** Match a pasted message against templates [{source, id, message}]: confident matches, best first. */
export function matchMessage(text, templates) {
  return allMatches(text, templates).filter((m) => confident(m.basis.literal, m.basis.inserts, m.score));
}

/** A match in words, like Match::describe in src/lookup.rs. */
export function describe(m) {
  const n = m.values ? m.values.length : 0;
  const values = n === 0 ? '' : n === 1 ? ', 1 value' : `, ${n} values`;
  const b = m.basis || {};
  if (b.by === 'source-and-id') return b.message ? `same source and event ID, and the message matches its template${values}` : `same source and event ID${values}`;
  if (b.by === 'id') return b.message ? `same event ID (no source given), and the message matches its template${values}` : `same event ID (no source given)${values}`;
  return b.inserts === 0 ? 'matches the message text exactly' : `matches the message template exactly${values}`;
}

const xmlUnescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const isWord = (c) => c !== undefined && (c === '_' || isAlnum(c));
const trimStartRust = (s) => { let i = 0; while (i < s.length && isSpace(s[i])) i++; return s.slice(i); };
const charBefore = (s, i) => (i > 0 ? [...s.slice(Math.max(0, i - 2), i)].pop() : undefined);
const charAt = (s, i) => (i < s.length ? String.fromCodePoint(s.codePointAt(i)) : undefined);

/** The next offset ≥ `from` of `tag` where the tag name ends there (like `\b`), or -1. */
function nextTag(xml, tag, from) {
  for (let i = xml.indexOf(tag, from); i >= 0; i = xml.indexOf(tag, i + 1)) {
    if (!isWord(charAt(xml, i + tag.length))) return i;
  }
  return -1;
}

/** `name="value"` or `name='value'` in a tag's text; the value ends at the next quote of either kind. */
function attr(body, name) {
  for (let i = body.indexOf(name); i >= 0; i = body.indexOf(name, i + 1)) {
    if (isWord(charBefore(body, i))) continue;
    let rest = trimStartRust(body.slice(i + name.length));
    if (!rest.startsWith('=')) continue;
    rest = trimStartRust(rest.slice(1));
    if (!(rest.startsWith('"') || rest.startsWith("'"))) continue;
    const value = rest.slice(1);
    const end = firstQuote(value);
    if (end >= 0) return value.slice(0, end);
  }
  return null;
}
const firstQuote = (s) => {
  const a = s.indexOf('"');
  const b = s.indexOf("'");
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
};

/**
 * The value of attribute `name` in the first `tag` element that has it. Scans
 * each element's text once: a later `tag` inside it would only see a part of
 * the same text, so the scan goes on after the element's `>`.
 */
function tagAttr(xml, tag, name) {
  for (let i = nextTag(xml, tag, 0); i >= 0;) {
    const start = i + tag.length;
    const gt = xml.indexOf('>', start);
    const end = gt < 0 ? xml.length : gt;
    const v = attr(xml.slice(start, end), name);
    if (v !== null) return v;
    if (gt < 0) return null;
    i = nextTag(xml, tag, gt + 1);
  }
  return null;
}

/** A decimal event ID of up to 32 bits (digits only), else null. */
function parseId(s) {
  if (!s || s.length > 10 || !/^[0-9]+$/.test(s)) return null;
  const n = Number(s);
  return n <= 4294967295 ? n : null;
}

/** The first `<EventID …>digits</EventID>`; like `tagAttr`, each element is read once. */
function eventId(xml) {
  for (let i = nextTag(xml, '<EventID', 0); i >= 0;) {
    const gt = xml.indexOf('>', i);
    if (gt < 0) return null;
    const lt = xml.indexOf('<', gt + 1);
    if (lt < 0) return null;
    const digits = trimRust(xml.slice(gt + 1, lt));
    if (xml.startsWith('</EventID>', lt) && /^[0-9]+$/.test(digits)) return parseId(digits);
    i = nextTag(xml, '<EventID', gt + 1);
  }
  return null;
}

/** Every `<Data Name="…">value</Data>` or `<Data/>`, in order: [name|null, raw value|null]. */
function dataElements(xml) {
  const out = [];
  let from = 0;
  let close; // undefined: not looked yet; -1: no `</Data>` left
  for (let i = xml.indexOf('<Data', from); i >= 0; i = xml.indexOf('<Data', from)) {
    from = i + 1;
    let rest = xml.slice(i + 5);
    let name = null;
    const trimmed = trimStartRust(rest);
    if (trimmed.length < rest.length && trimmed.startsWith('Name')) {
      let after = trimStartRust(trimmed.slice(4));
      if (after.startsWith('=')) {
        after = trimStartRust(after.slice(1));
        if (after.startsWith('"') || after.startsWith("'")) {
          const v = after.slice(1);
          const end = firstQuote(v);
          if (end >= 0) {
            name = v.slice(0, end);
            rest = v.slice(end + 1);
          }
        }
      }
    }
    rest = trimStartRust(rest);
    const at = xml.length - rest.length;
    if (rest.startsWith('/>')) {
      out.push([name, null]);
      from = at + 2;
    } else if (rest.startsWith('>')) {
      const body = at + 1;
      if (close === undefined || (close >= 0 && close < body)) close = xml.indexOf('</Data>', body);
      if (close >= 0) {
        out.push([name, xml.slice(body, close)]);
        from = close + 7;
      }
    }
  }
  return out;
}

const SOURCE_LABELS = ['Source:', 'Quelle:'];
const ID_LABELS = ['Event ID:', 'Ereignis-ID:'];
const DESCRIPTION_LABELS = ['Description:', 'Beschreibung:'];
const XML_LABELS = ['Event Xml:', 'Ereignis-XML:'];
const startsWithAny = (s, labels) => labels.find((l) => s.startsWith(l));
const trimRust = (s) => { let a = 0; let b = s.length; while (a < b && isSpace(s[a])) a++; while (b > a && isSpace(s[b - 1])) b--; return s.slice(a, b); };

/** Parse a paste: a message, an Event Viewer text block, or event XML. */
export function parsePaste(raw) {
  let text = raw;
  while (text.startsWith('\ufeff')) text = text.slice(1);
  text = trimRust(text);
  const p = { source: null, id: null, message: null, data: [], kind: 'message' };
  const start = text.indexOf('<Event');
  if (start >= 0) {
    const xml = text.slice(start);
    const prov = tagAttr(xml, '<Provider', 'Name');
    p.source = prov !== null ? xmlUnescape(prov) : null;
    const id = eventId(xml);
    p.id = id !== null ? id & 0xffff : null;
    let unnamed = 0;
    for (const [n, v] of dataElements(xml)) {
      p.data.push([n !== null ? `{${n}}` : `%${++unnamed}`, v !== null ? xmlUnescape(v) : '']);
    }
    p.kind = 'xml';
    if (start === 0) return p;
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const field = (labels) => {
    for (const l of lines) {
      const t = trimStartRust(l);
      const lab = startsWithAny(t, labels);
      if (lab) return trimRust(t.slice(lab.length));
    }
    return null;
  };
  const at = lines.findIndex((l) => startsWithAny(trimStartRust(l), DESCRIPTION_LABELS));
  if (at >= 0) {
    const desc = [];
    const first = trimStartRust(lines[at]);
    const rest = trimRust(first.slice(startsWithAny(first, DESCRIPTION_LABELS).length));
    if (rest) desc.push(rest);
    for (const l of lines.slice(at + 1)) {
      const t = trimStartRust(l);
      if (startsWithAny(t, XML_LABELS) || t.startsWith('<Event')) break;
      desc.push(l);
    }
    if (p.source === null) p.source = field(SOURCE_LABELS);
    if (p.id === null) {
      const v = field(ID_LABELS);
      const n = v === null ? null : parseId(v);
      p.id = n === null ? null : n & 0xffff;
    }
    const d = trimRust(desc.join('\n'));
    p.message = d || null;
    p.kind = 'text-block';
    return p;
  }
  if (p.kind === 'xml') return p;
  p.message = text;
  return p;
}

/** Like src/slug.rs: lower-case ASCII letters and digits, other runs → '-'. */
export function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** Look up a paste: by source and ID when it names them, else by message (confident matches only). */
export function lookup(paste, templates) {
  if (paste.id !== null && paste.id !== undefined) {
    const want = paste.source ? slug(paste.source) : null;
    const hits = [];
    templates.forEach((t, index) => {
      if (t.id !== paste.id) return;
      const same = want === null || want === '' ? null : slug(t.source) === want;
      if (same === false) return;
      let values = paste.data.map(([k, v]) => [k, v]);
      let message = false;
      if (paste.message) {
        const found = allMatches(paste.message, [t])[0];
        if (found) { values = found.values; message = true; }
      }
      const ins = inserts(t.message);
      if (values.every(([k]) => k.startsWith('%')) && ins.every((i) => i.startsWith('{'))) {
        values = ins.map((name, i) => [name, values[i] ? values[i][1] : undefined]).filter(([, v]) => v !== undefined);
      }
      hits.push({ index, score: same === true ? 2 : 1.5, values, basis: { by: same === true ? 'source-and-id' : 'id', message } });
    });
    if (hits.length) {
      hits.sort((a, b) => b.score - a.score || a.index - b.index);
      return hits;
    }
    if (unknownSourceId(paste, templates)) return [];
  }
  return paste.message ? matchMessage(paste.message, templates) : [];
}

/** [source, id] when the paste names a source and ID no template has, else null. */
export function unknownSourceId(paste, templates) {
  if (!paste.source || paste.id === null || paste.id === undefined) return null;
  const want = slug(paste.source);
  if (!want) return null;
  return templates.some((t) => t.id === paste.id && slug(t.source) === want) ? null : [paste.source, paste.id];
}

/**
 * A direct query: {id}, {source, id} or {name}, else null. A linear scan
 * (no regex over the reader's text), like `direct_query` in src/lookup.rs.
 */
export function directQuery(q) {
  const text = trimRust(q);
  let d = text.length;
  while (d > 0 && text.charCodeAt(d - 1) >= 48 && text.charCodeAt(d - 1) <= 57) d--;
  const digits = text.length - d;
  if (digits >= 1 && digits <= 5) {
    const id = Number(text.slice(d));
    const head = text.slice(0, d);
    if (!head) return { id };
    let e = head.length;
    while (e > 0 && (isSpace(head[e - 1]) || head[e - 1] === '/')) e--;
    if (e < head.length && e > 0) return { source: head.slice(0, e), id };
    return null;
  }
  if (text.length >= 3 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return { name: text };
  return null;
}

function levenshtein(a, b) {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/** Damerau-Levenshtein (unrestricted), like strsim::damerau_levenshtein. */
function damerau(a, b) {
  const x = [...a];
  const y = [...b];
  const last = new Map();
  const big = x.length + y.length;
  const w = y.length + 2;
  const d = new Array((x.length + 2) * w).fill(0);
  const at = (i, j) => i * w + j;
  d[at(0, 0)] = big;
  for (let i = 0; i <= x.length; i++) { d[at(i + 1, 0)] = big; d[at(i + 1, 1)] = i; }
  for (let j = 0; j <= y.length; j++) { d[at(0, j + 1)] = big; d[at(1, j + 1)] = j; }
  for (let i = 1; i <= x.length; i++) {
    let db = 0;
    for (let j = 1; j <= y.length; j++) {
      const k = last.get(y[j - 1]) || 0;
      const l = db;
      let cost = 1;
      if (x[i - 1] === y[j - 1]) { cost = 0; db = j; }
      d[at(i + 1, j + 1)] = Math.min(d[at(i, j)] + cost, d[at(i + 1, j)] + 1, d[at(i, j + 1)] + 1,
        d[at(k, l)] + (i - k - 1) + 1 + (j - l - 1));
    }
    last.set(x[i - 1], i);
  }
  return d[at(x.length + 1, y.length + 1)];
}

/** Up to five existing IDs nearest to `id`, like `nearest_ids` in src/lookup.rs. */
export function nearestIds(id, ids) {
  const want = String(id);
  const all = [...new Set(ids)].sort((a, b) => a - b);
  return all.map((i) => [levenshtein(want, String(i)) <= 1 ? 0 : 1, Math.abs(i - id), i])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2])
    .slice(0, 5).map(([, , i]) => i);
}

/** Words for did-you-mean: runs of 3+ letters, lower-cased, like `words` in src/lookup.rs. */
export function words(text) {
  return text.split(/[^\p{Alphabetic}]+/u).filter((w) => chars(w) >= 3).map((w) => w.toLowerCase());
}

/** The closest word of `vocabulary` ([[word, count]], sorted by word) to `word`, or null. */
export function didYouMean(word, vocabulary) {
  const len = chars(word);
  if (len < 4 || vocabulary.some(([w]) => w === word)) return null;
  const max = len <= 5 ? 1 : 2;
  let best = null;
  for (const [w, n] of vocabulary) {
    if (Math.abs(chars(w) - len) > max) continue;
    const d = damerau(word, w);
    if (d > max) continue;
    if (!best || d < best[0] || (d === best[0] && (n > best[1] || (n === best[1] && w < best[2])))) best = [d, n, w];
  }
  return best ? best[2] : null;
}

/** Whether a search box input looks like a pasted event rather than a query. */
export function looksLikePaste(q) {
  const t = trimRust(q);
  if (t.includes('\n') || t.startsWith('<Event')) return true;
  if (t.split('\n').some((l) => startsWithAny(trimStartRust(l), [...ID_LABELS, ...DESCRIPTION_LABELS]))) return true;
  if (t.split(WS).length >= 6) return true;
  // Text without spaces (Japanese, Chinese): a long run of letters is a sentence, not a query.
  return /[\p{L}\p{N}]{12}/u.test(t);
}

/** FNV-1a 32-bit over UTF-8, as hex: the shard key function shared with src/search.rs. */
export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// ---- Data fields and value maps (issue #16), like src/search/fields.rs and
// src/content/value_map.rs. A template entry of the lookup tables lists its
// fields in order as `f: [[name], [name, mapId], …]`; the language's maps are
// in `lookup/maps.json` as `{ mapId: { k: 'value' | 'bitmap', v: [[value, label], …] } }`,
// values as decimal text, labels already in the page's language.

const U64_MAX = (1n << 64n) - 1n;

/** Unsigned digits (an optional leading '+', like Rust's parse) as a BigInt, or null. */
function unsignedDigits(s, hex) {
  let d = s.startsWith('+') ? s.slice(1) : s;
  if (!d) return null;
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    const dec = c >= 48 && c <= 57;
    if (!(dec || (hex && ((c >= 65 && c <= 70) || (c >= 97 && c <= 102))))) return null;
  }
  let z = 0;
  while (z < d.length - 1 && d[z] === '0') z++;
  d = d.slice(z);
  if (d.length > (hex ? 16 : 20)) return null;
  const v = BigInt(hex ? `0x${d}` : d);
  return v <= U64_MAX ? v : null;
}

/**
 * A coded value as a BigInt: decimal, or hexadecimal with `0x`; a negative
 * decimal is its 32-bit two's complement (`-1073741715` is `0xC000006D`).
 * null when it is not a number. Like `parse_value` in src/content/value_map.rs.
 */
export function parseValue(text) {
  const t = trimRust(text);
  if (t.startsWith('0x') || t.startsWith('0X')) return unsignedDigits(t.slice(2), true);
  if (t.startsWith('-')) {
    // The rest is an i64 (with its own optional sign), negated, then a 32-bit value.
    const neg = t.slice(1);
    const minus = neg.startsWith('-');
    const body = minus ? neg.slice(1) : neg;
    if (minus && body.startsWith('+')) return null;
    const n = unsignedDigits(body, false);
    if (n === null) return null;
    const i64 = minus ? -n : n;
    if (i64 > (1n << 63n) - 1n || i64 < -(1n << 63n)) return null;
    const value = -i64;
    if (value < -(1n << 31n) || value > (1n << 31n) - 1n) return null;
    return value < 0n ? value + (1n << 32n) : value;
  }
  return unsignedDigits(t, false);
}

/**
 * What the value written as `text` means in `map`: the entry's label, or for
 * a bitmap the labels of the set bits joined by " | ". null when the map does
 * not fully explain it (never a guess). Like `ValueMap::decode`.
 */
export function decodeValue(map, text) {
  const v = parseValue(text);
  if (v === null || !map || !Array.isArray(map.v)) return null;
  const entries = map.v.map(([x, l]) => [BigInt(x), l]);
  const label = (x) => {
    const e = entries.find(([y]) => y === x);
    return e ? e[1] : null;
  };
  if (map.k !== 'bitmap') return label(v);
  if (v === 0n) return label(0n);
  let rest = v;
  const labels = [];
  for (const [x, l] of entries) {
    if (x !== 0n && (v & x) === x) {
      labels.push(l);
      rest &= ~x;
    }
  }
  return rest === 0n && labels.length ? labels.join(' | ') : null;
}

/**
 * The field ([name, mapId?]) a found value belongs to: `%n` is the n-th
 * field, `{Name}` (and a bare name, from XML) the field of that name. Like
 * `field_of` in src/search/fields.rs.
 */
export function fieldOf(fields, name) {
  const list = fields || [];
  if (name.startsWith('%')) {
    const n = unsignedDigits(name.slice(1), false);
    if (n !== null) return n >= 1n && n <= BigInt(list.length) ? list[Number(n) - 1] : null;
  } else if (name.startsWith('{') && name.endsWith('}') && name.length >= 2) {
    const hit = list.find(([f]) => f === name.slice(1, -1));
    if (hit) return hit;
  }
  return list.find(([f]) => f === name) || null;
}

/**
 * What lookup says of the value found for `name`: { field, decoded, notInMap }.
 * `field` is the field's name when `name` does not already say it; `decoded`
 * the label from its value map; `notInMap` true when the field has a map that
 * does not explain the value (it is then shown as it is). `maps` is the
 * language's `lookup/maps.json`, or null when it could not be loaded (then
 * nothing is decoded and nothing is claimed). Like `value_info` in src/search/fields.rs.
 */
export function valueInfo(fields, name, value, maps) {
  const f = fieldOf(fields, name);
  if (!f) return { field: null, decoded: null, notInMap: false };
  const bare = name.startsWith('{') && name.endsWith('}') && name.length >= 2 ? name.slice(1, -1) : name;
  const map = f.length > 1 && maps ? maps[f[1]] : undefined;
  const decoded = map ? decodeValue(map, value) : null;
  return {
    field: f[0] !== bare ? f[0] : null,
    decoded,
    notInMap: !!map && decoded === null && trimRust(value) !== '',
  };
}

/** Whether any field of these template entries has a value map (then `lookup/maps.json` is needed). */
export const needsMaps = (entries) => entries.some((e) => (e.f || []).some((f) => f.length > 1));

/**
 * Keep one match per event (an event has a template per version): the best,
 * and among equals the one whose message matched. `owner(index)` names the
 * event of a template. Like `one_per_event` in src/search/lookup/site.rs.
 */
export function onePerEvent(ranked, owner) {
  const matched = (m) => (m.basis.by === 'source-and-id' || m.basis.by === 'id') && m.basis.message;
  const out = [];
  for (const m of ranked) {
    const at = out.findIndex((o) => owner(o.index) === owner(m.index));
    if (at < 0) out.push(m);
    else if (out[at].score === m.score && !matched(out[at]) && matched(m)) out[at] = m;
  }
  return out;
}
