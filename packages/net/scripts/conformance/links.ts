/**
 * Where each SOP class of the statement lives in the code and which tests exercise it against a
 * real peer, for the "Implementation and tests" table of the Conformance Statement (FR-DICOM-12).
 *
 * - The source: the exported constant or function of @hnvue/net that declares or registers the
 *   SOP class (the same export the statement reads its UIDs from), found by its `export` line in
 *   packages/net/src, and the SOP class's key in the @hnvue/dicom registry.
 * - The tests: an interop test file (scripts/test-kinds.mjs: it names a peer) tags a test with a
 *   line comment right above it: `// conformance: SCU modalityWorklistFind`, i.e. the role and one
 *   or more registry keys (`SOP_CLASS.<key>` of @hnvue/dicom) or the name of an exported UID list
 *   of @hnvue/net (`DEFAULT_SCP_SOP_CLASSES`: the test iterates that list). Every tag is checked: an
 *   unknown key or list, a role or SOP class the statement does not list, a tag in a unit test
 *   file or a tag not followed by a test with a literal title fails the generation, and so does a
 *   SOP class and role of the statement without a tagged real-peer test.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { SOP_CLASS, sopClass } from '@hnvue/dicom';
import * as net from '@hnvue/net';
import { interopTests } from '../../../../scripts/test-kinds.mjs';

export type Role = 'SCU' | 'SCP';

/** One SOP class in one role, and the export of @hnvue/net that declares or registers it. */
export interface Provision {
  readonly uid: string;
  readonly role: Role;
  /** Name of the export of @hnvue/net (a context, a UID list, a handler). */
  readonly source: string;
}

export interface PeerTest {
  /** Repo-relative path of the test file. */
  readonly file: string;
  readonly title: string;
  /** The real peers the file (or a helper it imports) starts or calls. */
  readonly peers: readonly string[];
}

export interface SourceLink {
  /** Repo-relative path of the file whose `export` line declares `name`. */
  readonly file: string;
  readonly name: string;
}

const REPO = resolve(import.meta.dirname, '..', '..', '..', '..');
const NET_SRC = join(REPO, 'packages', 'net', 'src');
const TEST_ROOTS = [
  'native',
  ...readdirSync(join(REPO, 'packages'))
    .sort()
    .map((p) => join('packages', p)),
];

function* files(dir: string, suffix: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path, suffix);
    else if (name.endsWith(suffix)) yield path;
  }
}

/**
 * The file of packages/net/src whose `export const|function|class NAME` line declares `value`;
 * when @hnvue/net exports the name at its root, that export must be `value`.
 */
export function declarationOf(name: string, value: unknown): SourceLink {
  if (name in net && (net as Record<string, unknown>)[name] !== value) {
    throw new Error(`conformance: @hnvue/net's ${name} is not the value the statement reads`);
  }
  const line = new RegExp(`^export (?:const|function|async function|class) ${name}\\b`, 'm');
  const found = [...files(NET_SRC, '.ts')].filter((f) => line.test(readFileSync(f, 'utf8')));
  if (found.length !== 1) {
    throw new Error(`conformance: ${name} is declared in ${found.length} files of packages/net/src`);
  }
  return { file: relative(REPO, found[0]!), name };
}

