import { afterAll, describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  decodeFrame,
  type FrameInfo,
  haveJpeg12Encode,
  jpeg12Decode,
  nativeStatus,
  readJpegFrameHeader,
  TransferSyntax,
} from '../lib/index.js';
import { jpeg12DecodeTs } from '../lib/jpeg12-ts.js';
import { type DctSeedOptions, encodeJpegDctSeed } from './fuzz/jpeg12-seeds.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { dcmdjpegWith, nativePixels, throughTool } from './helpers/peers.js';
import { tempDir } from './helpers/tools.js';

// The TypeScript sequential DCT decoder (lib/jpeg12-ts.ts), the 12-bit fallback without the
// addon, against IJG 6b as DCMTK's dcmdjpeg runs it (its 12-bit build for P = 12, its 8-bit build
// for P = 8) and, where the addon loaded, GDCM's libgdcmjpeg12 in the addon: every stream must
// decode to exactly the same samples (integer ISLOW IDCT, fancy upsampling, fixed-point YCbCr).
const dir = tempDir('jpeg12-ts');
afterAll(() => dir.remove());
const addon = haveJpeg12Encode();

/** dcmdjpeg's frames of an encapsulated .51 value (`frames` fragments). */
const dcmdjpeg = dcmdjpegWith(dir, TransferSyntax.jpegExtended);

/** One fragment as an encapsulated value (empty BOT, one item, delimiter). */
function encapsulated(frame: Uint8Array): Uint8Array {
  const even = frame.length % 2 === 1 ? Buffer.concat([frame, new Uint8Array(1)]) : Buffer.from(frame);
  const item = (len: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(0xfffe, 0);
    b.writeUInt16LE(0xe000, 2);
    b.writeUInt32LE(len, 4);
    return b;
  };
  const end = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return new Uint8Array(Buffer.concat([item(0), item(even.length), even, end]));
}

/** Ours against dcmdjpeg (and the addon, when loaded) on one frame; returns ours. */
async function agree(
  frame: Uint8Array,
  info: FrameInfo,
  photometric: string,
  ct: number,
): Promise<Uint8Array> {
  const ours = jpeg12DecodeTs(frame, info, ct);
  const reference = nativePixels(dcmdjpeg(info, encapsulated(frame), photometric), info);
  expect(firstDifference(ours, reference), 'against dcmdjpeg').toBe(-1);
  if (addon && readJpegFrameHeader(frame).precision === 12) {
    const native = await jpeg12Decode(frame, info, ct);
    expect(firstDifference(ours, native), 'against the addon').toBe(-1);
  }
  return ours;
}

const MONO: readonly [string, FrameInfo, readonly string[]][] = [
  ['12-bit 64x48', frameInfo(64, 48, 16, 12), ['+ee']],
  ['12-bit odd 7x3', frameInfo(7, 3, 16, 12), ['+ee']],
  ['10-bit stored 33x17, quality 75', frameInfo(33, 17, 16, 10), ['+ee', '+q', '75']],
  ['12-bit 600x500, quality 100', frameInfo(600, 500, 16, 12), ['+ee', '+q', '100']],
  ['12-bit 257x129, quality 20', frameInfo(257, 129, 16, 12), ['+ee', '+q', '20']],
];

