import { checkGeometry, runNative } from './codec-support.js';
import { CODEC_ERROR_CODES, CodecError, toCodecError } from './errors.js';
import { type FrameInfo, frameByteLength, requireSampleBits, requireWholeFrame } from './frame.js';
import { ASYNC_THRESHOLD_BYTES } from './j2k.js';
import { readJpegFrameHeader } from './jpeg-baseline.js';
import { jpegLosslessDecodeTs } from './jpeg-lossless-ts.js';
import { NATIVE_FIX_HINT, type NativeFrameParams, nativeBinding, nativeStatus } from './native.js';

/**
 * JPEG Lossless Process 14 (T.81 Annex H), coded by the addon (src/jpegll.cc). Without the addon,
 * decoding falls back to the TypeScript port (lib/jpeg-lossless-ts.ts); encoding is refused.
 */

export interface JpegLosslessOptions {
  /** Selection value 1..7 (T.81 Table H.1); `TS.jpegLosslessSv1` requires 1. Default 1. */
  readonly predictor?: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  /** Point transform Pt (H.1.2.1): drops Pt low bits, so anything but 0 is lossy. Default 0. */
  readonly pointTransform?: number;
  /** Restart interval in MCUs (one MCU = one pixel); 0 = none. Default 0. */
  readonly restartInterval?: number;
}

function binding() {
  const b = nativeBinding();
  if (b === undefined) {
    const status = nativeStatus();
    throw new CodecError(
      CODEC_ERROR_CODES.unavailable,
      `JPEG Lossless encoding needs the native addon, which is ${status.kind === 'disabled' ? 'disabled (HNVUE_NATIVE=0)' : 'not loaded'}`,
      { hint: status.kind === 'disabled' ? 'unset HNVUE_NATIVE' : NATIVE_FIX_HINT },
    );
  }
  return b;
}

/** Encodes one native frame as a JPEG Lossless (SOF3) codestream with an image-optimal Huffman table. */
export async function jpegLosslessEncode(
  pixels: Uint8Array,
  info: FrameInfo,
  options: JpegLosslessOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  // T.81 B.2.2: P is 2..16 in the lossless processes.
  requireSampleBits('JPEG Lossless', info, 2, 16);
  requireWholeFrame(pixels, frameBytes);
  const b = binding();
  const p: NativeFrameParams = {
    ...info,
    predictor: options.predictor ?? 1,
    pointTransform: options.pointTransform ?? 0,
    restartInterval: options.restartInterval ?? 0,
  };
  const frame = pixels.subarray(0, frameBytes);
  return runNative(
    b.jpegLosslessEncode,
    b.jpegLosslessEncodeAsync,
    frame,
    p,
    frameBytes,
    'JPEG Lossless encode',
    ASYNC_THRESHOLD_BYTES.jpegLossless,
  );
}

/** Decodes a JPEG Lossless codestream (any predictor, point transform, restarts) into native pixels. */
export async function jpegLosslessDecode(bytes: Uint8Array, info: FrameInfo): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  requireSampleBits('JPEG Lossless', info, 2, 16);
  const b = nativeBinding();
  if (b === undefined) {
    // T.81 B.2.2 frame header against the frame before any sample is decoded; the decoder checks
    // it again with the markers it meets (a lossy SOF is refused there as unsupported).
    const header = readJpegFrameHeader(bytes);
    checkGeometry('JPEG Lossless', info, header.columns, header.rows, header.components, header.precision);
    try {
      return jpegLosslessDecodeTs(bytes, info);
    } catch (err) {
      throw toCodecError(err, 'JPEG Lossless decode');
    }
  }
  return runNative(
    b.jpegLosslessDecode,
    b.jpegLosslessDecodeAsync,
    bytes,
    { ...info },
    frameBytes,
    'JPEG Lossless decode',
    ASYNC_THRESHOLD_BYTES.jpegLossless,
  );
}
