import { describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type FrameInfo,
  type J2kBackend,
  nativeStatus,
  TransferSyntax,
} from '../../lib/index.js';
import { fuzzDecoder, mutate } from '../helpers/fuzz.js';
import { frameInfo, rng, syntheticFrame } from '../helpers/images.js';
import { encodeJpegLosslessSeed } from './jpeg-lossless-seeds.js';

// Bounded fuzz runs for CI (fixed seeds, so a failure reproduces); scripts/fuzz-codecs.ts runs
// the long version. The decoders must answer every mutation with a frame or a CodecError.
const native = nativeStatus().kind === 'loaded';

// Without the addon the TypeScript fallback decodes, on seeds from the fixed-table encoder.
const jpegLl = (px: Uint8Array, info: FrameInfo, o: { predictor: 1 | 4 | 7; restartInterval?: number }) =>
  native
    ? encodeFrame(px, info, TransferSyntax.jpegLossless, o)
    : Promise.resolve(encodeJpegLosslessSeed(px, info, o));

describe(`JPEG Lossless decoder fuzz (${native ? 'addon' : 'TypeScript fallback'})`, () => {
  it('FR-DICOM-04.codec: 3000 mutations of 8/12/16-bit and RGB streams never crash the decoder', async () => {
    const cases = [frameInfo(16, 12, 16, 12), frameInfo(9, 7, 8, 8), frameInfo(5, 11, 16, 16, true)];
    for (const [k, info] of cases.entries()) {
      const px = syntheticFrame(info, k + 1, 0.3);
      const seeds = [
        await jpegLl(px, info, { predictor: 1 }),
        await jpegLl(px, info, { predictor: 7, restartInterval: info.columns }),
        await jpegLl(px, info, { predictor: 4, restartInterval: 5 }),
      ];
      const r = await fuzzDecoder(seeds, info, TransferSyntax.jpegLossless, 1000, 100 + k);
      expect(r.rejected).toBeGreaterThan(0);
      expect(
        [...r.codes].every((c) => c === CODEC_ERROR_CODES.corrupt || c === CODEC_ERROR_CODES.unsupported),
      ).toBe(true);
    }
    const rgb = frameInfo(6, 5, 8, 8, false, 3);
    const seed = await jpegLl(syntheticFrame(rgb, 9, 0.3), rgb, { predictor: 1 });
    const r = await fuzzDecoder([seed], rgb, TransferSyntax.jpegLossless, 500, 7);
    expect(r.rejected).toBeGreaterThan(0);
  });
});

const BACKENDS: readonly J2kBackend[] = native ? ['native', 'wasm'] : ['wasm'];

describe.each(BACKENDS)('JPEG 2000 decoder fuzz (%s)', (backend) => {
  it('FR-DICOM-04.codec: 300 mutations of a 12-bit codestream answer with a frame or a CodecError', async () => {
    const info = frameInfo(24, 20, 16, 12);
    const seed = await encodeFrame(syntheticFrame(info, 3, 0.3), info, TransferSyntax.jpeg2000Lossless, {
      j2kBackend: backend,
    });
    const r = await fuzzDecoder([seed], info, TransferSyntax.jpeg2000Lossless, 300, 11, {
      j2kBackend: backend,
    });
    expect(r.rejected).toBeGreaterThan(0);
  });
});

/** A PackBits RLE frame (PS3.5 G.3.1), literal runs and replicate runs, for fuzz seeds. */
function rleEncode(px: Uint8Array, info: FrameInfo): Uint8Array {
  const bytes = info.bitsAllocated / 8;
  const n = info.rows * info.columns;
  const segments: Uint8Array[] = [];
  for (let c = 0; c < info.samplesPerPixel; c++) {
    for (let b = bytes - 1; b >= 0; b--) {
      const seg: number[] = [];
      const src = Array.from({ length: n }, (_, i) => px[(i * info.samplesPerPixel + c) * bytes + b]!);
      for (let i = 0; i < n; ) {
        let run = 1;
        while (i + run < n && run < 128 && src[i + run] === src[i]) run++;
        if (run >= 3) {
          seg.push(257 - run, src[i]!);
          i += run;
        } else {
          const len = Math.min(128, n - i);
          seg.push(len - 1, ...src.slice(i, i + len));
          i += len;
        }
      }
      if (seg.length % 2 === 1) seg.push(0x80); // G.3.1 no-op pads the segment to even length
      segments.push(Uint8Array.from(seg));
    }
  }
  const header = new Uint8Array(64);
  const v = new DataView(header.buffer);
  v.setUint32(0, segments.length, true);
  let offset = 64;
  for (const [i, s] of segments.entries()) {
    v.setUint32(4 + 4 * i, offset, true);
    offset += s.length;
  }
  return new Uint8Array(Buffer.concat([header, ...segments]));
}

describe('RLE decoder fuzz', () => {
  it('FR-DICOM-04.codec: 2000 mutations of 8/16-bit and RGB RLE frames answer with a frame or a CodecError', async () => {
    for (const [k, info] of [frameInfo(12, 10, 16, 12), frameInfo(7, 9, 8, 8, false, 3)].entries()) {
      const px = syntheticFrame(info, k + 4, 0.05);
      const seed = rleEncode(px, info);
      expect(Array.from(await decodeFrame(seed, info, TransferSyntax.rleLossless))).toEqual(Array.from(px));
      const r = await fuzzDecoder([seed], info, TransferSyntax.rleLossless, 1000, 31 + k);
      expect(r.rejected).toBeGreaterThan(0);
      expect(r.decoded).toBeGreaterThan(0);
    }
  });
});

describe('decapsulate fuzz', () => {
  it('FR-DICOM-04.codec: 2000 mutations of a three-frame value give frames or HNV_ERR_CODEC_CORRUPT', () => {
    const value = encapsulate([
      Uint8Array.of(0xff, 0xd8, 1, 2, 3),
      Uint8Array.of(0xff, 0xd8, 4),
      Uint8Array.of(5),
    ]);
    const next = rng(77);
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      try {
        decapsulate(mutate(value, next), 1 + (i % 3));
      } catch (err) {
        expect(err).toBeInstanceOf(CodecError);
        expect((err as CodecError).code).toBe(CODEC_ERROR_CODES.corrupt);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });
});
