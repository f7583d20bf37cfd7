import { transferSyntax } from '@hnvue/dicom';
import type { CodecBackend } from './codec-support.js';
import { decapsulate, encapsulate } from './encapsulation.js';
import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import type { ExtendedOffsetTable } from './extended-offset-table.js';
import { type FrameInfo, frameByteLength, requireWholeFrame } from './frame.js';
import { htj2kDecode, htj2kEncode } from './htj2k.js';
import { type J2kBackend, j2kDecode, j2kEncode } from './j2k.js';
import { jpegBaselineDecode, jpegBaselineEncode } from './jpeg-baseline.js';
import { type JpegLosslessOptions, jpegLosslessDecode, jpegLosslessEncode } from './jpeg-lossless.js';
import { jpeg12Encode } from './jpeg12.js';
import { jpeglsDecode, jpeglsEncode } from './jpegls.js';
import { rleDecode, rleEncode } from './rle.js';
import { packBitFrames, requireSingleBitCodec, unpackBitFrames, unpackedInfo } from './single-bit.js';
import {
  isEncapsulatedTransferSyntax,
  isLossyTransferSyntax,
  isNativeTransferSyntax,
  TransferSyntax,
} from './transfer-syntax.js';

/**
 * Pixel-level transcoding for C-STORE (FR-DICOM-04): frames in, frames out. Rewriting the
 * dataset around the pixels (VRs, file meta, Photometric Interpretation) is the caller's job;
 * `photometricAfterEncode`/`photometricAfterDecode` say what the pixels became.
 */

export interface EncodeOptions extends JpegLosslessOptions {
  /**
   * Permit a lossy result: a lossy target transfer syntax (`TS.jpeg2000` is encoded
   * reversibly even then) or a JPEG Lossless point transform above 0. Default false.
   */
  readonly allowLossy?: boolean;
  /** Force a JPEG 2000 backend; default native when available, else WebAssembly. */
  readonly j2kBackend?: J2kBackend;
  /** OpenJPEG threads for the native backend; 0 = all CPUs. */
  readonly threads?: number;
  /** JPEG-LS NEAR for a .81 target (default 2, as dcmcjpls); .80 is always 0. */
  readonly nearLossless?: number;
  /** JPEG baseline quality 1..100 for a .50 target (default 90). */
  readonly jpegQuality?: number;
  /**
   * Force the backend of the library codecs (JPEG-LS, HTJ2K, JPEG 8-bit); default native when
   * built. It applies to every library encoder and decoder except the HTJ2K decoder: without
   * `trustedInput: true`, HTJ2K always decodes through OpenJPEG in WebAssembly, whatever this says.
   */
  readonly libraryBackend?: CodecBackend;
  /**
   * The encoded frames are trusted (e.g. encoded by us), so HTJ2K may decode through the OpenJPH
   * build `libraryBackend` names. OpenJPH (native 0.9.0 and the WebAssembly build) is not safe on
   * untrusted streams (docs/reliability.md "Fuzzing"). Default false.
   */
  readonly trustedInput?: boolean;
  /** Photometric Interpretation of the source data set (JPEG decode: YCbCr or RGB stream). */
  readonly photometricInterpretation?: string;
  /** The source's Extended Offset Table (`readExtendedOffsetTable`), when it has one. */
  readonly extendedOffsetTable?: ExtendedOffsetTable;
}

export interface DecodeOptions {
  /** The source's Extended Offset Table (`readExtendedOffsetTable`), when it has one. */
  readonly extendedOffsetTable?: ExtendedOffsetTable;
  readonly j2kBackend?: J2kBackend;
  readonly threads?: number;
  /**
   * Force the backend of the library codecs (JPEG-LS, HTJ2K, JPEG 8-bit); default native when
   * built. It applies to every library encoder and decoder except the HTJ2K decoder: without
   * `trustedInput: true`, HTJ2K always decodes through OpenJPEG in WebAssembly, whatever this says.
   */
  readonly libraryBackend?: CodecBackend;
  /**
   * The encoded frames are trusted (e.g. encoded by us), so HTJ2K may decode through the OpenJPH
   * build `libraryBackend` names. OpenJPH (native 0.9.0 and the WebAssembly build) is not safe on
   * untrusted streams (docs/reliability.md "Fuzzing"). Default false.
   */
  readonly trustedInput?: boolean;
  /**
   * Photometric Interpretation of the data set the frame came from: for a 3-sample JPEG stream it
   * says YCbCr (YBR_*) or RGB, PS3.5 8.2.1; without it the stream's markers decide.
   */
  readonly photometricInterpretation?: string;
}

