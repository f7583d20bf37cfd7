import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  type CodecBackend,
  CodecError,
  decapsulate,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type FrameInfo,
  nativeStatus,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// JPEG-LS through both backends (CharLS in the addon, CharLS in WebAssembly), cross-checked
// pixel-exact against DCMTK: dcmcjpls encodes, we decode; we encode, dcmdjpls decodes.
const dir = tempDir('jpegls');
afterAll(() => dir.remove());

const status = nativeStatus();
const BACKENDS: readonly CodecBackend[] =
  status.kind === 'loaded' && status.charls !== undefined ? ['native', 'wasm'] : ['wasm'];

const CASES: readonly [string, FrameInfo, number][] = [
  ['8-bit MONOCHROME2 64x48', frameInfo(64, 48, 8, 8), 1],
  ['12-bit unsigned 33x65', frameInfo(33, 65, 16, 12), 1],
  ['16-bit unsigned 40x31', frameInfo(40, 31, 16, 16), 1],
  ['16-bit signed 29x57', frameInfo(29, 57, 16, 16, true), 1],
  ['12-bit signed 21x19', frameInfo(21, 19, 16, 12, true), 1],
  ['8-bit RGB interleaved 21x17', frameInfo(21, 17, 8, 8, false, 3, 0), 1],
  ['8-bit RGB planar 21x17', frameInfo(21, 17, 8, 8, false, 3, 1), 1],
  ['16-bit RGB 9x10', frameInfo(9, 10, 16, 16, false, 3), 1],
  ['odd 7x3 8-bit', frameInfo(7, 3, 8, 8), 1],
  ['3 frames 12-bit 15x13', frameInfo(15, 13, 16, 12), 3],
];

function framesOf(info: FrameInfo, count: number, seed: number): Uint8Array {
  return new Uint8Array(
    Buffer.concat(Array.from({ length: count }, (_, i) => syntheticFrame(info, seed + i, 0.3))),
  );
}
const frameBytesOf = (info: FrameInfo): number =>
  info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);

