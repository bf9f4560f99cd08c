// Runs the shared lookup vectors (tests/lookup-vectors.json) against the
// browser module themes/technet/static/lookup.js, exactly as tests/lookup.rs
// runs them against src/lookup.rs. Usage: node tests/browser/vectors.mjs
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const { parsePaste, lookup } = await import(join(repo, 'themes/technet/static/lookup.js'));
const { cases } = JSON.parse(readFileSync(join(repo, 'tests/lookup-vectors.json'), 'utf8'));

let passed = 0;
let failed = 0;
for (const c of cases) {
  const paste = parsePaste(c.paste);
  const got = lookup(paste, c.templates).map((m) => ({
    source: c.templates[m.index].source,
    id: c.templates[m.index].id,
    score: m.score,
    values: m.values,
  }));
  const problems = [];
  if (paste.kind !== c.kind) problems.push(`kind ${paste.kind} != ${c.kind}`);
  const same = got.length === c.expect.length && got.every((g, i) => {
    const e = c.expect[i];
    return g.source === e.source && g.id === e.id && Math.abs(g.score - e.score) < 1e-9
      && JSON.stringify(g.values) === JSON.stringify(e.values);
  });
  if (!same) problems.push(`got ${JSON.stringify(got)}\n    expect ${JSON.stringify(c.expect)}`);
  if (problems.length) {
    failed++;
    console.log(`not ok - ${c.name}: ${problems.join('; ')}`);
  } else {
    passed++;
    console.log(`ok - ${c.name}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
