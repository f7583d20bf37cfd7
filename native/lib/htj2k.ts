import {
  type CodecBackend,
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
import { checkCodestream, j2kDecode } from './j2k.js';
import { nativeBinding } from './native.js';

/**
 * High-Throughput JPEG 2000 (ISO/IEC 15444-15; 1.2.840.10008.1.2.4.201 lossless, .202 lossless
 * with RPCL options, .203): the system OpenJPH in the addon when it was built with it, else
 * OpenJPH in WebAssembly (@cornerstonejs/codec-openjph). Encoding is always reversible (5/3, the
 * reversible colour transform for three samples). Debian's OpenJPH 0.9.0 cannot write the TLM
 * marker and per-resolution tile-parts that .202 asks for, so .202 is encoded by the WebAssembly
 * build, whose newer OpenJPH can. Decoding defaults to OpenJPEG in WebAssembly (the
 * @cornerstonejs/codec-openjpeg build that also serves JPEG 2000): see `htj2kDecode`.
 */

interface OpenJphEncoder extends WasmEncoder {
  setDecompositions(n: number): void;
  setQuality(reversible: boolean, quantizationStep: number): void;
  setProgressionOrder(order: number): void;
  setTLMMarker(on: boolean): void;
  setTilePartDivisionsAtResolutions(on: boolean): void;
  setBlockDimensions(size: { width: number; height: number }): void;
}
interface OpenJphWasm {
  HTJ2KEncoder: new () => OpenJphEncoder;
  HTJ2KDecoder: new () => WasmDecoder;
}

const wasm = wasmModule<OpenJphWasm>('@cornerstonejs/codec-openjph/wasmjs');
const decodeWasm = wasmDecoder(wasm, (m) => new m.HTJ2KDecoder(), 'HTJ2K decode');
const HINT = 'install libopenjph-dev and rebuild the addon, or use the wasm backend';
const BACKEND = libraryBackend('HTJ2K', (b) => b.hasOpenJph === true, HINT);
// OpenJPH's progression order numbering (ojph_params.h): LRCP 0, RLCP 1, RPCL 2, PCRL 3, CPRL 4.
const RPCL = 2;

export interface Htj2kOptions {
  /**
   * Encode: the OpenJPH build (default native when the addon has it). Decode: undefined for
   * OpenJPEG in WebAssembly (the default), or an OpenJPH build, which `htj2kDecode` accepts only
   * together with `trustedInput: true`.
   */
  readonly backend?: CodecBackend;
  /**
   * Decode only: the caller vouches for the stream (e.g. one it encoded itself), so an OpenJPH
   * `backend` may decode it. Debian's OpenJPH 0.9.0 writes past heap buffers and asserts on
   * malformed tile data, and the WebAssembly OpenJPH once never returned on a mutated stream
   * (docs/reliability.md "Fuzzing"); neither is safe on a stream from the network. Without it a
   * `backend` on decode is refused. Encoding ignores it. Default false.
   */
  readonly trustedInput?: boolean;
  /**
   * The .202 form: RPCL progression, a TLM marker segment and one tile-part per resolution
   * (PS3.5 A.4.7). Always through the WebAssembly build (see above).
   */
  readonly rpclOptions?: boolean;
}

/**
 * The encoding backend used when none is forced: native when the addon has OpenJPH. Decoding
 * defaults to WebAssembly (see `htj2kDecode`).
 */
export function defaultHtj2kBackend(): CodecBackend {
  return BACKEND.default();
}

function levels(info: FrameInfo): number {
  let l = 5;
  while (l > 0 && (1 << l > info.columns || 1 << l > info.rows)) l--;
  return l;
}

/** Encodes one native frame as a reversible HTJ2K codestream. */
export async function htj2kEncode(
  pixels: Uint8Array,
  info: FrameInfo,
  options: Htj2kOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  // Our paths pass 8- and 16-bit words; the standard allows more, OpenJPH 0.9.0's lossless path not.
  requireSampleBits('HTJ2K', info, 1, 16);
  requireWholeFrame(pixels, frameBytes);
  const frame = pixels.subarray(0, frameBytes);
  const rpcl = options.rpclOptions === true;
  if (rpcl && options.backend === 'native') {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      'HTJ2K: the system OpenJPH 0.9.0 cannot write the TLM marker that 1.2.840.10008.1.2.4.202 requires',
      { hint: 'use the wasm backend for .202' },
    );
  }
  const chosen = rpcl ? 'wasm' : BACKEND.choose(options.backend);
  if (chosen === 'native') {
    const b = nativeBinding()!;
    return runNative(b.htj2kEncode, b.htj2kEncodeAsync, frame, { ...info }, frameBytes, 'HTJ2K encode');
  }
  if (info.samplesPerPixel === 3 && info.bitsStored > 8) {
    // Measured (test/htj2k-peers.test.ts): @cornerstonejs/codec-openjph 2.4.11 reads every
    // component of a pixel from the same sample when samples are wider than 8 bits.
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      `HTJ2K: the WebAssembly encoder holds 3-sample images of up to 8 bits; this image has ${info.bitsStored}`,
      { hint: rpcl ? 'use 1.2.840.10008.1.2.4.201 (the addon encodes it)' : HINT },
    );
  }
  return withWasm(
    wasm,
    (m) => new m.HTJ2KEncoder(),
    'HTJ2K encode',
    (encoder) => {
      const bits = info.bitsStored;
      const input = encoder.getDecodedBuffer({
        width: info.columns,
        height: info.rows,
        bitsPerSample: bits,
        componentCount: info.samplesPerPixel,
        isSigned: info.pixelRepresentation === 1,
        isUsingColorTransform: info.samplesPerPixel === 3,
      });
      const codecBytes = bits <= 8 ? 1 : 2;
      // The module reads signed samples as two's complement words of its width.
      input.set(packSamples(frame, info, codecBytes, codecBytes * 8, info.pixelRepresentation === 1));
      encoder.setDecompositions(levels(info));
      encoder.setQuality(true, 0);
      encoder.setProgressionOrder(RPCL);
      if (rpcl) {
        encoder.setTLMMarker(true);
        encoder.setTilePartDivisionsAtResolutions(true);
      }
      encoder.encode();
      // A copy out of the module's memory, as a plain Uint8Array (CharLS hands out a Uint8ClampedArray).
      return new Uint8Array(encoder.getEncodedBuffer());
    },
  );
}

