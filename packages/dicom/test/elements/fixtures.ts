/**
 * Test objects and peer helpers shared by the elements, codec and part10 tests: a DX-like data
 * set written by our own codec with every kind of value the walker must handle (nested
 * sequences, PN, numbers of each width, AT, a private block, multi-frame 16-bit OW pixels), and
 * a parser of DCMTK `dcmdump +L -Un` output so our element list can be compared with DCMTK's.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { NaturalDataset } from '../../src/codec/index.js';
import { vrForTag } from '../../src/elements/implicit-vr.js';
import { type WalkEncoding, type WalkedElement, walkDataset } from '../../src/elements/walk.js';
import { TS } from '../../src/uids/index.js';

export const DX_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.1.1';

/** True when every binary is on PATH; throws instead when HNVUE_REQUIRE_PEERS=1. */
export function havePeers(...binaries: string[]): boolean {
  const missing = binaries.filter((b) => spawnSync('which', [b]).status !== 0);
  if (missing.length > 0 && process.env.HNVUE_REQUIRE_PEERS === '1') {
    throw new Error(`HNVUE_REQUIRE_PEERS=1 but ${missing.join(', ')} not installed`);
  }
  return missing.length === 0;
}

export function pixelBytes(rows: number, columns: number, frames: number): ArrayBuffer {
  const px = new Uint16Array(rows * columns * frames);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + 0x0102) & 0x0fff;
  return px.buffer;
}

/** A DX-like data set; `frames` > 1 makes it multi-frame. */
export function sampleDataset(sopInstanceUid = '2.25.1234567890', frames = 2): NaturalDataset {
  const rows = 4;
  const columns = 6;
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: DX_SOP_CLASS,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: '20260101',
    StudyTime: '120000',
    AccessionNumber: 'ACC-42',
    Modality: 'DX',
    Manufacturer: 'HnVue',
    ReferencedStudySequence: [
      { ReferencedSOPClassUID: '1.2.840.10008.3.1.2.3.1', ReferencedSOPInstanceUID: '2.25.77' },
    ],
    RecommendedDisplayFrameRateInFloat: 7.5,
    PatientName: { Alphabetic: 'Doe^Jane' },
    PatientID: 'PID-0001',
    PatientBirthDate: '19800214',
    PatientSex: 'F',
    ImagerPixelSpacing: [0.14, 0.14],
    FrameTime: 100,
    ReferencePixelX0: -12,
    StudyInstanceUID: '2.25.88',
    SeriesInstanceUID: '2.25.89',
    InstanceNumber: 1,
    RequestAttributesSequence: [
      {
        RequestedProcedureID: 'RP-7',
        ScheduledProtocolCodeSequence: [
          { CodeValue: 'CHEST_PA', CodingSchemeDesignator: '99HNVUE', CodeMeaning: 'Chest PA' },
          { CodeValue: 'CHEST_LAT', CodingSchemeDesignator: '99HNVUE', CodeMeaning: 'Chest Lateral' },
        ],
      },
    ],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: frames,
    FrameIncrementPointer: '00181063',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: 2048,
    WindowWidth: 4096,
    NumberOfWaveformSamples: 70000,
    OverlayOrigin: [1, 1],
    PixelData: pixelBytes(rows, columns, frames),
    _vrMap: { PixelData: 'OW' },
  };
}

export interface DumpLine {
  readonly depth: number;
  readonly tag: string;
  readonly vr: string;
  readonly length: string;
  readonly value: string;
}

/** `dcmdump +L -Un -q FILE` lines of data elements (not items, not delimiters, not the meta group). */
export function dcmdump(path: string, extra: readonly string[] = []): DumpLine[] {
  const out = execFileSync('dcmdump', ['+L', '-Un', '-q', ...extra, path], { encoding: 'latin1' });
  const lines: DumpLine[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\s*)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*?)\s*#\s*(\d+|u\/l),/.exec(line);
    if (!m) continue;
    const [, indent = '', g = '', e = '', vr = '', raw = '', length = ''] = m;
    if (vr === 'na' || g === '0002') continue;
    let value = raw;
    if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1);
    if (value.startsWith('(Sequence') || value === '(no value available)') value = '';
    lines.push({
      depth: indent.length / 4,
      tag: `${g}${e}`,
      vr,
      length,
      value: value.replace(/[\0 ]+$/, ''),
    });
  }
  return lines;
}

function numbers(vr: string, bytes: Uint8Array, le: boolean): string {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4, OW: 2 }[vr] as number;
  const out: string[] = [];
  for (let o = 0; o + size <= bytes.length; o += size) {
    switch (vr) {
      case 'US':
        out.push(String(dv.getUint16(o, le)));
        break;
      case 'SS':
        out.push(String(dv.getInt16(o, le)));
        break;
      case 'UL':
        out.push(String(dv.getUint32(o, le)));
        break;
      case 'SL':
        out.push(String(dv.getInt32(o, le)));
        break;
      case 'FL':
        out.push(String(dv.getFloat32(o, le)));
        break;
      case 'FD':
        out.push(String(dv.getFloat64(o, le)));
        break;
      case 'AT':
        out.push(`(${hex(dv.getUint16(o, le))},${hex(dv.getUint16(o + 2, le))})`);
        break;
      case 'OW':
        out.push(hex(dv.getUint16(o, le)));
        break;
    }
  }
  return out.join('\\');
}

function hex(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** Our walker's element list in the same form as `dcmdump` (values of strings, numbers, OW/OB/UN). */
export function ourDump(bytes: Uint8Array, encoding: WalkEncoding): DumpLine[] {
  const lines: DumpLine[] = [];
  const context = { bitsAllocated: 16, pixelRepresentation: 0 };
  const visit = (elements: readonly WalkedElement[], depth: number, enc: WalkEncoding): void => {
    for (const e of elements) {
      const vr = e.vr ?? (e.items ? 'SQ' : vrForTag(e.tag, e.length, context));
      const tag = e.tag.toString(16).padStart(8, '0');
      const length = e.undefinedLength ? 'u/l' : String(e.length);
      const value = bytes.subarray(e.valueStart, e.end);
      let text = '';
      if (e.items) text = '';
      else if (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'AT', 'OW'].includes(vr))
        text = numbers(vr, value, enc.littleEndian);
      else if (vr === 'OB' || vr === 'UN')
        text = [...value].map((b) => b.toString(16).padStart(2, '0')).join('\\');
      else
        text = Buffer.from(value)
          .toString('latin1')
          .replace(/[\0 ]+$/, '');
      lines.push({ depth, tag, vr, length, value: text });
      if (e.items) for (const item of e.items) visit(item.elements, depth + 1, item.encoding);
    }
  };
  visit(walkDataset(bytes, encoding).elements, 0, encoding);
  return lines;
}

/** Normalises what two dumps may legitimately print differently (float formatting). */
export function comparable(lines: readonly DumpLine[]): DumpLine[] {
  return lines.map((l) => {
    if (l.vr === 'FL' || l.vr === 'FD' || l.vr === 'DS') {
      return {
        ...l,
        value: l.value
          .split('\\')
          .map((v) => String(Number(Number(v).toPrecision(6))))
          .join('\\'),
      };
    }
    return l;
  });
}

export const NATIVE = [
  ['implicit', TS.implicitVrLittleEndian, '+ti', '--implicit'],
  ['explicit', TS.explicitVrLittleEndian, '+te', '--explicit'],
  ['big', TS.explicitVrBigEndian, '+tb', undefined],
  ['deflated', TS.deflatedExplicitVrLittleEndian, '+td', undefined],
] as const;
