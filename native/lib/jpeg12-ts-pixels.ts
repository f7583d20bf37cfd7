import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import type { FrameInfo } from './frame.js';

/**
 * The sample side of the TypeScript JPEG DCT decoder (lib/jpeg12-ts.ts): the inverse DCT,
 * chroma upsampling and YCbCr→RGB, each computed the way IJG's decoder (libjpeg 6b, the code of
 * GDCM's libgdcmjpeg12 in the addon and of DCMTK's dcmdjpeg) computes it, so that a stream
 * decodes to the same samples in both. Written from the algorithms' published descriptions:
 *
 * - Inverse DCT: the "ISLOW" integer algorithm (Loeffler–Ligtenberg–Moschytz, 12 multiplies),
 *   two passes (columns, then rows), 13-bit fixed-point constants, the intermediate results
 *   scaled up by PASS1_BITS (1 for 12-bit samples, 2 for 8-bit: fewer bits to stay in range),
 *   rounding right shifts, then a wrap-around range limit (the output index taken modulo
 *   4·(MAXJSAMPLE+1), below-zero and above-maximum values clamped) — T.81 A.3.3 defines the
 *   IDCT only mathematically; this fixes the arithmetic.
 * - Upsampling: IJG's default ("fancy") triangle filter for 2:1 horizontal and 2:1×2:1 ratios of
 *   components wider than two samples, sample replication for any other integral ratio.
 * - Colour: JFIF/T.871 YCbCr→RGB with 16-bit fixed-point tables, clamped to the sample range.
 *
 * The arithmetic is done in doubles (exact to 2^53, far above the 2^50 a 16-bit quantiser times
 * a 16-bit coefficient can reach) where the C code uses 32/64-bit integers, and the stored
 * intermediate is an Int32Array, which wraps like the C `int` it mirrors.
 */

const CONST_BITS = 13;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

/** Per-precision constants of the IDCT and the sample range. */
export interface SampleRange {
  readonly precision: 8 | 12;
  readonly max: number;
  readonly pass1Bits: number;
  /** The post-IDCT range limit, indexed by the descaled value modulo 4·(max+1). */
  readonly limit: Uint16Array;
  readonly limitMask: number;
}

const ranges = new Map<number, SampleRange>();

export function sampleRange(precision: 8 | 12): SampleRange {
  let r = ranges.get(precision);
  if (r === undefined) {
    const max = (1 << precision) - 1;
    const center = (max + 1) >> 1;
    const size = 4 * (max + 1);
    const half = size >> 1;
    const limit = new Uint16Array(size);
    for (let y = 0; y < size; y++) {
      // y as a signed value modulo `size`, shifted back to the unsigned sample range.
      const v = (y >= half ? y - size : y) + center;
      limit[y] = Math.max(0, Math.min(v, max));
    }
    r = { precision, max, pass1Bits: precision === 8 ? 2 : 1, limit, limitMask: size - 1 };
    ranges.set(precision, r);
  }
  return r;
}

const descale = (x: number, d: number): number => Math.floor((x + d / 2) / d);

/**
 * Dequantizes and inverse-transforms one 8×8 block (coefficients and quantizers in natural
 * order) into `out` at `at`, rows `stride` apart. `ws` is a 64-entry scratch array.
 */
