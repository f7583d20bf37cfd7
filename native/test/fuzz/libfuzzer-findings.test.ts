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
  // Streams that abort or corrupt the heap of Debian's OpenJPH 0.9.0 inside its tile-data and
  // code-block parsing, on bytes no header check can see (libFuzzer htj2k target, fork mode; one
  // input per distinct failure): the reason HTJ2K decodes through OpenJPEG in WebAssembly unless a
  // caller passes trustedInput (lib/htj2k.ts). Each is a frame or a CodecError by default, also
  // when the caller prefers the addon for the other library codecs.
  const cases: readonly [string, string][] = [
    ['htj2k-openjph-mel-init.bin', 'assert in mel_init (ojph_block_decoder_ssse3.cpp)'],
    ['htj2k-openjph-precinct-parse-overflow.bin', 'heap-buffer-overflow write (memset) in precinct::parse'],
    ['htj2k-openjph-qcd-get-kmax.bin', 'assert in param_qcd::get_Kmax'],
    ['htj2k-openjph-bb-read-bits.bin', 'assert in bb_read_bits'],
    ['htj2k-openjph-bb-terminate.bin', 'assert in bb_terminate'],
    ['htj2k-openjph-parse-tile-header.bin', 'assert in tile::parse_tile_header'],
    ['htj2k-openjph-hang.bin', 'no return: minutes of CPU on a 386-byte stream'],
  ];
  it.each(cases)(
    'FR-DICOM-04.codec: %s (OpenJPH: %s) is a frame or a CodecError by default',
    async (name) => {
      const { info, stream } = fixture(name);
      const frameBytes = info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);
      for (const options of [{}, { libraryBackend: 'native' as const }]) {
        const out = await decodeFrame(stream, info, TransferSyntax.htj2kLossless, options).catch(
          (e: unknown) => e,
        );
        if (out instanceof Uint8Array) expect(out.length).toBe(frameBytes);
        else {
          expect(out).toBeInstanceOf(CodecError);
          expect((out as CodecError).code).not.toBe(CODEC_ERROR_CODES.internal);
        }
      }
    },
  );
});

describe('JPEG 2000 libFuzzer findings', () => {
  it('FR-DICOM-04.codec: a SIZ declaring 26 216 tiles for a 11 x 5 frame is refused before OpenJPEG allocates for them', async () => {
    // SIZ says 11 x 131 077 samples in 11 x 5 tiles: OpenJPEG's opj_read_header sets up every tile
    // (~330 MB under ASan, 0.4 s) before the addon's size check sees the mismatch; libFuzzer,
    // starved at nice 19 on a loaded machine, reported it as a 10 s timeout. lib/j2k.ts reads the
    // SIZ first and refuses it without calling the decoder.
    const { info, stream } = fixture('j2k-siz-many-tiles.bin');
    const err = await decodeFrame(stream, info, TransferSyntax.jpeg2000Lossless).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).message).toMatch(/image size does not match the frame/);
    if (binding) expect(() => binding.j2kDecode(stream, { ...info })).toThrow(/image size does not match/);
  });
});
