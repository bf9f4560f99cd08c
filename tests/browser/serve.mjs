#!/usr/bin/env node
// The live preview (`eventref serve`) in headless Chromium.
//
//   node tests/browser/serve.mjs <eventref-binary> <site-dir> <record> [--page <path>]
//   node tests/browser/serve.mjs <eventref-binary> <site-dir> <record> --page <path> --measure <saves>
//
// <site-dir> is a scratch copy of a site (this script edits <record>, a path
// relative to it, and puts it back at the end); --page is the URL path of that
// record's page (default: the flagship seed, en/msexchangetransport/2002/).
//
// Test mode starts `eventref serve --port 0 --no-search`, opens the page and
// checks that
//   - a save reloads the page by itself, with the new text, at the same scroll position;
//   - a save with an error shows the error overlay (file:line:column, message,
//     the fix), also printed in the terminal, and the page's text stays;
//   - the next good save takes the overlay down and shows the new text;
//   - axe-core finds no serious or critical problem with the overlay shown;
//   - nothing failed: no console errors, no page errors, no failed requests
//     (the event stream, cancelled by every reload, excepted).
//
// --measure N saves the record N times (one save every 400 ms after the
// previous reload) and prints, for each save, the time from writing the file
// to the reloaded page's load event with the new text, then the median, and the
// server's own publish times from its log.
//
// Output: `ok - name` / `not ok - name: reason` lines, then `N passed, M failed`.
// Exit code 1 if a test failed.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-domain-reliability', '--dns-prefetch-disable',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
const TIMEOUT_MS = 20_000;

const args = process.argv.slice(2);
const [binary, siteDir, record] = args;
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const pagePath = opt('--page', 'en/msexchangetransport/2002/');
const measure = Number(opt('--measure', '0'));
if (!binary || !siteDir || !record) {
  console.error('usage: node tests/browser/serve.mjs <eventref-binary> <site-dir> <record> [--page <path>] [--measure <saves>]');
  process.exit(2);
}
const recordPath = path.join(siteDir, record);
const original = fs.readFileSync(recordPath, 'utf8');
if (!/^explanation: \|\n/m.test(original)) {
  console.error(`${record} needs a block explanation ("explanation: |")`);
  process.exit(2);
}
/** The record with `text` as the explanation's first line (and, optionally, a typo'd field). */
const edited = (text, typo = false) => {
  let s = original.replace(/^explanation: \|\n/m, `explanation: |\n  ${text}\n\n`);
  if (typo) s = s.replace(/^explanation:/m, 'explantion:');
  return s;
};

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`not ok - ${name}: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---- the server
const outDir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'eventref-serve-test-'));
const server = spawn(binary, ['serve', '--root', siteDir, '--port', '0', '--no-search', '--output', outDir], {
  stdio: ['ignore', 'ignore', 'pipe'],
  env: { ...process.env, NO_COLOR: '1' },
});
let log = '';
server.stderr.setEncoding('utf8');
server.stderr.on('data', (d) => {
  log += d;
  if (process.env.SERVE_TESTS_VERBOSE) process.stderr.write(d);
});
const waitForLog = async (re, from = 0, ms = TIMEOUT_MS) => {
  const start = Date.now();
  while (Date.now() - start < ms) {
    const m = log.slice(from).match(re);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the server did not print ${re} (log: ${log.slice(from, from + 400)})`);
};

