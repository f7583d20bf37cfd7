import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength } from './frame.js';
import { BitReader } from './jpeg-ts/bits.js';
import { type HuffTable, readDht } from './jpeg-ts/huffman.js';
import { isStandalone, MarkerReader, readDri } from './jpeg-ts/markers.js';
import { NATURAL } from './jpeg-ts/zigzag.js';
import {
  idctBlock,
  type Plane,
  type SampleRange,
  sampleRange,
  upsample,
  writeFrame,
} from './jpeg12-ts-pixels.js';

/**
 * JPEG sequential DCT decoder in TypeScript (ITU-T T.81 Annex F, Huffman; Process 4 at 12-bit
 * precision, and 8-bit streams too), the fallback of lib/jpeg12.ts when the addon (GDCM's 12-bit
 * IJG build) is not loaded. Pure: bytes in, frame out. Samples are computed as IJG's decoder
 * computes them (lib/jpeg12-ts-pixels.ts), so both give the same frame.
 *
 * Bounded work: every marker segment is read once; the frame header is checked against `info`
 * before any allocation; each component is coded in at most one scan (a second is corrupt), and
 * a scan decodes exactly its MCU count, reading zeros past the data (then rejected as truncated:
 * the addon, too, fails on any corrupt-data warning rather than invent pixels).
 * Refused as unsupported: progressive, lossless, hierarchical and arithmetic-coded frames, DNL.
 */

const corrupt = (what: string): never => {
  throw new CodecError(CODEC_ERROR_CODES.corrupt, `JPEG 12-bit: ${what}`);
};
const unsupported = (what: string): never => {
  throw new CodecError(CODEC_ERROR_CODES.unsupported, `JPEG 12-bit: ${what}`);
};

interface Component {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
  readonly plane: Plane;
  /** T.81 A.2.2: blocks per row and rows of blocks of a non-interleaved scan. */
  readonly blocksWide: number;
  readonly blocksHigh: number;
  decoded: boolean;
}

interface Frame {
  readonly range: SampleRange;
  readonly rows: number;
  readonly cols: number;
  readonly maxH: number;
  readonly maxV: number;
  readonly comps: Component[];
}

function readSof(seg: Uint8Array, info: FrameInfo): Frame {
  if (seg.length < 6) corrupt('short SOF segment');
  const precision = seg[0]!;
  const rows = (seg[1]! << 8) | seg[2]!;
  const cols = (seg[3]! << 8) | seg[4]!;
  const ncomp = seg[5]!;
  if (precision !== 12 && precision !== 8) corrupt('sample precision is neither 8 nor 12 (T.81 B.2.2)');
  if (rows === 0) unsupported('DNL-defined number of lines');
  if (cols === 0 || ncomp === 0) corrupt('empty image');
  if (seg.length !== 6 + 3 * ncomp) corrupt('SOF length does not match its component count');
  if (ncomp !== 1 && ncomp !== 3) unsupported('only 1 or 3 components are supported');
  // Checked before any allocation, so a lying SOF cannot make us allocate or decode more.
  if (rows !== info.rows || cols !== info.columns || ncomp !== info.samplesPerPixel) {
    corrupt('frame size does not match rows/columns/samplesPerPixel');
  }
  if (precision > info.bitsAllocated) corrupt('sample precision exceeds bitsAllocated');
  let maxH = 1;
  let maxV = 1;
  for (let c = 0; c < ncomp; c++) {
    const hv = seg[7 + 3 * c]!;
    const h = hv >> 4;
    const v = hv & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) corrupt('sampling factor outside 1..4');
    if (seg[8 + 3 * c]! > 3) corrupt('quantization table selector above 3');
    maxH = Math.max(maxH, h);
    maxV = Math.max(maxV, v);
  }
  const mcuCols = Math.ceil(cols / (8 * maxH));
  const mcuRows = Math.ceil(rows / (8 * maxV));
  const comps: Component[] = [];
  for (let c = 0; c < ncomp; c++) {
    const h = seg[7 + 3 * c]! >> 4;
    const v = seg[7 + 3 * c]! & 15;
    const width = Math.ceil((cols * h) / maxH);
    const height = Math.ceil((rows * v) / maxV);
    // Room for the whole MCUs of an interleaved scan (A.2.3), dummy blocks included.
    const stride = mcuCols * h * 8;
    comps.push({
      id: seg[6 + 3 * c]!,
      h,
      v,
      tq: seg[8 + 3 * c]!,
      plane: { data: new Uint16Array(stride * mcuRows * v * 8), stride, width, height },
      blocksWide: Math.ceil(width / 8),
      blocksHigh: Math.ceil(height / 8),
      decoded: false,
    });
  }
  return { range: sampleRange(precision === 8 ? 8 : 12), rows, cols, maxH, maxV, comps };
}

