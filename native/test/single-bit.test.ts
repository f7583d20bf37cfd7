import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  encapsulate,
  type FrameInfo,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { rng } from './helpers/images.js';
import { readPart10, writePart10 } from './helpers/part10.js';
import { runTool, tempDir } from './helpers/tools.js';

// Bits Allocated 1 (lib/single-bit.ts): packed native frames, concatenated without padding so a
// frame may start mid-byte (PS3.5 8.1.1), unpacked around JPEG 2000 / HTJ2K and packed again;
// GDCM decodes our 1-bit JPEG 2000 (to a byte per pixel); the byte-only codecs refuse with the limit.
const dir = tempDir('single-bit');
afterAll(() => dir.remove());

const info = (rows: number, columns: number): FrameInfo => ({
  rows,
  columns,
  bitsAllocated: 1,
  bitsStored: 1,
  pixelRepresentation: 0,
  samplesPerPixel: 1,
  planarConfiguration: 0,
});

function packed(i: FrameInfo, frames: number, seed: number): Uint8Array {
  const next = rng(seed);
  const bits = i.rows * i.columns * frames;
  const out = new Uint8Array(Math.ceil(bits / 8) + (Math.ceil(bits / 8) & 1));
  for (let b = 0; b < bits; b++) if (next() < 0.3) out[b >>> 3]! |= 1 << (b & 7);
  return out;
}

function bitAt(value: Uint8Array, bit: number): number {
  return (value[bit >>> 3]! >>> (bit & 7)) & 1;
}

describe('Bits Allocated 1 around the codecs', () => {
  for (const [rows, columns, frames] of [
    [3, 7, 1],
    [24, 32, 1],
    [8, 8, 3],
    [5, 5, 2],
    [3, 7, 3],
  ] as const) {
    const geometry = info(rows, columns);
    it(`FR-DICOM-04.codec: ${columns}x${rows}, ${frames} frame(s): to JPEG 2000, each frame decoded by gdcmconv --raw to the same bits, and back to the same packed value`, async () => {
      const value = packed(geometry, frames, rows * 100 + columns);
      const j2k = await transcodePixelData(
        value,
        geometry,
        frames,
        TransferSyntax.explicitVrLittleEndian,
        TransferSyntax.jpeg2000Lossless,
      );
      expect(j2k.encapsulated).toBe(true);
      // GDCM 3.0.21 writes nothing for a multi-frame 1-bit file ("Failed to write"), so each
      // frame's codestream goes to it as a file of its own; the frame's bits start mid-byte.
      const pixels = rows * columns;
      for (const [f, codestream] of decapsulate(j2k.value, frames).entries()) {
        const input = dir.file(`j2k-${columns}x${rows}-${f}.dcm`);
        const output = dir.file(`j2k-${columns}x${rows}-${f}-raw.dcm`);
        writePart10(input, {
          info: geometry,
          transferSyntaxUid: TransferSyntax.jpeg2000Lossless,
          pixelData: encapsulate([codestream]),
          encapsulated: true,
        });
        runTool('gdcmconv', ['--raw', input, output]);
        const gdcm = readPart10(output);
        expect(gdcm.elements.get('00280100')![0]).toBe(8); // GDCM unpacks: one byte per pixel
        for (let p = 0; p < pixels; p++) {
          expect(gdcm.pixelData[p], `frame ${f} pixel ${p}`).toBe(bitAt(value, f * pixels + p));
        }
      }
      for (const to of [TransferSyntax.explicitVrLittleEndian, TransferSyntax.htj2kLossless]) {
        const back =
          to === TransferSyntax.explicitVrLittleEndian
            ? await transcodePixelData(j2k.value, geometry, frames, TransferSyntax.jpeg2000Lossless, to)
            : await transcodePixelData(
                (await transcodePixelData(j2k.value, geometry, frames, TransferSyntax.jpeg2000Lossless, to))
                  .value,
                geometry,
                frames,
                to,
                TransferSyntax.explicitVrLittleEndian,
              );
        expect(back.encapsulated).toBe(false);
        expect(back.value.length % 2).toBe(0);
        expect(Buffer.from(back.value).equals(Buffer.from(value))).toBe(true);
      }
    });
  }

  for (const [uid, message] of [
    [TransferSyntax.rleLossless, 'RLE Lossless holds 8, 16 or 32 bits allocated; this image has 1'],
    [TransferSyntax.jpegLosslessSv1, 'JPEG Lossless holds 2–16 bits; this image has 1'],
    [TransferSyntax.jpegLsLossless, 'JPEG-LS holds 2–16 bits; this image has 1'],
    [TransferSyntax.jpegBaseline, 'JPEG DCT holds 8 or 12 bits; this image has 1'],
  ] as const) {
    it(`FR-DICOM-04.codec: a 1-bit image to ${uid} is refused with the limit (as DCMTK and GDCM refuse it)`, async () => {
      const geometry = info(4, 8);
      const err = (await transcodePixelData(
        packed(geometry, 1, 3),
        geometry,
        1,
        TransferSyntax.explicitVrLittleEndian,
        uid,
        { allowLossy: true },
      ).catch((e: unknown) => e)) as CodecError;
      expect(err).toBeInstanceOf(CodecError);
      expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
      expect(err.message).toContain(message);
      expect(err.hint).toContain('JPEG 2000');
    });
  }

  it('FR-DICOM-04.codec: packed pixel data shorter than its frames is refused as corrupt', async () => {
    const err = (await transcodePixelData(
      new Uint8Array(2),
      info(4, 8),
      1,
      TransferSyntax.explicitVrLittleEndian,
      TransferSyntax.jpeg2000Lossless,
    ).catch((e: unknown) => e)) as CodecError;
    expect(err.code).toBe(CODEC_ERROR_CODES.corrupt);
  });
});
