/**
 * Which test files need a real peer (DCMTK, Orthanc, GDCM, dicom3tools, OpenJPH's tools) and which
 * are unit tests that run on a fresh machine with nothing installed. A test file is an interop
 * test when it, or a file it imports by a relative path (transitively), names a peer binary or
 * the shared peer launchers (testing/peers.ts, testing/print.ts). Nothing to keep in step by hand: a new test that
 * starts storescp is an interop test because it says so.
 *
 * Used by vitest.config.ts (`pnpm test` = unit projects only, `pnpm test:all` = everything) and
 * runnable alone: `node scripts/test-kinds.mjs` prints the counts and the interop files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PEER_MARKER = new RegExp(
  [
    'testing/(peers|print)(\\.js)?[\'"]',
    '[\'"](storescp|storescu|echoscu|findscu|movescu|getscu|dcmqrscp|dcmprscp|dcmprscu|dcmpsprt|wlmscpfs)[\'"]',
    '[\'"](dcmdump|dcmconv|dcmcjpeg|dcmdjpeg|dcmcjpls|dcmdjpls|dcmcrle|dcmdrle|dcmodify|dump2dcm|img2dcm)[\'"]',
    '[\'"](gdcmconv|gdcminfo|gdcmdump|dciodvfy|dcdump|ojph_compress|ojph_expand|Orthanc|openssl)[\'"]',
    // clang for the libFuzzer harnesses of the native decoders (native/scripts/build-fuzzers.sh)
    '[\'"]clang\\+\\+(-14)?[\'"]',
  ].join('|'),
);
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (name.endsWith('.test.ts')) yield path;
  }
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** True when `file` or anything it imports relatively names a peer. */
function needsPeer(file, memo, stack = new Set()) {
  if (memo.has(file)) return memo.get(file);
  if (stack.has(file)) return false;
  stack.add(file);
  const text = readFileSync(file, 'utf8');
  let result = PEER_MARKER.test(text);
  if (!result) {
    for (const m of text.matchAll(IMPORT)) {
      const target = resolveImport(file, m[1] ?? m[2]);
      if (target && needsPeer(target, memo, stack)) {
        result = true;
        break;
      }
    }
  }
  stack.delete(file);
  memo.set(file, result);
  return result;
}

/** The interop test files under `root` (a package folder), as paths relative to it. */
export function interopTests(root) {
  const memo = new Map();
  const out = [];
  const testDir = join(root, 'test');
  if (!existsSync(testDir)) return out;
  for (const file of walk(testDir)) if (needsPeer(file, memo)) out.push(relative(root, file));
  return out.sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const roots = ['native', ...readdirSync(join(repo, 'packages')).map((p) => join('packages', p))];
  let unit = 0;
  let interop = 0;
  for (const root of roots) {
    const all = existsSync(join(repo, root, 'test')) ? [...walk(join(repo, root, 'test'))].length : 0;
    const peers = interopTests(join(repo, root));
    unit += all - peers.length;
    interop += peers.length;
    for (const f of peers) console.log(`interop  ${root}/${f}`);
  }
  console.log(`${unit} unit test files, ${interop} interop test files`);
}
