#!/usr/bin/env node
// Headless-browser tests for a built eventref site.
//
//   node tests/browser/run.mjs <built-site-dir> [--screenshot <png-path>] [--cjk-site <dir>]
//   node tests/browser/run.mjs <built-site-dir> --measure [--lang en] [--query <words>] [--paste <text>]
//
// <built-site-dir> is the flagship site (English and German); --cjk-site is the
// built fixture tests/fixtures/i18n (en, de, ar, ja) for the Japanese full-text
// and right-to-left tests, which are skipped without it.
//
// --measure runs no tests: it serves the site, loads the search page for a word
// query and for a pasted message (each in a fresh browser context, so nothing
// is cached) and prints the requests and bytes each needed, by kind of file.
//
// Serves the built site with Node's own http module on 127.0.0.1 (ephemeral
// port) under the base path /base/path/, drives the system Chromium through
// playwright-core, and runs axe-core on every page in light and dark colour
// schemes at a phone and a desktop width. The browser may only ever talk to
// the local server: every request is recorded and any other origin is both
// blocked and reported as a failure.
//
// Output: one line per test (`ok - name` / `not ok - name: reason`), details as
// `#` lines, and as the very last line `N passed, M failed`. Exit code 1 if any
// test failed, 0 otherwise, 2 on a usage error.
//
// Environment (all optional):
//   CHROMIUM_PATH               browser binary (default /usr/bin/chromium)
//   BROWSER_TESTS_TIMEOUT_S     global timeout in seconds (default 900; a safety net, not a timing check)
//   BROWSER_TESTS_VERBOSE=1     also print every request the servers answered

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

const BASE_PATH = '/base/path/';
const SEED = 'en/msexchangetransport/2002/';
const SEED_H1 = 'MSExchangeTransport 2002';
const SEED_SOURCE = 'en/msexchangetransport/';
const SEED_DETAIL_ROWS = [
  'Product Name', 'Product Version', 'Event ID', 'Event Source', 'Category', 'Symbolic Name', 'Message Text',
];
const SEED_HEADINGS = ['Details', 'Explanation', 'User Action', 'For More Information'];
const MISSING = 'en/does-not-exist/';

// ---- search page (themes/technet/templates/search.html + static/search.js)
const SEED_EVENT = 'msexchangetransport/2002/'; // relative to a language folder
const DNS_EVENT = 'microsoft-windows-dns-client/1014/';
const PASTE_VALUES = ['Internet Mail', 'mx1.contoso.com'];
const XML_PASTE = [
  '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
  '  <System>',
  '    <Provider Name="Microsoft-Windows-DNS-Client" Guid="{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}" />',
  '    <EventID>1014</EventID>',
  '    <Version>0</Version>',
  '    <Level>3</Level>',
  '    <Task>1014</Task>',
  '    <TimeCreated SystemTime="2024-01-15T09:42:07.1234567Z" />',
  '    <Channel>System</Channel>',
  '    <Computer>PC01.contoso.com</Computer>',
  '    <Security UserID="S-1-5-20" />',
  '  </System>',
  '  <EventData>',
  '    <Data Name="QueryName">wpad.contoso.com</Data>',
  '    <Data Name="AddressLength">128</Data>',
  '  </EventData>',
  '</Event>',
].join('\n');
// Issue #16 on the flagship: Time-Service 266, whose ReasonCode has a value map
// (labels from the message itself), and Kernel-Boot 238, whose version 0 text differs.
const TIME_266 = 'microsoft-windows-time-service/266/';
const TIME_266_MESSAGE = (code) => `W32time Service received notification to rediscover its time sources and/or resynchronize time. Reason Code:${code} System Tick Count: 81234567Reason code description:0 : An explicit time resynchronization request from an administrator1 : Power state changes on this machine2 : Changes to the network interface or to the network topology3 : State changes within W32time that require time synchronizationThe actions that follow this notifcation may impact fine-grained time synchronization accuracy.For more information, see https://go.microsoft.com/fwlink/?linkid=845961.`;
const TIME_266_XML = (code) => `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Time-Service"/><EventID>266</EventID><Version>0</Version></System><EventData><Data Name="ReasonCode">${code}</Data><Data Name="TickCount">81234567</Data></EventData></Event>`;
const KERNEL_BOOT_238 = 'microsoft-windows-kernel-boot/238/';
const KERNEL_BOOT_238_V0 = 'EFI time zone bias: -60. Daylight flags: 0x1.';
// Per language: the words, filter and pastes the search tests use on the flagship.
const SEARCH_LANGS = {
  en: {
    words: 'send connector',
    filterQuery: 'time',
    level: 'Warning',
    reason2: '2 (Changes to the network interface or to the network topology)',
    reason1: '1 (Power state changes on this machine)',
    reason7: '7 (not in the value map)',
    message: 'Send connector Internet Mail: an error occurred while connecting to mx1.contoso.com.',
    textBlock: [
      'Log Name:      Application',
      'Source:        MSExchangeTransport',
      'Date:          1/15/2024 10:42:07 AM',
      'Event ID:      2002',
      'Task Category: SmtpSend',
      'Level:         Warning',
      'Keywords:      Classic',
      'User:          N/A',
      'Computer:      EX01.contoso.com',
      'Description:',
      'Send connector Internet Mail: an error occurred while connecting to mx1.contoso.com.',
    ].join('\n'),
  },
  de: {
    words: 'Sendeconnector',
    filterQuery: 'Zeit',
    level: 'Warnung',
    reason2: '2 (Änderungen an der Netzwerkschnittstelle oder an der Netzwerktopologie)',
    reason1: '1 (Änderungen des Energiezustands dieses Computers)',
    reason7: '7 (nicht in der Wertetabelle)',
    message: 'Sendeconnector Internet Mail: Beim Herstellen einer Verbindung mit mx1.contoso.com ist ein Fehler aufgetreten.',
    textBlock: [
      'Protokollname: Anwendung',
      'Quelle:        MSExchangeTransport',
      'Datum:         15.01.2024 10:42:07',
      'Ereignis-ID:   2002',
      'Aufgabenkategorie: SmtpSend',
      'Ebene:         Warnung',
      'Schlüsselwörter: Klassisch',
      'Benutzer:      Nicht zutreffend',
      'Computer:      EX01.contoso.com',
      'Beschreibung:',
      'Sendeconnector Internet Mail: Beim Herstellen einer Verbindung mit mx1.contoso.com ist ein Fehler aufgetreten.',
    ].join('\n'),
  },
};
// The i18n fixture (--cjk-site): Contoso 1 has a Japanese explanation; Arabic is right-to-left.
const CJK_EVENT = 'contoso/1/';
const CJK_WORDS = ['ファイアウォール', 'ネットワーク'];
const RTL_SEARCH = {
  direct: '1',
  paste: 'Send connector Internet Mail: an error occurred while connecting to mx1.contoso.com.',
  text: 'connector',
};
const SEARCH_TIMEOUT_MS = 10_000;
// --measure defaults.
const MEASURE_QUERY = 'error connecting';
const MEASURE_PASTE = 'Send connector Internet Mail: an error occurred while connecting to mx1.contoso.com.';
const VIEWPORTS = [
  { width: 375, height: 800 },
  { width: 1280, height: 900 },
];
const SCHEMES = ['light', 'dark'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const GLOBAL_TIMEOUT_S = Number(process.env.BROWSER_TESTS_TIMEOUT_S || 900);
const ACTION_TIMEOUT_MS = 15_000;
// Chromium's own background connections are refused on a closed network; keep
// it quiet, and make every host name other than the loopback address
// unresolvable inside the browser as a second line of defence.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-domain-reliability',
  '--dns-prefetch-disable',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`error: ${msg}`);
  console.error('usage: node tests/browser/run.mjs <built-site-dir> [--screenshot <png-path>] [--cjk-site <dir>] [--offline-site <dir>] [--paged-site <dir>]');
  console.error('       node tests/browser/run.mjs <built-site-dir> --measure [--lang en] [--query <words>] [--paste <text>]');
  process.exit(2);
}

function parseArgs(argv) {
  const valued = ['--screenshot', '--cjk-site', '--offline-site', '--paged-site', '--lang', '--query', '--paste'];
  const opts = {};
  let siteDir = null;
  let measure = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') usage();
    else if (a === '--measure') measure = true;
    else if (valued.includes(a)) {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      opts[a] = argv[++i];
    } else if (valued.some((v) => a.startsWith(`${v}=`))) {
      const at = a.indexOf('=');
      opts[a.slice(0, at)] = a.slice(at + 1);
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (siteDir === null) siteDir = a;
    else usage(`unexpected argument ${a}`);
  }
  if (!siteDir) usage('missing <built-site-dir>');
  for (const v of valued) if (opts[v] === '') usage(`${v} needs a value`);
  if (!measure && (opts['--lang'] || opts['--query'] || opts['--paste'])) usage('--lang, --query and --paste go with --measure');
  const screenshot = opts['--screenshot'];
  const cjkSite = opts['--cjk-site'];
  const offlineSite = opts['--offline-site'];
  const pagedSite = opts['--paged-site'];
  return {
    offlineSite: offlineSite && path.resolve(offlineSite),
    pagedSite: pagedSite && path.resolve(pagedSite),
    siteDir: path.resolve(siteDir),
    screenshot: screenshot && path.resolve(screenshot),
    cjkSite: cjkSite && path.resolve(cjkSite),
    measure: measure && {
      lang: opts['--lang'] || 'en',
      query: opts['--query'] || MEASURE_QUERY,
      paste: opts['--paste'] || MEASURE_PASTE,
    },
  };
}

// ---------------------------------------------------------------- reporting

const results = [];
const notes = [];

function oneLine(s) {
  return String(s).replace(/\s*\n\s*/g, ' | ').trim();
}

class TestFailure extends Error {
  constructor(message, details = []) {
    super(message);
    this.details = details;
  }
}

function fail(message, details = []) {
  throw new TestFailure(message, details);
}

function report(name, ok, reason, details = []) {
  results.push({ name, ok });
  if (ok) console.log(`ok - ${name}`);
  else console.log(`not ok - ${name}: ${oneLine(reason)}`);
  for (const d of details) console.log(`#   ${d}`);
}

async function test(name, fn) {
  try {
    await fn();
    report(name, true);
  } catch (e) {
    if (e instanceof TestFailure) report(name, false, e.message, e.details);
    else report(name, false, e && e.message ? e.message.split('\n')[0] : String(e));
  }
}

