import { createRequire } from 'node:module';
import { CODEC_ERROR_CODES, CodecError, toCodecError } from './errors.js';
import type { FrameInfo } from './frame.js';
import { type NativeBinding, type NativeFrameParams, nativeBinding } from './native.js';

/**
 * What the library-backed codecs (JPEG-LS, HTJ2K, JPEG 8-bit, JPEG 2000) share: choosing the addon
 * or the WebAssembly build, loading a WebAssembly module once and running its codec objects,
 * calling the addon sync or on the pool,
 * and moving samples between DICOM frames and the 1- or 2-byte interleaved buffers those
 * WebAssembly builds read and write (src/samples.h does the same for the addon).
 */

export type CodecBackend = 'native' | 'wasm';

/** Frames below this many bytes are coded on the calling thread (a pool round trip is 50–200 µs). */
export const LIBRARY_ASYNC_THRESHOLD_BYTES: number = 64 * 1024;

/** How a library-backed codec picks its backend (`libraryBackend`). */
export interface LibraryBackend {
  /** Native when the addon was built with the library, else WebAssembly. */
  default(): CodecBackend;
  /** `forced`, else the default; a forced native backend the addon lacks is HNV_ERR_CODEC_UNAVAILABLE. */
  choose(forced: CodecBackend | undefined): CodecBackend;
}

/** The backend choice of `codec`, whose library the addon has when `available` says so. */
export function libraryBackend(
  codec: string,
  available: (b: NativeBinding) => boolean,
  hint: string,
): LibraryBackend {
  const native = (): boolean => {
    const b = nativeBinding();
    return b !== undefined && available(b);
  };
  return {
    default: () => (native() ? 'native' : 'wasm'),
    choose(forced) {
      const has = native();
      const chosen = forced ?? (has ? 'native' : 'wasm');
      if (chosen === 'native' && !has) {
        throw new CodecError(CODEC_ERROR_CODES.unavailable, `${codec}: the native backend is not available`, {
          hint,
        });
      }
      return chosen;
    },
  };
}

// The parts of the @cornerstonejs WebAssembly codecs' (OpenJPEG, OpenJPH, CharLS, libjpeg-turbo)
// embind classes that every one of them has; they ship no type declarations.

/** A frame as the WebAssembly codecs describe it (each reads and fills the fields it knows). */
export interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
  isUsingColorTransform?: boolean;
}

/** An encoder: samples into `getDecodedBuffer(info)`, `encode()`, the stream out of `getEncodedBuffer()`. */
export interface WasmEncoder {
  getDecodedBuffer(info: WasmFrameInfo): Uint8Array;
  getEncodedBuffer(): Uint8Array;
  encode(): void;
  delete(): void;
}

/** A decoder: the stream into `getEncodedBuffer(length)`, `decode()`, samples out of `getDecodedBuffer()`. */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): WasmFrameInfo;
  decode(): void;
  delete(): void;
}

/** A lazily instantiated WebAssembly module (`wasmModule`). */
export interface WasmInstance<M> {
  get(): Promise<M>;
  reset(): void;
}

type Factory<M> = (module: { print(s: string): void; printErr(s: string): void }) => Promise<M>;

/** One lazily instantiated Emscripten module per entry point; `reset` after an abort. */
export function wasmModule<M>(entry: string): WasmInstance<M> {
  let instance: Promise<M> | undefined;
  return {
    get() {
      instance ??= (async () => {
        const mod = createRequire(import.meta.url)(entry) as Factory<M> | { default: Factory<M> };
        const factory = typeof mod === 'function' ? mod : mod.default;
        // Silent print/printErr: the modules otherwise write their libraries' chatter to stdout.
        return factory({ print: () => {}, printErr: () => {} });
      })();
      return instance;
    },
    reset() {
      instance = undefined;
    },
  };
}

