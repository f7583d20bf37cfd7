// Checks docs/risk-management.md against the tree: every file or folder named in backticks as a
// control exists, and every test quoted as verification is a test or describe title in the test
// tree. `--results <vitest.json>` also requires each quoted test to have passed in that run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const TEST_RE = /\b(?:it|test|describe)(?:\.\w+(?:\([^)]*\))?)?\(\s*(['"`])((?:(?!\1).)*)\1/g;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'build' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const titles = new Set();
// A template-literal title (`… ${target.label} …`) matches any text in place of each ${…}.
const templates = [];
for (const dir of ['packages', 'native']) {
  for (const file of walk(join(root, dir))) {
    for (const m of readFileSync(file, 'utf8').matchAll(TEST_RE)) {
      const title = m[2].replace(/\\'/g, "'");
      if (m[1] === '`' && title.includes('${')) {
        const parts = title.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
        templates.push(new RegExp(`^${parts.join('.+')}$`));
      } else titles.add(title);
    }
  }
}
const named = (t) => titles.has(t) || templates.some((re) => re.test(t));

const doc = readFileSync(join(root, 'docs', 'risk-management.md'), 'utf8');
const problems = [];
const rows = doc.split('\n').filter((l) => /^\| RISK-\d+ /.test(l));
const quoted = new Map();
for (const row of rows) {
  const cells = row.split('|').map((c) => c.trim());
  const id = cells[1];
  const control = cells[6] ?? '';
  const verified = cells[7] ?? '';
  for (const m of control.matchAll(/`([^`]+)`/g)) {
    if (/^[\w.-]+\//.test(m[1]) && !existsSync(join(root, m[1])))
      problems.push(`${id}: control ${m[1]} does not exist`);
  }
  const tests = [...verified.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  if (tests.length === 0) problems.push(`${id}: no verifying test`);
  for (const t of tests) {
    if (!named(t)) problems.push(`${id}: no test is named "${t}"`);
    quoted.set(t, id);
  }
}
if (rows.length === 0) problems.push('no RISK-nn rows found');

const at = process.argv.indexOf('--results');
if (at > 0) {
  const report = JSON.parse(readFileSync(process.argv[at + 1], 'utf8'));
  const passed = new Set();
  for (const file of report.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status !== 'passed') continue;
      passed.add(t.title);
      for (const a of t.ancestorTitles ?? []) passed.add(a);
    }
  }
  for (const [t, id] of quoted) if (!passed.has(t)) problems.push(`${id}: "${t}" did not pass in this run`);
}
if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(
  `docs/risk-management.md: ${rows.length} risks, ${quoted.size} verifying tests, all present${at > 0 ? ' and passed' : ''}`,
);
