import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  decodeFrame,
  encodeFrame,
  nativeStatus,
  photometricAfterDecode,
  photometricAfterEncode,
  planarConfigurationFor,
  rleDecode,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

const dir = tempDir('transcode');
afterAll(() => dir.remove());

async function expectCodecError(p: Promise<unknown>, code: string): Promise<CodecError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CodecError);
  expect((err as CodecError).code).toBe(code);
  return err as CodecError;
}

const NATIVE = nativeStatus().kind === 'loaded';
// Without the addon (HNVUE_NATIVE=0) JPEG Lossless is unavailable; every other pair still runs.
const LOSSLESS: readonly string[] = [
  TransferSyntax.explicitVrLittleEndian,
  TransferSyntax.implicitVrLittleEndian,
  ...(NATIVE ? [TransferSyntax.jpegLosslessSv1, TransferSyntax.jpegLossless] : []),
  TransferSyntax.jpeg2000Lossless,
];

describe('transcodePixelData', () => {
  const info = frameInfo(19, 23, 16, 12, true);
  const frames = [syntheticFrame(info, 1, 0.3), syntheticFrame(info, 2, 0.3), syntheticFrame(info, 3, 0.3)];
  const native = new Uint8Array(Buffer.concat(frames));

  for (const from of LOSSLESS) {
    for (const to of LOSSLESS) {
      it(`FR-DICOM-04.transcode: 3 frames ${from} -> ${to} -> native is pixel-exact`, async () => {
        const source = await transcodePixelData(native, info, 3, TransferSyntax.explicitVrLittleEndian, from);
        const target = await transcodePixelData(source.value, info, 3, from, to);
        expect(target.encapsulated).toBe(to.startsWith('1.2.840.10008.1.2.4'));
        const back = await transcodePixelData(
          target.value,
          info,
          3,
          to,
          TransferSyntax.explicitVrLittleEndian,
        );
        expect(back.encapsulated).toBe(false);
        expect(firstDifference(back.value, native)).toBe(-1);
      });
    }
  }

  it.runIf(NATIVE)(
    'FR-DICOM-04.transcode: an odd-length native result is padded to even length',
    async () => {
      const odd = frameInfo(3, 3, 8, 8);
      const px = syntheticFrame(odd, 4, 0.5);
      const enc = await transcodePixelData(
        px,
        odd,
        1,
        TransferSyntax.explicitVrLittleEndian,
        TransferSyntax.jpegLosslessSv1,
      );
      const back = await transcodePixelData(
        enc.value,
        odd,
        1,
        TransferSyntax.jpegLosslessSv1,
        TransferSyntax.implicitVrLittleEndian,
      );
      expect(back.value.length).toBe(10);
      expect(Array.from(back.value.subarray(0, 9))).toEqual(Array.from(px));
      expect(back.value[9]).toBe(0);
    },
  );

  it('FR-DICOM-04.transcode: each encapsulated frame is its own fragment, indexed by the Basic Offset Table', async () => {
    const out = await transcodePixelData(
      native,
      info,
      3,
      TransferSyntax.explicitVrLittleEndian,
      TransferSyntax.jpeg2000Lossless,
    );
    const view = new DataView(out.value.buffer, out.value.byteOffset);
    expect(view.getUint32(4, true)).toBe(12);
    expect(decapsulate(out.value, 3)).toHaveLength(3);
  });
});

