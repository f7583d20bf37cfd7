import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength } from './frame.js';

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

interface HuffTable {
  /** (length << 8) | symbol for codes of up to LOOK_BITS bits, indexed by the next LOOK_BITS bits. */
  readonly lookup: Uint16Array;
  readonly maxcode: Int32Array;
  readonly valptr: Int32Array;
  readonly mincode: Int32Array;
  readonly vals: Uint8Array;
}

const LOOK_BITS = 9;

/** Annex C / F.2.2.3 (Figure F.15): MINCODE, MAXCODE, VALPTR, and a first-level lookup table. */
function buildTable(counts: Uint8Array, vals: Uint8Array): HuffTable {
  const t: HuffTable = {
    lookup: new Uint16Array(1 << LOOK_BITS),
    maxcode: new Int32Array(18).fill(-1),
    valptr: new Int32Array(17),
    mincode: new Int32Array(17),
    vals: vals.slice(),
  };
  let code = 0;
  let k = 0;
  for (let l = 1; l <= 16; l++) {
    const n = counts[l - 1]!;
    if (n !== 0) {
      t.valptr[l] = k;
      t.mincode[l] = code;
      for (let i = 0; i < n; i++, k++, code++) {
        // C.2: codes of length l run below 2^l.
        if (code >= 1 << l) corrupt('Huffman table has more codes than fit in their lengths');
        if (l <= LOOK_BITS) {
          const shift = LOOK_BITS - l;
          const entry = (l << 8) | vals[k]!;
          for (let f = 0; f < 1 << shift; f++) t.lookup[(code << shift) | f] = entry;
        }
      }
      t.maxcode[l] = code - 1;
    }
    code <<= 1;
  }
  t.maxcode[17] = 0x7fffffff;
  return t;
}

/** Entropy-coded data reader (F.2.2.5): unstuffs FF00, stops at a marker and feeds zeros after it. */
class BitReader {
  private acc = 0; // the next `bits` bits, MSB first, in the low bits
  private bits = 0;
  private pad = 0;
  private marker = false;
  constructor(
    private readonly data: Uint8Array,
    private p: number,
  ) {}

  private fill(): void {
    while (this.bits <= 16) {
      let b = 0;
      const d = this.data;
      if (!this.marker && this.p < d.length) {
        b = d[this.p]!;
        if (b === 0xff) {
          if (this.p + 1 < d.length && d[this.p + 1] === 0) this.p += 2;
          else {
            this.marker = true;
            b = 0;
            this.pad += 8;
          }
        } else this.p++;
      } else {
        this.marker = true;
        this.pad += 8;
      }
      this.acc = ((this.acc << 8) | b) & 0xffffff;
      this.bits += 8;
    }
  }

  private take(n: number): number {
    if (this.bits < n) this.fill();
    this.bits -= n;
    return (this.acc >>> this.bits) & ((1 << n) - 1);
  }

  private peek(n: number): number {
    if (this.bits < n) this.fill();
    return (this.acc >>> (this.bits - n)) & ((1 << n) - 1);
  }