export function idctBlock(
  coef: Int16Array,
  q: Uint16Array,
  out: Uint16Array,
  at: number,
  stride: number,
  ws: Int32Array,
  r: SampleRange,
): void {
  const p1 = r.pass1Bits;
  const d1 = 2 ** (CONST_BITS - p1);
  const d2 = 2 ** (CONST_BITS + p1 + 3);
  const d0 = 2 ** (p1 + 3);
  const up = 2 ** p1;
  const { limit, limitMask } = r;
  // Pass 1: columns, into ws scaled up by 2^PASS1_BITS.
  for (let c = 0; c < 8; c++) {
    if (
      coef[8 + c] === 0 &&
      coef[16 + c] === 0 &&
      coef[24 + c] === 0 &&
      coef[32 + c] === 0 &&
      coef[40 + c] === 0 &&
      coef[48 + c] === 0 &&
      coef[56 + c] === 0
    ) {
      const dc = coef[c]! * q[c]! * up;
      for (let k = 0; k < 64; k += 8) ws[k + c] = dc;
      continue;
    }
    let z2 = coef[16 + c]! * q[16 + c]!;
    let z3 = coef[48 + c]! * q[48 + c]!;
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 - z3 * FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    z2 = coef[c]! * q[c]!;
    z3 = coef[32 + c]! * q[32 + c]!;
    let tmp0 = (z2 + z3) * 8192;
    let tmp1 = (z2 - z3) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = coef[56 + c]! * q[56 + c]!;
    tmp1 = coef[40 + c]! * q[40 + c]!;
    tmp2 = coef[24 + c]! * q[24 + c]!;
    tmp3 = coef[8 + c]! * q[8 + c]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    ws[c] = descale(tmp10 + tmp3, d1);
    ws[56 + c] = descale(tmp10 - tmp3, d1);
    ws[8 + c] = descale(tmp11 + tmp2, d1);
    ws[48 + c] = descale(tmp11 - tmp2, d1);
    ws[16 + c] = descale(tmp12 + tmp1, d1);
    ws[40 + c] = descale(tmp12 - tmp1, d1);
    ws[24 + c] = descale(tmp13 + tmp0, d1);
    ws[32 + c] = descale(tmp13 - tmp0, d1);
  }
  // Pass 2: rows, descaled by the pass-1 scale and the 8 of the 2-D transform, range limited.
  for (let row = 0; row < 8; row++) {
    const w = row * 8;
    const o = at + row * stride;
    if (
      ws[w + 1] === 0 &&
      ws[w + 2] === 0 &&
      ws[w + 3] === 0 &&
      ws[w + 4] === 0 &&
      ws[w + 5] === 0 &&
      ws[w + 6] === 0 &&
      ws[w + 7] === 0
    ) {
      const v = limit[descale(ws[w]!, d0) & limitMask]!;
      for (let k = 0; k < 8; k++) out[o + k] = v;
      continue;
    }
    let z2 = ws[w + 2]!;
    let z3 = ws[w + 6]!;
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 - z3 * FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    let tmp0 = (ws[w]! + ws[w + 4]!) * 8192;
    let tmp1 = (ws[w]! - ws[w + 4]!) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = ws[w + 7]!;
    tmp1 = ws[w + 5]!;
    tmp2 = ws[w + 3]!;
    tmp3 = ws[w + 1]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * FIX_1_175875602;
    tmp0 *= FIX_0_298631336;
    tmp1 *= FIX_2_053119869;
    tmp2 *= FIX_3_072711026;
    tmp3 *= FIX_1_501321110;
    z1 *= -FIX_0_899976223;
    z2 *= -FIX_2_562915447;
    z3 = z3 * -FIX_1_961570560 + z5;
    z4 = z4 * -FIX_0_390180644 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    out[o] = limit[descale(tmp10 + tmp3, d2) & limitMask]!;
    out[o + 7] = limit[descale(tmp10 - tmp3, d2) & limitMask]!;
    out[o + 1] = limit[descale(tmp11 + tmp2, d2) & limitMask]!;
    out[o + 6] = limit[descale(tmp11 - tmp2, d2) & limitMask]!;
    out[o + 2] = limit[descale(tmp12 + tmp1, d2) & limitMask]!;
    out[o + 5] = limit[descale(tmp12 - tmp1, d2) & limitMask]!;
    out[o + 3] = limit[descale(tmp13 + tmp0, d2) & limitMask]!;
    out[o + 4] = limit[descale(tmp13 - tmp0, d2) & limitMask]!;
  }
}

/** A decoded component: its samples at its own sampling, rows `stride` apart. */
export interface Plane {
  readonly data: Uint16Array;
  readonly stride: number;
  /** Samples per row and rows that belong to the image (T.81 A.1.1: ⌈X·H/Hmax⌉, ⌈Y·V/Vmax⌉). */
  readonly width: number;
  readonly height: number;
}

/** The component brought to full size (`columns` × `rows`), as IJG's default upsampler does. */
export function upsample(
  p: Plane,
  h: number,
  v: number,
  maxH: number,
  maxV: number,
  columns: number,
  rows: number,
): Plane {
  if (h === maxH && v === maxV) return p;
  if (maxH % h !== 0 || maxV % v !== 0) {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      'JPEG 12-bit: a non-integral ratio of sampling factors is not supported',
      { details: { h, v, maxH, maxV } },
    );
  }
  const out = new Uint16Array(columns * rows);
  const hx = maxH / h;
  const vx = maxV / v;
  const { data, stride, width: w, height: ph } = p;
  const fancy = hx === 2 && (vx === 1 || vx === 2) && w > 2;
  const line = new Uint16Array(2 * w);
  const sums = new Int32Array(w);
  for (let y = 0; y < rows; y++) {
    const dst = y * columns;
    if (!fancy) {
      const src = Math.floor(y / vx) * stride;
      for (let x = 0; x < columns; x++) out[dst + x] = data[src + Math.floor(x / hx)]!;
      continue;
    }
    if (vx === 1) {
      // Triangle filter along the row: 3/4 of the nearer sample, 1/4 of the farther.
      const s = y * stride;
      line[0] = data[s]!;
      line[1] = (data[s]! * 3 + data[s + 1]! + 2) >> 2;
      for (let i = 1; i < w - 1; i++) {
        const t = data[s + i]! * 3;
        line[2 * i] = (t + data[s + i - 1]! + 1) >> 2;
        line[2 * i + 1] = (t + data[s + i + 1]! + 2) >> 2;
      }
      line[2 * w - 2] = (data[s + w - 1]! * 3 + data[s + w - 2]! + 1) >> 2;
      line[2 * w - 1] = data[s + w - 1]!;
    } else {
      // Both ways: rows weighted 3:1 (the nearer input row and the one above or below it, the
      // edge rows standing in for the missing ones), then columns 3:1.
      const i = y >> 1;
      const far = y & 1 ? Math.min(i + 1, ph - 1) : Math.max(i - 1, 0);
      const n0 = i * stride;
      const n1 = far * stride;
      for (let j = 0; j < w; j++) sums[j] = data[n0 + j]! * 3 + data[n1 + j]!;
      line[0] = (sums[0]! * 4 + 8) >> 4;
      line[1] = (sums[0]! * 3 + sums[1]! + 7) >> 4;
      for (let j = 1; j < w - 1; j++) {
        const t = sums[j]! * 3;
        line[2 * j] = (t + sums[j - 1]! + 8) >> 4;
        line[2 * j + 1] = (t + sums[j + 1]! + 7) >> 4;
      }
      line[2 * w - 2] = (sums[w - 1]! * 3 + sums[w - 2]! + 8) >> 4;
      line[2 * w - 1] = (sums[w - 1]! * 4 + 7) >> 4;
    }
    out.set(line.subarray(0, columns), dst);
  }
  return { data: out, stride: columns, width: columns, height: rows };
}

