import type { FrameInfo } from '../../lib/index.js';
import { frameInfo } from '../helpers/images.js';

/**
 * A small sequential DCT encoder (T.81 Annex F, Huffman) for test streams that needs no addon
 * and reaches what the peers' encoders do not write: any sampling factors, restart intervals,
 * one scan per component, 8- or 12-bit precision, JFIF/Adobe markers or 'RGB' component ids.
 * One fixed DC table (categories 0..15, 5-bit codes) and one fixed AC table (every run/size,
 * 8-bit codes); a float forward DCT. Streams are valid but not size-optimal; the decoders under
 * test must agree with IJG (dcmdjpeg, the addon) on them, whatever the encoder's rounding.
 */
export interface DctSeedOptions {
  /** [h, v] per component; 1×1 each by default. */
  readonly sampling?: readonly (readonly [number, number])[];
  readonly restartInterval?: number;
  /** One scan per component instead of one interleaved scan. */
  readonly separateScans?: boolean;
  readonly precision?: 8 | 12;
  /** Quantizer step of every coefficient (DC included); 16-bit DQT entries above 255. */
  readonly quant?: number;
  readonly ids?: readonly number[];
  readonly marker?: 'jfif' | 'adobe-rgb' | 'adobe-ycc';
  /** SOF0 instead of SOF1. */
  readonly baseline?: boolean;
}

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
  53, 60, 61, 54, 47, 55, 62, 63,
];
const AC_SYMBOLS = [0x00, 0xf0];
for (let r = 0; r < 16; r++) for (let s = 1; s <= 15; s++) AC_SYMBOLS.push((r << 4) | s);
const AC_CODE = new Map(AC_SYMBOLS.map((s, i) => [s, i]));
const COS = Array.from({ length: 64 }, (_, k) => {
  const [u, x] = [k >> 3, k & 7];
  return Math.cos(((2 * x + 1) * u * Math.PI) / 16) * (u === 0 ? Math.SQRT1_2 : 1);
});

class BitWriter {
  readonly out: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >>> i) & 1);
      if (++this.n === 8) {
        this.out.push(this.acc);
        if (this.acc === 0xff) this.out.push(0);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  /** Pads the last byte with 1-bits (F.1.2.3). */
  flush(): void {
    if (this.n > 0) this.put((1 << (8 - this.n)) - 1, 8 - this.n);
  }
}

const category = (v: number): number => (v === 0 ? 0 : 32 - Math.clz32(Math.abs(v)));

