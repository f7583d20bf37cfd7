import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dcmjs } from './dcmjs.js';

const keywordByLoose = new Map<string, string>();
for (const k of Object.keys(dcmjs.data.DicomMetaDictionary.nameMap)) keywordByLoose.set(k.toLowerCase(), k);

/** dciodvfy names attributes by keyword (`Element=<X>`) or by dictionary name (`attribute <Image Type>`). */
function toKeyword(name: string): string {
  const loose = name
    .replace(/'s\b/g, '')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
  return keywordByLoose.get(loose) ?? name;
}

export interface DciodvfyReport {
  readonly iod: string;
  readonly errors: string[];
  readonly warnings: string[];
  /** Keywords named by `Element=<...>` in Error lines. */
  readonly errorKeywords: Set<string>;
  readonly raw: string;
}

const dir = mkdtempSync(join(tmpdir(), 'hnvue-iod-'));
let n = 0;

export function tempFile(name: string): string {
  return join(dir, name);
}

export function cleanupTemp(): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs dicom3tools' dciodvfy on a Part 10 buffer (it reports on stderr). */
export function dciodvfy(bytes: Uint8Array): DciodvfyReport {
  const file = join(dir, `v${n++}.dcm`);
  writeFileSync(file, bytes);
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const raw = `${r.stderr}${r.stdout}`;
  const lines = raw.split('\n').map((l) => l.trim());
  const errors = lines.filter((l) => l.startsWith('Error'));
  const warnings = lines.filter((l) => l.startsWith('Warning'));
  const errorKeywords = new Set<string>();
  for (const e of errors) {
    for (const m of e.matchAll(/(?:Element=|attribute )<([^>]+)>/g))
      if (m[1] !== undefined) errorKeywords.add(toKeyword(m[1]));
  }
  const iod = lines.find((l) => l !== '' && !l.startsWith('Error') && !l.startsWith('Warning')) ?? '';
  return { iod, errors, warnings, errorKeywords, raw };
}

/** Runs a DCMTK tool on a buffer; returns exit status and output. */
export function dcmtk(tool: string, bytes: Uint8Array, args: string[] = []): { status: number; out: string } {
  const file = join(dir, `d${n++}.dcm`);
  writeFileSync(file, bytes);
  const r = spawnSync(tool, [...args, file], { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** A deterministic UID source for tests (a real org root is the uid package's job). */
export function testUids(): () => string {
  let i = 0;
  return () => `1.2.826.0.1.3680043.10.1437.99.${++i}`;
}

/** Decodes a Part 10 buffer with pydicom (an independent reader) and returns the named values as JSON. */
export function pydicomValues(bytes: Uint8Array, keywords: readonly string[]): Record<string, string> {
  const file = join(dir, `p${n++}.dcm`);
  writeFileSync(file, bytes);
  const script = [
    'import json, sys, pydicom',
    'ds = pydicom.dcmread(sys.argv[1])',
    'out = {}',
    `for k in ${JSON.stringify(keywords)}:`,
    '    v = ds.get(k)',
    '    out[k] = None if v is None else str(v)',
    'print(json.dumps(out, ensure_ascii=False))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pydicom failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** Applies a mutation to a copy of a dataset (top-level keys only are replaced). */
export function mutate<T extends Record<string, unknown>>(ds: T, m: (d: Record<string, unknown>) => void): T {
  const copy = { ...ds } as Record<string, unknown>;
  m(copy);
  return copy as T;
}

/** Drops dcmjs' bookkeeping (`_vrMap`) from a naturalized value, for deep comparisons. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === '_vrMap' ? undefined : v)));
}

/** dciodvfy warnings our objects may carry; each is justified in the package README. */
export const JUSTIFIED_WARNINGS: readonly RegExp[] = [
  /needed to build DICOMDIR - (Study ID|Patient ID)$/,
  /Unrecognized defined term <99[A-Z0-9]+> for value 1 of attribute <Coding Scheme Designator>/,
  /ViewCodeSequence is empty or absent, but view is known since ViewPosition has a value/,
  /is only permitted to be empty when actually unknown.*attribute <Laterality>/,
];

/** The warnings of a report that no JUSTIFIED_WARNINGS pattern covers (expected empty). */
export function unjustifiedWarnings(report: DciodvfyReport): string[] {
  return report.warnings.filter((w) => !JUSTIFIED_WARNINGS.some((re) => re.test(w)));
}
