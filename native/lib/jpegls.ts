import {
  type CodecBackend,
  checkGeometry,
  decodedSamples,
  libraryBackend,
  packSamples,
  runNative,
  unpackSamples,
  type WasmDecoder,
  type WasmEncoder,
  wasmDecoder,
  wasmModule,
  withWasm,
} from './codec-support.js';
import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength, requireSampleBits, requireWholeFrame } from './frame.js';
import { readJpegFrameHeader } from './jpeg-baseline.js';
import { nativeBinding } from './native.js';

/**
 * JPEG-LS (ISO/IEC 14495-1; 1.2.840.10008.1.2.4.80 lossless, .81 near-lossless): the system CharLS
 * in the addon when it was built with it, else CharLS in WebAssembly (@cornerstonejs/codec-charls).
 * Samples are coded as unsigned bit patterns of Bits Stored (JPEG-LS has no sign; DICOM PS3.5
 * A.4.3 keeps Pixel Representation in the data set) and come back canonical.
 */

interface CharlsEncoder extends WasmEncoder {
  setNearLossless(near: number): void;
  setInterleaveMode(mode: number): void;
}
interface CharlsDecoder extends WasmDecoder {
  getInterleaveMode(): number;
}
interface CharlsWasm {
  JpegLSEncoder: new () => CharlsEncoder;
  JpegLSDecoder: new () => CharlsDecoder;
}

const wasm = wasmModule<CharlsWasm>('@cornerstonejs/codec-charls/wasmjs');
const decodeWasm = wasmDecoder(wasm, (m) => new m.JpegLSDecoder(), 'JPEG-LS decode');
const HINT = 'install libcharls-dev and rebuild the addon, or use the wasm backend';
const BACKEND = libraryBackend('JPEG-LS', (b) => b.hasCharls === true, HINT);

export interface JpegLsOptions {
  readonly backend?: CodecBackend;
  /** NEAR (ISO 14495-1 A.2.1): the largest error per sample; 0 (the default) is lossless. */
  readonly nearLossless?: number;
}

/** The backend used when none is forced: native when the addon has CharLS. */
export function defaultJpegLsBackend(): CodecBackend {
  return BACKEND.default();
}

/** Encodes one native frame as a JPEG-LS codestream, sample-interleaved for 3 samples. */
export async function jpeglsEncode(
  pixels: Uint8Array,
  info: FrameInfo,
  options: JpegLsOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  // ISO 14495-1 C.2.2: P is 2..16.
  requireSampleBits('JPEG-LS', info, 2, 16);
  requireWholeFrame(pixels, frameBytes);
  const near = options.nearLossless ?? 0;
  const bits = Math.max(2, info.bitsStored);
  if (!Number.isInteger(near) || near < 0 || near > Math.min(255, 2 ** (bits - 1))) {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, 'JPEG-LS: NEAR must be 0..min(255, 2^(P-1))', {
      details: { nearLossless: near },
    });
  }
  const frame = pixels.subarray(0, frameBytes);
  if (BACKEND.choose(options.backend) === 'native') {
    const b = nativeBinding()!;
    return runNative(
      b.jpeglsEncode,
      b.jpeglsEncodeAsync,
      frame,
      { ...info, nearLossless: near },
      frameBytes,
      'JPEG-LS encode',
    );
  }
  return withWasm(
    wasm,
    (m) => new m.JpegLSEncoder(),
    'JPEG-LS encode',
    (encoder) => {
      const codecBytes = bits <= 8 ? 1 : 2;
      const input = encoder.getDecodedBuffer({
        width: info.columns,
        height: info.rows,
        bitsPerSample: bits,
        componentCount: info.samplesPerPixel,
      });
      input.set(packSamples(frame, info, codecBytes, bits));
      encoder.setNearLossless(near);
      // 2 = sample-interleaved, as the native path codes three samples; 0 for one.
      encoder.setInterleaveMode(info.samplesPerPixel === 3 ? 2 : 0);
      encoder.encode();
      // A copy out of the module's memory, as a plain Uint8Array (CharLS hands out a Uint8ClampedArray).
      return new Uint8Array(encoder.getEncodedBuffer());
    },
  );
}

/** Decodes a JPEG-LS codestream (any interleave mode, lossless or near-lossless) into native pixels. */
export async function jpeglsDecode(
  bytes: Uint8Array,
  info: FrameInfo,
  options: JpegLsOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  requireSampleBits('JPEG-LS', info, 2, 16);
  // T.87 / ISO 14495-1 starts with SOI (FFD8) like T.81; anything else is not a JPEG-LS stream.
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG-LS: no SOI marker at the start of the stream');
  }
  // Measured: CharLS 2.4.1 (system and WebAssembly) spends seconds on a truncated 16x12 stream
  // before failing; a complete stream ends with EOI (FFD9), then at most fragment padding: zeros,
  // or one byte of any value (DCMTK 3.6.7's dcmcjpls pads an odd-length near-lossless frame with
  // a leftover byte, not 00; seen in the transcoding matrix).
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0) end--;
  const eoiAt = (at: number) => bytes[at - 2] === 0xff && bytes[at - 1] === 0xd9;
  if (!eoiAt(end) && eoiAt(bytes.length - 1)) end = bytes.length - 1;
  if (!eoiAt(end)) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG-LS: the stream is truncated (no EOI marker)', {
      details: { length: bytes.length },
    });
  }
  const stream = end === bytes.length ? bytes : bytes.subarray(0, end);
  // T.87 C.2.2 frame header, checked before CharLS sees it. Measured: the WebAssembly CharLS never
  // returned on a mutated 33x20 stream whose SOF55 disagreed with the frame (the addon's CharLS
  // rejected it in 3 ms).
  const header = readJpegFrameHeader(stream);
  if (header.sof !== 0xf7) {
    throw new CodecError(
      CODEC_ERROR_CODES.corrupt,
      'JPEG-LS: the frame header is not SOF55 (not a JPEG-LS stream)',
      {
        details: { sof: header.sof },
      },
    );
  }
  checkGeometry('JPEG-LS', info, header.columns, header.rows, header.components, header.precision);
  if (header.precision < 2) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG-LS: sample precision below 2 bits');
  }
  if (BACKEND.choose(options.backend) === 'native') {
    const b = nativeBinding()!;
    return runNative(b.jpeglsDecode, b.jpeglsDecodeAsync, stream, { ...info }, frameBytes, 'JPEG-LS decode');
  }
  return decodeWasm(stream, (decoder, fi) => {
    const codecBytes = fi.bitsPerSample <= 8 ? 1 : 2;
    const decoded = decodedSamples('JPEG-LS', decoder, fi, info, codecBytes);
    // ILV 0 comes back as planes, 1 and 2 pixel-interleaved (as in the addon).
    return unpackSamples(decoded, codecBytes, decoder.getInterleaveMode() === 0, info);
  });
}
