import {
  isWasmAbort,
  runNative,
  type WasmDecoder,
  type WasmEncoder,
  wasmDecoder,
  wasmModule,
} from './codec-support.js';
import { CODEC_ERROR_CODES, CodecError, toCodecError } from './errors.js';
import {
  canonicalSamples,
  convertPlanar,
  type FrameInfo,
  frameByteLength,
  requireSampleBits,
  requireWholeFrame,
} from './frame.js';
import { type NativeFrameParams, nativeBinding } from './native.js';

/**
 * JPEG 2000 reversible (lossless) coding: the addon's system OpenJPEG when it has one, otherwise
 * OpenJPEG compiled to WebAssembly (@cornerstonejs/codec-openjpeg). Both take and return the same
 * native frame bytes and raise the same CodecErrors.
 */

export type J2kBackend = 'native' | 'wasm';

interface OpenJpegEncoder extends WasmEncoder {
  setDecompositions(n: number): void;
}
interface OpenJpegWasm {
  J2KEncoder: new () => OpenJpegEncoder;
  J2KDecoder: new () => WasmDecoder;
}

const wasm = wasmModule<OpenJpegWasm>('@cornerstonejs/codec-openjpeg/wasmjs');
const decodeWasm = wasmDecoder(wasm, (m) => new m.J2KDecoder(), 'JPEG 2000 decode');

/** The backend used when none is forced: native when the addon has OpenJPEG. */
export function defaultJ2kBackend(): J2kBackend {
  return nativeBinding()?.hasOpenJpeg === true ? 'native' : 'wasm';
}

function resolveBackend(backend: J2kBackend | undefined): J2kBackend {
  const chosen = backend ?? defaultJ2kBackend();
  if (chosen === 'native' && nativeBinding()?.hasOpenJpeg !== true) {
    throw new CodecError(
      CODEC_ERROR_CODES.unavailable,
      'JPEG 2000: the native OpenJPEG backend is not available',
      {
        hint: 'install libopenjp2-7-dev and rebuild the addon, or use the wasm backend',
      },
    );
  }
  return chosen;
}

/** Decomposition levels: 5 (OpenJPEG's default), fewer when a side is shorter than 2^levels. */
function decompositions(info: FrameInfo): number {
  let levels = 5;
  while (levels > 0 && (1 << levels > info.columns || 1 << levels > info.rows)) levels--;
  return levels;
}

// Codestreams of ISO 15444-1 (and 15444-15, HTJ2K) start with SOC+SIZ and end with EOC; OpenJPEG
// (both builds) decodes a truncated stream without an error, so we check the ends ourselves.
export function checkCodestream(bytes: Uint8Array, info: FrameInfo, codec = 'JPEG 2000', jp2 = true): void {
  const soc = bytes[0] === 0xff && bytes[1] === 0x4f && bytes[2] === 0xff && bytes[3] === 0x51;
  const isJp2 = jp2 && bytes.length >= 12 && bytes[4] === 0x6a && bytes[5] === 0x50 && bytes[6] === 0x20;
  if (!soc && !isJp2) {
    throw new CodecError(
      CODEC_ERROR_CODES.corrupt,
      jp2
        ? `${codec}: not a J2K codestream (no SOC/SIZ) nor a JP2 file`
        : `${codec}: not a codestream (no SOC/SIZ)`,
    );
  }
  if (soc) {
    // ISO 15444-1 A.5.1 SIZ: check the image size before a decoder allocates for it.
    if (bytes.length < 42) {
      throw new CodecError(CODEC_ERROR_CODES.corrupt, `${codec}: truncated SIZ marker segment`);
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const width = v.getUint32(8) - v.getUint32(16);
    const height = v.getUint32(12) - v.getUint32(20);
    const components = v.getUint16(40);
    if (width !== info.columns || height !== info.rows || components !== info.samplesPerPixel) {
      throw new CodecError(CODEC_ERROR_CODES.corrupt, `${codec}: image size does not match the frame`, {
        details: { width, height, components },
      });
    }
    let end = bytes.length;
    while (end > 2 && bytes[end - 1] === 0) end--;
    if (end < 2 || bytes[end - 2] !== 0xff || bytes[end - 1] !== 0xd9) {
      throw new CodecError(CODEC_ERROR_CODES.corrupt, `${codec}: codestream is truncated (no EOC marker)`, {
        details: { length: bytes.length },
      });
    }
  }
}

/**
 * Whether a codestream's main header declares HTJ2K (ISO 15444-15): Rsiz bit 14, a CAP marker
 * segment, or the HT bit (0x40) in the code-block style of COD/COC. Tile-part headers are not read.
 */
export function declaresHighThroughput(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || bytes[0] !== 0xff || bytes[1] !== 0x4f) return false;
  if ((bytes[6]! & 0x40) !== 0) return true; // Rsiz (A.5.1), bit 14
  const components = bytes.length >= 42 ? (bytes[40]! << 8) | bytes[41]! : 0;
  let p = 4 + ((bytes[4]! << 8) | bytes[5]!); // after SOC and SIZ
  while (p + 4 <= bytes.length) {
    const marker = (bytes[p]! << 8) | bytes[p + 1]!;
    if (marker === 0xff90 || marker === 0xffd9) break; // SOT, EOC
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (len < 2) break;
    if (marker === 0xff50) return true; // CAP (15444-15 A.2)
    // COD: Lcod, Scod, SGcod (4), then levels, xcb, ycb, style (A.6.1).
    if (marker === 0xff52 && p + 12 < bytes.length && (bytes[p + 12]! & 0x40) !== 0) return true;
    // COC: Lcoc, Ccoc (1 or 2 bytes), Scoc, then levels, xcb, ycb, style (A.6.2).
    const coc = p + 4 + (components < 257 ? 1 : 2) + 1 + 3;
    if (marker === 0xff53 && coc < bytes.length && (bytes[coc]! & 0x40) !== 0) return true;
    p += 2 + len;
  }
  return false;
}

