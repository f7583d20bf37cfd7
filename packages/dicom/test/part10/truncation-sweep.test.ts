/**
 * Truncated and overrunning files (issue 12 Proof, FR-DICOM-04): real files — our DX, CR and
 * X-Ray Radiation Dose SR, and the same objects as DCMTK rewrote them (`dcmconv` +ti/+tb/+td with
 * undefined-length sequences and items, `dcmcrle` with encapsulated fragments) — are cut at every
 * element, item and fragment boundary at every depth and at several offsets inside headers and
 * values, and each declared length (element, item, fragment) is made to overrun its container.
 *
 * For every case `parsePart10File`, `openPart10File` (what `hnvue store` opens, before any
 * association) and `walkDataset` either throw the typed truncation error — Part10TruncatedError
 * (HNV_ERR_PART10_TRUNCATED) / DatasetTruncatedError with the byte offset of the element that does
 * not fit — or, for a cut exactly at a top-level element boundary, return the documented result:
 * the elements before the cut, unchanged; `openPart10File` refuses such a cut image anyway when it
 * lost its Pixel Data. No other exception type, no value quoted in a message, no case slower than
 * a time bound (the walker is synchronous, so a hang would show as a slow case, not a stuck test).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deflateDataset } from '../../src/elements/deflate.js';
import { DatasetTruncatedError, tagString } from '../../src/elements/errors.js';
import {
  type Item,
  UNDEFINED_LENGTH,
  type WalkEncoding,
  type WalkedElement,
  walkDataset,
} from '../../src/elements/walk.js';
import {
  openPart10File,
  PART10_TRUNCATED_ERROR_CODE,
  Part10TruncatedError,
  parsePart10File,
} from '../../src/part10/index.js';
import { sopClass } from '../../src/uids/index.js';
import { havePeers } from '../elements/fixtures.js';
import { dcmtkFiles, ourFiles, type RealFile } from './real-files.js';

const dir = mkdtempSync(join(tmpdir(), 'hnv-truncation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const peers = havePeers('dcmconv', 'dcmcrle');
const FILES: RealFile[] = [...ourFiles(), ...(peers ? dcmtkFiles(dir) : [])];

/** Per call: far above the microseconds a walk of these files takes, far below a hang. */
const TIME_BOUND_MS = 250;
/** Strings of the fixtures' patient that no error message may carry. */
const PHI = ['Doe', 'Jane', 'PID-0001'];

/** Everything the full walk says about where structure begins and ends, at every depth. */
interface Layout {
  /** Offsets (from the first data set byte) where top-level elements start, and the end. */
  readonly top: readonly number[];
  /** Every element, item and fragment boundary: header start, value start, end. */
  readonly boundaries: ReadonlySet<number>;
  /** Offsets inside headers and values. */
  readonly inside: ReadonlySet<number>;
  /** Every defined length that can be made to overrun, with where its field is. */
  readonly lengths: readonly LengthField[];
}

interface LengthField {
  /** The element (or item / fragment) whose header the error must name. */
  readonly start: number;
  readonly field: number;
  readonly bytes: 2 | 4;
  readonly littleEndian: boolean;
  /** One past the container it must fit in. */
  readonly limit: number;
  readonly valueStart: number;
  readonly tag: string;
}