function summaryLine() {
  const passed = results.filter((r) => r.ok).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

// ---------------------------------------------------------------- server

// A small GitHub-Pages-like static server: only paths under `basePath` exist,
// a directory URL serves its index.html (a directory URL without its trailing
// slash is redirected to it), anything unknown gets <root>/404.html with 404.
function startServer(root, basePath) {
  const rootReal = fs.realpathSync(root);
  const log = [];
  // What was sent, for --measure: { url, status, bytes } per answered request.
  const served = [];
  const notFound = (res, method) => {
    const page = path.join(rootReal, '404.html');
    let body;
    try {
      body = fs.readFileSync(page);
    } catch {
      body = Buffer.from('404 Not Found\n');
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
      return res.end(method === 'HEAD' ? undefined : body);
    }
    res.writeHead(404, { 'Content-Type': CONTENT_TYPES['.html'], 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    return res.end(method === 'HEAD' ? undefined : body);
  };
  const plain = (res, status, text, headers = {}) => {
    const body = Buffer.from(`${text}\n`);
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, ...headers });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    let bytes = 0;
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = (chunk, ...rest) => {
      if (chunk) bytes += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    };
    res.end = (chunk, ...rest) => {
      if (chunk && typeof chunk !== 'function') bytes += Buffer.byteLength(chunk);
      return end(chunk, ...rest);
    };
    res.on('finish', () => {
      log.push(`${res.statusCode} ${req.method} ${req.url}`);
      served.push({ url: req.url, status: res.statusCode, bytes });
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    // Never hand req.url to the URL parser as-is: "//host/x" would become a host.
    const rawPath = req.url.split(/[?#]/, 1)[0];
    let pathname;
    try {
      pathname = decodeURIComponent(rawPath);
    } catch {
      return plain(res, 400, 'Bad Request');
    }
    if (!pathname.startsWith('/') || pathname.includes('\0')) return plain(res, 400, 'Bad Request');
    if (basePath !== '/' && pathname === basePath.slice(0, -1)) {
      return plain(res, 301, 'Moved Permanently', { Location: basePath });
    }
    if (!pathname.startsWith(basePath)) return plain(res, 404, 'Not Found (outside the base path)');
    const rel = pathname.slice(basePath.length);
    const target = path.resolve(rootReal, `.${path.sep}${rel}`);
    if (target !== rootReal && !target.startsWith(rootReal + path.sep)) return plain(res, 403, 'Forbidden');
    let file = target;
    let stat;
    try {
      // Refuse symlinks that lead out of the root too.
      file = fs.realpathSync(target);
      if (file !== rootReal && !file.startsWith(rootReal + path.sep)) return plain(res, 403, 'Forbidden');
      stat = fs.statSync(file);
      if (stat.isDirectory()) {
        if (!rawPath.endsWith('/')) {
          const query = req.url.slice(rawPath.length);
          return plain(res, 301, 'Moved Permanently', { Location: `${rawPath}/${query}` });
        }
        file = path.join(file, 'index.html');
        stat = fs.statSync(file);
      }
      if (!stat.isFile()) return notFound(res, req.method);
    } catch {
      return notFound(res, req.method);
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': stat.size,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') return res.end();
    const stream = fs.createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const origin = `http://127.0.0.1:${port}`;
      resolve({
        server,
        origin,
        basePath,
        log,
        served,
        url: (rel = '') => `${origin}${basePath}${rel}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

// Raw GET without any normalisation of the path (for the traversal tests).
function rawGet(origin, rawPath, method = 'GET') {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: rawPath, method, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout on ${rawPath}`)));
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------- browser helpers

function isAllowedUrl(url, origin) {
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('about:')) return true;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

// A browser context with one page whose every request, failure, error
// response, console error and page error is recorded.
async function openSession(browser, srv, { viewport = VIEWPORTS[1], colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, serviceWorkers: 'block' });
  const log = { requests: [], foreign: [], failed: [], badResponses: [], consoleErrors: [], pageErrors: [] };
  // Block (and record) anything that is not the local server before it leaves.
  await context.route(
    (u) => !isAllowedUrl(u.href, srv.origin),
    (route) => {
      if (!log.foreign.includes(route.request().url())) log.foreign.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  context.on('request', (r) => {
    log.requests.push(r.url());
    if (!isAllowedUrl(r.url(), srv.origin) && !log.foreign.includes(r.url())) log.foreign.push(r.url());
  });
  context.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? 'failed';
    // The browser's own favicon fetch is cancelled when a test navigates on
    // before it finishes: that is not a failure of the site.
    if (why === 'net::ERR_ABORTED' && r.url().endsWith('/static/favicon.svg')) return;
    log.failed.push(`${r.url()} (${why})`);
  });
  context.on('response', (r) => {
    if (r.status() >= 400) {
      const req = r.request();
      log.badResponses.push({
        url: r.url(),
        status: r.status(),
        mainDocument: req.isNavigationRequest() && r.frame() === page.mainFrame(),
      });
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') log.consoleErrors.push({ text: m.text(), url: m.location()?.url ?? '' });
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e && e.message ? e.message : e)));
  return { context, page, log, srv };
}

async function closeSession(s) {
  if (s) await s.context.close().catch(() => {});
}

// Problems recorded in a session. With `allow404Document`, a 404 for the main
// document itself (the intentional not-found page) is not a problem.
function sessionProblems(s, { allow404Document = false } = {}) {
  const p = [];
  const { log } = s;
  for (const u of log.foreign) p.push(`request to another origin: ${u}`);
  for (const f of log.failed) p.push(`failed request: ${f}`);
  const allowed404 = new Set();
  for (const r of log.badResponses) {
    if (allow404Document && r.mainDocument && r.status === 404) {
      allowed404.add(r.url);
      continue;
    }
    p.push(`HTTP ${r.status}: ${r.url}`);
  }
  for (const c of log.consoleErrors) {
    // Chromium logs the intentional 404 document itself as a console error.
    if (allowed404.has(c.url) && /status of 404/.test(c.text)) continue;
    p.push(`console error: ${c.text}${c.url ? ` (${c.url})` : ''}`);
  }
  for (const e of log.pageErrors) p.push(`page error: ${e}`);
  return p;
}

async function settle(page) {
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
  await page.evaluate(() => document.fonts.ready.then(() => true));
}

async function stylesheetState(page) {
  return page.evaluate(() => {
    const header = document.querySelector('.site-header');
    const sheets = [...document.styleSheets].map((s) => {
      let rules = -1;
      try {
        rules = s.cssRules.length;
      } catch {
        /* cross-origin */
      }
      return { href: s.href, rules };
    });
    return {
      fontFamily: getComputedStyle(document.body).fontFamily,
      headerBg: header ? getComputedStyle(header).backgroundColor : null,
      sheets,
    };
  });
}

function assertStylesheet(st, where) {
  const problems = [];
  const themed = st.sheets.filter((s) => s.href && /\/static\/technet\.css$/.test(s.href));
  if (themed.length === 0) problems.push(`no technet.css stylesheet in document.styleSheets (${JSON.stringify(st.sheets)})`);
  else if (themed.every((s) => s.rules <= 0)) problems.push(`technet.css has no rules (${JSON.stringify(themed)})`);
  if (!/segoe ui|system-ui|-apple-system|helvetica|arial|noto sans/i.test(st.fontFamily)) problems.push(`body font-family is "${st.fontFamily}"`);
  if (!st.headerBg || st.headerBg === 'transparent' || /rgba\(\s*0,\s*0,\s*0,\s*0\s*\)/.test(st.headerBg)) {
    problems.push(`.site-header background is ${st.headerBg === null ? 'missing (no .site-header)' : `"${st.headerBg}"`}`);
  }
  if (problems.length) fail(`stylesheet not applied on ${where}: ${problems[0]}`, problems);
}

// ---------------------------------------------------------------- axe

const AXE_PATH = (() => {
  try {
    return require.resolve('axe-core/axe.min.js');
  } catch {
    return null;
  }
})();

async function runAxe(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object' && !!window.axe);
  if (!has) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const pack = (list, kind) => list.map((v) => ({
      kind,
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(', '),
        html: n.html,
        summary: n.failureSummary,
        data: [...n.any, ...n.all, ...n.none].map((c) => c.data).filter((d) => d && typeof d === 'object'),
      })),
    }));
    return [...pack(r.violations, 'violation'), ...pack(r.incomplete, 'needs review')];
  });
}

function describeViolation(v) {
  const lines = [`[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} node${v.nodes.length === 1 ? '' : 's'}) ${v.helpUrl}`];
  for (const n of v.nodes.slice(0, 12)) {
    let extra = '';
    const c = n.data.find((d) => d.fgColor || d.contrastRatio);
    if (c) extra = ` fg ${c.fgColor} on bg ${c.bgColor}, ratio ${c.contrastRatio} < ${c.expectedContrastRatio} (font ${c.fontSize} ${c.fontWeight})`;
    lines.push(`  target: ${n.target}${extra}`);
    lines.push(`    html: ${oneLine(n.html).slice(0, 200)}`);
  }
  if (v.nodes.length > 12) lines.push(`  … and ${v.nodes.length - 12} more nodes`);
  return lines;
}

// ---------------------------------------------------------------- page tests

const linkCache = new Map();

async function checkInternalLinks(s) {
  const { page, srv } = s;
  const hrefs = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.href));
  const here = page.url().split('#')[0];
  // Links to the page itself (the skip link "#main") are not fetched again.
  const targets = [...new Set(hrefs.map((h) => h.split('#')[0]))].filter((h) => h !== here);
  // Only links to the local server are followed; external links are never fetched.
  const local = targets.filter((h) => h.startsWith('http') && isAllowedUrl(h, srv.origin));
  const bad = [];
  for (const url of local) {
    if (!linkCache.has(url)) {
      let result;
      try {
        const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(5000) });
        result = res.status;
        if (res.status >= 300 && res.status < 400) result = `${res.status} -> ${res.headers.get('location')}`;
      } catch (e) {
        result = `error ${e.message}`;
      }
      linkCache.set(url, result);
    }
    const r = linkCache.get(url);
    if (r !== 200) bad.push(`${url} -> ${r}`);
  }
  if (bad.length) fail(`${bad.length} of ${local.length} internal link(s) broken, first: ${bad[0]}`, bad);
  if (local.length === 0) fail('page has no internal links at all');
}

