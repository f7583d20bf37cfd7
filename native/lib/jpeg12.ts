import { runNative } from './codec-support.js';
import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import { type FrameInfo, frameByteLength, requireWholeFrame } from './frame.js';
import { nativeBinding } from './native.js';

/**
 * JPEG extended 12-bit (ITU-T T.81 Process 4; the 12-bit streams of 1.2.840.10008.1.2.4.51)
 * through GDCM's 12-bit IJG build linked in the addon (src/jpeg12.cc; README "JPEG 12-bit").
 * There is no WebAssembly fallback: npm has no maintained 12-bit build, so without the addon (or
 * with an addon built without libgdcmjpeg12) a 12-bit stream is refused, and the refusal names
 * the missing library.
 */

const MISSING =
  "needs GDCM's 12-bit IJG library (libgdcmjpeg12, Debian libgdcm-dev) in the native addon, which this build lacks";
const HINT =
  'install libgdcm-dev and rebuild the addon (`pnpm --filter @hnvue/native run build:native`), or decompress the file with DCMTK (dcmdjpeg) first';

/** Whether this process can decode and encode 12-bit JPEG. */
export function haveJpeg12(): boolean {
  return nativeBinding()?.hasJpeg12 === true;
}

function requireJpeg12(what: string): NonNullable<ReturnType<typeof nativeBinding>> {
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
 * Decodes one 12-bit JPEG frame (16 bits allocated); three samples come back RGB in `info`'s
 * planar layout. `colorTransform` as src/jpeg8.cc: 1 YCbCr, 2 RGB, 0 the stream's markers.
 */
export async function jpeg12Decode(
  bytes: Uint8Array,
  info: FrameInfo,
  colorTransform: number,
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  const b = requireJpeg12('decoding');
  if (info.bitsAllocated !== 16) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'JPEG 12-bit: a 12-bit stream needs 16 bits allocated', {
      details: { bitsAllocated: info.bitsAllocated },
    });
  }
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
  const b = requireJpeg12('encoding');
  return runNative(
    b.jpeg12Encode!,
    b.jpeg12EncodeAsync!,
    pixels.subarray(0, frameBytes),
    { ...info, quality },
    frameBytes,
    'JPEG 12-bit encode',
  );
}
