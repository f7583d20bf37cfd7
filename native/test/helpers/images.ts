import type { FrameInfo } from '../../lib/index.js';

/** Deterministic PRNG (mulberry32) so every run and CI see the same images. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function frameInfo(
  rows: number,
  columns: number,
  bitsAllocated: 8 | 16 | 32,
  bitsStored: number,
  signed = false,
  samplesPerPixel: 1 | 3 = 1,
  planarConfiguration: 0 | 1 = 0,
): FrameInfo {
  return {
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    pixelRepresentation: signed ? 1 : 0,
    samplesPerPixel,
    planarConfiguration,
  };
}

/**
 * A radiograph-like frame: smooth gradients plus noise, covering the full stored range (its
 * extremes included) so the codecs see large differences too. Canonical: bits above bitsStored
 * are zero (unsigned) or copies of the sign bit (signed).
 */
export function syntheticFrame(info: FrameInfo, seed = 1, noise = 0.02): Uint8Array {
  const { rows, columns, bitsAllocated, bitsStored, samplesPerPixel, pixelRepresentation } = info;
  const next = rng(seed);
  const max = 2 ** bitsStored - 1;
  const n = rows * columns * samplesPerPixel;
  const out = new Uint8Array(n * (bitsAllocated / 8));
  for (let i = 0; i < n; i++) {
    const p = Math.floor(i / samplesPerPixel);
    const y = Math.floor(p / columns);
    const x = p % columns;
    const c = i % samplesPerPixel;
    const smooth =
      0.5 + 0.35 * Math.sin((x + 3 * c) / 37) * Math.cos(y / 53) + 0.1 * (x / Math.max(1, columns));
    let v = Math.round((smooth + (next() - 0.5) * noise) * max);
    if (i % 997 === 0) v = next() < 0.5 ? 0 : max; // extremes
    v = Math.min(max, Math.max(0, v));
    if (pixelRepresentation === 1) v -= 2 ** (bitsStored - 1); // centre on zero
    const word = bitsAllocated === 32 ? v >>> 0 : v & (bitsAllocated === 8 ? 0xff : 0xffff);
    if (bitsAllocated === 8) out[i] = word;
    else if (bitsAllocated === 32) {
      out[4 * i] = word & 0xff;
      out[4 * i + 1] = (word >>> 8) & 0xff;
      out[4 * i + 2] = (word >>> 16) & 0xff;
      out[4 * i + 3] = word >>> 24;
    } else {
      out[2 * i] = word & 0xff;
      out[2 * i + 1] = word >>> 8;
    }
  }
  return out;
}

/** Index of the first differing byte, or -1: cheaper to read in a failure than a full diff. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const n = Buffer.from(a.buffer, a.byteOffset, a.length).compare(
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
  if (n === 0) return -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
