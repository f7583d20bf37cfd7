/**
 * A tiny DICOM Part 10 writer and reader for feeding DCMTK/GDCM in tests: Secondary Capture with
 * just the Image Pixel module, explicit VR little endian (PS3.10 7.1, PS3.5 7.1.2). Not a general
 * parser: it walks top-level elements and skips sequences.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { FrameInfo } from '../../lib/index.js';

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

function element(group: number, elem: number, vr: string, value: Uint8Array): Uint8Array {
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const v = new DataView(head.buffer);
  v.setUint16(0, group, true);
  v.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, value.length === 0xffffffff ? 0xffffffff : value.length, true);
  else v.setUint16(6, value.length, true);
  return Buffer.concat([head, value]);
}

function str(s: string, pad = ' '): Uint8Array {
  return Buffer.from(s.length % 2 === 1 ? s + pad : s, 'latin1');
}
function us(n: number): Uint8Array {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function ul(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export interface WriteOptions {
  readonly info: FrameInfo;
  readonly transferSyntaxUid: string;
  /** Native frames concatenated, or an encapsulated (7FE0,0010) value. */
  readonly pixelData: Uint8Array;
  readonly encapsulated: boolean;
  readonly numberOfFrames?: number;
  readonly photometric?: string;
  /** PALETTE COLOR lookup tables (PS3.3 C.7.6.3.1.5-6), written after Pixel Representation. */
  readonly palette?: PaletteLut;
  /** (7FE0,0001) and (7FE0,0002) values (OV), written before Pixel Data. */
  readonly extendedOffsetTable?: { readonly offsets: Uint8Array; readonly lengths: Uint8Array };
}

/** A Palette Color LUT: descriptor values and the red, green and blue LUT Data bytes (OW). */
export interface PaletteLut {
  /** Number of entries (65536 is written as 0, C.7.6.3.1.5). */
  readonly entries: number;
  /** Bits per entry: 8 or 16. */
  readonly bits: 8 | 16;
  readonly red: Uint8Array;
  readonly green: Uint8Array;
  readonly blue: Uint8Array;
}

let uidCounter = 0;
const uid = (): string => `1.2.826.0.1.3680043.10.543.${process.pid}.${Date.now()}.${++uidCounter}`;

export function writePart10(path: string, o: WriteOptions): void {
  const sopClass = '1.2.840.10008.5.1.4.1.1.7';
  const sopInstance = uid();
  const metaBody = Buffer.concat([
    element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])),
    element(0x0002, 0x0002, 'UI', str(sopClass, '\0')),
    element(0x0002, 0x0003, 'UI', str(sopInstance, '\0')),
    element(0x0002, 0x0010, 'UI', str(o.transferSyntaxUid, '\0')),
    element(0x0002, 0x0012, 'UI', str('1.2.826.0.1.3680043.10.543.1', '\0')),
  ]);
  const { info } = o;
  const photometric = o.photometric ?? (info.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
  const parts: Uint8Array[] = [
    element(0x0008, 0x0016, 'UI', str(sopClass, '\0')),
    element(0x0008, 0x0018, 'UI', str(sopInstance, '\0')),
    element(0x0008, 0x0060, 'CS', str('OT')),
    element(0x0020, 0x000d, 'UI', str(uid(), '\0')),
    element(0x0020, 0x000e, 'UI', str(uid(), '\0')),
    element(0x0028, 0x0002, 'US', us(info.samplesPerPixel)),
    element(0x0028, 0x0004, 'CS', str(photometric)),
  ];
  if (info.samplesPerPixel === 3) parts.push(element(0x0028, 0x0006, 'US', us(info.planarConfiguration)));
  if ((o.numberOfFrames ?? 1) > 1) parts.push(element(0x0028, 0x0008, 'IS', str(String(o.numberOfFrames))));
  parts.push(
    element(0x0028, 0x0010, 'US', us(info.rows)),
    element(0x0028, 0x0011, 'US', us(info.columns)),
    element(0x0028, 0x0100, 'US', us(info.bitsAllocated)),
    element(0x0028, 0x0101, 'US', us(info.bitsStored)),
    element(0x0028, 0x0102, 'US', us(info.bitsStored - 1)),
    element(0x0028, 0x0103, 'US', us(info.pixelRepresentation)),
  );
  if (o.palette) {
    const { entries, bits } = o.palette;
    const descriptor = Buffer.concat([us(entries === 65536 ? 0 : entries), us(0), us(bits)]);
    parts.push(
      element(0x0028, 0x1101, 'US', descriptor),
      element(0x0028, 0x1102, 'US', descriptor),
      element(0x0028, 0x1103, 'US', descriptor),
      element(0x0028, 0x1201, 'OW', o.palette.red),
      element(0x0028, 0x1202, 'OW', o.palette.green),
      element(0x0028, 0x1203, 'OW', o.palette.blue),
    );
  }
  if (o.extendedOffsetTable) {
    parts.push(
      element(0x7fe0, 0x0001, 'OV', o.extendedOffsetTable.offsets),
      element(0x7fe0, 0x0002, 'OV', o.extendedOffsetTable.lengths),
    );
  }
  if (o.encapsulated) {
    const head = new Uint8Array(12);
    const v = new DataView(head.buffer);
    v.setUint16(0, 0x7fe0, true);
    v.setUint16(2, 0x0010, true);
    head[4] = 0x4f; // OB
    head[5] = 0x42;
    v.setUint32(8, 0xffffffff, true);
    parts.push(head, o.pixelData);
  } else {
    const padded =
      o.pixelData.length % 2 === 1 ? Buffer.concat([o.pixelData, new Uint8Array(1)]) : o.pixelData;
    parts.push(element(0x7fe0, 0x0010, info.bitsAllocated > 8 ? 'OW' : 'OB', padded));
  }
  writeFileSync(
    path,
    Buffer.concat([
      new Uint8Array(128),
      Buffer.from('DICM'),
      element(0x0002, 0x0000, 'UL', ul(metaBody.length)),
      metaBody,
      ...parts,
    ]),
  );
}

