/**
 * The registry is the single source of the standard's UIDs (issue 12): no production source
 * outside @hnvue/dicom spells a transfer-syntax, SOP class or other `1.2.840.10008` UID. Tests
 * may, since they check the wire against the standard.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRANSFER_SYNTAXES } from '../../src/index.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const SOURCE_DIRS = [
  ...['core', 'uid', 'iod', 'net', 'queue', 'facade', 'simulator', 'cli'].map((p) => `packages/${p}/src`),
  'native/lib',
];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('standard UIDs have one home', () => {
  it('FR-DICOM-04.encoding: no transfer-syntax UID literal in production code outside @hnvue/dicom', async () => {
    const uids = new Set(TRANSFER_SYNTAXES.map((ts) => ts.uid));
    const found: string[] = [];
    for (const dir of SOURCE_DIRS) {
      for (const file of await sourceFiles(dir)) {
        const text = await readFile(file, 'utf8');
        for (const m of text.matchAll(/['"`](1\.2\.840\.10008\.1\.2[0-9.]*)['"`]/g)) {
          if (uids.has(m[1] as string)) found.push(`${relative(root, file)}: ${m[1]}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('FR-DICOM-04.encoding: no other standard UID literal (SOP classes, well-known instances) outside @hnvue/dicom', async () => {
    const found: string[] = [];
    for (const dir of SOURCE_DIRS) {
      for (const file of await sourceFiles(dir)) {
        const text = await readFile(file, 'utf8');
        for (const m of text.matchAll(/['"`](1\.2\.840\.10008\.[0-9.]+)['"`]/g))
          found.push(`${relative(root, file)}: ${m[1]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
