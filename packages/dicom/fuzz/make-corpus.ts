/**
 * Writes the committed seed corpora of the dicom fuzz targets (fuzz/corpus/walker, fuzz/corpus/part10):
 * our DX, CR and RDSR (test/part10/real-files.ts) with Pixel Data cut to 64 bytes so each seed is a
 * few KB, in the four encodings, as written, with undefined-length sequences and items, and with
 * encapsulated fragments and a UN of undefined length (scripts/fuzz-mutator.ts), plus files DCMTK
 * made when it is installed. Rerun: pnpm exec tsx --conditions @hnvue/source packages/dicom/fuzz/make-corpus.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withFragmentsAndUn, withUndefinedLengths } from '../scripts/fuzz-mutator.js';
import { EXPLICIT_BIG, EXPLICIT_LITTLE, IMPLICIT_LITTLE } from '../src/elements/walk.js';
import { parsePart10File } from '../src/part10/index.js';
import { TS } from '../src/uids/index.js';
import { ourObjects, part10Bytes } from '../test/part10/real-files.js';

const here = dirname(fileURLToPath(import.meta.url));
const SYNTAXES = [
  TS.implicitVrLittleEndian,
  TS.explicitVrLittleEndian,
  TS.explicitVrBigEndian,
  TS.deflatedExplicitVrLittleEndian,
];
const WALK = [IMPLICIT_LITTLE, EXPLICIT_LITTLE, EXPLICIT_BIG, EXPLICIT_LITTLE];

const walkerDir = join(here, 'corpus', 'walker');
const part10Dir = join(here, 'corpus', 'part10');
for (const d of [walkerDir, part10Dir]) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
}
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
let dcmtkFile: string | undefined;
for (const object of ourObjects()) {
  const ds = { ...object.dataset };
  if (ds.PixelData instanceof ArrayBuffer) ds.PixelData = ds.PixelData.slice(0, 64);
  if ('Rows' in ds) Object.assign(ds, { Rows: 4, Columns: 8 });
  SYNTAXES.forEach((ts, i) => {
    const file = part10Bytes(ds, ts);
    const parsed = parsePart10File(file);
    const meta = file.subarray(0, parsed.datasetOffset);
    const enc = WALK[i]!;
    const plain = i === 3 ? undefined : parsed.dataset;
    const forms: [string, Uint8Array][] = [['as-written', parsed.dataset]];
    if (plain !== undefined) {
      forms.push(['undefined-lengths', withUndefinedLengths(plain, enc)]);
      if (object.name !== 'rdsr') forms.push(['fragments-un', withFragmentsAndUn(plain, enc)]);
    }
    for (const [form, dataset] of forms) {
      // The RDSR (~9 KB, the deep content tree) once per encoding family, to keep runs fast.
      if (object.name === 'rdsr' && (i > 1 || form !== 'as-written')) continue;
      // The walker target's first byte: read in syntax i, re-encode to the next one.
      const selector = Uint8Array.of(i | (((i + 1) % 4) << 2));
      writeFileSync(join(walkerDir, `${object.name}-${i}-${form}`), concat(selector, dataset));
      writeFileSync(join(part10Dir, `${object.name}-${i}-${form}.dcm`), concat(meta, dataset));
    }
    if (object.name === 'cr' && i === 1) {
      dcmtkFile = join(tmpdir(), 'hnvue-fuzz-cr.dcm');
      writeFileSync(dcmtkFile, file);
    }
  });
}
// DCMTK's own forms (dcmconv: undefined-length sequences and items by default), when installed.
if (dcmtkFile !== undefined) {
  for (const [flag, name] of [
    ['+ti', 'dcmtk-implicit.dcm'],
    ['+tb', 'dcmtk-big.dcm'],
    ['+td', 'dcmtk-deflated.dcm'],
  ] as const) {
    const out = join(tmpdir(), name);
    try {
      execFileSync('dcmconv', [flag, dcmtkFile, out], { stdio: 'ignore' });
      writeFileSync(join(part10Dir, name), readFileSync(out));
    } catch {
      console.log(`dcmconv ${flag} not available: ${name} skipped`);
    }
  }
}
console.log(`wrote ${walkerDir} and ${part10Dir}`);