let browser;
let exitCode = 0;
try {
  const m = await waitForLog(/Serving (http:\/\/[^ ]+\/)/, 0, 120_000);
  const base = m[1];
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  const context = await browser.newContext({ viewport: { width: 1000, height: 500 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const problems = [];
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!r.url().includes('/__eventref/events')) problems.push(`failed request: ${r.url()} ${r.failure()?.errorText}`);
  });
  const url = base + pagePath;
  // The live-reload script connects to the event stream before the first save.
  const connected = page.waitForRequest((r) => r.url().includes('/__eventref/events'));
  await page.goto(url, { waitUntil: 'load' });
  await connected;
  await new Promise((r) => setTimeout(r, 200));
  const overlay = page.locator('[role="alertdialog"]');

  /** Save `text` and wait for the reloaded page that shows it; returns ms from the write to its load event. */
  const saveAndWait = async (text, typo = false) => {
    const loaded = page.waitForEvent('load', { timeout: TIMEOUT_MS });
    const t0 = performance.now();
    fs.writeFileSync(recordPath, edited(text, typo));
    await loaded;
    const t1 = performance.now();
    const body = await page.textContent('body');
    assert(body.includes(text), `the reloaded page does not show "${text}"`);
    return t1 - t0;
  };

  if (measure > 0) {
    // For comparison: a plain reload of the same page, with no edit.
    const plain = [];
    for (let i = 0; i < 5; i += 1) {
      const t0 = performance.now();
      await page.reload({ waitUntil: 'load' });
      plain.push(performance.now() - t0);
    }
    plain.sort((a, b) => a - b);
    console.log(`plain reload (no edit, no server work): median ${plain[2].toFixed(0)} ms`);
    const times = [];
    const logStart = log.length;
    for (let i = 1; i <= measure; i += 1) {
      times.push(await saveAndWait(`Measured edit ${i} at ${Date.now()}.`));
      await new Promise((r) => setTimeout(r, 400));
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = (xs) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
    const server = [...log.slice(logStart).matchAll(/written in (\d+) ms/g)].map((x) => Number(x[1])).sort((a, b) => a - b);
    console.log(`saves: ${times.map((t) => t.toFixed(0)).join(' ')}`);
    console.log(`edit-to-reload over ${measure} saves: median ${median(sorted).toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`);
    if (server.length) console.log(`server publish time: median ${median(server)} ms, min ${server[0]} ms, max ${server[server.length - 1]} ms`);
  } else {
    await test('a save reloads the page with the new text, keeping the scroll position', async () => {
      await page.evaluate(() => window.scrollTo(0, 300));
      await page.waitForFunction(() => Math.abs(window.scrollY - 300) < 2);
      await saveAndWait('Live edit number one.');
      await page.waitForFunction(() => Math.abs(window.scrollY - 300) < 2, null, { timeout: 5000 })
        .catch(async () => { throw new Error(`scrollY is ${await page.evaluate(() => window.scrollY)} after the reload, not 300`); });
      assert(await overlay.count() === 0, 'an overlay is shown');
    });

    await test('an error shows an overlay with file, line and fix, and in the terminal', async () => {
      const from = log.length;
      fs.writeFileSync(recordPath, edited('Broken edit.', true));
      await overlay.waitFor({ state: 'visible' });
      const text = await overlay.textContent();
      assert(text.includes(record), `the overlay does not name ${record}: ${text}`);
      assert(/:\d+:\d+/.test(text), `the overlay has no line:column: ${text}`);
      assert(text.includes('did you mean `explanation`'), `the overlay has no fix: ${text}`);
      assert((await page.textContent('body')).includes('Live edit number one.'), 'the page lost its text');
      await waitForLog(/did you mean `explanation`/, from);
      await waitForLog(/not published/, from);
    });

    await test('axe: no serious or critical problems with the error overlay shown', async () => {
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      const r = await page.evaluate(async () => {
        // The overlay lives in a shadow root (so the page's CSS cannot touch it).
        const host = [...document.querySelectorAll('body *')].find((e) => e.shadowRoot && e.shadowRoot.querySelector('[role="alertdialog"]'));
        if (!host) return ['no overlay host found'];
        const res = await window.axe.run({ include: [{ fromShadowDom: [`#${host.id}`, '[role="alertdialog"]'] }] }, { resultTypes: ['violations'] });
        return res.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.help}`);
      });
      assert(r.length === 0, r.join('; '));
    });

    await test('the next good save takes the overlay down and shows the new text', async () => {
      await saveAndWait('Fixed edit number two.');
      await overlay.waitFor({ state: 'detached', timeout: 5000 });
    });

    await test('no console errors, page errors or failed requests', async () => {
      assert(problems.length === 0, problems.join('; '));
    });
  }
  await context.close();
} catch (e) {
  console.log(`not ok - live preview: ${e && e.message ? e.message : e}`);
  failed += 1;
  exitCode = 1;
} finally {
  fs.writeFileSync(recordPath, original);
  if (browser) await browser.close();
  server.kill('SIGTERM');
  fs.rmSync(outDir, { recursive: true, force: true });
}
if (measure === 0) console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : exitCode);
