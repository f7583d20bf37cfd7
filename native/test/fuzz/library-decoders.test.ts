import { describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  type CodecBackend,
  encodeFrame,
  type FrameInfo,
  nativeStatus,
  TransferSyntax,
} from '../../lib/index.js';
import { fuzzDecoder } from '../helpers/fuzz.js';
import { frameInfo, syntheticFrame } from '../helpers/images.js';

// Bounded fuzz runs of the library decoders (CharLS, OpenJPH, libjpeg-turbo), both backends, fixed
// seeds: every mutation of a valid stream must give a full frame or a CodecError, never a crash,
// a hang or another exception type. scripts/fuzz-codecs.ts runs the long version.
const status = nativeStatus();
const loaded = status.kind === 'loaded' ? status : undefined;

interface Target {
  readonly name: string;
  readonly uid: string;
  readonly native: boolean;
  readonly infos: readonly FrameInfo[];
  readonly encodeOptions?: Parameters<typeof encodeFrame>[3];
}

const TARGETS: readonly Target[] = [
  {
    name: 'JPEG-LS',
    uid: TransferSyntax.jpegLsLossless,
    native: loaded?.charls !== undefined,
    infos: [frameInfo(16, 12, 16, 12), frameInfo(9, 7, 8, 8, false, 3), frameInfo(11, 5, 16, 16, true)],
  },
  {
    // The default HTJ2K decoder (OpenJPEG in WebAssembly) and OpenJPH's WebAssembly build; the
    // native OpenJPH 0.9.0 is not fuzzed here: it aborts the process on malformed streams, which is
    // why it is not the default (lib/htj2k.ts). Seeds come from the WebAssembly encoder.
    name: 'HTJ2K',
    uid: TransferSyntax.htj2kLossless,
    native: false,
    infos: [frameInfo(24, 20, 16, 12), frameInfo(13, 9, 8, 8, false, 3), frameInfo(17, 11, 16, 16, true)],
  },
  {
    name: 'JPEG 8-bit',
    uid: TransferSyntax.jpegBaseline,
    native: loaded?.libjpeg === true,
    infos: [frameInfo(64, 64, 8, 8), frameInfo(40, 40, 8, 8, false, 3)],
    encodeOptions: { allowLossy: true },
  },
];

const ALLOWED = new Set<string>([CODEC_ERROR_CODES.corrupt, CODEC_ERROR_CODES.unsupported]);

for (const t of TARGETS) {
  const backends: readonly CodecBackend[] = t.native ? ['native', 'wasm'] : ['wasm'];
  // HTJ2K also through its default decoder (no backend given: OpenJPEG in WebAssembly).
  const decoders: readonly (CodecBackend | 'default')[] =
    t.uid === TransferSyntax.htj2kLossless ? ['default', ...backends] : backends;
  describe.each(decoders)(`${t.name} decoder fuzz (%s)`, (decoder) => {
    const backend = decoder === 'default' ? undefined : decoder;
    it(`FR-DICOM-04.codec: 400 mutations per image answer with a frame or a CodecError`, async () => {
      for (const [k, info] of t.infos.entries()) {
        // Seeds from the other backend too, so each decoder sees both encoders' streams.
        const px = syntheticFrame(info, 50 + k, 0.3);
        const seeds: Uint8Array[] = [];
        for (const b of backends)
          seeds.push(await encodeFrame(px, info, t.uid, { ...t.encodeOptions, libraryBackend: b }));
        // trustedInput: OpenJPH decodes only with it (lib/htj2k.ts); here it is fuzzed on purpose.
        const r = await fuzzDecoder(seeds, info, t.uid, 400, 900 + k, {
          libraryBackend: backend,
          trustedInput: true,
        });
        expect(r.rejected).toBeGreaterThan(0);
        expect([...r.codes].every((c) => ALLOWED.has(c))).toBe(true);
      }
    }, 60_000);
  });
}

// 12-bit JPEG: GDCM's libgdcmjpeg12 in the addon only (no WebAssembly build to compare with).
describe.runIf(loaded?.jpeg12 === true)('JPEG 12-bit decoder fuzz (native)', () => {
  it('FR-DICOM-04.codec: 400 mutations per image answer with a frame or a CodecError', async () => {
    for (const [k, info] of [frameInfo(48, 40, 16, 12), frameInfo(24, 20, 16, 12, false, 3)].entries()) {
      const px = syntheticFrame(info, 60 + k, 0.3);
      const seed = await encodeFrame(px, info, TransferSyntax.jpegExtended, { allowLossy: true });
      const r = await fuzzDecoder([seed], info, TransferSyntax.jpegExtended, 400, 950 + k);
      expect(r.rejected).toBeGreaterThan(0);
      expect([...r.codes].every((c) => ALLOWED.has(c))).toBe(true);
    }
  }, 60_000);
});
