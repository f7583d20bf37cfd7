import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  decodeFrame,
  encodeFrame,
  type FrameInfo,
  rleEncode,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { fuzzDecoder } from './helpers/fuzz.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// RLE Lossless (PS3.5 Annex G) at every depth it holds, cross-checked pixel-exact with DCMTK's
// dcmcrle (their encoder, our decoder) and dcmdrle (our encoder, their decoder). RLE is
// TypeScript, so this file runs unchanged with HNVUE_NATIVE=0.
const dir = tempDir('rle');
afterAll(() => dir.remove());

const CASES: readonly [string, FrameInfo, number][] = [
  ['8-bit MONOCHROME2 64x48', frameInfo(64, 48, 8, 8), 1],
  ['12-bit unsigned 33x65', frameInfo(33, 65, 16, 12), 1],
  ['16-bit signed 29x57', frameInfo(29, 57, 16, 16, true), 1],
  ['12-bit signed in 16 bits 21x19', frameInfo(21, 19, 16, 12, true), 1],
  ['32-bit unsigned 17x23', frameInfo(17, 23, 32, 32), 1],
  ['32-bit signed, 24 stored, 13x11', frameInfo(13, 11, 32, 24, true), 1],
  ['8-bit RGB interleaved 21x17', frameInfo(21, 17, 8, 8, false, 3, 0), 1],
  ['8-bit RGB planar 21x17', frameInfo(21, 17, 8, 8, false, 3, 1), 1],
  ['16-bit RGB 9x10', frameInfo(9, 10, 16, 16, false, 3), 1],
  ['32-bit RGB (12 segments) 5x7', frameInfo(5, 7, 32, 32, false, 3), 1],
  ['odd 7x3 8-bit', frameInfo(7, 3, 8, 8), 1],
  ['1x1 16-bit', frameInfo(1, 1, 16, 16), 1],
  ['3 frames 12-bit 15x13', frameInfo(15, 13, 16, 12), 3],
  ['4 frames RGB 7x3', frameInfo(7, 3, 8, 8, false, 3), 4],
  ['a 300-column row (literal and replicate runs past 128) 2x300', frameInfo(2, 300, 8, 8), 1],
];

function framesOf(info: FrameInfo, count: number, noise: number): Uint8Array {
  return new Uint8Array(
    Buffer.concat(Array.from({ length: count }, (_, i) => syntheticFrame(info, 40 + i, noise))),
  );
}

describe('RLE Lossless against DCMTK', () => {
  for (const [name, info, frames] of CASES) {
    const frameBytes = info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);
    it(`FR-DICOM-04.codec: ${name}: dcmcrle output decodes pixel-exact in ours`, async () => {
      const px = framesOf(info, frames, 0.3);
      const out = throughTool(
        dir,
        'dcmcrle',
        [],
        info,
        TransferSyntax.explicitVrLittleEndian,
        px,
        false,
        frames,
      );
      expect(out.transferSyntaxUid).toBe(TransferSyntax.rleLossless);
      const fragments = decapsulate(out.pixelData, frames);
      expect(fragments.length).toBe(frames);
      for (let f = 0; f < frames; f++) {
        const decoded = await decodeFrame(fragments[f]!, info, TransferSyntax.rleLossless);
        const want = px.subarray(f * frameBytes, (f + 1) * frameBytes);
        expect(firstDifference(decoded, want)).toBe(-1);
      }
    });

    it(`FR-DICOM-04.codec: ${name}: our RLE decodes pixel-exact in dcmdrle`, async () => {
      // Low noise, so replicate runs appear as well as literals.
      const px = framesOf(info, frames, 0.01);
      const rle = await transcodePixelData(
        px,
        info,
        frames,
        TransferSyntax.explicitVrLittleEndian,
        TransferSyntax.rleLossless,
      );
      expect(rle.encapsulated).toBe(true);
      const out = throughTool(dir, 'dcmdrle', [], info, TransferSyntax.rleLossless, rle.value, true, frames);
      expect(out.transferSyntaxUid).toBe(TransferSyntax.explicitVrLittleEndian);
      for (let f = 0; f < frames; f++) {
        const frame = { ...out, pixelData: out.pixelData.subarray(f * frameBytes) };
        const want = px.subarray(f * frameBytes, (f + 1) * frameBytes);
        expect(firstDifference(nativePixels(frame, info), want)).toBe(-1);
      }
    });
  }

  it('FR-DICOM-04.codec: segments are even-length, rows are coded separately, offsets point at them', () => {
    const info = frameInfo(3, 5, 16, 16);
    const px = new Uint8Array(30).fill(7); // every byte equal: one replicate run per row
    const rle = rleEncode(px, info);
    const v = new DataView(rle.buffer, rle.byteOffset, rle.byteLength);
    expect(v.getUint32(0, true)).toBe(2);
    expect(v.getUint32(4, true)).toBe(64);
    // Per row: (257-5, 7); three rows = 6 bytes (even, no pad), then the second segment.
    expect(v.getUint32(8, true)).toBe(70);
    expect(Array.from(rle.subarray(64, 70))).toEqual([252, 7, 252, 7, 252, 7]);
    expect(rle.length).toBe(76);
  });

  it('FR-DICOM-04.codec: 64-bit samples are refused: bitsAllocated must be 8, 16 or 32', async () => {
    const info = { ...frameInfo(2, 2, 32, 32), bitsAllocated: 64 };
    const err = await encodeFrame(new Uint8Array(32), info, TransferSyntax.rleLossless).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe(CODEC_ERROR_CODES.invalidArgument);
    expect((err as CodecError).message).toBe('invalid frame: bitsAllocated must be 8, 16 or 32');
  });

  it('FR-DICOM-04.codec: 32-bit to JPEG Lossless is refused: "JPEG Lossless holds 2–16 bits; this image has 32"', async () => {
    const info = frameInfo(2, 2, 32, 32);
    const err = await encodeFrame(new Uint8Array(16), info, TransferSyntax.jpegLosslessSv1).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).code).toBe(CODEC_ERROR_CODES.unsupported);
    expect((err as CodecError).message).toBe('JPEG Lossless holds 2–16 bits; this image has 32');
  });
});

describe('RLE decoder fuzz (32-bit and RGB)', () => {
  it('FR-DICOM-04.codec: 1500 mutations of 32-bit mono and 16-bit RGB frames answer with a frame or a CodecError', async () => {
    for (const [k, info] of [frameInfo(9, 7, 32, 32, true), frameInfo(6, 5, 16, 16, false, 3)].entries()) {
      const seed = rleEncode(syntheticFrame(info, k + 2, 0.02), info);
      const r = await fuzzDecoder([seed], info, TransferSyntax.rleLossless, 750, 57 + k);
      expect(r.rejected).toBeGreaterThan(0);
      expect(r.decoded).toBeGreaterThan(0);
      expect([...r.codes]).toEqual([CODEC_ERROR_CODES.corrupt]);
    }
  });
});