// WebAssembly.RuntimeError (an Emscripten abort or a trap); lib.dom's types are not loaded here.
export function isWasmAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'RuntimeError';
}

/**
 * Frees an Emscripten object once a call is done; after a call that trapped (`aborted`) the whole
 * instance is dropped instead (`drop`), and so it is when the free itself traps: malformed streams
 * can leave the library's heap inconsistent without trapping at once, and a later free then traps
 * (found by fuzzing the WebAssembly libjpeg-turbo: a RuntimeError out of `delete()` after a
 * rejected stream). The trap becomes the call's CodecError, and the next call gets a fresh
 * instance. (Dropping after every rejected stream would be safer still, but re-instantiating costs
 * ~10 ms, which a flood of bad files would turn into a stall.)
 */
export function releaseWasm(obj: { delete(): void }, aborted: boolean, drop: () => void): void {
  if (aborted) {
    drop();
    return;
  }
  try {
    obj.delete();
  } catch (err) {
    if (!isWasmAbort(err)) throw err;
    drop();
  }
}

/**
 * Runs `use` on a new codec object `create`d from `wasm`'s instance and frees it (`releaseWasm`).
 * An error becomes a CodecError of `context`; a trap drops the instance, and `onAbort`, when
 * given, says which error a trap is instead.
 */
export async function withWasm<M, O extends { delete(): void }, R>(
  wasm: WasmInstance<M>,
  create: (m: M) => O,
  context: string,
  use: (obj: O) => R,
  onAbort?: (err: unknown) => Error,
): Promise<R> {
  const obj = create(await wasm.get());
  let aborted = false;
  try {
    return use(obj);
  } catch (err) {
    aborted = isWasmAbort(err);
    if (aborted && onAbort !== undefined) throw onAbort(err);
    throw toCodecError(err, context);
  } finally {
    releaseWasm(obj, aborted, () => wasm.reset());
  }
}

/**
 * A codec's WebAssembly decode: `bytes` into a new decoder `create`d from `wasm` (`withWasm`),
 * `decode()`, then `finish` with the decoder and the frame it describes.
 */
export function wasmDecoder<M, D extends WasmDecoder>(
  wasm: WasmInstance<M>,
  create: (m: M) => D,
  context: string,
): <R>(bytes: Uint8Array, finish: (decoder: D, fi: WasmFrameInfo) => R) => Promise<R> {
  return (bytes, finish) =>
    withWasm(wasm, create, context, (decoder) => {
      decoder.getEncodedBuffer(bytes.length).set(bytes);
      decoder.decode();
      return finish(decoder, decoder.getFrameInfo());
    });
}

/**
 * The decoder's samples (`codecBytes` each), once its frame `fi` is `info`'s (`checkGeometry`)
 * and its buffer holds exactly that frame; else HNV_ERR_CODEC_CORRUPT.
 */
export function decodedSamples(
  codec: string,
  decoder: WasmDecoder,
  fi: WasmFrameInfo,
  info: FrameInfo,
  codecBytes: 1 | 2,
): Uint8Array {
  checkGeometry(codec, info, fi.width, fi.height, fi.componentCount, fi.bitsPerSample);
  const decoded = decoder.getDecodedBuffer();
  if (decoded.length !== info.rows * info.columns * info.samplesPerPixel * codecBytes) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, `${codec}: decoded size does not match the frame`);
  }
  return decoded;
}

/**
 * The addon's external Buffer as a plain Uint8Array over the same memory (no copy), so callers
 * get Uint8Array semantics: `slice()` copies, where Buffer's `slice()` would alias.
 */