describe('JPEG 12-bit TypeScript decoder against IJG (dcmdjpeg, the addon)', () => {
  for (const [name, info, args] of MONO) {
    it(`FR-DICOM-04.codec: ${name}: dcmcjpeg ${args.join(' ')} decodes exactly as dcmdjpeg`, async () => {
      const px = syntheticFrame(info, 7, 0.05);
      const jpeg = throughTool(dir, 'dcmcjpeg', args, info, TransferSyntax.explicitVrLittleEndian, px, false);
      expect(jpeg.transferSyntaxUid).toBe(TransferSyntax.jpegExtended);
      const stored = jpeg.elements.get('00280101')!;
      const declared = { ...info, bitsStored: stored[0]! | (stored[1]! << 8) };
      const [frame] = decapsulate(jpeg.pixelData, 1);
      await agree(frame!, declared, 'MONOCHROME2', 0);
    });
  }

  for (const [name, args] of [
    ['4:2:2 YBR_FULL_422 (dcmcjpeg default)', ['+ee']],
    ['4:4:4 YBR_FULL', ['+ee', '+s4']],
    ['4:1:1 YBR_FULL (2×2 chroma)', ['+ee', '+n1']],
    ['RGB, no colour transform', ['+ee', '+cr']],
  ] as const) {
    it(`FR-DICOM-04.codec: 12-bit colour ${name}: decodes exactly as dcmdjpeg`, async () => {
      for (const info of [frameInfo(40, 36, 16, 12, false, 3), frameInfo(13, 11, 16, 12, false, 3, 1)]) {
        const px = syntheticFrame(info, 3, 0.05);
        const jpeg = throughTool(
          dir,
          'dcmcjpeg',
          args,
          info,
          TransferSyntax.explicitVrLittleEndian,
          px,
          false,
        );
        const pm = Buffer.from(jpeg.elements.get('00280004')!).toString('latin1').trim();
        const [frame] = decapsulate(jpeg.pixelData, 1);
        const ct = pm === 'RGB' ? 2 : 1;
        const ours = await agree(frame!, info, pm, ct);
        // decodeFrame routes .51 12-bit streams here without the addon; the same samples.
        const routed = await decodeFrame(frame!, info, TransferSyntax.jpegExtended, {
          photometricInterpretation: pm,
        });
        expect(firstDifference(routed, ours)).toBe(-1);
      }
    });
  }

  it('FR-DICOM-04.codec: GDCM gdcmconv --jpeg --lossy of a 12-bit image writes a P 16 DCT stream; refused typed, as dcmdjpeg refuses it', async () => {
    // GDCM 3.0.21 codes 16 bits allocated at 16-bit precision under .51; T.81 B.2.2 allows P 8 or
    // 12 for the DCT processes, and dcmdjpeg says "Unsupported JPEG data precision 16".
    const info = frameInfo(96, 80, 16, 12);
    const px = syntheticFrame(info, 11, 0.05);
    const jpeg = throughTool(
      dir,
      'gdcmconv',
      ['--jpeg', '--lossy', '-q', '85'],
      info,
      TransferSyntax.explicitVrLittleEndian,
      px,
      false,
    );
    expect(jpeg.transferSyntaxUid).toBe(TransferSyntax.jpegExtended);
    const [frame] = decapsulate(jpeg.pixelData, 1);
    expect(readJpegFrameHeader(frame!).precision).toBe(16);
    expect(() => jpeg12DecodeTs(frame!, info)).toThrow(/precision is neither 8 nor 12/);
    const err = (await decodeFrame(frame!, info, TransferSyntax.jpegExtended).catch(
      (e: unknown) => e,
    )) as CodecError;
    expect(err.code).toBe(CODEC_ERROR_CODES.corrupt);
    expect(() => dcmdjpeg(info, jpeg.pixelData, 'MONOCHROME2')).toThrow(/precision 16/);
  });

  const SEEDS: readonly [string, FrameInfo, DctSeedOptions, string, number][] = [
    ['restart interval 1', frameInfo(21, 19, 16, 12), { restartInterval: 1 }, 'MONOCHROME2', 0],
    [
      'restart interval 5, quantizer 300 (16-bit DQT)',
      frameInfo(40, 33, 16, 12),
      { restartInterval: 5, quant: 300 },
      'MONOCHROME2',
      0,
    ],
    ['quantizer 1 (largest coefficients)', frameInfo(24, 16, 16, 12), { quant: 1 }, 'MONOCHROME2', 0],
    ['baseline SOF0 marker at P 12', frameInfo(9, 17, 16, 12), { baseline: true }, 'MONOCHROME2', 0],
    ['a 2×2-sampled single component', frameInfo(19, 23, 16, 12), { sampling: [[2, 2]] }, 'MONOCHROME2', 0],
    [
      'P 8, 8 bits allocated, restarts',
      frameInfo(20, 30, 8, 8),
      { precision: 8, restartInterval: 3 },
      'MONOCHROME2',
      0,
    ],
    [
      'YCbCr 2×2/1×1/1×1, restarts 2, JFIF',
      frameInfo(35, 29, 16, 12, false, 3),
      {
        sampling: [
          [2, 2],
          [1, 1],
          [1, 1],
        ],
        restartInterval: 2,
        marker: 'jfif',
      },
      'YBR_FULL',
      0,
    ],
    [
      'YCbCr 2×1 chroma 1×1, separate scans',
      frameInfo(18, 37, 16, 12, false, 3),
      {
        sampling: [
          [2, 1],
          [1, 1],
          [1, 1],
        ],
        separateScans: true,
      },
      'YBR_FULL',
      1,
    ],
    [
      'YCbCr 1×2 (vertical only: replicated)',
      frameInfo(17, 16, 16, 12, false, 3),
      {
        sampling: [
          [1, 2],
          [1, 1],
          [1, 1],
        ],
      },
      'YBR_FULL',
      1,
    ],
    [
      'YCbCr 4×1 / 3×1-ratio-free 1×1, restarts 1',
      frameInfo(11, 45, 16, 12, false, 3),
      {
        sampling: [
          [4, 1],
          [1, 1],
          [1, 1],
        ],
        restartInterval: 1,
      },
      'YBR_FULL',
      1,
    ],
    [
      'YCbCr 2×2 chroma two samples wide (no triangle filter)',
      frameInfo(16, 12, 16, 12, false, 3),
      {
        sampling: [
          [2, 2],
          [1, 1],
          [1, 1],
        ],
      },
      'YBR_FULL',
      1,
    ],
    [
      'Adobe RGB marker, chroma 2×2 luma 1×1',
      frameInfo(26, 26, 16, 12, false, 3),
      {
        sampling: [
          [1, 1],
          [2, 2],
          [1, 1],
        ],
        marker: 'adobe-rgb',
      },
      'RGB',
      2,
    ],
    ["component ids 'R','G','B'", frameInfo(10, 14, 16, 12, false, 3), { ids: [82, 71, 66] }, 'RGB', 2],
    [
      'P 8 colour 2×1 chroma',
      frameInfo(24, 40, 8, 8, false, 3),
      {
        precision: 8,
        sampling: [
          [2, 1],
          [1, 1],
          [1, 1],
        ],
      },
      'YBR_FULL',
      1,
    ],
  ];
  for (const [name, info, options, pm, ct] of SEEDS) {
    it(`FR-DICOM-04.codec: ${name}: decodes exactly as IJG`, async () => {
      const px = syntheticFrame(info, 5, 0.2);
      const frame = encodeJpegDctSeed(px, info, options);
      await agree(frame, info, pm, ct);
    });
  }

  it('FR-DICOM-04.codec: without an explicit colour transform, the markers and ids decide as in IJG', () => {
    const info = frameInfo(16, 16, 16, 12, false, 3);
    const px = syntheticFrame(info, 2, 0.2);
    for (const [options, ct] of [
      [{ marker: 'jfif' }, 1],
      [{ marker: 'adobe-rgb' }, 2],
      [{ marker: 'adobe-ycc' }, 1],
      [{ ids: [82, 71, 66] }, 2],
      [{}, 1],
    ] as const) {
      const frame = encodeJpegDctSeed(px, info, options);
      expect(firstDifference(jpeg12DecodeTs(frame, info, 0), jpeg12DecodeTs(frame, info, ct))).toBe(-1);
    }
  });

  it('FR-DICOM-04.codec: progressive (dcmcjpeg +ep) and arithmetic-coded streams are refused as unsupported', () => {
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
    const err = (() => {
      try {
        return jpeg12DecodeTs(frame!, info);
      } catch (e) {
        return e as CodecError;
      }
    })() as CodecError;
    expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(err.message).toBe('JPEG 12-bit: not a 12-bit sequential DCT stream (Process 4)');
    const arith = encodeJpegDctSeed(syntheticFrame(info, 4), info);
    arith[arith.findIndex((b, i) => b === 0xff && arith[i + 1] === 0xc1) + 1] = 0xc9; // SOF9
    expect(() => jpeg12DecodeTs(arith, info)).toThrow(/arithmetic/);
  });

  it('FR-DICOM-04.codec: every truncation of a 12-bit stream fails with HNV_ERR_CODEC_CORRUPT, as in the addon', () => {
    const info = frameInfo(16, 16, 16, 12);
    for (const frame of [
      decapsulate(
        throughTool(
          dir,
          'dcmcjpeg',
          ['+ee'],
          info,
          TransferSyntax.explicitVrLittleEndian,
          syntheticFrame(info, 9),
          false,
        ).pixelData,
        1,
      )[0]!,
      encodeJpegDctSeed(syntheticFrame(info, 9, 0.3), info, { restartInterval: 1 }),
    ]) {
      const end = frame.lastIndexOf(0xd9) + 1;
      for (let cut = 2; cut < end - 1; cut++) {
        let err: unknown;
        try {
          jpeg12DecodeTs(frame.subarray(0, cut), info);
        } catch (e) {
          err = e;
        }
        expect(err, `cut at ${cut}`).toBeInstanceOf(CodecError);
        expect((err as CodecError).code, `cut at ${cut}`).toBe(CODEC_ERROR_CODES.corrupt);
      }
    }
  });

  it.runIf(nativeStatus().kind !== 'loaded')(
    'FR-DICOM-04.codec: without the addon, decodeFrame decodes 12-bit .51 through TypeScript',
    async () => {
      const info = frameInfo(32, 24, 16, 12);
      const frame = encodeJpegDctSeed(syntheticFrame(info, 2), info);
      const out = await decodeFrame(frame, info, TransferSyntax.jpegExtended);
      expect(firstDifference(out, jpeg12DecodeTs(frame, info))).toBe(-1);
    },
  );
});
