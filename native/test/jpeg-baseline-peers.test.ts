import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  type CodecBackend,
  type CodecError,
  decapsulate,
  decodeFrame,
  encodeFrame,
  type FrameInfo,
  nativeStatus,
  photometricAfterDecode,
  photometricAfterEncode,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import type { Part10 } from './helpers/part10.js';
import { nativePixels, dcmdjpeg as peerDecode, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// 8-bit JPEG (baseline .50, extended .51 at 8-bit precision) through both backends
// (libjpeg-turbo in the addon, libjpeg-turbo in WebAssembly), against DCMTK: dcmcjpeg's lossy
// streams decode in ours to exactly what dcmdjpeg decodes them to (same IJG integer IDCT, fancy
// upsampling and colour conversion), and our lossy streams decode in dcmdjpeg exactly as in ours.
const dir = tempDir('jpeg8');
afterAll(() => dir.remove());

const status = nativeStatus();
const BACKENDS: readonly CodecBackend[] =
  status.kind === 'loaded' && status.libjpeg ? ['native', 'wasm'] : ['wasm'];

function photometricOf(file: Part10): string {
  const v = file.elements.get('00280004');
  return v === undefined ? '' : Buffer.from(v).toString('latin1').trim();
}

/** dcmdjpeg of an encapsulated value with the given Photometric Interpretation, colour by pixel. */
const dcmdjpeg = (info: FrameInfo, uid: string, value: Uint8Array, photometric: string, frames = 1): Part10 =>
  peerDecode(dir, info, uid, value, photometric, frames);

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return se === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((255 * 255 * a.length) / se);
}

const SOURCES: readonly [string, FrameInfo, readonly string[], number][] = [
  ['8-bit MONOCHROME2 64x48, baseline', frameInfo(64, 48, 8, 8), ['+eb'], 1],
  ['odd 7x3, baseline', frameInfo(7, 3, 8, 8), ['+eb'], 1],
  ['RGB 33x21 as YBR_FULL_422 (4:2:2), baseline', frameInfo(33, 21, 8, 8, false, 3), ['+eb'], 1],
  ['RGB 33x21 as YBR_FULL (4:4:4), baseline', frameInfo(33, 21, 8, 8, false, 3), ['+eb', '+s4'], 1],
  ['RGB 17x19 kept RGB in the stream, baseline', frameInfo(17, 19, 8, 8, false, 3), ['+eb', '+cr'], 1],
  ['RGB planar 16x16, baseline', frameInfo(16, 16, 8, 8, false, 3, 1), ['+eb'], 1],
  ['3 frames 8-bit 24x20, baseline', frameInfo(24, 20, 8, 8), ['+eb'], 3],
  ['8-bit 40x30, extended (.51, 8-bit precision)', frameInfo(40, 30, 8, 8), ['+ee'], 1],
];

describe.each(BACKENDS)('JPEG 8-bit (%s backend) against DCMTK', (backend) => {
  for (const [name, info, args, frames] of SOURCES) {
    it(`FR-DICOM-04.codec: ${name}: dcmcjpeg output decodes in ours exactly as in dcmdjpeg`, async () => {
      const px = new Uint8Array(
        Buffer.concat(Array.from({ length: frames }, (_, i) => syntheticFrame(info, 3 + i, 0.05))),
      );
      const jpeg = throughTool(
        dir,
        'dcmcjpeg',
        args,
        info,
        TransferSyntax.explicitVrLittleEndian,
        px,
        false,
        frames,
      );
      const photometric = photometricOf(jpeg);
      const reference = dcmdjpeg(info, jpeg.transferSyntaxUid, jpeg.pixelData, photometric, frames);
      expect(photometricOf(reference)).toBe(photometricAfterDecode(photometric, jpeg.transferSyntaxUid));
      const fb = info.rows * info.columns * info.samplesPerPixel;
      const fragments = decapsulate(jpeg.pixelData, frames);
      for (let f = 0; f < frames; f++) {
        const ours = await decodeFrame(fragments[f]!, info, jpeg.transferSyntaxUid, {
          libraryBackend: backend,
          photometricInterpretation: photometric,
        });
        const theirs = nativePixels({ ...reference, pixelData: reference.pixelData.subarray(f * fb) }, info);
        expect(firstDifference(ours, theirs)).toBe(-1);
        expect(psnr(ours, px.subarray(f * fb, (f + 1) * fb))).toBeGreaterThan(28);
      }
    });
  }

  for (const info of [frameInfo(64, 80, 8, 8), frameInfo(40, 36, 8, 8, false, 3), frameInfo(7, 3, 8, 8)]) {
    it(`FR-DICOM-04.codec: our baseline JPEG (${info.rows}x${info.columns}, ${info.samplesPerPixel} samples, 3 frames) decodes in dcmdjpeg exactly as in ours`, async () => {
      const frames = [0, 1, 2].map((i) => syntheticFrame(info, 10 + i, 0.05));
      const native = new Uint8Array(Buffer.concat(frames));
      if (backend === 'wasm' && native.length / 3 < 4096) {
        const err = (await encodeFrame(frames[0]!, info, TransferSyntax.jpegBaseline, {
          allowLossy: true,
          libraryBackend: backend,
        }).catch((e: unknown) => e)) as CodecError;
        expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
        expect(err.message).toContain('encodes frames of at least 4096 bytes');
        return;
      }
      const jpeg = await transcodePixelData(
        native,
        info,
        3,
        TransferSyntax.explicitVrLittleEndian,
        TransferSyntax.jpegBaseline,
        { allowLossy: true, libraryBackend: backend },
      );
      const photometric = photometricAfterEncode(
        info.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2',
        TransferSyntax.jpegBaseline,
        info.samplesPerPixel,
      );
      expect(photometric).toBe(info.samplesPerPixel === 3 ? 'YBR_FULL' : 'MONOCHROME2');
      const reference = dcmdjpeg(info, TransferSyntax.jpegBaseline, jpeg.value, photometric, 3);
      const fb = native.length / 3;
      const fragments = decapsulate(jpeg.value, 3);
      for (let f = 0; f < 3; f++) {
        const ours = await decodeFrame(fragments[f]!, info, TransferSyntax.jpegBaseline, {
          libraryBackend: backend,
          photometricInterpretation: photometric,
        });
        const theirs = nativePixels({ ...reference, pixelData: reference.pixelData.subarray(f * fb) }, info);
        expect(firstDifference(ours, theirs)).toBe(-1);
        expect(psnr(ours, frames[f]!)).toBeGreaterThan(28);
      }
    });
  }

  it('FR-DICOM-04.codec: encoding is lossy-only and 8-bit-only, each refusal says why', async () => {
    const info = frameInfo(8, 8, 8, 8);
    const px = syntheticFrame(info, 1);
    const denied = (await encodeFrame(px, info, TransferSyntax.jpegBaseline, {
      libraryBackend: backend,
    }).catch((e: unknown) => e)) as CodecError;
    expect(denied.code).toBe(CODEC_ERROR_CODES.lossyNotAllowed);
    const wide = frameInfo(8, 8, 16, 12);
    const err = (await encodeFrame(syntheticFrame(wide, 1), wide, TransferSyntax.jpegBaseline, {
      allowLossy: true,
      libraryBackend: backend,
    }).catch((e: unknown) => e)) as CodecError;
    expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(err.message).toBe('JPEG baseline holds 8 bits; this image has 16');
  });
});
