// eventref log-line lookup, in the browser. The same algorithm as src/lookup.rs;
// both run the shared vectors in tests/lookup-vectors.json.
//
// Matching rules: case-insensitive, whitespace runs collapsed, trailing periods
// ignored; literal template text must match and each insertion string matches
// any value (shortest first). Score: the share of the pasted text covered by the
// template's literal text (rounded to 3 decimals); an exact source and ID from
// a text block or XML scores 2 (1.5 for the ID alone).

const chars = (s) => [...s].length;

export function normalize(s) {
  return s.split(/\s+/).filter(Boolean).join(' ').replace(/[. ]+$/, '');
}

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

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(template) {
  let pattern = '^';
  let literalLen = 0;
  let anchor = '';
  const names = [];
  for (const seg of parseTemplate(normalize(template))) {
    if (seg.kind === 'text') {
      literalLen += chars(seg.text);
      const lower = seg.text.trim().toLowerCase();
      if (chars(lower) > chars(anchor)) anchor = lower;
      // A message whose line break was lost ("…{OldTime}.Change Reason:") still
      // matches a paste that has the break: after `.` or `:` followed by a
      // letter or digit, a space is optional.
      const cs = [...seg.text];
      cs.forEach((ch, k) => {
        pattern += escapeRegex(ch);
        if ((ch === '.' || ch === ':') && k + 1 < cs.length && /[\p{L}\p{N}]/u.test(cs[k + 1])) pattern += ' ?';
      });
    } else {
      names.push(seg.name);
      pattern += '(.*?)';
    }
  }
  pattern += '$';
  try {
    return { regex: new RegExp(pattern, 'isu'), literalLen, anchor, names };
  } catch {
    return null;
  }
}

const round3 = (x) => Math.round(x * 1000) / 1000;

/** Match a pasted message against templates [{source, id, message}]; best first. */
export function matchMessage(text, templates) {
  const input = normalize(text);
  const lower = input.toLowerCase();
  const total = Math.max(chars(input), 1);
  const out = [];
  templates.forEach((t, index) => {
    const c = compile(t.message);
    if (!c || !lower.includes(c.anchor)) return;
    const m = c.regex.exec(input);
    if (!m) return;
    const values = [];
    c.names.forEach((name, i) => {
      if (!values.some(([k]) => k === name)) values.push([name, (m[i + 1] || '').trim()]);
    });
    out.push({ index, score: round3(Math.min(c.literalLen, total) / total), values });
  });
  out.sort((a, b) => b.score - a.score || a.index - b.index);
  return out;
}

const xmlUnescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#39;/g, "'").replace(/&amp;/g, '&');

const SOURCE_LABELS = ['Source:', 'Quelle:'];
const ID_LABELS = ['Event ID:', 'Ereignis-ID:'];
const DESCRIPTION_LABELS = ['Description:', 'Beschreibung:'];
const XML_LABELS = ['Event Xml:', 'Ereignis-XML:'];
const startsWithAny = (s, labels) => labels.find((l) => s.startsWith(l));

/** Parse a paste: a message, an Event Viewer text block, or event XML. */
export function parsePaste(raw) {
  const text = raw.replace(/^\ufeff/, '').trim();
  const p = { source: null, id: null, message: null, data: [], kind: 'message' };
  const start = text.indexOf('<Event');
  if (start >= 0) {
    const xml = text.slice(start);
    const prov = /<Provider\b[^>]*?\bName\s*=\s*["']([^"']*)["']/.exec(xml);
    const id = /<EventID\b[^>]*>\s*(\d+)\s*<\/EventID>/.exec(xml);
    p.source = prov ? xmlUnescape(prov[1]) : null;
    p.id = id ? Number(id[1]) & 0xffff : null;
    let unnamed = 0;
    for (const d of xml.matchAll(/<Data(?:\s+Name\s*=\s*["']([^"']*)["'])?\s*(?:\/>|>([\s\S]*?)<\/Data>)/g)) {
      const value = d[2] !== undefined ? xmlUnescape(d[2]) : '';
      const name = d[1] !== undefined ? `{${d[1]}}` : `%${++unnamed}`;
      p.data.push([name, value]);
    }
    p.kind = 'xml';
    if (start === 0) return p;
  }
  const lines = text.split(/\r?\n/);
  const field = (labels) => {
    for (const l of lines) {
      const t = l.trimStart();
      const lab = startsWithAny(t, labels);
      if (lab) return t.slice(lab.length).trim();
    }
    return null;
  };
  const at = lines.findIndex((l) => startsWithAny(l.trimStart(), DESCRIPTION_LABELS));
  if (at >= 0) {
    const desc = [];
    const first = lines[at].trimStart();
    const rest = first.slice(startsWithAny(first, DESCRIPTION_LABELS).length).trim();
    if (rest) desc.push(rest);
    for (const l of lines.slice(at + 1)) {
      const t = l.trimStart();
      if (startsWithAny(t, XML_LABELS) || t.startsWith('<Event')) break;
      desc.push(l);
    }
    if (p.source === null) p.source = field(SOURCE_LABELS);
    if (p.id === null) {
      const v = field(ID_LABELS);
      p.id = v !== null && /^\d+$/.test(v) ? Number(v) & 0xffff : null;
    }
    const d = desc.join('\n').trim();
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

/** Look up a paste: by source and ID when it names them, else by message. */
export function lookup(paste, templates) {
  if (paste.id !== null && paste.id !== undefined) {
    const want = paste.source ? slug(paste.source) : null;
    const hits = [];
    templates.forEach((t, index) => {
      if (t.id !== paste.id) return;
      const same = want === null ? null : slug(t.source) === want;
      if (same === false) return;
      let values = paste.data.map(([k, v]) => [k, v]);
      if (paste.message) {
        const found = matchMessage(paste.message, [t])[0];
        if (found) values = found.values;
      }
      const ins = inserts(t.message);
      if (values.every(([k]) => k.startsWith('%')) && ins.every((i) => i.startsWith('{'))) {
        values = ins.map((name, i) => [name, values[i] ? values[i][1] : undefined]).filter(([, v]) => v !== undefined);
      }
      hits.push({ index, score: same === true ? 2 : 1.5, values });
    });
    if (hits.length) {
      hits.sort((a, b) => b.score - a.score || a.index - b.index);
      return hits;
    }
  }
  return paste.message ? matchMessage(paste.message, templates) : [];
}

/** Whether a search box input looks like a pasted event rather than a query. */
export function looksLikePaste(q) {
  const t = q.trim();
  return t.includes('\n') || t.startsWith('<Event') || /(^|\n)\s*(Event ID|Ereignis-ID|Description|Beschreibung):/.test(t)
    || t.split(/\s+/).length >= 6;
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
