import type { FrameInfo } from '../../lib/index.js';

/**
 * A small JPEG Lossless (T.81 Process 14) encoder for test seeds that needs no addon: one fixed
 * Huffman table (the 17 SSSS categories, 5-bit codes), one interleaved scan, any predictor,
 * point transform and restart interval. Streams are valid but not size-optimal.
 */
export interface SeedOptions {
  readonly predictor?: number;
  readonly pointTransform?: number;
  readonly restartInterval?: number;
}

export function encodeJpegLosslessSeed(px: Uint8Array, info: FrameInfo, o: SeedOptions = {}): Uint8Array {
  const sv = o.predictor ?? 1;
  const pt = o.pointTransform ?? 0;
  const ri = o.restartInterval ?? 0;
  const { rows, columns: cols, samplesPerPixel: nc } = info;
  const p = Math.max(2, info.bitsStored);
  const bytes = info.bitsAllocated / 8;
  const planar = nc === 3 && info.planarConfiguration === 1;
  const n = rows * cols;
  const mask = (1 << p) - 1;
  const planes = Array.from({ length: nc }, (_, c) => {
    const plane = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const at = (planar ? c * n + i : i * nc + c) * bytes;
      plane[i] = ((bytes === 1 ? px[at]! : px[at]! | (px[at + 1]! << 8)) & mask) >> pt;
    }
    return plane;
  });
  const out: number[] = [0xff, 0xd8];
  const seg = (m: number, body: number[]) =>
    out.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  const sof: number[] = [p, rows >> 8, rows & 0xff, cols >> 8, cols & 0xff, nc];
  for (let c = 0; c < nc; c++) sof.push(c + 1, 0x11, 0);
  seg(0xc3, sof);
  const counts: number[] = new Array(16).fill(0);
  counts[4] = 17; // 17 codes of length 5: symbol s has code s
  seg(0xc4, [0x00, ...counts, ...Array.from({ length: 17 }, (_, s) => s)]);
  if (ri !== 0) seg(0xdd, [ri >> 8, ri & 0xff]);
  const sos: number[] = [nc];
  for (let c = 0; c < nc; c++) sos.push(c + 1, 0x00);
  sos.push(sv, 0, pt);
  seg(0xda, sos);
  let acc = 0;
  let nbits = 0;
  const put = (v: number, len: number) => {
    for (let b = len - 1; b >= 0; b--) {
      acc = (acc << 1) | ((v >> b) & 1);
      if (++nbits === 8) {
        out.push(acc);
        if (acc === 0xff) out.push(0);
        acc = 0;
        nbits = 0;
      }
    }
  };
  const flush = () => {
    if (nbits > 0) put((1 << (8 - nbits)) - 1, 8 - nbits);
  };
  const initial = 1 << (p - pt - 1);
  let mcu = 0;
  let rst = 0;
  for (let y = 0; y < rows; y++) {
    let first = y === 0;
    for (let x = 0; x < cols; x++) {
      if (ri !== 0 && mcu === ri) {
        flush();
        out.push(0xff, 0xd0 + (rst++ & 7));
        mcu = 0;
        first = true;
      }
      for (const plane of planes) {
        const at = y * cols + x;
        const ra = plane[at - 1]!;
        const rb = plane[at - cols]!;
        const rc = plane[at - cols - 1]!;
        let pred: number;
        if (first) pred = mcu === 0 ? initial : ra;
        else if (x === 0) pred = rb;
        else
          pred = [0, ra, rb, rc, ra + rb - rc, ra + ((rb - rc) >> 1), rb + ((ra - rc) >> 1), (ra + rb) >> 1][
            sv
          ]!;
        let d = (plane[at]! - pred) & 0xffff;
        if (d >= 32768) d -= 65536;
        if (d === -32768) {
          put(16, 5);
          continue;
        }
        const mag = Math.abs(d);
        const s = mag === 0 ? 0 : 32 - Math.clz32(mag);
        put(s, 5);
        if (s > 0) put(d < 0 ? d + (1 << s) - 1 : d, s);
      }
      mcu++;
    }
  }
  flush();
  out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}
