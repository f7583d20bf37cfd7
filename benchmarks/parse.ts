/**
 * Data set parsing (issue 12): the whole data set of a 50 MB DX file and of a 1000-element SR,
 * ours (@hnvue/dicom: Part 10 header, then the naturalized decode with Pixel Data as a view) vs
 * dcmjs `DicomMessage.readFile` in the same process and vs DCMTK `dcmdump` as a process (its
 * whole parse and print, output discarded); and the decode of 1000 worklist items coded in
 * ISO 2022 IR 149 and in ISO_IR 192 (µs per item).
 *
 * Alternating, medians of N with min–max spreads; ratio = ours / theirs. Whether our decode copied
 * the pixel value is checked and printed (`pixel copy: no` is the goal).
 *
 *   node --conditions=@hnvue/source --import tsx benchmarks/parse.ts [N]
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HNVUE_IMPLEMENTATION_CLASS_UID } from '@hnvue/core';
import {
  decodeDataset,
  encodeDataset,
  encodePart10Header,
  type NaturalDataset,
  parsePart10Header,
  TS,
} from '../packages/dicom/src/index.js';
import { makeTempDir, rmTempDir } from '../testing/peers.js';
import { worklistItem } from '../testing/worklist.js';

const iterations = Number(process.argv[2] ?? process.env.BENCH_N ?? 7);
const require = createRequire(import.meta.url);
const dcmjs = require('dcmjs') as {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer, options?: object): { dict: object } } };
  log: { setLevel?(level: string): void };
};
dcmjs.log.setLevel?.('error');

interface Spread {
  median: number;
  min: number;
  max: number;
}
function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number };
}
const fmt = (s: Spread, unit = 'ms', digits = 1): string =>
  `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

function part10(dataset: NaturalDataset, sopClass: string, transferSyntax: string): Uint8Array {
  const header = encodePart10Header({
    mediaStorageSopClassUid: sopClass,
    mediaStorageSopInstanceUid: String(dataset.SOPInstanceUID),
    transferSyntaxUid: transferSyntax,
    implementationClassUid: HNVUE_IMPLEMENTATION_CLASS_UID,
  });
  const body = encodeDataset(dataset, { transferSyntax });
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

function dxDataset(): NaturalDataset {
  const rows = 5000;
  const columns = 5000;
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) & 0x0fff;
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    SOPInstanceUID: '2.25.1001',
    StudyInstanceUID: '2.25.1002',
    SeriesInstanceUID: '2.25.1003',
    PatientName: 'BENCH^DX',
    PatientID: 'BENCH01',
    Modality: 'DX',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: 2048,
    WindowWidth: 4096,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
}

/** An SR whose content tree holds about 1000 elements (105 numeric and text items). */
function srDataset(): NaturalDataset {
  const content: NaturalDataset[] = [];
  for (let i = 0; i < 105; i++) {
    content.push({
      RelationshipType: 'CONTAINS',
      ValueType: i % 2 ? 'NUM' : 'TEXT',
      ConceptNameCodeSequence: [
        { CodeValue: String(113700 + i), CodingSchemeDesignator: 'DCM', CodeMeaning: `Concept ${i}` },
      ],
      ...(i % 2
        ? {
            MeasuredValueSequence: [
              {
                NumericValue: i * 1.5,
                MeasurementUnitsCodeSequence: [
                  { CodeValue: 'mGy', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'mGy' },
                ],
              },
            ],
          }
        : { TextValue: `text value ${i}` }),
    });
  }
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.67',
    SOPInstanceUID: '2.25.2001',
    StudyInstanceUID: '2.25.2002',
    SeriesInstanceUID: '2.25.2003',
    PatientName: 'BENCH^SR',
    PatientID: 'BENCH02',
    Modality: 'SR',
    ValueType: 'CONTAINER',
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: content,
  };
}

function countElements(ds: unknown): number {
  if (Array.isArray(ds)) return ds.reduce((n: number, d) => n + countElements(d), 0);
  if (ds === null || typeof ds !== 'object' || ArrayBuffer.isView(ds) || ds instanceof ArrayBuffer) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(ds as Record<string, unknown>)) {
    if (k.startsWith('_')) continue;
    n += 1;
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && !(v[0] instanceof ArrayBuffer)) {
      n += countElements(v);
    }
  }
  return n;
}

