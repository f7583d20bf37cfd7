import { afterAll, describe, expect, it } from 'vitest';
import {
  decapsulate,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type FrameInfo,
  type J2kBackend,
  nativeStatus,
  TransferSyntax,
} from '../lib/index.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// JPEG 2000 reversible coding, both backends (system OpenJPEG in the addon, OpenJPEG in
// WebAssembly), cross-checked pixel-exact against GDCM's gdcmconv: FR-DICOM-04.
const dir = tempDir('j2k');
afterAll(() => dir.remove());

// gdcmconv --j2k cannot encode the two smallest (it fails with "Could not change the Transfer
// Syntax"); for them the other backend's codestream stands in as the independent encoder.
const TINY: readonly [string, FrameInfo][] = [
  ['1x1 16-bit unsigned', frameInfo(1, 1, 16, 16)],
  ['7x3 8-bit MONOCHROME2', frameInfo(7, 3, 8, 8)],
];
const CASES: readonly [string, FrameInfo][] = [
  ...TINY,
  ['33x65 12-bit unsigned', frameInfo(33, 65, 16, 12)],
  ['40x31 12-bit signed', frameInfo(40, 31, 16, 12, true)],
  ['64x48 16-bit unsigned', frameInfo(64, 48, 16, 16)],
  ['29x57 16-bit signed', frameInfo(29, 57, 16, 16, true)],
  ['21x17 8-bit RGB', frameInfo(21, 17, 8, 8, false, 3)],
];

const BACKENDS: readonly J2kBackend[] = nativeStatus().kind === 'loaded' ? ['native', 'wasm'] : ['wasm'];

describe.each(BACKENDS)('JPEG 2000 (%s backend) against GDCM', (backend) => {
  for (const [name, info] of CASES) {
    it(`FR-DICOM-04.codec: ${name}: our codestream decodes pixel-exact in gdcmconv --raw`, async () => {
      const pixels = syntheticFrame(info, 9, 0.2);
      const j2k = await encodeFrame(pixels, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend });
      const out = throughTool(
        dir,
        'gdcmconv',
        ['--raw'],
        info,
        TransferSyntax.jpeg2000Lossless,
        encapsulate([j2k]),
        true,
        1,
      );
      expect(out.transferSyntaxUid).toBe(TransferSyntax.explicitVrLittleEndian);
      expect(firstDifference(nativePixels(out, info), pixels)).toBe(-1);
    });

    const tiny = TINY.some(([t]) => t === name);
    if (!tiny)
      it(`FR-DICOM-04.codec: ${name}: gdcmconv --j2k output decodes pixel-exact in ours`, async () => {
        const pixels = syntheticFrame(info, 13, 0.2);
        const out = throughTool(
          dir,
          'gdcmconv',
          ['--j2k'],
          info,
          TransferSyntax.explicitVrLittleEndian,
          pixels,
          false,
        );
        expect(out.transferSyntaxUid).toBe(TransferSyntax.jpeg2000Lossless);
        const [frame] = decapsulate(out.pixelData, 1);
        const decoded = await decodeFrame(frame!, info, out.transferSyntaxUid, { j2kBackend: backend });
        expect(firstDifference(decoded, pixels)).toBe(-1);
      });
  }

  it.each(TINY)(
    'FR-DICOM-04.codec: %s: the other backend decodes our codestream pixel-exact',
    async (_, info) => {
      const other: J2kBackend = BACKENDS.find((b) => b !== backend) ?? backend;
      const pixels = syntheticFrame(info, 17, 0.5);
      const j2k = await encodeFrame(pixels, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: other });
      const decoded = await decodeFrame(j2k, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend });
      expect(firstDifference(decoded, pixels)).toBe(-1);
    },
  );

  it('FR-DICOM-04.codec: a lossy 1.2.840.10008.1.2.4.91 stream from gdcmconv decodes like gdcmconv --raw decodes it', async () => {
    const info = frameInfo(64, 80, 16, 12);
    const pixels = syntheticFrame(info, 23, 0.2);
    const lossy = throughTool(
      dir,
      'gdcmconv',
      ['--j2k', '--lossy', '-q', '30'],
      info,
      TransferSyntax.explicitVrLittleEndian,
      pixels,
      false,
    );
    expect(lossy.transferSyntaxUid).toBe(TransferSyntax.jpeg2000);
    const [frame] = decapsulate(lossy.pixelData, 1);
    const ours = await decodeFrame(frame!, info, TransferSyntax.jpeg2000, { j2kBackend: backend });
    const theirs = throughTool(
      dir,
      'gdcmconv',
      ['--raw'],
      info,
      TransferSyntax.jpeg2000,
      lossy.pixelData,
      true,
    );
    const a = new Uint16Array(ours.slice().buffer);
    const b = new Uint16Array(nativePixels(theirs, info).slice().buffer);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(firstDifference(ours, pixels)).not.toBe(-1); // it really is lossy
    expect(worst).toBeLessThanOrEqual(1); // same OpenJPEG 9/7 inverse, up to rounding
  });

  it('FR-DICOM-04.codec: planar RGB input comes back in the layout asked for', async () => {
    const info = frameInfo(16, 24, 8, 8, false, 3, 1);
    const pixels = syntheticFrame(info, 21, 0.3);
    const j2k = await encodeFrame(pixels, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend });
    const planar = await decodeFrame(j2k, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend });
    expect(firstDifference(planar, pixels)).toBe(-1);
  });
});

describe('JPEG 2000 large frame', () => {
  it('FR-DICOM-04.codec: a 3001x2999 12-bit radiograph from gdcmconv --j2k decodes pixel-exact, and ours in gdcmconv', async () => {
    const info = frameInfo(2999, 3001, 16, 12);
    const pixels = syntheticFrame(info, 43, 0.01);
    const backend = BACKENDS[0]!;
    const j2k = await encodeFrame(pixels, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: backend });
    const out = throughTool(
      dir,
      'gdcmconv',
      ['--raw'],
      info,
      TransferSyntax.jpeg2000Lossless,
      encapsulate([j2k]),
      true,
    );
    expect(firstDifference(nativePixels(out, info), pixels)).toBe(-1);
    const theirs = throughTool(
      dir,
      'gdcmconv',
      ['--j2k'],
      info,
      TransferSyntax.explicitVrLittleEndian,
      pixels,
      false,
    );
    const decoded = await decodeFrame(
      decapsulate(theirs.pixelData)[0]!,
      info,
      TransferSyntax.jpeg2000Lossless,
      {
        j2kBackend: backend,
      },
    );
    expect(firstDifference(decoded, pixels)).toBe(-1);
  }, 60_000);
});