/**
 * The rest of the SIZ marker segment (ISO 15444-1 A.5.1) before a decoder sees it: its length,
 * a non-empty tile, and per component a precision of 1..16 bits and no subsampling. Measured: the
 * WebAssembly OpenJPH loops forever on a SIZ with junk subsampling factors (test/fuzz).
 */
function checkSiz(bytes: Uint8Array, info: FrameInfo): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const components = v.getUint16(40);
  const lsiz = v.getUint16(4);
  const bad = (why: string): never => {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, `HTJ2K: SIZ ${why}`, { details: { lsiz, components } });
  };
  if (lsiz !== 38 + 3 * components || bytes.length < 4 + lsiz) bad('length does not match its components');
  if (v.getUint32(24) === 0 || v.getUint32(28) === 0) bad('has an empty tile size');
  for (let c = 0; c < components; c++) {
    const ssiz = bytes[42 + 3 * c]!;
    const precision = (ssiz & 0x7f) + 1;
    if (precision > 16 || precision > info.bitsAllocated) bad('component precision exceeds bitsAllocated');
    if (bytes[43 + 3 * c] !== 1 || bytes[44 + 3 * c] !== 1) {
      throw new CodecError(CODEC_ERROR_CODES.unsupported, 'HTJ2K: subsampled components', {
        details: { component: c },
      });
    }
  }
}

/** Decodes one HTJ2K codestream into native pixels of `info`'s layout (lossy ones clamped). */
export async function htj2kDecode(
  bytes: Uint8Array,
  info: FrameInfo,
  options: Htj2kOptions = {},
): Promise<Uint8Array> {
  if (options.backend !== undefined && options.trustedInput !== true) {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      `HTJ2K: decoding through the ${options.backend} OpenJPH build is not safe on untrusted streams (it can overflow heap buffers or abort on malformed tile data)`,
      {
        hint: 'omit backend to decode with OpenJPEG in WebAssembly, or pass trustedInput: true for a stream you trust (e.g. one you encoded)',
        details: { backend: options.backend },
      },
    );
  }
  const frameBytes = frameByteLength(info);
  requireSampleBits('HTJ2K', info, 1, 16);
  // DICOM carries the raw codestream (PS3.5 A.4.7), never a JPH file.
  checkCodestream(bytes, info, 'HTJ2K', false);
  checkSiz(bytes, info);
  // Decoder choice, from fuzzing (test/fuzz/library-decoders.test.ts, scripts/fuzz-codecs.ts):
  // Debian's OpenJPH 0.9.0 aborts the process on some malformed streams (an assert in
  // param_qcd::get_Kmax, `throw "malloc failed"`), Debian's OpenJPEG 2.5.0 too (an assert in
  // ht_dec.c mel_init), and the WebAssembly OpenJPH never returned on one mutated 5x11 stream. The
  // WebAssembly OpenJPEG answered 60 000 mutations with a frame or an error, so it decodes by
  // default; `backend` picks an OpenJPH build instead, only with `trustedInput` (checked above).
  if (options.backend === undefined) return j2kDecode(bytes, info, { backend: 'wasm' });
  if (BACKEND.choose(options.backend) === 'native') {
    const b = nativeBinding()!;
    return runNative(b.htj2kDecode, b.htj2kDecodeAsync, bytes, { ...info }, frameBytes, 'HTJ2K decode');
  }
  return decodeWasm(bytes, (decoder, fi) => {
    const codecBytes = fi.bitsPerSample <= 8 ? 1 : 2;
    return unpackSamples(decodedSamples('HTJ2K', decoder, fi, info, codecBytes), codecBytes, false, info);
  });
}
