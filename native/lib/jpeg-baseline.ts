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
import { type FrameInfo, frameByteLength, requireWholeFrame } from './frame.js';
import { jpeg12Decode } from './jpeg12.js';
import { nativeBinding } from './native.js';

/**
 * JPEG 8-bit DCT (ITU-T T.81 Process 1 baseline and Process 2 extended; 1.2.840.10008.1.2.4.50,
 * and .51 streams of 8-bit precision): the system libjpeg-turbo in the addon when it was built
 * with it, else libjpeg-turbo in WebAssembly (@cornerstonejs/codec-libjpeg-turbo-8bit).
 *
 * 12-bit streams (Process 4, .51) go to lib/jpeg12.ts (GDCM's 12-bit IJG build in the addon, else
 * our TypeScript decoder, lib/jpeg12-ts.ts): Debian 12's libjpeg-turbo 2.1.5 is built for 8 bits
 * only (its 12-bit API arrived in 3.0); see README "JPEG 12-bit".
 */

interface TurboEncoder extends WasmEncoder {
  setQuality(quality: number): void;
  setSubSampling(subsampling: number): void;
}
interface TurboWasm {
  JPEGEncoder: new () => TurboEncoder;
  JPEGDecoder: new () => WasmDecoder;
}

const wasm = wasmModule<TurboWasm>('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs');
const decodeWasm = wasmDecoder(wasm, (m) => new m.JPEGDecoder(), 'JPEG decode');
const HINT = 'install libjpeg62-turbo-dev and rebuild the addon, or use the wasm backend';
const BACKEND = libraryBackend('JPEG', (b) => b.hasLibjpeg === true, HINT);
// TurboJPEG's TJSAMP_444.
const TJSAMP_444 = 0;
const WASM_MIN_FRAME_BYTES = 4096;
const WASM_MAX_QUALITY = 95;

export interface JpegBaselineOptions {
  readonly backend?: CodecBackend;
  /** Encode quality 1..100 (IJG scale). Default 90. */
  readonly quality?: number;
  /**
   * The Photometric Interpretation of the data set the stream came from. With three samples it
   * says whether the stream holds YCbCr (YBR_FULL_422, YBR_FULL: converted to RGB on decode) or
   * RGB (left as is), as PS3.5 8.2.1 asks; without it the stream's JFIF/Adobe markers decide.
   * The WebAssembly build always follows the markers.
   */
  readonly photometricInterpretation?: string;
}

/** What a T.81 frame header (SOFn, B.2.2) says about a stream. */
export interface JpegFrameHeader {
  /** The SOF marker's low byte: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, 0xc3 lossless, …, 0xf7 JPEG-LS */
  readonly sof: number;
  readonly precision: number;
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
}

/** Walks the marker segments of a T.81 stream to its frame header (B.1.1.2, B.2.2). */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader {
  const corrupt = (why: string): never => {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, `JPEG: ${why}`, { details: { length: bytes.length } });
  };
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) corrupt('no SOI marker at the start');
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) corrupt('a marker was expected');
    const marker = bytes[p + 1]!;
    if (marker === 0xff) {
      p++; // fill byte (B.1.1.2)
      continue;
    }
    const length = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (length < 2 || p + 2 + length > bytes.length) corrupt('a marker segment runs past the end');
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC); and JPEG-LS's SOF55 (F7, T.87 C.2.2).
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof || marker === 0xf7) {
      if (length < 8) corrupt('a frame header is too short');
      return {
        sof: marker,
        precision: bytes[p + 4]!,
        rows: (bytes[p + 5]! << 8) | bytes[p + 6]!,
        columns: (bytes[p + 7]! << 8) | bytes[p + 8]!,
        components: bytes[p + 9]!,
      };
    }
    if (marker === 0xda || marker === 0xd9) break;
    p += 2 + length;
  }
  return corrupt('no frame header (SOF) before the scan');
}

function checkDecodable(h: JpegFrameHeader): void {
  if (h.sof === 0xc3 || h.sof === 0xc7 || h.sof === 0xcb || h.sof === 0xcf) {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      'JPEG: a lossless (Process 14) stream under a lossy JPEG transfer syntax; decode it as 1.2.840.10008.1.2.4.57',
      { details: { sof: h.sof } },
    );
  }
  if (h.precision !== 8 && h.precision !== 12) {
    // T.81 B.2.2: P is 8 (Processes 1, 2) or 12 (Process 4) for the DCT processes.
    throw new CodecError(
      CODEC_ERROR_CODES.corrupt,
      `JPEG: a DCT stream of ${h.precision}-bit precision (T.81 allows 8 or 12)`,
      { details: { precision: h.precision } },
    );
  }
}