function layout(elements: readonly WalkedElement[], length: number, enc: WalkEncoding): Layout {
  const boundaries = new Set<number>();
  const inside = new Set<number>();
  const lengths: LengthField[] = [];
  const add = (start: number, valueStart: number, end: number): void => {
    boundaries.add(start).add(valueStart).add(end);
    for (const d of [1, 2, 4, 6, 7]) if (start + d < valueStart) inside.add(start + d);
    if (end - valueStart > 1)
      inside
        .add(valueStart + 1)
        .add((valueStart + end) >> 1)
        .add(end - 1);
  };
  const walk = (list: readonly WalkedElement[], limit: number, e: WalkEncoding): void => {
    for (const el of list) {
      add(el.start, el.valueStart, el.end);
      const header = el.valueStart - el.start;
      if (!el.undefinedLength) {
        const explicitShort = e.explicitVr && header === 8;
        lengths.push({
          start: el.start,
          field: el.start + (e.explicitVr ? (explicitShort ? 6 : 8) : 4),
          bytes: explicitShort ? 2 : 4,
          littleEndian: e.littleEndian,
          limit,
          valueStart: el.valueStart,
          tag: tagString(el.tag),
        });
      }
      const inner = el.undefinedLength ? limit : el.end;
      for (const item of el.items ?? []) walkItem(item, inner, el.tag);
      if (el.fragments) {
        for (const f of [el.fragments.offsetTable, ...el.fragments.fragments]) {
          add(f.start - 8, f.start, f.start + f.length);
          lengths.push({
            start: f.start - 8,
            field: f.start - 4,
            bytes: 4,
            littleEndian: e.littleEndian,
            limit,
            valueStart: f.start,
            tag: tagString(el.tag),
          });
        }
      }
    }
  };
  const walkItem = (item: Item, limit: number, sequenceTag: number): void => {
    add(item.start, item.valueStart, item.end);
    if (!item.undefinedLength) {
      lengths.push({
        start: item.start,
        field: item.start + 4,
        bytes: 4,
        littleEndian: item.encoding.littleEndian,
        limit,
        valueStart: item.valueStart,
        tag: tagString(sequenceTag),
      });
    }
    walk(item.elements, item.undefinedLength ? limit : item.end, item.encoding);
  };
  walk(elements, length, enc);
  const top = [...elements.map((e) => e.start), length];
  for (const b of boundaries) inside.delete(b);
  return { top, boundaries, inside, lengths };
}

type Outcome =
  | { kind: 'result'; elements: readonly WalkedElement[] }
  | { kind: 'truncated'; offset: number; tag: string | undefined; message: string };

/** Runs `f` under the time bound; anything but a result or the typed truncation error fails. */
function timed<T>(label: string, f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    overTime(label, t0);
  }
}

/** Records a case over the time bound (checked after the run: throwing in `finally` would mask). */
const slow: string[] = [];
function overTime(label: string, t0: number): void {
  const ms = performance.now() - t0;
  if (ms > TIME_BOUND_MS) slow.push(`${label}: ${ms.toFixed(0)} ms`);
}

function part10Outcome(label: string, bytes: Uint8Array): Outcome {
  try {
    return { kind: 'result', elements: timed(label, () => parsePart10File(bytes)).elements };
  } catch (err) {
    return truncated(label, err, Part10TruncatedError, PART10_TRUNCATED_ERROR_CODE);
  }
}

function walkOutcome(label: string, bytes: Uint8Array, enc: WalkEncoding): Outcome {
  try {
    return { kind: 'result', elements: timed(label, () => walkDataset(bytes, enc)).elements };
  } catch (err) {
    return truncated(label, err, DatasetTruncatedError, 'HNV_ERR_DATASET');
  }
}

function truncated(
  label: string,
  err: unknown,
  type: typeof Part10TruncatedError | typeof DatasetTruncatedError,
  code: string,
): Outcome {
  if (!(err instanceof type) || (err as { code?: string }).code !== code) {
    throw new Error(`${label}: expected ${type.name}, got ${String(err)}`, { cause: err });
  }
  if (PHI.some((word) => err.message.includes(word)) || !Number.isInteger(err.offset)) {
    throw new Error(`${label}: message quotes a value, or no integer offset: ${err.message}`);
  }
  return { kind: 'truncated', offset: err.offset, tag: err.tag, message: err.message };
}

const shape = (elements: readonly WalkedElement[]) => elements.map((e) => [e.tag, e.start, e.end]);

function isImage(bytes: Uint8Array): boolean {
  return /Image Storage/.test(sopClass(parsePart10File(bytes).meta.mediaStorageSopClassUid)?.name ?? '');
}

let fileNumber = 0;
async function openOutcome(label: string, bytes: Uint8Array): Promise<Outcome> {
  const path = join(dir, `cut-${fileNumber++}.dcm`);
  writeFileSync(path, bytes);
  const t0 = performance.now();
  try {
    const source = await openPart10File(path);
    return { kind: 'result', elements: source.elements ?? [] };
  } catch (err) {
    return truncated(label, err, Part10TruncatedError, PART10_TRUNCATED_ERROR_CODE);
  } finally {
    rmSync(path, { force: true });
    overTime(label, t0);
  }
}

function patchLength(dataset: Uint8Array, f: LengthField, value: number): Uint8Array {
  const out = Uint8Array.from(dataset);
  const dv = new DataView(out.buffer);
  if (f.bytes === 2) dv.setUint16(f.field, value, f.littleEndian);
  else dv.setUint32(f.field, value, f.littleEndian);
  return out;
}