/** Every SOP class UID of the registry found in a value (a context, a list, a nested map). */
export function sopClassesIn(value: unknown): string[] {
  if (typeof value === 'string') return sopClass(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(sopClassesIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(sopClassesIn);
  return [];
}

/** `registryKey('1.2.840.10008.5.1.4.31')` → `modalityWorklistFind`. */
export function registryKey(uid: string): string {
  const key = sopClass(uid)?.key;
  if (!key || !(key in SOP_CLASS)) throw new Error(`conformance: ${uid} has no SOP_CLASS key`);
  return key;
}

// Keyed by the peer's name unquoted: a quoted binary name here would make every test importing
// this file an interop test (scripts/test-kinds.mjs).
const PEERS: Readonly<Record<string, RegExp>> = {
  DCMTK:
    /['"](storescp|storescu|echoscu|findscu|movescu|getscu|dcmqrscp|dcmprscp|dcmprscu|dcmpsprt|wlmscpfs)['"]|start(Storescp|Wlmscpfs|Dcmqrscp|Dcmprscp)\b|runEchoscu\b/,
  Orthanc: /startOrthanc\b|['"]Orthanc['"]/,
  'dcmjs-dimse': /['"]dcmjs-dimse['"]/,
  GDCM: /['"]gdcm(conv|info|dump)['"]/,
  dicom3tools: /['"](dciodvfy|dcdump)['"]/,
};
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  for (const c of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

/** The peers a test file names, itself or through the helpers it imports by a relative path. */
function peersOf(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const [peer, re] of Object.entries(PEERS)) if (re.test(text)) out.add(peer);
  for (const m of text.matchAll(IMPORT)) {
    const target = resolveImport(file, (m[1] ?? m[2])!);
    // Test helpers only: the code under test names no peer.
    if (target?.includes('/test/')) {
      for (const p of peersOf(target, seen)) out.add(p);
    }
  }
  return out;
}

const TAG = /^\s*\/\/ conformance: (SCU|SCP) (.+)$/;
// `it('title'`, `it.runIf(x)('title'`, `it.each(CASES)(` with the title on the next line; a
// template title (a test per case in a loop) is shown as written, `${name}` and all.
const TEST = /^\s*(?:it|test)(?:\.\w+(?:\([^)]*\))?)*\(\s*(['"`])((?:(?!\1).)*)\1/;
/** A loop header between the tag and the test it repeats: `for (const c of CASES) {`. */
const LOOP = /^\s*for \(.*\) \{$/;

/** Every tagged test: which (SOP class, role) pairs it exercises against which peers. */
export function taggedPeerTests(): Map<string, PeerTest[]> {
  const byPair = new Map<string, PeerTest[]>();
  const problems: string[] = [];
  for (const root of TEST_ROOTS) {
    const testDir = join(REPO, root, 'test');
    if (!existsSync(testDir)) continue;
    const interop = new Set(interopTests(join(REPO, root)).map((f) => join(REPO, root, f)));
    for (const path of files(testDir, '.ts')) {
      const lines = readFileSync(path, 'utf8').split('\n');
      const file = relative(REPO, path);
      for (let i = 0; i < lines.length; i++) {
        const tag = TAG.exec(lines[i]!);
        if (!tag) continue;
        const where = `${file}:${i + 1}`;
        const next = LOOP.test(lines[i + 1] ?? '') ? i + 2 : i + 1;
        const test = TEST.exec(`${lines[next] ?? ''}${(lines[next + 1] ?? '').trim()}`);
        if (!interop.has(path)) {
          problems.push(`${where}: tag in a file that names no real peer`);
          continue;
        }
        if (!test) {
          problems.push(`${where}: the next line (after a loop header) is not a test with a literal title`);
          continue;
        }
        const role = tag[1] as Role;
        const uids = tag[2]!
          .trim()
          .split(/\s+/)
          .flatMap((word) => {
            if (word in SOP_CLASS) return [SOP_CLASS[word as keyof typeof SOP_CLASS]];
            const list = (net as Record<string, unknown>)[word];
            if (Array.isArray(list) && list.length > 0 && sopClassesIn(list).length === list.length)
              return list;
            problems.push(`${where}: ${word} is neither a SOP_CLASS key nor a UID list of @hnvue/net`);
            return [];
          });
        const entry: PeerTest = { file, title: test[2]!, peers: [...peersOf(path)].sort() };
        if (entry.peers.length === 0) problems.push(`${where}: the file names none of the known peers`);
        for (const uid of uids) {
          const key = `${uid} ${role}`;
          byPair.set(key, [...(byPair.get(key) ?? []), entry]);
        }
      }
    }
  }
  if (problems.length) throw new Error(`conformance tags:\n  ${problems.join('\n  ')}`);
  return byPair;
}

/**
 * The tagged tests of each provision, in provision order; throws when a provision has none or a
 * tag names a SOP class and role the statement does not list.
 */
export function peerTestsFor(provisions: readonly Provision[]): PeerTest[][] {
  const tagged = taggedPeerTests();
  const listed = new Set(provisions.map((p) => `${p.uid} ${p.role}`));
  const stale = [...tagged.keys()].filter((k) => !listed.has(k));
  const missing = provisions.filter((p) => !tagged.has(`${p.uid} ${p.role}`));
  const problems = [
    ...missing.map((p) => `${sopClass(p.uid)?.name ?? p.uid} (${p.role}) has no test against a real peer`),
    ...stale.map((k) => `a test is tagged for ${k}, which the statement does not list`),
  ];
  if (problems.length) {
    throw new Error(
      `conformance: ${problems.join('; ')} (tag an interop test with \`// conformance: <role> <SOP_CLASS key>\`, see packages/net/scripts/conformance/links.ts)`,
    );
  }
  return provisions.map((p) => tagged.get(`${p.uid} ${p.role}`)!);
}
