import { CodecError, decodeFrame, type FrameInfo } from '../../lib/index.js';
import { rng } from './images.js';

/** One mutation of a valid stream: flipped bits, overwritten bytes, cuts, splices, marker-ish noise. */
export function mutate(src: Uint8Array, next: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(next() * n);
  let b = src.slice();
  const kind = pick(6);
  const count = 1 + pick(8);
  switch (kind) {
    case 0:
      for (let i = 0; i < count; i++) b[pick(b.length)]! ^= 1 << pick(8);
      break;
    case 1:
      for (let i = 0; i < count; i++) b[pick(b.length)] = pick(256);
      break;
    case 2:
      b = b.subarray(0, pick(b.length));
      break;
    case 3: {
      // A lying length or dimension inside the first 64 bytes, where the headers are.
      const at = pick(Math.min(64, b.length - 1));
      b[at] = 0xff;
      b[at + 1] = pick(256);
      break;
    }
    case 4: {
      const at = pick(b.length);
      const len = pick(32);
      b = new Uint8Array(Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + len))]));
      break;
    }
    default: {
      const at = pick(b.length);
      const junk = new Uint8Array(1 + pick(16)).map(() => (next() < 0.3 ? 0xff : pick(256)));
      b = new Uint8Array(Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]));
    }
  }
  return b;
}

export interface FuzzResult {
  readonly decoded: number;
  readonly rejected: number;
  readonly codes: ReadonlySet<string>;
}

/**
 * Decodes `iterations` mutations of `seeds`. Every outcome must be a full-size frame or a
 * CodecError; anything else (a TypeError, a crash, a wrong size) fails the run.
 */
export async function fuzzDecoder(
  seeds: readonly Uint8Array[],
  info: FrameInfo,
  transferSyntaxUid: string,
  iterations: number,
  seed: number,
  options: Parameters<typeof decodeFrame>[3] = {},
): Promise<FuzzResult> {
  const next = rng(seed);
  const frameBytes = info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);
  let decoded = 0;
  let rejected = 0;
  const codes = new Set<string>();
  for (let i = 0; i < iterations; i++) {
    const input = mutate(seeds[i % seeds.length]!, next);
    try {
      const out = await decodeFrame(input, info, transferSyntaxUid, options);
      if (out.length !== frameBytes)
        throw new Error(`iteration ${i}: decoded ${out.length} bytes, want ${frameBytes}`);
      decoded++;
    } catch (err) {
      if (!(err instanceof CodecError)) throw new Error(`iteration ${i}: not a CodecError: ${String(err)}`);
      codes.add(err.code);
      rejected++;
    }
  }
  return { decoded, rejected, codes };
}
