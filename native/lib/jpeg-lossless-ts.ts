import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength } from './frame.js';
import { BitReader } from './jpeg-ts/bits.js';
import { type HuffTable, readDht } from './jpeg-ts/huffman.js';
import { isStandalone, MarkerReader, readDri } from './jpeg-ts/markers.js';

/**
 * JPEG Lossless Process 14 decoder in TypeScript (ITU-T T.81 Annex H), used when the addon is not
 * loaded; a port of the addon's decoder (src/jpegll.cc) with the same checks and messages. Pure:
 * bytes in, frame out. The work is bounded by the input and the frame: every segment is read once,
 * each component is scanned at most once (a second scan is corrupt), and each scan decodes exactly
 * rows × columns samples per component, reading zeros past the data (then rejected as truncated).
 */

const corrupt = (what: string): never => {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `JPEG Lossless: ${what}`);
};
const unsupported = (what: string): never => {
  throw new CodecError(CODEC_ERROR_CODES.unsupported, `JPEG Lossless: ${what}`);
};

/** One difference (H.1.2.2, F.2.2.1 EXTEND); SSSS 16 is 32768 with no extra bits. */
function diff(br: BitReader, t: HuffTable): number {
  const s = br.symbol(t);
  if (s === 0) return 0;
  if (s === 16) return 32768;
  if (s > 16) corrupt('difference category above 16');
  return br.extend(s);
}

function predict(sv: number, ra: number, rb: number, rc: number): number {
  switch (sv) {
    case 1:
      return ra;
    case 2:
      return rb;
    case 3:
      return rc;
    case 4:
      return ra + rb - rc;
    case 5:
      return ra + ((rb - rc) >> 1);
    case 6:
      return rb + ((ra - rc) >> 1);
    default:
      return (ra + rb) >> 1;
  }
}

interface Frame {
  readonly precision: number;
  readonly rows: number;
  readonly cols: number;
  readonly ids: readonly number[];
  readonly planes: Uint16Array[];
  readonly decoded: boolean[];
}

function readSof(seg: Uint8Array, len: number, info: FrameInfo): Frame {
  if (len < 8) corrupt('short SOF segment');
  const precision = seg[0]!;
  const rows = (seg[1]! << 8) | seg[2]!;
  const cols = (seg[3]! << 8) | seg[4]!;
  const ncomp = seg[5]!;
  if (precision < 2 || precision > 16) corrupt('sample precision outside 2..16');
  if (rows === 0) unsupported('DNL-defined number of lines');
  if (ncomp === 0 || ncomp > 4) corrupt('component count outside 1..4');
  if (len !== 8 + 3 * ncomp) corrupt('SOF length does not match its component count');
  const ids: number[] = [];
  for (let c = 0; c < ncomp; c++) {
    ids.push(seg[6 + 3 * c]!);
    if (seg[7 + 3 * c] !== 0x11) unsupported('subsampled components');
  }
  // Checked before any allocation, so a lying SOF cannot make us allocate or decode more.
  if (rows !== info.rows || cols !== info.columns || ncomp !== info.samplesPerPixel) {
    corrupt('frame size does not match rows/columns/samplesPerPixel');
  }
  if (precision > info.bitsAllocated) corrupt('sample precision exceeds bitsAllocated');
  const planes = ids.map(() => new Uint16Array(rows * cols));
  return { precision, rows, cols, ids, planes, decoded: ids.map(() => false) };
}