interface Tables {
  readonly dc: (HuffTable | undefined)[];
  readonly ac: (HuffTable | undefined)[];
  readonly q: (Uint16Array | undefined)[];
}

/** Decodes one scan starting at `q` (the first byte after the SOS segment); returns the next marker. */
function decodeScan(
  data: Uint8Array,
  q: number,
  seg: Uint8Array,
  fr: Frame,
  tables: Tables,
  restart: number,
): number {
  if (seg.length < 4) corrupt('short SOS');
  const ns = seg[0]!;
  if (ns === 0 || ns > fr.comps.length || seg.length !== 4 + 2 * ns) corrupt('bad SOS component count');
  const comps: Component[] = [];
  const dcs: HuffTable[] = [];
  const acs: HuffTable[] = [];
  const qs: Uint16Array[] = [];
  for (let i = 0; i < ns; i++) {
    const comp = fr.comps.find((c) => c.id === seg[1 + 2 * i]);
    if (comp === undefined) return corrupt('SOS names an unknown component');
    if (comp.decoded || comps.includes(comp)) corrupt('component coded twice');
    const td = seg[2 + 2 * i]! >> 4;
    const ta = seg[2 + 2 * i]! & 15;
    const dc = td < 4 ? tables.dc[td] : undefined;
    const ac = ta < 4 ? tables.ac[ta] : undefined;
    if (dc === undefined || ac === undefined) return corrupt('SOS uses an undefined Huffman table');
    // T.81 F.1.2.1: DC difference categories run to 11 (P 8) or 15 (P 12).
    if (dc.vals.some((s) => s > 15)) corrupt('DC Huffman table has a category above 15');
    const qt = tables.q[comp.tq];
    if (qt === undefined) return corrupt('a component uses an undefined quantization table');
    comps.push(comp);
    dcs.push(dc);
    acs.push(ac);
    qs.push(qt);
  }
  // B.2.3: Ss 0, Se 63, Ah Al 0 for the sequential DCT processes.
  if (seg[1 + 2 * ns] !== 0 || seg[2 + 2 * ns] !== 63 || seg[3 + 2 * ns] !== 0) {
    corrupt('SOS spectral selection or successive approximation is not sequential');
  }
  const interleaved = ns > 1;
  let blocksInMcu = 0;
  for (const c of comps) blocksInMcu += interleaved ? c.h * c.v : 1;
  if (blocksInMcu > 10) corrupt('more than 10 blocks in an MCU (T.81 B.2.3)');
  const mcuCols = interleaved ? Math.ceil(fr.cols / (8 * fr.maxH)) : comps[0]!.blocksWide;
  const mcuRows = interleaved ? Math.ceil(fr.rows / (8 * fr.maxV)) : comps[0]!.blocksHigh;
  const pred = new Int32Array(ns);
  const coef = new Int16Array(64);
  const ws = new Int32Array(64);
  const range = fr.range;
  const br = new BitReader(data, q, corrupt);
  let mcuCount = 0;
  let rstNext = 0;
  for (let my = 0; my < mcuRows; my++) {
    for (let mx = 0; mx < mcuCols; mx++) {
      if (restart !== 0 && mcuCount === restart) {
        br.restart(rstNext++);
        pred.fill(0);
        mcuCount = 0;
      }
      for (let i = 0; i < ns; i++) {
        const comp = comps[i]!;
        const dc = dcs[i]!;
        const ac = acs[i]!;
        const bh = interleaved ? comp.h : 1;
        const bv = interleaved ? comp.v : 1;
        const { data: plane, stride } = comp.plane;
        for (let by = 0; by < bv; by++) {
          for (let bx = 0; bx < bh; bx++) {
            // F.2.2.1: the DC difference; F.2.2.2 (Figure F.13): the AC coefficients.
            coef.fill(0);
            const s = br.symbol(dc);
            const diff = s === 0 ? 0 : br.extend(s);
            pred[i] = pred[i]! + diff;
            coef[0] = pred[i]!;
            for (let k = 1; k < 64; k++) {
              const rs = br.symbol(ac);
              const size = rs & 15;
              const run = rs >> 4;
              if (size !== 0) {
                k += run;
                coef[NATURAL[k]!] = br.extend(size);
              } else {
                if (run !== 15) break;
                k += 15;
              }
            }
            const row = (interleaved ? my * bv + by : my) * 8;
            const col = (interleaved ? mx * bh + bx : mx) * 8;
            idctBlock(coef, qs[i]!, plane, row * stride + col, stride, ws, range);
          }
        }
      }
      mcuCount++;
    }
  }
  const next = br.end();
  for (const c of comps) c.decoded = true;
  return next;
}

