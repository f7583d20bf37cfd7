import { afterAll, describe, expect, it } from 'vitest';
import {
  decapsulate,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type FrameInfo,
  nativeStatus,
  TransferSyntax,
} from '../lib/index.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// Pixel-exact cross-checks of our JPEG Lossless codec (T.81 Process 14) against DCMTK
// (dcmcjpeg/dcmdjpeg, IJG-based) and GDCM (gdcmconv, CharLS/IJG-based): FR-DICOM-04.
const dir = tempDir('jpegll');
afterAll(() => dir.remove());

const CASES: readonly [string, FrameInfo][] = [
  ['1x1 16-bit unsigned', frameInfo(1, 1, 16, 16)],
  ['7x3 8-bit MONOCHROME2', frameInfo(7, 3, 8, 8)],
  ['33x65 12-bit unsigned', frameInfo(33, 65, 16, 12)],
  ['40x31 12-bit signed', frameInfo(40, 31, 16, 12, true)],
  ['64x48 16-bit unsigned', frameInfo(64, 48, 16, 16)],
  ['29x57 16-bit signed', frameInfo(29, 57, 16, 16, true)],
  ['21x17 8-bit RGB', frameInfo(21, 17, 8, 8, false, 3)],
];

// Encoding needs the addon; decoding runs on the addon or, with HNVUE_NATIVE=0 / no addon, on the
// TypeScript fallback (lib/jpeg-lossless-ts.ts), so the dcmcjpeg → ours cases run both ways.
const native = nativeStatus().kind === 'loaded';
const backend = native ? 'addon' : 'TypeScript fallback';

describe('JPEG Lossless against DCMTK and GDCM', () => {
  for (const [name, info] of CASES) {
    it.runIf(native)(
      `FR-DICOM-04.codec: ${name}: our SV1 stream decodes pixel-exact in dcmdjpeg and gdcmconv --raw`,
      async () => {
        const pixels = syntheticFrame(info, 7, 0.2);
        const jpeg = await encodeFrame(pixels, info, TransferSyntax.jpegLosslessSv1);
        const value = encapsulate([jpeg]);
        const dcmtk = throughTool(
          dir,
          'dcmdjpeg',
          ['+te'],
          info,
          TransferSyntax.jpegLosslessSv1,
          value,
          true,
        );
        expect(firstDifference(nativePixels(dcmtk, info), pixels)).toBe(-1);
        const gdcm = throughTool(
          dir,
          'gdcmconv',
          ['--raw'],
          info,
          TransferSyntax.jpegLosslessSv1,
          value,
          true,
        );
        expect(firstDifference(nativePixels(gdcm, info), pixels)).toBe(-1);
      },
    );

    it(`FR-DICOM-04.codec: ${name}: dcmcjpeg output decodes pixel-exact in ours (${backend})`, async () => {
      const pixels = syntheticFrame(info, 11, 0.2);
      const out = throughTool(
        dir,
        'dcmcjpeg',
        [],
        info,
        TransferSyntax.explicitVrLittleEndian,
        pixels,
        false,
      );
      expect(out.transferSyntaxUid).toBe(TransferSyntax.jpegLosslessSv1);
      const [frame] = decapsulate(out.pixelData, 1);
      const decoded = await decodeFrame(frame!, info, out.transferSyntaxUid);
      expect(firstDifference(decoded, pixels)).toBe(-1);
    });
  }

  it(`FR-DICOM-04.codec: every predictor 2..7 of dcmcjpeg decodes in ours (${backend})`, async () => {
    const info = frameInfo(37, 53, 16, 16, true);
    const pixels = syntheticFrame(info, 3, 0.5);
    for (const sv of [2, 3, 4, 5, 6, 7] as const) {
      const out = throughTool(
        dir,
        'dcmcjpeg',
        ['+el', '+sv', String(sv)],
        info,
        TransferSyntax.explicitVrLittleEndian,
        pixels,
        false,
      );
      expect(out.transferSyntaxUid).toBe(TransferSyntax.jpegLossless);
      const decoded = await decodeFrame(decapsulate(out.pixelData)[0]!, info, TransferSyntax.jpegLossless);
      expect(firstDifference(decoded, pixels), `sv ${sv}`).toBe(-1);
    }
  });

  it.runIf(native)('FR-DICOM-04.codec: every predictor 2..7 of ours decodes in dcmdjpeg', async () => {
    const info = frameInfo(37, 53, 16, 16, true);
    const pixels = syntheticFrame(info, 3, 0.5);
    for (const sv of [2, 3, 4, 5, 6, 7] as const) {
      const ours = await encodeFrame(pixels, info, TransferSyntax.jpegLossless, { predictor: sv });
      const back = throughTool(
        dir,
        'dcmdjpeg',
        ['+te'],
        info,
        TransferSyntax.jpegLossless,
        encapsulate([ours]),
        true,
      );
      expect(firstDifference(nativePixels(back, info), pixels), `sv ${sv}`).toBe(-1);
    }
  });

  it.runIf(native)(
    'FR-DICOM-04.codec: a restart interval of one row decodes in dcmdjpeg and gdcmconv',
    async () => {
      const info = frameInfo(23, 19, 16, 12);
      const pixels = syntheticFrame(info, 5, 0.3);
      const jpeg = await encodeFrame(pixels, info, TransferSyntax.jpegLossless, {
        predictor: 4,
        restartInterval: 19,
      });
      const value = encapsulate([jpeg]);
      const dcmtk = throughTool(dir, 'dcmdjpeg', ['+te'], info, TransferSyntax.jpegLossless, value, true);
      expect(firstDifference(nativePixels(dcmtk, info), pixels)).toBe(-1);
      const gdcm = throughTool(dir, 'gdcmconv', ['--raw'], info, TransferSyntax.jpegLossless, value, true);
      expect(firstDifference(nativePixels(gdcm, info), pixels)).toBe(-1);
    },
  );

  it.runIf(native)(
    'FR-DICOM-04.codec: a 3001x2999 12-bit radiograph of ours decodes in dcmdjpeg',
    async () => {
      const info = frameInfo(2999, 3001, 16, 12);
      const pixels = syntheticFrame(info, 42, 0.01);
      const jpeg = await encodeFrame(pixels, info, TransferSyntax.jpegLosslessSv1);
      const dcmtk = throughTool(
        dir,
        'dcmdjpeg',
        ['+te'],
        info,
        TransferSyntax.jpegLosslessSv1,
        encapsulate([jpeg]),
        true,
      );
      expect(firstDifference(nativePixels(dcmtk, info), pixels)).toBe(-1);
    },
    60_000,
  );

  it(`FR-DICOM-04.codec: a 3001x2999 12-bit radiograph from dcmcjpeg decodes in ours (${backend})`, async () => {
    const info = frameInfo(2999, 3001, 16, 12);
    const pixels = syntheticFrame(info, 42, 0.01);
    const theirs = throughTool(
      dir,
      'dcmcjpeg',
      [],
      info,
      TransferSyntax.explicitVrLittleEndian,
      pixels,
      false,
    );
    const frame = decapsulate(theirs.pixelData)[0]!;
    const started = performance.now();
    const decoded = await decodeFrame(frame, info, TransferSyntax.jpegLosslessSv1);
    const ms = performance.now() - started;
    expect(firstDifference(decoded, pixels)).toBe(-1);
    if (process.env.HNVUE_BENCH_LOG === '1')
      console.log(`3001x2999 12-bit decode (${backend}): ${ms.toFixed(0)} ms`);
  }, 60_000);
});