// Loads `url` in a fresh session, checks status and stylesheet, brings the page
// into the state to audit (`prepare`, its own test), then runs axe in both
// colour schemes at both widths, the horizontal-scroll check, any
// page-specific `extra` tests, and finally that nothing bad happened.
async function pageSuite(browser, srv, label, url, { expectStatus = 200, bodyClass = null, extra = null, prepare = null } = {}) {
  let s = null;
  await test(`load ${label}`, async () => {
    s = await openSession(browser, srv);
    const resp = await s.page.goto(url, { waitUntil: 'load' });
    if (!resp) fail(`no response for ${url}`);
    if (resp.status() !== expectStatus) fail(`status ${resp.status()} for ${url}, expected ${expectStatus}`);
    await settle(s.page);
    const ct = resp.headers()['content-type'] || '';
    if (!ct.startsWith('text/html')) fail(`content-type "${ct}"`);
    if (bodyClass) {
      const cls = await s.page.evaluate(() => document.body.className);
      if (!cls.split(/\s+/).includes(bodyClass)) fail(`body class is "${cls}", expected ${bodyClass}`);
    }
    const h1 = await s.page.locator('h1').count();
    if (h1 !== 1) fail(`${h1} <h1> elements, expected 1`);
    assertStylesheet(await stylesheetState(s.page), label);
    const cssReq = s.log.requests.filter((u) => /\/static\/technet\.css$/.test(u));
    if (cssReq.length === 0) fail('technet.css was never requested');
  });
  const need = () => {
    if (!s || !s.page || s.page.isClosed()) fail('page did not load');
  };
  if (prepare) {
    await test(`${label}: ${prepare.name}`, async () => {
      need();
      await prepare.run(s);
    });
  }
  await test(`internal links resolve on ${label}`, async () => {
    need();
    await checkInternalLinks(s);
  });
  for (const viewport of VIEWPORTS) {
    for (const colorScheme of SCHEMES) {
      await test(`axe ${label} [${colorScheme}, ${viewport.width}x${viewport.height}]`, async () => {
        need();
        await s.page.setViewportSize(viewport);
        await s.page.emulateMedia({ colorScheme });
        const scheme = await s.page.evaluate(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
        if (scheme !== colorScheme) fail(`colour scheme emulation failed: page sees ${scheme}`);
        const found = await runAxe(s.page);
        const failing = found.filter((v) => v.kind === 'violation' && FAILING_IMPACTS.has(v.impact));
        for (const v of found.filter((x) => !failing.includes(x))) {
          notes.push(`${label} [${colorScheme}, ${viewport.width}px]: ${v.kind} [${v.impact}] ${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join('; ')})`);
        }
        if (failing.length) {
          fail(
            `${failing.length} serious/critical violation(s): ${failing.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`).join(', ')}`,
            failing.flatMap(describeViolation),
          );
        }
      });
    }
    if (viewport.width < 600) {
      await test(`no horizontal scroll on ${label} at ${viewport.width}px`, async () => {
        need();
        await s.page.setViewportSize(viewport);
        const m = await s.page.evaluate(() => {
          const w = window.innerWidth;
          // Past the right edge, or (right-to-left pages) past the left edge.
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > w + 1 || e.getBoundingClientRect().left < -1)
            .slice(0, 5)
            .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''} left=${Math.round(e.getBoundingClientRect().left)} right=${Math.round(e.getBoundingClientRect().right)}`);
          return { scrollWidth: document.documentElement.scrollWidth, innerWidth: w, wide };
        });
        if (m.scrollWidth > m.innerWidth + 1) fail(`scrollWidth ${m.scrollWidth} > innerWidth ${m.innerWidth}`, m.wide.map((x) => `overflowing: ${x}`));
      });
    }
  }
  if (extra) await extra(s, need);
  await test(`no failed requests, error responses, console errors or foreign requests on ${label}`, async () => {
    need();
    await s.page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => {});
    const problems = sessionProblems(s, { allow404Document: expectStatus === 404 });
    if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
    if (s.log.requests.length === 0) fail('no requests were recorded (monitoring broken?)');
  });
  return s;
}

// ---------------------------------------------------------------- search

const short = (q) => {
  const one = String(q).replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > 60 ? `${one.slice(0, 57)}…` : one);
};

// Waits until search.js has finished the search for the query in the box: the
// module has started (#search-app[data-ready]), the URL carries `q` (search.js
// writes it when a search starts; a ?q= load starts one), and the live region
// no longer says "Searching…" (set when a search starts, replaced when it ends).
async function waitSearch(s, q) {
  try {
    await s.page.waitForFunction(
      (want) => {
        const app = document.getElementById('search-app');
        const st = document.getElementById('search-status');
        if (!app || !st || app.dataset.ready !== 'true') return false;
        if (new URL(location.href).searchParams.get('q') !== want) return false;
        return st.textContent !== app.dataset.sSearching;
      },
      q,
      { timeout: SEARCH_TIMEOUT_MS, polling: 50 },
    );
  } catch {
    const st = await s.page
      .evaluate(() => ({
        url: location.href,
        ready: document.getElementById('search-app')?.dataset.ready ?? '(no #search-app)',
        status: document.getElementById('search-status')?.textContent ?? '(no #search-status)',
      }))
      .catch((e) => ({ error: e.message }));
    fail(`search for ${short(q)} did not finish within ${SEARCH_TIMEOUT_MS / 1000}s: ${JSON.stringify(st)}`, [
      ...s.log.pageErrors.map((e) => `page error: ${e}`),
      ...s.log.consoleErrors.map((c) => `console error: ${c.text}`),
    ]);
  }
}