/** Transfer syntaxes `encodeFrame` produces. */
export const ENCODABLE_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.explicitVrLittleEndian,
  TransferSyntax.implicitVrLittleEndian,
  TransferSyntax.jpegLosslessSv1,
  TransferSyntax.jpegLossless,
  TransferSyntax.jpeg2000Lossless,
  TransferSyntax.jpeg2000,
  TransferSyntax.rleLossless,
  TransferSyntax.jpegLsLossless,
  TransferSyntax.jpegLsNearLossless,
  TransferSyntax.jpegBaseline,
  TransferSyntax.jpegExtended,
  TransferSyntax.htj2kLossless,
  TransferSyntax.htj2kLosslessRpcl,
  TransferSyntax.htj2k,
];

/** Transfer syntaxes `decodeFrame` reads. */
export const DECODABLE_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.explicitVrLittleEndian,
  TransferSyntax.implicitVrLittleEndian,
  TransferSyntax.jpegLosslessSv1,
  TransferSyntax.jpegLossless,
  TransferSyntax.jpeg2000Lossless,
  TransferSyntax.jpeg2000,
  TransferSyntax.rleLossless,
  TransferSyntax.jpegLsLossless,
  TransferSyntax.jpegLsNearLossless,
  TransferSyntax.jpegBaseline,
  TransferSyntax.jpegExtended,
  TransferSyntax.htj2kLossless,
  TransferSyntax.htj2kLosslessRpcl,
  TransferSyntax.htj2k,
];

function unsupported(uid: string, what: string): never {
  throw new CodecError(CODEC_ERROR_CODES.unsupported, `cannot ${what} transfer syntax ${uid}`, {
    details: { transferSyntaxUid: uid },
  });
}

/**
 * Encodes one native frame (`info` layout, little-endian words) into `transferSyntaxUid`. For a
 * native target the result is the frame itself (the same bytes, not a copy). Lossy targets throw
 * HNV_ERR_LOSSY_NOT_ALLOWED unless `options.allowLossy`.
 */
export async function encodeFrame(
  pixels: Uint8Array,
  info: FrameInfo,
  transferSyntaxUid: string,
  options: EncodeOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  requireWholeFrame(pixels, frameBytes);
  // PS3.5 8.2, from the registry: a target that may lose information needs allowLossy.
  const lossy = isLossyTransferSyntax(transferSyntaxUid) || (options.pointTransform ?? 0) > 0;
  if (lossy && options.allowLossy !== true) {
    throw new CodecError(
      CODEC_ERROR_CODES.lossyNotAllowed,
      `encoding to ${transferSyntaxUid}${(options.pointTransform ?? 0) > 0 ? ' with a point transform' : ''} may lose information`,
      { hint: 'pass allowLossy: true to accept a lossy result', details: { transferSyntaxUid } },
    );
  }
  const frame = pixels.subarray(0, frameBytes);
  switch (transferSyntaxUid) {
    case TransferSyntax.explicitVrLittleEndian:
    case TransferSyntax.implicitVrLittleEndian:
      return frame;
    case TransferSyntax.jpegLosslessSv1:
      if ((options.predictor ?? 1) !== 1) {
        throw new CodecError(
          CODEC_ERROR_CODES.invalidArgument,
          `transfer syntax ${TransferSyntax.jpegLosslessSv1} requires predictor (selection value) 1`,
        );
      }
      return jpegLosslessEncode(frame, info, options);
    case TransferSyntax.jpegLossless:
      return jpegLosslessEncode(frame, info, options);
    case TransferSyntax.jpeg2000Lossless:
    case TransferSyntax.jpeg2000:
      return j2kEncode(frame, info, { backend: options.j2kBackend, threads: options.threads ?? 0 });
    case TransferSyntax.rleLossless:
      return rleEncode(frame, info);
    case TransferSyntax.jpegLsLossless:
      if ((options.nearLossless ?? 0) !== 0) {
        throw new CodecError(
          CODEC_ERROR_CODES.invalidArgument,
          `transfer syntax ${TransferSyntax.jpegLsLossless} is lossless: NEAR must be 0`,
        );
      }
      return jpeglsEncode(frame, info, { backend: options.libraryBackend });
    case TransferSyntax.jpegLsNearLossless:
      return jpeglsEncode(frame, info, {
        backend: options.libraryBackend,
        nearLossless: options.nearLossless ?? 2,
      });
    case TransferSyntax.jpegBaseline:
      return jpegBaselineEncode(frame, info, {
        backend: options.libraryBackend,
        quality: options.jpegQuality,
      });
    case TransferSyntax.jpegExtended:
      // PS3.5 A.4.1: Process 2 (8-bit) or 4 (12-bit); 8-bit frames are written as baseline, which
      // every Process 2 decoder reads (T.81 4.11).
      if (info.bitsAllocated === 8) {
        return jpegBaselineEncode(frame, info, {
          backend: options.libraryBackend,
          quality: options.jpegQuality,
        });
      }
      return jpeg12Encode(frame, info, options.jpegQuality);
    case TransferSyntax.htj2kLossless:
    case TransferSyntax.htj2k:
      return htj2kEncode(frame, info, { backend: options.libraryBackend });
    case TransferSyntax.htj2kLosslessRpcl:
      return htj2kEncode(frame, info, { backend: options.libraryBackend, rpclOptions: true });
    default:
      return unsupported(transferSyntaxUid, 'encode to');
  }
}

