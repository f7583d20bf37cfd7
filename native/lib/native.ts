import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Every function of the compiled addon (src/addon.cc), and its loader. The addon is optional:
 * when it is missing or HNVUE_NATIVE=0 the package falls back to WebAssembly/TypeScript and
 * says so once, never failing at import.
 */

/** Frame geometry and options as the addon reads them (src/addon.cc readParams). */
export interface NativeFrameParams {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly planarConfiguration: number;
  readonly predictor?: number;
  readonly pointTransform?: number;
  readonly restartInterval?: number;
  readonly threads?: number;
  readonly resolutions?: number;
  /** JPEG-LS NEAR (0 lossless). */
  readonly nearLossless?: number;
  /** JPEG baseline encode quality 1..100. */
  readonly quality?: number;
  /** JPEG 3-sample colour space: 0 the stream's markers decide, 1 YCbCr, 2 RGB (src/jpeg8.cc). */
  readonly colorTransform?: number;
}

type SyncCodec = (input: Uint8Array, params: NativeFrameParams) => Buffer;
type AsyncCodec = (input: Uint8Array, params: NativeFrameParams) => Promise<Buffer>;

/**
 * The addon's exports. Sync functions run on the calling thread; *Async ones run on the libuv
 * pool and resolve with an external Buffer that owns the codec's output (no copy). Errors carry
 * one of the CODEC_ERROR_CODES in `code`.
 */
export interface NativeBinding {
  readonly abiVersion: number;
  readonly hasOpenJpeg: boolean;
  readonly openJpegVersion: string;
  readonly jpegLosslessEncode: SyncCodec;
  readonly jpegLosslessDecode: SyncCodec;
  readonly jpegLosslessEncodeAsync: AsyncCodec;
  readonly jpegLosslessDecodeAsync: AsyncCodec;
  readonly j2kEncode: SyncCodec;
  readonly j2kDecode: SyncCodec;
  readonly j2kEncodeAsync: AsyncCodec;
  readonly j2kDecodeAsync: AsyncCodec;
  /**
   * Optional libraries: each is false (and its functions throw HNV_ERR_CODEC_UNSUPPORTED) when
   * CMake did not find it; absent altogether from addons built before them.
   */
  readonly hasCharls?: boolean;
  readonly charlsVersion?: string;
  readonly hasOpenJph?: boolean;
  readonly openJphVersion?: string;
  readonly hasLibjpeg?: boolean;
  readonly jpeglsEncode: SyncCodec;
  readonly jpeglsDecode: SyncCodec;
  readonly jpeglsEncodeAsync: AsyncCodec;
  readonly jpeglsDecodeAsync: AsyncCodec;
  readonly htj2kEncode: SyncCodec;
  readonly htj2kDecode: SyncCodec;
  readonly htj2kEncodeAsync: AsyncCodec;
  readonly htj2kDecodeAsync: AsyncCodec;
  readonly jpegBaselineEncode: SyncCodec;
  readonly jpegBaselineDecode: SyncCodec;
  readonly jpegBaselineEncodeAsync: AsyncCodec;
  readonly jpegBaselineDecodeAsync: AsyncCodec;
  /** JPEG 12-bit (src/jpeg12.cc, GDCM's libgdcmjpeg12); absent from addons built before it. */
  readonly hasJpeg12?: boolean;
  readonly jpeg12Encode?: SyncCodec;
  readonly jpeg12Decode?: SyncCodec;
  readonly jpeg12EncodeAsync?: AsyncCodec;
  readonly jpeg12DecodeAsync?: AsyncCodec;
  /**
   * PDU framing (src/framer.cc; absent from addons built before it, hence optional). Frames the
   * complete PDUs of `bytes` from `offset` into `out`: `[status, nextOffset, a, b, count, type,
   * start, end, …]` with status 0 (need more bytes, or `out` full), 1 (a valid header whose body
   * is incomplete: a = PDU type, b = its total length) or 2 (a header failing its check: a = abort
   * reason, and the message is returned).
   */
  readonly framePdus?: (
    bytes: Uint8Array,
    offset: number,
    associateLimit: number,
    pdataLimit: number,
    out: Float64Array,
  ) => string | undefined;
  /**
   * The PDVs of one P-DATA-TF into `out` as `[contextId, control, start, end, …]`: returns their
   * count, -1 when `out` is too small, or the message of why it is malformed (reason in out[0]).
   */
  readonly splitPdvs?: (bytes: Uint8Array, out: Float64Array) => number | string;
  /** The 12-byte headers (concatenated) of the single-PDV P-DATA-TFs carrying `totalLength` bytes. */
  readonly buildPDataHeaders?: (
    contextId: number,
    isCommand: boolean,
    totalLength: number,
    maxPdvLength: number,
  ) => Buffer;
}

