import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  CODEC_ERROR_CODES,
  type CodecBackend,
  CodecError,
  canonicalSamples,
  decapsulate,
  declaresHighThroughput,
  decodeFrame,
  encapsulate,
  encodeFrame,
  type FrameInfo,
  htj2kDecode,
  j2kDecode,
  nativeStatus,
  TransferSyntax,
  transcodePixelData,
} from '../lib/index.js';
import { nativeBinding } from '../lib/native.js';
import { firstDifference, frameInfo, syntheticFrame } from './helpers/images.js';
import { readNetpbm, readRaw16, writeNetpbm, writeRaw16 } from './helpers/netpbm.js';
import { runTool, tempDir } from './helpers/tools.js';

// HTJ2K through both backends (OpenJPH 0.9.0 in the addon, OpenJPH in WebAssembly), cross-checked
// pixel-exact against OpenJPH's own tools: ojph_compress encodes our images, we decode; we encode,
// ojph_expand decodes. DCMTK 3.6.7 predates HTJ2K (TOOLCHAIN.md), so these are the peers.
const dir = tempDir('htj2k');
afterAll(() => dir.remove());

const status = nativeStatus();
const BACKENDS: readonly CodecBackend[] =
  status.kind === 'loaded' && status.openJph !== undefined ? ['native', 'wasm'] : ['wasm'];

const CASES: readonly [string, FrameInfo][] = [
  ['8-bit MONOCHROME2 64x48', frameInfo(64, 48, 8, 8)],
  ['12-bit unsigned 33x65', frameInfo(33, 65, 16, 12)],
  ['16-bit unsigned 40x31', frameInfo(40, 31, 16, 16)],
  ['16-bit signed 29x57', frameInfo(29, 57, 16, 16, true)],
  ['12-bit signed 21x19', frameInfo(21, 19, 16, 12, true)],
  ['8-bit RGB 21x17', frameInfo(21, 17, 8, 8, false, 3)],
  ['8-bit RGB planar 21x17', frameInfo(21, 17, 8, 8, false, 3, 1)],
  ['16-bit RGB 9x10', frameInfo(9, 10, 16, 16, false, 3)],
  ['odd 7x3 8-bit', frameInfo(7, 3, 8, 8)],
];

/** Decomposition levels as our encoders choose them; ojph_compress's default 5 breaks tiny images. */
function levels(info: FrameInfo): number {
  let l = 5;
  while (l > 0 && (1 << l > info.columns || 1 << l > info.rows)) l--;
  return l;
}

let counter = 0;

/** ojph_compress of our frame → the .j2c codestream. */
function ojphCompress(px: Uint8Array, info: FrameInfo): Uint8Array {
  const n = ++counter;
  const out = dir.file(`c-${n}.j2c`);
  const args = ['-o', out, '-reversible', 'true', '-num_decomps', String(levels(info))];
  if (info.pixelRepresentation === 1) {
    const raw = dir.file(`c-${n}.yuv`);
    writeRaw16(raw, canonicalSamples(px, info));
    args.push('-i', raw, '-dims', `{${info.columns},${info.rows}}`, '-num_comps', '1');
    args.push('-signed', 'true', '-bit_depth', String(info.bitsStored), '-downsamp', '{1,1}');
  } else {
    const image = dir.file(`c-${n}.${info.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`);
    writeNetpbm(image, interleaved(px, info), { ...info, planarConfiguration: 0 });
    args.push('-i', image);
  }
  runTool('ojph_compress', args);
  return new Uint8Array(readFileSync(out));
}

/** ojph_expand of a codestream → interleaved canonical frame of `info`. */
function ojphExpand(codestream: Uint8Array, info: FrameInfo): Uint8Array {
  const n = ++counter;
  const input = dir.file(`e-${n}.j2c`);
  writeFileSync(input, codestream);
  const signed = info.pixelRepresentation === 1;
  const output = dir.file(`e-${n}.${signed ? 'yuv' : info.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`);
  runTool('ojph_expand', ['-i', input, '-o', output]);
  const px = signed ? readRaw16(output) : readNetpbm(output, { ...info, planarConfiguration: 0 });
  return canonicalSamples(px, { ...info, planarConfiguration: 0 });
}

function interleaved(px: Uint8Array, info: FrameInfo): Uint8Array {
  if (info.samplesPerPixel === 1 || info.planarConfiguration === 0) return px;
  const bytes = info.bitsAllocated / 8;
  const n = info.rows * info.columns;
  const out = new Uint8Array(px.length);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < n; i++)
      for (let b = 0; b < bytes; b++) out[(i * 3 + c) * bytes + b] = px[(c * n + i) * bytes + b]!;
  return out;
}