/**
 * Decodes one frame of `transferSyntaxUid` into native pixels laid out as `info` says. Sample
 * bits above bitsStored come back canonical (zero, or the sign for signed data).
 */
export async function decodeFrame(
  bytes: Uint8Array,
  info: FrameInfo,
  transferSyntaxUid: string,
  options: DecodeOptions = {},
): Promise<Uint8Array> {
  const frameBytes = frameByteLength(info);
  switch (transferSyntaxUid) {
    case TransferSyntax.explicitVrLittleEndian:
    case TransferSyntax.implicitVrLittleEndian:
      if (bytes.length < frameBytes) {
        throw new CodecError(CODEC_ERROR_CODES.corrupt, 'native pixel data is shorter than one frame', {
          details: { length: bytes.length, frameBytes },
        });
      }
      return bytes.subarray(0, frameBytes);
    case TransferSyntax.jpegLosslessSv1:
    case TransferSyntax.jpegLossless:
      return jpegLosslessDecode(bytes, info);
    case TransferSyntax.jpeg2000Lossless:
    case TransferSyntax.jpeg2000:
      return j2kDecode(bytes, info, { backend: options.j2kBackend, threads: options.threads ?? 0 });
    case TransferSyntax.rleLossless:
      return rleDecode(bytes, info);
    case TransferSyntax.jpegLsLossless:
    case TransferSyntax.jpegLsNearLossless:
      return jpeglsDecode(bytes, info, { backend: options.libraryBackend });
    case TransferSyntax.jpegBaseline:
    case TransferSyntax.jpegExtended:
      return jpegBaselineDecode(bytes, info, {
        backend: options.libraryBackend,
        photometricInterpretation: options.photometricInterpretation,
      });
    case TransferSyntax.htj2kLossless:
    case TransferSyntax.htj2kLosslessRpcl:
    case TransferSyntax.htj2k:
      // OpenJPH only on trusted streams; anything else through the safe default (lib/htj2k.ts).
      return htj2kDecode(
        bytes,
        info,
        options.trustedInput === true ? { backend: options.libraryBackend, trustedInput: true } : {},
      );
    default:
      return unsupported(transferSyntaxUid, 'decode from');
  }
}

/** The (7FE0,0010) value and whether it is encapsulated (then its length is undefined, VR OB). */
export interface PixelDataValue {
  readonly value: Uint8Array;
  readonly encapsulated: boolean;
}

/**
 * Splits a (7FE0,0010) value into frames: native pixel data is cut every frame length (views,
 * no copy); encapsulated data goes through `decapsulate`.
 */
export function pixelDataFrames(
  value: Uint8Array,
  info: FrameInfo,
  numberOfFrames: number,
  transferSyntaxUid: string,
  extendedOffsetTable?: ExtendedOffsetTable,
): Uint8Array[] {
  if (isEncapsulatedTransferSyntax(transferSyntaxUid))
    return decapsulate(value, numberOfFrames, extendedOffsetTable);
  if (!isNativeTransferSyntax(transferSyntaxUid)) return unsupported(transferSyntaxUid, 'read pixel data of');
  const frameBytes = frameByteLength(info);
  if (value.length < frameBytes * numberOfFrames) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'native pixel data is shorter than its frames', {
      details: { length: value.length, frameBytes, numberOfFrames },
    });
  }
  return Array.from({ length: numberOfFrames }, (_, i) =>
    value.subarray(i * frameBytes, (i + 1) * frameBytes),
  );
}

/**
 * Rewrites a whole (7FE0,0010) value from one transfer syntax to another, frame by frame: native
 * ↔ encapsulated (fragments, Basic Offset Table, even-length padding) and codec to codec. A
 * native result is padded to even length with one 0x00 (PS3.5 7.1.1). Frames are decoded to
 * canonical samples first, so a lossless round trip compares equal bit for bit.
 */
