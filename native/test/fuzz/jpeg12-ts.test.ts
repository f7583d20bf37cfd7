import { describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  encodeFrame,
  type FrameInfo,
  haveJpeg12Encode,
  jpeg12Decode,
  TransferSyntax,
} from '../../lib/index.js';
import { jpeg12DecodeTs } from '../../lib/jpeg12-ts.js';
import { mutate } from '../helpers/fuzz.js';
import { rng, syntheticFrame } from '../helpers/images.js';
import { encodeJpegDctSeed, JPEG12_FUZZ_CASES } from './jpeg12-seeds.js';

// The TypeScript JPEG DCT decoder (the 12-bit fallback without the addon), fixed seeds: every
// mutation of a valid stream gives a full frame or a CodecError (corrupt or unsupported), in
// bounded time. Seeds come from the small encoder in jpeg12-seeds.ts, so this runs with
// HNVUE_NATIVE=0 too; with the addon, its streams are seeds as well, and wherever both decoders
// return a frame it must be the same frame.
const ALLOWED = new Set<string>([CODEC_ERROR_CODES.corrupt, CODEC_ERROR_CODES.unsupported]);
const addon = haveJpeg12Encode();

function outcome(bytes: Uint8Array, info: FrameInfo): Uint8Array | string {
  try {
    const out = jpeg12DecodeTs(bytes, info, 1);
    expect(out.length).toBe(info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8));
    return out;
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    return (err as CodecError).code;
  }
}

describe('JPEG 12-bit TypeScript decoder fuzz', () => {
  it('FR-DICOM-04.codec: 4000 mutations of seed streams give a frame or a CodecError, in bounded time', () => {
    for (const [k, [info, options]] of JPEG12_FUZZ_CASES.entries()) {
      const px = syntheticFrame(info, k + 1, 0.3);
      const seeds = options.map((o) => encodeJpegDctSeed(px, info, o));
      const next = rng(1200 + k);
      let rejected = 0;
      const started = performance.now();
      for (let i = 0; i < 1000; i++) {
        const r = outcome(mutate(seeds[i % seeds.length]!, next), info);
        if (typeof r === 'string') {
          expect(ALLOWED.has(r), r).toBe(true);
          rejected++;
        }
      }
      expect(rejected).toBeGreaterThan(0);
      // 1000 decodes of a few hundred samples: milliseconds each at most, never a hang.
      expect(performance.now() - started).toBeLessThan(20_000);
    }
  }, 90_000);

  it.runIf(addon)(
    'FR-DICOM-04.codec: 2000 mutations of addon and seed streams: wherever both decoders give a frame, the same frame',
    async () => {
      let both = 0;
      for (const [k, [info, options]] of JPEG12_FUZZ_CASES.entries()) {
        if (info.bitsAllocated !== 16) continue;
        const px = syntheticFrame(info, k + 20, 0.3);
        const seeds = [
          encodeJpegDctSeed(px, info, options[0]),
          ...(info.bitsStored <= 12
            ? [
                await encodeFrame(px, info, TransferSyntax.jpegExtended, {
                  allowLossy: true,
                  jpegQuality: 80,
                }),
              ]
            : []),
        ];
        const next = rng(900 + k);
        for (let i = 0; i < 700; i++) {
          const m = mutate(seeds[i % seeds.length]!, next);
          const ours = outcome(m, info);
          let theirs: Uint8Array | string;
          try {
            theirs = await jpeg12Decode(m, info, 1);
          } catch (err) {
            theirs = (err as CodecError).code;
          }
          if (typeof ours !== 'string' && typeof theirs !== 'string') {
            both++;
            expect(Buffer.compare(ours, theirs), `case ${k} mutation ${i}`).toBe(0);
          }
        }
      }
      expect(both).toBeGreaterThan(100);
    },
    90_000,
  );
});