/** The main-header marker segments of a codestream (ISO 15444-1 A.1.4), up to the first SOT. */
function mainHeaderMarkers(cs: Uint8Array): Map<number, Uint8Array> {
  const markers = new Map<number, Uint8Array>();
  let p = 2;
  while (p + 4 <= cs.length) {
    const marker = (cs[p]! << 8) | cs[p + 1]!;
    if (marker === 0xff90) break; // SOT
    const len = (cs[p + 2]! << 8) | cs[p + 3]!;
    markers.set(marker, cs.subarray(p + 4, p + 2 + len));
    p += 2 + len;
  }
  return markers;
}

// WebAssembly OpenJPH misreads >8-bit 3-sample input (lib/htj2k.ts); those cells are refused.
const wasmRefuses = (info: FrameInfo): boolean => info.samplesPerPixel === 3 && info.bitsStored > 8;

describe.each(BACKENDS)('HTJ2K (%s backend) against OpenJPH tools', (backend) => {
  for (const [name, info] of CASES) {
    const signed = info.pixelRepresentation === 1;
    if (!signed)
      it(`FR-DICOM-04.codec: ${name}: ojph_compress output decodes pixel-exact in ours`, async () => {
        const px = syntheticFrame(info, 7, 0.3);
        const cs = ojphCompress(px, info);
        const decoded = await decodeFrame(cs, info, TransferSyntax.htj2kLossless, {
          libraryBackend: backend,
          trustedInput: true,
        });
        expect(firstDifference(decoded, px)).toBe(-1);
      });
    else
      it(`FR-DICOM-04.codec: ${name}: the other OpenJPH build's codestream decodes pixel-exact in ours`, async () => {
        // ojph_compress 0.9.0 cannot make signed input: its raw reader stores the two's complement
        // pattern as the sample (-1 becomes 65535 in a signed component; OpenJPEG 2.5 decodes its
        // output that way too). The other backend's encoder stands in.
        const other: CodecBackend = BACKENDS.find((b) => b !== backend) ?? backend;
        const px = syntheticFrame(info, 7, 0.3);
        const cs = await encodeFrame(px, info, TransferSyntax.htj2kLossless, { libraryBackend: other });
        const decoded = await decodeFrame(cs, info, TransferSyntax.htj2kLossless, {
          libraryBackend: backend,
          trustedInput: true,
        });
        expect(firstDifference(decoded, px)).toBe(-1);
      });

    const independent = signed ? 'OpenJPEG 2.5 (j2kDecode)' : 'ojph_expand';
    it(`FR-DICOM-04.codec: ${name}: our .201 codestream decodes pixel-exact in ${independent}`, async () => {
      const px = syntheticFrame(info, 11, 0.3);
      const encoding = encodeFrame(px, info, TransferSyntax.htj2kLossless, { libraryBackend: backend });
      if (backend === 'wasm' && wasmRefuses(info)) {
        const err = (await encoding.catch((e: unknown) => e)) as CodecError;
        expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
        expect(err.message).toContain('holds 3-sample images of up to 8 bits; this image has 16');
        return;
      }
      const cs = await encoding;
      // ojph_expand 0.9.0 writes signed samples clamped to 0..2^B-1, so signed cells are decoded by
      // OpenJPEG, an independent implementation that reads HTJ2K since 2.5.0.
      const decoded = signed ? await j2kDecode(cs, info) : ojphExpand(cs, info);
      expect(firstDifference(decoded, signed ? px : interleaved(px, info))).toBe(-1);
    });
  }

  it('FR-DICOM-04.codec: 3 frames 12-bit through transcodePixelData to .201 and back, each fragment exact in ojph_expand', async () => {
    const info = frameInfo(15, 13, 16, 12);
    const frames = [0, 1, 2].map((i) => syntheticFrame(info, 30 + i, 0.3));
    const native = new Uint8Array(Buffer.concat(frames));
    const ht = await transcodePixelData(
      native,
      info,
      3,
      TransferSyntax.explicitVrLittleEndian,
      TransferSyntax.htj2kLossless,
      { libraryBackend: backend },
    );
    const fragments = decapsulate(ht.value, 3);
    for (const [i, f] of fragments.entries())
      expect(firstDifference(ojphExpand(f, info), frames[i]!)).toBe(-1);
    const back = await transcodePixelData(
      ht.value,
      info,
      3,
      TransferSyntax.htj2kLossless,
      TransferSyntax.explicitVrLittleEndian,
      { libraryBackend: backend, trustedInput: true },
    );
    expect(firstDifference(back.value, native)).toBe(-1);
  });

  it('FR-DICOM-04.codec: .203 is encoded (reversibly) only with allowLossy; 32-bit is refused with the limit', async () => {
    const info = frameInfo(16, 16, 16, 12);
    const px = syntheticFrame(info, 3, 0.3);
    const denied = await encodeFrame(px, info, TransferSyntax.htj2k, { libraryBackend: backend }).catch(
      (e: unknown) => e,
    );
    expect((denied as CodecError).code).toBe(CODEC_ERROR_CODES.lossyNotAllowed);
    const cs = await encodeFrame(px, info, TransferSyntax.htj2k, {
      allowLossy: true,
      libraryBackend: backend,
    });
    expect(firstDifference(ojphExpand(cs, info), px)).toBe(-1);
    const wide = (await encodeFrame(
      new Uint8Array(16),
      frameInfo(2, 2, 32, 32),
      TransferSyntax.htj2kLossless,
      {
        libraryBackend: backend,
      },
    ).catch((e: unknown) => e)) as CodecError;
    expect(wide).toBeInstanceOf(CodecError);
    expect(wide.message).toBe('HTJ2K holds 1–16 bits; this image has 32');
  });
});