/** Overrunning values for a length field: just past its container, and close to 4 GiB. */
function overruns(f: LengthField): number[] {
  const past = f.limit - f.valueStart + 2;
  const max = f.bytes === 2 ? 0xffff : UNDEFINED_LENGTH - 1;
  return [past, ...(f.bytes === 4 ? [0xfffffffe] : [])].filter((v) => v <= max);
}

describe('truncated and overrunning real files: the typed error with its offset, never another (FR-DICOM-04)', () => {
  it('the sweep covers our DX, CR and RDSR and, with DCMTK, its rewrites of them (sequences, fragments, all encodings)', () => {
    const labels = FILES.map((f) => f.label);
    expect(labels).toEqual(expect.arrayContaining(['ours dx', 'ours cr', 'ours rdsr']));
    if (peers) {
      expect(labels).toEqual(
        expect.arrayContaining([
          'dcmconv +ti rdsr',
          'dcmconv +te -e rdsr',
          'dcmconv +tb rdsr',
          'dcmconv +td rdsr',
          'dcmcrle dx',
        ]),
      );
      const rle = parsePart10File((FILES.find((f) => f.label === 'dcmcrle dx') as RealFile).bytes);
      expect(rle.elements.find((e) => e.fragments)?.fragments?.fragments.length).toBeGreaterThan(0);
      const undef = parsePart10File((FILES.find((f) => f.label === 'dcmconv +te -e rdsr') as RealFile).bytes);
      expect(undef.elements.some((e) => e.undefinedLength && e.items?.some((i) => i.undefinedLength))).toBe(
        true,
      );
    }
  });

  for (const file of FILES) {
    const full = parsePart10File(file.bytes);
    const { datasetOffset, encoding } = full;
    const dataset = encoding.deflated ? full.dataset : file.bytes.subarray(datasetOffset);
    const map = layout(full.elements, dataset.length, encoding);
    const image = isImage(file.bytes);
    /** The data set (inflated form) as a whole file again: re-deflated when the file is deflated. */
    const asFile = (ds: Uint8Array): Uint8Array =>
      new Uint8Array(
        Buffer.concat([file.bytes.subarray(0, datasetOffset), encoding.deflated ? deflateDataset(ds) : ds]),
      );

    it(`${file.label}: cut at every boundary and inside every header and value — truncated at the element that does not fit, or the elements before a top-level cut`, async () => {
      // Every boundary; every offset inside headers and values, except in DCMTK's rewrites of the
      // SR (thousands of elements, 5 files): a third of those, to keep the sweep within CI time.
      const stride = file.label.startsWith('ours') || dataset.length < 4096 ? 1 : 3;
      const inside = [...map.inside].filter((_, i) => i % stride === 0);
      const cuts = [...new Set([...map.boundaries, ...inside])].filter((x) => x < dataset.length);
      cuts.sort((a, b) => a - b);
      let truncatedCount = 0;
      let prefixes = 0;
      let opened = 0;
      // Mismatches are collected (one expect at the end keeps thousands of cases fast).
      const wrong: string[] = [];
      const check = (ok: boolean, label: string, what: string): void => {
        if (!ok) wrong.push(`${label}: ${what}`);
      };
      for (const [n, x] of cuts.entries()) {
        const label = `${file.label} cut at data set byte ${x}`;
        const cutDataset = dataset.subarray(0, x);
        const topIndex = map.top.indexOf(x);
        // Where the outermost element holding the cut starts: the error may name it or anything inside it.
        const outer = Math.max(...map.top.filter((t) => t <= x));
        const walked = walkOutcome(label, cutDataset, encoding);
        const cutFile = asFile(cutDataset);
        const parsed = part10Outcome(label, cutFile);
        const prefix = JSON.stringify(shape(full.elements.slice(0, Math.max(0, topIndex))));
        if (topIndex >= 0) {
          prefixes++;
          check(
            walked.kind === 'result' && JSON.stringify(shape(walked.elements)) === prefix,
            label,
            'walk ≠ prefix',
          );
          check(
            parsed.kind === 'result' && JSON.stringify(shape(parsed.elements)) === prefix,
            label,
            'parse ≠ prefix',
          );
        } else {
          truncatedCount++;
          if (walked.kind !== 'truncated' || parsed.kind !== 'truncated') {
            throw new Error(`${label}: not refused as truncated`);
          }
          check(
            walked.offset >= outer && walked.offset <= x,
            label,
            `offset ${walked.offset} outside [${outer}, ${x}]`,
          );
          check(
            map.boundaries.has(walked.offset) || walked.offset === x,
            label,
            `offset ${walked.offset} no boundary`,
          );
          // Part 10 names the same place, as a file offset (as an inflated offset when deflated).
          const fileOffset = encoding.deflated ? walked.offset : datasetOffset + walked.offset;
          check(parsed.offset === fileOffset && parsed.tag === walked.tag, label, 'part 10 ≠ walker');
        }
        // What `hnvue store` opens: the same answer, and an image that lost its Pixel Data is refused.
        if (topIndex >= 0 || n % 16 === 0) {
          opened++;
          const o = await openOutcome(label, cutFile);
          if (parsed.kind === 'truncated') {
            check(JSON.stringify(o) === JSON.stringify(parsed), label, 'open ≠ parse');
          } else if (image) {
            const at = encoding.deflated ? x : datasetOffset + x;
            check(
              o.kind === 'truncated' && o.offset === at && o.tag === '(7FE0,0010)',
              label,
              'open accepted an image without Pixel Data',
            );
          } else {
            check(
              o.kind === 'result' && JSON.stringify(shape(o.elements)) === prefix,
              label,
              'open ≠ prefix',
            );
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(slow).toEqual([]);
      expect(opened).toBeGreaterThan(cuts.length / 20);
      expect(truncatedCount).toBeGreaterThan(prefixes);
      expect(prefixes).toBe(map.top.length - 1);
    });

    it(`${file.label}: every declared element, item and fragment length made to overrun its container is truncated at that header`, () => {
      let cases = 0;
      const wrong: string[] = [];
      for (const f of map.lengths) {
        for (const value of overruns(f)) {
          const label = `${file.label} length at data set byte ${f.field} set to ${value}`;
          const patched = patchLength(dataset, f, value);
          const walked = walkOutcome(label, patched, encoding);
          const parsed = part10Outcome(label, asFile(patched));
          cases++;
          const at = encoding.deflated ? f.start : datasetOffset + f.start;
          if (walked.kind !== 'truncated' || walked.offset !== f.start || walked.tag !== f.tag) {
            wrong.push(`${label}: walker ${JSON.stringify(walked.kind === 'truncated' ? walked : 'result')}`);
          }
          if (parsed.kind !== 'truncated' || parsed.offset !== at)
            wrong.push(`${label}: part 10 not at ${at}`);
        }
      }
      expect(wrong).toEqual([]);
      expect(slow).toEqual([]);
      expect(cases).toBeGreaterThan(map.lengths.length / 2);
    });

    it(`${file.label}: cut inside the preamble, DICM, the meta group${encoding.deflated ? ' and the deflate stream' : ''} — truncated with the offset`, async () => {
      const meta = walkDataset(file.bytes, {
        explicitVr: true,
        littleEndian: true,
        start: 132,
        onlyGroup: 2,
      });
      const cuts = new Set([0, 1, 64, 128, 129, 131, 132, 133, 136, 140]);
      for (const e of meta.elements) for (const d of [0, 2, 6, 8, 9]) cuts.add(e.start + d);
      for (const e of meta.elements) cuts.add(e.end - 1);
      if (encoding.deflated) {
        const compressed = file.bytes.length - datasetOffset;
        for (let k = 0; k < 40; k++) cuts.add(datasetOffset + Math.floor((compressed * k) / 40));
        for (const d of [1, 2, 3, 4, 8]) cuts.add(file.bytes.length - d);
      }
      for (const c of [...cuts].filter((c) => c < file.bytes.length && c !== datasetOffset)) {
        const label = `${file.label} cut at file byte ${c}`;
        const parsed = part10Outcome(label, file.bytes.subarray(0, c));
        if (parsed.kind !== 'truncated') throw new Error(`${label}: not refused as truncated`);
        expect(parsed.offset, label).toBeLessThanOrEqual(c);
        if (c > datasetOffset) expect(parsed.offset, label).toBe(c); // the deflate stream's end
        expect(await openOutcome(label, file.bytes.subarray(0, c)), label).toEqual(parsed);
      }
      // Nothing after the meta group: an empty data set (deflated: an empty stream, truncated).
      const empty = part10Outcome(`${file.label} meta only`, file.bytes.subarray(0, datasetOffset));
      expect(empty.kind === 'result' ? empty.elements : empty.kind).toEqual(
        encoding.deflated ? 'truncated' : [],
      );
    });
  }
});