export async function transcodePixelData(
  value: Uint8Array,
  info: FrameInfo,
  numberOfFrames: number,
  fromTransferSyntaxUid: string,
  toTransferSyntaxUid: string,
  options: EncodeOptions = {},
): Promise<PixelDataValue> {
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1) {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, 'numberOfFrames must be a positive integer');
  }
  const decodeOpts: DecodeOptions = {
    j2kBackend: options.j2kBackend,
    threads: options.threads ?? 0,
    libraryBackend: options.libraryBackend,
    trustedInput: options.trustedInput,
    photometricInterpretation: options.photometricInterpretation,
  };
  if (info.bitsAllocated === 1) {
    return transcodeSingleBit(
      value,
      info,
      numberOfFrames,
      fromTransferSyntaxUid,
      toTransferSyntaxUid,
      options,
    );
  }
  const frames = pixelDataFrames(
    value,
    info,
    numberOfFrames,
    fromTransferSyntaxUid,
    options.extendedOffsetTable,
  );
  if (isNativeTransferSyntax(toTransferSyntaxUid)) {
    const frameBytes = frameByteLength(info);
    const total = frameBytes * frames.length;
    const out = new Uint8Array(total + (total & 1));
    for (const [i, frame] of frames.entries()) {
      out.set(await decodeFrame(frame, info, fromTransferSyntaxUid, decodeOpts), i * frameBytes);
    }
    return { value: out, encapsulated: false };
  }
  if (!isEncapsulatedTransferSyntax(toTransferSyntaxUid))
    return unsupported(toTransferSyntaxUid, 'encode to');
  const encoded: Uint8Array[] = [];
  for (const frame of frames) {
    const pixels = await decodeFrame(frame, info, fromTransferSyntaxUid, decodeOpts);
    encoded.push(await encodeFrame(pixels, info, toTransferSyntaxUid, options));
  }
  return { value: encapsulate(encoded), encapsulated: true };
}

/** Bits Allocated 1 (lib/single-bit.ts): unpacked to a byte per pixel around the codecs. */
async function transcodeSingleBit(
  value: Uint8Array,
  info: FrameInfo,
  numberOfFrames: number,
  from: string,
  to: string,
  options: EncodeOptions,
): Promise<PixelDataValue> {
  requireSingleBitCodec(from);
  requireSingleBitCodec(to);
  const bytes = unpackedInfo(info);
  let frames: Uint8Array[];
  if (isNativeTransferSyntax(from)) frames = unpackBitFrames(value, info, numberOfFrames);
  else {
    frames = [];
    for (const frame of decapsulate(value, numberOfFrames, options.extendedOffsetTable))
      frames.push(await decodeFrame(frame, bytes, from, options));
  }
  if (isNativeTransferSyntax(to)) return { value: packBitFrames(frames, info), encapsulated: false };
  if (!isEncapsulatedTransferSyntax(to)) return unsupported(to, 'encode to');
  const encoded: Uint8Array[] = [];
  for (const frame of frames) encoded.push(await encodeFrame(frame, bytes, to, options));
  return { value: encapsulate(encoded), encapsulated: true };
}

/**
 * Photometric Interpretation (0028,0004) of pixels encoded into `transferSyntaxUid`: JPEG 2000
 * and HTJ2K with three samples apply the reversible colour transform, so RGB becomes YBR_RCT
 * (PS3.5 8.2.4, A.4.7); our JPEG encoders (.50, .51) convert RGB to YCbCr without subsampling, so RGB becomes
 * YBR_FULL (PS3.5 8.2.1); everything else keeps its value.
 */
export function photometricAfterEncode(
  photometric: string,
  transferSyntaxUid: string,
  samplesPerPixel: number,
): string {
  if (samplesPerPixel !== 3 || photometric !== 'RGB') return photometric;
  const family = transferSyntax(transferSyntaxUid)?.family;
  if (family === 'jpeg2000' || family === 'htj2k') return 'YBR_RCT';
  if (transferSyntaxUid === TransferSyntax.jpegBaseline || transferSyntaxUid === TransferSyntax.jpegExtended)
    return 'YBR_FULL';
  return photometric;
}

/**
 * Photometric Interpretation of decoded pixels: YBR_RCT/YBR_ICT come back as RGB; so do
 * YBR_FULL_422/YBR_FULL from an 8-bit JPEG (`fromTransferSyntaxUid` .50/.51), which our decoders
 * convert to RGB as dcmdjpeg does.
 */
export function photometricAfterDecode(photometric: string, fromTransferSyntaxUid?: string): string {
  if (photometric === 'YBR_RCT' || photometric === 'YBR_ICT') return 'RGB';
  const family =
    fromTransferSyntaxUid === undefined ? undefined : transferSyntax(fromTransferSyntaxUid)?.family;
  if ((family === 'jpeg-baseline' || family === 'jpeg-extended') && photometric.startsWith('YBR_FULL'))
    return 'RGB';
  return photometric;
}

/** Planar Configuration (0028,0006) to declare for `transferSyntaxUid`: 0 for encapsulated data. */
export function planarConfigurationFor(info: FrameInfo, transferSyntaxUid: string): 0 | 1 {
  return isEncapsulatedTransferSyntax(transferSyntaxUid) ? 0 : info.planarConfiguration;
}