describe('HTJ2K with RPCL options (.202)', () => {
  it('FR-DICOM-04.codec: our .202 codestream has RPCL progression and a TLM marker, and decodes exactly in ojph_expand', async () => {
    for (const info of [frameInfo(64, 48, 16, 16), frameInfo(21, 17, 8, 8, false, 3)]) {
      const px = syntheticFrame(info, 5, 0.3);
      const cs = await encodeFrame(px, info, TransferSyntax.htj2kLosslessRpcl);
      const markers = mainHeaderMarkers(cs);
      // COD (FF52): Scod, then SGcod's progression order byte; 2 = RPCL (ISO 15444-1 Table A.16).
      expect(markers.get(0xff52)?.[1]).toBe(2);
      expect(markers.has(0xff55)).toBe(true); // TLM
      expect(firstDifference(ojphExpand(cs, info), px)).toBe(-1);
      for (const backend of BACKENDS) {
        const decoded = await decodeFrame(cs, info, TransferSyntax.htj2kLosslessRpcl, {
          libraryBackend: backend,
          trustedInput: true,
        });
        expect(firstDifference(decoded, px)).toBe(-1);
      }
    }
  });

  it('FR-DICOM-04.codec: forcing the native backend for .202 says why it cannot', async () => {
    const info = frameInfo(8, 8, 8, 8);
    const err = (await encodeFrame(syntheticFrame(info, 1), info, TransferSyntax.htj2kLosslessRpcl, {
      libraryBackend: 'native',
    }).catch((e: unknown) => e)) as CodecError;
    expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
    expect(err.message).toContain('cannot write the TLM marker');
  });
});

describe('HTJ2K default decoder (OpenJPEG in WebAssembly)', () => {
  for (const [name, info] of CASES) {
    it(`FR-DICOM-04.codec: ${name}: decodes ${info.pixelRepresentation === 1 ? 'our' : 'ojph_compress'} codestream pixel-exact with no backend given`, async () => {
      const px = syntheticFrame(info, 19, 0.3);
      const cs =
        info.pixelRepresentation === 1
          ? await encodeFrame(px, info, TransferSyntax.htj2kLossless)
          : ojphCompress(px, info);
      expect(firstDifference(await decodeFrame(cs, info, TransferSyntax.htj2kLossless), px)).toBe(-1);
    });
  }
});

describe('HTJ2K streams under a JPEG 2000 transfer syntax', () => {
  it('FR-DICOM-04.codec: are recognised (declaresHighThroughput) and decoded exactly, away from the native OpenJPEG', async () => {
    const info = frameInfo(33, 65, 16, 12);
    const px = syntheticFrame(info, 23, 0.3);
    const ht = ojphCompress(px, info);
    expect(declaresHighThroughput(ht)).toBe(true);
    const part1 = await encodeFrame(px, info, TransferSyntax.jpeg2000Lossless);
    expect(declaresHighThroughput(part1)).toBe(false);
    expect(firstDifference(await decodeFrame(ht, info, TransferSyntax.jpeg2000Lossless), px)).toBe(-1);
  });
});