interface ColourTables {
  readonly crR: Int32Array;
  readonly cbB: Int32Array;
  readonly crG: Int32Array;
  readonly cbG: Int32Array;
}
const colourTables = new Map<number, ColourTables>();

/** T.871 YCbCr→RGB in 16-bit fixed point, each chroma term tabulated once per sample value. */
function tablesFor(max: number): ColourTables {
  let t = colourTables.get(max);
  if (t === undefined) {
    const fix = (x: number): number => Math.floor(x * 65536 + 0.5);
    const half = 1 << 15;
    t = {
      crR: new Int32Array(max + 1),
      cbB: new Int32Array(max + 1),
      crG: new Int32Array(max + 1),
      cbG: new Int32Array(max + 1),
    };
    const center = (max + 1) >> 1;
    for (let i = 0; i <= max; i++) {
      const x = i - center;
      t.crR[i] = (fix(1.402) * x + half) >> 16;
      t.cbB[i] = (fix(1.772) * x + half) >> 16;
      t.crG[i] = -fix(0.71414) * x;
      t.cbG[i] = -fix(0.34414) * x + half;
    }
    colourTables.set(max, t);
  }
  return t;
}

/**
 * Writes full-size planes into `info`'s frame (8 or 16 bits allocated, little endian, its planar
 * layout), YCbCr converted to RGB when `ycc`; samples masked to min(Bits Stored, P) bits and
 * sign-extended when signed, as the addon does (src/samples.h fromCodecSamples).
 */
export function writeFrame(
  planes: readonly Plane[],
  ycc: boolean,
  info: FrameInfo,
  r: SampleRange,
): Uint8Array {
  const { rows, columns } = info;
  const n = rows * columns;
  const spp = planes.length;
  const two = info.bitsAllocated === 16;
  const out = new Uint8Array(n * spp * (two ? 2 : 1));
  const bs = Math.min(info.bitsStored, r.precision);
  const mask = (1 << bs) - 1;
  const sign = 1 << (bs - 1);
  const signed = info.pixelRepresentation === 1;
  const planar = spp === 3 && info.planarConfiguration === 1;
  if (spp === 1 && !signed) {
    // The common case (MONOCHROME, unsigned): one plane straight into the frame.
    const { data, stride } = planes[0]!;
    for (let y = 0, d = 0; y < rows; y++) {
      const s = y * stride;
      for (let x = 0; x < columns; x++, d++) {
        const v = data[s + x]! & mask;
        if (two) {
          out[2 * d] = v & 0xff;
          out[2 * d + 1] = v >>> 8;
        } else out[d] = v;
      }
    }
    return out;
  }
  const word = two ? 0xffff : 0xff;
  const put = (i: number, c: number, value: number): void => {
    let v = value & mask;
    if (signed && v & sign) v = (v | ~mask) & word;
    const d = planar ? c * n + i : i * spp + c;
    if (two) {
      out[2 * d] = v & 0xff;
      out[2 * d + 1] = v >>> 8;
    } else out[d] = v;
  };
  const t = ycc ? tablesFor(r.max) : undefined;
  const max = r.max;
  const clamp = (v: number): number => Math.max(0, Math.min(v, max));
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const i = y * columns + x;
      if (t === undefined) {
        for (let c = 0; c < spp; c++) put(i, c, planes[c]!.data[y * planes[c]!.stride + x]!);
        continue;
      }
      const Y = planes[0]!.data[y * planes[0]!.stride + x]!;
      const cb = planes[1]!.data[y * planes[1]!.stride + x]!;
      const cr = planes[2]!.data[y * planes[2]!.stride + x]!;
      put(i, 0, clamp(Y + t.crR[cr]!));
      put(i, 1, clamp(Y + ((t.cbG[cb]! + t.crG[cr]!) >> 16)));
      put(i, 2, clamp(Y + t.cbB[cb]!));
    }
  }
  return out;
}
