/**
 * What the data set codec's reader and writer share: the naturalized form's type, its errors
 * and the transfer syntaxes it serves (the four native encodings of PS3.5 Annex A).
 */
import { DatasetError } from '../elements/errors.js';
import { datasetEncoding, isNativeTransferSyntax, TS } from '../uids/transfer-syntax.js';

export { DATASET_ERROR_CODE, DatasetError, DatasetTruncatedError } from '../elements/errors.js';

/**
 * An incoming data set is longer than the caller's cap (`decodeDatasetStream` `maxLength`): it
 * was not buffered further. Same code as DatasetError; `details.limit` is the cap in bytes.
 */
export class DatasetTooLargeError extends DatasetError {
  readonly limit: number;
  constructor(limit: number) {
    super(`data set exceeds ${limit} bytes`, { details: { limit } });
    this.limit = limit;
  }
}

/** Default cap of `decodeDatasetStream`, the same as for DIMSE response data sets (16 MiB). */
export const DEFAULT_MAX_DATASET_STREAM_LENGTH: number = 16 * 1024 * 1024;

/** A dcmjs naturalized data set: keywords as keys, `_vrMap` for VR overrides. */
export type NaturalDataset = Record<string, unknown>;

/** DICOM JSON-like element as dcmjs denaturalizes it (PS3.18 F.2). */
export interface JsonElement {
  vr: string;
  Value?: unknown[] | null;
  InlineBinary?: string;
}
export type JsonDataset = Record<string, JsonElement>;

export const IMPLICIT_VR_LE: typeof TS.implicitVrLittleEndian = TS.implicitVrLittleEndian;
export const EXPLICIT_VR_LE: typeof TS.explicitVrLittleEndian = TS.explicitVrLittleEndian;

/** The two uncompressed little-endian transfer syntaxes DIMSE data sets travel in here. */
export type DatasetTransferSyntax = typeof IMPLICIT_VR_LE | typeof EXPLICIT_VR_LE;

export interface CodecEncoding {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
}

/**
 * The data set encoding of a transfer syntax the codec can read and write: Implicit VR LE,
 * Explicit VR LE, Explicit VR BE, Deflated Explicit VR LE; for reading also the encapsulated
 * syntaxes (whose data set is Explicit VR LE).
 */
export function codecEncoding(transferSyntax: string, direction: 'read' | 'write'): CodecEncoding {
  const enc = datasetEncoding(transferSyntax);
  // Writing native pixel data under an encapsulated syntax would mislabel it.
  if (enc === undefined || (direction === 'write' && !isNativeTransferSyntax(transferSyntax))) {
    throw new DatasetError(`transfer syntax ${transferSyntax} is not supported by the data set codec`, {
      details: { transferSyntax },
      hint: 'propose a transfer syntax of PS3.6 Table A-1 for this SOP class',
    });
  }
  return enc;
}
