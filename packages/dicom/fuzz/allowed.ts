/**
 * What the dicom fuzz targets accept as a failure: our typed errors of the data set, Part 10 and
 * character set layers (the rule of scripts/fuzz-mutator.ts). Anything else is rethrown: it is a
 * finding.
 */
import { HnvError } from '@hnvue/core';
import type { WalkEncoding, WalkedElement } from '../src/elements/walk.js';
import { walkDataset } from '../src/elements/walk.js';
import type { LengthField } from './rng.js';

const ALLOWED = new Set(['HNV_ERR_DATASET', 'HNV_ERR_PART10', 'HNV_ERR_PART10_TRUNCATED', 'HNV_ERR_CHARSET']);

export function expectTyped(err: unknown): void {
  if (err instanceof HnvError && ALLOWED.has(err.code)) return;
  throw err;
}

/**
 * PS3.5 7.1: the value length of each element header (16-bit after an explicit short VR, else
 * 32-bit), items and delimiters (32-bit) at every depth, found by walking the input; `base` is where
 * the data set starts in the input.
 */
export function elementLengthFields(
  data: Uint8Array,
  enc: WalkEncoding,
  base: number,
  start = 0,
  onlyGroup?: number,
): LengthField[] {
  const out: LengthField[] = [];
  const le = enc.littleEndian;
  const push = (offset: number, size: 2 | 4): void => {
    if (out.length < 1024) out.push({ offset: base + offset, size, littleEndian: le });
  };
  const visit = (elements: readonly WalkedElement[]): void => {
    for (const e of elements) {
      const long = !enc.explicitVr || e.valueStart - e.start === 12;
      push(e.start + (long ? (enc.explicitVr ? 8 : 4) : 6), long ? 4 : 2);
      for (const item of e.items ?? []) {
        push(item.start + 4, 4);
        visit(item.elements);
      }
      if (e.fragments)
        for (const f of [e.fragments.offsetTable, ...e.fragments.fragments]) push(f.start - 4, 4);
    }
  };
  visit(
    walkDataset(data.subarray(base), { ...enc, start, ...(onlyGroup === undefined ? {} : { onlyGroup }) })
      .elements,
  );
  return out;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const tagLe = (t: number): Uint8Array =>
  Uint8Array.of((t >>> 16) & 0xff, t >>> 24, t & 0xff, (t >>> 8) & 0xff);
const tagBe = (t: number): Uint8Array =>
  Uint8Array.of(t >>> 24, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff);

const TAGS = [0xfffee000, 0xfffee00d, 0xfffee0dd, 0x7fe00010, 0x00080005, 0x00020010, 0x00091001, 0x00280010];
/** VRs of every header form (short, long, SQ, UN): dictionary tokens here, the 'vr' mutation of scripts/fuzz-mutator.ts. */
export const FUZZ_VRS: readonly string[] = [
  'SQ',
  'UN',
  'OB',
  'OW',
  'UT',
  'UC',
  'UR',
  'OF',
  'OD',
  'OL',
  'OV',
  'SV',
  'UV',
  'US',
  'AT',
  'PN',
  'DS',
];

/** Item and delimiter tags, Pixel Data, VRs, character set terms, transfer syntaxes. */
export const DICOM_DICTIONARY: readonly Uint8Array[] = [
  ...TAGS.map(tagLe),
  ...TAGS.map(tagBe),
  ...FUZZ_VRS.map(ascii),
  ascii('ISO_IR 100'),
  ascii('ISO_IR 192'),
  ascii('ISO 2022 IR 87'),
  ascii('\\ISO 2022 IR 149'),
  Uint8Array.of(0x1b, 0x24, 0x42),
  Uint8Array.of(0x1b, 0x28, 0x42),
  ascii('DICM'),
  ascii('1.2.840.10008.1.2.1.99'),
  ascii('1.2.840.10008.1.2.2'),
  ascii('1.2.840.10008.1.2.4.50'),
  Uint8Array.of(0xff, 0xff, 0xff, 0xff),
];