function plain(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Runs an addon codec synchronously for frames below `threshold` bytes and on the libuv pool for
 * larger ones; an error becomes a CodecError of `context`.
 */
export async function runNative(
  sync: (input: Uint8Array, p: NativeFrameParams) => Buffer,
  async: (input: Uint8Array, p: NativeFrameParams) => Promise<Buffer>,
  input: Uint8Array,
  params: NativeFrameParams,
  frameBytes: number,
  context: string,
  threshold: number = LIBRARY_ASYNC_THRESHOLD_BYTES,
): Promise<Uint8Array> {
  try {
    return plain(frameBytes < threshold ? sync(input, params) : await async(input, params));
  } catch (err) {
    throw toCodecError(err, context);
  }
}

function sampleAt(info: FrameInfo, i: number, c: number, planar: boolean): number {
  const n = info.rows * info.columns;
  return planar ? c * n + i : i * info.samplesPerPixel + c;
}

/**
 * The frame's samples as `outBytes`-byte little-endian words, pixel-interleaved, keeping the low
 * `bits` (unsigned bit patterns) or, with `signExtend`, the sign-extended value of Bits Stored.
 */
export function packSamples(
  pixels: Uint8Array,
  info: FrameInfo,
  outBytes: 1 | 2,
  bits: number,
  signExtend = false,
): Uint8Array {
  const n = info.rows * info.columns;
  const spp = info.samplesPerPixel;
  const inBytes = info.bitsAllocated / 8;
  const planar = spp === 3 && info.planarConfiguration === 1;
  const out = new Uint8Array(n * spp * outBytes);
  const mask = 2 ** bits - 1;
  const stored = 2 ** info.bitsStored;
  const sign = stored / 2;
  for (let c = 0; c < spp; c++) {
    for (let i = 0; i < n; i++) {
      const s = sampleAt(info, i, c, planar) * inBytes;
      let v = inBytes === 1 ? pixels[s]! : pixels[s]! | (pixels[s + 1]! << 8);
      if (signExtend) {
        v %= stored;
        if (v >= sign) v -= stored;
      }
      v &= mask;
      const d = (i * spp + c) * outBytes;
      out[d] = v & 0xff;
      if (outBytes === 2) out[d + 1] = (v >>> 8) & 0xff;
    }
  }
  return out;
}

/** `outBytes`-byte interleaved (or planar) samples into a canonical frame of `info`'s layout. */
export function unpackSamples(
  src: Uint8Array,
  srcBytes: 1 | 2,
  srcPlanar: boolean,
  info: FrameInfo,
): Uint8Array {
  const n = info.rows * info.columns;
  const spp = info.samplesPerPixel;
  const outBytes = info.bitsAllocated / 8;
  const planar = spp === 3 && info.planarConfiguration === 1;
  const out = new Uint8Array(n * spp * outBytes);
  const mask = 2 ** info.bitsStored - 1;
  const sign = 2 ** (info.bitsStored - 1);
  const word = outBytes === 1 ? 0xff : 0xffff;
  for (let c = 0; c < spp; c++) {
    for (let i = 0; i < n; i++) {
      const s = sampleAt(info, i, c, srcPlanar && spp === 3) * srcBytes;
      let v = (srcBytes === 1 ? src[s]! : src[s]! | (src[s + 1]! << 8)) & mask;
      if (info.pixelRepresentation === 1 && v & sign) v = (v | ~mask) & word;
      const d = sampleAt(info, i, c, planar) * outBytes;
      out[d] = v & 0xff;
      if (outBytes === 2) out[d + 1] = (v >>> 8) & 0xff;
    }
  }
  return out;
}

/** Throws HNV_ERR_CODEC_CORRUPT unless a stream's geometry is the frame's. */
export function checkGeometry(
  codec: string,
  info: FrameInfo,
  width: number,
  height: number,
  components: number,
  bits: number,
): void {
  if (width !== info.columns || height !== info.rows || components !== info.samplesPerPixel) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, `${codec}: image size does not match the frame`, {
      details: { width, height, components },
    });
  }
  if (bits > info.bitsAllocated) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, `${codec}: sample precision exceeds bitsAllocated`, {
      details: { bits, bitsAllocated: info.bitsAllocated },
    });
  }
}