function ours(file: Uint8Array): { ms: number; dataset: NaturalDataset } {
  const start = performance.now();
  const { meta, datasetOffset } = parsePart10Header(file);
  const { dataset } = decodeDataset(file.subarray(datasetOffset), { transferSyntax: meta.transferSyntaxUid });
  return { ms: performance.now() - start, dataset };
}

function theirs(file: Uint8Array): number {
  // dcmjs reads an ArrayBuffer from offset 0 (TOOLCHAIN.md); the copy is outside the timing.
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  const start = performance.now();
  dcmjs.data.DicomMessage.readFile(ab as ArrayBuffer);
  return performance.now() - start;
}

function dcmdump(path: string): number {
  const start = performance.now();
  const r = spawnSync('dcmdump', ['-q', path], { stdio: ['ignore', 'ignore', 'ignore'] });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`dcmdump exited ${r.status}`);
  return ms;
}

const hasDcmdump = spawnSync('dcmdump', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = await makeTempDir('hnvue-bench-parse-');
try {
  for (const [label, dataset, sopClass] of [
    ['50 MB DX', dxDataset(), '1.2.840.10008.5.1.4.1.1.1.1'],
    ['1000-element SR', srDataset(), '1.2.840.10008.5.1.4.1.1.88.67'],
  ] as const) {
    const file = part10(dataset, sopClass, TS.explicitVrLittleEndian);
    const path = join(dir, `${label.replace(/\W+/g, '-')}.dcm`);
    await writeFile(path, file);
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    let last: NaturalDataset = {};
    for (let i = -1; i < iterations; i++) {
      const r = ours(file);
      last = r.dataset;
      const t = theirs(file);
      const d = hasDcmdump ? dcmdump(path) : Number.NaN;
      if (i < 0) continue; // warm-up
      a.push(r.ms);
      b.push(t);
      c.push(d);
    }
    const pixel = (last.PixelData as ArrayBufferView[] | undefined)?.[0];
    const copied = pixel === undefined ? 'n/a' : pixel.buffer === file.buffer ? 'no' : 'yes';
    const sa = spread(a);
    const sb = spread(b);
    const sc = spread(c);
    console.log(
      `parse ${label} (${(file.length / 1e6).toFixed(1)} MB, ${countElements(last)} elements; median of ${iterations}):`,
    );
    console.log(`  @hnvue/dicom           ${fmt(sa)}   pixel copy: ${copied}`);
    console.log(
      `  dcmjs readFile         ${fmt(sb)}   ratio ours/dcmjs ${(sa.median / sb.median).toFixed(2)}`,
    );
    if (hasDcmdump) {
      console.log(
        `  dcmdump (process)      ${fmt(sc)}   ratio ours/dcmdump ${(sa.median / sc.median).toFixed(2)}`,
      );
    }
  }

  // 1000 worklist items, as a worklist SCU receives them: each its own data set.
  for (const [label, charset, name] of [
    ['ISO 2022 IR 149', ['', 'ISO 2022 IR 149'], 'Hong^Gildong=洪^吉洞=홍^길동'],
    ['ISO_IR 192', 'ISO_IR 192', 'Wang^XiaoDong=王^小東=왕^샤오둥'],
  ] as const) {
    const items = Array.from({ length: 1000 }, (_, i) => {
      const ds = { ...worklistItem(i * 10 + 1).dataset, SpecificCharacterSet: charset, PatientName: name };
      return encodeDataset(ds, { transferSyntax: TS.implicitVrLittleEndian });
    });
    const per: number[] = [];
    for (let i = -1; i < iterations; i++) {
      const start = performance.now();
      for (const bytes of items) decodeDataset(bytes, { transferSyntax: TS.implicitVrLittleEndian });
      if (i >= 0) per.push(((performance.now() - start) * 1000) / items.length);
    }
    console.log(`decode 1000 worklist items in ${label}: ${fmt(spread(per), 'µs/item', 1)}`);
  }
} finally {
  await rmTempDir(dir);
}