// What the search page shows: per section whether it is visible and its hits.
async function searchState(page) {
  return page.evaluate(() => {
    const section = (id) => {
      const el = document.getElementById(id);
      if (!el) return { exists: false, shown: false, hits: [] };
      const hits = [...el.querySelectorAll('.hit')].map((h) => {
        const a = h.querySelector('a.hit-title') || h.querySelector('a');
        return {
          href: a ? a.href : null,
          title: a ? a.textContent.trim() : '',
          level: h.querySelector('.hit-level')?.textContent.trim() ?? null,
          values: [...h.querySelectorAll('table.values mark.value')].map((m) => m.textContent),
          valueRows: [...h.querySelectorAll('table.values tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent.trim())),
        };
      });
      return { exists: true, shown: !el.hidden && el.getClientRects().length > 0, hits };
    };
    const filters = document.getElementById('filters');
    return {
      status: document.getElementById('search-status')?.textContent ?? null,
      box: document.getElementById('q')?.value ?? null,
      direct: section('direct-hits'),
      lookup: section('lookup-results'),
      text: section('text-results'),
      filters: {
        shown: !!filters && !filters.hidden && filters.getClientRects().length > 0,
        boxes: filters
          ? [...filters.querySelectorAll('input[type="checkbox"]')].map((b) => ({
              name: b.name,
              value: b.value,
              checked: b.checked,
              label: (b.labels && b.labels[0] ? b.labels[0].textContent : '').trim(),
            }))
          : [],
      },
    };
  });
}

const hrefsOf = (sec) => (sec.shown ? sec.hits.map((h) => h.href) : []);
const describeState = (st) => [
  `status: ${JSON.stringify(st.status)}`,
  `direct hits (${st.direct.shown ? 'shown' : 'hidden'}): ${st.direct.hits.map((h) => h.title).join('; ') || '-'}`,
  `lookup results (${st.lookup.shown ? 'shown' : 'hidden'}): ${st.lookup.hits.map((h) => `${h.title} [${h.values.join(' | ')}]`).join('; ') || '-'}`,
  `text results (${st.text.shown ? 'shown' : 'hidden'}): ${st.text.hits.map((h) => `${h.title} (${h.level})`).slice(0, 8).join('; ') || '-'}${st.text.hits.length > 8 ? ` … ${st.text.hits.length} in all` : ''}`,
  `filters (${st.filters.shown ? 'shown' : 'hidden'}): ${st.filters.boxes.length} checkbox(es)`,
];

// Opens `{lang}/search/?q=…` and waits for the search to finish.
async function searchByUrl(s, srv, lang, q) {
  const resp = await s.page.goto(srv.url(`${lang}/search/?q=${encodeURIComponent(q)}`));
  if (!resp || resp.status() !== 200) fail(`search page status ${resp && resp.status()}`);
  await waitSearch(s, q);
  return searchState(s.page);
}

// Puts `q` into the box of the `{lang}/search/` page already open (or opens an
// empty one) and waits for the search: typed (fill), or pasted (the whole text
// replaces the selected box content in one input event, as a paste does).
async function searchByTyping(s, srv, lang, q, { paste = false } = {}) {
  if (!s.page.url().startsWith(srv.url(`${lang}/search/`))) {
    const resp = await s.page.goto(srv.url(`${lang}/search/`));
    if (!resp || resp.status() !== 200) fail(`search page status ${resp && resp.status()}`);
  }
  await s.page.waitForSelector('#search-app[data-ready="true"]', { state: 'attached', timeout: SEARCH_TIMEOUT_MS });
  if (new URL(s.page.url()).searchParams.get('q') === q) fail(`test error: ${short(q)} is already the current search`);
  if (paste) {
    await s.page.focus('#q');
    await s.page.keyboard.press('ControlOrMeta+A');
    await s.page.keyboard.insertText(q);
  } else {
    await s.page.fill('#q', q);
  }
  await waitSearch(s, q);
  return searchState(s.page);
}

// The direct-hit, lookup, text and filter checks shared by the tests.
function expectDirect(st, q, wantHrefs, { only = false } = {}) {
  const got = hrefsOf(st.direct);
  if (!st.direct.shown) fail(`${short(q)}: #direct-hits is not shown`, describeState(st));
  const missing = wantHrefs.filter((h) => !got.includes(h));
  if (missing.length) fail(`${short(q)}: no direct hit linking to ${missing.join(', ')}`, describeState(st));
  if (only && got.length !== wantHrefs.length) fail(`${short(q)}: ${got.length} direct hits, expected only ${wantHrefs.join(', ')}`, describeState(st));
}

function expectLookup(st, q, wantHref, check) {
  if (!st.lookup.shown || st.lookup.hits.length === 0) fail(`${short(q)}: #lookup-results is not shown`, describeState(st));
  const first = st.lookup.hits[0];
  if (first.href !== wantHref) fail(`${short(q)}: first lookup result links to ${first.href}, expected ${wantHref}`, describeState(st));
  check(first);
}

function expectTextHit(st, q, wantHref) {
  if (!st.text.shown) fail(`${short(q)}: #text-results is not shown`, describeState(st));
  if (!hrefsOf(st.text).includes(wantHref)) fail(`${short(q)}: no text result links to ${wantHref}`, describeState(st));
}

const sameList = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Ticks (or unticks) the filter checkbox name=value by clicking its label and
// waits until search.js has searched again and redrawn the filters.
async function toggleFilter(s, name, value) {
  const selector = `#filters input[type="checkbox"][name="${name}"][value="${value}"]`;
  const box = s.page.locator(selector);
  if ((await box.count()) !== 1) fail(`no ${name} checkbox "${value}" in #filters`, describeState(await searchState(s.page)));
  const was = await box.isChecked();
  await s.page.evaluate(() => {
    for (const g of document.querySelectorAll('#filters .filter-groups > *')) g.dataset.testStale = '1';
  });
  const id = await box.getAttribute('id');
  await s.page.locator(`#filters label[for="${id}"]`).click();
  try {
    await s.page.waitForFunction(
      ({ sel, want }) => {
        const app = document.getElementById('search-app');
        if (document.getElementById('search-status').textContent === app.dataset.sSearching) return false;
        if (document.querySelector('#filters [data-test-stale]')) return false;
        const b = document.querySelector(sel);
        return !!b && b.checked === want;
      },
      { sel: selector, want: !was },
      { timeout: SEARCH_TIMEOUT_MS, polling: 50 },
    );
  } catch {
    fail(`after clicking the ${name} filter "${value}" the results were not redrawn with it ${was ? 'unticked' : 'ticked'}`, describeState(await searchState(s.page)));
  }
  return searchState(s.page);
}

// The search page with every kind of result visible at once, for axe. No one
// query shows them all (direct hits need a bare ID or name, lookup results a
// paste), so the page runs three searches through its own UI and keeps copies
// of the direct-hit and lookup sections, which it puts back after the last one.
function composeResults(srv, lang, { direct, paste, text }) {
  return {
    name: 'direct hits, lookup results with values, text results and filters all displayed',
    run: async (s) => {
      await waitSearch(s, direct); // pageSuite opened ?q=<direct>
      await s.page.evaluate(() => { window.__directHits = document.getElementById('direct-hits').cloneNode(true); });
      await s.page.fill('#q', paste);
      await waitSearch(s, paste);
      await s.page.evaluate(() => { window.__lookupResults = document.getElementById('lookup-results').cloneNode(true); });
      await s.page.fill('#q', text);
      await waitSearch(s, text);
      await s.page.evaluate(() => {
        document.getElementById('direct-hits').replaceWith(window.__directHits);
        document.getElementById('lookup-results').replaceWith(window.__lookupResults);
      });
      const st = await searchState(s.page);
      const problems = [];
      if (!st.direct.shown || st.direct.hits.length === 0) problems.push(`${short(direct)} gave no direct hits`);
      if (!st.lookup.shown || !st.lookup.hits.some((h) => h.values.length)) problems.push(`${short(paste)} gave no lookup result with a values table`);
      if (!st.text.shown || st.text.hits.length === 0) problems.push(`${short(text)} gave no text results`);
      if (!st.filters.shown || st.filters.boxes.length === 0) problems.push(`${short(text)} shows no filters (form#filters ${st.filters.shown ? 'has no checkboxes' : 'is hidden'})`);
      if (problems.length) fail(problems.join('; '), describeState(st));
    },
  };
}

// The functional tests of one language's search page on the flagship, run in
// the session of its page suite (whose last test checks the requests).
async function searchTests(s, need, srv, lang) {
  const L = SEARCH_LANGS[lang];
  const seed = srv.url(`${lang}/${SEED_EVENT}`);
  await test(`search ${lang}: "2002" gives a direct hit that opens the article`, async () => {
    need();
    const st = await searchByUrl(s, srv, lang, '2002');
    expectDirect(st, '2002', [seed]);
    await s.page.locator(`#direct-hits .hit a[href="${seed}"]`).first().click();
    await s.page.waitForURL(seed, { timeout: 5000 }).catch(() => fail(`clicking the hit led to ${s.page.url()}, expected ${seed}`));
    const h1 = (await s.page.locator('h1').innerText()).trim();
    if (h1 !== SEED_H1) fail(`the article's h1 is "${h1}", expected "${SEED_H1}"`);
  });
  await test(`search ${lang}: source and ID give only that event`, async () => {
    need();
    const st = await searchByTyping(s, srv, lang, 'MSExchangeTransport 2002');
    expectDirect(st, 'MSExchangeTransport 2002', [seed], { only: true });
    // 1001 is both Dhcp-Client 1001 and SMBServer 1001: the source must pick one.
    const dhcp = srv.url(`${lang}/microsoft-windows-dhcp-client/1001/`);
    const smb = srv.url(`${lang}/microsoft-windows-smbserver/1001/`);
    const both = await searchByTyping(s, srv, lang, '1001');
    expectDirect(both, '1001', [dhcp, smb], { only: true });
    const one = await searchByTyping(s, srv, lang, 'Microsoft-Windows-SMBServer 1001');
    expectDirect(one, 'Microsoft-Windows-SMBServer 1001', [smb], { only: true });
  });
  await test(`search ${lang}: symbolic name SmtpSendConnectionError, in any case, gives 2002`, async () => {
    need();
    for (const q of ['SmtpSendConnectionError', 'smtpsendconnectionerror']) {
      expectDirect(await searchByTyping(s, srv, lang, q), q, [seed], { only: true });
    }
  });
  await test(`search ${lang}: the words "${L.words}" find 2002 in the text results`, async () => {
    need();
    expectTextHit(await searchByTyping(s, srv, lang, L.words), L.words, seed);
  });
  await test(`search ${lang}: "${L.filterQuery}" filtered by level "${L.level}", and unfiltered again`, async () => {
    need();
    const before = await searchByTyping(s, srv, lang, L.filterQuery);
    if (!before.text.shown || before.text.hits.length === 0) fail(`${short(L.filterQuery)} gave no text results`, describeState(before));
    if (!before.text.hits.some((h) => h.level !== L.level)) fail(`every result is already "${L.level}": the test data does not exercise the filter`, describeState(before));
    if (!before.filters.shown) fail('form#filters is not shown with the text results', describeState(before));
    const filtered = await toggleFilter(s, 'level', L.level);
    const wrong = filtered.text.hits.filter((h) => h.level !== L.level);
    if (!filtered.text.shown || filtered.text.hits.length === 0) fail(`no text results left with level "${L.level}"`, describeState(filtered));
    if (wrong.length) fail(`${wrong.length} result(s) with another level remain, e.g. ${wrong[0].title} (${wrong[0].level})`, describeState(filtered));
    if (filtered.text.hits.length > before.text.hits.length) fail(`the filter grew the results from ${before.text.hits.length} to ${filtered.text.hits.length}`);
    const ticked = filtered.filters.boxes.find((b) => b.name === 'level' && b.value === L.level);
    const n = Number((/\((\d+)\)\s*$/.exec(ticked.label) || [])[1]);
    if (n !== filtered.text.hits.length && !(n > 20 && filtered.text.hits.length === 20)) {
      fail(`the label "${ticked.label}" does not match the ${filtered.text.hits.length} result(s) shown`);
    }
    const after = await toggleFilter(s, 'level', L.level);
    if (!sameList(hrefsOf(after.text), hrefsOf(before.text))) {
      fail(`unticking did not restore the ${before.text.hits.length} results (now ${after.text.hits.length})`, describeState(after));
    }
  });
  await test(`search ${lang}: a typed message with real values gives 2002 and its values`, async () => {
    need();
    const st = await searchByTyping(s, srv, lang, L.message);
    expectLookup(st, L.message, seed, (h) => {
      if (!sameList(h.values, PASTE_VALUES)) fail(`values are ${JSON.stringify(h.values)}, expected ${JSON.stringify(PASTE_VALUES)}`, describeState(st));
    });
  });
  await test(`search ${lang}: a pasted Event Viewer text block gives 2002 and its values`, async () => {
    need();
    const st = await searchByTyping(s, srv, lang, L.textBlock, { paste: true });
    expectLookup(st, L.textBlock, seed, (h) => {
      if (!sameList(h.values, PASTE_VALUES)) fail(`values are ${JSON.stringify(h.values)}, expected ${JSON.stringify(PASTE_VALUES)}`, describeState(st));
    });
  });
  await test(`search ${lang}: pasted event XML gives DNS-Client 1014 with its QueryName`, async () => {
    need();
    const st = await searchByTyping(s, srv, lang, XML_PASTE, { paste: true });
    expectLookup(st, XML_PASTE, srv.url(`${lang}/${DNS_EVENT}`), (h) => {
      const row = h.valueRows.find((r) => r[0] === '{QueryName}');
      if (!row || row[1] !== 'wpad.contoso.com') fail(`no {QueryName} row with value wpad.contoso.com: ${JSON.stringify(h.valueRows)}`, describeState(st));
      if (h.values[0] !== 'wpad.contoso.com') fail(`first value is ${JSON.stringify(h.values[0])}`, describeState(st));
    });
  });
  await test(`search ${lang}: a pasted Time-Service 266 message decodes its reason code in the page's language`, async () => {
    need();
    const reason = (st, q, want) => expectLookup(st, q, srv.url(`${lang}/${TIME_266}`), (h) => {
      const row = h.valueRows.find((r) => r[0] === '{ReasonCode}');
      if (!row || row[1] !== want) fail(`the {ReasonCode} row is ${JSON.stringify(row)}, expected the value ${JSON.stringify(want)}`, describeState(st));
      if (h.values[0] !== want.split(' ')[0]) fail(`the marked value is ${JSON.stringify(h.values[0])}, expected the raw code`, describeState(st));
    });
    const q = TIME_266_MESSAGE(2);
    reason(await searchByTyping(s, srv, lang, q, { paste: true }), q, L.reason2);
    // A code the map does not explain: shown as it is, and said so.
    const unknown = TIME_266_MESSAGE(7);
    reason(await searchByTyping(s, srv, lang, unknown, { paste: true }), unknown, L.reason7);
    // Event XML: <Data Name="ReasonCode"> goes to the field of that name.
    const xml = TIME_266_XML(1);
    reason(await searchByTyping(s, srv, lang, xml, { paste: true }), xml, L.reason1);
  });
  await test(`search ${lang}: Kernel-Boot 238 version 0's shorter text finds Kernel-Boot 238`, async () => {
    need();
    const st = await searchByTyping(s, srv, lang, KERNEL_BOOT_238_V0, { paste: true });
    expectLookup(st, KERNEL_BOOT_238_V0, srv.url(`${lang}/${KERNEL_BOOT_238}`), (h) => {
      if (!sameList(h.values, ['-60', '0x1'])) fail(`values are ${JSON.stringify(h.values)}`, describeState(st));
    });
    if (st.lookup.hits.length !== 1) fail(`${st.lookup.hits.length} lookup results, expected Kernel-Boot 238 alone`, describeState(st));
  });
  await test(`search ${lang}: an Event Viewer block pasted into the header box through the clipboard lands on 2002 with its values`, async () => {
    need();
    await s.page.goto(seed);
    await s.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.origin });
    await s.page.evaluate((text) => navigator.clipboard.writeText(text), L.textBlock);
    await s.page.focus('#site-q');
    await s.page.keyboard.press('ControlOrMeta+V');
    await s.page.waitForURL((u) => u.pathname.endsWith(`/${lang}/search/`), { timeout: 5000 }).catch(() => fail(`pasting stayed on ${s.page.url()}`));
    await waitSearch(s, L.textBlock);
    const st = await searchState(s.page);
    if (st.box !== L.textBlock) fail(`the search box holds ${JSON.stringify(st.box)}, expected the pasted block unchanged`);
    expectLookup(st, L.textBlock, seed, (h) => {
      if (!sameList(h.values, PASTE_VALUES)) fail(`values are ${JSON.stringify(h.values)}, expected ${JSON.stringify(PASTE_VALUES)}`, describeState(st));
    });
  });
  if (lang === 'en') {
    const notices = () => s.page.evaluate(() => {
      const box = document.getElementById('search-notices');
      return {
        shown: !!box && !box.hidden,
        items: box ? [...box.querySelectorAll('p')].map((p) => ({ kind: p.className, text: p.textContent, links: [...p.querySelectorAll('a')].map((a) => [a.textContent, a.href]) })) : [],
        textHeading: document.getElementById('text-results-h').textContent,
      };
    });
    await test('search en: a sentence with a colon matches no event, and the page says so', async () => {
      need();
      const q = 'The Windows Update service failed: access denied, please help me fix it';
      const st = await searchByTyping(s, srv, lang, q);
      if (st.lookup.shown && st.lookup.hits.length) fail(`lookup claims ${st.lookup.hits.map((h) => h.title).join(', ')}`, describeState(st));
      const n = await notices();
      if (!n.items.some((i) => i.kind.includes('notice-lookup-no-match') && /No event in this reference matches/.test(i.text))) fail(`no "no event matches" notice: ${JSON.stringify(n)}`);
      if (st.text.shown && !/not matches for the pasted text/.test(n.textHeading)) fail(`full-text results are not labelled as such: ${n.textHeading}`);
    });
    await test('search en: "2002" lists 2002 once and counts it once', async () => {
      need();
      const st = await searchByTyping(s, srv, lang, '2002');
      const all = [...hrefsOf(st.direct), ...hrefsOf(st.lookup), ...hrefsOf(st.text)];
      if (all.filter((h) => h === seed).length !== 1) fail(`2002 appears ${all.filter((h) => h === seed).length} times`, describeState(st));
      const count = Number((/\d+/.exec(st.status) || [])[0]);
      if (count !== all.length) fail(`status "${st.status}" but ${all.length} results shown`, describeState(st));
    });
    await test('search en: "20021" says there is no such event and offers the nearest IDs', async () => {
      need();
      const st = await searchByTyping(s, srv, lang, '20021');
      if (st.direct.shown && st.direct.hits.length) fail('direct hits for 20021', describeState(st));
      const n = await notices();
      const p = n.items.find((i) => i.kind.includes('notice-no-such-id'));
      if (!p || !p.text.startsWith('No event with ID 20021.')) fail(`no "No event with ID 20021" notice: ${JSON.stringify(n)}`);
      if (!p.links.length || p.links[0][0] !== '2002') fail(`the nearest IDs do not start with 2002: ${JSON.stringify(p.links)}`);
    });
    await test('search en: "MSExchangeTransport 2003" is not in this reference; its source\'s events are offered', async () => {
      need();
      await searchByTyping(s, srv, lang, 'MSExchangeTransport 2003');
      const n = await notices();
      const p = n.items.find((i) => i.kind.includes('notice-not-in-reference'));
      if (!p || !p.text.startsWith('MSExchangeTransport 2003 is not in this reference.')) fail(`no "not in this reference" notice: ${JSON.stringify(n)}`);
      if (!p.links.some(([, href]) => href === srv.url(SEED_SOURCE))) fail(`no link to ${SEED_SOURCE}: ${JSON.stringify(p.links)}`);
    });
    await test('search en: a typo gets a did-you-mean from the reference\'s own words', async () => {
      need();
      await searchByTyping(s, srv, lang, 'tranport');
      await s.page.waitForSelector('#search-notices .notice-did-you-mean', { timeout: SEARCH_TIMEOUT_MS }).catch(() => {});
      const n = await notices();
      const p = n.items.find((i) => i.kind.includes('notice-did-you-mean'));
      if (!p || !p.links.some(([t]) => t === 'transport')) fail(`no "Did you mean: transport": ${JSON.stringify(n)}`);
    });
    await test('search en: the issue #11 link (Kernel-General/1, 320 repeats) does not freeze the tab', async () => {
      need();
      const q = `The system time has changed to ${" from x.Change Reason: x.Process: 'x' (PID ".repeat(320)}zz`;
      const ms = await s.page.evaluate(async (text) => {
        const L = await import(new URL('static/lookup.js', new URL(document.getElementById('search-app').dataset.root, location.href)).href);
        const t = [{ source: 'Microsoft-Windows-Kernel-General', id: 1, message: "The system time has changed to {NewTime} from {OldTime}.Change Reason: {Reason}.Process: '{ProcessName}' (PID {ProcessID})." }];
        L.lookup(L.parsePaste(text), t);
        let best = Infinity; // the best of five: the machine may be busy
        for (let k = 0; k < 5; k++) {
          const t0 = performance.now();
          L.lookup(L.parsePaste(text), t);
          best = Math.min(best, performance.now() - t0);
        }
        return best;
      }, q);
      if (!(ms < 100)) fail(`the lookup took ${ms.toFixed(1)} ms (limit 100 ms)`);
      // The page itself runs it too (typed: the test server refuses URLs this long).
      await searchByTyping(s, srv, lang, q);
    });
  }
  await test(`search ${lang}: the header search box on an article leads to the results`, async () => {
    need();
    await s.page.goto(seed);
    const q = 'SmtpSendConnectionError';
    await s.page.fill('#site-q', q);
    await s.page.press('#site-q', 'Enter');
    const want = srv.url(`${lang}/search/?q=${q}`);
    await s.page.waitForURL(want, { timeout: 5000 }).catch(() => fail(`submitting went to ${s.page.url()}, expected ${want}`));
    await waitSearch(s, q);
    const st = await searchState(s.page);
    if (st.box !== q) fail(`the search box holds ${JSON.stringify(st.box)}, expected "${q}"`);
    expectDirect(st, q, [seed]);
  });
}