  /** One difference (H.1.2.2, F.2.2.1 EXTEND); SSSS 16 is 32768 with no extra bits. */
  diff(t: HuffTable): number {
    const e = t.lookup[this.peek(LOOK_BITS)]!;
    let s: number;
    if (e !== 0) {
      this.bits -= e >>> 8;
      s = e & 0xff;
    } else {
      let len = LOOK_BITS + 1;
      let code = this.peek(len);
      while (len <= 16 && code > t.maxcode[len]!) code = this.peek(++len);
      if (len > 16) corrupt('invalid Huffman code');
      this.bits -= len;
      s = t.vals[t.valptr[len]! + code - t.mincode[len]!]!;
    }
    if (s === 0) return 0;
    if (s === 16) return 32768;
    if (s > 16) corrupt('difference category above 16');
    const v = this.take(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /** True when decoding used bits that were never in the stream (a truncated scan). */
  overrun(): boolean {
    return this.bits < this.pad;
  }

  /** Offset of the marker that ended the entropy-coded data (or the end of the input). */
  markerPosition(): number {
    while (!this.marker) {
      this.bits = 0;
      this.fill();
    }
    return this.p;
  }

  resetAt(p: number): void {
    this.p = p;
    this.acc = 0;
    this.bits = 0;
    this.pad = 0;
    this.marker = false;
  }
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
  const br = new BitReader(data, q);
  let mcuCount = 0;
  let rstNext = 0;
  const planes = comp.map((c) => fr.planes[c]!);
  for (let y = 0; y < rows; y++) {
    let firstLine = y === 0; // H.1.2.1
    const rowAt = y * cols;
    for (let x = 0; x < cols; x++) {
      if (restart !== 0 && mcuCount === restart) {
        if (br.overrun()) corrupt('entropy-coded data is truncated');
        let mp = br.markerPosition();
        while (data.length - mp >= 2 && data[mp] === 0xff && data[mp + 1] === 0xff) mp++;
        if (data.length - mp < 2 || data[mp] !== 0xff || data[mp + 1] !== 0xd0 + (rstNext & 7)) {
          corrupt('missing restart marker');
        }
        rstNext++;
        br.resetAt(mp + 2);
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
        plane[at] = px + br.diff(tab[i]!); // modulo 2^16 (H.1.2.2)
      }
      mcuCount++;
    }
  }
  if (br.overrun()) corrupt('entropy-coded data is truncated');
  for (const c of comp) {
    fr.decoded[c] = true;
    if (pt !== 0) {
      const d = fr.planes[c]!;
      for (let k = 0; k < d.length; k++) d[k] = d[k]! << pt;
    }
  }
  return br.markerPosition();
}

/** Decodes a JPEG Lossless (SOF3) codestream into one native frame of `info`'s layout. */
export function jpegLosslessDecodeTs(data: Uint8Array, info: FrameInfo): Uint8Array {
  const frameBytes = frameByteLength(info);
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) corrupt('missing SOI marker');
  const tables: (HuffTable | undefined)[] = [undefined, undefined, undefined, undefined];
  let fr: Frame | undefined;
  let restart = 0;
  let q = 2;
  for (;;) {
    // B.1.1.2: markers may be preceded by fill bytes 0xFF.
    if (q >= data.length) corrupt('truncated before EOI');
    if (data[q] !== 0xff) corrupt('expected a marker');
    while (q < data.length && data[q] === 0xff) q++;
    if (q >= data.length) corrupt('truncated marker');
    const m = data[q++]!;
    if (m === 0xd9) break;
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7)) corrupt('unexpected standalone marker');
    if (data.length - q < 2) corrupt('truncated segment length');
    const len = (data[q]! << 8) | data[q + 1]!;
    if (len < 2 || data.length - q < len) corrupt('segment length runs past the end');
    const seg = data.subarray(q + 2, q + len);
    q += len;
    if (m === 0xc3) {
      if (fr !== undefined) corrupt('second SOF marker');
      fr = readSof(seg, len, info);
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      unsupported('only Process 14 (SOF3, Huffman, non-differential) is supported');
    } else if (m === 0xc4) {
      let s = 0;
      while (s < seg.length) {
        if (seg.length - s < 17) corrupt('short DHT segment');
        const tc = seg[s]! >> 4;
        const th = seg[s]! & 15;
        if (tc !== 0 || th > 3) corrupt('DHT table class/destination out of range');
        let total = 0;
        for (let l = 1; l <= 16; l++) total += seg[s + l]!;
        if (total > 256 || seg.length - s < 17 + total) corrupt('DHT counts run past the segment');
        tables[th] = buildTable(seg.subarray(s + 1, s + 17), seg.subarray(s + 17, s + 17 + total));
        s += 17 + total;
      }
    } else if (m === 0xdd) {
      if (len !== 4) corrupt('bad DRI length');
      restart = (seg[0]! << 8) | seg[1]!;
    } else if (m === 0xda) {
      if (fr === undefined) return corrupt('SOS before SOF');
      q = decodeScan(data, q, seg, len, fr, tables, restart);
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