describe.each(BACKENDS)('JPEG-LS (%s backend) against DCMTK', (backend) => {
  for (const [name, info, frames] of CASES) {
    const fb = frameBytesOf(info);
    // dcmcjpls's three interleave modes for colour (ILV 0, 1, 2); one is enough for grey.
    const modes = info.samplesPerPixel === 3 ? ['+in', '+il', '+is'] : ['+il'];
    for (const mode of modes) {
      it(`FR-DICOM-04.codec: ${name}: dcmcjpls ${mode} output decodes pixel-exact in ours`, async () => {
        const px = framesOf(info, frames, 5);
        const out = throughTool(
          dir,
          'dcmcjpls',
          [mode],
          info,
          TransferSyntax.explicitVrLittleEndian,
          px,
          false,
          frames,
        );
        expect(out.transferSyntaxUid).toBe(TransferSyntax.jpegLsLossless);
        const fragments = decapsulate(out.pixelData, frames);
        for (let f = 0; f < frames; f++) {
          const decoded = await decodeFrame(fragments[f]!, info, out.transferSyntaxUid, {
            libraryBackend: backend,
          });
          expect(firstDifference(decoded, px.subarray(f * fb, (f + 1) * fb))).toBe(-1);
        }
      });
    }

    it(`FR-DICOM-04.codec: ${name}: our JPEG-LS decodes pixel-exact in dcmdjpls`, async () => {
      const px = framesOf(info, frames, 9);
      const jls = await transcodePixelData(
        px,
        info,
        frames,
        TransferSyntax.explicitVrLittleEndian,
        TransferSyntax.jpegLsLossless,
        { libraryBackend: backend },
      );
      const out = throughTool(
        dir,
        'dcmdjpls',
        [],
        info,
        TransferSyntax.jpegLsLossless,
        jls.value,
        true,
        frames,
      );
      expect(out.transferSyntaxUid).toBe(TransferSyntax.explicitVrLittleEndian);
      for (let f = 0; f < frames; f++) {
        const frame = { ...out, pixelData: out.pixelData.subarray(f * fb) };
        expect(firstDifference(nativePixels(frame, info), px.subarray(f * fb, (f + 1) * fb))).toBe(-1);
      }
    });
  }

  it('FR-DICOM-04.codec: near-lossless (.81, NEAR 2) only with allowLossy; dcmdjpls and ours agree exactly, within NEAR of the source', async () => {
    const info = frameInfo(40, 36, 16, 12);
    const px = syntheticFrame(info, 21, 0.3);
    const denied = await encodeFrame(px, info, TransferSyntax.jpegLsNearLossless, {
      libraryBackend: backend,
    }).catch((e: unknown) => e);
    expect((denied as CodecError).code).toBe(CODEC_ERROR_CODES.lossyNotAllowed);
    const near = await encodeFrame(px, info, TransferSyntax.jpegLsNearLossless, {
      allowLossy: true,
      libraryBackend: backend,
    });
    const ours = await decodeFrame(near, info, TransferSyntax.jpegLsNearLossless, {
      libraryBackend: backend,
    });
    const theirs = nativePixels(
      throughTool(dir, 'dcmdjpls', [], info, TransferSyntax.jpegLsNearLossless, encapsulate([near]), true),
      info,
    );
    expect(firstDifference(ours, theirs)).toBe(-1);
    expect(maxError(ours, px)).toBeLessThanOrEqual(2);
    expect(maxError(ours, px)).toBeGreaterThan(0);
    // And dcmcjpls's near-lossless stream decodes in ours as in dcmdjpls.
    const dcmtk = throughTool(
      dir,
      'dcmcjpls',
      ['+en'],
      info,
      TransferSyntax.explicitVrLittleEndian,
      px,
      false,
    );
    expect(dcmtk.transferSyntaxUid).toBe(TransferSyntax.jpegLsNearLossless);
    const [frame] = decapsulate(dcmtk.pixelData, 1);
    const oursOfTheirs = await decodeFrame(frame!, info, dcmtk.transferSyntaxUid, {
      libraryBackend: backend,
    });
    const ref = nativePixels(
      throughTool(dir, 'dcmdjpls', [], info, TransferSyntax.jpegLsNearLossless, dcmtk.pixelData, true),
      info,
    );
    expect(firstDifference(oursOfTheirs, ref)).toBe(-1);
  });

  it('FR-DICOM-04.codec: limits are typed errors that say why', async () => {
    const wide = frameInfo(2, 2, 32, 32);
    const err = (await encodeFrame(new Uint8Array(16), wide, TransferSyntax.jpegLsLossless, {
      libraryBackend: backend,
    }).catch((e: unknown) => e)) as CodecError;
    expect(err).toBeInstanceOf(CodecError);
    expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(err.message).toBe('JPEG-LS holds 2–16 bits; this image has 32');
    const info = frameInfo(4, 4, 8, 8);
    const jls = await encodeFrame(syntheticFrame(info, 1), info, TransferSyntax.jpegLsLossless, {
      libraryBackend: backend,
    });
    const nearOnLossless = await encodeFrame(syntheticFrame(info, 1), info, TransferSyntax.jpegLsLossless, {
      nearLossless: 1,
    }).catch((e: unknown) => e);
    expect((nearOnLossless as CodecError).code).toBe(CODEC_ERROR_CODES.invalidArgument);
    const wrongSize = await decodeFrame(jls, frameInfo(5, 4, 8, 8), TransferSyntax.jpegLsLossless, {
      libraryBackend: backend,
    }).catch((e: unknown) => e);
    expect((wrongSize as CodecError).code).toBe(CODEC_ERROR_CODES.corrupt);
  });
});

function maxError(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i + 1 < a.length; i += 2) {
    m = Math.max(m, Math.abs((a[i]! | (a[i + 1]! << 8)) - (b[i]! | (b[i + 1]! << 8))));
  }
  return m;
}
