import { runNative } from './codec-support.js';
import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength, requireWholeFrame } from './frame.js';
import { jpeg12DecodeTs } from './jpeg12-ts.js';
import { nativeBinding } from './native.js';

/**
 * JPEG extended 12-bit (ITU-T T.81 Process 4; the 12-bit streams of 1.2.840.10008.1.2.4.51)
 * through GDCM's 12-bit IJG build linked in the addon (src/jpeg12.cc; README "JPEG 12-bit").
 * Decoding falls back to our TypeScript decoder (lib/jpeg12-ts.ts, the same samples as IJG's)
 * when the addon is not loaded or was built without libgdcmjpeg12; npm has no maintained 12-bit
 * build, so encoding stays addon-only, and its refusal names the missing library.
 */

const MISSING =
  "needs GDCM's 12-bit IJG library (libgdcmjpeg12, Debian libgdcm-dev) in the native addon, which this build lacks";
const HINT =
  'install libgdcm-dev and rebuild the addon (`pnpm --filter @hnvue/native run build:native`), or decompress the file with DCMTK (dcmdjpeg) first';

/** Whether this process encodes 12-bit JPEG: only the addon linked with libgdcmjpeg12 does. */
export function haveJpeg12Encode(): boolean {
  return nativeBinding()?.hasJpeg12 === true;
}

/** Which implementation decodes 12-bit JPEG here: the addon's IJG build, else TypeScript. */
export function jpeg12DecodeBackend(): 'native' | 'js' {
  return haveJpeg12Encode() ? 'native' : 'js';
}

/**
 * Whether this process can decode and encode 12-bit JPEG (the addon's). Decoding no longer needs
 * it (every process decodes, lib/jpeg12-ts.ts); kept for callers that ask about encoding.
 * @deprecated use haveJpeg12Encode
 */
export function haveJpeg12(): boolean {
  return haveJpeg12Encode();
}

function requireJpeg12Encoder(what: string): NonNullable<ReturnType<typeof nativeBinding>> {
  const b = nativeBinding();
  if (b?.hasJpeg12 !== true) {
    throw new CodecError(CODEC_ERROR_CODES.unsupported, `JPEG 12-bit (Process 4) ${what} ${MISSING}`, {
      hint: HINT,
      details: { addon: b === undefined ? 'not loaded' : 'built without libgdcmjpeg12' },
    });
  }
  return b;
}

/**
 * Decodes one 12-bit JPEG frame (16 bits allocated), in the addon when it has libgdcmjpeg12,
 * else in TypeScript; three samples come back RGB in `info`'s planar layout. `colorTransform`
 * as src/jpeg8.cc: 1 YCbCr, 2 RGB, 0 the stream's markers.
 */
export async function jpeg12Decode(
  bytes: Uint8Array,
  info: FrameInfo,
  colorTransform: number,
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  if (info.bitsAllocated !== 16) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG 12-bit: a 12-bit stream needs 16 bits allocated', {
      details: { bitsAllocated: info.bitsAllocated },
    });
  }
  const b = nativeBinding();
  if (b?.hasJpeg12 !== true) return jpeg12DecodeTs(bytes, info, colorTransform);
  return runNative(
    b.jpeg12Decode!,
    b.jpeg12DecodeAsync!,
    bytes,
    { ...info, colorTransform },
    frameBytes,
    'JPEG 12-bit decode',
  );
}

/**
 * Encodes one unsigned frame of 9–12 bits stored in 16 allocated as Process 4 (lossy: the caller
 * has allowed it), 4:4:4, image-optimal Huffman tables, quality 1..100 (IJG scale).
 */
export async function jpeg12Encode(pixels: Uint8Array, info: FrameInfo, quality = 90): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  if (info.bitsAllocated !== 16 || info.bitsStored > 12 || info.pixelRepresentation !== 0) {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      info.pixelRepresentation !== 0
        ? 'JPEG 12-bit holds unsigned samples; this image is signed'
        : `JPEG 12-bit holds up to 12 bits in 16 allocated; this image has ${info.bitsStored} in ${info.bitsAllocated}`,
      {
        hint: 'choose a lossless transfer syntax (JPEG-LS, JPEG 2000, HTJ2K) for this image',
        details: { bitsAllocated: info.bitsAllocated, bitsStored: info.bitsStored },
      },
    );
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, 'JPEG 12-bit: quality must be 1..100');
  }
  requireWholeFrame(pixels, frameBytes);
  const b = requireJpeg12Encoder('encoding');
  return runNative(
    b.jpeg12Encode!,
    b.jpeg12EncodeAsync!,
    pixels.subarray(0, frameBytes),
    { ...info, quality },
    frameBytes,
    'JPEG 12-bit encode',
  );
}