describe('encodeFrame / decodeFrame policy', () => {
  const info = frameInfo(8, 8, 16, 16);
  const px = syntheticFrame(info, 5, 0.3);

  it('FR-DICOM-04.transcode: refuses a lossy target unless allowLossy is set', async () => {
    const err = await expectCodecError(
      encodeFrame(px, info, TransferSyntax.jpeg2000),
      CODEC_ERROR_CODES.lossyNotAllowed,
    );
    expect(err.hint).toContain('allowLossy');
    const allowed = await encodeFrame(px, info, TransferSyntax.jpeg2000, { allowLossy: true });
    // We still encode 1.2.840.10008.1.2.4.91 reversibly.
    expect(firstDifference(await decodeFrame(allowed, info, TransferSyntax.jpeg2000), px)).toBe(-1);
  });

  it.runIf(NATIVE)(
    'FR-DICOM-04.transcode: a point transform is lossy and needs allowLossy; it drops exactly Pt bits',
    async () => {
      await expectCodecError(
        encodeFrame(px, info, TransferSyntax.jpegLossless, { pointTransform: 2 }),
        CODEC_ERROR_CODES.lossyNotAllowed,
      );
      const jpeg = await encodeFrame(px, info, TransferSyntax.jpegLossless, {
        pointTransform: 2,
        allowLossy: true,
      });
      const out = new Uint16Array(
        (await decodeFrame(jpeg, info, TransferSyntax.jpegLossless)).slice().buffer,
      );
      const src = new Uint16Array(px.slice().buffer);
      expect(Array.from(out)).toEqual(Array.from(src, (v) => v & ~3));
    },
  );

  it.runIf(NATIVE)('FR-DICOM-04.transcode: 1.2.840.10008.1.2.4.70 insists on predictor 1', async () => {
    await expectCodecError(
      encodeFrame(px, info, TransferSyntax.jpegLosslessSv1, { predictor: 4 }),
      CODEC_ERROR_CODES.invalidArgument,
    );
  });

  it('FR-DICOM-04.transcode: unknown transfer syntaxes and bad geometry are typed errors', async () => {
    // JPEG XL Lossless (1.2.840.10008.1.2.4.110): encapsulated, lossless, no codec of ours.
    await expectCodecError(encodeFrame(px, info, '1.2.840.10008.1.2.4.110'), CODEC_ERROR_CODES.unsupported);
    await expectCodecError(decodeFrame(px, info, '1.2.840.10008.1.2.2'), CODEC_ERROR_CODES.unsupported);
    await expectCodecError(
      encodeFrame(px, { ...info, rows: 0 }, TransferSyntax.jpegLossless),
      CODEC_ERROR_CODES.invalidArgument,
    );
    await expectCodecError(
      encodeFrame(px.subarray(1), info, TransferSyntax.jpegLossless),
      CODEC_ERROR_CODES.invalidArgument,
    );
  });

  it('FR-DICOM-04.transcode: photometric and planar configuration follow the encoding', () => {
    expect(photometricAfterEncode('RGB', TransferSyntax.jpeg2000Lossless, 3)).toBe('YBR_RCT');
    expect(photometricAfterEncode('RGB', TransferSyntax.jpegLossless, 3)).toBe('RGB');
    expect(photometricAfterEncode('MONOCHROME2', TransferSyntax.jpeg2000Lossless, 1)).toBe('MONOCHROME2');
    expect(photometricAfterDecode('YBR_RCT')).toBe('RGB');
    expect(photometricAfterEncode('RGB', TransferSyntax.htj2kLossless, 3)).toBe('YBR_RCT');
    expect(photometricAfterEncode('RGB', TransferSyntax.jpegBaseline, 3)).toBe('YBR_FULL');
    expect(photometricAfterEncode('RGB', TransferSyntax.jpegLsLossless, 3)).toBe('RGB');
    expect(photometricAfterDecode('YBR_FULL_422', TransferSyntax.jpegBaseline)).toBe('RGB');
    expect(photometricAfterDecode('YBR_FULL', TransferSyntax.jpegExtended)).toBe('RGB');
    expect(photometricAfterDecode('YBR_FULL_422', TransferSyntax.explicitVrLittleEndian)).toBe(
      'YBR_FULL_422',
    );
    expect(photometricAfterDecode('MONOCHROME1', TransferSyntax.jpegBaseline)).toBe('MONOCHROME1');
    expect(planarConfigurationFor(frameInfo(2, 2, 8, 8, false, 3, 1), TransferSyntax.jpegLossless)).toBe(0);
    expect(
      planarConfigurationFor(frameInfo(2, 2, 8, 8, false, 3, 1), TransferSyntax.explicitVrLittleEndian),
    ).toBe(1);
  });
});

describe('RLE Lossless decode against DCMTK', () => {
  // The second half re-encodes to JPEG Lossless, so these need the addon.
  if (NATIVE)
    for (const info of [
      frameInfo(17, 13, 16, 12, true),
      frameInfo(9, 11, 8, 8, false, 3),
      frameInfo(1, 1, 8, 8),
    ]) {
      it(`FR-DICOM-04.transcode: dcmcrle output (${info.rows}x${info.columns}, ${info.bitsAllocated}-bit, ${info.samplesPerPixel} samples) decodes pixel-exact`, async () => {
        const px = syntheticFrame(info, 8, 0.4);
        const out = throughTool(dir, 'dcmcrle', [], info, TransferSyntax.explicitVrLittleEndian, px, false);
        expect(out.transferSyntaxUid).toBe(TransferSyntax.rleLossless);
        const decoded = await decodeFrame(decapsulate(out.pixelData)[0]!, info, TransferSyntax.rleLossless);
        expect(firstDifference(decoded, px)).toBe(-1);
        // And ours to JPEG Lossless decodes in dcmdjpeg to the same pixels.
        const jpeg = await transcodePixelData(
          out.pixelData,
          info,
          1,
          TransferSyntax.rleLossless,
          TransferSyntax.jpegLosslessSv1,
        );
        const dcmtk = throughTool(
          dir,
          'dcmdjpeg',
          ['+te'],
          info,
          TransferSyntax.jpegLosslessSv1,
          jpeg.value,
          true,
        );
        expect(firstDifference(nativePixels(dcmtk, info), px)).toBe(-1);
      });
    }

  it('FR-DICOM-04.transcode: truncated and inconsistent RLE is HNV_ERR_CODEC_CORRUPT', () => {
    const info = frameInfo(4, 4, 8, 8);
    const header = new Uint8Array(64);
    const v = new DataView(header.buffer);
    v.setUint32(0, 1, true);
    v.setUint32(4, 64, true);
    const short = concatBytes(header, Uint8Array.of(3, 1, 2, 3, 4)); // 4 of 16 bytes
    expect(() => rleDecode(short, info)).toThrow(CodecError);
    v.setUint32(0, 2, true);
    expect(() => rleDecode(concatBytes(header, Uint8Array.of(0xf1, 0)), info)).toThrow(CodecError);
    expect(() => rleDecode(Uint8Array.of(1, 2, 3), info)).toThrow(CodecError);
  });
});

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([a, b]));
}
