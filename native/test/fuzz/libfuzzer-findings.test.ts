import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CODEC_ERROR_CODES,
  CodecError,
  decodeFrame,
  type FrameInfo,
  nativeStatus,
  TransferSyntax,
} from '../../lib/index.js';
import { nativeBinding } from '../../lib/native.js';

// Inputs the libFuzzer harness (fuzz/codec_fuzzer.cc, scripts/fuzz-libfuzzer.sh) found, kept in
// its format: an 8-byte frame description (rows, columns, bits allocated/stored, samples, flags),
// then the stream. Each one crashed, aborted or stalled the addon's decoder before the guard named
// beside it; now each is a CodecError. test/fuzz/libfuzzer.test.ts runs them under ASan+UBSan too.
const fixture = (name: string): { info: FrameInfo; stream: Uint8Array } => {
  const b = readFileSync(new URL(`../fixtures/fuzz/${name}`, import.meta.url));
  const info: FrameInfo = {
    rows: (b[0]! << 8) | b[1]!,
    columns: (b[2]! << 8) | b[3]!,
    bitsAllocated: b[4]! as 8 | 16,
    bitsStored: b[5]!,
    samplesPerPixel: b[6]! as 1 | 3,
    pixelRepresentation: (b[7]! & 1) as 0 | 1,
    planarConfiguration: ((b[7]! >> 1) & 1) as 0 | 1,
  };
  return { info, stream: new Uint8Array(b.subarray(8)) };
};
const status = nativeStatus();
const binding = nativeBinding();

describe.runIf(status.kind === 'loaded' && status.charls !== undefined)('JPEG-LS libFuzzer findings', () => {
  it('FR-DICOM-04.codec: a truncated stream is refused by the addon itself before CharLS spends seconds on it', () => {
    // CharLS 2.4.1 took 7 s of CPU on this 9x7 stream (no EOI); lib/jpegls.ts already refused it,
    // src/jpegls.cc now refuses it too, for any caller of the binding.
    const { info, stream } = fixture('jpegls-truncated-slow.bin');
    expect(() => binding!.jpeglsDecode(stream, { ...info })).toThrow(/no EOI marker/);
    // The same stream completed with EOI reaches CharLS, which rejects it at once.
    const closed = new Uint8Array([...stream, 0xff, 0xd9]);
    expect(() => binding!.jpeglsDecode(closed, { ...info })).toThrow(/JPEG-LS/);
  });
});

describe.runIf(status.kind === 'loaded' && status.jpeg12)('12-bit JPEG libFuzzer findings', () => {
  it('FR-DICOM-04.codec: a scan that lists a component twice is a CodecError, not a SEGV in IJG 6b', async () => {
    // SOS names component 2 twice and never 3; GDCM's IJG 6b (libgdcmjpeg12) then read out of
    // bounds in jpeg_read_scanlines. src/jpeg12.cc refuses it before the library sees it.
    const { info, stream } = fixture('jpeg12-sos-duplicate-component.bin');
    expect(() => binding!.jpeg12Decode!(stream, { ...info })).toThrow(/lists a component twice/);
    const err = await decodeFrame(stream, info, TransferSyntax.jpegExtended).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
  });
});

describe.runIf(status.kind === 'loaded' && status.openJph !== undefined)(
  'HTJ2K libFuzzer findings (native OpenJPH)',
  () => {
    const cases: readonly [string, RegExp][] = [
      // OpenJPH 0.9.0 assert in param_qcd::irrev_get_delta: COD wavelet 0x40, QCD style 0.
      ['htj2k-qcd-cod-mismatch.bin', /wavelet/],
      // codestream::finalize_alloc asked for 7 PB: SIZ tile offset beyond the image offset.
      ['htj2k-tile-offset.bin', /tile grid/],
      // codestream::finalize_alloc asked for 16 GB: COD with 60 levels and 2^67-sample code-blocks.
      ['htj2k-codeblock-size.bin', /code-block size/],
      // The same two asserts with the real COD/QCD where OpenJPH's marker scan finds them and a
      // length-walk would not: behind a COM whose length runs past the end (OpenJPH's seek fails and
      // it scans on from there) and behind an unknown marker code (scanned over, its length unread).
      ['htj2k-qcd-behind-bad-com.bin', /code-block size/],
      ['htj2k-qcd-behind-unknown-marker.bin', /quantization style/],
      // Heap-buffer-overflow writes (ASan) in param_qcc::read and param_qcd::read: a QCC (per
      // component, refused), a QCD whose length lists more subbands than 32 levels have.
      ['htj2k-qcc-heap-overflow.bin', /COC\/QCC/],
      ['htj2k-qcd-heap-overflow.bin', /more subbands/],
    ];
    it.each(cases)(
      'FR-DICOM-04.codec: %s is refused by the addon, not an abort or a huge allocation',
      async (name, message) => {
        // Straight to the binding: lib/htj2k.ts's own checks (EOC, SIZ) would stop some of these first.
        const { info, stream } = fixture(name);
        expect(() => binding!.htj2kDecode(stream, { ...info })).toThrow(message);
        // Through the library, whichever check stops it, a typed CodecError.
        const err = await decodeFrame(stream, info, TransferSyntax.htj2kLossless, {
          libraryBackend: 'native',
          trustedInput: true,
        }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CodecError);
        expect((err as CodecError).code).not.toBe(CODEC_ERROR_CODES.internal);
      },
    );
  },
);

describe('HTJ2K libFuzzer findings (default decoder)', () => {
  it('FR-DICOM-04.codec: the stream that aborts the native OpenJPH 0.9.0 in mel_init is a frame or a CodecError by default', async () => {
    // The assert sits in OpenJPH's code-block decoder (ojph_block_decoder_ssse3.cpp mel_init), on
    // bytes of the code-block data no header check can see: the reason HTJ2K decodes through
    // OpenJPEG in WebAssembly unless a caller asks for OpenJPH (lib/htj2k.ts).
    const { info, stream } = fixture('htj2k-openjph-mel-init.bin');
    const out = await decodeFrame(stream, info, TransferSyntax.htj2kLossless).catch((e: unknown) => e);
    if (out instanceof Uint8Array)
      expect(out.length).toBe(info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8));
    else expect(out).toBeInstanceOf(CodecError);
  });
});