/** Which colour space three components hold, decided as IJG decides: JFIF (T.871) or Adobe markers, then ids. */
function isYcc(fr: Frame, jfif: boolean, adobe: number, colorTransform: number): boolean {
  if (colorTransform === 1) return true;
  if (colorTransform === 2) return false;
  if (jfif) return true;
  if (adobe >= 0) return adobe !== 0;
  const [a, b, c] = fr.comps.map((x) => x.id);
  return !(a === 82 && b === 71 && c === 66); // 'R', 'G', 'B'
}

/**
 * Decodes a sequential DCT (SOF0/SOF1, Huffman) codestream into one native frame of `info`'s
 * layout. Three components come back RGB: `colorTransform` 1 says the stream is YCbCr, 2 RGB,
 * 0 that its JFIF/Adobe markers and component ids decide (as src/jpeg12.cc).
 */
export function jpeg12DecodeTs(data: Uint8Array, info: FrameInfo, colorTransform = 0): Uint8Array {
  frameByteLength(info);
  if (info.bitsAllocated !== 8 && info.bitsAllocated !== 16) {
    corrupt('a DCT stream needs 8 or 16 bits allocated');
  }
  const markers = new MarkerReader(data, corrupt);
  const tables: Tables = { dc: [], ac: [], q: [] };
  let fr: Frame | undefined;
  let restart = 0;
  let jfif = false;
  let adobe = -1;
  for (;;) {
    const m = markers.next();
    if (m === 0xd9) break;
    if (isStandalone(m)) continue; // TEM, stray RSTn: no segment (B.1.1.3)
    const seg = markers.segment();
    if (m === 0xc0 || m === 0xc1) {
      if (fr !== undefined) corrupt('second SOF marker');
      fr = readSof(seg, info);
    } else if (m === 0xc2 || m === 0xc3 || (m >= 0xc5 && m <= 0xc7)) {
      // A progressive, lossless or hierarchical stream is not Process 4 (PS3.5 A.4.1: .51 only).
      unsupported('not a 12-bit sequential DCT stream (Process 4)');
    } else if (m >= 0xc9 && m <= 0xcf && m !== 0xcc) {
      unsupported('arithmetic-coded JPEG is not supported');
    } else if (m === 0xc4) {
      readDht(seg, 2, corrupt, (tc, th, t) => {
        (tc === 0 ? tables.dc : tables.ac)[th] = t;
      });
    } else if (m === 0xdb) {
      let s = 0;
      while (s < seg.length) {
        const pq = seg[s]! >> 4;
        const tq = seg[s]! & 15;
        if (pq > 1 || tq > 3) corrupt('DQT precision/destination out of range');
        const size = pq === 0 ? 64 : 128;
        if (seg.length - s < 1 + size) corrupt('short DQT segment');
        const qt = new Uint16Array(64);
        for (let k = 0; k < 64; k++) {
          qt[NATURAL[k]!] = pq === 0 ? seg[s + 1 + k]! : (seg[s + 1 + 2 * k]! << 8) | seg[s + 2 + 2 * k]!;
        }
        tables.q[tq] = qt;
        s += 1 + size;
      }
    } else if (m === 0xdd) {
      restart = readDri(seg, corrupt);
    } else if (m === 0xda) {
      if (fr === undefined) return corrupt('SOS before SOF');
      markers.pos = decodeScan(data, markers.pos, seg, fr, tables, restart);
    } else if (m === 0xe0 && seg.length >= 14) {
      // JFIF APP0 (T.871 10.1); IJG reads it from 14 bytes on.
      jfif ||= seg[0] === 0x4a && seg[1] === 0x46 && seg[2] === 0x49 && seg[3] === 0x46 && seg[4] === 0;
    } else if (m === 0xee && seg.length >= 12) {
      // Adobe APP14: its transform flag says YCbCr (1) or not (0).
      const isAdobe =
        seg[0] === 0x41 && seg[1] === 0x64 && seg[2] === 0x6f && seg[3] === 0x62 && seg[4] === 0x65;
      if (isAdobe) adobe = seg[11]!;
    }
    // Other APPn, COM, DNL, DAC… carry nothing a sequential Huffman decoder needs (B.2.4).
  }
  if (fr === undefined) return corrupt('no SOF0/SOF1 frame header');
  if (fr.comps.some((c) => !c.decoded)) corrupt('a component has no scan');
  const planes = fr.comps.map((c) => upsample(c.plane, c.h, c.v, fr.maxH, fr.maxV, fr.cols, fr.rows));
  const ycc = planes.length === 3 && isYcc(fr, jfif, adobe, colorTransform);
  return writeFrame(planes, ycc, info, fr.range);
}
