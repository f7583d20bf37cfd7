export { dictionaryVr } from '../elements/implicit-vr.js';
export {
  type DatasetProblem,
  type DecodeDatasetOptions,
  type DecodedDataset,
  decodeDataset,
  decodeDatasetStream,
} from './read.js';
export {
  type CodecEncoding,
  codecEncoding,
  DATASET_ERROR_CODE,
  DatasetError,
  DatasetTooLargeError,
  type DatasetTransferSyntax,
  DatasetTruncatedError,
  DEFAULT_MAX_DATASET_STREAM_LENGTH,
  EXPLICIT_VR_LE,
  IMPLICIT_VR_LE,
  type NaturalDataset,
} from './types.js';
export {
  type EncodeDatasetOptions,
  encodeDataset,
  encodeDatasetChunks,
  encodeDatasetStream,
} from './write.js';