// ---- /go/ (src/render/go.rs + static/go.js): Event Viewer's "Event Log Online Help" link.
// The parameter sets are the ones Event Viewer appends to the URL an administrator configured.
const GO_VIEWER = 'CoName=Microsoft%20Corporation&ProdName=Microsoft%C2%AE%20Exchange&ProdVer=14.03.0123.004&FileName=MSExchangeTransport.exe&FileVer=14.03.0123.004';
const GO_CASES = [
  {
    name: 'a known event (English locale 1033) opens its article',
    query: `${GO_VIEWER}&EvtSrc=MSExchangeTransport&EvtID=2002&LCID=1033`,
    want: 'en/msexchangetransport/2002/',
  },
  {
    name: 'German locale 1031, lower-case names and a 32-bit event ID (qualifier bits set) open the German article',
    query: `coname=Microsoft%20Corporation&prodname=Windows&prodver=10.0&evtsrc=MSExchangeTransport&evtid=${0x40000000 + 2002}&lcid=1031`,
    want: 'de/msexchangetransport/2002/',
  },
  {
    name: 'an unknown locale (Japanese 1041, not a language of this site) falls back to English',
    query: `${GO_VIEWER}&EvtSrc=MSExchangeTransport&EvtID=2002&LCID=1041`,
    want: 'en/msexchangetransport/2002/',
  },
  {
    name: 'an event the reference lacks leads to the search page for its source and ID, with a notice',
    query: `${GO_VIEWER}&EvtSrc=Contoso-Nowhere&EvtID=4242&LCID=1031`,
    want: 'de/search/?q=Contoso-Nowhere%204242#not-in-reference',
    notice: true,
  },
];

async function goTests(browser, srv, sessions) {
  for (const c of GO_CASES) {
    await test(`go: ${c.name}`, async () => {
      const s = await openSession(browser, srv);
      sessions.push(s);
      await s.page.goto(srv.url(`go/?${c.query}`), { waitUntil: 'commit' });
      const want = srv.url(c.want);
      await s.page.waitForURL(want, { timeout: 10_000 }).catch(() => fail(`went to ${s.page.url()}, expected ${want}`));
      await settle(s.page);
      const notice = s.page.locator('#not-in-reference');
      if (c.notice) {
        if (!(await notice.isVisible())) fail('the "not in this reference" notice is not shown');
        await s.page.waitForSelector('#search-app[data-ready="true"]', { state: 'attached', timeout: SEARCH_TIMEOUT_MS });
        const box = await s.page.locator('#q').inputValue();
        if (box !== 'Contoso-Nowhere 4242') fail(`the search box holds ${JSON.stringify(box)}`);
      } else if (await s.page.locator('body.page-event').count() !== 1) {
        fail(`landed on ${s.page.url()} without an article`);
      }
      const problems = sessionProblems(s);
      if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
    });
  }
  await test('go: a plain search page does not show the "not in this reference" notice', async () => {
    const s = await openSession(browser, srv);
    sessions.push(s);
    await s.page.goto(srv.url('en/search/?q=2002'));
    await settle(s.page);
    if (await s.page.locator('#not-in-reference').isVisible()) fail('the notice shows without #not-in-reference');
  });
}

// ---- An offline copy (eventref build --offline) opened from disk, file:// (no server).
// Links end in index.html; the lookup tables come from classic scripts; full-text
// search says it needs a server. `site` is the copy's folder.
async function offlineTests(browser, site) {
  const root = pathToFileURL(`${site}/`);
  // A session whose "server" is the disk: requests anywhere but file:// are problems.
  const disk = { origin: 'null', url: (p = '') => new URL(p, root).href };
  const open = async () => openSession(browser, disk);
  const done = async (s) => {
    const problems = sessionProblems(s);
    await closeSession(s);
    if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
  };
  await test('offline: the copy opens from disk and its links lead to pages, not folder listings', async () => {
    const s = await open();
    await s.page.goto(disk.url('index.html'));
    await s.page.waitForURL(disk.url('en/index.html'), { timeout: 10_000 }).catch(() => fail(`the root page went to ${s.page.url()}`));
    await settle(s.page);
    const hrefs = await s.page.locator('a[href]').evaluateAll((as) => as.map((a) => a.href).filter((h) => h.startsWith('file:') && !h.includes('#')));
    const bad = hrefs.filter((h) => !h.endsWith('/index.html'));
    if (!hrefs.length || bad.length) fail(`${bad.length} of ${hrefs.length} links do not end in /index.html, first: ${bad[0]}`);
    await s.page.locator('.sidebar a').first().click();
    await settle(s.page);
    if ((await s.page.locator('body.page-source').count()) !== 1) fail(`a source link led to ${s.page.url()}`);
    await s.page.locator('table.events a').first().click();
    await settle(s.page);
    if ((await s.page.locator('body.page-event').count()) !== 1) fail(`an event link led to ${s.page.url()}`);
    await done(s);
  });
  // Lookup from disk: each query's first direct or lookup hit is the seed event.
  const want = disk.url(`en/${SEED_EVENT}index.html`);
  for (const [name, q, section] of [
    ['an event ID', '2002', '#direct-hits'],
    ['"Source ID"', 'MSExchangeTransport 2002', '#direct-hits'],
    ['a symbolic name', 'SmtpSendConnectionError', '#direct-hits'],
    ['a pasted message', SEARCH_LANGS.en.message, '#lookup-results'],
    ['a pasted Event Viewer text block', SEARCH_LANGS.en.textBlock, '#lookup-results'],
  ]) {
    await test(`offline: ${name} is looked up from disk`, async () => {
      const s = await open();
      await s.page.goto(`${disk.url('en/search/index.html')}?q=${encodeURIComponent(q)}`);
      await s.page.waitForSelector('#search-app[data-ready="true"]', { state: 'attached', timeout: SEARCH_TIMEOUT_MS });
      const first = s.page.locator(`${section} .hit-title`).first();
      await first.waitFor({ timeout: SEARCH_TIMEOUT_MS }).catch(() => fail(`no ${section} hit; status: ${JSON.stringify(s.page.locator('#search-status').textContent())}`));
      const href = await first.evaluate((a) => a.href);
      if (href !== want) fail(`first hit links ${href}, expected ${want}`);
      await first.click();
      await settle(s.page);
      if ((await s.page.locator('body.page-event').count()) !== 1) fail(`the hit led to ${s.page.url()}`);
      await done(s);
    });
  }
  await test('offline: a coded value is decoded from disk (lookup/maps.json through its script twin)', async () => {
    const s = await open();
    const q = TIME_266_XML(2);
    await s.page.goto(`${disk.url('en/search/index.html')}?q=${encodeURIComponent(q)}`);
    await s.page.waitForSelector('#search-app[data-ready="true"]', { state: 'attached', timeout: SEARCH_TIMEOUT_MS });
    const decoded = s.page.locator('#lookup-results table.values .decoded').first();
    await decoded.waitFor({ timeout: SEARCH_TIMEOUT_MS }).catch(() => fail('no decoded value in #lookup-results'));
    const text = await decoded.innerText();
    if (text !== SEARCH_LANGS.en.reason2.slice(3, -1)) fail(`decoded as ${JSON.stringify(text)}`);
    await done(s);
  });
  await test('offline: the search page says plainly that full-text search needs a server', async () => {
    const s = await open();
    await s.page.goto(`${disk.url('en/search/index.html')}?q=connector`);
    await s.page.waitForSelector('#search-app[data-ready="true"]', { state: 'attached', timeout: SEARCH_TIMEOUT_MS });
    const notice = s.page.locator('#offline-notice');
    if (!(await notice.isVisible())) fail('no visible #offline-notice');
    const text = await notice.innerText();
    if (!text.includes('eventref serve') || !text.includes('static web server')) fail(`notice: ${text}`);
    if (s.log.requests.some((u) => u.includes('/pagefind/'))) fail('the page tried to load Pagefind from disk');
    await done(s);
  });
  await test('offline: the header search box opens the search page from disk', async () => {
    const s = await open();
    await s.page.goto(disk.url(`en/${SEED_EVENT}index.html`));
    await settle(s.page);
    await s.page.fill('#site-q', '2002');
    await s.page.press('#site-q', 'Enter');
    await s.page.waitForSelector('#search-app[data-ready="true"]', { state: 'attached', timeout: SEARCH_TIMEOUT_MS });
    if (!s.page.url().startsWith(disk.url('en/search/index.html'))) fail(`went to ${s.page.url()}`);
    await s.page.locator('#direct-hits .hit-title').first().waitFor({ timeout: SEARCH_TIMEOUT_MS });
    await done(s);
  });
  await test('offline: /go/ from disk opens the German article for LCID 1031', async () => {
    const s = await open();
    await s.page.goto(`${disk.url('go/index.html')}?EvtSrc=MSExchangeTransport&EvtID=2002&LCID=1031`);
    const de = disk.url(`de/${SEED_EVENT}index.html`);
    await s.page.waitForURL(de, { timeout: 10_000 }).catch(() => fail(`went to ${s.page.url()}, expected ${de}`));
    await settle(s.page);
    await done(s);
  });
}