export interface Part10 {
  readonly transferSyntaxUid: string;
  /** Top-level element values by 8-hex-digit tag (upper case), excluding pixel data. */
  readonly elements: ReadonlyMap<string, Uint8Array>;
  /** The (7FE0,0010) value: native bytes, or the encapsulated items through the delimiter. */
  readonly pixelData: Uint8Array;
  readonly encapsulated: boolean;
}

export function readPart10(path: string): Part10 {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 128, 132) !== 'DICM') throw new Error('not a Part 10 file');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const elements = new Map<string, Uint8Array>();
  let transferSyntaxUid = '';
  let at = 132;
  let pixelData: Uint8Array | undefined;
  let encapsulated = false;
  let explicit = true;
  const skipUndefined = (from: number): number => {
    // Items (FFFE,E000) until the sequence delimiter (FFFE,E0DD); nested content is skipped by
    // length, or recursively for undefined-length items.
    let p = from;
    for (;;) {
      const g = view.getUint16(p, true);
      const e = view.getUint16(p + 2, true);
      const len = view.getUint32(p + 4, true);
      p += 8;
      if (g === 0xfffe && e === 0xe0dd) return p;
      if (g === 0xfffe && e === 0xe00d) return p;
      if (len === 0xffffffff) p = walk(p, true);
      else p += len;
    }
  };
  const walk = (from: number, inItem: boolean): number => {
    let p = from;
    while (p < buf.length) {
      const group = view.getUint16(p, true);
      const elem = view.getUint16(p + 2, true);
      if (inItem && group === 0xfffe && elem === 0xe00d) return p + 8;
      const isExplicit = group === 0x0002 || explicit;
      let vr = '';
      let len: number;
      if (isExplicit) {
        vr = buf.toString('latin1', p + 4, p + 6);
        if (LONG_VRS.has(vr)) {
          len = view.getUint32(p + 8, true);
          p += 12;
        } else {
          len = view.getUint16(p + 6, true);
          p += 8;
        }
      } else {
        len = view.getUint32(p + 4, true);
        p += 8;
      }
      const tag = ((group << 16) | elem).toString(16).toUpperCase().padStart(8, '0');
      if (len === 0xffffffff) {
        const end = skipUndefined(p);
        if (!inItem && tag === '7FE00010') {
          pixelData = buf.subarray(p, end);
          encapsulated = true;
        }
        p = end;
        continue;
      }
      const value = buf.subarray(p, p + len);
      if (!inItem) {
        if (tag === '7FE00010') pixelData = value;
        else elements.set(tag, value);
        if (tag === '00020010') {
          transferSyntaxUid = value.toString('latin1').replace(/[\0 ]+$/, '');
          explicit = transferSyntaxUid !== '1.2.840.10008.1.2';
        }
      }
      p += len;
    }
    return p;
  };
  walk(at, false);
  at = 0;
  if (pixelData === undefined) throw new Error('no pixel data');
  return { transferSyntaxUid, elements, pixelData, encapsulated };
}