export interface J2kOptions {
  readonly backend?: J2kBackend;
  /** OpenJPEG threads for the native backend; 0 = all CPUs (the default). */
  readonly threads?: number;
}

/**
 * Frames below these sizes are coded synchronously on the calling thread; larger ones on the libuv
 * pool. Measured (README "Sync or async"): a pool round trip costs 50-200 us; JPEG Lossless codes
 * 128 KiB in well under 1 ms, so below that the event loop is blocked less than a timer tick.
 * OpenJPEG spends ~1 ms setting up even a tiny frame, so only very small J2K frames stay sync.
 */
export const ASYNC_THRESHOLD_BYTES: { readonly jpegLossless: number; readonly j2k: number } = {
  jpegLossless: 128 * 1024,
  j2k: 4 * 1024,
};

function params(info: FrameInfo, threads = 0): NativeFrameParams {
  return { ...info, threads };
}

/** Encodes one frame as a reversible (5/3) J2K codestream, colour transform on for 3 samples. */
export async function j2kEncode(
  pixels: Uint8Array,
  info: FrameInfo,
  options: J2kOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  // Our OpenJPEG paths (both backends) take 8- and 16-bit words; wider samples are not wired up.
  requireSampleBits('JPEG 2000', info, 1, 16);
  requireWholeFrame(pixels, frameBytes);
  const frame = pixels.subarray(0, frameBytes);
  if (resolveBackend(options.backend) === 'native') {
    const b = nativeBinding()!;
    const p = params(info, options.threads);
    const threshold = ASYNC_THRESHOLD_BYTES.j2k;
    return runNative(b.j2kEncode, b.j2kEncodeAsync, frame, p, frameBytes, 'JPEG 2000 encode', threshold);
  }
  const m = await wasm.get();
  let samples = canonicalSamples(frame, info);
  if (info.samplesPerPixel === 3 && info.planarConfiguration === 1)
    samples = convertPlanar(samples, info, false);
  const encoder = new m.J2KEncoder();
  let aborted = false;
  try {
    const input = encoder.getDecodedBuffer({
      width: info.columns,
      height: info.rows,
      bitsPerSample: info.bitsStored,
      componentCount: info.samplesPerPixel,
      isSigned: info.pixelRepresentation === 1,
      isUsingColorTransform: info.samplesPerPixel === 3,
    });
    input.set(samples);
    encoder.setDecompositions(decompositions(info));
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } catch (err) {
    aborted = isWasmAbort(err);
    if (aborted) wasm.reset();
    throw toCodecError(err, 'JPEG 2000 encode');
  } finally {
    if (!aborted) encoder.delete();
  }
}

/** Decodes one J2K codestream (or JP2 file) into native pixels of `info`'s layout. */
export async function j2kDecode(
  bytes: Uint8Array,
  info: FrameInfo,
  options: J2kOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  requireSampleBits('JPEG 2000', info, 1, 16);
  checkCodestream(bytes, info);
  // Debian's OpenJPEG 2.5.0 aborts the process (an assert in ht_dec.c) on some malformed HT
  // code-blocks (test/fuzz, README): a stream that declares HTJ2K goes to the WebAssembly build.
  if (resolveBackend(options.backend) === 'native' && !declaresHighThroughput(bytes)) {
    const b = nativeBinding()!;
    const p = params(info, options.threads);
    const threshold = ASYNC_THRESHOLD_BYTES.j2k;
    return runNative(b.j2kDecode, b.j2kDecodeAsync, bytes, p, frameBytes, 'JPEG 2000 decode', threshold);
  }
  // An Emscripten abort (RuntimeError) leaves the instance unusable: a fresh one serves the next call.
  return decodeWasm(bytes, (decoder, fi) => {
    if (fi.width !== info.columns || fi.height !== info.rows || fi.componentCount !== info.samplesPerPixel) {
      throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG 2000: image size does not match the frame', {
        details: { width: fi.width, height: fi.height, components: fi.componentCount },
      });
    }
    if (fi.bitsPerSample > info.bitsAllocated) {
      throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG 2000: component precision exceeds bitsAllocated');
    }
    const decoded = decoder.getDecodedBuffer();
    let out: Uint8Array;
    if (fi.bitsPerSample <= 8 && info.bitsAllocated === 16) {
      // Widen 8-bit samples into 16-bit words, sign-extending signed ones.
      out = new Uint8Array(frameBytes);
      for (let i = 0; i < decoded.length; i++) {
        const v = fi.isSigned ? (decoded[i]! << 24) >> 24 : decoded[i]!;
        out[2 * i] = v & 0xff;
        out[2 * i + 1] = (v >> 8) & 0xff;
      }
    } else {
      if (decoded.length !== frameBytes) {
        throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG 2000: decoded size does not match the frame', {
          details: { decoded: decoded.length, frameBytes },
        });
      }
      out = new Uint8Array(decoded);
    }
    if (info.samplesPerPixel === 3 && info.planarConfiguration === 1) out = convertPlanar(out, info, true);
    return out;
  });
}