export function encodeJpegDctSeed(px: Uint8Array, info: FrameInfo, o: DctSeedOptions = {}): Uint8Array {
  const { rows, columns: cols, samplesPerPixel: nc } = info;
  const precision = o.precision ?? 12;
  const sampling = o.sampling ?? Array.from({ length: nc }, () => [1, 1] as const);
  const ids = o.ids ?? Array.from({ length: nc }, (_, c) => c + 1);
  const quant = o.quant ?? 4;
  const ri = o.restartInterval ?? 0;
  const maxH = Math.max(...sampling.map((s) => s[0]));
  const maxV = Math.max(...sampling.map((s) => s[1]));
  const bytes = info.bitsAllocated / 8;
  const planar = nc === 3 && info.planarConfiguration === 1;
  const n = rows * cols;
  const mask = (1 << precision) - 1;
  const center = 1 << (precision - 1);
  const sample = (x: number, y: number, c: number): number => {
    const i = Math.min(y, rows - 1) * cols + Math.min(x, cols - 1);
    const at = (planar ? c * n + i : i * nc + c) * bytes;
    return (bytes === 1 ? px[at]! : px[at]! | (px[at + 1]! << 8)) & mask;
  };
  const mcuCols = Math.ceil(cols / (8 * maxH));
  const mcuRows = Math.ceil(rows / (8 * maxV));
  // Quantized coefficients of block (bx, by) of component c, zig-zag order.
  const block = (c: number, bx: number, by: number): number[] => {
    const [h, v] = sampling[c]!;
    const w = Math.ceil((cols * h) / maxH);
    const hh = Math.ceil((rows * v) / maxV);
    const s = new Float64Array(64);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) {
        const cx = Math.min(bx * 8 + x, w - 1);
        const cy = Math.min(by * 8 + y, hh - 1);
        s[y * 8 + x] = sample(Math.floor((cx * maxH) / h), Math.floor((cy * maxV) / v), c) - center;
      }
    const zz: number[] = [];
    for (const k of ZIGZAG) {
      const [u, vv] = [k & 7, k >> 3];
      let sum = 0;
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) sum += s[y * 8 + x]! * COS[u * 8 + x]! * COS[vv * 8 + y]!;
      zz.push(Math.round(sum / 4 / quant));
    }
    return zz;
  };
  const seg = (marker: number, body: number[]): number[] => [
    0xff,
    marker,
    (body.length + 2) >> 8,
    (body.length + 2) & 0xff,
    ...body,
  ];
  const head: number[] = [0xff, 0xd8];
  if (o.marker === 'jfif') head.push(...seg(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  if (o.marker?.startsWith('adobe'))
    head.push(
      ...seg(0xee, [0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, o.marker === 'adobe-rgb' ? 0 : 1]),
    );
  const wide = quant > 255;
  head.push(
    ...seg(0xdb, [
      wide ? 0x10 : 0,
      ...new Array<number>(64).fill(0).flatMap(() => (wide ? [quant >> 8, quant & 0xff] : [quant])),
    ]),
  );
  head.push(
    ...seg(o.baseline ? 0xc0 : 0xc1, [
      precision,
      rows >> 8,
      rows & 0xff,
      cols >> 8,
      cols & 0xff,
      nc,
      ...ids.flatMap((id, c) => [id, (sampling[c]![0] << 4) | sampling[c]![1], 0]),
    ]),
  );
  const dcCounts = new Array<number>(16).fill(0);
  dcCounts[4] = 16;
  const acCounts = new Array<number>(16).fill(0);
  acCounts[7] = AC_SYMBOLS.length;
  head.push(...seg(0xc4, [0x00, ...dcCounts, ...Array.from({ length: 16 }, (_, i) => i)]));
  head.push(...seg(0xc4, [0x10, ...acCounts, ...AC_SYMBOLS]));
  if (ri > 0) head.push(...seg(0xdd, [ri >> 8, ri & 0xff]));
  const scans = o.separateScans
    ? Array.from({ length: nc }, (_, c) => [c])
    : [Array.from({ length: nc }, (_, c) => c)];
  const body: number[] = [];
  for (const comps of scans) {
    body.push(...seg(0xda, [comps.length, ...comps.flatMap((c) => [ids[c]!, 0x00]), 0, 63, 0]));
    const bw = new BitWriter();
    const pred = new Array<number>(nc).fill(0);
    const coded = (c: number, bx: number, by: number): void => {
      const zz = block(c, bx, by);
      const diff = zz[0]! - pred[c]!;
      pred[c] = zz[0]!;
      const s = category(diff);
      bw.put(s, 5);
      if (s > 0) bw.put(diff < 0 ? diff + (1 << s) - 1 : diff, s);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const v = zz[k]!;
        if (v === 0) {
          run++;
          continue;
        }
        while (run > 15) {
          bw.put(AC_CODE.get(0xf0)!, 8);
          run -= 16;
        }
        const sz = category(v);
        bw.put(AC_CODE.get((run << 4) | sz)!, 8);
        bw.put(v < 0 ? v + (1 << sz) - 1 : v, sz);
        run = 0;
      }
      if (run > 0) bw.put(AC_CODE.get(0)!, 8);
    };
    const single = comps.length === 1;
    const [h0, v0] = sampling[comps[0]!]!;
    const units: (() => void)[] = [];
    if (single) {
      const c = comps[0]!;
      const bwide = Math.ceil(Math.ceil((cols * h0) / maxH) / 8);
      const bhigh = Math.ceil(Math.ceil((rows * v0) / maxV) / 8);
      for (let by = 0; by < bhigh; by++)
        for (let bx = 0; bx < bwide; bx++) units.push(() => coded(c, bx, by));
    } else {
      for (let my = 0; my < mcuRows; my++)
        for (let mx = 0; mx < mcuCols; mx++)
          units.push(() => {
            for (const c of comps) {
              const [h, v] = sampling[c]!;
              for (let y = 0; y < v; y++) for (let x = 0; x < h; x++) coded(c, mx * h + x, my * v + y);
            }
          });
    }
    for (const [i, unit] of units.entries()) {
      if (ri > 0 && i > 0 && i % ri === 0) {
        bw.flush();
        bw.out.push(0xff, 0xd0 + ((i / ri - 1) & 7));
        pred.fill(0);
      }
      unit();
    }
    bw.flush();
    body.push(...bw.out);
  }
  return Uint8Array.from([...head, ...body, 0xff, 0xd9]);
}

/** Images and seed options of the 12-bit fuzz runs (test/fuzz/jpeg12-ts.test.ts, scripts/fuzz-codecs.ts). */
export const JPEG12_FUZZ_CASES: readonly [FrameInfo, readonly DctSeedOptions[]][] = [
  [frameInfo(16, 12, 16, 12), [{}, { restartInterval: 1 }, { quant: 300, restartInterval: 2 }]],
  [frameInfo(9, 7, 8, 8), [{ precision: 8 }, { precision: 8, restartInterval: 1, baseline: true }]],
  [frameInfo(33, 20, 16, 10), [{ quant: 1 }, { sampling: [[2, 2]], restartInterval: 3 }]],
  [
    frameInfo(20, 18, 16, 12, false, 3),
    [
      {
        sampling: [
          [2, 2],
          [1, 1],
          [1, 1],
        ],
        restartInterval: 1,
      },
      {
        sampling: [
          [2, 1],
          [1, 1],
          [1, 1],
        ],
        separateScans: true,
      },
      { marker: 'adobe-rgb' },
    ],
  ],
];