/** Decodes one scan starting at `q` (the first byte after the SOS segment); returns the next marker. */
function decodeScan(
  data: Uint8Array,
  q: number,
  seg: Uint8Array,
  len: number,
  fr: Frame,
  tables: (HuffTable | undefined)[],
  restart: number,
): number {
  if (len < 6) corrupt('short SOS');
  const ns = seg[0]!;
  if (ns === 0 || ns > fr.ids.length || len !== 6 + 2 * ns) corrupt('bad SOS component count');
  const comp: number[] = [];
  const tab: HuffTable[] = [];
  for (let i = 0; i < ns; i++) {
    const c = fr.ids.indexOf(seg[1 + 2 * i]!);
    if (c < 0) corrupt('SOS names an unknown component');
    if (fr.decoded[c] || comp.includes(c)) corrupt('component coded twice');
    comp.push(c);
    const t = tables[seg[2 + 2 * i]! >> 4];
    if (t === undefined) corrupt('SOS uses an undefined Huffman table');
    tab.push(t!);
  }
  const sv = seg[1 + 2 * ns]!;
  const pt = seg[3 + 2 * ns]! & 15;
  if (sv < 1 || sv > 7) corrupt('predictor selection value outside 1..7');
  if (pt >= fr.precision) corrupt('point transform not below precision');
  const { rows, cols } = fr;
  const initial = 1 << (fr.precision - pt - 1);
  const br = new BitReader(data, q, corrupt);
  let mcuCount = 0;
  let rstNext = 0;
  const planes = comp.map((c) => fr.planes[c]!);
  for (let y = 0; y < rows; y++) {
    let firstLine = y === 0; // H.1.2.1
    const rowAt = y * cols;
    for (let x = 0; x < cols; x++) {
      if (restart !== 0 && mcuCount === restart) {
        br.restart(rstNext++);
        mcuCount = 0;
        firstLine = true;
      }
      for (let i = 0; i < ns; i++) {
        const plane = planes[i]!;
        const at = rowAt + x;
        let px: number;
        if (firstLine) px = mcuCount === 0 ? initial : plane[at - 1]!;
        else if (x === 0) px = plane[at - cols]!;
        else px = predict(sv, plane[at - 1]!, plane[at - cols]!, plane[at - cols - 1]!);
        plane[at] = px + diff(br, tab[i]!); // modulo 2^16 (H.1.2.2)
      }
      mcuCount++;
    }
  }
  const next = br.end();
  for (const c of comp) {
    fr.decoded[c] = true;
    if (pt !== 0) {
      const d = fr.planes[c]!;
      for (let k = 0; k < d.length; k++) d[k] = d[k]! << pt;
    }
  }
  return next;
}

/** Decodes a JPEG Lossless (SOF3) codestream into one native frame of `info`'s layout. */
export function jpegLosslessDecodeTs(data: Uint8Array, info: FrameInfo): Uint8Array {
  const frameBytes = frameByteLength(info);
  const markers = new MarkerReader(data, corrupt);
  const tables: (HuffTable | undefined)[] = [undefined, undefined, undefined, undefined];
  let fr: Frame | undefined;
  let restart = 0;
  for (;;) {
    const m = markers.next();
    if (m === 0xd9) break;
    if (isStandalone(m)) corrupt('unexpected standalone marker');
    const seg = markers.segment();
    const len = seg.length + 2;
    if (m === 0xc3) {
      if (fr !== undefined) corrupt('second SOF marker');
      fr = readSof(seg, len, info);
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      unsupported('only Process 14 (SOF3, Huffman, non-differential) is supported');
    } else if (m === 0xc4) {
      readDht(seg, 1, corrupt, (_tc, th, t) => {
        tables[th] = t;
      });
    } else if (m === 0xdd) {
      restart = readDri(seg, corrupt);
    } else if (m === 0xda) {
      if (fr === undefined) return corrupt('SOS before SOF');
      markers.pos = decodeScan(data, markers.pos, seg, len, fr, tables, restart);
    }
    // APPn, COM, DQT, DNL… carry nothing we need (B.2.4).
  }
  if (fr === undefined) return corrupt('no SOF3 frame header');
  if (fr.decoded.includes(false)) corrupt('a component has no scan');
  return toFrame(fr, info, frameBytes);
}

/** Planes of P-bit samples into the frame: P bits kept, sign extended from Bits Stored (PS3.5 8.1.1). */
function toFrame(fr: Frame, info: FrameInfo, frameBytes: number): Uint8Array {
  const out = new Uint8Array(frameBytes);
  const n = fr.rows * fr.cols;
  const ncomp = fr.planes.length;
  const pmask = fr.precision >= 16 ? 0xffff : (1 << fr.precision) - 1;
  const bs = info.bitsStored;
  const extend = info.pixelRepresentation === 1 && bs < info.bitsAllocated;
  const signBit = 1 << (bs - 1);
  const bsMask = (1 << bs) - 1;
  const planar = info.planarConfiguration === 1;
  for (let c = 0; c < ncomp; c++) {
    const src = fr.planes[c]!;
    const stride = planar ? 1 : ncomp;
    const base = planar ? c * n : c;
    const two = info.bitsAllocated === 16;
    for (let i = 0; i < n; i++) {
      let v = src[i]! & pmask;
      if (extend) v = (v & bsMask) | (v & signBit ? ~bsMask : 0);
      const d = base + i * stride;
      if (two) {
        out[2 * d] = v & 0xff;
        out[2 * d + 1] = (v >>> 8) & 0xff;
      } else out[d] = v & 0xff;
    }
  }
  return out;
}
