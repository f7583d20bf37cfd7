import { describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  encodeFrame,
  type FrameInfo,
  nativeStatus,
  TransferSyntax,
} from '../../lib/index.js';
import { jpegLosslessDecodeTs } from '../../lib/jpeg-lossless-ts.js';
import { mutate } from '../helpers/fuzz.js';
import { frameInfo, rng, syntheticFrame } from '../helpers/images.js';
import { encodeJpegLosslessSeed } from './jpeg-lossless-seeds.js';

// The TypeScript JPEG Lossless decoder (the fallback without the addon), fixed seeds: every
// mutation of a valid stream gives a full frame or a CodecError (corrupt or unsupported), in
// bounded time. Seeds come from a small fixed-table encoder (jpeg-lossless-seeds.ts), so this runs
// with HNVUE_NATIVE=0 too; with the addon, its optimal-table streams are seeds as well and the two
// decoders must agree on every mutation.
const native = nativeStatus().kind === 'loaded';
const ALLOWED = new Set<string>([CODEC_ERROR_CODES.corrupt, CODEC_ERROR_CODES.unsupported]);
const TS = TransferSyntax.jpegLossless;

function outcome(bytes: Uint8Array, info: FrameInfo): Uint8Array | string {
  try {
    const out = jpegLosslessDecodeTs(bytes, info);
    expect(out.length).toBe(info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8));
    return out;
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
}

const CASES: readonly FrameInfo[] = [
  frameInfo(16, 12, 16, 12),
  frameInfo(9, 7, 8, 8),
  frameInfo(5, 11, 16, 16, true),
  frameInfo(6, 5, 8, 8, false, 3),
  frameInfo(4, 6, 16, 16, false, 3, 1),
];

describe('JPEG Lossless TypeScript decoder', () => {
  it('FR-DICOM-04.codec: the fallback decodes every predictor, point transform 0, restarts and 2–16 bits exactly', () => {
    for (const bits of [2, 5, 8, 12, 16]) {
      const info = frameInfo(13, 17, bits <= 8 ? 8 : 16, bits);
      const px = syntheticFrame(info, bits, 0.4);
      for (const predictor of [1, 2, 3, 4, 5, 6, 7]) {
        for (const restartInterval of [0, 5, 17]) {
          const jpeg = encodeJpegLosslessSeed(px, info, { predictor, restartInterval });
          const out = jpegLosslessDecodeTs(jpeg, info);
          expect(Array.from(out), `P ${bits} sv ${predictor} ri ${restartInterval}`).toEqual(Array.from(px));
        }
      }
    }
  });

  it('FR-DICOM-04.codec: a point transform drops the low bits, as T.81 H.1.2.1 says', () => {
    const info = frameInfo(8, 9, 16, 12);
    const px = syntheticFrame(info, 4, 0.4);
    const jpeg = encodeJpegLosslessSeed(px, info, { predictor: 6, pointTransform: 3 });
    const out = new Uint16Array(jpegLosslessDecodeTs(jpeg, info).slice().buffer);
    const src = new Uint16Array(px.slice().buffer);
    expect(Array.from(out)).toEqual(Array.from(src, (v) => (v >> 3) << 3));
  });

  it('FR-DICOM-04.codec: 4000 mutations of fixed-table streams give a frame or a CodecError, in bounded time', () => {
    for (const [k, info] of CASES.entries()) {
      const px = syntheticFrame(info, k + 1, 0.3);
      const seeds = [
        encodeJpegLosslessSeed(px, info, { predictor: 1 }),
        encodeJpegLosslessSeed(px, info, { predictor: 7, restartInterval: info.columns }),
        encodeJpegLosslessSeed(px, info, { predictor: 4, restartInterval: 5, pointTransform: 1 }),
      ];
      const next = rng(300 + k);
      let rejected = 0;
      const started = performance.now();
      for (let i = 0; i < 800; i++) {
        const r = outcome(mutate(seeds[i % seeds.length]!, next), info);
        if (typeof r === 'string') {
          expect(ALLOWED.has(r), r).toBe(true);
          rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(0);
      // 800 decodes of a few hundred samples: milliseconds each at most, never a hang.
      expect(performance.now() - started).toBeLessThan(10_000);
    }
  }, 60_000);

  it.runIf(native)(
    'FR-DICOM-04.codec: 2000 mutations of addon streams: the fallback and the addon agree',
    async () => {
      const { decodeFrame } = await import('../../lib/index.js');
      for (const [k, info] of CASES.entries()) {
        const px = syntheticFrame(info, k + 20, 0.3);
        const seeds = [
          await encodeFrame(px, info, TS, { predictor: 1 }),
          await encodeFrame(px, info, TS, { predictor: 5, restartInterval: 3 }),
        ];
        const next = rng(700 + k);
        for (let i = 0; i < 400; i++) {
          const m = mutate(seeds[i % seeds.length]!, next);
          const ours = outcome(m, info);
          let theirs: Uint8Array | string;
          try {
            theirs = await decodeFrame(m, info, TS);
          } catch (err) {
            theirs = (err as CodecError).code;
          }
          expect(typeof ours === 'string' ? ours : Array.from(ours), `case ${k} mutation ${i}`).toEqual(
            typeof theirs === 'string' ? theirs : Array.from(theirs),
          );
        }
      }
    },
    60_000,
  );
});
