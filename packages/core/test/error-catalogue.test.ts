import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOGUE,
  type ErrorCategory,
  errorSpec,
  HnvError,
  type HnvErrorCode,
  isHnvErrorCode,
  isRetryable,
} from '../src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CATALOGUE_FILE = join('packages', 'core', 'src', 'catalogue.ts');

/** Every production source file: packages/<name>/src and native/lib, TypeScript, no declarations. */
function sourceFiles(): string[] {
  const dirs = [
    ...readdirSync(join(ROOT, 'packages')).map((name) => join(ROOT, 'packages', name, 'src')),
    join(ROOT, 'native', 'lib'),
  ];
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.(ts|mts|cts)$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}

/** code → the files (outside the catalogue) that name it. */
function codesInSource(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const rel = relative(ROOT, file);
    if (rel === CATALOGUE_FILE) continue;
    for (const [code] of readFileSync(file, 'utf8').matchAll(/HNV_ERR_[A-Z0-9_]+/g)) {
      const files = found.get(code) ?? [];
      if (!files.includes(rel)) files.push(rel);
      found.set(code, files);
    }
  }
  return found;
}

const CODES = Object.keys(ERROR_CATALOGUE) as HnvErrorCode[];

describe('the error catalogue is the set of codes in the source tree', () => {
  const used = codesInSource();

  it('finds the source tree (the scan is not vacuous)', () => {
    expect(sourceFiles().length).toBeGreaterThan(100);
    expect(used.get('HNV_ERR_CONNECT')).toContain(join('packages', 'net', 'src', 'errors.ts'));
  });

  it('every HNV_ERR_ code named in packages/*/src or native/lib is catalogued', () => {
    const missing = [...used]
      .filter(([code]) => !isHnvErrorCode(code))
      .map(([c, f]) => `${c} (${f.join(', ')})`);
    expect(missing).toEqual([]);
  });

  it('every catalogued code is named somewhere outside the catalogue (no dead entries)', () => {
    expect(CODES.filter((code) => !used.has(code))).toEqual([]);
  });

  it("the pool's exhaustion has an HNV_ERR_ code; 'PoolExhausted' is left only as its reason name", () => {
    expect(ERROR_CATALOGUE.HNV_ERR_POOL_EXHAUSTED).toEqual({ category: 'network', retryable: true });
    const asCode = sourceFiles().filter((file) =>
      /code[^\n]{0,40}'PoolExhausted'|'PoolExhausted'[^\n]{0,5}[,\]]\s*$/m.test(readFileSync(file, 'utf8')),
    );
    expect(asCode.map((f) => relative(ROOT, f))).toEqual([]);
  });
});

describe('HnvError takes category and retryable from the catalogue where it is thrown', () => {
  it.each(CODES)('%s', (code) => {
    const err = new HnvError(code, 'x');
    expect(err.code).toBe(code);
    expect(err.category).toBe(ERROR_CATALOGUE[code].category);
    expect(err.retryable).toBe(ERROR_CATALOGUE[code].retryable);
  });

  it('NFR-REL-01: the A-ASSOCIATE-RJ result decides: 1 permanent, 2 transient (PS3.8 Table 9-21)', () => {
    expect(new HnvError('HNV_ERR_ASSOC_REJECTED', 'x', { details: { result: 1 } }).retryable).toBe(false);
    expect(new HnvError('HNV_ERR_ASSOC_REJECTED', 'x', { details: { result: 2 } }).retryable).toBe(true);
  });

  it('NFR-REL-01: the DIMSE status decides: A7xx out of resources retried, A9xx/Cxxx/0122 not', () => {
    const retryable = (status: number) =>
      new HnvError('HNV_ERR_DIMSE_FAILURE', 'x', { details: { status } }).retryable;
    expect([0xa700, 0xa7ff, 0x0110, 0xa900, 0xc000, 0xc123, 0x0122].map(retryable)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('a thrower that knows better overrides retryable; the category stays', () => {
    const err = new HnvError('HNV_ERR_CONNECT', 'x', { retryable: false });
    expect([err.retryable, err.category]).toEqual([false, 'network']);
  });

  it('a code outside the catalogue (an untyped caller) is internal and retried like any unknown failure', () => {
    const code = 'HNV_ERR_MADE_UP' as HnvErrorCode;
    expect(isHnvErrorCode(code)).toBe(false);
    expect(errorSpec(code)).toEqual({ category: 'internal', retryable: true });
    expect(new HnvError(code, 'x')).toMatchObject({ category: 'internal', retryable: true });
    expect(isRetryable(code)).toBe(true);
  });

  it('catalogued categories are the documented ones; internal is only for uncatalogued codes', () => {
    const categories = new Set<ErrorCategory>(CODES.map((c) => ERROR_CATALOGUE[c].category));
    expect([...categories].sort()).toEqual(
      [
        'association',
        'codec',
        'config',
        'data',
        'dimse',
        'input',
        'network',
        'partial',
        'queue',
        'state',
        'usage',
      ].sort(),
    );
  });
});
