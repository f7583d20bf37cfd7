/**
 * Real-peer proof of the walker, codec, re-encoder and Part 10 writer (FR-DICOM-04, FR-DICOM-08):
 * our DX-like object is converted by DCMTK `dcmconv` (+ti, +te, +tb, +td) and GDCM `gdcmconv`
 * (--implicit, --explicit, --deflated); our walker's element list (tag, VR, length, value) equals
 * `dcmdump +L`'s for every file; what we write in each of the four encodings — from the codec and
 * from the re-encoder — is read back by `dcmdump` as the original, and `dciodvfy` reports no error
 * the original does not have. Skipped when the binaries are missing, unless HNVUE_REQUIRE_PEERS=1.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDataset } from '../../src/codec/index.js';
import { reencodeDataset } from '../../src/elements/index.js';
import {
  parsePart10File,
  readPart10File,
  writePart10Dataset,
  writePart10File,
} from '../../src/part10/index.js';
import { TS } from '../../src/uids/index.js';
import {
  comparable,
  type DumpLine,
  DX_SOP_CLASS,
  dcmdump,
  havePeers,
  NATIVE,
  ourDump,
  sampleDataset,
} from '../elements/fixtures.js';

const enabled = havePeers('dcmconv', 'dcmdump', 'gdcmconv', 'dciodvfy');
const dir = mkdtempSync(join(tmpdir(), 'hnv-dicom-peers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOP_INSTANCE = '2.25.1234567890';
const meta = (transferSyntaxUid: string) => ({
  mediaStorageSopClassUid: DX_SOP_CLASS,
  mediaStorageSopInstanceUid: SOP_INSTANCE,
  transferSyntaxUid,
  implementationClassUid: '2.25.9',
});
let original: string;

/** What must match between two dumps of the same data: lengths of sequences and group lengths may differ. */
function content(lines: readonly DumpLine[]): DumpLine[] {
  return comparable(lines)
    .filter((l) => !l.tag.endsWith('0000'))
    .map((l) => (l.vr === 'SQ' ? { ...l, length: '' } : l));
}

/** dciodvfy (dicom3tools 2022) cannot read Deflated files: those are checked inflated by dcmconv +te. */
function dciodvfyErrors(path: string): string[] {
  const inflated = `${path}.te.dcm`;
  execFileSync('dcmconv', ['+te', path, inflated]);
  const r = spawnSync('dciodvfy', [inflated], { encoding: 'latin1' });
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('Error'))
    .sort();
}

beforeAll(async () => {
  if (!enabled) return;
  original = join(dir, 'original.dcm');
  await writePart10Dataset(original, meta(TS.explicitVrLittleEndian), sampleDataset(SOP_INSTANCE), {
    fsync: false,
  });
});

describe.skipIf(!enabled)('element list against DCMTK dcmdump (real peers)', () => {
  const converted: [string, string, string[]][] = [
    ...NATIVE.map(
      ([name, , flag]) => [`dcmconv ${flag}`, name, ['dcmconv', flag]] as [string, string, string[]],
    ),
    ['gdcmconv --implicit', 'implicit', ['gdcmconv', '--implicit']],
    ['gdcmconv --explicit', 'explicit', ['gdcmconv', '--explicit']],
    ['gdcmconv --deflated', 'deflated', ['gdcmconv', '--deflated']],
  ];
  for (const [label, name, [tool, ...args]] of converted) {
    it(`FR-DICOM-08: a file converted by ${label} walks to dcmdump's element list (tag, VR, length, value)`, () => {
      const file = join(dir, `${label.replace(/[^a-z]/g, '')}.dcm`);
      execFileSync(tool as string, [...args, original, file]);
      const parsed = parsePart10File(new Uint8Array(readFileSync(file)));
      const expected = NATIVE.find(([n]) => n === name)?.[1];
      expect(parsed.meta.transferSyntaxUid).toBe(expected);
      expect(comparable(ourDump(parsed.dataset, parsed.encoding))).toEqual(comparable(dcmdump(file)));
      // And the codec reads it as the original.
      const decoded = decodeDataset(parsed.dataset, { transferSyntax: parsed.datasetTransferSyntax }).dataset;
      const mine = decodeDataset(parsePart10File(new Uint8Array(readFileSync(original))).dataset, {
        transferSyntax: TS.explicitVrLittleEndian,
      }).dataset;
      expect(JSON.parse(JSON.stringify(decoded, replacer))).toEqual(
        JSON.parse(JSON.stringify(mine, replacer)),
      );
    });
  }

  for (const [name, uid] of NATIVE) {
    it(`FR-DICOM-08: our codec writes ${name}; dcmdump reads it back as the original, dciodvfy adds no error`, async () => {
      const file = join(dir, `ours-${name}.dcm`);
      const source = await readPart10File(original);
      const dataset = decodeDataset(source.dataset, { transferSyntax: source.datasetTransferSyntax }).dataset;
      await writePart10Dataset(file, meta(uid), dataset, { fsync: false });
      expect(content(dcmdump(file))).toEqual(content(dcmdump(original)));
      expect(dciodvfyErrors(file)).toEqual(dciodvfyErrors(original));
      const back = await readPart10File(file);
      expect(content(ourDump(back.dataset, back.encoding))).toEqual(content(dcmdump(file)));
    });

    it(`FR-DICOM-08: the re-encoder turns Explicit LE into ${name} and the dcmconv +tb file into ${name}, as dcmdump sees them`, async () => {
      const bigFile = join(dir, 'dcmconv-big-source.dcm');
      execFileSync('dcmconv', ['+tb', original, bigFile]);
      for (const from of [original, bigFile]) {
        const source = await readPart10File(from);
        const chunks = reencodeDataset(source.dataset, source.datasetTransferSyntax, uid);
        const file = join(dir, `reencoded-${name}.dcm`);
        await writePart10File(file, meta(uid), chunks, { fsync: false });
        expect(content(dcmdump(file))).toEqual(content(dcmdump(original)));
        expect(dciodvfyErrors(file)).toEqual(dciodvfyErrors(original));
      }
    });
  }
});

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('hex');
  return value;
}