// Search on the i18n fixture: Arabic (right to left) page suite, and Japanese words.
async function cjkTests(browser, srv, cjkSite, sessions) {
  await test('i18n: "Edit this page" links the record, the overlay, or how to start one', async () => {
    const s = await openSession(browser, srv);
    sessions.push(s);
    const base = 'https://git.example.org/kb/edit/main/';
    const edit = async (p) => {
      await s.page.goto(srv.url(p));
      await settle(s.page);
      return s.page.locator('.edit-page').evaluateAll((ps) => ps.map((e) => ({
        hrefs: [...e.querySelectorAll('a')].map((a) => a.href),
        code: e.querySelector('code')?.textContent ?? null,
        visible: e.getClientRects().length > 0,
      })));
    };
    const en = await edit('en/contoso/1/');
    if (en.length !== 1 || !en[0].visible || JSON.stringify(en[0].hrefs) !== JSON.stringify([`${base}content/full.yaml`])) fail(`en: ${JSON.stringify(en)}`);
    const de = await edit('de/contoso/1/');
    if (de.length !== 1 || JSON.stringify(de[0].hrefs) !== JSON.stringify([`${base}content/full.de.yaml`])) fail(`de: ${JSON.stringify(de)}`);
    const ar = await edit('ar/contoso/1/');
    if (ar.length !== 1 || ar[0].code !== 'eventref new --lang ar Contoso 1' || JSON.stringify(ar[0].hrefs) !== JSON.stringify([`${base}content/full.yaml`])) fail(`ar: ${JSON.stringify(ar)}`);
    const problems = sessionProblems(s);
    if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
  });
  await test('ar: every Arabic page is right-to-left', async () => {
    const pages = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === 'index.html') pages.push(p);
      }
    };
    walk(path.join(cjkSite, 'ar'));
    if (pages.length < 3) fail(`only ${pages.length} page(s) under ar/`);
    const bad = pages.filter((p) => !/<html\b[^>]*\blang="ar"[^>]*\bdir="rtl"/.test(fs.readFileSync(p, 'utf8')));
    if (bad.length) fail(`${bad.length} of ${pages.length} ar/ page(s) without <html lang="ar" dir="rtl">, first: ${path.relative(cjkSite, bad[0])}`);
  });
  await test('ar: English fallback text on an Arabic page reads left to right (Contoso 3, untranslated)', async () => {
    const s = await openSession(browser, srv);
    sessions.push(s);
    await s.page.goto(srv.url('ar/contoso/3/'));
    await settle(s.page);
    const r = await s.page.evaluate(() => {
      const wrong = [];
      for (const el of document.querySelectorAll('body [lang]')) {
        const l = el.getAttribute('lang');
        if (l === 'ar') continue;
        const d = getComputedStyle(el).direction;
        if (d !== (l.startsWith('ar') ? 'rtl' : 'ltr')) wrong.push(`<${el.localName} lang="${l}"> is ${d}`);
      }
      // Where the message's final period is drawn: at the right end of the
      // sentence, not jumped to its left ('.Disk %1 is full').
      const td = document.querySelector('td.message');
      const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      const nodes = [];
      while (walk.nextNode()) if (walk.currentNode.textContent.trim()) nodes.push(walk.currentNode);
      const at = (node, i) => { const g = document.createRange(); g.setStart(node, i); g.setEnd(node, i + 1); return g.getBoundingClientRect().left; };
      const first = nodes[0];
      const last = nodes[nodes.length - 1];
      const end = last.textContent.trimEnd().length - 1;
      return { wrong, text: td.textContent.trim(), first: at(first, first.textContent.length - first.textContent.trimStart().length), last: at(last, end), blocks: document.querySelectorAll('body [lang="en"]').length };
    });
    if (r.blocks < 2) fail(`only ${r.blocks} English block(s) on ar/contoso/3/`);
    if (r.wrong.length) fail(r.wrong[0], r.wrong);
    if (!r.text.endsWith('.')) fail(`message text "${r.text}" does not end with a period`);
    if (!(r.last > r.first)) fail(`the final "." is drawn at x=${r.last}, left of the first letter at x=${r.first}`);
    const problems = sessionProblems(s);
    if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
  });
  sessions.push(await pageSuite(browser, srv, 'ar/search/ (Arabic search, i18n fixture)', srv.url(`ar/search/?q=${RTL_SEARCH.direct}`), {
    bodyClass: 'page-search',
    prepare: composeResults(srv, 'ar', RTL_SEARCH),
    extra: async (s, need) => {
      await test('ar search: the page lays out right to left and finds Contoso 1', async () => {
        need();
        const dir = await s.page.evaluate(() => [document.documentElement.dir, getComputedStyle(document.getElementById('search-app')).direction]);
        if (dir[0] !== 'rtl' || dir[1] !== 'rtl') fail(`html dir "${dir[0]}", #search-app direction ${dir[1]}`);
        const st = await searchByUrl(s, srv, 'ar', 'Contoso 1');
        expectDirect(st, 'Contoso 1', [srv.url(`ar/${CJK_EVENT}`)], { only: true });
      });
    },
  }));
  const s = await openSession(browser, srv);
  sessions.push(s);
  for (const [i, word] of CJK_WORDS.entries()) {
    await test(`ja search: "${word}" finds ${CJK_EVENT} in the text results`, async () => {
      const st = i === 0 ? await searchByUrl(s, srv, 'ja', word) : await searchByTyping(s, srv, 'ja', word);
      expectTextHit(st, word, srv.url(`ja/${CJK_EVENT}`));
    });
  }
  await test('ja search: a pasted Japanese message (no spaces between words) gives Contoso 1 and its values, as the CLI does', async () => {
    const q = '送信コネクタ Internet: mx.contoso.com への接続中にエラーが発生しました。';
    const st = await searchByTyping(s, srv, 'ja', q);
    expectLookup(st, q, srv.url(`ja/${CJK_EVENT}`), (h) => {
      if (!sameList(h.values, ['Internet', 'mx.contoso.com'])) fail(`values are ${JSON.stringify(h.values)}`, describeState(st));
    });
  });
  await test('no failed requests, error responses, console errors or foreign requests on ja/search/', async () => {
    const problems = sessionProblems(s);
    if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
  });
}

// ---------------------------------------------------------------- measure

