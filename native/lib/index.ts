// Registers this package's codecs with @hnvue/dicom's codec registry (first, for its effect).
import './register.js';

export type { CodecBackend } from './codec-support.js';
export {
  decapsulate,
  type EncapsulatedParts,
  encapsulate,
  encapsulateParts,
  type OffsetTableChoice,
} from './encapsulation.js';
export { CODEC_ERROR_CODES, CodecError, type CodecErrorCode } from './errors.js';
export {
  BASIC_OFFSET_LIMIT,
  type ExtendedOffsetTable,
  type ExtendedOffsetTableElements,
  planOffsets,
  readExtendedOffsetTable,
  writeExtendedOffsetTable,
} from './extended-offset-table.js';
export { canonicalSamples, type FrameInfo, frameByteLength } from './frame.js';
export {
  type NativeFramedPdu,
  type NativePDataOptions,
  NativePduDecodeError,
  NativePduFramer,
  type NativePduFramerOptions,
  NativePduStream,
  type NativePdv,
  type NativeRawPdu,
  nativeChunkFramingAvailable,
  nativeDecodePDataPdvs,
  nativePDataPdus,
  nativePduFramingAvailable,
  PDU_DECODE_ERROR_CODE,
} from './framer.js';
export { defaultHtj2kBackend, type Htj2kOptions, htj2kDecode, htj2kEncode } from './htj2k.js';
export {
  ASYNC_THRESHOLD_BYTES,
  declaresHighThroughput,
  defaultJ2kBackend,
  type J2kBackend,
  type J2kOptions,
  j2kDecode,
  j2kEncode,
} from './j2k.js';
export {
  type JpegBaselineOptions,
  type JpegFrameHeader,
  jpegBaselineDecode,
  jpegBaselineEncode,
  readJpegFrameHeader,
} from './jpeg-baseline.js';
export { type JpegLosslessOptions, jpegLosslessDecode, jpegLosslessEncode } from './jpeg-lossless.js';
export { haveJpeg12, haveJpeg12Encode, jpeg12Decode, jpeg12DecodeBackend, jpeg12Encode } from './jpeg12.js';
export { defaultJpegLsBackend, type JpegLsOptions, jpeglsDecode, jpeglsEncode } from './jpegls.js';
export { NATIVE_ADDON_PATH, type NativeStatus, nativeStatus } from './native.js';
export { registerNativeCodecs } from './register.js';
export { rleDecode, rleEncode } from './rle.js';
export {
  DECODABLE_TRANSFER_SYNTAXES,
  type DecodeOptions,
  decodeFrame,
  ENCODABLE_TRANSFER_SYNTAXES,
  type EncodeOptions,
  encodeFrame,
  type PixelDataValue,
  photometricAfterDecode,
  photometricAfterEncode,
  pixelDataFrames,
  planarConfigurationFor,
  transcodePixelData,
} from './transcode.js';
export {
  isEncapsulatedTransferSyntax,
  isLossyTransferSyntax,
  isNativeTransferSyntax,
  TransferSyntax,
  type TransferSyntaxUid,
} from './transfer-syntax.js';