describe('HTJ2K decoding through OpenJPH only with trustedInput', () => {
  // OpenJPH (native 0.9.0 and the WebAssembly build) is not safe on untrusted streams
  // (docs/reliability.md "Fuzzing"), so libraryBackend alone does not reach its decoder. Two
  // witnesses of which decoder ran: spies on the addon's OpenJPH binding, and a JPEG 2000 Part 1
  // codestream (no HT block coder, Rsiz bit 14 clear) that both OpenJPH builds refuse and OpenJPEG
  // decodes.
  const binding = nativeBinding();
  const info = frameInfo(33, 65, 16, 12);
  const px = syntheticFrame(info, 41, 0.3);
  const part1 = (): Promise<Uint8Array> =>
    encodeFrame(px, info, TransferSyntax.jpeg2000Lossless, { j2kBackend: 'wasm' });
  const spyOpenJph = () =>
    binding === undefined
      ? undefined
      : [vi.spyOn(binding, 'htj2kDecode'), vi.spyOn(binding, 'htj2kDecodeAsync')];
  const calls = (spies: ReturnType<typeof spyOpenJph>): number =>
    spies === undefined ? 0 : spies.reduce((n, s) => n + s.mock.calls.length, 0);
  afterEach(() => vi.restoreAllMocks());

  for (const backend of ['native', 'wasm'] as const) {
    it(`FR-DICOM-04.codec: decodeFrame with libraryBackend '${backend}' and no trustedInput decodes through OpenJPEG in WebAssembly`, async () => {
      const spies = spyOpenJph();
      // Only OpenJPEG reads this one: decoded exactly means the default decoder ran.
      const fromPart1 = await decodeFrame(await part1(), info, TransferSyntax.htj2kLossless, {
        libraryBackend: backend,
      });
      expect(firstDifference(fromPart1, px)).toBe(-1);
      const ht = ojphCompress(px, info);
      const fromHt = await decodeFrame(ht, info, TransferSyntax.htj2kLossless, { libraryBackend: backend });
      expect(firstDifference(fromHt, px)).toBe(-1);
      // transcodePixelData carries the same options to decodeFrame.
      const back = await transcodePixelData(
        encapsulate([ht]),
        info,
        1,
        TransferSyntax.htj2kLossless,
        TransferSyntax.explicitVrLittleEndian,
        { libraryBackend: backend },
      );
      expect(firstDifference(back.value, px)).toBe(-1);
      expect(calls(spies)).toBe(0);
    });

    it(`FR-DICOM-04.codec: htj2kDecode with backend '${backend}' and no trustedInput is refused with HNV_ERR_CODEC_UNSUPPORTED, saying why and how`, async () => {
      const spies = spyOpenJph();
      const err = (await htj2kDecode(ojphCompress(px, info), info, { backend }).catch(
        (e: unknown) => e,
      )) as CodecError;
      expect(err).toBeInstanceOf(CodecError);
      expect(err.code).toBe(CODEC_ERROR_CODES.unsupported);
      expect(err.message).toContain(`the ${backend} OpenJPH build is not safe on untrusted streams`);
      expect(err.hint).toContain('trustedInput: true');
      expect(calls(spies)).toBe(0);
      // trustedInput: false is the same as leaving it out.
      const explicit = await htj2kDecode(ojphCompress(px, info), info, {
        backend,
        trustedInput: false,
      }).catch((e: unknown) => e);
      expect((explicit as CodecError).code).toBe(CODEC_ERROR_CODES.unsupported);
    });
  }

  for (const backend of BACKENDS) {
    it(`FR-DICOM-04.codec: with trustedInput the ${backend} OpenJPH build decodes`, async () => {
      const spies = spyOpenJph();
      const ht = ojphCompress(px, info);
      const viaFrame = await decodeFrame(ht, info, TransferSyntax.htj2kLossless, {
        libraryBackend: backend,
        trustedInput: true,
      });
      expect(firstDifference(viaFrame, px)).toBe(-1);
      const direct = await htj2kDecode(ht, info, { backend, trustedInput: true });
      expect(firstDifference(direct, px)).toBe(-1);
      expect(calls(spies)).toBe(backend === 'native' ? 2 : 0);
      // OpenJPH, not OpenJPEG: the Part 1 codestream is refused (OpenJPEG decoded it above).
      const refused = await decodeFrame(await part1(), info, TransferSyntax.htj2kLossless, {
        libraryBackend: backend,
        trustedInput: true,
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(CodecError);
      // trustedInput alone picks no backend: the default decoder, which reads Part 1.
      const trustedDefault = await decodeFrame(await part1(), info, TransferSyntax.htj2kLossless, {
        trustedInput: true,
      });
      expect(firstDifference(trustedDefault, px)).toBe(-1);
    });
  }
});