/** Why the addon is or is not in use. */
export type NativeStatus =
  | {
      readonly kind: 'loaded';
      readonly path: string;
      /** Versions of the optional libraries the addon linked; undefined when built without. */
      readonly openJpeg: string | undefined;
      readonly charls: string | undefined;
      readonly openJph: string | undefined;
      readonly libjpeg: boolean;
      /** Whether GDCM's 12-bit IJG library (JPEG Process 4) is linked. */
      readonly jpeg12: boolean;
    }
  | { readonly kind: 'disabled' }
  | { readonly kind: 'missing'; readonly path: string; readonly reason: string };

const ABI_VERSION = 1;
/** Where cmake-js puts the build, relative to this package (lib/ and dist/ are both one level down). */
export const NATIVE_ADDON_PATH: string = fileURLToPath(
  new URL('../build/Release/hnvue_native.node', import.meta.url),
);
const FIX_HINT = 'build it with `pnpm --filter @hnvue/native run build:native` (needs cmake, g++ and make)';

let cached: { binding: NativeBinding | undefined; status: NativeStatus } | undefined;
let warned = false;

function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(message, { code: 'HNVUE_NATIVE_FALLBACK' });
}

function load(): { binding: NativeBinding | undefined; status: NativeStatus } {
  if (process.env.HNVUE_NATIVE === '0') return { binding: undefined, status: { kind: 'disabled' } };
  // HNVUE_NATIVE_PATH points at another build, e.g. the sanitizer one (build/asan/Release).
  const path = process.env.HNVUE_NATIVE_PATH || NATIVE_ADDON_PATH;
  if (!existsSync(path)) {
    warnOnce(`@hnvue/native: addon not built (${path}); using WebAssembly fallbacks; ${FIX_HINT}`);
    return { binding: undefined, status: { kind: 'missing', path, reason: 'not built' } };
  }
  try {
    const binding = createRequire(import.meta.url)(path) as NativeBinding;
    if (binding.abiVersion !== ABI_VERSION)
      throw new Error(`abiVersion ${binding.abiVersion}, want ${ABI_VERSION}`);
    return {
      binding,
      status: {
        kind: 'loaded',
        path,
        openJpeg: binding.hasOpenJpeg ? binding.openJpegVersion : undefined,
        charls: binding.hasCharls === true ? binding.charlsVersion : undefined,
        openJph: binding.hasOpenJph === true ? binding.openJphVersion : undefined,
        libjpeg: binding.hasLibjpeg === true,
        jpeg12: binding.hasJpeg12 === true,
      },
    };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    warnOnce(`@hnvue/native: addon failed to load (${reason}); using WebAssembly fallbacks; ${FIX_HINT}`);
    return { binding: undefined, status: { kind: 'missing', path, reason } };
  }
}

/** The loaded addon, or undefined when it is disabled (HNVUE_NATIVE=0) or unavailable. */
export function nativeBinding(): NativeBinding | undefined {
  cached ??= load();
  return cached.binding;
}

/** How the addon resolved: loaded (and with which OpenJPEG), disabled, or missing and why. */
export function nativeStatus(): NativeStatus {
  cached ??= load();
  return cached.status;
}

/** The hint every "addon unavailable" error carries. */
export const NATIVE_FIX_HINT: string = FIX_HINT;
