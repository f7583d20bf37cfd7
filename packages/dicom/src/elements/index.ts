export {
  DEFAULT_MAX_INFLATED_LENGTH,
  deflateDataset,
  deflateStream,
  inflateDataset,
  inflateStream,
} from './deflate.js';
export { DATASET_ERROR_CODE, DatasetError, DatasetTruncatedError, DeflateTruncatedError } from './errors.js';
export { PIXEL_DATA_TAG } from './implicit-vr.js';
export {
  encodeElementHeader,
  type ReencodeDatasetOptions,
  type ReencodeElementsOptions,
  reencodeBetween,
  reencodeElements,
  vrContextOf,
} from './reencode.js';
export { type ByteSource, type FileSource, fileSource, MAX_FILE_VIEW, memorySource } from './source.js';
export { KNOWN_VRS, LONG_VRS, SWAP_SIZE, swapBytes } from './vr.js';
export {
  EXPLICIT_BIG,
  EXPLICIT_LITTLE,
  type Fragments,
  IMPLICIT_LITTLE,
  ITEM_DELIMITATION_TAG,
  ITEM_TAG,
  type Item,
  MAX_NESTING,
  SEQUENCE_DELIMITATION_TAG,
  type Span,
  UNDEFINED_LENGTH,
  visitElements,
  type WalkEncoding,
  type WalkedElement,
  type WalkOptions,
  type WalkResult,
  walkDataset,
} from './walk.js';
export {
  concatBytes,
  type Element,
  type ElementOverride,
  elementHeader,
  elementValue,
  findElement,
  isExplicitLittleEndian,
  type ReencodeOptions,
  readElements,
  readSopUids,
  reencodeDataset,
  STORAGE_ERROR_CODES,
  stringValue,
  TAG,
  TransferSyntaxDatasetError,
  tagString,
  textValue,
  uint16Bytes,
  uint16Value,
  type VrContext,
  vrForTag,
} from './walker.js';