function fileKind(pathname) {
  const name = pathname.split('/').pop();
  if (/\.css$/.test(name)) return 'css';
  if (/\.m?js$/.test(name)) return 'js';
  if (/^wasm\..*\.pagefind$/.test(name)) return 'wasm';
  if (/\.pf_fragment$/.test(name)) return 'pagefind fragments';
  if (/\.pf_(meta|index|filter)$/.test(name) || name === 'pagefind-entry.json') return 'pagefind index';
  if (/\/lookup\//.test(pathname)) return 'lookup tables';
  if (/\.html?$/.test(name) || name === '') return 'html';
  return 'other';
}
const KIND_ORDER = ['css', 'js', 'wasm', 'pagefind index', 'pagefind fragments', 'lookup tables', 'html', 'other'];
const kb = (n) => (n >= 10_000 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

// One measurement: a fresh context (empty cache), the search page with ?q=,
// every response body counted once the search has finished.
async function measureOne(browser, srv, lang, q, label) {
  const s = await openSession(browser, srv);
  const bodies = [];
  s.context.on('response', (r) => {
    bodies.push(
      r.body().then(
        (b) => ({
          url: r.url(),
          status: r.status(),
          bytes: b.length,
          // What a host that gzips text would send; Pagefind's files are gzip already.
          gzip: b[0] === 0x1f && b[1] === 0x8b ? b.length : zlib.gzipSync(b, { level: 6 }).length,
          nav: r.request().isNavigationRequest(),
        }),
        () => ({ url: r.url(), status: r.status(), bytes: null, nav: r.request().isNavigationRequest() }),
      ),
    );
  });
  const servedBefore = srv.served.length;
  const t0 = Date.now();
  const url = srv.url(`${lang}/search/?q=${encodeURIComponent(q)}`);
  const resp = await s.page.goto(url);
  if (!resp || resp.status() !== 200) throw new Error(`${url}: status ${resp && resp.status()}`);
  await waitSearch(s, q);
  const ms = Date.now() - t0;
  await s.page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
  const st = await searchState(s.page);
  const all = await Promise.all(bodies);
  const served = srv.served.slice(servedBefore);
  await closeSession(s);
  const page = all.filter((r) => r.nav);
  const rest = all.filter((r) => !r.nav);
  const files = rest.map((r) => {
    const p = new URL(r.url).pathname;
    return { path: p.startsWith(srv.basePath) ? p.slice(srv.basePath.length) : p, kind: fileKind(p), status: r.status, bytes: r.bytes ?? 0, gzip: r.gzip ?? 0 };
  });
  const byKind = {};
  for (const f of files) {
    byKind[f.kind] ??= { requests: 0, bytes: 0, gzip: 0 };
    byKind[f.kind].requests++;
    byKind[f.kind].bytes += f.bytes;
    byKind[f.kind].gzip += f.gzip;
  }
  const total = files.reduce((a, f) => a + f.bytes, 0);
  const totalGzip = files.reduce((a, f) => a + f.gzip, 0);
  const pageBytes = page.reduce((a, r) => a + (r.bytes ?? 0), 0);
  const servedTotal = served.reduce((a, r) => a + r.bytes, 0);
  console.log(`\n== ${label}: ${lang}/search/?q=${short(q)}`);
  console.log(`results: ${st.direct.shown ? st.direct.hits.length : 0} direct, ${st.lookup.shown ? st.lookup.hits.length : 0} lookup, ${st.text.shown ? st.text.hits.length : 0} text (shown); ${ms} ms to results on loopback`);
  console.log(`requests: ${files.length} besides the page (${page.length} page request(s), ${kb(pageBytes)})`);
  console.log(`bytes: ${total} (${kb(total)}) besides the page, response bodies as served (this server does not compress);`);
  console.log(`       ${totalGzip} (${kb(totalGzip)}) if the host gzips text files (Pagefind's files are gzip already)`);
  console.log(`  ${'kind'.padEnd(19)} ${'reqs'.padStart(4)} ${'bytes'.padStart(10)} ${'gzip'.padStart(10)}`);
  for (const k of KIND_ORDER.filter((x) => byKind[x])) {
    console.log(`  ${k.padEnd(19)} ${String(byKind[k].requests).padStart(4)} ${String(byKind[k].bytes).padStart(10)} ${String(byKind[k].gzip).padStart(10)}`);
  }
  console.log('  files:');
  for (const f of files.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.path.localeCompare(b.path))) {
    console.log(`    ${String(f.bytes).padStart(10)} ${String(f.gzip).padStart(10)}  ${f.status}  ${f.path}`);
  }
  if (servedTotal !== total + pageBytes || served.length !== all.length) {
    console.log(`note: the server sent ${served.length} response(s), ${servedTotal} B; the browser saw ${all.length}, ${total + pageBytes} B (requests from workers are not seen by the browser count)`);
  }
  return { label, lang, query: q, ms, requests: files.length, bytes: total, gzip: totalGzip, pageBytes, byKind, files, served: { requests: served.length, bytes: servedTotal } };
}

// --measure: no tests, just the cost of a word search and of a pasted-message lookup.
async function measureSearch(siteDir, { lang, query, paste }) {
  if (!fs.existsSync(path.join(siteDir, lang, 'search', 'index.html'))) {
    console.error(`error: ${siteDir} has no ${lang}/search/index.html`);
    process.exitCode = 2;
    return;
  }
  const srv = await startServer(siteDir, BASE_PATH);
  const { chromium } = require('playwright-core');
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    console.log(`measuring ${siteDir} served at ${srv.url()}`);
    const out = [];
    out.push(await measureOne(browser, srv, lang, query, 'word query'));
    out.push(await measureOne(browser, srv, lang, paste, 'pasted message'));
    console.log(`\nJSON ${JSON.stringify(out.map(({ files, ...rest }) => rest))}`);
  } catch (e) {
    console.error(`measure failed: ${e && e.message ? e.message : e}`);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await srv.close();
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const { siteDir, screenshot, cjkSite, offlineSite, pagedSite, measure } = parseArgs(process.argv.slice(2));
  if (measure) return measureSearch(siteDir, measure);
  const started = Date.now();
  let browser = null;
  const servers = [];
  const sessions = [];

  const hardStop = setTimeout(() => {
    report('global timeout', false, `run exceeded ${GLOBAL_TIMEOUT_S}s; killed browser and server`);
    console.log(summaryLine());
    for (const srv of servers) srv.server.closeAllConnections?.();
    // playwright-core kills the browsers it launched on process exit.
    process.exit(1);
  }, GLOBAL_TIMEOUT_S * 1000);
  hardStop.unref();

  try {
    let siteOk = false;
    await test('site directory is a built eventref site', async () => {
      const need = ['index.html', 'en/index.html', '404.html', 'static/technet.css', SEED + 'index.html', 'en/search/index.html'];
      const missing = need.filter((f) => !fs.existsSync(path.join(siteDir, f)));
      if (missing.length) fail(`missing in ${siteDir}: ${missing.join(', ')}`);
      siteOk = true;
    });
    if (cjkSite) {
      await test('--cjk-site directory is the built i18n fixture', async () => {
        const need = ['ja/search/index.html', 'ar/search/index.html', `ja/${CJK_EVENT}index.html`, `ar/${CJK_EVENT}index.html`];
        const missing = need.filter((f) => !fs.existsSync(path.join(cjkSite, f)));
        if (missing.length) fail(`missing in ${cjkSite}: ${missing.join(', ')}`);
      });
    }
    if (!siteOk) return;
    await test('prerequisites: playwright-core, axe-core and chromium present', async () => {
      if (!AXE_PATH) fail('axe-core not installed: run `npm ci` in tests/browser');
      try {
        require.resolve('playwright-core');
      } catch {
        fail('playwright-core not installed: run `npm ci` in tests/browser');
      }
      if (!fs.existsSync(CHROMIUM_PATH)) fail(`no browser at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
    });
    if (results.some((r) => !r.ok)) return;

    const srv = await startServer(siteDir, BASE_PATH);
    servers.push(srv);
    const rootSrv = await startServer(siteDir, '/');
    servers.push(rootSrv);
    console.log(`# serving ${siteDir} at ${srv.url()} (and at ${rootSrv.url()} for the 404 test)`);

    // ---- the server itself, and the site's non-HTML files
    await test('server: only the base path is served', async () => {
      const outside = await rawGet(srv.origin, '/en/');
      if (outside.status !== 404) fail(`GET /en/ outside the base path gave ${outside.status}`);
      const noSlash = await rawGet(srv.origin, BASE_PATH.slice(0, -1));
      if (noSlash.status !== 301 || noSlash.headers.location !== BASE_PATH) fail(`GET ${BASE_PATH.slice(0, -1)} gave ${noSlash.status} ${noSlash.headers.location}`);
      const inside = await rawGet(srv.origin, BASE_PATH);
      if (inside.status !== 200) fail(`GET ${BASE_PATH} gave ${inside.status}`);
      const dir = await rawGet(srv.origin, `${BASE_PATH}en`);
      if (dir.status !== 301 || dir.headers.location !== `${BASE_PATH}en/`) fail(`GET ${BASE_PATH}en gave ${dir.status} ${dir.headers.location}`);
      const missing = await rawGet(srv.origin, `${BASE_PATH}${MISSING}`);
      if (missing.status !== 404 || !missing.body.includes('page-404')) fail(`unknown path gave ${missing.status} without the site's 404.html`);
    });
    await test('server: path traversal is refused', async () => {
      const secret = fs.readFileSync('/etc/hostname', 'utf8').trim() || 'localhost';
      const tries = [
        `${BASE_PATH}../../etc/hostname`,
        `${BASE_PATH}../../../../../../etc/hostname`,
        `${BASE_PATH}%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/hostname`,
        `${BASE_PATH}..%2f..%2f..%2f..%2f..%2fetc%2fhostname`,
        `${BASE_PATH}static/..%2f..%2f..%2f..%2f..%2f..%2fetc/hostname`,
        `${BASE_PATH}%00`,
        '//etc/hostname',
      ];
      for (const t of tries) {
        const r = await rawGet(srv.origin, t);
        if (r.status === 200 || (secret.length > 3 && r.body.trim() === secret)) fail(`${t} gave ${r.status}`);
      }
    });
    await test('server: content types of the static files', async () => {
      const want = [
        ['en/', /^text\/html/],
        ['static/technet.css', /^text\/css/],
        ['sitemap.xml', /^application\/xml/],
        ['robots.txt', /^text\/plain/],
      ];
      for (const [rel, re] of want) {
        const r = await rawGet(srv.origin, `${BASE_PATH}${rel}`);
        if (r.status !== 200) fail(`${rel}: status ${r.status}`);
        if (!re.test(r.headers['content-type'] || '')) fail(`${rel}: content-type "${r.headers['content-type']}"`);
      }
    });

    // ---- finding probe (not a test): the 404 page under a non-root base path
    try {
      const r = await rawGet(srv.origin, `${BASE_PATH}${MISSING}`);
      const href = (r.body.match(/<link rel="stylesheet" href="([^"]+)"/) || [])[1];
      if (href) {
        const cssUrl = new URL(href, srv.url(MISSING));
        const c = await rawGet(srv.origin, cssUrl.pathname);
        if (c.status !== 200) {
          console.log(`# finding: under base path ${BASE_PATH} the 404 page links its stylesheet as "${href}" -> ${cssUrl.pathname} (HTTP ${c.status}): unstyled 404 unless the site is at "/"; the 404 tests use a second server at "/"`);
        }
      }
    } catch (e) {
      console.log(`# finding probe failed: ${e.message}`);
    }

    // ---- browser
    await test('launch chromium', async () => {
      const { chromium } = require('playwright-core');
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: 30_000,
      });
    });
    if (!browser) return;

    // The root index.html is a meta-refresh stub that sends the visitor to en/.
    await test('redirect: base path / follows meta refresh to en/', async () => {
      const s = await openSession(browser, srv);
      sessions.push(s);
      const resp = await s.page.goto(srv.url(), { waitUntil: 'commit' });
      if (!resp || resp.status() !== 200) fail(`status ${resp && resp.status()}`);
      await s.page.waitForURL(srv.url('en/'), { timeout: 5000 }).catch(() => {
        fail(`meta refresh did not lead to ${srv.url('en/')}; the page stayed at ${s.page.url()}`);
      });
      await settle(s.page);
      const cls = await s.page.evaluate(() => document.body.className);
      if (!cls.includes('page-index')) fail(`landed on a page with body class "${cls}"`);
      assertStylesheet(await stylesheetState(s.page), 'en/ after redirect');
      // A refresh that fires before the stub has finished loading aborts the stub
      // itself (seen now and then on a busy machine): that is the redirect, not a failure.
      const problems = sessionProblems(s).filter((p) => p !== `failed request: ${srv.url()} (net::ERR_ABORTED)`);
      if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
      await closeSession(s);
    });

    sessions.push(await pageSuite(browser, srv, 'en/ (home)', srv.url('en/'), { bodyClass: 'page-index' }));

    let categoryUrl = null;
    const seed = await pageSuite(browser, srv, `${SEED} (seed event)`, srv.url(SEED), {
      bodyClass: 'page-event',
      extra: async (s, need) => {
        await test('seed: h1 text', async () => {
          need();
          const h1 = (await s.page.locator('h1').innerText()).trim();
          if (h1 !== SEED_H1) fail(`h1 is "${h1}", expected "${SEED_H1}"`);
        });
        await test('seed: details table rows in order', async () => {
          need();
          const rows = await s.page.locator('table.details tr > th[scope="row"]').allInnerTexts();
          const got = rows.map((r) => r.trim());
          const head = got.slice(0, SEED_DETAIL_ROWS.length);
          if (JSON.stringify(head) !== JSON.stringify(SEED_DETAIL_ROWS)) {
            fail(`rows are [${got.join(', ')}], expected to start with [${SEED_DETAIL_ROWS.join(', ')}]`);
          }
        });
        await test('seed: section headings in order', async () => {
          need();
          const hs = (await s.page.locator('article h2').allInnerTexts()).map((h) => h.trim());
          if (JSON.stringify(hs) !== JSON.stringify(SEED_HEADINGS)) fail(`headings are [${hs.join(', ')}], expected [${SEED_HEADINGS.join(', ')}]`);
        });
        await test('seed: "Edit this page" links the record in the repository Cargo.toml names', async () => {
          need();
          const hrefs = await s.page.locator('.edit-page a').evaluateAll((as) => as.map((a) => a.href));
          const want = 'https://github.com/eventref/eventref/edit/main/content/exchange/msexchangetransport/2002.yaml';
          if (JSON.stringify(hrefs) !== JSON.stringify([want])) fail(`edit links: ${JSON.stringify(hrefs)}`);
        });
        await test('seed: the Atom feed linked from <head> is served as XML and parses', async () => {
          need();
          const href = await s.page.locator('link[rel="alternate"][type="application/atom+xml"]').evaluate((l) => l.href);
          if (href !== srv.url('en/feed.xml')) fail(`feed link is ${href}, expected ${srv.url('en/feed.xml')}`);
          const feed = await s.page.evaluate(async (u) => {
            const r = await fetch(u);
            const doc = new DOMParser().parseFromString(await r.text(), 'application/xml');
            return {
              status: r.status,
              type: r.headers.get('content-type'),
              error: doc.querySelector('parsererror') !== null,
              root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName,
              entries: doc.getElementsByTagName('entry').length,
            };
          }, href);
          if (feed.status !== 200 || feed.error) fail(`feed: status ${feed.status}, parse error ${feed.error}`);
          if (feed.root !== 'http://www.w3.org/2005/Atom feed' || feed.entries < 1) fail(`feed root ${feed.root} with ${feed.entries} entries`);
        });
        await test('seed: category link present in the details table', async () => {
          need();
          const cell = s.page.locator('table.details tr', { has: s.page.locator('th', { hasText: /^Category$/ }) }).locator('td a');
          if ((await cell.count()) !== 1) fail('no link in the Category cell');
          categoryUrl = await cell.evaluate((a) => a.href);
          if (!categoryUrl.startsWith(srv.url('en/'))) fail(`category link ${categoryUrl} leaves the site`);
        });
      },
    });
    sessions.push(seed);

    await test('seed: clicking the Event Source link lands on the source page', async () => {
      const s = await openSession(browser, srv);
      sessions.push(s);
      await s.page.goto(srv.url(SEED));
      const link = s.page.locator('table.details tr', { has: s.page.locator('th', { hasText: /^Event Source$/ }) }).locator('td a');
      if ((await link.count()) !== 1) fail('no link in the Event Source cell');
      await link.click();
      await settle(s.page);
      if (s.page.url() !== srv.url(SEED_SOURCE)) fail(`landed on ${s.page.url()}, expected ${srv.url(SEED_SOURCE)}`);
      const cls = await s.page.evaluate(() => document.body.className);
      if (!cls.includes('page-source')) fail(`landed on ${s.page.url()} with body class "${cls}"`);
      const h1 = (await s.page.locator('h1').innerText()).trim();
      if (h1 !== 'MSExchangeTransport') fail(`source page h1 is "${h1}"`);
      const back = await s.page.locator(`main a[href$="2002/"]`).count();
      if (back < 1) fail('source page does not link back to event 2002');
      const problems = sessionProblems(s);
      if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
      await closeSession(s);
    });

    sessions.push(await pageSuite(browser, srv, `${SEED_SOURCE} (source)`, srv.url(SEED_SOURCE), { bodyClass: 'page-source' }));
    sessions.push(await pageSuite(browser, srv, 'en/events/ (all events)', srv.url('en/events/'), { bodyClass: 'page-events' }));
    // German pages: a full translation, and a stale one with its notice and the original in a <details>.
    sessions.push(await pageSuite(browser, srv, 'de/msexchangetransport/2002/ (German seed)', srv.url('de/msexchangetransport/2002/'), {
      bodyClass: 'page-event',
      extra: async (s, need) => {
        await test('de seed: German chrome and content', async () => {
          need();
          const hs = (await s.page.locator('article h2').allInnerTexts()).map((h) => h.trim());
          const want = ['Details', 'Erklärung', 'Benutzeraktion', 'Weitere Informationen'];
          if (JSON.stringify(hs) !== JSON.stringify(want)) fail(`headings are [${hs.join(', ')}]`);
          const lang = await s.page.evaluate(() => document.documentElement.lang);
          if (lang !== 'de') fail(`html lang is ${lang}`);
        });
      },
    }));
    sessions.push(await pageSuite(browser, srv, 'de/microsoft-windows-dhcp-client/1001/ (stale translation)', srv.url('de/microsoft-windows-dhcp-client/1001/'), {
      bodyClass: 'page-event',
      extra: async (s, need) => {
        await test('de stale: notice opens the current original', async () => {
          need();
          const summary = s.page.locator('.notice-stale summary').first();
          if ((await summary.count()) !== 1) fail('no stale notice');
          await summary.click();
          const original = s.page.locator('.notice-stale details [lang="en"]').first();
          if (!(await original.isVisible())) fail('the original is not shown after opening the notice');
        });
      },
    }));

    // The search page, in each language: axe on a page showing every kind of
    // result, then the searches themselves in the same session.
    for (const lang of Object.keys(SEARCH_LANGS)) {
      const L = SEARCH_LANGS[lang];
      sessions.push(await pageSuite(browser, srv, `${lang}/search/ (search)`, srv.url(`${lang}/search/?q=2002`), {
        bodyClass: 'page-search',
        prepare: composeResults(srv, lang, { direct: '2002', paste: L.message, text: L.filterQuery }),
        extra: (s, need) => searchTests(s, need, srv, lang),
      }));
      for (const s of sessions.splice(0)) await closeSession(s);
    }

    // Event Viewer's help link.
    await goTests(browser, srv, sessions);
    for (const s of sessions.splice(0)) await closeSession(s);

    if (categoryUrl) {
      const rel = categoryUrl.slice(srv.url().length);
      sessions.push(await pageSuite(browser, srv, `${rel} (category)`, categoryUrl, { bodyClass: 'page-category' }));
    } else {
      report('category page', false, "no category link found on the seed page's Category cell");
    }
    // The 404 page uses absolute links from "/", so it is tested at base path "/".
    sessions.push(
      await pageSuite(browser, rootSrv, `${MISSING} (404, base path /)`, rootSrv.url(MISSING), {
        expectStatus: 404,
        bodyClass: 'page-404',
      }),
    );

    // Close page sessions now; keeps memory flat for the screenshot.
    for (const s of sessions.splice(0)) await closeSession(s);

    if (cjkSite) {
      const cjkSrv = await startServer(cjkSite, BASE_PATH);
      servers.push(cjkSrv);
      console.log(`# serving the i18n fixture ${cjkSite} at ${cjkSrv.url()}`);
      await cjkTests(browser, cjkSrv, cjkSite, sessions);
      for (const s of sessions.splice(0)) await closeSession(s);
    } else {
      console.log('# no --cjk-site: the Japanese and Arabic search tests are skipped');
    }

    if (pagedSite) {
      // A site of more than a thousand events: its all-events list has pages.
      const pagedSrv = await startServer(pagedSite, BASE_PATH);
      servers.push(pagedSrv);
      console.log(`# serving the paged site ${pagedSite} at ${pagedSrv.url()}`);
      sessions.push(await pageSuite(browser, pagedSrv, 'en/events/page/2/ (paged list)', pagedSrv.url('en/events/page/2/'), {
        bodyClass: 'page-events',
        extra: async (s, need) => {
          await test('paged list: the page list marks page 2, and "Previous page" leads to page 1', async () => {
            need();
            const current = (await s.page.locator('nav.pagination [aria-current="page"]').allInnerTexts()).map((t) => t.trim());
            if (JSON.stringify(current) !== '["2"]') fail(`current page is [${current.join(', ')}]`);
            if ((await s.page.locator('nav.pagination a[rel="next"]').count()) !== 0) fail('the last page links a next page');
            await s.page.locator('nav.pagination a[rel="prev"]').click();
            await settle(s.page);
            if (s.page.url() !== pagedSrv.url('en/events/')) fail(`landed on ${s.page.url()}`);
            const first = (await s.page.locator('nav.pagination [aria-current="page"]').allInnerTexts()).map((t) => t.trim());
            if (JSON.stringify(first) !== '["1"]') fail(`current page on page 1 is [${first.join(', ')}]`);
            const rows = await s.page.locator('table.all-events tbody tr').count();
            if (rows !== 1000) fail(`page 1 has ${rows} rows`);
          });
        },
      }));
      for (const s of sessions.splice(0)) await closeSession(s);
    } else {
      console.log('# no --paged-site: the paged list is not checked in the browser');
    }

    if (offlineSite) {
      console.log(`# opening the offline copy ${offlineSite} from disk (file://)`);
      await offlineTests(browser, offlineSite);
    } else {
      console.log('# no --offline-site: the file:// tests are skipped');
    }

    if (screenshot) {
      await test(`screenshot of the seed page saved to ${screenshot}`, async () => {
        const s = await openSession(browser, srv, { viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
        sessions.push(s);
        const resp = await s.page.goto(srv.url(SEED));
        if (!resp || resp.status() !== 200) fail(`status ${resp && resp.status()}`);
        await settle(s.page);
        await fsp.mkdir(path.dirname(screenshot), { recursive: true });
        await s.page.screenshot({ path: screenshot, fullPage: true });
        const size = (await fsp.stat(screenshot)).size;
        if (size < 1000) fail(`screenshot is only ${size} bytes`);
        const problems = sessionProblems(s);
        if (problems.length) fail(`${problems.length} problem(s), first: ${problems[0]}`, problems);
      });
    }
  } catch (e) {
    report('test harness', false, `unexpected error: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' ') : e}`);
  } finally {
    for (const s of sessions) await closeSession(s);
    if (browser) await browser.close().catch(() => {});
    for (const srv of servers) await srv.close();
    clearTimeout(hardStop);
    if (process.env.BROWSER_TESTS_VERBOSE) {
      for (const srv of servers) for (const l of srv.log) console.log(`# server ${srv.basePath}: ${l}`);
    }
    if (notes.length) {
      console.log(`# ${notes.length} axe finding(s) that do not fail the run (moderate/minor violations, or needs review):`);
      for (const n of [...new Set(notes)]) console.log(`#   ${n}`);
    }
    console.log(`# ran in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    console.log(summaryLine());
    process.exitCode = results.some((r) => !r.ok) || results.length === 0 ? 1 : 0;
  }
}

await main();