function colorTransform(photometric: string | undefined): number {
  if (photometric === undefined) return 0;
  return photometric === 'RGB' ? 2 : photometric.startsWith('YBR_') ? 1 : 0;
}

/** Decodes one 8-bit JPEG frame; three samples come back RGB in `info`'s planar layout. */
export async function jpegBaselineDecode(
  bytes: Uint8Array,
  info: FrameInfo,
  options: JpegBaselineOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  const header = readJpegFrameHeader(bytes);
  checkDecodable(header);
  checkGeometry('JPEG', info, header.columns, header.rows, header.components, header.precision);
  if (header.precision === 12) {
    return jpeg12Decode(bytes, info, colorTransform(options.photometricInterpretation));
  }
  const chosen = BACKEND.choose(options.backend);
  if (chosen === 'native') {
    const b = nativeBinding()!;
    const params = { ...info, colorTransform: colorTransform(options.photometricInterpretation) };
    return runNative(
      b.jpegBaselineDecode,
      b.jpegBaselineDecodeAsync,
      bytes,
      params,
      frameBytes,
      'JPEG decode',
    );
  }
  return decodeWasm(bytes, (decoder, fi) => {
    const decoded = decodedSamples('JPEG', decoder, fi, info, 1);
    return unpackSamples(decoded, 1, false, { ...info, bitsStored: Math.min(info.bitsStored, 8) });
  });
}

/**
 * Encodes one 8-bit unsigned frame as baseline JPEG (lossy: the caller has allowed it), 4:4:4, so
 * three RGB samples become YBR_FULL (`photometricAfterEncode`).
 */
export async function jpegBaselineEncode(
  pixels: Uint8Array,
  info: FrameInfo,
  options: JpegBaselineOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  if (info.bitsAllocated !== 8 || info.bitsStored !== 8 || info.pixelRepresentation !== 0) {
    const bits = info.bitsAllocated !== 8 ? info.bitsAllocated : info.bitsStored;
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      info.pixelRepresentation !== 0 && bits === 8
        ? 'JPEG baseline holds unsigned 8-bit samples; this image is signed'
        : `JPEG baseline holds 8 bits; this image has ${bits}`,
      {
        hint: 'choose a lossless transfer syntax (JPEG-LS, JPEG 2000, HTJ2K) for this image',
        details: { bitsAllocated: info.bitsAllocated, bitsStored: info.bitsStored },
      },
    );
  }
  requireWholeFrame(pixels, frameBytes);
  const quality = options.quality ?? 90;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, 'JPEG: quality must be 1..100');
  }
  const frame = pixels.subarray(0, frameBytes);
  const chosen = BACKEND.choose(options.backend);
  if (chosen === 'native') {
    const b = nativeBinding()!;
    return runNative(
      b.jpegBaselineEncode,
      b.jpegBaselineEncodeAsync,
      frame,
      { ...info, quality },
      frameBytes,
      'JPEG encode',
    );
  }
  // Measured: @cornerstonejs/codec-libjpeg-turbo-8bit 1.2.8 writes into an output buffer the size
  // of the input, so a frame whose JPEG is larger than its pixels (tiny frames: 7x3, 24x24 and
  // 16x16 RGB trap; 32x32 grey fits) overruns it. Refuse where that can happen.
  if (frameBytes < WASM_MIN_FRAME_BYTES || quality > WASM_MAX_QUALITY) {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      `JPEG (WebAssembly build) encodes frames of at least ${WASM_MIN_FRAME_BYTES} bytes at quality up to ${WASM_MAX_QUALITY}; this frame has ${frameBytes} bytes at quality ${quality}`,
      { hint: HINT, details: { frameBytes, quality } },
    );
  }
  return withWasm(
    wasm,
    (m) => new m.JPEGEncoder(),
    'JPEG encode',
    (encoder) => {
      const input = encoder.getDecodedBuffer({
        width: info.columns,
        height: info.rows,
        bitsPerSample: 8,
        componentCount: info.samplesPerPixel,
        isSigned: false,
      });
      input.set(packSamples(frame, info, 1, 8));
      encoder.setQuality(quality);
      encoder.setSubSampling(TJSAMP_444);
      encoder.encode();
      // A copy out of the module's memory, as a plain Uint8Array (CharLS hands out a Uint8ClampedArray).
      return new Uint8Array(encoder.getEncodedBuffer());
    },
    // A trap: the encoder overran its output buffer (see WASM_MIN_FRAME_BYTES).
    (err) =>
      new CodecError(
        CODEC_ERROR_CODES.unsupported,
        'JPEG (WebAssembly build): the encoder overran its output buffer (the JPEG is larger than the pixels)',
        { hint: HINT, cause: err },
      ),
  );
}
