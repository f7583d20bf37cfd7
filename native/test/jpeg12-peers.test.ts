import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  decodeFrame,
  encodeFrame,
  type FrameInfo,
  haveJpeg12Encode,
  photometricAfterEncode,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { dcmdjpegWith, nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// 12-bit JPEG (T.81 Process 4, .51) against DCMTK: dcmcjpeg +ee streams decode in ours to exactly
// dcmdjpeg's samples (both are IJG 6b's integer IDCT, JDCT_ISLOW, with 12-bit range limiting),
// through GDCM's 12-bit IJG build in the addon or, without it, the TypeScript decoder
// (lib/jpeg12-ts.ts; test/jpeg12-ts.test.ts has more); our streams decode in dcmdjpeg exactly as
// in ours. Encoding needs the addon's library (HNVUE_NATIVE=0, or an addon built without
// libgdcmjpeg12, refuses it, and the refusal names the library).
const dir = tempDir('jpeg12');
afterAll(() => dir.remove());

const available = haveJpeg12Encode();

const dcmdjpeg = dcmdjpegWith(dir, TransferSyntax.jpegExtended);

function frames(info: FrameInfo, count: number, seed: number): Uint8Array {
  return new Uint8Array(
    Buffer.concat(Array.from({ length: count }, (_, i) => syntheticFrame(info, seed + i, 0.05))),
  );
}

/** Peak signal-to-noise ratio of 16-bit words against a `bits`-bit range. */
function psnr(a: Uint8Array, b: Uint8Array, bits: number): number {
  const va = new Uint16Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  const vb = new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  let se = 0;
  for (let i = 0; i < va.length; i++) se += (va[i]! - vb[i]!) ** 2;
  const max = 2 ** bits - 1;
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((max * max * va.length) / se);
}

const SOURCES: readonly [string, FrameInfo, readonly string[], number][] = [
  ['12-bit MONOCHROME2 64x48', frameInfo(64, 48, 16, 12), ['+ee'], 1],
  ['12-bit odd 7x3', frameInfo(7, 3, 16, 12), ['+ee'], 1],
  ['10-bit stored 33x17, quality 75', frameInfo(33, 17, 16, 10), ['+ee', '+q', '75'], 1],
  ['12-bit 3 frames 24x20', frameInfo(24, 20, 16, 12), ['+ee'], 3],
  ['12-bit 600x500 (coded on the libuv pool)', frameInfo(600, 500, 16, 12), ['+ee'], 1],
];

describe('JPEG 12-bit against DCMTK (GDCM libgdcmjpeg12 in the addon, else TypeScript)', () => {
  for (const [name, info, args, count] of SOURCES) {
    it(`FR-DICOM-04.codec: ${name}: dcmcjpeg ${args.join(' ')} decodes in ours exactly as in dcmdjpeg`, async () => {
      const px = frames(info, count, 5);
      const jpeg = throughTool(
        dir,
        'dcmcjpeg',
        args,
        info,
        TransferSyntax.explicitVrLittleEndian,
        px,
        false,
        count,
      );
      expect(jpeg.transferSyntaxUid).toBe(TransferSyntax.jpegExtended);
      // DCMTK's lossy path renders the image first: a 10-bit image (or one that spans less than
      // its range) is rescaled to 12 bits and written with Bits Stored 12, so compare at what the
      // file declares; only an image that spans its 12 bits stays comparable with the original.
      const stored = jpeg.elements.get('00280101')!;
      const declared = { ...info, bitsStored: stored[0]! | (stored[1]! << 8) };
      const reference = dcmdjpeg(declared, jpeg.pixelData, 'MONOCHROME2', count);
      const fb = px.length / count;
      const fragments = decapsulate(jpeg.pixelData, count);
      for (let f = 0; f < count; f++) {
        const ours = await decodeFrame(fragments[f]!, declared, TransferSyntax.jpegExtended);
        const theirs = nativePixels(
          { ...reference, pixelData: reference.pixelData.subarray(f * fb) },
          declared,
        );
        expect(firstDifference(ours, theirs)).toBe(-1);
        if (info.bitsStored === 12 && info.rows * info.columns > 997)
          expect(psnr(ours, px.subarray(f * fb, (f + 1) * fb), 12)).toBeGreaterThan(40);
      }
    });
  }

  for (const info of [
    frameInfo(64, 80, 16, 12),
    frameInfo(7, 3, 16, 12),
    frameInfo(40, 36, 16, 12, false, 3),
  ]) {
    it.runIf(available)(
      `FR-DICOM-04.codec: our 12-bit JPEG (${info.rows}x${info.columns}, ${info.samplesPerPixel} samples, 3 frames) decodes in dcmdjpeg exactly as in ours`,
      async () => {
        const native = frames(info, 3, 20);
        const jpeg = await transcodePixelData(
          native,
          info,
          3,
          TransferSyntax.explicitVrLittleEndian,
          TransferSyntax.jpegExtended,
          { allowLossy: true },
        );
        const photometric = photometricAfterEncode(
          info.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2',
          TransferSyntax.jpegExtended,
          info.samplesPerPixel,
        );
        const fragments = decapsulate(jpeg.value, 3);
        // T.81 B.2.2: SOF1 (extended sequential, Huffman), P = 12.
        const sof = fragments[0]!.findIndex((b, i) => b === 0xff && fragments[0]![i + 1] === 0xc1);
        expect(sof).toBeGreaterThan(0);
        expect(fragments[0]![sof + 4]).toBe(12);
        const reference = dcmdjpeg(info, jpeg.value, photometric, 3);
        const fb = native.length / 3;
        for (let f = 0; f < 3; f++) {
          const ours = await decodeFrame(fragments[f]!, info, TransferSyntax.jpegExtended, {
            photometricInterpretation: photometric,
          });
          const theirs = nativePixels(
            { ...reference, pixelData: reference.pixelData.subarray(f * fb) },
            info,
          );
          expect(firstDifference(ours, theirs)).toBe(-1);
          expect(psnr(ours, native.subarray(f * fb, (f + 1) * fb), 12)).toBeGreaterThan(40);
        }
        if (info.samplesPerPixel === 3) {
          // The copying path (src/jpeg12.cc decodes interleaved unsigned frames in place): planar out.
          const planarInfo = { ...info, planarConfiguration: 1 as const };
          const interleaved = new Uint16Array(
            (
              await decodeFrame(fragments[0]!, info, TransferSyntax.jpegExtended, {
                photometricInterpretation: photometric,
              })
            ).slice().buffer,
          );
          const planar = new Uint16Array(
            (
              await decodeFrame(fragments[0]!, planarInfo, TransferSyntax.jpegExtended, {
                photometricInterpretation: photometric,
              })
            ).slice().buffer,
          );
          const n = info.rows * info.columns;
          for (let i = 0; i < n; i++)
            for (let c = 0; c < 3; c++) expect(planar[c * n + i]).toBe(interleaved[3 * i + c]);
        }
      },
    );
  }

  it('FR-DICOM-04.codec: encoding 12-bit JPEG is lossy-only and holds unsigned 9–12 bits, each refusal says why', async () => {
    const info = frameInfo(8, 8, 16, 12);
    const px = syntheticFrame(info, 1);
    const denied = (await encodeFrame(px, info, TransferSyntax.jpegExtended).catch(
      (e: unknown) => e,
    )) as CodecError;
    expect(denied.code).toBe(CODEC_ERROR_CODES.lossyNotAllowed);
    const wide = frameInfo(8, 8, 16, 16);
    const tooWide = (await encodeFrame(syntheticFrame(wide, 1), wide, TransferSyntax.jpegExtended, {
      allowLossy: true,
    }).catch((e: unknown) => e)) as CodecError;
    expect(tooWide.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(tooWide.message).toBe('JPEG 12-bit holds up to 12 bits in 16 allocated; this image has 16 in 16');
    const signed = frameInfo(8, 8, 16, 12, true);
    const sign = (await encodeFrame(syntheticFrame(signed, 1), signed, TransferSyntax.jpegExtended, {
      allowLossy: true,
    }).catch((e: unknown) => e)) as CodecError;
    expect(sign.message).toBe('JPEG 12-bit holds unsigned samples; this image is signed');
  });

  it('FR-DICOM-04.codec: a 12-bit progressive stream (dcmcjpeg +ep) offered as .51 is refused: not Process 4', async () => {
    const info = frameInfo(16, 16, 16, 12);
    const jpeg = throughTool(
      dir,
      'dcmcjpeg',
      ['+ep'],
      info,
      TransferSyntax.explicitVrLittleEndian,
      syntheticFrame(info, 4),
      false,
    );
    const [frame] = decapsulate(jpeg.pixelData, 1);
    const err = (await decodeFrame(frame!, info, TransferSyntax.jpegExtended).catch(
      (e: unknown) => e,
    )) as CodecError;
    expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(err.message).toBe('JPEG 12-bit: not a 12-bit sequential DCT stream (Process 4)');
  });

  it('FR-DICOM-04.codec: every truncation of a 12-bit stream fails typed, never invents pixels', async () => {
    const info = frameInfo(16, 16, 16, 12);
    const jpeg = throughTool(
      dir,
      'dcmcjpeg',
      ['+ee'],
      info,
      TransferSyntax.explicitVrLittleEndian,
      syntheticFrame(info, 9),
      false,
    );
    const [frame] = decapsulate(jpeg.pixelData, 1);
    const end = frame!.lastIndexOf(0xd9) + 1;
    for (let cut = 2; cut < end - 1; cut++) {
      const err = (await decodeFrame(frame!.subarray(0, cut), info, TransferSyntax.jpegExtended).catch(
        (e: unknown) => e,
      )) as CodecError;
      expect(err, `cut at ${cut}`).toBeInstanceOf(CodecError);
      expect(err.code, `cut at ${cut}`).toBe(CODEC_ERROR_CODES.corrupt);
    }
  });
});

describe.runIf(!available)('JPEG 12-bit encoding without GDCM libgdcmjpeg12', () => {
  it('FR-DICOM-04.codec: encoding 12-bit JPEG is refused, naming the missing library', async () => {
    const info = frameInfo(32, 24, 16, 12);
    const err = (await encodeFrame(syntheticFrame(info, 2), info, TransferSyntax.jpegExtended, {
      allowLossy: true,
    }).catch((e: unknown) => e)) as CodecError;
    expect(err).toBeInstanceOf(CodecError);
    expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(err.message).toContain(
      "JPEG 12-bit (Process 4) encoding needs GDCM's 12-bit IJG library (libgdcmjpeg12",
    );
    expect(err.hint).toContain('libgdcm-dev');
  });
});
